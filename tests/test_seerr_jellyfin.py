"""seerr_jellyfin against the Seerr emulator: the first setup once (a cookie session, since the API key authenticates
nobody before it), then the Jellyfin settings and the whole set of enabled libraries."""
from __future__ import annotations

import pytest

from tests.arr_helpers import visible
from tests.seerr_helpers import (
    ADMIN,
    PASSWORD,
    PUBLIC,
    assert_no_secret_shows,
    assert_slow_start,
    known,
    ready,
    run,
    secrets,
)

MODULE = "seerr_jellyfin"
SETTINGS = "GET /api/v1/settings/jellyfin"
LIBRARY = "/api/v1/settings/jellyfin/library"
FIRST = dict(jellyfin_username=ADMIN, jellyfin_password=PASSWORD, jellyfin_hostname="jellyfin")


@pytest.fixture
def emu(seerr_emulator):
    return known(seerr_emulator)


def test_first_setup_check_then_apply_then_repeat_only_reads(emu) -> None:
    check = run(MODULE, emu, check=True, libraries=["movies", "Kids"], **FIRST)
    assert check["changed"] and check["setup_ran"] and emu.writes == [] and not emu.configured
    assert [(r.method, r.path) for r in emu.requests] == [("GET", "/api/v1/settings/public")]
    assert check["diff"] == {"before": {"configured": False}, "after": {
        "configured": True, "ip": "jellyfin", "port": 8096, "useSsl": False, "urlBase": "",
        "libraries": ["Kids", "movies"]}}

    first = run(MODULE, emu, libraries=["movies", "Kids"], **FIRST)
    assert first["changed"] and first["setup_ran"] and first["libraries"] == ["Kids", "Movies"]
    assert first["changed_keys"] == ["configured", "libraries"]
    assert [(r.method, r.path, r.query) for r in emu.requests[-4:]] == [
        ("POST", "/api/v1/auth/jellyfin", {}), ("GET", "/api/v1/settings/jellyfin", {}),
        ("GET", LIBRARY, {"sync": "true"}), ("GET", LIBRARY, {"enable": "a1,c3"})]
    assert emu.configured and [(u.id, u.username, u.admin) for u in emu.users] == [(1, ADMIN, True)]
    assert len(emu.tables.jellyfin_keys) == 1 and emu.jellyfin["ip"] == "jellyfin"
    assert {lib["name"]: lib["enabled"] for lib in emu.jellyfin["libraries"]} == {
        "Movies": True, "Shows": False, "Kids": True}

    emu.reset_log()
    again = run(MODULE, emu, libraries=["movies", "Kids"], **FIRST)
    assert not again["changed"] and not again["setup_ran"] and again["changed_keys"] == []
    assert [(r.method, r.path) for r in emu.requests] == [("GET", "/api/v1/settings/public"),
                                                          ("GET", "/api/v1/settings/jellyfin")]
    assert again["api_requests"] == {PUBLIC: 1, SETTINGS: 1} and len(emu.tables.jellyfin_keys) == 1
    for result in (check, first, again):
        assert not [s for s in secrets(emu) if s in visible(result)]


def test_without_an_api_key_it_logs_in_as_the_jellyfin_administrator(emu) -> None:
    ready(emu, ("Movies",))
    result = run(MODULE, emu, api_key=None, libraries=["Movies"], **FIRST)
    assert not result["changed"] and emu.writes == []
    assert result["api_requests"] == {PUBLIC: 1, "POST /api/v1/auth/jellyfin": 1, SETTINGS: 1}
    assert len(emu.sessions) == 1 and len(emu.tables.jellyfin_keys) == 1, "a login, not a second setup"


