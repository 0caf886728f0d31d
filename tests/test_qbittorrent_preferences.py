"""qbittorrent_preferences against a real qbittorrent-nox, run through `ansible -m`."""
from __future__ import annotations

import threading
import time
from pathlib import Path

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
    assert "preferences.max_active_downloads must be int" in result["msg"]
    assert qbittorrent.session().get("/api/v2/app/preferences") == before


def test_a_value_qbittorrent_refuses_is_reported(qbittorrent: QBittorrentServer) -> None:
    # qBittorrent answers 200 but keeps max_ratio at -1 while max_ratio_enabled is false.
    result = run_module(MODULE, qbittorrent.module_args(preferences={"max_ratio_enabled": False, "max_ratio": 2}))
    assert result["failed"] and "accepted but did not apply: max_ratio" in result["msg"]


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
