"""The request's second hop in the lab (issue 11): the indexers. Prowlarr, wired by the prowlarr_* modules as
wire.yml wires it, asks the lab's tracker site (a Torznab API behind a Cloudflare-style challenge) through the
FlareSolverr stand-in's own handler when the indexer carries the FlareSolverr tag, and its full sync puts the indexer
into Radarr pointing back at Prowlarr, where Radarr's own test of it really calls Prowlarr's Torznab API.

Each hop uses only what the modules configured: a missing tag, a wrong Prowlarr URL or a deleted indexer breaks
(or mends) exactly the hop that uses it."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.arr_helpers import field_values, run
from tests.emulators.bencoding import torrent_info_hash
from tests.emulators.server import ArrEmulator
from tests.lab.tracker_site import INCEPTION_RELEASE, TrackerSite
from tests.qbittorrent_server import free_port

FLARESOLVERR_TAG = "flaresolverr"
# Radarr's default sync categories that the lab site offers (it files its release under Movies/HD).
SYNCED_CATEGORIES = [2000, 2030, 2040, 2045]


@pytest.fixture
def prowlarr(real_prowlarr: ArrEmulator) -> ArrEmulator:
    return real_prowlarr


@pytest.fixture
def radarr(real_radarr: ArrEmulator) -> ArrEmulator:
    return real_radarr


def link_radarr(prowlarr: ArrEmulator, radarr: ArrEmulator, prowlarr_url: str | None = None) -> None:
    """prowlarr_application as wire.yml runs it (the Radarr application, full sync)."""
    result = run("prowlarr_application", prowlarr, name="Radarr", implementation="Radarr", sync_level="fullSync",
                 prowlarr_url=prowlarr_url or prowlarr.url, radarr_url=radarr.url, radarr_api_key=radarr.api_key)
    assert result["changed"] and not result.get("failed"), result


def add_flaresolverr(prowlarr: ArrEmulator, url: str) -> None:
    result = run("prowlarr_indexer_proxy", prowlarr, name="FlareSolverr", implementation="FlareSolverr",
                 host=url + "/", tags=[FLARESOLVERR_TAG])
    assert result["changed"] and not result.get("failed"), result


def add_lab_indexer(prowlarr: ArrEmulator, tracker: TrackerSite, tags=(FLARESOLVERR_TAG,), **options):
    return run("prowlarr_indexer", prowlarr, name="Lab tracker", definition="Torznab", base_url=tracker.url,
               fields={"apiKey": tracker.api_key}, tags=list(tags), **options)


@pytest.fixture
def wired(prowlarr, radarr, tracker, flaresolverr):
    """Prowlarr wired in wire.yml's order: the Radarr application, FlareSolverr, then the lab indexer."""
    link_radarr(prowlarr, radarr)
    add_flaresolverr(prowlarr, flaresolverr)
    added = add_lab_indexer(prowlarr, tracker)
    assert added["changed"] and not added.get("failed"), added
    prowlarr.wait_for_sync()
    return prowlarr, radarr, tracker


def synced(radarr: ArrEmulator) -> list[dict]:
    return [i for i in radarr.items("indexer") if i["name"].endswith("(Prowlarr)")]


def torznab(url: str, **query: str) -> ET.Element:
    with urllib.request.urlopen(f"{url}?{urlencode(query)}", timeout=30) as answer:
        assert answer.headers.get_content_type() == "application/rss+xml"
        return ET.fromstring(answer.read())


