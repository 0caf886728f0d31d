"""The self-test's judgements (roles/verify/filter_plugins/verify.py) on the answers a broken stack gives: each
check fails with what it saw and the fix, and passes only on the right answer. The stack scenario runs the same
checks against the running stack (playbooks/verify.yml in converge, and after drift)."""
from __future__ import annotations

import importlib.util
from datetime import datetime
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "verify_filters", Path(__file__).resolve().parent.parent / "roles/verify/filter_plugins/verify.py")
verify = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(verify)

UPSTREAMS = {"seerr": {"path": "/api/v1/status", "key": "commitTag", "app": "Seerr"},
             "jellyfin": {"path": "/System/Info/Public", "key": "ProductName", "app": "Jellyfin"}}
SITE = {"host": "requests.example.org", "service": "seerr"}
TEST = {"chapter": 3, "what": "Radarr's qBittorrent client", "check": "Radarr reaches qBittorrent",
        "url": "http://172.20.0.13:7878/api/v3/downloadclient", "name": "qBittorrent", "fix": "run wire.yml"}


def site(**probe: object) -> dict:
    good = {"item": SITE, "reachable": True, "tls_valid": True, "error": "", "status": 200,
            "certificate": {"issuer": "R11, Let's Encrypt", "not_after": "2027-02-01T00:00:00Z", "days_left": 60},
            "json": {"commitTag": "v3.1.0"}}
    return verify.verify_site_row({**good, **probe}, UPSTREAMS, 14)


def test_a_site_passes_with_a_trusted_certificate_and_its_upstream():
    row = site()
    assert row["ok"] and "certificate from R11, Let's Encrypt until 2027-02-01" in row["seen"], row
    assert verify.verify_row(row).startswith("ch.1 PASS Caddy serves https://requests.example.org (Seerr)")


@pytest.mark.parametrize("probe, seen", [
    ({"tls_valid": False, "certificate": {}, "error": "certificate: self-signed certificate"},
     "certificate: self-signed certificate"),
    ({"certificate": {"days_left": 3, "not_after": "2026-12-04T00:00:00Z"}}, "the certificate expires in 3 days"),
    ({"json": {"ProductName": "Jellyfin Server"}}, "GET /api/v1/status answered 200, not Seerr"),
    ({"status": 502, "json": None}, "answered 502, not Seerr"),
    ({"reachable": False, "tls_valid": False, "status": 0, "error": "1.2.3.4:443: Connection refused"},
     "Connection refused"),
], ids=["untrusted", "expiring", "wrong-upstream", "bad-gateway", "unreachable"])
def test_a_site_fails_with_what_was_wrong(probe, seen):
    row = site(**probe)
    assert not row["ok"] and seen in row["seen"], row
    assert "-> fix: look at `docker logs caddy`" in verify.verify_row(row)


def test_a_connection_test_passes_only_when_the_app_says_so():
    read = {"status": 200, "json": [{"name": "qBittorrent", "id": 1}]}
    assert verify.verify_test_row(read, {"status": 200, "json": {}}, TEST)["ok"]
    failed = verify.verify_test_row(read, {"status": 400, "json": [
        {"propertyName": "Password", "errorMessage": "Authentication failure", "severity": "error"}]}, TEST)
    assert not failed["ok"] and failed["seen"] == "its test failed (HTTP 400): Authentication failure", failed
    assert verify.verify_row(failed).endswith("-> fix: run wire.yml")


def test_a_missing_item_or_unreachable_app_fails_the_connection_test():
    missing = verify.verify_test_row({"status": 200, "json": [{"name": "Transmission"}]}, {"skipped": True}, TEST)
    assert not missing["ok"] and missing["seen"] == "no qBittorrent client named qBittorrent", missing
    down = verify.verify_test_row({"status": -1, "msg": "Connection refused"}, {"skipped": True}, TEST)
    assert not down["ok"] and "no answer (Connection refused)" in down["seen"], down


def test_the_bouncer_pull_age_is_read_from_cscli():
    now = datetime(2026, 12, 1, 18, 0, 30)
    listing = '[{"name": "caddy", "last_pull": "2026-12-01T18:00:00Z"}, {"name": "other", "last_pull": ""}]'
    assert verify.verify_pull_age(listing, "caddy", now) == 30
    assert verify.verify_pull_age('[{"name": "caddy", "last_pull": ""}]', "caddy", now) == -1
    assert verify.verify_pull_age("not json", "caddy", now) == -1


