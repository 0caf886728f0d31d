"""qBittorrent 5.2 answers login differently from the 4.5.2 we run for real: 204 and a cookie named
QBT_SID_<port> on success, 401 on wrong credentials (WebAPI 2.14+). Debian has no 5.x, so a stub that
speaks exactly that part of the protocol checks the modules' handling of it."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from tests.ansible_run import run_module

PASSWORD = "Five-Two-Pass"


class QBittorrent52(BaseHTTPRequestHandler):
    preferences = {"save_path": "/downloads", "dht": True}
    categories: dict = {}

    def log_message(self, *args: object) -> None:
        pass

    def answer(self, status: int, body: object = None, headers: dict | None = None) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        if not self.logged_in():
            return self.answer(403)
        if self.path == "/api/v2/app/preferences":
            return self.answer(200, self.preferences)
        if self.path == "/api/v2/torrents/categories":
            return self.answer(200, self.categories)
        return self.answer(404)

    def do_POST(self) -> None:
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
        cookie = "QBT_SID_%d" % self.server.server_address[1]
        if self.path == "/api/v2/auth/login":
            if form.get("password") != PASSWORD:
                return self.answer(401)
            return self.answer(204, headers={"Set-Cookie": "%s=abc; HttpOnly; path=/" % cookie})
        if not self.logged_in():
            return self.answer(403)
        if self.path == "/api/v2/app/setPreferences":
            self.preferences.update(json.loads(form["json"]))
        elif self.path == "/api/v2/torrents/createCategory":
            self.categories[form["category"]] = {"name": form["category"], "savePath": form["savePath"]}
        return self.answer(200)  # 5.2.3 answers these with 200 and an empty body

    def logged_in(self) -> bool:
        return "QBT_SID_%d=abc" % self.server.server_address[1] in (self.headers.get("Cookie") or "")


@pytest.fixture
def qbittorrent52() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), QBittorrent52)
    QBittorrent52.preferences = {"save_path": "/downloads", "dht": True}
    QBittorrent52.categories = {}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()


def test_preferences_with_204_login_and_port_named_cookie(qbittorrent52: str) -> None:
    args = {"url": qbittorrent52, "password": PASSWORD, "preferences": {"dht": False}}
    assert run_module("qbittorrent_preferences", args)["changed"]
    assert QBittorrent52.preferences["dht"] is False
    assert not run_module("qbittorrent_preferences", args)["changed"]


def test_category_with_5_2_answers(qbittorrent52: str) -> None:
    args = {"url": qbittorrent52, "password": PASSWORD, "name": "radarr", "save_path": "/media/downloads/radarr"}
    assert run_module("qbittorrent_category", args)["changed"]
    assert QBittorrent52.categories["radarr"]["savePath"] == "/media/downloads/radarr"


def test_401_is_a_wrong_password(qbittorrent52: str) -> None:
    result = run_module("qbittorrent_preferences", {"url": qbittorrent52, "password": "Zq-not-it-9",
                                                    "preferences": {"dht": False}})
    assert result["failed"] and result["status"] == 401 and "login refused for user 'admin'" in result["msg"]