def test_the_full_sync_puts_the_lab_indexer_into_radarr_pointing_back_at_prowlarr(wired) -> None:
    prowlarr, radarr, tracker = wired
    (indexer,) = prowlarr.items("indexer")
    (remote,) = synced(radarr)
    values = field_values(remote)
    assert (remote["name"], remote["implementation"]) == ("Lab tracker (Prowlarr)", "Torznab")
    assert values["baseUrl"] == f"{prowlarr.url}/{indexer['id']}/" and values["apiPath"] == "/api"
    assert values["apiKey"] == prowlarr.api_key and values["categories"] == SYNCED_CATEGORIES
    assert remote["enableRss"] and remote["enableAutomaticSearch"] and remote["enableInteractiveSearch"]
    # Radarr tested it on save by asking Prowlarr's Torznab API, which asked the site through FlareSolverr.
    asked = [(r.method, r.path, r.query.get("t")) for r in prowlarr.requests if r.path.endswith("/api")]
    assert asked == [("GET", f"/{indexer['id']}/api", "caps"), ("GET", f"/{indexer['id']}/api", "movie")], asked
    direct = [r for r in tracker.requests if r.path == "/api" and not r.cleared]
    solved = [r for r in tracker.requests if r.path == "/api" and r.cleared]
    assert direct and all(r.status == 403 for r in direct), "Prowlarr's first request met the challenge"
    assert "Chrome" not in direct[0].user_agent and "Chrome" in solved[0].user_agent, "FlareSolverr's browser passed"
    assert all(r.cleared for r in tracker.requests[tracker.requests.index(solved[0]):]), \
        "and Prowlarr's later requests went with the clearance it earned"
    assert prowlarr.chain.sync_log == ["Radarr: added Lab tracker (Prowlarr) as %d" % remote["id"]]


def test_radarrs_search_through_prowlarr_finds_the_lab_release_and_its_torrent(wired) -> None:
    prowlarr, radarr, tracker = wired
    (remote,) = synced(radarr)
    values = field_values(remote)
    feed = torznab(values["baseUrl"].rstrip("/") + values["apiPath"], t="movie", imdbid="1375666",
                   cat=",".join(map(str, values["categories"])), extended="1", apikey=values["apiKey"])
    (item,) = feed.iter("item")
    assert item.findtext("title") == INCEPTION_RELEASE.title
    attrs = {a.get("name"): a.get("value") for a in item.iter("{http://torznab.com/schemas/2015/feed}attr")}
    assert attrs["infohash"] == INCEPTION_RELEASE.info_hash and attrs["imdbid"] == "tt1375666"
    link = item.findtext("link")
    assert link.startswith(values["baseUrl"] + "download?"), "the link leads to Prowlarr, not the site"
    assert tracker.url not in link and parse_qs(urlsplit(link).query)["apikey"] == [prowlarr.api_key]
    with urllib.request.urlopen(link, timeout=30) as answer:
        torrent = answer.read()
        assert answer.headers.get_content_type() == "application/x-bittorrent"
    assert torrent_info_hash(torrent) == INCEPTION_RELEASE.info_hash
    # The download went with the clearance FlareSolverr earned: Prowlarr's own request was let through.
    (download,) = [r for r in tracker.requests if r.path.startswith("/download/")]
    assert download.cleared and download.status == 200 and "Chrome" not in download.user_agent
    nothing = torznab(values["baseUrl"].rstrip("/") + "/api", t="movie", imdbid="0000001", apikey=values["apiKey"])
    assert list(nothing.iter("item")) == []


def test_without_the_flaresolverr_tag_the_challenge_stops_the_indexer(prowlarr, radarr, tracker,
                                                                        flaresolverr) -> None:
    link_radarr(prowlarr, radarr)
    add_flaresolverr(prowlarr, flaresolverr)
    refused = add_lab_indexer(prowlarr, tracker, tags=())
    assert refused["failed"] and "blocked by CloudFlare Protection" in refused["msg"], refused
    assert prowlarr.items("indexer") == []
    forced = add_lab_indexer(prowlarr, tracker, tags=(), force_save=True)
    assert forced["changed"] and not forced.get("failed"), forced
    prowlarr.wait_for_sync()
    (indexer,) = prowlarr.items("indexer")
    # Saved blind: Prowlarr assumes the Movies tree, Radarr's test of it fails, and Prowlarr forces it in.
    (remote,) = synced(radarr)
    assert any("refused" in line and "blocked by CloudFlare Protection" in line for line in prowlarr.chain.sync_log)
    feed = torznab(f"{prowlarr.url}/{indexer['id']}/api", t="movie", imdbid="1375666", apikey=prowlarr.api_key)
    assert feed.tag == "error" and "blocked by CloudFlare Protection" in feed.get("description")
    assert all(not r.cleared for r in tracker.requests), "nobody passed the challenge"
    assert remote["enableAutomaticSearch"] is True


