"""The request's third to fifth hops in the lab (issue 11): Radarr searches the indexer Prowlarr synced into it,
grabs the lab release, hands it to a real qBittorrent (5.1, as the stack deploys) with its category, which
downloads it from the lab swarm (the tracker site's /announce and a second real qBittorrent seeding the release);
Radarr imports the finished file by hardlink into the movie's folder and tells Jellyfin, which lists the movie.

Every hop uses only what the modules configured (the wiring of wire.yml, run here module by module): a wrong
download client port, hardlinks off or a revoked Jellyfin key break (or change) exactly the hop that uses them. Both
qBittorrents stay on the loopback (DHT, PeX, LSD and UPnP off; the fixture fails a test on any other socket).
"""
from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
import yaml

from tests.ansible_run import REPO, run_module
from tests.arr_helpers import api, run
from tests.emulators.connectors import Upload, multipart
from tests.emulators.fixtures import started
from tests.emulators.jellyfin import JellyfinEmulator
from tests.emulators.server import ArrEmulator
from tests.jellyfin_helpers import ready as jellyfin_ready
from tests.jellyfin_helpers import run as jellyfin_run
from tests.lab.tracker_site import INCEPTION_RELEASE, TrackerSite
from tests.qbittorrent_server import QBittorrentServer, free_port
from tests.test_indexer_hops import add_flaresolverr, add_lab_indexer, link_radarr

INCEPTION = 27205
CATEGORY = "radarr"
ROLE_SESSION_OPTIONS = {"Session\\DefaultSavePath", "Session\\TempPath", "Session\\TempPathEnabled",
                        "Session\\DisableAutoTMMByDefault"}
BENCH = REPO / "build" / "bench"
SWARM_WAIT = 90.0               # seconds: the seeder's first announce, a 3 MiB download on the loopback


@pytest.fixture
def media(tmp_path: Path) -> Path:
    """The media file system as every container sees it (/media): downloads and movies on one file system."""
    root = tmp_path / "media"
    for sub in ("downloads/incomplete", "downloads/radarr", "movies"):
        (root / sub).mkdir(parents=True)
    return root


