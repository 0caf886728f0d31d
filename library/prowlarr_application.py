#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: prowlarr_application
short_description: Manage a Prowlarr application (Radarr, or any other app Prowlarr syncs indexers to)
description:
  - Creates, updates or removes an application through the Prowlarr API v1 (C(/api/v1/applications)).
    Prowlarr pushes its indexers to every application (full sync, or add only).
  - A new application is built from the implementation's template (C(GET /api/v1/applications/schema)) with
    the declared values on top; it starts with O(sync_level=fullSync) unless declared otherwise.
  - An existing application is updated by merging the declared values into its whole current definition,
    because Prowlarr resets every setting left out of an update. Only declared settings are compared, and
    nothing is sent unless one differs.
  - Any implementation works through O(implementation) and O(fields); the typed options below are the Radarr
    fields (Sonarr, Lidarr and Readarr share C(prowlarrUrl), C(baseUrl) and C(apiKey)).
  - Prowlarr tests the connection to the application (Radarr's C(POST /api/v3/indexer/test)) whenever it saves
    one whose sync level is not V(disabled), on create and on B(every) update; a failed test fails the module
    with Prowlarr's message unless O(force_save=true). This module sends an update only when something differs.
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_arr.prowlarr
  - mediastack_connection
  - mediastack_arr.provider
options:
  implementation:
    description:
      - The application's implementation as named in the schema (C(implementation), for example V(Radarr),
        V(Sonarr), V(Lidarr)). Ignores case.
      - Used when the application is created. When it exists and this is omitted, its implementation is kept;
        when it names another implementation, the application is rebuilt from that implementation's template
        (keeping its id and name).
      - V(Radarr) when creating and omitted.
    type: str
  sync_level:
    description:
      - How Prowlarr syncs its indexers to the application (C(syncLevel)).
      - V(fullSync) adds, updates and removes indexers in the application; V(addOnly) only adds them;
        V(disabled) turns the application off (Prowlarr then does not test it on save).
      - New applications use V(fullSync).
    type: str
    choices: [disabled, addOnly, fullSync]
  prowlarr_url:
    description:
      - Prowlarr's URL as the B(application) reaches it (field C(prowlarrUrl)), including C(http://), port and
        URL base, for example V(http://prowlarr:9696). Radarr uses it to query the indexers Prowlarr gives it.
      - Prowlarr's default is V(http://localhost:9696), which is wrong between containers.
    type: str
  radarr_url:
    description:
      - The application's URL as B(Prowlarr) reaches it (field C(baseUrl)), including C(http://), port and URL
        base, for example V(http://radarr:7878).
      - Prowlarr's default is V(http://localhost:7878), which is wrong between containers.
    type: str
  radarr_api_key:
    description:
      - The application's own API key (field C(apiKey); for Radarr, C(<ApiKey>) in Radarr's C(config.xml)).
        Not to be confused with O(api_key), which is Prowlarr's.
      - A secret (C(privacy) C(apiKey)); Prowlarr shows it as C(********), so a changed key is only sent with
        O(update_secrets=always) (see there).
    type: str
  sync_categories:
    description:
      - Newznab categories of the indexers' results the application gets (field C(syncCategories)), by number
        (V(2000) Movies, V(2040) Movies/HD, V(2045) Movies/UHD, ...) or by name as Prowlarr lists them
        (V(Movies/HD)).
      - Compared as a set. Prowlarr's default for Radarr is every movie category, 2000 to 2090.
    type: list
    elements: raw
attributes:
  check_mode:
    support: full
    description: Reads and compares (the schema too, when creating), sends no write, not even for missing tags.
  diff_mode:
    support: full
    description: Before and after of the declared settings, tags by label, secrets masked.
  idempotent:
    support: full
    description: A second run with the same arguments only reads (the application list, and the tags when declared).
notes:
  - Prowlarr re-tests an application on every update, so an application that cannot be reached (Radarr not
    started yet, or started later in the play) fails any change; order the play so that Radarr runs first, or
    use O(force_save=true).
  - Tags limit which indexers are synced to the application (only indexers sharing one of its tags; no tags
    means all indexers).
seealso:
  - module: prowlarr_indexer
  - module: radarr_host_config
"""

EXAMPLES = r"""
- name: Prowlarr syncs its indexers to Radarr
  prowlarr_application:
    url: http://prowlarr:9696
    api_key: "{{ vault_prowlarr_api_key }}"
    name: Radarr
    sync_level: fullSync
    prowlarr_url: http://prowlarr:9696
    radarr_url: http://radarr:7878
    radarr_api_key: "{{ vault_radarr_api_key }}"
    sync_categories: [2000, Movies/HD, Movies/UHD]

- name: Radarr is set up later in the play; save without the connection test
  prowlarr_application:
    api_key: "{{ vault_prowlarr_api_key }}"
    name: Radarr
    radarr_url: http://radarr:7878
    radarr_api_key: "{{ vault_radarr_api_key }}"
    force_save: true

- name: Another application, with its own fields
  prowlarr_application:
    api_key: "{{ vault_prowlarr_api_key }}"
    name: Sonarr
    implementation: Sonarr
    fields:
      baseUrl: http://sonarr:8989
      apiKey: "{{ vault_sonarr_api_key }}"

- name: The old application goes away
  prowlarr_application:
    api_key: "{{ vault_prowlarr_api_key }}"
    name: Radarr4K
    state: absent
"""

RETURN = r"""
id:
  description: The application's id; null when it was removed, or would be created in check mode.
  returned: always
  type: int
  sample: 1
changed_keys:
  description: The declared settings that differed (fields as C(fields.<name>)).
  returned: always
  type: list
  elements: str
  sample: [syncLevel, fields.baseUrl]
purged:
  description: Names of the applications O(purge) removed (or would remove, in check mode).
  returned: always
  type: list
  elements: str
  sample: [Radarr4K]
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"GET /api/v1/applications": 1, "PUT /api/v1/applications/1": 1}
"""

from ansible.module_utils.mediastack.arr import PROWLARR, ProviderKind, field, run_provider, top

KIND = ProviderKind(
    app=PROWLARR, path="applications", noun="application",
    default_implementation="Radarr",
    create_defaults={"syncLevel": "fullSync"},
    options=dict(
        sync_level=top("syncLevel", type="str", choices=["disabled", "addOnly", "fullSync"]),
        prowlarr_url=field("prowlarrUrl", type="str"),
        radarr_url=field("baseUrl", type="str"),
        radarr_api_key=field("apiKey", type="str", no_log=True),
        sync_categories=field("syncCategories", type="list", elements="raw"),
    ),
)


def main() -> None:
    run_provider(KIND)


if __name__ == "__main__":
    main()
