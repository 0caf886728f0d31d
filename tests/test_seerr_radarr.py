"""seerr_radarr against the Seerr emulator: one server by name (Seerr has no duplicate check and its PUT replaces the
whole object), the profile, folder and tags by name through Seerr's own test call, the Radarr key a secret."""
from __future__ import annotations

import pytest

from tests.arr_helpers import visible
from tests.seerr_helpers import (
    FOLDERS,
    PROFILES,
    RADARR_KEY,
    assert_no_secret_shows,
    assert_slow_start,
    ready,
    run,
    secrets,
)

MODULE = "seerr_radarr"
LIST = "GET /api/v1/settings/radarr"
TEST = "POST /api/v1/settings/radarr/test"
ARGS = dict(name="Radarr", hostname="radarr", port=7878, radarr_api_key=RADARR_KEY, quality_profile="hd-1080p",
            root_folder="/media/movies/", minimum_availability="released", is_default=True)


@pytest.fixture
def emu(seerr_emulator):
    return ready(seerr_emulator)


def test_create_check_then_apply_then_repeat_only_reads(emu) -> None:
    check = run(MODULE, emu, check=True, tags=["VPN"], **ARGS)
    assert check["changed"] and check["id"] is None and emu.writes == [] and emu.radarr == []
    assert check["api_requests"] == {LIST: 1, TEST: 1}
    after = {"name": "Radarr", "hostname": "radarr", "port": 7878, "apiKey": "********",
             "minimumAvailability": "released", "isDefault": True, "activeProfileName": "HD-1080p",
             "activeDirectory": "/media/movies", "tags": ["vpn"]}
    assert check["diff"] == {"before": {}, "after": after}

    first = run(MODULE, emu, tags=["VPN"], **ARGS)
    assert first["changed"] and first["id"] == 0 and first["diff"] == check["diff"], "ids start at 0"
    assert first["api_requests"] == {LIST: 1, TEST: 1, "POST /api/v1/settings/radarr": 1}
    (server,) = emu.radarr
    assert server == {"id": 0, "name": "Radarr", "hostname": "radarr", "port": 7878, "apiKey": RADARR_KEY,
                      "useSsl": False, "baseUrl": "", "activeProfileId": 2, "activeProfileName": "HD-1080p",
                      "activeDirectory": "/media/movies", "is4k": False, "minimumAvailability": "released",
                      "isDefault": True, "externalUrl": "", "syncEnabled": False, "preventSearch": False,
                      "tagRequests": False, "tags": [1]}

    emu.reset_log()
    again = run(MODULE, emu, **ARGS)
    assert not again["changed"] and again["id"] == 0 and again["changed_keys"] == []
    assert [(r.method, r.path) for r in emu.requests] == [("GET", "/api/v1/settings/radarr")]
    with_tags = run(MODULE, emu, tags=["vpn"], **ARGS)
    assert not with_tags["changed"] and with_tags["api_requests"] == {LIST: 1, TEST: 1}, "tags need Radarr's ids"
    assert len(emu.radarr) == 1 and emu.writes == []
    for result in (check, first, again, with_tags):
        assert not [s for s in secrets(emu) if s in visible(result)]


def test_a_change_puts_the_whole_merged_object_in_place_with_a_diff(emu) -> None:
    run(MODULE, emu, **ARGS)
    emu.radarr[0]["externalUrl"] = "https://radarr.example.org"     # set in the web UI, not declared
    emu.reset_log()
    args = dict(ARGS, name="RADARR", quality_profile="Ultra-HD", tags=["seerr", "vpn"], is_4k=False)
    check = run(MODULE, emu, check=True, **args)
    assert check["changed"] and emu.writes == [] and emu.radarr[0]["activeProfileName"] == "HD-1080p"
    result = run(MODULE, emu, **args)
    assert result["changed"] and result["diff"] == check["diff"]
    assert result["changed_keys"] == ["name", "activeProfileName", "tags"]
    assert result["diff"]["before"]["activeProfileName"] == "HD-1080p" and result["diff"]["before"]["tags"] == []
    assert result["diff"]["after"]["activeProfileName"] == "Ultra-HD"
    assert result["diff"]["after"]["tags"] == ["seerr", "vpn"]
    assert result["api_requests"] == {LIST: 1, TEST: 1, "PUT /api/v1/settings/radarr/0": 1}
    (server,) = emu.radarr
    assert server["id"] == 0 and server["name"] == "RADARR" and server["activeProfileId"] == 3
    assert server["tags"] == [1, 2] and server["externalUrl"] == "https://radarr.example.org", "merged whole"