def test_the_tunnel_route_and_the_vpn_status():
    assert verify.verify_route_row({"rc": 0, "stdout": "203.0.113.1 dev tun0 src 10.150.0.2"}, "tun0")["ok"]
    leak = verify.verify_route_row({"rc": 0, "stdout": "203.0.113.1 via 172.20.0.1 dev eth0"}, "tun0")
    assert not leak["ok"] and "not through tun0" in leak["seen"], leak
    item = [{"item": "/v1/vpn/status", "status": 200, "json": {"status": "running"}},
            {"item": "/v1/publicip/ip", "status": 200, "json": {"public_ip": "198.51.100.23"}}]
    assert verify.verify_gluetun_row(item, "203.0.113.7")["ok"]
    home = verify.verify_gluetun_row(item, "198.51.100.23")
    assert not home["ok"] and "sees the home address" in home["seen"], home
    stopped = verify.verify_gluetun_row([{**item[0], "json": {"status": "stopped"}}, item[1]], "203.0.113.7")
    assert not stopped["ok"] and stopped["seen"] == "the VPN is stopped", stopped


def test_indexers_missing_in_radarr_fail_and_none_at_all_warns():
    results = [{"item": {"url": "p"}, "status": 200, "json": [{"name": "1337x", "enable": True}]},
               {"item": {"url": "r"}, "status": 200, "json": [{"name": "1337x (Prowlarr)"}]}]
    assert verify.verify_indexers_row(results)["ok"]
    results[1]["json"] = []
    assert verify.verify_indexers_row(results)["seen"] == "not in Radarr: 1337x"
    results[0]["json"] = []
    none = verify.verify_indexers_row(results)
    assert none["ok"] and none["warn"] and verify.verify_row(none).startswith("ch.2 WARN"), none


def test_the_hardlink_probe_needs_one_inode_and_two_links():
    stats = [{"item": "/m/downloads/radarr/p", "stat": {"exists": True, "inode": 7, "dev": 1, "nlink": 2}},
             {"item": "/m/movies/p", "stat": {"exists": True, "inode": 7, "dev": 1, "nlink": 2}}]
    assert verify.verify_hardlink_row(stats, {}, {})["ok"]
    crossed = verify.verify_hardlink_row(stats, {"failed": True, "msg": "Invalid cross-device link"}, {})
    assert not crossed["ok"] and "Invalid cross-device link" in crossed["seen"], crossed
    copied = [stats[0], {**stats[1], "stat": {"exists": True, "inode": 9, "dev": 1, "nlink": 1}}]
    assert not verify.verify_hardlink_row(copied, {}, {})["ok"]


def test_a_library_on_the_root_folder():
    folders = {"status": 200, "json": [{"Name": "Movies", "Locations": ["/media/movies"]}]}
    assert verify.verify_library_row(folders, "/media/movies")["ok"]
    wrong = verify.verify_library_row({"status": 200, "json": [{"Name": "Films", "Locations": ["/media/films"]}]},
                                      "/media/movies")
    assert not wrong["ok"] and "no library on /media/movies" in wrong["seen"], wrong


def test_a_container_path_is_found_on_the_host_through_the_longest_mount():
    media = {"Type": "bind", "Source": "/mnt/pool01/media", "Destination": "/media"}
    ssd = {"Type": "volume", "Source": "/var/lib/docker/volumes/ssd/_data", "Destination": "/media/downloads"}
    assert verify.verify_host_path("/media/movies", {"Mounts": [media]}) == "/mnt/pool01/media/movies"
    assert verify.verify_host_path("/media/downloads/radarr", {"Mounts": [media, ssd]}) == \
        "/var/lib/docker/volumes/ssd/_data/radarr"
    assert verify.verify_host_path("/mediathek", {"Mounts": [media]}) == ""
    assert verify.verify_host_path("/media/x", {"Mounts": [{"Type": "tmpfs", "Destination": "/media"}]}) == ""


def test_radarr_must_see_the_finished_downloads_where_qbittorrent_puts_them():
    media = {"Type": "bind", "Source": "/mnt/pool01/media", "Destination": "/media"}
    elsewhere = {"Type": "bind", "Source": "/srv/media", "Destination": "/media"}

    def info(*mounts):
        return {"exists": True, "container": {"Mounts": list(mounts)}}

    assert verify.verify_mount_problem("/media/downloads/radarr", info(media), info(media)) == ""
    moved = verify.verify_mount_problem("/media/downloads/radarr", info(media), info(elsewhere))
    assert "/mnt/pool01/media/downloads/radarr in qBittorrent but /srv/media/downloads/radarr in Radarr" in moved
    assert "not mounted" in verify.verify_mount_problem("/media/downloads/radarr", info(media), info())
    assert "no host folder" in verify.verify_mount_problem("/media/downloads/radarr", info(), info(media))
    assert verify.verify_mount_problem("/media/d", {"exists": False}, info(media)) == \
        "the qBittorrent container does not exist"
    row = verify.verify_hardlink_row([{}, {}], {}, {}, "the qBittorrent container does not exist")
    assert not row["ok"] and row["seen"] == "the qBittorrent container does not exist", row
