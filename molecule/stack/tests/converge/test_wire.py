"""What playbooks/wire.yml wrote, read back from each app over its own API (molecule verify, converged stack):
qBittorrent's category, Jellyfin's wizard, library, known proxies and Radarr's key, Radarr's root folder,
hardlinks, qBittorrent client and Jellyfin connection, Prowlarr's Radarr application, FlareSolverr proxy and
qBittorrent client, Profilarr's Radarr, Seerr's Jellyfin, Radarr server and settings. Then the self-test
(playbooks/verify.yml) run alone, as a user runs it on the server: every chapter passes (tests/drift shows it
failing). Last, a movie requested through Caddy reaches Radarr as the wiring set it up, and Radarr's search grabs
the lab release into qBittorrent."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import phases
import pytest
from conftest import exec_in, run_layer

from tests.emulators.container import requests_in_log
from tests.lab import edge_lab
from tests.lab.tracker_site import INCEPTION_RELEASE

# The apps whose stand-ins log every request they answer (the emulators; qBittorrent is the real program).
LOGGED_APPS = ["radarr", "prowlarr", "jellyfin", "seerr", "profilarr"]

INCEPTION = 27205            # the lab's movie (tests/emulators/movies.py)
MEDIABROWSER = 'MediaBrowser Client="stack-test", Device="pytest", DeviceId="stack-test", Version="1"'


@pytest.fixture(scope="module")
def api(to_container, addresses, api_keys):
    """A function: the JSON of GET <app><path> with the app's own credentials."""
    def get(app: str, path: str, headers: dict | None = None):
        ports = {"radarr": 7878, "prowlarr": 9696, "seerr": 5055, "jellyfin": 8096}
        header = {"X-Api-Key": api_keys()[app]} if app in ("radarr", "prowlarr") else dict(headers or {})
        status, body = to_container(f"http://{addresses[app]}:{ports[app]}{path}", headers=header)
        assert status == 200, f"{app} {path}: {status} {body[:500]}"
        return json.loads(body)
    return get


@pytest.fixture(scope="module")
def seerr_key(config_root) -> str:
    return (config_root / "secrets" / "seerr-api-key").read_text().strip()


@pytest.fixture(scope="module")
def jellyfin_token(to_container, addresses, hostvars) -> str:
    status, body = to_container(f"http://{addresses['jellyfin']}:8096/Users/AuthenticateByName",
                                headers={"Authorization": MEDIABROWSER},
                                body={"Username": "admin", "Pw": hostvars["jellyfin_admin_password"]})
    assert status == 200, body
    return json.loads(body)["AccessToken"]


def by_name(items: list, name: str) -> dict:
    found = [i for i in items if i.get("name") == name]
    assert len(found) == 1, f"{name}: {[i.get('name') for i in items]}"
    return found[0]


def fields(item: dict) -> dict:
    return {f["name"]: f.get("value") for f in item["fields"]}


def qbittorrent_get(container, hostvars, path: str):
    """The JSON of GET <path> from a session inside qBittorrent's container (curl keeps its cookie), with the
    inventory's credentials."""
    login = "username=%s&password=%s" % (hostvars["qbittorrent_webui_username"], hostvars["qbittorrent_webui_password"])
    body = exec_in(container("qbittorrent"), ["sh", "-c", "curl -sf -c /tmp/verify-sid -d '%s' "
                                              "http://127.0.0.1:8080/api/v2/auth/login >/dev/null && curl -sf -b "
                                              "/tmp/verify-sid 'http://127.0.0.1:8080%s'" % (login, path)])
    return json.loads(body)


def test_qbittorrent_has_radarrs_category(container, hostvars):
    categories = qbittorrent_get(container, hostvars, "/api/v2/torrents/categories")
    assert categories["radarr"]["savePath"].rstrip("/") == "/media/downloads/radarr", categories


def test_jellyfin_is_set_up_with_the_movies_library_behind_caddy(api, to_container, addresses, jellyfin_token):
    token = {"Authorization": f'{MEDIABROWSER}, Token="{jellyfin_token}"'}
    assert api("jellyfin", "/System/Info/Public")["StartupWizardCompleted"] is True
    libraries = api("jellyfin", "/Library/VirtualFolders", token)
    assert [(lib["Name"], lib["CollectionType"], lib["Locations"]) for lib in libraries] == \
        [("Movies", "movies", ["/media/movies"])]
    assert api("jellyfin", "/System/Configuration/network", token)["KnownProxies"] == [addresses["caddy"]]
    keys = [k["AppName"] for k in api("jellyfin", "/Auth/Keys", token)["Items"]]
    # Radarr's own key, and the one Seerr's first setup made for itself: one each, never a second.
    assert sorted(keys) == ["Radarr", "Seerr"], keys


