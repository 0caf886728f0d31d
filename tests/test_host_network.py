"""roles/network: bad addressing stops the run in the validation tasks, with a message naming the variable.

No Docker here: only the validation runs (the network itself is created in the VM and stack scenarios).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.host_helpers import TEST_GID, TEST_UID, playbook_run, role_run

GOOD = {"network_subnet": "172.20.0.0/24", "network_gateway": "172.20.0.1",
        "network_service_addresses": {"jellyfin": "172.20.0.10", "seerr": "172.20.0.12", "radarr": "172.20.0.13",
                                      "prowlarr": "172.20.0.20", "caddy": "172.20.0.23"}}


def with_addresses(**changes: str) -> dict:
    return {**GOOD, "network_service_addresses": {**GOOD["network_service_addresses"], **changes}}


def test_the_defaults_pass() -> None:
    result = role_run("network", "validate")
    assert (result["failures"], result["changed"]) == (0, 0), result["failed_msgs"]


@pytest.mark.parametrize(("inputs", "expected"), [
    pytest.param(with_addresses(radarr="172.20.1.13"),
                 "network_service_addresses.radarr: 172.20.1.13 is outside network_subnet 172.20.0.0/24",
                 id="address-outside"),
    pytest.param(with_addresses(caddy="172.20.0.12"),
                 "network_service_addresses.caddy: 172.20.0.12 is already the address of"
                 " network_service_addresses.seerr", id="duplicate"),
    pytest.param({**GOOD, "network_subnet": "172.20.0.0/33"},
                 "network_subnet: '172.20.0.0/33' is not a network in CIDR form", id="malformed-cidr"),
    pytest.param({**GOOD, "network_gateway": "172.21.0.1"},
                 "network_gateway: 172.21.0.1 is outside network_subnet 172.20.0.0/24", id="gateway-outside"),
    pytest.param(with_addresses(jellyfin="172.20.0.1"),
                 "network_service_addresses.jellyfin: 172.20.0.1 is the gateway (network_gateway)", id="gateway-taken"),
])
def test_bad_addressing_is_refused(inputs: dict, expected: str) -> None:
    result = role_run("network", "validate", **inputs)
    assert result["failures"] == 1 and result["changed"] == 0
    [message] = result["failed_msgs"]
    assert message.startswith("network: ") and expected in message, message


def test_host_playbook_stops_before_any_change(tmp_path: Path) -> None:
    """playbooks/host.yml checks every role's inputs in its first play; a bad subnet stops it there."""
    root = tmp_path / "media"
    root.mkdir()
    result = playbook_run("playbooks/host.yml", storage_mode="path", storage_mount_path=str(root),
                          mediastack_puid=TEST_UID, mediastack_pgid=TEST_GID, network_subnet="172.20.0.0/33",
                          router_notes_lan_address="192.0.2.10", router_notes_path=str(tmp_path / "notes.md"))
    assert result["failures"] == 1 and result["changed"] == 0
    assert any("network_subnet: '172.20.0.0/33'" in message for message in result["failed_msgs"])
    assert "Install base packages (Debian)" not in result["task_names"]
    assert list(root.iterdir()) == [] and not (tmp_path / "notes.md").exists()
