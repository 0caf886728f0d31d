"""A real qbittorrent-nox (Debian's) on 127.0.0.1, its WebUI password seeded with our PBKDF2 filter."""
from __future__ import annotations

import http.cookiejar
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

from tests.ansible_run import REPO

sys.path.insert(0, str(REPO / "filter_plugins"))
from qbittorrent_password import qbittorrent_password_hash  # noqa: E402

USERNAME = "admin"
PASSWORD = "Correct-Horse-7"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening_config(port: int, extra: str = "") -> str:
    """What makes qbittorrent-nox start unattended on 127.0.0.1:port (credentials are seeded apart)."""
    return "\n".join(["[LegalNotice]", "Accepted=true", "", "[Preferences]", "WebUI\\Enabled=true",
                      "WebUI\\Address=127.0.0.1", "WebUI\\Port=%d" % port, "WebUI\\LocalHostAuth=true", extra, ""])


def credentials_config(password: str) -> str:
    return "WebUI\\Username=%s\nWebUI\\Password_PBKDF2=\"%s\"" % (USERNAME, qbittorrent_password_hash(password))


class QBittorrentServer:
    """One qbittorrent-nox process with its own profile directory."""

    def __init__(self, root: Path, password: str = PASSWORD, extra_config: str = "", seed: bool = True) -> None:
        self.binary = shutil.which("qbittorrent-nox")
        if not self.binary:
            raise RuntimeError("qbittorrent-nox is not installed: `make test` installs it (apt-get install "
                               "qbittorrent-nox); the qBittorrent module tests need the real program")
        self.root = root
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.password = password
        self.conf = root / "qBittorrent" / "config" / "qBittorrent.conf"
        self.conf.parent.mkdir(parents=True, exist_ok=True)
        if seed:
            extra_config = credentials_config(password) + "\n" + extra_config
        self.conf.write_text(listening_config(self.port, extra_config))
        self.process: Optional[subprocess.Popen] = None

    def start(self, wait: bool = True) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--profile=%s" % self.root], stdin=subprocess.DEVNULL,
            stdout=(self.root / "stdout.log").open("w"), stderr=subprocess.STDOUT,
            env={"HOME": str(self.root), "PATH": "/usr/bin:/bin"})
        if wait:
            self.wait_listening()

    def wait_listening(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise RuntimeError("qbittorrent-nox exited: %s" % (self.root / "stdout.log").read_text())
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("qbittorrent-nox did not listen on %s within %ss" % (self.url, timeout))

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def session(self, password: Optional[str] = None) -> WebUISession:
        return WebUISession(self.url, USERNAME, password or self.password)

    def module_args(self, **args: Any) -> dict[str, Any]:
        return {"url": self.url, "username": USERNAME, "password": self.password, "wait_timeout": 5, **args}


class WebUISession:
    """The test's own view of the server (urllib, independent of the code under test)."""

    def __init__(self, url: str, username: str, password: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.login_answer = self.post("/api/v2/auth/login", username=username, password=password)

    def post(self, path: str, **form: str) -> str:
        data = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.url + path, data=data, timeout=10) as answer:
            return answer.read().decode()

    def get(self, path: str) -> Any:
        with self.opener.open(self.url + path, timeout=10) as answer:
            return json.loads(answer.read().decode() or "null")


@pytest.fixture
def qbittorrent(tmp_path: Path) -> Iterator[QBittorrentServer]:
    """A fresh qBittorrent for one test: its own profile, port and seeded password."""
    server = QBittorrentServer(tmp_path / "qbt")
    server.start()
    yield server
    server.stop()