def test_radarr_imports_by_hardlink_from_qbittorrent_and_tells_jellyfin(api, addresses):
    assert [f["path"].rstrip("/") for f in api("radarr", "/api/v3/rootfolder")] == ["/media/movies"]
    assert api("radarr", "/api/v3/config/mediamanagement")["copyUsingHardlinks"] is True
    client = by_name(api("radarr", "/api/v3/downloadclient"), "qBittorrent")
    assert client["implementation"] == "QBittorrent" and client["enable"]
    assert {k: v for k, v in fields(client).items() if k in ("host", "port", "movieCategory", "username")} == \
        {"host": addresses["gluetun"], "port": 8080, "movieCategory": "radarr", "username": "admin"}
    jellyfin = by_name(api("radarr", "/api/v3/notification"), "Jellyfin")
    assert jellyfin["implementation"] == "MediaBrowser"
    assert all(jellyfin[flag] for flag in ("onDownload", "onUpgrade", "onRename", "onMovieDelete",
                                           "onMovieFileDelete"))
    assert {k: fields(jellyfin)[k] for k in ("host", "port", "updateLibrary")} == \
        {"host": addresses["jellyfin"], "port": 8096, "updateLibrary": True}


def test_prowlarr_syncs_to_radarr_through_flaresolverr_and_knows_qbittorrent(api, addresses):
    radarr = by_name(api("prowlarr", "/api/v1/applications"), "Radarr")
    assert radarr["syncLevel"] == "fullSync"
    assert {k: fields(radarr)[k] for k in ("prowlarrUrl", "baseUrl")} == \
        {"prowlarrUrl": f"http://{addresses['prowlarr']}:9696", "baseUrl": f"http://{addresses['radarr']}:7878"}
    proxy = by_name(api("prowlarr", "/api/v1/indexerproxy"), "FlareSolverr")
    assert fields(proxy)["host"] == f"http://{addresses['flaresolverr']}:8191/"
    tags = {t["id"]: t["label"] for t in api("prowlarr", "/api/v1/tag")}
    assert [tags[t] for t in proxy["tags"]] == ["flaresolverr"]
    client = by_name(api("prowlarr", "/api/v1/downloadclient"), "qBittorrent")
    assert fields(client)["host"] == addresses["gluetun"] and fields(client)["category"] == "prowlarr"


def test_the_full_sync_put_the_lab_tracker_into_radarr_and_a_search_finds_the_release_via_flaresolverr(
        api, addresses, api_keys, to_container, container):
    (indexer,) = [i for i in api("prowlarr", "/api/v1/indexer") if i["name"] == "Lab tracker"]
    remote = by_name(api("radarr", "/api/v3/indexer"), "Lab tracker (Prowlarr)")
    assert remote["implementation"] == "Torznab" and remote["enableAutomaticSearch"] is True
    base = fields(remote)["baseUrl"]
    assert base == f"http://{addresses['prowlarr']}:9696/{indexer['id']}/"
    # A movie search as Radarr sends it, to the address and with the key the sync gave Radarr (the key itself is
    # masked in Radarr's answer: it is Prowlarr's own).
    query = urllib.parse.urlencode({"t": "movie", "imdbid": "1375666", "cat": "2000,2040", "extended": "1",
                                    "apikey": api_keys()["prowlarr"]})
    status, feed = to_container(f"{base}api?{query}")
    assert status == 200 and "<title>Inception.2010.1080p.BluRay.x264-LAB</title>" in feed, feed[:2000]
    links = [element.text if element.tag == "link" else element.get("url")
             for element in ElementTree.fromstring(feed).iter() if element.tag in ("link", "enclosure")]
    links = [link for link in links if link and "/download" in link]
    assert links and all(link.startswith(f"{base}download?") and "192.0.2.42" not in link for link in links), \
        "links lead to Prowlarr, not to the site: %s" % links
    solver = container("flaresolverr").logs().decode(errors="replace")
    assert "request.get http://192.0.2.42/api?" in solver and "(challenge solved)" in solver, solver[-2000:]


