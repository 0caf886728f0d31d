"""Checks of the WireGuard settings Gluetun needs, so a wrong vault value stops the run before any change.

A WireGuard private (X25519) or preshared key is standard base64 of exactly 32 bytes, 44 characters with one
"=" of padding; Gluetun refuses anything else at start ("incorrect key size"), after the old container is gone.
"""
from __future__ import annotations

import base64
import binascii
import ipaddress
from typing import Any

KEY_BYTES = 32


def wireguard_key_problem(value: Any, name: str) -> str:
    """'' for a valid key, else a sentence naming the variable (never the value: it is a secret)."""
    if not isinstance(value, str) or not value.strip():
        return "%s is empty: set it in the vault (the key from the AirVPN Config Generator)" % name
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return "%s is not base64 (a WireGuard key is 44 characters of standard base64)" % name
    if len(raw) != KEY_BYTES:
        return "%s decodes to %d bytes, a WireGuard key has %d" % (name, len(raw), KEY_BYTES)
    return ""


def wireguard_addresses_problem(value: Any, name: str) -> str:
    """'' when `value` (a string, comma-separated, or a list) holds interface addresses in CIDR form with
    at least one IPv4 address."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    items = [str(item).strip() for item in items if str(item).strip()]
    if not items:
        return "%s is empty: set the address from the AirVPN Config Generator, like 10.150.0.2/32" % name
    versions = set()
    for item in items:
        if "/" not in item:
            return "%s: %r has no prefix length (like 10.150.0.2/32)" % (name, item)
        try:
            versions.add(ipaddress.ip_interface(item).version)
        except ValueError:
            return "%s: %r is not an address in CIDR form (like 10.150.0.2/32)" % (name, item)
    if 4 not in versions:
        return "%s needs an IPv4 address (IPv6 only works with Docker IPv6 set up)" % name
    return ""


class FilterModule:
    def filters(self) -> dict:
        return {"wireguard_key_problem": wireguard_key_problem,
                "wireguard_addresses_problem": wireguard_addresses_problem}
