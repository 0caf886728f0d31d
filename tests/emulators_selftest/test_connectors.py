"""The real connection tests of the stand-ins (ArrEmulator(connect="real")): each against the real program where
it runs here (qbittorrent-nox) and an emulator or the stand-in's own code otherwise. All on 127.0.0.1."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.emulators import ArrEmulator
from tests.emulators.fixtures import started
from tests.emulators.jellyfin import JellyfinEmulator
from tests.emulators_selftest.client import call, messages, template
from tests.qbittorrent_server import USERNAME, QBittorrentServer, free_port

IMAGES = Path(__file__).resolve().parents[1] / "standins" / "images"
running = contextmanager(started)


def nobody() -> tuple[str, int]:
    """An address on the loopback where nothing listens."""
    return "127.0.0.1", free_port()


class Recorder(ThreadingHTTPServer):
    """A local server answering every request with `status` (and `Location`), keeping what it received."""

    daemon_threads = True

    def __init__(self, status: int = 200, location: str | None = None) -> None:
        self.seen: list[tuple[str, str]] = []
        self.status, self.location = status, location
        super().__init__(("127.0.0.1", 0), _RecorderHandler)
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RecorderHandler(BaseHTTPRequestHandler):
    server: Recorder

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append((self.command, self.path))
        self.send_response(self.server.status)
        if self.server.location:
            self.send_header("Location", self.server.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@contextmanager
def recorder(status: int = 200, location: str | None = None) -> Iterator[Recorder]:
    server = Recorder(status, location)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# -- the switch ----------------------------------------------------------------------------------------------------


def test_in_process_emulators_keep_the_tables_and_the_mode_is_checked(radarr_emulator: ArrEmulator) -> None:
    host, port = nobody()
    body = template(radarr_emulator, "downloadclient", "QBittorrent", "qbt", host=host, port=port)
    assert call(radarr_emulator, "POST", "/downloadclient/test", body).status == 200, "table mode connects nowhere"
    with pytest.raises(ValueError, match="connect must be one of"):
        ArrEmulator("radarr", connect="maybe")


def test_a_result_set_by_a_test_still_wins_in_real_mode(real_radarr: ArrEmulator) -> None:
    real_radarr.set_test_result("notification", ["Unable to send test message"])
    body = template(real_radarr, "notification", "MediaBrowser", "jf", host="127.0.0.1", apiKey="k" * 32)
    assert messages(call(real_radarr, "POST", "/notification/test", body)) == [("", "Unable to send test message")]


def test_an_implementation_without_a_connector_passes(real_radarr: ArrEmulator) -> None:
    body = template(real_radarr, "notification", "Webhook", "hook", url="http://127.0.0.1:9/")
    assert call(real_radarr, "POST", "/notification/test", body).status == 200


# -- qBittorrent ---------------------------------------------------------------------------------------------------


def qbt_client(emu: ArrEmulator, qbt: QBittorrentServer, password: str | None = None, **values: Any) -> dict:
    return template(emu, "downloadclient", "QBittorrent", "qBittorrent", host="127.0.0.1", port=qbt.port,
                    username=USERNAME, password=qbt.password if password is None else password, **values)


def test_radarr_qbittorrent_logs_in_and_creates_a_missing_category(real_radarr: ArrEmulator,
                                                                   qbittorrent: QBittorrentServer) -> None:
    assert "radarr-movies" not in qbittorrent.session().get("/api/v2/torrents/categories")
    body = qbt_client(real_radarr, qbittorrent, movieCategory="radarr-movies")
    assert call(real_radarr, "POST", "/downloadclient/test", body).status == 200
    assert "radarr-movies" in qbittorrent.session().get("/api/v2/torrents/categories"), "created, as Radarr does"
    assert call(real_radarr, "POST", "/downloadclient", body).status == 201, "the test on save passes too"


def test_radarr_qbittorrent_wrong_password_is_an_authentication_failure(real_radarr: ArrEmulator,
                                                                         qbittorrent: QBittorrentServer) -> None:
    refused = call(real_radarr, "POST", "/downloadclient", qbt_client(real_radarr, qbittorrent, "Wrong-Pass-1"))
    assert refused.status == 400 and messages(refused) == [("Username", "Authentication Failure")]
    assert refused.json[0]["detailedDescription"].startswith("Please verify your username and password.")
    assert real_radarr.items("downloadclient") == []


def test_radarr_qbittorrent_warns_without_a_category_and_refuses_removal_at_ratio(
        real_radarr: ArrEmulator, qbittorrent: QBittorrentServer) -> None:
    warned = call(real_radarr, "POST", "/downloadclient/test", qbt_client(real_radarr, qbittorrent, movieCategory=""))
    assert messages(warned) == [("MovieCategory", "Category is recommended")] and warned.json[0]["isWarning"]
    qbittorrent.session().post("/api/v2/app/setPreferences",
                               json='{"max_ratio_enabled": true, "max_ratio": 1.0, "max_ratio_act": 1}')
    removes = call(real_radarr, "POST", "/downloadclient/test", qbt_client(real_radarr, qbittorrent))
    assert messages(removes) == [
        ("", "qBittorrent is configured to remove torrents when they reach their Share Ratio Limit")]


def test_radarr_qbittorrent_unreachable(real_radarr: ArrEmulator) -> None:
    host, port = nobody()
    body = template(real_radarr, "downloadclient", "QBittorrent", "qbt", host=host, port=port)
    refused = call(real_radarr, "POST", "/downloadclient/test", body)
    assert messages(refused) == [("Host", "Unable to connect to qBittorrent")]
    assert refused.json[0]["detailedDescription"] == "Failed to connect to qBittorrent, check your settings."


def test_prowlarr_qbittorrent_right_and_wrong_password(real_prowlarr: ArrEmulator,
                                                       qbittorrent: QBittorrentServer) -> None:
    body = qbt_client(real_prowlarr, qbittorrent)
    assert call(real_prowlarr, "POST", "/downloadclient", body).status == 201
    assert "prowlarr" in qbittorrent.session().get("/api/v2/torrents/categories")
    wrong = call(real_prowlarr, "POST", "/downloadclient/test", qbt_client(real_prowlarr, qbittorrent, "Nope-1"))
    assert messages(wrong) == [("Username", "Authentication failure")]


# -- Prowlarr's Radarr application ---------------------------------------------------------------------------------


def radarr_app(prowlarr: ArrEmulator, base_url: str, api_key: str) -> dict:
    return template(prowlarr, "applications", "Radarr", "Radarr", prowlarrUrl="http://127.0.0.1:9696",
                    baseUrl=base_url, apiKey=api_key)


def test_prowlarr_radarr_application_right_and_wrong_key(real_prowlarr: ArrEmulator,
                                                         radarr_emulator: ArrEmulator) -> None:
    radarr = radarr_emulator
    assert call(real_prowlarr, "POST", "/applications", radarr_app(real_prowlarr, radarr.url, radarr.api_key)).status \
        == 201
    assert [(r.method, r.path, r.status) for r in radarr.requests] == [
        ("GET", "/api/v3/indexer/schema", 200), ("POST", "/api/v3/indexer/test", 200)]
    assert radarr.items("indexer") == [], "a test saves nothing"
    wrong = call(real_prowlarr, "POST", "/applications/test", radarr_app(real_prowlarr, radarr.url, "0" * 32))
    assert messages(wrong) == [("ApiKey", "API Key is invalid")]


def test_prowlarr_radarr_application_unreachable_or_redirected(real_prowlarr: ArrEmulator) -> None:
    host, port = nobody()
    down = call(real_prowlarr, "POST", "/applications/test", radarr_app(real_prowlarr, f"http://{host}:{port}", "k"))
    assert messages(down)[0][0] == "BaseUrl"
    assert messages(down)[0][1].startswith("Unable to complete application test, cannot connect to Radarr.")
    # A redirect is not followed: the connector talks only to the address the provider names.
    with recorder() as elsewhere, recorder(307, elsewhere.url + "/radarr") as radarr:
        moved = call(real_prowlarr, "POST", "/applications/test", radarr_app(real_prowlarr, radarr.url, "k"))
        assert messages(moved) == [("BaseUrl", "Radarr URL is invalid, Prowlarr cannot connect to Radarr - are you "
                                               "missing a URL base?")]
        assert radarr.seen == [("GET", "/api/v3/indexer/schema")] and elsewhere.seen == []


def test_an_http_proxy_in_the_environment_is_not_used(real_prowlarr: ArrEmulator, radarr_emulator: ArrEmulator,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with recorder() as proxy:
        monkeypatch.setenv("http_proxy", proxy.url)
        monkeypatch.setenv("no_proxy", "")
        body = radarr_app(real_prowlarr, radarr_emulator.url, radarr_emulator.api_key)
        assert call(real_prowlarr, "POST", "/applications/test", body).status == 200
        assert proxy.seen == []


# -- Emby / Jellyfin -----------------------------------------------------------------------------------------------


@pytest.fixture
def jellyfin() -> Iterator[JellyfinEmulator]:
    emu = JellyfinEmulator()
    emu.complete_wizard()
    with emu:
        yield emu
    # Radarr posts to /Notifications/Admin, which Jellyfin 10.11 (and its document) does not have.
    assert set(emu.violations) <= {"POST /Notifications/Admin: request: PathNotFound: Path not found for "
                                   "http://localhost/Notifications/Admin"}


def jellyfin_notification(radarr: ArrEmulator, port: int, key: str) -> dict:
    return template(radarr, "notification", "MediaBrowser", "Jellyfin", host="127.0.0.1", port=port, apiKey=key,
                    onDownload=True)


def test_media_browser_with_a_key_jellyfin_issued_passes(real_radarr: ArrEmulator,
                                                         jellyfin: JellyfinEmulator) -> None:
    body = jellyfin_notification(real_radarr, jellyfin.port, jellyfin.add_key("radarr"))
    assert call(real_radarr, "POST", "/notification", body).status == 201
    assert [(r.method, r.path, r.status) for r in jellyfin.requests] == [("POST", "/Notifications/Admin", 404)]


def test_media_browser_with_an_unknown_key_or_no_server_fails(real_radarr: ArrEmulator,
                                                              jellyfin: JellyfinEmulator) -> None:
    jellyfin.add_key("radarr")
    wrong = call(real_radarr, "POST", "/notification", jellyfin_notification(real_radarr, jellyfin.port, "f" * 32))
    assert wrong.status == 400 and messages(wrong) == [("ApiKey", "API Key is invalid")]
    _, port = nobody()
    down = call(real_radarr, "POST", "/notification/test", jellyfin_notification(real_radarr, port, "f" * 32))
    assert messages(down) == [("Host", f"Unable to send test message: Connection refused (127.0.0.1:{port})")]


# -- FlareSolverr --------------------------------------------------------------------------------------------------


def flaresolverr_proxy(prowlarr: ArrEmulator, host: str) -> dict:
    tag = call(prowlarr, "POST", "/tag", {"label": "flaresolverr"}).json
    return template(prowlarr, "indexerproxy", "FlareSolverr", "FlareSolverr", host=host, tags=[tag["id"]])


def test_flaresolverr_is_asked_something_it_answers_without_the_internet(
        real_prowlarr: ArrEmulator, flaresolverr_standin: tuple[str, list[Any]]) -> None:
    url, seen = flaresolverr_standin
    assert call(real_prowlarr, "POST", "/indexerproxy", flaresolverr_proxy(real_prowlarr, url)).status == 201
    assert seen == [{"cmd": "sessions.list"}], "never request.get: that would fetch from the internet"


def test_flaresolverr_unreachable_or_failing(real_prowlarr: ArrEmulator) -> None:
    host, port = nobody()
    down = call(real_prowlarr, "POST", "/indexerproxy/test", flaresolverr_proxy(real_prowlarr, f"http://{host}:{port}"))
    assert messages(down) == [("Host", f"Unable to connect to proxy: Connection refused (127.0.0.1:{port}). Check "
                                       "the log surrounding this error for details")]
    with recorder(500) as broken:
        failing = call(real_prowlarr, "POST", "/indexerproxy/test", dict(flaresolverr_proxy(real_prowlarr, broken.url),
                                                                         name="other"))
    assert messages(failing)[0][1].startswith("Unable to connect to proxy: HTTP request failed: "
                                              "[500:InternalServerError] [POST]")
