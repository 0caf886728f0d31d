#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: prowlarr_indexer_proxy
short_description: Manage a Prowlarr indexer proxy (FlareSolverr or any other implementation)
description:
  - Creates, updates or removes an indexer proxy through the Prowlarr API v1 (C(/api/v1/indexerproxy)).
  - B(A proxy applies only to the indexers that share one of its tags.) A proxy without tags is unused (Prowlarr
    counts it as disabled), so give it a tag with O(tags) and put the same tag on the indexers that need it,
    for example the sites behind Cloudflare that need FlareSolverr.
  - A new proxy is built from the implementation's template (C(GET /api/v1/indexerproxy/schema)) with the
    declared values on top. An existing proxy is updated by merging the declared values into its whole current
    definition, because Prowlarr resets every setting left out of an update. Only declared settings are
    compared, and nothing is sent unless one differs.
  - Any implementation works through O(implementation) and O(fields); the typed options below are the
    FlareSolverr fields.
  - Prowlarr tests a proxy that has tags whenever it saves it, on create and on B(every) update. For
    FlareSolverr the test asks FlareSolverr to fetch a page from the internet; a failed test fails the module
    with Prowlarr's message unless O(force_save=true) (needed offline, or while FlareSolverr is not up yet).
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_arr.prowlarr
  - mediastack_connection
  - mediastack_arr.provider
options:
  implementation:
    description:
      - The proxy's implementation as named in the schema (C(implementation), for example V(FlareSolverr),
        V(Http), V(Socks5)). Ignores case; C(implementationName) works too.
      - Used when the proxy is created. When the proxy exists and this is omitted, its implementation is
        kept; when it names another implementation, the proxy is rebuilt from that implementation's template
        (keeping its id and name).
      - V(FlareSolverr) when creating and omitted.
    type: str
  host:
    description:
      - FlareSolverr's URL as Prowlarr reaches it, with scheme, port and trailing slash (field C(host), for
        example V(http://flaresolverr:8191/); Prowlarr's default V(http://localhost:8191/)).
    type: str
  request_timeout:
    description:
      - Seconds FlareSolverr may spend on one request, from 1 to 180 (field C(requestTimeout), Prowlarr's
        default 60).
    type: int
attributes:
  check_mode:
    support: full
    description: Reads and compares (the schema too, when creating), sends no write, not even for missing tags.
  diff_mode:
    support: full
    description: Before and after of the declared settings, tags by label.
  idempotent:
    support: full
    description: A second run with the same arguments only reads (the proxy list, and the tags when declared).
notes:
  - The tags are the switch. O(tags=[]) (or none at creation) leaves the proxy defined but unused; an indexer
    uses it only once it carries one of the proxy's tags.
seealso:
  - module: prowlarr_tag
  - module: prowlarr_indexer
"""

EXAMPLES = r"""
- name: FlareSolverr serves the indexers tagged "flaresolverr"
  prowlarr_indexer_proxy:
    url: http://prowlarr:9696
    api_key: "{{ vault_prowlarr_api_key }}"
    name: FlareSolverr
    host: http://flaresolverr:8191/
    request_timeout: 60
    tags: [flaresolverr]

- name: An indexer behind Cloudflare carries the same tag, so its requests go through FlareSolverr
  prowlarr_indexer:
    url: http://prowlarr:9696
    api_key: "{{ vault_prowlarr_api_key }}"
    name: 1337x
    definition: 1337x
    tags: [flaresolverr]

- name: Offline (or before FlareSolverr is up), save without Prowlarr's connection test
  prowlarr_indexer_proxy:
    api_key: "{{ vault_prowlarr_api_key }}"
    name: FlareSolverr
    host: http://flaresolverr:8191/
    tags: [flaresolverr]
    force_save: true

- name: The proxy goes away
  prowlarr_indexer_proxy:
    api_key: "{{ vault_prowlarr_api_key }}"
    name: FlareSolverr
    state: absent
"""

RETURN = r"""
id:
  description: The proxy's id; null when it was removed, or would be created in check mode.
  returned: always
  type: int
  sample: 1
changed_keys:
  description: The declared settings that differed (fields as C(fields.<name>)).
  returned: always
  type: list
  elements: str
  sample: [tags, fields.requestTimeout]
purged:
  description: Names of the proxies O(purge) removed (or would remove, in check mode).
  returned: always
  type: list
  elements: str
  sample: [Old proxy]
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"GET /api/v1/indexerproxy": 1, "GET /api/v1/tag": 1}
"""

from ansible.module_utils.mediastack.arr import PROWLARR, ProviderKind, field, run_provider

# No create_defaults: the schema template already starts with no tags and health notifications off, which is
# what the web UI presets too.
KIND = ProviderKind(
    app=PROWLARR, path="indexerproxy", noun="indexer proxy",
    default_implementation="FlareSolverr",
    options=dict(
        host=field("host", type="str"),
        request_timeout=field("requestTimeout", type="int"),
    ),
)


def main() -> None:
    run_provider(KIND)


if __name__ == "__main__":
    main()
