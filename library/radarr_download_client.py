#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: radarr_download_client
short_description: Manage a Radarr download client (qBittorrent or any other implementation)
description:
  - Creates, updates or removes a download client through the Radarr API v3 (C(/api/v3/downloadclient)).
  - A new client is built from the implementation's template (C(GET /api/v3/downloadclient/schema)) with the
    declared values on top; it starts enabled unless O(enable=false).
  - An existing client is updated by merging the declared values into its whole current definition, because
    Radarr resets every setting left out of an update. Only declared settings are compared, and nothing is
    sent unless one differs.
  - Any implementation works through O(implementation) and O(fields); the typed options below are the
    qBittorrent fields (other implementations share some of them, for example C(host) and C(port)).
  - Radarr tests the connection when it saves an enabled client (on create, and on an update that changes
    something); a failed test fails the module with Radarr's message unless O(force_save=true).
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_arr.radarr
  - mediastack_connection
  - mediastack_arr.provider
options:
  implementation:
    description:
      - The client's implementation as named in the schema (C(implementation), for example V(QBittorrent),
        V(Transmission), V(Sabnzbd)); C(implementationName) (V(qBittorrent)) works too. Ignores case.
      - Used when the client is created. When the client exists and this is omitted, its implementation is
        kept; when it names another implementation, the client is rebuilt from that implementation's template
        (keeping its id and name).
      - V(QBittorrent) when creating and omitted.
    type: str
  enable:
    description: Whether Radarr uses this client. New clients are enabled.
    type: bool
  priority:
    description: Client priority from 1 (highest) to 50; Radarr's default is 1.
    type: int
  remove_completed_downloads:
    description: Remove imported downloads from the client's history (C(removeCompletedDownloads)).
    type: bool
  remove_failed_downloads:
    description: Remove failed downloads from the client's history (C(removeFailedDownloads)).
    type: bool
  host:
    description: Host name or address of the client as Radarr reaches it (field C(host)).
    type: str
  port:
    description: Port of the client's WebUI (field C(port)).
    type: int
  use_ssl:
    description: Connect over HTTPS (field C(useSsl)).
    type: bool
  url_base:
    description: URL base of the client's WebUI, for a client behind a reverse proxy (field C(urlBase)).
    type: str
  username:
    description: WebUI user name (field C(username)).
    type: str
  password:
    description:
      - WebUI password (field C(password), a secret; see O(update_secrets)).
    type: str
  movie_category:
    description:
      - qBittorrent category for Radarr's downloads (field C(movieCategory), Radarr's default V(radarr)).
      - Radarr creates the category in qBittorrent when it tests the connection.
    type: str
  movie_imported_category:
    description: qBittorrent category Radarr moves a download to after importing it (field C(movieImportedCategory)).
    type: str
attributes:
  check_mode:
    support: full
    description: Reads and compares (the schema too, when creating), sends no write, not even for missing tags.
  diff_mode:
    support: full
    description: Before and after of the declared settings, tags by label, secrets masked.
  idempotent:
    support: full
    description: A second run with the same arguments only reads (the client list, and the tags when declared).
notes:
  - A stored password is never shown by Radarr 5+ (C(********)), so changing only the password needs
    O(update_secrets=always); see that option.
seealso:
  - module: radarr_tag
  - module: qbittorrent_category
"""

EXAMPLES = r"""
- name: Radarr sends torrents to qBittorrent inside the VPN namespace
  radarr_download_client:
    url: http://radarr:7878
    api_key: "{{ vault_radarr_api_key }}"
    name: qBittorrent
    host: gluetun
    port: 8080
    username: admin
    password: "{{ vault_qbittorrent_password }}"
    movie_category: radarr
    remove_completed_downloads: true
    tags: [vpn]

- name: Any other client, with its own fields
  radarr_download_client:
    api_key: "{{ vault_radarr_api_key }}"
    name: Transmission
    implementation: Transmission
    fields:
      host: transmission
      port: 9091
      movieCategory: radarr
    enable: false

- name: These are all the download clients Radarr should have
  radarr_download_client:
    api_key: "{{ vault_radarr_api_key }}"
    name: "{{ item.name }}"
    host: "{{ item.host }}"
    purge: true
    managed_names: "{{ radarr_download_clients | map(attribute='name') }}"
    purge_ignore: [Manual]
  loop: "{{ radarr_download_clients }}"

- name: The old client goes away
  radarr_download_client:
    api_key: "{{ vault_radarr_api_key }}"
    name: Deluge
    state: absent
"""

RETURN = r"""
id:
  description: The client's id; null when it was removed, or would be created in check mode.
  returned: always
  type: int
  sample: 1
changed_keys:
  description: The declared settings that differed (fields as C(fields.<name>)).
  returned: always
  type: list
  elements: str
  sample: [enable, fields.host]
purged:
  description: Names of the clients O(purge) removed (or would remove, in check mode).
  returned: always
  type: list
  elements: str
  sample: [Deluge]
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"GET /api/v3/downloadclient": 1, "PUT /api/v3/downloadclient/1": 1}
"""

from ansible.module_utils.mediastack.arr import RADARR, ProviderKind, field, run_provider, top

KIND = ProviderKind(
    app=RADARR, path="downloadclient", noun="download client",
    default_implementation="QBittorrent",
    create_defaults={"enable": True},
    options=dict(
        enable=top("enable", type="bool"),
        priority=top("priority", type="int"),
        remove_completed_downloads=top("removeCompletedDownloads", type="bool"),
        remove_failed_downloads=top("removeFailedDownloads", type="bool"),
        host=field("host", type="str"),
        port=field("port", type="int"),
        use_ssl=field("useSsl", type="bool"),
        url_base=field("urlBase", type="str"),
        username=field("username", type="str"),
        password=field("password", type="str", no_log=True),
        movie_category=field("movieCategory", type="str"),
        movie_imported_category=field("movieImportedCategory", type="str"),
    ),
)


def main() -> None:
    run_provider(KIND)


if __name__ == "__main__":
    main()
