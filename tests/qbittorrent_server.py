"""A real qbittorrent-nox on 127.0.0.1, its WebUI password seeded with our PBKDF2 filter, kept off the network.

Two real versions: 4.5 is this machine's Debian package (bookworm); 5.1 is Debian trixie's, run from a
debootstrap root file system (built once per machine under ~/.cache, by its inputs) through that root's own
dynamic loader and libraries, so no chroot, mount or container is needed.
"""
from __future__ import annotations

import hashlib
import http.cookiejar
import ipaddress
import json
import os
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
from tests.standins.builder import debian_mirror

sys.path.insert(0, str(REPO / "filter_plugins"))
from qbittorrent_password import qbittorrent_password_hash  # noqa: E402

USERNAME = "admin"
PASSWORD = "Correct-Horse-7"
# The 4.x line of Debian bookworm and the 5.x line of trixie (the role deploys 5.1).
VERSIONS = ("4.5", "5.1")
TRIXIE_SUITE = "trixie"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mediastack-qbittorrent"


def qbittorrent_command(version: str) -> tuple[list[str], dict[str, str]]:
    """How to start qbittorrent-nox of `version`: the command and the environment it needs."""
    if version == "4.5":
        binary = shutil.which("qbittorrent-nox")
        if not binary:
            raise RuntimeError("qbittorrent-nox is not installed: `make test` installs it (apt-get install "
                               "qbittorrent-nox); the qBittorrent module tests need the real program")
        return [binary], {}
    root = trixie_root()
    loader = next(root.glob("usr/lib/*-linux-gnu/ld-linux*.so.*"))
    libs = [str(d) for pattern in ("usr/lib/*-linux-gnu", "usr/lib/*-linux-gnu/libproxy") for d in root.glob(pattern)]
    plugins = next(root.glob("usr/lib/*-linux-gnu/qt6/plugins"))
    return ([str(loader), "--library-path", ":".join(libs), str(root / "usr/bin/qbittorrent-nox")],
            {"QT_PLUGIN_PATH": str(plugins)})


def trixie_root() -> Path:
    """Debian trixie's qbittorrent-nox (5.1) in a debootstrap root, built once per mirror and recipe."""
    mirror = debian_mirror()   # the host's apt source, never written in the repo
    inputs = json.dumps({"suite": TRIXIE_SUITE, "variant": "minbase", "include": ["qbittorrent-nox"],
                         "mirror": mirror}, sort_keys=True)
    root = CACHE / ("%s-%s" % (TRIXIE_SUITE, hashlib.sha256(inputs.encode()).hexdigest()[:12]))
    if (root / "usr/bin/qbittorrent-nox").exists():
        return root
    CACHE.mkdir(parents=True, exist_ok=True)
    building = Path(str(root) + ".building-%d" % os.getpid())
    shutil.rmtree(building, ignore_errors=True)
    result = subprocess.run(["debootstrap", "--variant=minbase", "--include=qbittorrent-nox", TRIXIE_SUITE,
                             str(building), mirror], capture_output=True, text=True)
    if result.returncode != 0:
        shutil.rmtree(building, ignore_errors=True)
        raise RuntimeError("debootstrap of %s with qbittorrent-nox failed (%d):\n%s%s" % (
            TRIXIE_SUITE, result.returncode, result.stdout[-3000:], result.stderr[-2000:]))
    building.rename(root)
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# What keeps a test's qBittorrent on this machine (QSettings keys of 4.5 and 5.x): no DHT, PeX or local peer
# discovery (multicast on every interface), no UPnP/NAT-PMP (for the session or the WebUI), no GeoIP database
# download, no extra trackers, and the BitTorrent listener bound to the loopback interface only.
LAB_SAFE_SETTINGS = {
    "BitTorrent": ["Session\\DHTEnabled=false", "Session\\PeXEnabled=false", "Session\\LSDEnabled=false",
                   "Session\\AddTrackersEnabled=false", "Session\\AnnounceToAllTrackers=false",
                   "Session\\Interface=lo", "Session\\InterfaceName=lo", "Session\\InterfaceAddress=127.0.0.1"],
    "Network": ["PortForwardingEnabled=false"],
    "Preferences": ["Connection\\ResolvePeerCountries=false", "WebUI\\UseUPnP=false"],
}


