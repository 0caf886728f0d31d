"""playbooks/apps.yml: its first play refuses a bad inventory, naming the variable, before any container task.

No Docker needed: every case stops in the validation play (changed=0, no container task reached).
"""
from __future__ import annotations

import base64

import pytest

from tests.host_helpers import playbook_run

KEY = base64.b64encode(bytes(range(32))).decode()
GOOD = {"gluetun_wireguard_private_key": KEY, "gluetun_wireguard_preshared_key": KEY,
        "gluetun_wireguard_addresses": "10.150.0.2/32", "gluetun_forwarded_port": 47123,
        "qbittorrent_webui_password": "Seeded-Pass-1", "mediastack_config_root": "/nonexistent/mediastack"}
ADDRESSES = {"jellyfin": "172.20.0.10", "seerr": "172.20.0.12", "radarr": "172.20.0.13", "gluetun": "172.20.0.14",
             "profilarr": "172.20.0.15", "prowlarr": "172.20.0.20", "flaresolverr": "172.20.0.21"}


def refused(expected: str, **changes: object) -> None:
    inputs = {**GOOD, **changes}
    result = playbook_run("playbooks/apps.yml", **{k: v for k, v in inputs.items() if v is not None})
    assert result["failures"] == 1 and result["changed"] == 0, result["_output"][-3000:]
    assert any(expected in message for message in result["failed_msgs"]), result["failed_msgs"]
    assert not any(name.startswith(("Create or update the container", "Create the media network"))
                   for name in result["task_names"]), result["task_names"]
    assert KEY not in result["_output"] and "Seeded-Pass-1" not in result["_output"]


@pytest.mark.parametrize(("changes", "expected"), [
    pytest.param({"network_service_addresses": {**ADDRESSES, "radarr": "172.21.0.13"}},
                 "network_service_addresses.radarr: 172.21.0.13 is outside network_subnet 172.20.0.0/24",
                 id="address-outside-subnet"),
    pytest.param({"network_service_addresses": {**ADDRESSES, "seerr": "172.20.0.10"}},
                 "network_service_addresses.seerr: 172.20.0.10 is already the address of"
                 " network_service_addresses.jellyfin", id="duplicate-address"),
    pytest.param({"network_service_addresses": {k: v for k, v in ADDRESSES.items() if k != "prowlarr"}},
                 "network_service_addresses needs an address for prowlarr", id="address-missing"),
])
def test_bad_addressing_is_refused(changes: dict, expected: str) -> None:
    refused(expected, **changes)


@pytest.mark.parametrize(("changes", "expected"), [
    pytest.param({"gluetun_wireguard_private_key": base64.b64encode(bytes(31)).decode()},
                 "gluetun_wireguard_private_key decodes to 31 bytes, a WireGuard key has 32", id="key-too-short"),
    pytest.param({"gluetun_wireguard_private_key": base64.b64encode(bytes(33)).decode()},
                 "gluetun_wireguard_private_key decodes to 33 bytes", id="key-too-long"),
    pytest.param({"gluetun_wireguard_private_key": "not base64 at all!" + "x" * 26},
                 "gluetun_wireguard_private_key is not base64", id="key-not-base64"),
    pytest.param({"gluetun_wireguard_preshared_key": "A" * 43},
                 "gluetun_wireguard_preshared_key is not base64", id="preshared-bad-padding"),
    pytest.param({"gluetun_wireguard_private_key": ""}, "gluetun_wireguard_private_key is empty", id="key-empty"),
    pytest.param({"gluetun_wireguard_addresses": "10.150.0.2"}, "gluetun_wireguard_addresses: '10.150.0.2' has no"
                 " prefix length", id="address-not-cidr"),
    pytest.param({"gluetun_forwarded_port": 80}, "gluetun_forwarded_port 80 is not a port", id="port-privileged"),
])
def test_bad_wireguard_settings_are_refused(changes: dict, expected: str) -> None:
    refused(expected, **changes)


@pytest.mark.parametrize(("changes", "expected"), [
    pytest.param({"gluetun_wireguard_private_key": None},
                 "missing required arguments: gluetun_wireguard_private_key", id="wireguard-key-undefined"),
    pytest.param({"qbittorrent_webui_password": "12345"},
                 "qbittorrent_webui_password must be empty (generated once and kept) or at least 6 characters",
                 id="qbittorrent-password-short"),
    pytest.param({"radarr_api_key": "short"}, "radarr_api_key must be empty (generated once) or 20 to 64",
                 id="radarr-key-malformed"),
])
def test_missing_or_bad_secrets_are_refused(changes: dict, expected: str) -> None:
    refused(expected, **changes)


def test_the_webui_is_published_on_its_own_port() -> None:
    refused("qbittorrent_published_ports must publish the WebUI on its own port",
            qbittorrent_published_ports=["127.0.0.1:28080:8080"])
