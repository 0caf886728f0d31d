#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: radarr_notification
short_description: Manage a Radarr notification (Connect), such as Emby / Jellyfin or a webhook
description:
  - Creates, updates or removes a notification ("Connect" in the web UI) through the Radarr API v3
    (C(/api/v3/notification)).
  - A new notification is built from the implementation's template (C(GET /api/v3/notification/schema)) with
    the declared values on top. An existing one is updated by merging the declared values into its whole
    current definition; only declared settings are compared, and nothing is sent unless one differs.
  - The main case is Emby / Jellyfin (implementation V(MediaBrowser)), which makes Jellyfin rescan a movie's
    folder after an import, a rename or a delete. V(Webhook) has typed options too; any other implementation
    works through O(fields).
  - A notification has no enable switch; Radarr uses it for the events whose flag is on, and tests the
    connection when it saves one with any event on (unless O(force_save=true)).
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_arr.radarr
  - mediastack_connection
  - mediastack_arr.provider
options:
  implementation:
    description:
      - The notification's implementation as named in the schema (C(implementation), for example
        V(MediaBrowser), V(Webhook), V(Discord)); C(implementationName) (V(Emby / Jellyfin)) works too.
        Ignores case.
      - When the notification exists and this is omitted, its implementation is kept; when it names another
        one, the notification is rebuilt from that implementation's template (keeping its id and name).
      - V(MediaBrowser) when creating and omitted.
    type: str
  on_grab:
    description: Notify when a release is grabbed (C(onGrab)).
    type: bool
  on_download:
    description: Notify when a file is imported, "On File Import" in the web UI (C(onDownload)).
    type: bool
  on_upgrade:
    description: Notify when an import upgrades an existing file (C(onUpgrade)).
    type: bool
  on_rename:
    description: Notify when files are renamed (C(onRename)).
    type: bool
  on_movie_added:
    description: Notify when a movie is added (C(onMovieAdded)).
    type: bool
  on_movie_delete:
    description: Notify when a movie is deleted (C(onMovieDelete)).
    type: bool
  on_movie_file_delete:
    description: Notify when a movie file is deleted (C(onMovieFileDelete)).
    type: bool
  on_movie_file_delete_for_upgrade:
    description: Notify when a movie file is deleted because of an upgrade (C(onMovieFileDeleteForUpgrade)).
    type: bool
  on_health_issue:
    description: Notify on a health issue (C(onHealthIssue)).
    type: bool
  include_health_warnings:
    description: With O(on_health_issue), warnings too, not only errors (C(includeHealthWarnings)).
    type: bool
  on_health_restored:
    description: Notify when a health issue is resolved (C(onHealthRestored)).
    type: bool
  on_application_update:
    description: Notify when Radarr updates itself (C(onApplicationUpdate)).
    type: bool
  on_manual_interaction_required:
    description: Notify when an import needs a manual decision (C(onManualInteractionRequired)).
    type: bool
  host:
    description: Emby / Jellyfin host name or address as Radarr reaches it (field C(host)).
    type: str
  port:
    description: Emby / Jellyfin port (field C(port), Radarr's default 8096).
    type: int
  use_ssl:
    description: Connect to Emby / Jellyfin over HTTPS (field C(useSsl)).
    type: bool
  url_base:
    description: URL base of Emby / Jellyfin behind a reverse proxy (field C(urlBase)).
    type: str
  jellyfin_api_key:
    description:
      - An API key of the Emby / Jellyfin server (field C(apiKey), a secret; see O(update_secrets)).
      - Not to be confused with O(api_key), Radarr's own key.
    type: str
  update_library:
    description: Ask Emby / Jellyfin to rescan the movie's folder (field C(updateLibrary), Radarr's default true).
    type: bool
  send_notifications:
    description: Also show a notification in Emby / Jellyfin (field C(notify)).
    type: bool
  map_from:
    description:
      - Remote path mapping, Radarr's side (field C(mapFrom)); needed only when Radarr and Jellyfin see the
        media under different paths. Set O(map_to) with it.
    type: str
  map_to:
    description: Remote path mapping, Jellyfin's side (field C(mapTo)).
    type: str
  webhook_url:
    description: Webhook target URL (field C(url) of the V(Webhook) implementation).
    type: str
  webhook_method:
    description: HTTP method of the webhook (field C(method)).
    type: str
    choices: [POST, PUT]
  username:
    description: User name for the webhook's basic authentication (field C(username)).
    type: str
  password:
    description: Password for the webhook's basic authentication (field C(password), a secret).
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
    description: A second run with the same arguments only reads (the notification list, and the tags when declared).
notes:
  - Flags the implementation does not support (its C(supportsOn...) is false) are refused before anything is
    written.
  - A stored API key is never shown by Radarr 5+ (C(********)), so changing only the key needs
    O(update_secrets=always).
seealso:
  - module: radarr_download_client
"""

EXAMPLES = r"""
- name: Jellyfin rescans a movie as soon as Radarr imports, renames or deletes it
  radarr_notification:
    url: http://radarr:7878
    api_key: "{{ vault_radarr_api_key }}"
    name: Jellyfin
    host: jellyfin
    port: 8096
    jellyfin_api_key: "{{ vault_jellyfin_api_key_radarr }}"
    update_library: true
    on_download: true
    on_upgrade: true
    on_rename: true
    on_movie_delete: true
    on_movie_file_delete: true

- name: Health problems go to a webhook
  radarr_notification:
    api_key: "{{ vault_radarr_api_key }}"
    name: alerts
    implementation: Webhook
    webhook_url: https://hooks.example.org/radarr
    webhook_method: POST
    on_health_issue: true
    include_health_warnings: true
"""

RETURN = r"""
id:
  description: The notification's id; null when it was removed, or would be created in check mode.
  returned: always
  type: int
  sample: 2
changed_keys:
  description: The declared settings that differed (fields as C(fields.<name>)).
  returned: always
  type: list
  elements: str
  sample: [onRename, fields.host]
purged:
  description: Names of the notifications O(purge) removed (or would remove, in check mode).
  returned: always
  type: list
  elements: str
  sample: []
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"GET /api/v3/notification": 1}
"""

from ansible.module_utils.mediastack.arr import RADARR, ProviderKind, field, run_provider, top

EVENTS = ("on_grab", "on_download", "on_upgrade", "on_rename", "on_movie_added", "on_movie_delete",
          "on_movie_file_delete", "on_movie_file_delete_for_upgrade", "on_health_issue", "include_health_warnings",
          "on_health_restored", "on_application_update", "on_manual_interaction_required")


def camel(option: str) -> str:
    first, *rest = option.split("_")
    return first + "".join(word.capitalize() for word in rest)


KIND = ProviderKind(
    app=RADARR, path="notification", noun="notification",
    default_implementation="MediaBrowser",
    options=dict(
        {event: top(camel(event), type="bool") for event in EVENTS},
        host=field("host", type="str"),
        port=field("port", type="int"),
        use_ssl=field("useSsl", type="bool"),
        url_base=field("urlBase", type="str"),
        jellyfin_api_key=field("apiKey", type="str", no_log=True),
        update_library=field("updateLibrary", type="bool"),
        send_notifications=field("notify", type="bool"),
        map_from=field("mapFrom", type="str"),
        map_to=field("mapTo", type="str"),
        webhook_url=field("url", type="str"),
        webhook_method=field("method", type="str", choices=["POST", "PUT"]),
        username=field("username", type="str"),
        password=field("password", type="str", no_log=True),
    ),
)


def main() -> None:
    run_provider(KIND)


if __name__ == "__main__":
    main()