def test_a_wrong_prowlarr_url_breaks_the_hop_from_radarr_to_prowlarr(prowlarr, radarr, tracker,
                                                                       flaresolverr) -> None:
    nobody = "http://127.0.0.1:%d" % free_port()
    link_radarr(prowlarr, radarr, prowlarr_url=nobody)
    add_flaresolverr(prowlarr, flaresolverr)
    assert not add_lab_indexer(prowlarr, tracker).get("failed")
    prowlarr.wait_for_sync()
    (remote,) = synced(radarr)
    assert field_values(remote)["baseUrl"].startswith(nobody + "/")
    assert any("refused" in line and "Unable to connect to indexer" in line for line in prowlarr.chain.sync_log)
    request = urllib.request.Request(radarr.url + "/api/v3/indexer/test", method="POST",
                                     data=json.dumps(remote).encode(),
                                     headers={"X-Api-Key": radarr.api_key, "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as failed:
        urllib.request.urlopen(request, timeout=30)
    assert failed.value.code == 400 and b"Unable to connect to indexer" in failed.value.read()


def test_a_deleted_indexer_leaves_radarr_and_the_sync_command_mends_what_radarr_lost(wired) -> None:
    prowlarr, radarr, tracker = wired
    (remote,) = synced(radarr)
    # Removed in Radarr by hand: the next ApplicationIndexerSync adds it again.
    urllib.request.urlopen(urllib.request.Request(f"{radarr.url}/api/v3/indexer/{remote['id']}", method="DELETE",
                                                  headers={"X-Api-Key": radarr.api_key}), timeout=10)
    command = urllib.request.Request(f"{prowlarr.url}/api/v1/command", method="POST",
                                     data=b'{"name": "ApplicationIndexerSync"}',
                                     headers={"X-Api-Key": prowlarr.api_key, "Content-Type": "application/json"})
    with urllib.request.urlopen(command, timeout=10) as answer:
        assert answer.status == 201
    prowlarr.wait_for_sync()
    (again,) = synced(radarr)
    assert again["id"] != remote["id"] and field_values(again)["baseUrl"] == field_values(remote)["baseUrl"]
    # Removed in Prowlarr (the module, as a purge or state=absent would): gone from Radarr too.
    removed = run("prowlarr_indexer", prowlarr, name="Lab tracker", state="absent")
    assert removed["changed"] and not removed.get("failed"), removed
    prowlarr.wait_for_sync()
    assert synced(radarr) == [] and prowlarr.items("appindexermap") == []


def test_the_flaresolverr_standin_browses_lab_hosts_only(tracker, flaresolverr_standin, monkeypatch) -> None:
    url, seen = flaresolverr_standin
    monkeypatch.setenv("FLARESOLVERR_LAB_HOSTS", "192.0.2.42")             # another lab host, not this site

    def solve(target: str) -> dict:
        request = urllib.request.Request(url + "v1", data=json.dumps({"cmd": "request.get", "url": target}).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return json.loads(exc.read())

    refused = solve(tracker.url + "/api?t=caps")
    assert refused["status"] == "error" and "not on a lab host" in refused["message"], refused
    assert tracker.requests == [], "nothing was fetched"
    monkeypatch.setenv("FLARESOLVERR_LAB_HOSTS", f"127.0.0.1:{tracker.port}")
    solved = solve(tracker.url + "/api?t=caps")
    assert solved["status"] == "ok" and solved["message"] == "Challenge solved!", solved
    assert "<caps>" in solved["solution"]["response"] and solved["solution"]["cookies"][0]["name"] == "cf_clearance"
    assert [r.status for r in tracker.requests] == [403, 200, 200] and len(seen) == 2