def listening_config(port: int, torrent_port: int, extra: str = "", session: str = "") -> str:
    """What makes qbittorrent-nox start unattended on 127.0.0.1:port, lab-safe (credentials are seeded apart);
    `extra` goes to [Preferences], `session` to [BitTorrent]."""
    sections = {"LegalNotice": ["Accepted=true"],
                "BitTorrent": LAB_SAFE_SETTINGS["BitTorrent"] + ["Session\\Port=%d" % torrent_port, session],
                "Network": LAB_SAFE_SETTINGS["Network"],
                "Preferences": LAB_SAFE_SETTINGS["Preferences"] + [
                    "WebUI\\Enabled=true", "WebUI\\Address=127.0.0.1", "WebUI\\Port=%d" % port,
                    "WebUI\\LocalHostAuth=true", extra]}
    return "\n".join("[%s]\n%s\n" % (name, "\n".join(lines)) for name, lines in sections.items())


def foreign_sockets(pid: int) -> list[str]:
    """The sockets of process `pid` (from `ss`) bound to, or connected to, anything but the loopback."""
    listing = subprocess.run(["ss", "-tunapH"], capture_output=True, text=True, check=True).stdout
    foreign = []
    for line in listing.splitlines():
        if "pid=%d," % pid not in line:
            continue
        proto, _state, _recv, _send, local, peer = line.split()[:6]
        for address in (local, peer):
            host, port = address.rsplit(":", 1)
            if address is peer and port == "*":
                continue
            if not is_loopback(host):
                foreign.append("%s %s -> %s" % (proto, local, peer))
                break
    return foreign


def is_loopback(host: str) -> bool:
    host = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False   # "*", or a name: a wildcard is not the loopback


def credentials_config(password: str) -> str:
    return "WebUI\\Username=%s\nWebUI\\Password_PBKDF2=\"%s\"" % (USERNAME, qbittorrent_password_hash(password))


class QBittorrentServer:
    """One qbittorrent-nox process with its own profile directory."""

    def __init__(self, root: Path, password: str = PASSWORD, extra_config: str = "", seed: bool = True,
                 version: str = VERSIONS[0], session_config: str = "") -> None:
        self.version = version
        self.command, self.command_env = qbittorrent_command(version)
        self.root = root
        self.port = free_port()
        self.torrent_port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.password = password
        self.conf = root / "qBittorrent" / "config" / "qBittorrent.conf"
        self.conf.parent.mkdir(parents=True, exist_ok=True)
        if seed:
            extra_config = credentials_config(password) + "\n" + extra_config
        self.conf.write_text(listening_config(self.port, self.torrent_port, extra_config, session_config))
        self.process: Optional[subprocess.Popen] = None

    def start(self, wait: bool = True) -> None:
        self.process = subprocess.Popen(
            [*self.command, "--profile=%s" % self.root], stdin=subprocess.DEVNULL,
            stdout=(self.root / "stdout.log").open("w"), stderr=subprocess.STDOUT,
            env={"HOME": str(self.root), "PATH": "/usr/bin:/bin", **self.command_env})
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

    def wait_torrent_listener(self, timeout: float = 30) -> None:
        """Until the BitTorrent session listens (it starts after the WebUI)."""
        assert self.process
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            listing = subprocess.run(["ss", "-tlnpH"], capture_output=True, text=True, check=True).stdout
            if any("pid=%d," % self.process.pid in line and ":%d " % self.torrent_port in line
                   for line in listing.splitlines()):
                return
            time.sleep(0.2)
        raise RuntimeError("qbittorrent-nox's session did not listen on port %d within %ss"
                           % (self.torrent_port, timeout))

    def stop(self) -> None:
        """Stop it, then fail if it had a socket off the loopback (every test's qBittorrent is checked)."""
        if self.process and self.process.poll() is None:
            leaks = foreign_sockets(self.process.pid)
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            assert not leaks, "qBittorrent %s had sockets off the loopback: %s" % (self.version, leaks)

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


@pytest.fixture(params=VERSIONS)
def qbittorrent(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[QBittorrentServer]:
    """A fresh qBittorrent for one test, in each real version: its own profile, ports and seeded password."""
    server = QBittorrentServer(tmp_path / "qbt", version=request.param)
    server.start()
    yield server
    server.stop()
