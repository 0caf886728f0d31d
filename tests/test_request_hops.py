"""The request's first hop in the lab (issue 11): a movie requested in Seerr reaches the Radarr server that
seerr_radarr configured, with its profile, root folder and search on, over HTTP between the two emulators; a wrong
key in Seerr's server breaks exactly this hop (the request is FAILED, Radarr has nothing)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.arr_helpers import api
from tests.emulators.seerr import APPROVED, FAILED, VERSION
from tests.emulators.seerr_backends import Http
from tests.seerr_helpers import ready, run

INCEPTION = 27205


@pytest.fixture
def movies(tmp_path):
    folder = tmp_path / "movies"
    folder.mkdir()
    return str(folder)


@pytest.fixture
def lab(seerr_emulator, radarr_emulator, movies):
    """Seerr after its first setup, talking to the Radarr emulator over HTTP, with Radarr configured in Seerr by
    the module (profile and root folder by name, through Seerr's own test call)."""
    api(radarr_emulator, "POST", "/rootfolder", {"path": movies})
    seerr = ready(seerr_emulator)
    seerr.backend = Http(VERSION)
    configured = run("seerr_radarr", seerr, name="Radarr", hostname="127.0.0.1", port=radarr_emulator.port,
                     radarr_api_key=radarr_emulator.api_key, quality_profile="Any", root_folder=movies,
                     minimum_availability="released", is_default=True)
    assert configured["changed"] and not configured.get("failed"), configured
    return seerr, radarr_emulator


def seerr_call(seerr, method: str, path: str, body=None) -> tuple[int, dict]:
    request = urllib.request.Request(seerr.url + "/api/v1" + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"X-Api-Key": seerr.api_key, "Content-Type": "application/json",
                                              "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_a_request_reaches_radarr_with_seerrs_settings_and_search_on(lab, movies) -> None:
    seerr, radarr = lab
    status, request = seerr_call(seerr, "POST", "/request", {"mediaType": "movie", "mediaId": INCEPTION})
    assert status == 201 and request["status"] == APPROVED, request
    (movie,) = radarr.items("movie")
    assert (movie["title"], movie["year"], movie["tmdbId"]) == ("Inception", 2010, INCEPTION)
    assert movie["qualityProfileId"] == 1 and movie["rootFolderPath"] == movies and movie["monitored"] is True
    assert movie["path"] == movies + "/Inception (2010)" and movie["minimumAvailability"] == "released"
    assert radarr.queued_movie_ids("MoviesSearch") == [movie["id"]], "added with search on: its search is queued"
    status, stored = seerr_call(seerr, "GET", "/request/%d" % request["id"])
    assert status == 200 and stored["media"]["externalServiceId"] == movie["id"] and stored["status"] == APPROVED
    again, answer = seerr_call(seerr, "POST", "/request", {"mediaType": "movie", "mediaId": INCEPTION})
    assert again == 409 and answer["message"] == "Request for this media already exists."
    assert len(radarr.items("movie")) == 1


def test_a_wrong_key_in_seerrs_radarr_server_fails_the_request_and_adds_nothing(lab) -> None:
    seerr, radarr = lab
    seerr.radarr[0]["apiKey"] = "0" * 32                 # as if the inventory had given Seerr another key
    status, request = seerr_call(seerr, "POST", "/request", {"mediaType": "movie", "mediaId": INCEPTION})
    assert status == 201 and request["status"] == APPROVED, "Seerr answers before it sends"
    assert seerr_call(seerr, "GET", "/request/%d" % request["id"])[1]["status"] == FAILED
    assert radarr.items("movie") == [] and radarr.queued_movie_ids("MoviesSearch") == []


def test_prevent_search_adds_the_movie_without_a_search(lab) -> None:
    seerr, radarr = lab
    seerr.radarr[0]["preventSearch"] = True
    assert seerr_call(seerr, "POST", "/request", {"mediaType": "movie", "mediaId": INCEPTION})[0] == 201
    assert len(radarr.items("movie")) == 1 and radarr.queued_movie_ids("MoviesSearch") == []


def test_radarr_refuses_what_its_validators_refuse(radarr_emulator, movies) -> None:
    api(radarr_emulator, "POST", "/rootfolder", {"path": movies})
    good = {"title": "Inception", "tmdbId": INCEPTION, "year": 2010, "qualityProfileId": 1, "rootFolderPath": movies,
            "monitored": True, "minimumAvailability": "released", "tags": [], "addOptions": {"searchForMovie": False}}
    for change, field, message in ((dict(qualityProfileId=9), "QualityProfileId", "Quality Profile does not exist"),
                                   (dict(rootFolderPath="/elsewhere"), "RootFolderPath",
                                    "Root folder '/elsewhere' does not exist"),
                                   (dict(tmdbId=1), "TmdbId", "Movie with TmdbId 1 was not found")):
        with pytest.raises(AssertionError, match="answered 400") as refused:
            api(radarr_emulator, "POST", "/movie", {**good, **change})
        assert field in str(refused.value) and message in str(refused.value)
    api(radarr_emulator, "POST", "/movie", good)
    with pytest.raises(AssertionError, match="This movie has already been added"):
        api(radarr_emulator, "POST", "/movie", good)
    (looked_up,) = api(radarr_emulator, "GET", "/movie/lookup?term=tmdb:%d" % INCEPTION)
    assert looked_up["id"] == radarr_emulator.items("movie")[0]["id"] and looked_up["monitored"] is True
    assert api(radarr_emulator, "GET", "/movie?tmdbId=%d" % INCEPTION)[0]["tmdbId"] == INCEPTION
    assert api(radarr_emulator, "GET", "/command") == [], "no search asked for"
