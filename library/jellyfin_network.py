#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: jellyfin_network
short_description: Set Jellyfin's network configuration (known proxies, LAN networks, base URL, ...)
description:
  - Reads C(GET /System/Configuration/network), compares only the declared settings and, when one differs,
    writes the whole document back with the declared values merged in (C(POST /System/Configuration/network));
    Jellyfin would reset every setting left out of the write to its default.
  - Setting names are checked against what the server returns before anything is written; an unknown name
    fails and lists the valid ones. Values are converted to the type of the server's value.
  - Address lists (C(KnownProxies), C(LocalNetworkSubnets), C(LocalNetworkAddresses), C(RemoteIPFilter),
    C(PublishedServerUriBySubnet), C(VirtualInterfaceNames)) compare as sets.
  - Jellyfin applies a new base URL, ports or HTTPS settings only after it restarts.
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_jellyfin
  - mediastack_connection
  - mediastack_jellyfin.credentials
options:
  known_proxies:
    description:
      - Addresses of reverse proxies whose C(X-Forwarded-For) Jellyfin trusts (C(KnownProxies)), for example
        Caddy's V(172.20.0.23).
    type: list
    elements: str
  local_networks:
    description:
      - Networks Jellyfin treats as the LAN, in CIDR form, for example V(192.168.1.0/24) (C(LocalNetworkSubnets)).
    type: list
    elements: str
  base_url:
    description: URL path prefix when Jellyfin is served under a path, for example V(/jellyfin) (C(BaseUrl)).
    type: str
  settings:
    description:
      - Any setting of the network configuration by its API name (for example C(EnableRemoteAccess),
        C(EnableIPv6), C(RemoteIPFilter)), for what has no typed option.
      - The typed options are shortcuts for the same keys; when both are given they must agree.
      - C(CertificatePassword) is accepted and never shown.
    type: dict
    default: {}
attributes:
  check_mode:
    support: full
    description: Reads and compares, sends no write.
  diff_mode:
    support: full
    description: Before and after of the declared settings; C(CertificatePassword) is masked.
  idempotent:
    support: full
    description: A second run with the same settings only reads (the login, if any, and one GET).
seealso:
  - module: jellyfin_setup
"""

EXAMPLES = r"""
- name: Trust Caddy and know the LAN
  jellyfin_network:
    url: http://jellyfin:8096
    api_key: "{{ jellyfin_ansible_key }}"
    known_proxies: [172.20.0.23]
    local_networks: [192.168.1.0/24, 172.20.0.0/24]
    settings:
      EnableRemoteAccess: true
"""

RETURN = r"""
changed_keys:
  description: The declared settings that differed.
  returned: always
  type: list
  elements: str
  sample: [KnownProxies]
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"POST /Users/AuthenticateByName": 1, "GET /System/Configuration/network": 1}
"""

from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.mediastack.jellyfin import connect, declared, fail, run_jellyfin
from ansible.module_utils.mediastack.module import Outcome, converge_document

PATH = "/System/Configuration/network"
TYPED = dict(known_proxies="KnownProxies", local_networks="LocalNetworkSubnets", base_url="BaseUrl")
LISTS = ("KnownProxies", "LocalNetworkSubnets", "LocalNetworkAddresses", "RemoteIPFilter",
         "PublishedServerUriBySubnet", "VirtualInterfaceNames")
SECRETS = ("CertificatePassword",)


def converge(module: AnsibleModule) -> dict[str, Any]:
    settings = declared(module, TYPED, "settings", SECRETS)
    if not settings:
        fail(module, "declare at least one setting")
    server = connect(module)
    outcome = Outcome(module, SECRETS)
    changed = converge_document(server, PATH, settings, outcome, LISTS)
    return outcome.result([server.http], changed_keys=changed)


def main() -> None:
    run_jellyfin(
        converge,
        known_proxies=dict(type="list", elements="str"),
        local_networks=dict(type="list", elements="str"),
        base_url=dict(type="str"),
        settings=dict(type="dict", default={}),
    )


if __name__ == "__main__":
    main()
