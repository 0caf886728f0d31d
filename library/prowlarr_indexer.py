#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: prowlarr_indexer
short_description: Manage a Prowlarr indexer (a tracker or Usenet indexer, by definition name)
description:
  - Creates, updates or removes an indexer through the Prowlarr API v1 (C(/api/v1/indexer)).
  - Prowlarr's schema (C(GET /api/v1/indexer/schema)) holds one template per indexer definition (C(definitionName),
    for example V(1337x) or V(IPTorrents)); a new indexer is built from the template of O(definition) with the
    declared values on top. It starts enabled, with the app profile named V(Standard) (or the first one) unless
    O(app_profile) says otherwise. The schema is only read when an indexer is created.
  - An existing indexer is updated by merging the declared values into its whole current definition, because
    Prowlarr resets every setting left out of an update. Only declared settings are compared, and nothing is
    sent unless one differs.
  - The typed options below are the settings every indexer has; the definition's own settings (a private
    tracker's cookie or API key, a site's sort order, ...) go in O(fields).
  - Prowlarr tests an enabled indexer (it queries the site) when it saves it, on create and on B(every)
    update; a failed test fails the module with Prowlarr's message unless O(force_save=true). This module
    sends an update only when something differs.
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_arr.prowlarr
  - mediastack_connection
  - mediastack_arr.provider
options:
  definition:
    description:
      - The indexer definition, as C(definitionName) in Prowlarr's schema (V(1337x), V(IPTorrents), ...; the
        name in Prowlarr's "Add Indexer" list). Ignores case. An unknown name fails and suggests close ones.
      - Required to create the indexer. An existing indexer keeps its definition, so omit this or give the same
        one; another definition fails (remove the indexer first, or use another O(name)).
    type: str
  enable:
    description: Whether Prowlarr uses (and syncs) this indexer (C(enable)). New indexers are enabled.
    type: bool
  priority:
    description: Indexer priority from 1 (highest) to 50 (C(priority)); Prowlarr's default is 25.
    type: int
  app_profile:
    description:
      - The name of the app sync profile (C(appProfileId); Settings > App Profiles), for example V(Standard),
        the profile Prowlarr creates on first start. Ignores case. An unknown name fails and lists the valid ones.
      - When creating and omitted, the profile named V(Standard), else the first one. When omitted on an
        existing indexer, its profile is kept (and the profiles are not read).
    type: str
  download_client:
    description:
      - The name of the Prowlarr download client for grabs made in Prowlarr itself (C(downloadClientId)).
        Ignores case; an unknown name fails and lists the valid ones.
      - V("") means any client (Prowlarr's default). When omitted, the indexer's choice is kept.
    type: str
  base_url:
    description:
      - Which of the site's addresses Prowlarr uses (field C(baseUrl)), one of the indexer's C(indexerUrls)
        (for example V(https://1337x.to/)). Prowlarr uses the first one when none is set.
    type: str
attributes:
  check_mode:
    support: full
    description: Reads and compares (the schema too, when creating), sends no write, not even for missing tags.
  diff_mode:
    support: full
    description: >-
      Before and after of the declared settings, the definition under C(definitionName), tags by label, the app
      profile (C(appProfile)) and download client (C(downloadClient)) by name, secrets masked.
  idempotent:
    support: full
    description: >-
      A second run with the same arguments only reads: the indexer list, plus the app profiles when
      O(app_profile) is declared, the download clients when O(download_client) is, and the tags when O(tags) are.
notes:
  - Secret settings of a definition (a cookie, a passkey, an API key; C(privacy) C(password) or C(apiKey) in the
    schema) are never shown by Prowlarr (C(********)), so changing one needs O(update_secrets=always).
  - B(FlareSolverr.) An indexer proxy (C(prowlarr_indexer_proxy)) applies to the indexers that share one of its
    tags; give a Cloudflare-protected indexer the proxy's tag (for example V(flaresolverr)) to route it through
    FlareSolverr.
  - Tags also limit which applications (C(prowlarr_application)) the indexer is synced to, when an application
    has tags.
  - Prowlarr's test queries the site, so without internet access (a test lab) every save needs
    O(force_save=true).
seealso:
  - module: prowlarr_application
  - module: prowlarr_indexer_proxy
  - module: prowlarr_tag
"""

EXAMPLES = r"""
- name: 1337x, routed through FlareSolverr (the proxy has the tag flaresolverr)
  prowlarr_indexer:
    url: http://prowlarr:9696
    api_key: "{{ vault_prowlarr_api_key }}"
    name: 1337x
    definition: 1337x
    app_profile: Standard
    priority: 25
    base_url: https://1337x.to/
    tags: [flaresolverr]

- name: A private tracker with its own (secret) setting
  prowlarr_indexer:
    api_key: "{{ vault_prowlarr_api_key }}"
    name: IPTorrents
    definition: IPTorrents
    app_profile: Standard
    fields:
      cookie: "{{ vault_iptorrents_cookie }}"
      freeLeechOnly: true

- name: Rotate the tracker cookie (Prowlarr does not show the stored one)
  prowlarr_indexer:
    api_key: "{{ vault_prowlarr_api_key }}"
    name: IPTorrents
    fields:
      cookie: "{{ vault_iptorrents_cookie }}"
    update_secrets: always

- name: The old indexer goes away
  prowlarr_indexer:
    api_key: "{{ vault_prowlarr_api_key }}"
    name: RARBG
    state: absent
"""

RETURN = r"""
id:
  description: The indexer's id; null when it was removed, or would be created in check mode.
  returned: always
  type: int
  sample: 1
changed_keys:
  description: >-
    The declared settings that differed (fields as C(fields.<name>), the app profile as C(appProfile), the
    download client as C(downloadClient)).
  returned: always
  type: list
  elements: str
  sample: [priority, appProfile, fields.baseUrl]
purged:
  description: Names of the indexers O(purge) removed (or would remove, in check mode).
  returned: always
  type: list
  elements: str
  sample: [RARBG]
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"GET /api/v1/indexer": 1, "GET /api/v1/appprofile": 1, "PUT /api/v1/indexer/1": 1}
"""

from ansible.module_utils.mediastack.arr import PROWLARR, ProviderKind, Reference, field, run_provider, top

KIND = ProviderKind(
    app=PROWLARR, path="indexer", noun="indexer",
    template_key="definitionName", implementation_option="definition", implementation_fixed=True,
    create_defaults={"enable": True},
    options=dict(
        enable=top("enable", type="bool"),
        priority=top("priority", type="int"),
        base_url=field("baseUrl", type="str"),
    ),
    references=dict(
        app_profile=Reference("appProfileId", "appprofile", "app profile", "appProfile", on_create="Standard"),
        download_client=Reference("downloadClientId", "downloadclient", "download client", "downloadClient",
                                  none_id=0),
    ),
)


def main() -> None:
    run_provider(KIND)


if __name__ == "__main__":
    main()