def test_the_whole_enabled_set_is_sent_and_settings_merged_with_a_diff(emu) -> None:
    ready(emu, ("Movies",))
    args = dict(libraries=["Shows", "kids"], external_hostname="https://tv.example.org")
    check = run(MODULE, emu, check=True, **args)
    assert check["changed"] and emu.writes == [] and emu.jellyfin["externalHostname"] == ""
    result = run(MODULE, emu, **args)
    assert result["changed"] and result["diff"] == check["diff"] == {
        "before": {"configured": True, "externalHostname": "", "port": 8096, "useSsl": False, "urlBase": "",
                   "libraries": ["Movies"]},
        "after": {"configured": True, "externalHostname": "https://tv.example.org", "port": 8096, "useSsl": False,
                  "urlBase": "", "libraries": ["Kids", "Shows"]}}
    assert result["changed_keys"] == ["externalHostname", "libraries"]
    library_calls = [r.query for r in emu.requests if r.path == LIBRARY]
    assert library_calls == [{"enable": "b2,c3"}], "one call, the whole wanted set"
    assert {lib["name"]: lib["enabled"] for lib in emu.jellyfin["libraries"]} == {
        "Movies": False, "Shows": True, "Kids": True}
    assert emu.jellyfin["externalHostname"] == "https://tv.example.org" and emu.jellyfin["ip"] == "jellyfin"
    posted = [r for r in emu.requests if r.method == "POST"]
    assert [(r.method, r.path) for r in posted] == [("POST", "/api/v1/settings/jellyfin")]
    none = run(MODULE, emu, libraries=[])
    assert none["changed"] and [r.query for r in emu.requests if r.path == LIBRARY][-1] == {}
    assert not any(lib["enabled"] for lib in emu.jellyfin["libraries"])


def test_bad_input_names_app_url_and_field(emu) -> None:
    missing = run(MODULE, emu, jellyfin_password=PASSWORD)
    assert missing["failed"] and missing["msg"] == (
        "Seerr at %s: jellyfin_hostname is required for the first setup; nothing was changed" % emu.url)
    wrong = run(MODULE, emu, **dict(FIRST, jellyfin_password="Wrong-Pass-5"))
    assert wrong["failed"] and wrong["status"] == 401 and not emu.configured
    assert wrong["msg"] == ("Seerr: POST %s/api/v1/auth/jellyfin answered HTTP 401: Jellyfin refused user 'admin': "
                            "wrong username or password (INVALID_CREDENTIALS)" % emu.url)
    emu.tables.jellyfin_users["guest"] = ("Guest-Pass-2", False)
    guest = run(MODULE, emu, **dict(FIRST, jellyfin_username="guest", jellyfin_password="Guest-Pass-2"))
    assert guest["failed"] and guest["status"] == 403 and "Jellyfin user 'guest' is not an administrator (NOT_ADMIN)" \
        in guest["msg"] and not emu.configured
    unreachable = run(MODULE, emu, **dict(FIRST, jellyfin_hostname="nowhere"))
    assert unreachable["failed"] and unreachable["status"] == 404 and "INVALID_URL" in unreachable["msg"]
    ready(emu)
    unknown = run(MODULE, emu, libraries=["Movies", "Films"])
    assert unknown["failed"] and unknown["msg"] == (
        "Seerr at %s: libraries: Jellyfin has no library 'Films'; valid: Kids, Movies, Shows; "
        "nothing was changed" % emu.url)
    assert not any(lib["enabled"] for lib in emu.jellyfin["libraries"]), "the sync kept the (empty) set"
    for result in (wrong, unknown):
        assert "Wrong-Pass-5" not in visible(result) and PASSWORD not in visible(result)


def test_a_refused_api_key_is_said_plainly(emu) -> None:
    ready(emu)
    result = run(MODULE, emu, api_key="0" * 64, libraries=["Movies"])
    assert result["failed"] and result["status"] == 403 and emu.url + "/api/v1/settings/jellyfin" in result["msg"]
    assert "forbidden: the API key or session was refused" in result["msg"] and "0" * 64 not in visible(result)


def test_secrets_never_show_even_with_vvv(emu) -> None:
    first = run(MODULE, emu, verbosity=3, libraries=["Movies"], **FIRST)
    again = run(MODULE, emu, verbosity=3, api_key=None, libraries=["Movies"], **FIRST)
    assert first["changed"] and not again["changed"] and "ESTABLISH LOCAL CONNECTION" in again["_output"]
    assert emu.sessions and emu.tables.jellyfin_keys
    assert_no_secret_shows(emu, first, again)


def test_slow_start_within_and_past_wait_timeout(emu) -> None:
    assert_slow_start(MODULE, emu, "/api/v1/settings/public", **FIRST)
    assert emu.configured
