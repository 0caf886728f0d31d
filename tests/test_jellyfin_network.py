"""jellyfin_network against the Jellyfin emulator: read the document, compare declared keys, write the merged whole."""
from __future__ import annotations

import pytest

from tests.arr_helpers import visible
from tests.jellyfin_helpers import LOGIN, PASSWORD, ready, run

MODULE = "jellyfin_network"
GET = "GET /System/Configuration/network"
POST = "POST /System/Configuration/network"
ARGS = dict(known_proxies=["172.20.0.23"], local_networks=["192.168.1.0/24", "172.20.0.0/24"], base_url="/jellyfin")


@pytest.fixture
def emu(jellyfin_emulator):
    return ready(jellyfin_emulator)


def test_check_apply_repeat(emu) -> None:
    untouched = dict(emu.network)
    check = run(MODULE, emu, check=True, **ARGS)
    assert check["changed"] and emu.writes == [] and emu.network == untouched
    assert check["diff"] == {
        "before": {"KnownProxies": [], "LocalNetworkSubnets": [], "BaseUrl": ""},
        "after": {"KnownProxies": ["172.20.0.23"], "LocalNetworkSubnets": ["192.168.1.0/24", "172.20.0.0/24"],
                  "BaseUrl": "/jellyfin"}}
    result = run(MODULE, emu, **ARGS)
    assert result["changed"] and result["diff"] == check["diff"]
    assert result["api_requests"] == {LOGIN: 1, GET: 1, POST: 1}
    assert emu.network["KnownProxies"] == ["172.20.0.23"] and emu.network["BaseUrl"] == "/jellyfin"
    assert emu.network["InternalHttpPort"] == untouched["InternalHttpPort"]

    emu.reset_log()
    again = run(MODULE, emu, **dict(ARGS, local_networks=["172.20.0.0/24", "192.168.1.0/24"]))
    assert not again["changed"] and again["changed_keys"] == [] and emu.writes == []
    assert [(r.method, r.path) for r in emu.requests] == [("POST", "/Users/AuthenticateByName"),
                                                          ("GET", "/System/Configuration/network")]
    for run_result in (check, result, again):
        assert PASSWORD not in visible(run_result)


def test_the_whole_document_is_written_so_undeclared_keys_keep_their_value(emu) -> None:
    emu.network.update(EnableIPv6=True, RemoteIPFilter=["203.0.113.0/24"], IsRemoteIPFilterBlacklist=True)
    result = run(MODULE, emu, settings={"EnableRemoteAccess": "false"})
    assert result["changed"] and result["changed_keys"] == ["EnableRemoteAccess"]
    assert emu.network["EnableRemoteAccess"] is False
    assert emu.network["EnableIPv6"] is True and emu.network["RemoteIPFilter"] == ["203.0.113.0/24"]


def test_bad_input_names_app_url_and_field(emu) -> None:
    unknown = run(MODULE, emu, settings={"KnownProxy": ["1.2.3.4"]})
    assert unknown["failed"] and unknown["msg"].startswith(
        "Jellyfin at %s: /System/Configuration/network: unknown setting 'KnownProxy' (did you mean 'KnownProxies'"
        % emu.url)
    wrong_type = run(MODULE, emu, settings={"InternalHttpPort": "eighty"})
    assert wrong_type["failed"] and "setting 'InternalHttpPort' must be an integer" in wrong_type["msg"]
    disagree = run(MODULE, emu, base_url="/a", settings={"BaseUrl": "/b"})
    assert disagree["failed"] and "option base_url and settings.BaseUrl disagree" in disagree["msg"]
    assert run(MODULE, emu)["msg"].endswith("declare at least one setting")
    assert emu.writes == []


def test_a_user_who_is_not_an_administrator_gets_a_plain_403(emu) -> None:
    emu.add_user("guest", "Guest-Pass-2", admin=False)
    emu.sessions["guest-token-0000"] = emu.users[-1].id
    result = run(MODULE, emu, password=None, api_key="guest-token-0000", **ARGS)
    assert result["failed"] and result["status"] == 403 and emu.network["KnownProxies"] == []
    assert result["msg"] == ("Jellyfin: POST %s/System/Configuration/network answered HTTP 403: forbidden: this needs "
                             "an administrator" % emu.url)
    assert "guest-token-0000" not in visible(result)


def test_secrets_never_show_even_with_vvv(emu) -> None:
    result = run(MODULE, emu, verbosity=3, settings={"CertificatePassword": "Cert-Secret-9"}, **ARGS)
    assert result["changed"] and result["diff"]["after"]["CertificatePassword"] == "********"
    assert emu.network["CertificatePassword"] == "Cert-Secret-9"
    for secret in [PASSWORD, "Cert-Secret-9", *emu.sessions]:
        assert secret not in visible(result)


def test_slow_start_within_and_past_wait_timeout(emu) -> None:
    emu.slow_start(1.5)
    assert run(MODULE, emu, wait_timeout=20, **ARGS)["changed"]
    emu.slow_start(30, mode="503")
    past = run(MODULE, emu, wait_timeout=1, **ARGS)
    assert past["failed"] and "not ready within wait_timeout=1.0s" in past["msg"] and emu.url in past["msg"]
