"""The host roles' filter plugins as plain functions: the arithmetic and address logic behind the asserts."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from ansible.errors import AnsibleFilterError

ROLES = Path(__file__).resolve().parent.parent / "roles"


def plugin(role: str, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROLES / role / "filter_plugins" / (name + ".py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


storage = plugin("storage", "storage_size")
network = plugin("network", "network_checks")

GIB = 1024**3
EXTENT = 4 * 1024**2
DEFAULT_ADDRESSES = {"jellyfin": "172.20.0.10", "seerr": "172.20.0.12", "radarr": "172.20.0.13",
                     "gluetun": "172.20.0.14", "prowlarr": "172.20.0.20", "caddy": "172.20.0.23"}


@pytest.mark.parametrize(("size", "expected"), [
    ("50G", 50 * GIB), ("50g", 50 * GIB), ("1.5T", 1536 * GIB), ("512", 512 * 1024**2),
    ("10m", 12 * 1024**2),  # rounded up to whole 4 MiB extents, like lvcreate
    ("2048s", 1024**2 * 4), ("100%VG", 100 * GIB), ("50%PVS", 50 * GIB), ("100%FREE", None),
])
def test_storage_size_bytes(size: str, expected: int | None) -> None:
    assert storage.storage_size_error(size) == ""
    assert storage.storage_size_bytes(size, 100 * GIB, EXTENT) == expected


@pytest.mark.parametrize("size", ["50X", "0G", "0", "150%VG", "0%VG", "100%ORIGIN", "-10G", "+10G", "", "G", "1,5G"])
def test_storage_size_error(size: str) -> None:
    assert storage.storage_size_error(size) != ""
    with pytest.raises(AnsibleFilterError, match="storage_lvm_size"):
        storage.storage_size_bytes(size)


def test_network_defaults_are_clean() -> None:
    assert network.network_problems("172.20.0.0/24", "172.20.0.1", DEFAULT_ADDRESSES) == []


@pytest.mark.parametrize(("subnet", "gateway", "changes", "expected"), [
    ("172.20.0.0/24", "172.20.0.1", {"caddy": "172.20.1.23"},
     "network_service_addresses.caddy: 172.20.1.23 is outside network_subnet 172.20.0.0/24"),
    ("172.20.0.0/24", "172.20.0.1", {"radarr": "172.20.0.10"},
     "network_service_addresses.radarr: 172.20.0.10 is already the address of network_service_addresses.jellyfin"),
    ("172.20.0.0/24", "172.20.0.1", {"seerr": "172.20.0.1"},
     "network_service_addresses.seerr: 172.20.0.1 is the gateway (network_gateway)"),
    ("172.20.0.0/24", "172.20.0.1", {"seerr": "172.20.0.255"},
     "network_service_addresses.seerr: 172.20.0.255 is the network or broadcast address"),
    ("172.20.0.0/24", "172.20.0.1", {"seerr": "172.20.0.300"},
     "network_service_addresses.seerr: '172.20.0.300' is not an IP address"),
    ("172.20.0.0/33", "172.20.0.1", {}, "network_subnet: '172.20.0.0/33' is not a network in CIDR form"),
    ("172.20.0.5/24", "172.20.0.1", {}, "has host bits set"),
    ("172.20.0.0", "172.20.0.1", {}, "network_subnet: '172.20.0.0' has no prefix length"),
    ("172.20.0.0/24", "172.21.0.1", {}, "network_gateway: 172.21.0.1 is outside network_subnet 172.20.0.0/24"),
    ("172.20.0.0/24", "gateway", {}, "network_gateway: 'gateway' is not an IP address"),
])
def test_network_problems(subnet: str, gateway: str, changes: dict, expected: str) -> None:
    problems = network.network_problems(subnet, gateway, {**DEFAULT_ADDRESSES, **changes})
    assert any(expected in problem for problem in problems), problems


def test_network_problems_names_a_non_mapping() -> None:
    assert network.network_problems("172.20.0.0/24", "172.20.0.1", ["172.20.0.10"]) == [
        "network_service_addresses: must be a mapping of service name to address, got ['172.20.0.10']"]
