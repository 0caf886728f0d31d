"""The Jellyfin emulator: the wizard before and after completion, MediaBrowser authorization, 401/403, keys,
"Movies2", the network document, slow start, the scans Radarr's notification starts and the movies they find; and
its OpenAPI checks bite (requests and responses)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.fixtures import started
from tests.emulators.jellyfin import DEFAULT_NETWORK, JellyfinEmulator
from tests.emulators.spec import SPECS_ENV, load_spec_validator
from tests.emulators_selftest.client import Answer

CLIENT = 'MediaBrowser Client="selftest", Device="pytest", DeviceId="dev%201", Version="1.0"'


def call(emu: JellyfinEmulator, method: str, path: str, body: Any = None, token: str | None = None,
         authorization: str | None = CLIENT, headers: dict[str, str] | None = None) -> Answer:
    headers = {"Accept": "application/json", **(headers or {})}
    if authorization:
        headers["Authorization"] = authorization + (f', Token="{token}"' if token else "")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(emu.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return Answer(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, dict(exc.headers.items()), exc.read())


def login(emu: JellyfinEmulator, name: str = "admin", password: str = "Admin-Pass-1") -> str:
    answer = call(emu, "POST", "/Users/AuthenticateByName", {"Username": name, "Pw": password})
    assert answer.status == 200, answer.raw
    return answer.json["AccessToken"]


def test_the_wizard_is_anonymous_until_complete_then_needs_an_administrator(jellyfin_emulator) -> None:
    emu = jellyfin_emulator
    assert call(emu, "GET", "/System/Info/Public", authorization=None).json["StartupWizardCompleted"] is False
    assert call(emu, "GET", "/Startup/Configuration", authorization=None).json == {
        "ServerName": "", "UICulture": "en-US", "MetadataCountryCode": "US", "PreferredMetadataLanguage": "en"}
    assert call(emu, "POST", "/Startup/User", {"Name": "admin", "Password": "x"}).status == 404, "no user yet"
    assert call(emu, "GET", "/Startup/User").json == {"Name": "jellyfin"}, "the first GET creates the user"
    empty = call(emu, "POST", "/Startup/User", {"Name": "admin", "Password": ""})
    assert (empty.status, empty.raw) == (400, b"Password must not be empty")
    assert call(emu, "POST", "/Startup/User", {"Name": "admin", "Password": "Admin-Pass-1"}).status == 204
    assert call(emu, "POST", "/Startup/Configuration", {"ServerName": "media"}).status == 204
    assert call(emu, "POST", "/Startup/Complete").status == 204
    assert emu.server["UICulture"] == "", "missing startup values become empty"
    assert call(emu, "GET", "/System/Info/Public").json["StartupWizardCompleted"] is True

    anonymous = call(emu, "GET", "/Startup/Configuration")
    assert (anonymous.status, anonymous.raw) == (401, b"")
    emu.add_user("guest", "Guest-Pass-2")
    forbidden = call(emu, "GET", "/Startup/Configuration", token=login(emu, "guest", "Guest-Pass-2"))
    assert (forbidden.status, forbidden.raw) == (403, b"")
    assert call(emu, "GET", "/Startup/Configuration", token=login(emu)).json["ServerName"] == "media"


def test_login_needs_the_client_fields_and_the_right_password(jellyfin_emulator) -> None:
    emu = jellyfin_emulator
    emu.complete_wizard()
    bare = call(emu, "POST", "/Users/AuthenticateByName", {"Username": "admin", "Pw": "Admin-Pass-1"},
                authorization='MediaBrowser Client="x"')
    assert bare.status == 400 and b"Device, DeviceId, Version" in bare.raw
    wrong = call(emu, "POST", "/Users/AuthenticateByName", {"Username": "ADMIN", "Pw": "nope"})
    assert wrong.status == 401
    token = login(emu)
    session = call(emu, "POST", "/Users/AuthenticateByName", {"Username": "admin", "Pw": "Admin-Pass-1"}).json
    assert session["User"]["Policy"]["IsAdministrator"] is True and session["SessionInfo"]["DeviceId"] == "dev 1"
    assert call(emu, "GET", "/Auth/Keys", token=token).status == 200
    assert call(emu, "GET", "/Auth/Keys?ApiKey=" + token, authorization=None).status == 200
    assert call(emu, "GET", "/Auth/Keys", token="0" * 32).status == 401


def test_every_create_adds_a_key_and_keys_act_as_administrators(jellyfin_emulator) -> None:
    emu = jellyfin_emulator
    emu.complete_wizard()
    token = login(emu)
    for _ in range(2):
        created = call(emu, "POST", "/Auth/Keys?app=Radarr", token=token)
        assert (created.status, created.raw) == (204, b"")
    items = call(emu, "GET", "/Auth/Keys", token=token).json["Items"]
    assert [i["AppName"] for i in items] == ["Radarr", "Radarr"] and items[0]["AccessToken"] != items[1]["AccessToken"]
    assert call(emu, "GET", "/System/Configuration/network", token=items[0]["AccessToken"]).status == 200
    assert call(emu, "DELETE", "/Auth/Keys/" + items[0]["AccessToken"], token=token).status == 204
    assert len(call(emu, "GET", "/Auth/Keys", token=token).json["Items"]) == 1


def test_a_duplicate_library_name_becomes_movies2_and_missing_paths_are_400(jellyfin_emulator, tmp_path) -> None:
    emu = jellyfin_emulator
    query = f"/Library/VirtualFolders?name=Movies&collectionType=movies&paths={tmp_path}&refreshLibrary=false"
    assert call(emu, "POST", query, {"LibraryOptions": {}}).status == 204
    assert call(emu, "POST", query, {"LibraryOptions": {}}).status == 204
    assert [lib["Name"] for lib in call(emu, "GET", "/Library/VirtualFolders").json] == ["Movies", "Movies2"]
    missing = call(emu, "POST", "/Library/VirtualFolders?name=TV&paths=/nowhere", {"LibraryOptions": {}})
    assert (missing.status, missing.raw) == (400, b"The specified path does not exist: /nowhere")
    assert missing.headers["Content-Type"].startswith("text/plain")
    assert call(emu, "DELETE", "/Library/VirtualFolders?name=TV").status == 404


def test_the_network_document_resets_what_a_write_leaves_out(jellyfin_emulator) -> None:
    emu = jellyfin_emulator
    emu.complete_wizard()
    token = login(emu)
    assert call(emu, "GET", "/System/Configuration/network", token=token).json == DEFAULT_NETWORK
    assert call(emu, "POST", "/System/Configuration/network", {"KnownProxies": ["172.20.0.23"]},
                token=token).status == 204
    emu.network["InternalHttpPort"] = 9000
    assert call(emu, "POST", "/System/Configuration/network", {"KnownProxies": []}, token=token).status == 204
    assert emu.network["InternalHttpPort"] == 8096
    assert call(emu, "POST", "/System/Configuration/network", {}).status == 401


def test_slow_start_answers_503(jellyfin_emulator) -> None:
    emu = jellyfin_emulator
    emu.slow_start(30, mode="503")
    assert call(emu, "GET", "/System/Info/Public").status == 503


def test_a_request_of_the_wrong_type_is_recorded(jellyfin_emulator) -> None:
    emu = jellyfin_emulator
    call(emu, "POST", "/Startup/Configuration", {"ServerName": 7})
    call(emu, "POST", "/Library/VirtualFolders?name=M&collectionType=films", {"LibraryOptions": {}})
    emu.complete_wizard()
    call(emu, "POST", "/System/Configuration/network", {"KnownProxies": "172.20.0.23"}, token=login(emu))
    assert len(emu.violations) == 3
    assert emu.violations[0].startswith("POST /Startup/Configuration: request: InvalidRequestBody: $.ServerName: 7")
    assert "'films' is not one of" in emu.violations[1]
    assert emu.violations[2] == ("POST /System/Configuration/network: request: NetworkConfiguration: $.KnownProxies: "
                                 "'172.20.0.23' is not of type 'array'")
    emu.violations.clear()


def test_a_response_of_the_wrong_type_is_recorded(jellyfin_emulator, monkeypatch) -> None:
    emu = jellyfin_emulator
    monkeypatch.setattr(emu, "server_id", 42)
    call(emu, "GET", "/System/Info/Public")
    emu.complete_wizard()
    emu.network["BaseUrl"] = None
    emu.network["KnownProxies"] = [1]
    call(emu, "GET", "/System/Configuration/network", token=login(emu))
    assert emu.violations[0] == "GET /System/Info/Public: response 200: InvalidData: $.Id: 42 is not of type 'string'"
    assert emu.violations[1].startswith("POST /Users/AuthenticateByName: response 200: InvalidData: ")
    assert emu.violations[2:] == ["GET /System/Configuration/network: response 200: NetworkConfiguration: "
                                  "$.KnownProxies[0]: 1 is not of type 'string'"]
    emu.violations.clear()


def test_a_read_only_property_in_a_request_body_is_a_violation() -> None:
    spec = load_spec_validator("jellyfin")
    assert spec.check_component("IPlugin", b'{"Name": "x"}', request=True) == [
        "IPlugin: $.Name: Tried to write read-only property with x"]
    assert spec.check_component("IPlugin", b'{"Name": "x"}', request=False) == []


def test_a_missing_document_fails_the_fixture_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SPECS_ENV, str(tmp_path))
    with pytest.raises(pytest.fail.Exception) as failed:
        next(started(JellyfinEmulator))
    assert str(tmp_path / "jellyfin.openapi.json") in str(failed.value) and SPECS_ENV in str(failed.value)


def test_a_stand_in_logs_each_request_it_answered_as_a_read_or_a_write(jellyfin_emulator) -> None:
    """The stand-in container prints these lines (tests/emulators/container.py); the stack scenario counts them to
    show that a no-op wiring only reads."""
    from tests.emulators.container import request_line, requests_in_log

    emu = jellyfin_emulator
    call(emu, "GET", "/System/Info/Public")
    call(emu, "POST", "/Users/AuthenticateByName", {"Username": "nobody", "Pw": "x"})
    call(emu, "POST", "/Startup/Configuration", {"UICulture": "en-US"})
    log = "\n".join("[jellyfin stand-in] " + request_line(emu, request) for request in emu.requests)
    found = requests_in_log("unrelated line\n" + log)
    assert [(method, path, write) for method, path, _, write in found] == [
        ("GET", "/System/Info/Public", False), ("POST", "/Users/AuthenticateByName", False),
        ("POST", "/Startup/Configuration", True)], found
    assert found[0][2] == 200


# -- what Radarr's "Emby / Jellyfin" notification does on import: find the movie, report its paths ------------------

RADARR_QUERY = "/Items?recursive=true&includeItemTypes=Movie&fields=Path,ProviderIds&years=%s"
RELEASE = "Inception (2010)/Inception.2010.1080p.BluRay.x264-LAB.mkv"


def as_radarr(emu: JellyfinEmulator, method: str, path: str, token: str, body: Any = None) -> Answer:
    """Radarr's MediaBrowserProxy: the legacy token header, no MediaBrowser authorization."""
    return call(emu, method, path, body, authorization=None, headers={"X-MediaBrowser-Token": token})