def test_seerr_knows_jellyfin_and_radarr_and_is_initialised(api, addresses, seerr_key):
    key = {"X-Api-Key": seerr_key}
    assert api("seerr", "/api/v1/settings/public")["initialized"] is True
    jellyfin = api("seerr", "/api/v1/settings/jellyfin", key)
    assert (jellyfin["ip"], jellyfin["port"]) == (addresses["jellyfin"], 8096)
    assert [lib["name"] for lib in jellyfin["libraries"] if lib["enabled"]] == ["Movies"]
    servers = api("seerr", "/api/v1/settings/radarr", key)
    assert [s["name"] for s in servers] == ["Radarr"]           # never a second server
    radarr = servers[0]
    assert (radarr["hostname"], radarr["port"], radarr["isDefault"], radarr["activeDirectory"]) == \
        (addresses["radarr"], 7878, True, "/media/movies")
    assert api("seerr", "/api/v1/settings/network", key)["trustProxy"] is True
    assert api("seerr", "/api/v1/settings/main", key)["applicationUrl"] == "https://requests.media.example.org"


def test_profilarr_links_radarr_at_its_address_with_the_key_ansible_decided(to_container, addresses, config_root):
    key_file = config_root / "secrets" / "profilarr-api-key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 32, "Profilarr ignores a shorter PROFILARR_API_KEY"
    url = f"http://{addresses['profilarr']}:6868/api/v1/arr"
    status, body = to_container(url)                             # (a redirect to the setup page is followed)
    assert not (status == 200 and body.lstrip().startswith("[")), "not without the key"
    status, body = to_container(url, headers={"X-Api-Key": key})
    assert status == 200, body
    (radarr,) = json.loads(body)                                 # never a second instance
    assert (radarr["name"], radarr["type"], radarr["url"], radarr["enabled"]) == \
        ("Radarr", "radarr", f"http://{addresses['radarr']}:7878", 1)
    assert "api_key" not in radarr


def test_the_self_test_run_alone_passes_every_chapter(hostvars):
    stats = run_layer("verify.yml")
    assert stats["failures"] == 0 and stats["changed"] == 0, stats["failed_tasks"] or stats["_output"]
    table = stats["results"]["verify : Print the summary"]["msg"]
    rows = table[:-1]
    assert table[-1] == "%d of %d checks passed" % (len(rows), len(rows)), table
    assert all(re.match(r"ch\.[1-5] (PASS|WARN) ", row) for row in rows), table
    assert sorted({row[3] for row in rows}) == ["1", "2", "3", "4", "5"], table
    assert [row for row in rows if " WARN " in row] == [], table
    for row in ("ch.2 PASS Radarr has Prowlarr's indexers: 1 indexer(s): Lab tracker",
                "ch.1 PASS Caddy serves https://requests.media.example.org (Seerr)",
                "ch.1 PASS Caddy serves https://jellyfin.media.example.org (Jellyfin)",
                "ch.3 PASS Radarr reaches qBittorrent", "ch.3 PASS qBittorrent's only way out is the tunnel (tun0)",
                "ch.4 PASS Downloads and library are one file system", "ch.5 PASS Radarr reaches Jellyfin",
                "ch.2 PASS Seerr reaches Radarr", "ch.2 PASS Prowlarr reaches Radarr"):
        assert any(r.startswith(row) for r in rows), (row, table)
    # The probe left nothing behind.
    media = Path(hostvars["storage_mount_path"])
    assert not list(media.rglob(".mediastack-verify-probe")), list(media.rglob(".mediastack-verify-probe"))


