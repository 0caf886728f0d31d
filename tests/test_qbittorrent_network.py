"""Every qBittorrent the tests start stays on this machine: nothing but the loopback, in each real version."""
from __future__ import annotations

import os
import socket
import time

from tests.qbittorrent_server import QBittorrentServer, foreign_sockets

# The preferences that would reach other hosts, as the WebUI API reports them.
OFF = {"dht": False, "pex": False, "lsd": False, "upnp": False, "web_ui_upnp": False,
       "resolve_peer_countries": False, "add_trackers_enabled": False}


def test_only_loopback_sockets_and_no_discovery(qbittorrent: QBittorrentServer) -> None:
    qbittorrent.wait_torrent_listener()
    time.sleep(1)   # discovery (LSD multicast, UPnP) opens its sockets once the session runs
    assert qbittorrent.process
    assert foreign_sockets(qbittorrent.process.pid) == []
    prefs = qbittorrent.session().get("/api/v2/app/preferences")
    assert {k: prefs[k] for k in OFF} == OFF
    assert (prefs["current_network_interface"], prefs["current_interface_address"]) == ("lo", "127.0.0.1")
    assert prefs["listen_port"] == qbittorrent.torrent_port


def test_the_socket_check_sees_a_wildcard_socket() -> None:
    # The check must be able to fail: a socket bound to every interface (it sends nothing) is reported.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as wildcard:
        wildcard.bind(("0.0.0.0", 0))
        port = wildcard.getsockname()[1]
        assert any(":%d " % port in line for line in foreign_sockets(os.getpid()))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as loopback:
        loopback.bind(("127.0.0.1", 0))
        assert foreign_sockets(os.getpid()) == []

