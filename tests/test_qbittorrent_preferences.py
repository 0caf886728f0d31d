"""qbittorrent_preferences against a real qbittorrent-nox, run through `ansible -m`."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from tests.ansible_run import run_module
from tests.qbittorrent_server import PASSWORD, QBittorrentServer, free_port

MODULE = "qbittorrent_preferences"
LOGIN = "POST /api/v2/auth/login"
READ = "GET /api/v2/app/preferences"
WRITE = "POST /api/v2/app/setPreferences"


def wanted(tmp_path: Path) -> dict:
    return {"temp_path_enabled": True, "temp_path": str(tmp_path / "incomplete"), "save_path": str(tmp_path / "done"),
            "max_active_downloads": 7}


def test_first_run_changes_second_only_reads(qbittorrent: QBittorrentServer, tmp_path: Path) -> None:
    prefs = wanted(tmp_path)
    first = run_module(MODULE, qbittorrent.module_args(preferences=prefs))
    assert not first["failed"], first["msg"]
    assert first["changed"]
    assert first["api_requests"] == {LOGIN: 1, READ: 2, WRITE: 1}  # the second read proves it took effect
    server = qbittorrent.session().get("/api/v2/app/preferences")
    assert {k: server[k] for k in prefs} == {**prefs, "save_path": prefs["save_path"].rstrip("/")}

    second = run_module(MODULE, qbittorrent.module_args(preferences=prefs))
    assert not second["failed"] and not second["changed"]
    assert second["api_requests"] == {LOGIN: 1, READ: 1}
    assert second["changed_keys"] == []


def test_change_reports_a_diff_of_declared_keys_only(qbittorrent: QBittorrentServer) -> None:
    before = qbittorrent.session().get("/api/v2/app/preferences")
    result = run_module(MODULE, qbittorrent.module_args(preferences={"max_active_downloads": 9, "dht": before["dht"]}))
    assert result["changed"] and result["changed_keys"] == ["max_active_downloads"]
    assert result["diff"] == {"before": {"max_active_downloads": before["max_active_downloads"]},
                              "after": {"max_active_downloads": 9}}


def test_check_mode_leaves_the_server_untouched(qbittorrent: QBittorrentServer, tmp_path: Path) -> None:
    before = qbittorrent.session().get("/api/v2/app/preferences")
    result = run_module(MODULE, qbittorrent.module_args(preferences=wanted(tmp_path)), check=True)
    assert result["changed"] and WRITE not in result["api_requests"]
    assert result["diff"]["after"]["temp_path_enabled"] is True
    assert qbittorrent.session().get("/api/v2/app/preferences") == before


def test_templated_strings_convert_to_the_servers_types(qbittorrent: QBittorrentServer) -> None:
    result = run_module(MODULE, qbittorrent.module_args(preferences={"max_active_downloads": "4", "dht": "false"}))
    assert result["changed"], result.get("msg")
    server = qbittorrent.session().get("/api/v2/app/preferences")
    assert server["max_active_downloads"] == 4 and server["dht"] is False


def test_unknown_key_fails_and_changes_nothing(qbittorrent: QBittorrentServer) -> None:
    before = qbittorrent.session().get("/api/v2/app/preferences")
    result = run_module(MODULE, qbittorrent.module_args(preferences={"max_active_downloads": 3, "temp_pth": "/x"}))
    assert result["failed"] and not result["changed"]
    assert "qBittorrent at %s" % qbittorrent.url in result["msg"]
    assert "temp_pth (did you mean temp_path" in result["msg"]
    assert qbittorrent.session().get("/api/v2/app/preferences") == before


def test_wrong_type_fails_and_changes_nothing(qbittorrent: QBittorrentServer) -> None:
    before = qbittorrent.session().get("/api/v2/app/preferences")
    result = run_module(MODULE, qbittorrent.module_args(preferences={"dht": False, "max_active_downloads": "many"}))
    assert result["failed"] and not result["changed"]
    assert "preferences.max_active_downloads must be a whole number like the server's 3, got 'many'" in result["msg"]
    assert qbittorrent.session().get("/api/v2/app/preferences") == before


def test_a_value_qbittorrent_refuses_is_reported(qbittorrent: QBittorrentServer) -> None:
    # No switch, no range in the API: qBittorrent answers 200 and stores -1 ("unlimited") for any negative.
    result = run_module(MODULE, qbittorrent.module_args(preferences={"max_connec": -5}))
    assert result["failed"] and "accepted but did not apply: max_connec (sent -5, now -1)" in result["msg"]


def test_wrong_password_fails_after_one_attempt(qbittorrent: QBittorrentServer) -> None:
    args = qbittorrent.module_args(preferences={"dht": False})
    args["password"] = "Zq-not-it-9"
    result = run_module(MODULE, args)
    assert result["failed"] and not result["changed"]
    assert "login refused for user 'admin'" in result["msg"] and qbittorrent.url in result["msg"]
    assert "Zq-not-it-9" not in result["_output"]


def test_banned_address_fails_without_another_login(tmp_path: Path) -> None:
    server = QBittorrentServer(tmp_path / "qbt", extra_config="WebUI\\MaxAuthenticationFailCount=1")
    server.start()
    try:
        bad = server.module_args(preferences={"dht": False})
        bad["password"] = "Zq-not-it-9"
        assert run_module(MODULE, bad)["failed"]
        result = run_module(MODULE, server.module_args(preferences={"dht": False}))
        assert result["failed"] and "banned after too many failed logins" in result["msg"]
        assert result["status"] == 403
    finally:
        server.stop()


def test_unreachable_url_fails_clearly() -> None:
    url = "http://127.0.0.1:%d" % free_port()
    result = run_module(MODULE, {"url": url, "password": PASSWORD, "wait_timeout": 1, "preferences": {"dht": True}})
    assert result["failed"]
    assert result["msg"].startswith("qBittorrent: POST %s/api/v2/auth/login failed: not ready within" % url)
    assert "Connection refused" in result["msg"]


def test_waits_for_a_qbittorrent_that_is_still_starting(tmp_path: Path) -> None:
    server = QBittorrentServer(tmp_path / "qbt")
    starter = threading.Timer(2.0, server.start, kwargs={"wait": False})
    starter.start()
    try:
        began = time.monotonic()
        result = run_module(MODULE, server.module_args(preferences={"dht": False}, wait_timeout=30))
        assert not result["failed"], result["msg"]
        assert time.monotonic() - began >= 2.0
    finally:
        starter.join()
        server.stop()


def test_password_change_is_masked_and_takes_effect(qbittorrent: QBittorrentServer) -> None:
    new = "Brand-New-Pass-42"
    result = run_module(MODULE, qbittorrent.module_args(preferences={"web_ui_password": new}))
    assert result["changed"]
    assert result["diff"]["after"] == {"web_ui_password": "********"}
    assert new not in result["_output"] and PASSWORD not in result["_output"]
    assert qbittorrent.session(password=new).login_answer == "Ok."
    again = run_module(MODULE, {**qbittorrent.module_args(preferences={"web_ui_password": new}), "password": new})
    assert not again["changed"]


def prefs(server: QBittorrentServer) -> dict:
    return server.session().get("/api/v2/app/preferences")


def converges(server: QBittorrentServer, declared: dict, expected: dict) -> dict:
    """The first run changes and reaches `expected` on the server; the second only reads."""
    first = run_module(MODULE, server.module_args(preferences=declared))
    assert not first["failed"] and first["changed"], first.get("msg")
    now = prefs(server)
    assert {k: now[k] for k in expected} == expected
    second = run_module(MODULE, server.module_args(preferences=declared))
    assert not second["failed"] and not second["changed"], second.get("msg")
    assert second["api_requests"] == {LOGIN: 1, READ: 1}
    return first


def test_a_fractional_ratio_is_taken(qbittorrent: QBittorrentServer) -> None:
    first = converges(qbittorrent, {"max_ratio_enabled": True, "max_ratio": 1.5},
                      {"max_ratio_enabled": True, "max_ratio": 1.5})
    assert first["diff"] == {"before": {"max_ratio_enabled": False, "max_ratio": -1},
                             "after": {"max_ratio_enabled": True, "max_ratio": 1.5}}
    # A whole ratio is written 2 by qBittorrent's JSON; a templated string converts too.
    converges(qbittorrent, {"max_ratio": "2"}, {"max_ratio": 2})
    converges(qbittorrent, {"max_ratio": 0.25}, {"max_ratio": 0.25})


@pytest.mark.parametrize("declared, expected", [
    # Each limit declared without its switch: the switch goes along, the limit is enabled.
    ({"max_ratio": 1.5}, {"max_ratio_enabled": True, "max_ratio": 1.5}),
    ({"max_seeding_time": 120}, {"max_seeding_time_enabled": True, "max_seeding_time": 120}),
    # A negative limit means "no limit".
    ({"max_seeding_time": -1}, {"max_seeding_time_enabled": False, "max_seeding_time": -1}),
    # Each half of a schedule time alone: the other half keeps its value (8:00 to 20:00 by default).
    ({"schedule_from_hour": 6}, {"schedule_from_hour": 6, "schedule_from_min": 0}),
    ({"schedule_from_min": 45}, {"schedule_from_hour": 8, "schedule_from_min": 45}),
    ({"schedule_to_hour": 23}, {"schedule_to_hour": 23, "schedule_to_min": 0}),
    ({"schedule_to_min": 30}, {"schedule_to_hour": 20, "schedule_to_min": 30}),
])
def test_one_side_of_a_linked_pair_reaches_its_state(qbittorrent: QBittorrentServer, declared: dict,
                                                     expected: dict) -> None:
    if declared.get("max_seeding_time") == -1:
        qbittorrent.session().post("/api/v2/app/setPreferences", json=json.dumps(
            {"max_seeding_time_enabled": True, "max_seeding_time": 60}))
    converges(qbittorrent, declared, expected)


def test_a_switch_alone_turns_an_enabled_limit_off_and_keeps_a_set_one(qbittorrent: QBittorrentServer) -> None:
    qbittorrent.session().post("/api/v2/app/setPreferences", json=json.dumps(
        {"max_ratio_enabled": True, "max_ratio": 3, "max_seeding_time_enabled": True, "max_seeding_time": 90}))
    converges(qbittorrent, {"max_ratio_enabled": False}, {"max_ratio_enabled": False, "max_ratio": -1})
    # Only the limit changes: the switch (already on) still goes along, or qBittorrent would ignore the limit.
    converges(qbittorrent, {"max_seeding_time": 30}, {"max_seeding_time_enabled": True, "max_seeding_time": 30})
    assert not run_module(MODULE, qbittorrent.module_args(preferences={"max_seeding_time_enabled": True}))["changed"]


@pytest.mark.parametrize("declared, problem", [
    ({"max_ratio_enabled": False, "max_ratio": 2},
     "preferences.max_ratio is kept only while max_ratio_enabled is true"),
    ({"max_seeding_time_enabled": True}, "preferences.max_seeding_time_enabled: true needs max_seeding_time"),
    ({"max_ratio_enabled": True, "max_ratio": -1}, "preferences.max_ratio must be 0 or more"),
    ({"random_port": True, "listen_port": 6881}, "preferences.random_port: true contradicts listen_port 6881"),
    ({"schedule_from_hour": 24}, "preferences.schedule_from_hour must be between 0 and 23, got 24"),
    ({"listen_port": 70000}, "preferences.listen_port must be between 0 and 65535"),
    ({"max_active_downloads": 2.5}, "preferences.max_active_downloads must be a whole number, got 2.5"),
    ({"torrent_content_layout": "subfolder"}, "preferences.torrent_content_layout must be one of Original, "
                                              "Subfolder, NoSubfolder (case matters), got 'subfolder'"),
    ({"banned_IPs": "203.0.113.9\nnot-an-ip"}, "preferences.banned_IPs: not IP addresses (qBittorrent would "
                                               "drop them): not-an-ip"),
    ({"bypass_auth_subnet_whitelist": "10.0.0.0/8, 300.1.0.0/16"}, "not subnets (qBittorrent would drop "
                                                                   "them): 300.1.0.0/16"),
    ({"announce_ip": "example.org"}, "preferences.announce_ip must be an IP address or empty"),
    ({"current_interface_name": "tun0"}, "preferences.current_interface_name is derived by qBittorrent; set "
                                         "current_network_interface instead"),
    ({"scan_dirs": {"/srv/watch": 7}}, "preferences.scan_dirs: each watched folder maps to 0"),
    ({"dht": False, "web_ui_address": True}, "preferences.web_ui_address must be a string like the server's "
                                             "'127.0.0.1', got True (quote it in YAML)"),
])
def test_a_state_qbittorrent_cannot_store_fails_before_any_write(qbittorrent: QBittorrentServer, declared: dict,
                                                                 problem: str) -> None:
    before = prefs(qbittorrent)
    result = run_module(MODULE, qbittorrent.module_args(preferences=declared))
    assert result["failed"] and not result["changed"]
    assert problem in result["msg"] and result["msg"].endswith("nothing was changed")
    assert WRITE not in result.get("api_requests", {})
    assert prefs(qbittorrent) == before


def test_proxy_settings_follow_the_servers_version(qbittorrent: QBittorrentServer) -> None:
    if qbittorrent.version == "4.5":
        # 4.x numbers the proxy types and derives authentication from the type.
        refused = run_module(MODULE, qbittorrent.module_args(preferences={"proxy_auth_enabled": True}))
        assert refused["failed"]
        assert "proxy_auth_enabled is derived by qBittorrent 4.x from proxy_type" in refused["msg"]
        named = run_module(MODULE, qbittorrent.module_args(preferences={"proxy_type": "SOCKS5"}))
        assert named["failed"] and "preferences.proxy_type must be a whole number like the server's 0" in named["msg"]
        converges(qbittorrent, {"proxy_type": 4, "proxy_ip": "127.0.0.1", "proxy_port": "1080"},
                  {"proxy_type": 4, "proxy_auth_enabled": True, "proxy_port": 1080})
    else:
        refused = run_module(MODULE, qbittorrent.module_args(preferences={"proxy_type": "socks5"}))
        assert refused["failed"]
        assert "preferences.proxy_type must be one of None, HTTP, SOCKS5, SOCKS4" in refused["msg"]
        converges(qbittorrent, {"proxy_type": "SOCKS5", "proxy_auth_enabled": True, "proxy_ip": "127.0.0.1"},
                  {"proxy_type": "SOCKS5", "proxy_auth_enabled": True})


def test_every_problem_is_reported_at_once(qbittorrent: QBittorrentServer) -> None:
    result = run_module(MODULE, qbittorrent.module_args(preferences={
        "max_active_downloads": "many", "schedule_to_min": 61, "temp_path_enable": False, "max_ratio_enabled": True}))
    assert result["failed"] and len(result["problems"]) == 4, result["problems"]
    assert "temp_path_enable (did you mean temp_path_enabled" in result["msg"]


@pytest.mark.parametrize("written", ["{root}/done/", "{root}//done", "{root}/./done", "{root}/x/../done/"])
def test_a_path_qbittorrent_stores_cleaned_converges(qbittorrent: QBittorrentServer, tmp_path: Path,
                                                     written: str) -> None:
    path = written.format(root=tmp_path)
    first = converges(qbittorrent, {"save_path": path, "temp_path": path + "/incomplete/"},
                      {"save_path": str(tmp_path / "done"), "temp_path": str(tmp_path / "done" / "incomplete")})
    assert first["diff"]["after"]["save_path"] == str(tmp_path / "done")


def test_watched_folders_are_the_whole_declared_set(qbittorrent: QBittorrentServer, tmp_path: Path) -> None:
    watch, other, into = (tmp_path / name for name in ("watch", "other", "into"))
    for folder in (watch, other, into):
        folder.mkdir()
    converges(qbittorrent, {"scan_dirs": {str(watch) + "/": 0, str(other): str(into)}},
              {"scan_dirs": {str(watch): 0, str(other): str(into)}})
    reduced = converges(qbittorrent, {"scan_dirs": {str(watch): 0}}, {"scan_dirs": {str(watch): 0}})
    assert reduced["diff"]["before"]["scan_dirs"] == {str(watch): 0, str(other): str(into)}
    converges(qbittorrent, {"scan_dirs": {}}, {"scan_dirs": {}})


def test_lists_compare_as_qbittorrent_stores_them(qbittorrent: QBittorrentServer) -> None:
    # Sorted, unique, IPv6 in RFC 5952 form; subnets parsed; a YAML list joined with newlines.
    converges(qbittorrent, {"banned_IPs": ["203.0.113.9", "2001:DB8:0:0::7", "198.51.100.1", "203.0.113.9"]},
              {"banned_IPs": "198.51.100.1\n2001:db8::7\n203.0.113.9"})
    first = converges(qbittorrent, {"bypass_auth_subnet_whitelist_enabled": True,
                                    "bypass_auth_subnet_whitelist": "10.0.0.0/8, 192.168.1.0/24"},
                      {"bypass_auth_subnet_whitelist_enabled": True})
    assert set(prefs(qbittorrent)["bypass_auth_subnet_whitelist"].split("\n")) == {"10.0.0.0/8", "192.168.1.0/24"}
    assert first["changed_keys"] == ["bypass_auth_subnet_whitelist_enabled", "bypass_auth_subnet_whitelist"]
    converges(qbittorrent, {"announce_ip": " 2001:DB8::1 "}, {"announce_ip": "2001:db8::1"})


def test_random_port_is_sent_as_listen_port_zero(qbittorrent: QBittorrentServer) -> None:
    converges(qbittorrent, {"random_port": True}, {"random_port": True, "listen_port": 0})
    converges(qbittorrent, {"random_port": False, "listen_port": qbittorrent.torrent_port},
              {"random_port": False, "listen_port": qbittorrent.torrent_port})


def test_numeric_secrets_are_taken_and_never_printed(qbittorrent: QBittorrentServer) -> None:
    declared = {"proxy_password": 12345678, "web_ui_password": 87654321}
    result = run_module(MODULE, qbittorrent.module_args(preferences=declared), verbosity=3)
    assert not result["failed"] and result["changed"], result.get("msg")
    assert result["diff"]["after"] == {"proxy_password": "********", "web_ui_password": "********"}
    assert "12345678" not in result["_output"] and "87654321" not in result["_output"]
    assert qbittorrent.session(password="87654321").login_answer == "Ok."
    assert qbittorrent.session(password="87654321").get("/api/v2/app/preferences")["proxy_password"] == "12345678"
    again = run_module(MODULE, {**qbittorrent.module_args(preferences=declared), "password": 87654321},
                       verbosity=3)
    assert not again["failed"] and not again["changed"], again.get("msg")
    assert "12345678" not in again["_output"] and "87654321" not in again["_output"]


def test_a_type_error_shows_neither_the_stored_nor_the_declared_secret(qbittorrent: QBittorrentServer) -> None:
    stored = "Stored-Proxy-Secret-77"
    qbittorrent.session().post("/api/v2/app/setPreferences", json=json.dumps({"proxy_password": stored}))
    for wrong in (31415.9265, ["Listed-Secret-55"], {"Mapped-Secret": 1}):
        result = run_module(MODULE, qbittorrent.module_args(preferences={"proxy_password": wrong}), verbosity=3)
        assert result["failed"] and "preferences.proxy_password must be a string" in result["msg"]
        assert "not shown: secret" in result["msg"]
        for secret in (stored, "31415.9265", "Listed-Secret-55", "Mapped-Secret"):
            assert secret not in result["_output"], secret
    assert prefs(qbittorrent)["proxy_password"] == stored



def test_declaring_every_key_as_it_is_changes_nothing(qbittorrent: QBittorrentServer) -> None:
    # Every key the version reports, in the server's own JSON types: each compares equal to itself as
    # qBittorrent stores it (paths, lists, addresses, numbers written as integers), so nothing is written.
    current = prefs(qbittorrent)
    derived = {"current_interface_name", "add_trackers_url_list"}
    if qbittorrent.version == "4.5":
        derived.add("proxy_auth_enabled")
    declared = {k: v for k, v in current.items() if k not in derived}
    assert len(declared) > 150
    result = run_module(MODULE, qbittorrent.module_args(preferences=declared))
    assert not result["failed"] and not result["changed"], result.get("msg")
    assert result["api_requests"] == {LOGIN: 1, READ: 1}
