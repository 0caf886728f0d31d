# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whitelist check of roles/crowdsec without netaddr (ansible.utils' ipaddr needs it, and it is not here)."""
from __future__ import annotations

import ipaddress
from typing import Any


def crowdsec_bad_networks(entries: Any) -> list[str]:
    """The entries that are neither an IP address nor a CIDR range (host bits set count as bad: CrowdSec's
    net.ParseCIDR would accept 10.0.0.1/8, but it is almost always a typo)."""
    if not isinstance(entries, list):
        return [repr(entries)]
    bad = []
    for entry in entries:
        text = str(entry).strip()
        try:
            if "/" in text:
                ipaddress.ip_network(text, strict=True)
            else:
                ipaddress.ip_address(text)
        except ValueError:
            bad.append(text)
    return bad


class FilterModule:
    def filters(self) -> dict:
        return {"crowdsec_bad_networks": crowdsec_bad_networks}