def created(*paths: str) -> dict[str, Any]:
    return {"Updates": [{"Path": path, "UpdateType": "Created"} for path in paths]}


@pytest.fixture
def lab(jellyfin_emulator: JellyfinEmulator, tmp_path: Path) -> tuple[JellyfinEmulator, str, Path]:
    """The wizard done, Radarr's API key, a movies library on an empty folder."""
    jellyfin_emulator.complete_wizard()
    (tmp_path / "movies").mkdir()
    jellyfin_emulator.add_library("Movies", [str(tmp_path / "movies")])
    return jellyfin_emulator, jellyfin_emulator.add_key("Radarr"), tmp_path / "movies"


def test_a_reported_import_is_scanned_after_the_delay_and_listed(lab, monkeypatch: pytest.MonkeyPatch) -> None:
    emu, key, movies = lab
    (movies / RELEASE).parent.mkdir()
    (movies / RELEASE).write_bytes(b"lab")
    assert as_radarr(emu, "GET", RADARR_QUERY % 2010, key).json == {"Items": [], "TotalRecordCount": 0,
                                                                     "StartIndex": 0}, "nothing scanned yet"
    monkeypatch.setattr(emu, "scan_delay", 30)
    folder = str(movies / "Inception (2010)")
    reported = as_radarr(emu, "POST", "/Library/Media/Updated", key, created(folder))
    assert (reported.status, reported.raw) == (204, b"")
    assert as_radarr(emu, "GET", RADARR_QUERY % 2010, key).json["Items"] == [], "the scan waits for the delay"
    monkeypatch.setattr(emu, "scan_delay", 0.05)
    assert as_radarr(emu, "POST", "/Library/Media/Updated", key, created(str(movies / RELEASE))).status == 204
    emu.wait_for_scans(5)
    assert emu.scans == [{"reason": "media updated", "libraries": ["Movies"], "paths": [str(movies)],
                          "requested": [folder, str(movies / RELEASE)]}], "a change in the delay restarts it: one scan"
    assert emu.updates == [{"token": key, **created(folder)}, {"token": key, **created(str(movies / RELEASE))}]

    found = as_radarr(emu, "GET", RADARR_QUERY % 2010, key).json
    assert found["TotalRecordCount"] == 1
    movie = found["Items"][0]
    assert {k: movie[k] for k in ("Name", "ProductionYear", "Type", "Path", "ProviderIds", "ServerId")} == {
        "Name": "Inception", "ProductionYear": 2010, "Type": "Movie", "Path": str(movies / RELEASE),
        "ProviderIds": {"Tmdb": "27205", "Imdb": "tt1375666"}, "ServerId": emu.server_id}
    plain = as_radarr(emu, "GET", "/Items?recursive=true&includeItemTypes=Movie", key).json["Items"]
    assert [m["Id"] for m in plain] == [movie["Id"]] and not {"Path", "ProviderIds", "ParentId"} & set(plain[0])
    assert as_radarr(emu, "GET", RADARR_QUERY % 1999, key).json["TotalRecordCount"] == 0
    assert as_radarr(emu, "GET", "/Items?recursive=true&searchTerm=incep", key).json["TotalRecordCount"] == 1
    assert as_radarr(emu, "GET", "/Items?includeItemTypes=Movie", key).json["Items"] == [], "not recursive"
    library = emu.library("Movies")
    children = as_radarr(emu, "GET", f"/Items?parentId={library['ItemId']}&fields=ParentId", key).json["Items"]
    assert [m["ParentId"].replace("-", "") for m in children] == [library["ItemId"]]
    assert emu.movies()[0]["Id"] == movie["Id"] and emu.movies()[0]["Path"] == str(movies / RELEASE)


