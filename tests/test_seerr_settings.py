"""seerr_settings against the Seerr emulator: main and network settings compared on the declared keys and posted
as the difference only (Seerr merges), and initialize once, never again."""
from __future__ import annotations

import pytest

from tests.arr_helpers import visible
from tests.seerr_helpers import PUBLIC, assert_no_secret_shows, assert_slow_start, known, ready, run, secrets

MODULE = "seerr_settings"
MAIN = "GET /api/v1/settings/main"
NETWORK = "GET /api/v1/settings/network"
WANTED = dict(application_url="https://requests.example.org", trust_proxy=True, main={"hideAvailable": "yes"})


@pytest.fixture
def emu(seerr_emulator):
    return ready(seerr_emulator)


def test_check_then_apply_then_repeat_only_reads(emu) -> None:
    check = run(MODULE, emu, check=True, **WANTED)
    assert check["changed"] and check["initialized"] and emu.writes == [] and not emu.initialized
    assert check["api_requests"] == {PUBLIC: 1, MAIN: 1, NETWORK: 1}
    assert check["diff"] == {
        "before": {"hideAvailable": False, "applicationUrl": "", "trustProxy": False, "initialized": False},
        "after": {"hideAvailable": True, "applicationUrl": "https://requests.example.org", "trustProxy": True,
                  "initialized": True}}

    first = run(MODULE, emu, **WANTED)
    assert first["changed"] and first["diff"] == check["diff"]
    assert first["changed_keys"] == ["hideAvailable", "applicationUrl", "trustProxy", "initialized"]
    posts = [(r.method, r.path) for r in emu.requests if r.method == "POST"]
    assert posts == [("POST", "/api/v1/settings/main"), ("POST", "/api/v1/settings/network"),
                     ("POST", "/api/v1/settings/initialize")], "the settings first, initialize last"
    assert emu.initialized and emu.main["applicationUrl"] == "https://requests.example.org"
    assert emu.main["hideAvailable"] is True and emu.network["trustProxy"] is True
    assert emu.main["applicationTitle"] == "Seerr", "undeclared settings keep their value"

    emu.reset_log()
    again = run(MODULE, emu, **WANTED)
    assert not again["changed"] and again["changed_keys"] == [] and emu.writes == []
    assert [(r.method, r.path) for r in emu.requests] == [("GET", "/api/v1/settings/public"),
                                                          ("GET", "/api/v1/settings/main"),
                                                          ("GET", "/api/v1/settings/network")]
    for result in (check, first, again):
        assert not [s for s in secrets(emu) if s in visible(result)]


def test_only_the_difference_is_posted_and_nested_settings_merge(emu) -> None:
    run(MODULE, emu, **WANTED)
    emu.reset_log()
    network = {"proxy": {"enabled": True, "hostname": "proxy.lan", "password": "Proxy-Pass-9"}}
    result = run(MODULE, emu, network=network, csrf_protection=False, **dict(WANTED, application_title="Requests"))
    assert result["changed"] and result["changed_keys"] == ["applicationTitle", "proxy"]
    assert emu.main["applicationTitle"] == "Requests" and emu.main["applicationUrl"] == "https://requests.example.org"
    assert emu.network["proxy"]["port"] == 8080 and emu.network["proxy"]["hostname"] == "proxy.lan", "deep merge"
    assert "POST /api/v1/settings/initialize" not in result["api_requests"], "never initialized again"
    assert "Proxy-Pass-9" not in visible(result)
    assert not run(MODULE, emu, network=network, **WANTED)["changed"]


def test_bad_input_names_app_url_and_field(emu) -> None:
    unknown = run(MODULE, emu, main={"applicationURL": "x"})
    assert unknown["failed"] and unknown["msg"].startswith(
        "Seerr at %s: /settings/main: unknown setting 'applicationURL' (did you mean 'applicationUrl'" % emu.url)
    assert "valid: " in unknown["msg"] and "applicationTitle" in unknown["msg"]
    typed = run(MODULE, emu, network={"trustProxy": "often"})
    assert typed["failed"] and "/settings/network: setting 'trustProxy' must be a boolean" in typed["msg"]
    refused = run(MODULE, emu, main={"apiKey": "f" * 64})
    assert refused["failed"] and "main: apiKey: Ansible decides the API key" in refused["msg"]
    assert "f" * 64 not in visible(refused)
    disagree = run(MODULE, emu, trust_proxy=True, network={"trustProxy": False})
    assert disagree["failed"] and "option trust_proxy and network.trustProxy disagree" in disagree["msg"]
    assert emu.writes == [] and not emu.initialized


def test_before_the_first_setup_the_api_key_is_refused(seerr_emulator) -> None:
    emu = known(seerr_emulator)
    result = run(MODULE, emu, **WANTED)
    assert result["failed"] and result["status"] == 403 and not emu.initialized
    assert result["msg"] == (
        "Seerr: GET %s/api/v1/settings/main answered HTTP 403: forbidden: the API key or session was refused "
        "(check api_key; before the first setup, seerr_jellyfin, the API key authenticates nobody)" % emu.url)
    none = run(MODULE, emu, api_key=None, **WANTED)
    assert none["failed"] and "api_key is required" in none["msg"] and emu.api_key not in visible(result)


def test_secrets_never_show_even_with_vvv(emu) -> None:
    first = run(MODULE, emu, verbosity=3, **WANTED)
    again = run(MODULE, emu, verbosity=3, **WANTED)
    assert first["changed"] and not again["changed"] and "ESTABLISH LOCAL CONNECTION" in again["_output"]
    assert_no_secret_shows(emu, first, again)


def test_slow_start_within_and_past_wait_timeout(emu) -> None:
    assert_slow_start(MODULE, emu, "/api/v1/settings/public", **WANTED)
    assert emu.initialized