def test_the_wiring_keeps_what_it_does_not_manage_unless_purge_is_asked_and_a_noop_only_reads(api, client):
    stray = run_layer(str(Path(__file__).resolve().parents[2] / "stray.yml"))
    assert stray["failures"] == 0 and stray["changed"] == 2, stray["failed_tasks"] or stray["_output"]

    def names() -> tuple[list, list]:
        return (sorted(n["name"] for n in api("radarr", "/api/v3/notification")),
                sorted(c["name"] for c in api("prowlarr", "/api/v1/downloadclient")))

    time.sleep(1.5)                   # the stand-ins print what they answered once a second: stray.yml's first
    began = time.time()
    kept = run_layer("wire.yml")
    assert kept["failures"] == 0 and kept["changed"] == 0, kept["failed_tasks"] or kept["_output"]
    time.sleep(1.5)                   # the stand-ins print the requests they answered once a second
    asked = {app: requests_in_log(client.containers.get(app).logs(since=began).decode(errors="replace"))
             for app in LOGGED_APPS}
    assert names() == (["Jellyfin", "Stray webhook"], ["Stray qBittorrent", "qBittorrent"])
    # That run changed nothing: it must have asked only reads (logins and connection tests are not writes).
    writes = {app: [(m, p) for m, p, _, write in found if write] for app, found in asked.items()}
    assert not any(writes.values()), writes
    assert all(asked.values()), asked           # every app was really asked (the log works)
    (phases.report_path().parent / "wire-noop.json").write_text(json.dumps(
        {app: dict(Counter(m for m, *_ in found)) for app, found in asked.items()}) + "\n")
    purged = run_layer("wire.yml", {"mediastack_purge": True})
    assert purged["failures"] == 0 and purged["changed"] == 2, purged["failed_tasks"] or purged["_output"]
    assert names() == (["Jellyfin"], ["qBittorrent"])


def test_a_movie_requested_through_caddy_reaches_radarr_as_the_wiring_set_it_up(api, seerr_key, pebble_root, hostvars,
                                                                                role_default):
    """The request's first hop, from a phone in the lab's internet: Seerr behind Caddy takes the request and sends
    it to the Radarr server wire.yml gave it (its key, profile and root folder); Radarr adds the movie with its
    search queued."""
    site = f"https://requests.{hostvars['mediastack_domain']}"
    answer = edge_lab.fetch("sg", site + "/api/v1/request", pebble_root, headers={"X-Api-Key": seerr_key},
                            json_body={"mediaType": "movie", "mediaId": INCEPTION})
    assert answer.status == 201, (answer.status, answer.body[:500], answer.error)
    request = json.loads(answer.body)
    assert request["status"] == 2, request                      # approved: the key acts as the administrator
    profile = by_name(api("radarr", "/api/v3/qualityprofile"), role_default("seerr", "seerr_radarr_quality_profile"))
    movies = [m for m in api("radarr", "/api/v3/movie") if m["tmdbId"] == INCEPTION]
    assert len(movies) == 1, movies
    movie = movies[0]
    assert (movie["title"], movie["qualityProfileId"], movie["rootFolderPath"], movie["monitored"]) == \
        ("Inception", profile["id"], role_default("seerr", "seerr_radarr_root_folder"), True)
    assert movie["path"] == movie["rootFolderPath"] + "/Inception (2010)"
    assert [c["name"] for c in api("radarr", "/api/v3/command")] == ["MoviesSearch"]
    key = {"X-Api-Key": seerr_key}
    stored = api("seerr", "/api/v1/request/%d" % request["id"], key)
    assert stored["status"] == 2 and stored["media"]["externalServiceId"] == movie["id"], stored


def test_radarrs_search_grabs_the_lab_release_into_qbittorrent_with_its_category(api, container, hostvars):
    """The next hops: Radarr's search asks the indexer Prowlarr synced (Prowlarr asks the lab site through
    FlareSolverr) and hands the release to qBittorrent at Gluetun's address with its category, which saves it under
    the category's path. The download itself needs a tunnel to the lab swarm, which the Gluetun stand-in does not
    have (issue 10: the real Gluetun); tests/test_download_hops.py takes the request on from there with the real
    qBittorrent: the swarm, the hardlink import and Jellyfin's listing."""
    deadline = time.monotonic() + 120
    while True:
        (search,) = [c for c in api("radarr", "/api/v3/command") if c["name"] == "MoviesSearch"]
        if search["status"] == "completed" or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert (search["status"], search.get("message")) == ("completed", "Completed: 1 of 1 movie(s) grabbed"), search
    (torrent,) = qbittorrent_get(container, hostvars, "/api/v2/torrents/info?category=radarr")
    assert (torrent["hash"], torrent["name"]) == (INCEPTION_RELEASE.info_hash, INCEPTION_RELEASE.file_name), torrent
    assert torrent["save_path"].rstrip("/") == "/media/downloads/radarr", torrent