def test_the_token_must_be_known_and_a_refresh_needs_an_administrator(lab) -> None:
    emu, key, movies = lab
    wrong = as_radarr(emu, "POST", "/Library/Media/Updated", "0" * 32, created(str(movies)))
    assert (wrong.status, wrong.raw) == (401, b"")
    assert as_radarr(emu, "GET", RADARR_QUERY % 2010, "0" * 32).status == 401
    emu.add_user("guest", "Guest-Pass-2")
    guest = login(emu, "guest", "Guest-Pass-2")
    # The document and LibraryController ask any user for /Library/Media/Updated, an administrator for a refresh.
    assert as_radarr(emu, "POST", "/Library/Media/Updated", guest, created(str(movies))).status == 204
    refused = as_radarr(emu, "POST", "/Library/Refresh", guest)
    assert (refused.status, refused.raw) == (403, b"")
    assert as_radarr(emu, "GET", RADARR_QUERY % 2010, guest).status == 200
    emu.wait_for_scans(5)
    assert [scan["reason"] for scan in emu.scans] == ["media updated"]


def test_a_refresh_drops_a_deleted_file_and_reads_names_tags_and_the_root(lab) -> None:
    emu, key, movies = lab
    (movies / RELEASE).parent.mkdir()
    (movies / RELEASE).write_bytes(b"lab")
    (movies / "Inception (2010).MP4").write_bytes(b"lab")                 # a file at the root, its own movie
    (movies / "Other Film (2001) [tmdbid-123]").mkdir()
    (movies / "Other Film (2001) [tmdbid-123]" / "other.mkv").write_bytes(b"x")
    (movies / "Other Film (2001) [tmdbid-123]" / "other.nfo").write_bytes(b"x")
    (movies / ".hidden").mkdir()
    (movies / ".hidden" / "Secret (1999).mkv").write_bytes(b"x")
    (movies.parent / "shows").mkdir()
    (movies.parent / "shows" / "Episode (2020).mkv").write_bytes(b"x")
    emu.add_library("Shows", [str(movies.parent / "shows")], "tvshows")
    assert (as_radarr(emu, "POST", "/Library/Refresh", key).status) == 204
    emu.wait_for_scans(5)
    assert emu.scans == [{"reason": "refresh", "libraries": ["Movies"], "paths": [str(movies)], "requested": []}]
    assert sorted((m["Name"], m["ProductionYear"], m["ProviderIds"]) for m in emu.movies()) == [
        ("Inception", 2010, {"Tmdb": "27205", "Imdb": "tt1375666"}),
        ("Inception", 2010, {"Tmdb": "27205", "Imdb": "tt1375666"}), ("Other Film", 2001, {"Tmdb": "123"})]

    (movies / RELEASE).unlink()
    assert as_radarr(emu, "POST", "/Library/Refresh", key).status == 204
    emu.wait_for_scans(5)
    assert sorted(m["Path"] for m in emu.movies()) == [str(movies / "Inception (2010).MP4"),
                                                       str(movies / "Other Film (2001) [tmdbid-123]" / "other.mkv")]
    ids = [m["Id"] for m in emu.movies()]
    assert as_radarr(emu, "GET", "/Items?recursive=true&ids=" + ",".join(ids), key).json["TotalRecordCount"] == 2


def test_a_path_in_no_library_scans_nothing(lab, tmp_path: Path) -> None:
    emu, key, movies = lab
    (movies / "Inception (2010).mkv").write_bytes(b"lab")
    (tmp_path / "elsewhere").mkdir()
    elsewhere = str(tmp_path / "elsewhere" / "Inception (2010).mkv")
    assert as_radarr(emu, "POST", "/Library/Media/Updated", key, created(elsewhere)).status == 204
    emu.wait_for_scans(5)
    assert emu.scans == [] and emu.movies() == [] and emu.updates == [{"token": key, **created(elsewhere)}]


def test_the_movies_survive_a_snapshot_and_an_older_snapshot_has_none(lab) -> None:
    emu, key, movies = lab
    (movies / "Inception (2010).mkv").write_bytes(b"lab")
    as_radarr(emu, "POST", "/Library/Refresh", key)
    emu.wait_for_scans(5)
    state = json.loads(json.dumps(emu.snapshot()))
    again = JellyfinEmulator()
    again.restore(state)
    assert again.movies() == emu.movies() and len(again.movies()) == 1
    del state["items"]
    again.restore(state)
    assert again.movies() == []