def test_a_new_radarr_key_is_a_masked_change(emu) -> None:
    run(MODULE, emu, **ARGS)
    emu.tables.add_radarr("radarr", 7878, "1" * 32, PROFILES, FOLDERS)      # the same Radarr with a new key
    result = run(MODULE, emu, **dict(ARGS, radarr_api_key="1" * 32))
    assert result["changed"] and result["changed_keys"] == ["apiKey"] and emu.radarr[0]["apiKey"] == "1" * 32
    assert result["diff"]["before"]["apiKey"] == result["diff"]["after"]["apiKey"] == "********"
    assert TEST in result["api_requests"], "a new connection is tested before it is saved"
    assert "1" * 32 not in visible(result) and RADARR_KEY not in visible(result)


def test_absent_removes_only_that_server(emu) -> None:
    run(MODULE, emu, **ARGS)
    run(MODULE, emu, **dict(ARGS, name="Radarr 4K", is_4k=True))
    emu.reset_log()
    check = run(MODULE, emu, check=True, name="radarr", state="absent")
    assert check["changed"] and len(emu.radarr) == 2 and emu.writes == []
    gone = run(MODULE, emu, name="radarr", state="absent")
    assert gone["changed"] and gone["id"] is None and [s["name"] for s in emu.radarr] == ["Radarr 4K"]
    assert gone["api_requests"] == {LIST: 1, "DELETE /api/v1/settings/radarr/0": 1}
    assert gone["diff"] == {"before": {"name": "Radarr", "hostname": "radarr"}, "after": {}}
    assert not run(MODULE, emu, name="radarr", state="absent")["changed"]


def test_bad_input_names_app_url_and_field(emu) -> None:
    profile = run(MODULE, emu, **dict(ARGS, quality_profile="HD 1080"))
    assert profile["failed"] and profile["msg"] == (
        "Seerr at %s: Radarr server 'Radarr': quality_profile: Radarr has no profile 'HD 1080' (did you mean "
        "'HD-1080p'?); valid: Any, HD-1080p, Ultra-HD; nothing was changed" % emu.url)
    folder = run(MODULE, emu, **dict(ARGS, root_folder="/media/films"))
    assert folder["failed"] and "root_folder: Radarr has no root folder '/media/films'" in folder["msg"]
    assert "valid: /media/kids, /media/movies" in folder["msg"]
    tag = run(MODULE, emu, tags=["4k"], **ARGS)
    assert tag["failed"] and "tags: Radarr has no tag '4k'" in tag["msg"] and "valid: seerr, vpn" in tag["msg"]
    missing = run(MODULE, emu, name="Radarr", hostname="radarr")
    assert missing["failed"] and missing["msg"] == (
        "Seerr at %s: Radarr server 'Radarr': radarr_api_key is required to create it; nothing was changed" % emu.url)
    refused = run(MODULE, emu, **dict(ARGS, radarr_api_key="2" * 32))
    assert refused["failed"] and refused["status"] == 500 and refused["msg"] == (
        "Seerr: POST %s/api/v1/settings/radarr/test answered HTTP 500: Failed to connect to Radarr" % emu.url)
    assert emu.radarr == [] and emu.writes == []
    for result in (profile, folder, tag, refused):
        assert RADARR_KEY not in visible(result) and "2" * 32 not in visible(result)


def test_no_api_key_and_a_refused_one_are_said_plainly(emu) -> None:
    none = run(MODULE, emu, api_key=None, **ARGS)
    assert none["failed"] and none["msg"].startswith("Seerr at %s: api_key is required" % emu.url)
    refused = run(MODULE, emu, api_key="0" * 64, **ARGS)
    assert refused["failed"] and refused["status"] == 403 and "forbidden" in refused["msg"]


def test_secrets_never_show_even_with_vvv(emu) -> None:
    first = run(MODULE, emu, verbosity=3, **ARGS)
    again = run(MODULE, emu, verbosity=3, tags=["vpn"], **ARGS)
    assert first["changed"] and again["changed"] and "ESTABLISH LOCAL CONNECTION" in again["_output"]
    assert_no_secret_shows(emu, first, again)


def test_slow_start_within_and_past_wait_timeout(emu) -> None:
    assert_slow_start(MODULE, emu, "/api/v1/settings/radarr", **ARGS)
    assert len(emu.radarr) == 1
