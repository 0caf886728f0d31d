"""jellyfin_setup against the Jellyfin emulator: the wizard once, then the declared settings through the admin API."""
from __future__ import annotations

import pytest

from tests.ansible_run import run_module
from tests.arr_helpers import visible
from tests.jellyfin_helpers import ADMIN, LOGIN, PASSWORD

MODULE = "jellyfin_setup"
INFO = "GET /System/Info/Public"
WANTED = dict(server_name="media", ui_culture="en-GB", metadata_language="de", metadata_country="DE")


def run(emu, check=False, verbosity=0, **options):
    args = dict(dict(url=emu.url, wait_timeout=5, admin_username=ADMIN, admin_password=PASSWORD), **options)
    return run_module(MODULE, args, check=check, verbosity=verbosity)


@pytest.fixture
def emu(jellyfin_emulator):
    return jellyfin_emulator


def test_wizard_check_then_run_then_repeat_only_reads(emu) -> None:
    check = run(emu, check=True, remote_access=True, **WANTED)
    assert check["changed"] and check["wizard_ran"] and emu.writes == [] and not emu.completed
    assert emu.users == [], "check mode does not call GET /Startup/User (it creates the first user)"
    assert check["api_requests"] == {INFO: 1, "GET /Startup/Configuration": 1}
    assert check["diff"] == {
        "before": {"wizard_completed": False, "ServerName": "", "UICulture": "en-US",
                   "PreferredMetadataLanguage": "en", "MetadataCountryCode": "US"},
        "after": {"wizard_completed": True, "ServerName": "media", "UICulture": "en-GB",
                  "PreferredMetadataLanguage": "de", "MetadataCountryCode": "DE", "admin_username": ADMIN,
                  "admin_password": "********", "EnableRemoteAccess": True}}

    first = run(emu, remote_access=True, **WANTED)
    assert first["changed"] and first["wizard_ran"] and first["diff"] == check["diff"]
    assert [(r.method, r.path) for r in emu.requests if r.path != "/System/Info/Public"][-6:] == [
        ("GET", "/Startup/Configuration"), ("POST", "/Startup/Configuration"), ("GET", "/Startup/User"),
        ("POST", "/Startup/User"), ("POST", "/Startup/RemoteAccess"), ("POST", "/Startup/Complete")]
    assert emu.completed and [(u.name, u.password, u.admin) for u in emu.users] == [(ADMIN, PASSWORD, True)]
    assert emu.server["ServerName"] == "media" and emu.server["MetadataCountryCode"] == "DE"
    assert emu.network["EnableRemoteAccess"] is True and emu.network["EnableUPnP"] is False

    emu.reset_log()
    again = run(emu, remote_access=True, **WANTED)
    assert not again["changed"] and not again["wizard_ran"] and emu.writes == []
    assert again["api_requests"] == {INFO: 1, LOGIN: 1, "GET /System/Configuration": 1,
                                     "GET /System/Configuration/network": 1}
    for result in (check, first, again):
        assert PASSWORD not in visible(result)


def test_after_the_wizard_declared_settings_change_through_the_admin_api(emu) -> None:
    emu.complete_wizard(ADMIN, PASSWORD, ServerName="old")
    emu.network["EnableRemoteAccess"] = False
    check = run(emu, check=True, server_name="media", remote_access=True)
    assert check["changed"] and emu.writes == [] and emu.server["ServerName"] == "old"
    result = run(emu, server_name="media", remote_access=True)
    assert result["changed"] and not result["wizard_ran"] and result["diff"] == check["diff"]
    assert result["diff"] == {"before": {"wizard_completed": True, "ServerName": "old", "EnableRemoteAccess": False},
                              "after": {"wizard_completed": True, "ServerName": "media", "EnableRemoteAccess": True}}
    assert result["changed_keys"] == ["ServerName", "EnableRemoteAccess"]
    assert {k: v for k, v in result["api_requests"].items() if k.startswith("POST /System")} == {
        "POST /System/Configuration": 1, "POST /System/Configuration/network": 1}
    assert emu.server["ServerName"] == "media" and emu.server["IsStartupWizardCompleted"] is True
    assert emu.server["UICulture"] == "en-US", "undeclared settings keep their value"


def test_a_completed_wizard_refuses_anonymous_calls(emu) -> None:
    """What the module relies on: after completion the wizard's routes need an administrator (401, empty body)."""
    emu.complete_wizard(ADMIN, PASSWORD)
    result = run(emu, admin_password="Wrong-Pass-4", server_name="x")
    assert result["failed"] and result["status"] == 401 and "login refused for user 'admin'" in result["msg"]
    assert emu.url in result["msg"] and "Wrong-Pass-4" not in visible(result) and emu.writes == []


def test_bad_input_names_app_url_and_field(emu) -> None:
    empty = run(emu, admin_password="")
    assert empty["failed"] and empty["msg"] == (
        "Jellyfin at %s: admin_password must not be empty (Jellyfin 10.11 refuses it)" % emu.url)
    assert emu.requests == []
    emu.complete_wizard(ADMIN, PASSWORD)
    emu.server.pop("UICulture")
    missing = run(emu, ui_culture="en-GB")
    assert missing["failed"] and "/System/Configuration: unknown setting 'UICulture'" in missing["msg"]


def test_secrets_never_show_even_with_vvv(emu) -> None:
    first = run(emu, verbosity=3, **WANTED)
    again = run(emu, verbosity=3, **WANTED)
    assert first["changed"] and not again["changed"] and "ESTABLISH LOCAL CONNECTION" in again["_output"]
    for result in (first, again):
        for secret in [PASSWORD, *emu.sessions]:
            assert secret not in visible(result)


def test_slow_start_within_and_past_wait_timeout(emu) -> None:
    emu.slow_start(1.5, mode="503")
    within = run(emu, wait_timeout=20, **WANTED)
    assert within["changed"] and emu.completed
    emu.slow_start(30)
    past = run(emu, wait_timeout=1, **WANTED)
    assert past["failed"] and past["msg"].startswith("Jellyfin: GET %s/System/Info/Public failed: not ready" % emu.url)
