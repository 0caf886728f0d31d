"""Validation of the `media` network's addressing, with Python's ipaddress (no netaddr on the controller).

ansible.utils.ipaddr ships in the `ansible` package but needs the netaddr library, which the project does not
install; one filter that returns every problem also gives one message naming each offending variable.
"""
from __future__ import annotations

import ipaddress
from difflib import get_close_matches
from typing import Any, Mapping, Optional, Union

IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]


def _address(value: Any, name: str, problems: list[str]) -> Optional[IPAddress]:
    try:
        return ipaddress.ip_address(str(value).strip())
    except ValueError:
        problems.append("%s: %r is not an IP address" % (name, value))
        return None


def _usable(address: IPAddress, network: IPNetwork, name: str, subnet_var: str, problems: list[str]) -> bool:
    if address not in network:
        problems.append("%s: %s is outside %s %s" % (name, address, subnet_var, network))
        return False
    if network.num_addresses > 2 and address in (network.network_address, network.broadcast_address):
        problems.append("%s: %s is the network or broadcast address of %s %s" % (name, address, subnet_var, network))
        return False
    return True


def network_problems(subnet: Any, gateway: Any, addresses: Mapping[str, Any],
                     subnet_var: str = "network_subnet", gateway_var: str = "network_gateway",
                     addresses_var: str = "network_service_addresses") -> list[str]:
    """Every problem with a subnet, its gateway and the services' fixed addresses; [] when all is well."""
    problems: list[str] = []
    try:
        network = ipaddress.ip_network(str(subnet).strip(), strict=True)
    except ValueError as exc:
        problems.append("%s: %r is not a network in CIDR form like 172.20.0.0/24 (%s)" % (subnet_var, subnet, exc))
        network = None
    if "/" not in str(subnet):
        problems.append("%s: %r has no prefix length (like /24)" % (subnet_var, subnet))
        network = None
    gw = _address(gateway, "%s" % gateway_var, problems)
    if network is not None and gw is not None:
        _usable(gw, network, gateway_var, subnet_var, problems)
    if not isinstance(addresses, Mapping):
        problems.append("%s: must be a mapping of service name to address, got %r" % (addresses_var, addresses))
        return problems
    owners: dict[IPAddress, str] = {}
    for service, value in addresses.items():
        name = "%s.%s" % (addresses_var, service)
        address = _address(value, name, problems)
        if address is None:
            continue
        if network is not None and not _usable(address, network, name, subnet_var, problems):
            continue
        if gw is not None and address == gw:
            problems.append("%s: %s is the gateway (%s)" % (name, address, gateway_var))
        elif address in owners:
            problems.append("%s: %s is already the address of %s.%s" % (name, address, addresses_var, owners[address]))
        else:
            owners[address] = service
    return problems


def unknown_service_problems(addresses: Any, known: Any, addresses_var: str = "network_service_addresses") -> list[str]:
    """Every service name in the address map that no role reads (a typo would leave its app without an address)."""
    if not isinstance(addresses, Mapping):
        return []
    problems = []
    for service in addresses:
        if service not in known:
            close = get_close_matches(str(service), list(known), n=1)
            problems.append("%s.%s: no service is called %s%s (known: %s)" % (
                addresses_var, service, service, " (did you mean %s?)" % close[0] if close else "", ", ".join(known)))
    return problems


def host_overlap_problems(subnet: Any, facts: Any, gateway: Any, subnet_var: str = "network_subnet") -> list[str]:
    """The host's own networks (from its facts) that `subnet` overlaps: the LAN would become unreachable from the
    containers. Docker's bridges (docker0, br-*, the media bridge itself, which holds the gateway) are left out."""
    try:
        network = ipaddress.ip_network(str(subnet).strip(), strict=True)
    except ValueError:
        return []   # network_problems reports it
    if not isinstance(facts, Mapping):
        return []
    problems = []
    for interface in facts.get("interfaces") or []:
        if interface == "lo" or interface.startswith(("docker", "br-", "veth")):
            continue
        details = facts.get(interface.replace("-", "_")) or {}
        for entry in [details.get("ipv4") or {}] + list(details.get("ipv4_secondaries") or []):
            if not entry.get("address") or entry.get("address") == str(gateway):
                continue
            host_network = ipaddress.ip_interface("%s/%s" % (entry["address"], entry.get("netmask", "32"))).network
            if host_network.overlaps(network):
                problems.append("%s: %s overlaps this host's network %s on %s; choose another private range "
                                "(e.g. 172.30.0.0/24) so the LAN stays reachable" % (subnet_var, network,
                                                                                    host_network, interface))
    return problems


class FilterModule:
    def filters(self) -> dict:
        return {"network_problems": network_problems, "unknown_service_problems": unknown_service_problems,
                "host_overlap_problems": host_overlap_problems}
