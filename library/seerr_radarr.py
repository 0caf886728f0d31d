#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: seerr_radarr
short_description: Manage one Radarr server in Seerr
description:
  - Creates, updates or removes a Radarr server in Seerr (C(/api/v1/settings/radarr)), found by its name, ignoring
    case, in one C(GET /api/v1/settings/radarr).
  - Seerr has no duplicate check (posting twice makes two servers) and its C(PUT) replaces the whole object, so
    the module always reads the list first, updates an existing server in place with the whole object (the
    declared values merged into what Seerr has), and never creates a second server of the same name.
  - The quality profile and the root folder are given by name (the folder by its path) and resolved through
    Seerr's own test call (C(POST /api/v1/settings/radarr/test)), which reaches Radarr with the declared
    connection and answers with its profiles, root folders and tags; an unknown name fails and lists Radarr's.
    The test call writes nothing; it is made only when something needs resolving or checking - on create, when
    the connection, the profile or the folder differ, and whenever O(tags) are declared (Seerr stores tag ids).
  - Only the declared settings are compared; nothing is written unless one differs.
  - Needs the first setup done (seerr_jellyfin) and O(api_key).
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_seerr
  - mediastack_connection
options:
  name:
    description: The server's name in Seerr, matched ignoring case.
    type: str
    required: true
  state:
    description: V(present) creates or updates the server; V(absent) removes it from Seerr.
    type: str
    choices: [present, absent]
    default: present
  hostname:
    description: Radarr's host as Seerr reaches it, for example V(radarr) or V(172.20.0.13). Required to create.
    type: str
  port:
    description: Radarr's port.
    type: int
  radarr_api_key:
    description:
      - Radarr's API key. Required to create. Seerr returns it in plain text, so a different key is a change.
      - Never shown in any output; the diff shows it masked.
    type: str
  use_ssl:
    description: Reach Radarr over HTTPS (C(useSsl)).
    type: bool
  base_url:
    description: Radarr's URL base, for example V(/radarr); empty when it has none (C(baseUrl)).
    type: str
  quality_profile:
    description: The quality profile requests get, by its name in Radarr (case ignored). Required to create.
    type: str
  root_folder:
    description: The root folder movies go to, by its path in Radarr, for example V(/media/movies). Required to create.
    type: str
  minimum_availability:
    description: When Radarr considers a requested movie available (C(minimumAvailability)); V(released) on create.
    type: str
    choices: [announced, inCinema, released]
  tags:
    description:
      - Radarr tags (by label, case ignored) that Seerr puts on the movies it adds; they must exist in Radarr
        (see radarr_tag). Compared as a set.
    type: list
    elements: str
  is_default:
    description:
      - Whether this is the default server (C(isDefault)); Seerr then clears the flag on its other servers with
        the same O(is_4k).
    type: bool
  is_4k:
    description: Whether this server takes the 4K requests (C(is4k)); V(false) on create.
    type: bool
  external_url:
    description: Radarr's URL for users, for links in the web UI (C(externalUrl)).
    type: str
  sync_enabled:
    description: Scan Radarr for what it has (C(syncEnabled)).
    type: bool
  prevent_search:
    description: Add movies without searching for them (C(preventSearch)).
    type: bool
  tag_requests:
    description: Tag each request's movie with the requesting user (C(tagRequests)).
    type: bool
attributes:
  check_mode:
    support: full
    description: Reads and compares (the test call included, which writes nothing), sends no write.
  diff_mode:
    support: full
    description:
      - Before and after of the name and the declared settings, the profile by name and the tags by label;
        the Radarr API key is masked.
  idempotent:
    support: full
    description:
      - A second run only reads - one GET of the list, plus the test call when O(tags) are declared.
seealso:
  - module: seerr_jellyfin
  - module: seerr_settings
"""

EXAMPLES = r"""
- name: Radarr for Seerr's requests
  seerr_radarr:
    url: http://seerr:5055
    api_key: "{{ seerr_api_key }}"
    name: Radarr
    hostname: radarr
    port: 7878
    radarr_api_key: "{{ radarr_api_key }}"
    quality_profile: HD-1080p
    root_folder: /media/movies
    minimum_availability: released
    is_default: true

