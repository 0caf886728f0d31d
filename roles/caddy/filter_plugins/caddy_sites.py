# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks of caddy_sites: each site a public name inside the domain, to a service the stack runs."""
from __future__ import annotations

import re
from typing import Any, Mapping

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
HOSTNAME = re.compile(r"^%s(?:\.%s)+$" % (_LABEL, _LABEL))


def caddy_site_problems(sites: Any, domain: Any, ports: Mapping[str, Any], addresses: Mapping[str, Any]) -> list[str]:
    """Every problem of `sites` (caddy_sites), worded with the variable's name."""
    if not isinstance(sites, list) or not sites:
        return ["caddy_sites must list at least one site, like [{host: requests.example.org, service: seerr}]"]
    domain = str(domain or "").lower()
    problems: list[str] = []
    seen: set[str] = set()
    for index, site in enumerate(sites):
        where = "caddy_sites[%d]" % index
        if not isinstance(site, Mapping):
            problems.append("%s must be a mapping with host and service (is %r)" % (where, site))
            continue
        unknown = sorted(set(site) - {"host", "service", "extra"})
        if unknown:
            problems.append("%s: unknown key(s) %s (known: host, service, extra)" % (where, ", ".join(unknown)))
        host = str(site.get("host") or "").lower()
        if not HOSTNAME.match(host):
            problems.append("%s.host %r is not a full domain name like requests.example.org (is "
                            "mediastack_domain set?)" % (where, site.get("host")))
        elif domain and not (host == domain or host.endswith("." + domain)):
            problems.append("%s.host %s is not inside mediastack_domain (%s)" % (where, host, domain))
        elif host in seen:
            problems.append("%s.host %s is served twice" % (where, host))
        seen.add(host)
        service = site.get("service")
        if service not in ports:
            problems.append("%s.service %r is not a service Caddy can serve (known: %s); name the service, "
                            "not an address" % (where, service, ", ".join(sorted(ports))))
        elif service not in addresses:
            problems.append("%s.service %s has no address in network_service_addresses" % (where, service))
        if not isinstance(site.get("extra", ""), str):
            problems.append("%s.extra must be Caddyfile lines as one string" % where)
    return problems


class FilterModule:
    def filters(self) -> dict:
        return {"caddy_site_problems": caddy_site_problems}