def wait_until(what: str, check, timeout: float = SWARM_WAIT, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(every)


@pytest.fixture
def seeder(tmp_path: Path, tracker: TrackerSite) -> Iterator[QBittorrentServer]:
    """A peer of the lab swarm with the whole release (Debian's 4.5), announced to the tracker before the test."""
    server = QBittorrentServer(tmp_path / "seeder", version="4.5")
    server.start()
    data = tmp_path / "seeded"
    data.mkdir()
    (data / INCEPTION_RELEASE.file_name).write_bytes(INCEPTION_RELEASE.content())
    session = server.session()
    body, kind = multipart({"savepath": str(data)},
                           Upload("torrents", "lab.torrent", INCEPTION_RELEASE.torrent(f"{tracker.url}/announce")))
    request = urllib.request.Request(server.url + "/api/v2/torrents/add", data=body, headers={"Content-Type": kind},
                                     method="POST")
    with session.opener.open(request, timeout=10) as answer:
        assert answer.read().decode().strip() == "Ok."
    wait_until("seeder in the swarm", lambda: tracker.seeders(INCEPTION_RELEASE.info_hash))
    yield server
    server.stop()


def role_session_settings(media: Path) -> str:
    """The [BitTorrent] lines roles/qbittorrent seeds for the paths and the torrent management mode, with this
    test's /media."""
    settings = yaml.safe_load((REPO / "roles/qbittorrent/vars/main.yml").read_text())["__qbittorrent_settings"]
    values = {"qbittorrent_save_path": str(media / "downloads"),
              "qbittorrent_temp_path": str(media / "downloads/incomplete")}
    return "\n".join(f"{s['option']}={jinja2.Template(str(s['value'])).render(values)}" for s in settings
                     if s["section"] == "BitTorrent" and s["option"] in ROLE_SESSION_OPTIONS)


@pytest.fixture
def leecher(tmp_path: Path, media: Path) -> Iterator[QBittorrentServer]:
    """The stack's qBittorrent (5.1) with the role's seeded paths and mode, its category set by the module as
    wire.yml sets it."""
    server = QBittorrentServer(tmp_path / "qbittorrent", version="5.1", session_config=role_session_settings(media))
    server.start()
    server.wait_torrent_listener()
    result = run_module("qbittorrent_category", server.module_args(name=CATEGORY,
                                                                   save_path=str(media / "downloads/radarr")))
    assert not result.get("failed"), result
    preferences = server.session().get("/api/v2/app/preferences")
    assert preferences["auto_tmm_enabled"] is True and preferences["temp_path"] == str(media / "downloads/incomplete")
    yield server
    server.stop()


@pytest.fixture
def jellyfin(jellyfin_emulator: JellyfinEmulator, media: Path) -> tuple[JellyfinEmulator, str]:
    """Jellyfin after its wizard, the Movies library on /media/movies and Radarr's API key (the modules)."""
    emu = jellyfin_ready(jellyfin_emulator)
    library = jellyfin_run("jellyfin_library", emu, name="Movies", collection_type="movies",
                           paths=[str(media / "movies")])
    assert not library.get("failed"), library
    key = jellyfin_run("jellyfin_api_key", emu, name="Radarr")
    assert not key.get("failed") and key["key"], key
    return emu, key["key"]


def wire_radarr(radarr: ArrEmulator, media: Path, qbittorrent: QBittorrentServer, jellyfin: JellyfinEmulator,
                jellyfin_key: str, qbittorrent_port: int | None = None, hardlinks: bool = True,
                client_fields: dict | None = None) -> None:
    """roles/radarr/tasks/wire.yml, module by module."""
    for module, args in (
            ("radarr_root_folder", {"path": str(media / "movies")}),
            ("radarr_media_management", {"copy_using_hardlinks": hardlinks}),
            ("radarr_download_client", {"name": "qBittorrent", "implementation": "QBittorrent", "host": "127.0.0.1",
                                        "port": qbittorrent_port or qbittorrent.port, "username": "admin",
                                        "password": qbittorrent.password, "movie_category": CATEGORY,
                                        "force_save": qbittorrent_port is not None,
                                        **({"fields": client_fields} if client_fields else {})}),
            ("radarr_notification", {"name": "Jellyfin", "implementation": "MediaBrowser", "host": "127.0.0.1",
                                     "port": jellyfin.port, "jellyfin_api_key": jellyfin_key, "update_library": True,
                                     "on_download": True, "on_upgrade": True, "on_rename": True,
                                     "on_movie_delete": True, "on_movie_file_delete": True})):
        result = run(module, radarr, **args)
        assert not result.get("failed"), (module, result)


@pytest.fixture
def stack(real_prowlarr, real_radarr, tracker, flaresolverr, seeder, leecher, jellyfin, media):
    """Everything wired as wire.yml wires it; the request hops from Radarr on are the test's."""
    jellyfin_emu, jellyfin_key = jellyfin
    link_radarr(real_prowlarr, real_radarr)
    add_flaresolverr(real_prowlarr, flaresolverr)
    added = add_lab_indexer(real_prowlarr, tracker)
    assert added["changed"] and not added.get("failed"), added
    real_prowlarr.wait_for_sync()
    return real_radarr, leecher, jellyfin_emu, jellyfin_key


def request_inception(radarr: ArrEmulator, media: Path) -> dict:
    """What Seerr sends for a request (tests/test_request_hops.py: Seerr's own hop to Radarr)."""
    return api(radarr, "POST", "/movie", {"tmdbId": INCEPTION, "title": "Inception", "qualityProfileId": 1,
                                          "rootFolderPath": str(media / "movies"), "monitored": True,
                                          "minimumAvailability": "released",
                                          "addOptions": {"searchForMovie": True}})


def movie_listed(jellyfin: JellyfinEmulator) -> list[dict]:
    return [m for m in jellyfin.movies() if m.get("ProviderIds", {}).get("Tmdb") == str(INCEPTION)]


def record_hop_times(radarr: ArrEmulator, started: float, listed_at: float) -> None:
    """Each hop's time for `make bench` (build/bench/request-hops.json); printed, never asserted."""
    said = radarr.downloads.when
    marks = [("search and grab", said("Grabbed ")),
             ("download from the swarm", said(INCEPTION_RELEASE.title + " completed")),
             ("import by hardlink", said("Imported ")), ("Jellyfin told and listing", listed_at)]
    figures, last = {}, started
    for hop, at in marks:
        figures[hop] = round(at - last, 2)
        last = at
    figures["total"] = round(listed_at - started, 2)
    BENCH.mkdir(parents=True, exist_ok=True)
    (BENCH / "request-hops.json").write_text(json.dumps(figures) + "\n")
    print("request hops:", figures)


def test_a_request_travels_from_radarr_through_the_swarm_into_jellyfin(stack, tracker, media) -> None:
    radarr, qbittorrent, jellyfin, jellyfin_key = stack
    wire_radarr(radarr, media, qbittorrent, jellyfin, jellyfin_key)
    started = time.monotonic()
    movie = request_inception(radarr, media)
    listed = wait_until("movie in Jellyfin", lambda: movie_listed(jellyfin))
    listed_at = time.monotonic()
    log = radarr.downloads.log
    record_hop_times(radarr, started, listed_at)

    # Search: through Prowlarr's synced indexer, which went through FlareSolverr to the protected site.
    assert any(line.startswith("Indexer Lab tracker (Prowlarr): 1 release(s)") for line in log), log
    assert any(r.path == "/api" and r.query.get("t") == "movie" and r.cleared for r in tracker.requests)
    # Grab: into qBittorrent with Radarr's category, saved under the category's path, complete.
    (torrent,) = qbittorrent.session().get("/api/v2/torrents/info?category=" + CATEGORY)
    assert torrent["hash"] == INCEPTION_RELEASE.info_hash and torrent["progress"] == 1
    assert Path(torrent["save_path"]) == media / "downloads/radarr"
    # The swarm: the leecher announced and got the bytes from the seeder (nothing else exists to give them).
    peers = tracker.peers[INCEPTION_RELEASE.info_hash]
    assert len(peers) == 2 and all(p.address == "127.0.0.1" for p in peers.values())
    downloaded = media / "downloads/radarr" / INCEPTION_RELEASE.file_name
    assert downloaded.read_bytes() == INCEPTION_RELEASE.content()
    # Atomic move: the movie's file is the download's inode, one file's bytes on disk.
    imported = media / "movies/Inception (2010)" / INCEPTION_RELEASE.file_name
    assert imported.stat().st_ino == downloaded.stat().st_ino and imported.stat().st_nlink == 2
    assert any(line.endswith("by hardlink") for line in log), log
    stored = api(radarr, "GET", f"/movie/{movie['id']}")
    assert stored["hasFile"] is True and stored["movieFile"]["path"] == str(imported)
    assert stored["sizeOnDisk"] == INCEPTION_RELEASE.size
    # Premiere: Jellyfin was told of the movie's folder with Radarr's key and lists the file.
    assert [u["Updates"] for u in jellyfin.updates] == [[{"Path": str(imported.parent), "UpdateType": "Created"}]]
    assert jellyfin.updates[0]["token"] == jellyfin_key
    (item,) = listed
    assert item["Name"] == "Inception" and item["ProductionYear"] == 2010 and item["Path"] == str(imported)
    (command,) = [c for c in api(radarr, "GET", "/command") if c["name"] == "MoviesSearch"]
    assert command["status"] == "completed"


def test_with_hardlinks_off_radarr_copies_and_the_bytes_are_on_disk_twice(stack, media) -> None:
    radarr, qbittorrent, jellyfin, jellyfin_key = stack
    wire_radarr(radarr, media, qbittorrent, jellyfin, jellyfin_key, hardlinks=False)
    request_inception(radarr, media)
    wait_until("movie in Jellyfin", lambda: movie_listed(jellyfin))
    downloaded = media / "downloads/radarr" / INCEPTION_RELEASE.file_name
    imported = media / "movies/Inception (2010)" / INCEPTION_RELEASE.file_name
    assert imported.read_bytes() == downloaded.read_bytes()
    assert imported.stat().st_ino != downloaded.stat().st_ino and downloaded.stat().st_nlink == 1
    assert any(line.endswith("by copy") for line in radarr.downloads.log), radarr.downloads.log


def test_a_wrong_download_client_port_stops_the_grab_and_nothing_downloads(stack, media) -> None:
    radarr, qbittorrent, jellyfin, jellyfin_key = stack
    nobody = free_port()
    wire_radarr(radarr, media, qbittorrent, jellyfin, jellyfin_key, qbittorrent_port=nobody)
    request_inception(radarr, media)
    radarr.downloads.wait(lambda: any(c["name"] == "MoviesSearch" and c["status"] == "completed"
                                      for c in radarr.state.items("command")))
    assert any(line.startswith(f"Grab of {INCEPTION_RELEASE.title} failed: qBittorrent: Failed to connect")
               for line in radarr.downloads.log), radarr.downloads.log
    assert qbittorrent.session().get("/api/v2/torrents/info") == []
    assert list((media / "movies").iterdir()) == [] and jellyfin.updates == []


def test_a_revoked_jellyfin_key_leaves_the_import_done_and_jellyfin_unaware(stack, media) -> None:
    radarr, qbittorrent, jellyfin, jellyfin_key = stack
    wire_radarr(radarr, media, qbittorrent, jellyfin, jellyfin_key)
    jellyfin.keys = [k for k in jellyfin.keys if k["AccessToken"] != jellyfin_key]
    movie = request_inception(radarr, media)
    radarr.downloads.wait(lambda: any("unable to update the library" in line for line in radarr.downloads.log))
    assert any(line.startswith("Jellyfin: unable to update the library: HTTP request failed: [401:Unauthorized]")
               for line in radarr.downloads.log), radarr.downloads.log
    assert api(radarr, "GET", f"/movie/{movie['id']}")["hasFile"] is True
    jellyfin.wait_for_scans(5)
    assert jellyfin.updates == [] and movie_listed(jellyfin) == []
    assert os.path.exists(media / "movies/Inception (2010)" / INCEPTION_RELEASE.file_name)


def test_a_radarr_restarted_on_its_saved_state_follows_the_download_and_imports_it(stack, media, tmp_path) -> None:
    """The stand-in keeps Radarr's state in its volume: a new container finds the grabbed download and follows it
    (the torrent is added stopped, Radarr's "Stop" initial state, so it cannot finish before the restart)."""
    radarr, qbittorrent, jellyfin, jellyfin_key = stack
    wire_radarr(radarr, media, qbittorrent, jellyfin, jellyfin_key, client_fields={"initialState": 2})
    saved = tmp_path / "radarr-state.json"
    radarr.persist(saved)
    request_inception(radarr, media)
    radarr.downloads.wait(lambda: any(d["status"] == "downloading" for d in radarr.state.items("download")))
    wait_until("the torrent added stopped", lambda: [t for t in qbittorrent.session().get("/api/v2/torrents/info")
                                                     if t["state"] in ("stoppedDL", "pausedDL")])
    radarr.stop()
    assert '"downloading"' in saved.read_text(), "the grab is in the saved state"
    again = started(lambda: ArrEmulator("radarr", connect="real"))
    restarted = next(again)
    try:
        restarted.persist(saved)
        assert api(restarted, "GET", "/movie")[0]["hasFile"] is False, "it answers while it follows"
        qbittorrent.session().post("/api/v2/torrents/start", hashes=INCEPTION_RELEASE.info_hash)
        restarted.downloads.wait(lambda: restarted.state.items("download")[0]["status"] == "imported")
        wait_until("movie in Jellyfin", lambda: movie_listed(jellyfin))
        assert api(restarted, "GET", "/movie")[0]["hasFile"] is True
    finally:
        next(again, None)