- name: An old server gone
  seerr_radarr:
    api_key: "{{ seerr_api_key }}"
    name: Radarr 4K
    state: absent
"""

RETURN = r"""
id:
  description: The server's id in Seerr (the first is 0); null when absent or not yet created in check mode.
  returned: always
  type: int
  sample: 0
changed_keys:
  description: What differed (every declared key on create).
  returned: always
  type: list
  elements: str
  sample: [activeProfileName, isDefault]
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"GET /api/v1/settings/radarr": 1}
"""

import copy
from typing import Any, Optional

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.mediastack.compare import conform, differing_keys, suggestions
from ansible.module_utils.mediastack.module import Outcome, declared_options
from ansible.module_utils.mediastack.seerr import APP, Seerr, run_seerr

PATH = "/settings/radarr"
TYPED = dict(hostname="hostname", port="port", radarr_api_key="apiKey", use_ssl="useSsl", base_url="baseUrl",
             minimum_availability="minimumAvailability", is_default="isDefault", is_4k="is4k",
             external_url="externalUrl", sync_enabled="syncEnabled", prevent_search="preventSearch",
             tag_requests="tagRequests")
CONNECTION = ("hostname", "port", "apiKey", "useSsl", "baseUrl")
# What the web UI starts a new server with.
NEW = dict(port=7878, useSsl=False, baseUrl="", is4k=False, minimumAvailability="released", isDefault=False,
           externalUrl="", syncEnabled=False, preventSearch=False, tagRequests=False, tags=[])
SECRETS = ("apiKey",)


class RadarrServer:
    def __init__(self, module: AnsibleModule, server: Seerr) -> None:
        self.module = module
        self.server = server
        self.params = module.params
        self.outcome = Outcome(module, SECRETS)

    def fail(self, message: str) -> None:
        self.server.fail("Radarr server %r: %s; nothing was changed" % (self.params["name"], message))

    def converge(self) -> dict[str, Any]:
        self.server.require_api_key()
        name = self.params["name"]
        existing = next((s for s in self.server.get(PATH) if str(s.get("name") or "").lower() == name.lower()), None)
        if self.params["state"] == "absent":
            if existing is not None:
                self.outcome.record({"name": existing["name"], "hostname": existing.get("hostname")}, {}, True)
                if not self.module.check_mode:
                    self.server.write("DELETE", "%s/%s" % (PATH, existing["id"]))
            return self.outcome.result([self.server.http], id=None, changed_keys=["name"] if existing else [])
        return self.present(existing)

    def present(self, existing: Optional[dict[str, Any]]) -> dict[str, Any]:
        base = copy.deepcopy({k: v for k, v in (existing or NEW).items() if k != "id"})   # `id`: read-only
        wanted = dict(name=self.params["name"])
        for key, value in declared_options(self.module, APP, TYPED, secret_keys=SECRETS).items():
            try:
                wanted[key] = conform(value, base.get(key))
            except ValueError as exc:
                self.fail("%s %s" % (key, exc))
        if existing is None:
            for option in ("hostname", "radarr_api_key", "quality_profile", "root_folder"):
                if not self.params[option]:
                    self.fail("%s is required to create it" % option)
        connection = {k: wanted.get(k, base.get(k)) for k in CONNECTION}
        radarr = self.radarr(connection) if self.needs_test(existing, base, connection) else None
        if radarr is None:      # what was declared by name is what Seerr has
            wanted.update({k: base[k] for k, option in (("activeProfileName", "quality_profile"),
                                                        ("activeDirectory", "root_folder")) if self.params[option]})
        tags: dict[str, Any] = self.resolve(radarr, base, wanted) if radarr is not None else {}
        after = self.shown(dict(base, **wanted), wanted, tags.get("after"))
        if existing is None:
            before: dict[str, Any] = {}
            changed = list(after)
        else:
            before = self.shown(base, wanted, tags.get("before"))
            # The profile is shown by name: its id and name differ together.
            changed = list(dict.fromkeys("activeProfileName" if k == "activeProfileId" else k
                                         for k in differing_keys(wanted, base, ("tags",))))
        self.outcome.record(before, after, bool(changed))
        server_id = existing["id"] if existing else None
        if changed and not self.module.check_mode:
            body = dict(base, **wanted)
            if existing is None:
                server_id = self.server.write("POST", PATH, body=body)["id"]
            else:
                self.server.write("PUT", "%s/%s" % (PATH, server_id), body=body)
        return self.outcome.result([self.server.http], id=server_id, changed_keys=changed)

    def needs_test(self, existing: Optional[dict[str, Any]], base: dict[str, Any],
                   connection: dict[str, Any]) -> bool:
        profile, folder = self.params["quality_profile"], self.params["root_folder"]
        return (existing is None or self.params["tags"] is not None
                or bool(differing_keys(connection, base))
                or (profile is not None and profile.lower() != str(base.get("activeProfileName") or "").lower())
                or (folder is not None and clean(folder) != clean(str(base.get("activeDirectory") or ""))))

    def radarr(self, connection: dict[str, Any]) -> dict[str, Any]:
        """Radarr's profiles, root folders and tags, as Seerr sees them with this connection."""
        return self.server.call("POST", PATH + "/test", body=connection).json() or {}

    def resolve(self, radarr: dict[str, Any], base: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
        """Set the profile, folder and tag ids from their names; the tags of both sides by label, for the diff."""
        profile, folder, labels = self.params["quality_profile"], self.params["root_folder"], self.params["tags"]
        if profile is not None:
            profiles = {str(p["name"]).lower(): p for p in radarr.get("profiles") or []}
            match = profiles.get(profile.lower())
            if match is None:
                self.fail("quality_profile: Radarr has no profile %r%s" % (
                    profile, suggestions(profile, [p["name"] for p in profiles.values()])))
            wanted.update(activeProfileId=match["id"], activeProfileName=match["name"])
        if folder is not None:
            folders = {clean(f["path"]): f["path"] for f in radarr.get("rootFolders") or []}
            if clean(folder) not in folders:
                self.fail("root_folder: Radarr has no root folder %r%s"
                          % (folder, suggestions(folder, folders.values())))
            wanted["activeDirectory"] = folders[clean(folder)]
        if labels is None:
            return {}
        by_label = {str(t["label"]).lower(): t["id"] for t in radarr.get("tags") or []}
        unknown = sorted({t.lower() for t in labels} - set(by_label))
        if unknown:
            self.fail("tags: Radarr has no tag %s%s"
                      % (", ".join(map(repr, unknown)), suggestions(unknown[0], by_label)))
        wanted["tags"] = sorted({by_label[t.lower()] for t in labels})
        by_id = {i: label for label, i in by_label.items()}
        return dict(before=sorted(by_id.get(i, str(i)) for i in base.get("tags") or []),
                    after=sorted({t.lower() for t in labels}))

    @staticmethod
    def shown(item: dict[str, Any], wanted: dict[str, Any], tags: Optional[list[str]]) -> dict[str, Any]:
        """The declared keys of `item` as the diff shows them: the profile by name, tags by label."""
        shown = {k: item.get(k) for k in wanted if k not in ("activeProfileId", "tags")}
        if tags is not None:
            shown["tags"] = tags
        return shown


def clean(path: str) -> str:
    return path.rstrip("/") or path


def main() -> None:
    run_seerr(
        lambda module: RadarrServer(module, Seerr(module)).converge(),
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        hostname=dict(type="str"),
        port=dict(type="int"),
        radarr_api_key=dict(type="str", no_log=True),
        use_ssl=dict(type="bool"),
        base_url=dict(type="str"),
        quality_profile=dict(type="str"),
        root_folder=dict(type="str"),
        minimum_availability=dict(type="str", choices=["announced", "inCinema", "released"]),
        tags=dict(type="list", elements="str"),
        is_default=dict(type="bool"),
        is_4k=dict(type="bool"),
        external_url=dict(type="str"),
        sync_enabled=dict(type="bool"),
        prevent_search=dict(type="bool"),
        tag_requests=dict(type="bool"),
    )


if __name__ == "__main__":
    main()
