"""qbittorrent_category against a real qbittorrent-nox, run through `ansible -m`."""
from __future__ import annotations

import pytest

from tests.ansible_run import run_module
from tests.qbittorrent_server import QBittorrentServer

MODULE = "qbittorrent_category"
CATEGORIES = "/api/v2/torrents/categories"


def categories(server: QBittorrentServer) -> dict:
    return server.session().get(CATEGORIES)


def test_create_then_repeat_only_reads(qbittorrent: QBittorrentServer) -> None:
    args = qbittorrent.module_args(name="radarr", save_path="/media/downloads/radarr")
    first = run_module(MODULE, args)
    assert first["changed"] and first["diff"] == {"before": {}, "after": {"name": "radarr",
                                                                          "save_path": "/media/downloads/radarr"}}
    assert categories(qbittorrent)["radarr"]["savePath"] == "/media/downloads/radarr"
    second = run_module(MODULE, args)
    assert not second["changed"]
    assert second["api_requests"] == {"POST /api/v2/auth/login": 1, "GET " + CATEGORIES: 1}


def test_save_path_is_edited_in_place_with_diff(qbittorrent: QBittorrentServer) -> None:
    qbittorrent.session().post("/api/v2/torrents/createCategory", category="radarr", savePath="/old")
    result = run_module(MODULE, qbittorrent.module_args(name="radarr", save_path="/new/"))
    assert result["changed"]
    assert result["diff"] == {"before": {"name": "radarr", "save_path": "/old"},
                              "after": {"name": "radarr", "save_path": "/new"}}
    assert "POST /api/v2/torrents/editCategory" in result["api_requests"]
    assert categories(qbittorrent)["radarr"]["savePath"] == "/new"
    # A trailing slash is the same path to qBittorrent, so the repeat is a no-op.
    assert not run_module(MODULE, qbittorrent.module_args(name="radarr", save_path="/new/"))["changed"]


@pytest.mark.parametrize("written", ["/media/downloads/radarr/", "/media//downloads/radarr",
                                     "/media/./downloads/radarr", "/media/movies/../downloads//radarr/"])
def test_a_path_qbittorrent_stores_cleaned_converges(qbittorrent: QBittorrentServer, written: str) -> None:
    first = run_module(MODULE, qbittorrent.module_args(name="radarr", save_path=written))
    assert not first["failed"] and first["changed"], first.get("msg")
    assert categories(qbittorrent)["radarr"]["savePath"] == "/media/downloads/radarr"
    assert first["category"] == {"name": "radarr", "save_path": "/media/downloads/radarr"}
    second = run_module(MODULE, qbittorrent.module_args(name="radarr", save_path=written))
    assert not second["failed"] and not second["changed"], second.get("msg")
    assert "POST /api/v2/torrents/editCategory" not in second["api_requests"]


def test_check_mode_creates_nothing(qbittorrent: QBittorrentServer) -> None:
    result = run_module(MODULE, qbittorrent.module_args(name="radarr", save_path="/x"), check=True)
    assert result["changed"] and result["diff"]["after"] == {"name": "radarr", "save_path": "/x"}
    assert categories(qbittorrent) == {}


def test_absent_removes_and_then_is_a_no_op(qbittorrent: QBittorrentServer) -> None:
    qbittorrent.session().post("/api/v2/torrents/createCategory", category="old", savePath="/old")
    check = run_module(MODULE, qbittorrent.module_args(name="old", state="absent"), check=True)
    assert check["changed"] and "old" in categories(qbittorrent)
    result = run_module(MODULE, qbittorrent.module_args(name="old", state="absent"))
    assert result["changed"] and result["diff"] == {"before": {"name": "old", "save_path": "/old"}, "after": {}}
    assert categories(qbittorrent) == {}
    assert not run_module(MODULE, qbittorrent.module_args(name="old", state="absent"))["changed"]


def test_names_are_case_sensitive(qbittorrent: QBittorrentServer) -> None:
    qbittorrent.session().post("/api/v2/torrents/createCategory", category="Radarr", savePath="/a")
    assert run_module(MODULE, qbittorrent.module_args(name="radarr", save_path="/a"))["changed"]
    assert set(categories(qbittorrent)) == {"Radarr", "radarr"}


def test_invalid_name_fails_before_any_request(qbittorrent: QBittorrentServer) -> None:
    result = run_module(MODULE, qbittorrent.module_args(name="bad//name", save_path="/x"))
    assert result["failed"] and "'bad//name' is not a valid category name" in result["msg"]
    assert categories(qbittorrent) == {}


def test_wrong_password_fails_clearly(qbittorrent: QBittorrentServer) -> None:
    args = qbittorrent.module_args(name="radarr", save_path="/x")
    args["password"] = "Zq-not-it-9"
    result = run_module(MODULE, args)
    assert result["failed"] and "login refused" in result["msg"] and qbittorrent.url in result["msg"]
    assert categories(qbittorrent) == {}
