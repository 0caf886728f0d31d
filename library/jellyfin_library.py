#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: jellyfin_library
short_description: Manage one Jellyfin library (virtual folder)
description:
  - Creates, updates or removes a library through C(/Library/VirtualFolders), found by its exact name in one
    C(GET /Library/VirtualFolders).
  - Jellyfin does not refuse a name that exists; it creates C(Movies2), C(Movies3), ... So the module always
    reads the list first and creates only when no library has the name.
  - Paths are added (C(POST /Library/VirtualFolders/Paths)) and removed (C(DELETE /Library/VirtualFolders/Paths))
    one by one; a trailing C(/) is ignored. Library options are merged into the library's whole options and
    written in one C(POST /Library/VirtualFolders/LibraryOptions), only when a declared one differs.
  - Media on disk are never touched; removing a library or a path only makes Jellyfin forget it.
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_jellyfin
  - mediastack_connection
  - mediastack_jellyfin.credentials
options:
  name:
    description: The library's name, matched exactly (Jellyfin keeps libraries as folders by that name).
    type: str
    required: true
  state:
    description: V(present) creates or updates the library; V(absent) removes it (the media stay on disk).
    type: str
    choices: [present, absent]
    default: present
  collection_type:
    description:
      - What the library holds. Required to create it. Jellyfin cannot change it later, so a different value
        for an existing library fails; remove the library and create it again.
    type: str
    choices: [movies, tvshows, music, musicvideos, homevideos, boxsets, books, mixed]
  paths:
    description:
      - Absolute folders as Jellyfin sees them (inside its container), for example V(/media/movies); compared as
        a set. Paths not listed are removed from the library. Omit to leave the paths alone.
      - Jellyfin refuses a folder that does not exist (HTTP 400, its message is reported).
    type: list
    elements: str
  options:
    description:
      - Any library option by its API name (a key of C(LibraryOptions), for example C(EnableRealtimeMonitor),
        C(SaveLocalMetadata), C(AutomaticRefreshIntervalDays)), for what has no typed option.
      - On an existing library, names are checked against its options and values converted to their types
        before anything is written. On create they are sent as given (Jellyfin ignores unknown names).
      - C(PathInfos) is refused; use O(paths).
    type: dict
    default: {}
  realtime_monitor:
    description: Watch the folders for changes (C(EnableRealtimeMonitor)).
    type: bool
  save_local_metadata:
    description: Save artwork and metadata into the media folders (C(SaveLocalMetadata)).
    type: bool
  metadata_language:
    description: Preferred metadata language for this library, for example V(en) (C(PreferredMetadataLanguage)).
    type: str
  metadata_country:
    description: Country for metadata and ratings, for example V(US) (C(MetadataCountryCode)).
    type: str
  refresh_library:
    description: Ask Jellyfin to scan after a change (C(refreshLibrary)).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reads and compares, sends no write (so Jellyfin's path checks do not run).
  diff_mode:
    support: full
    description: Before and after of the name, the collection type, the paths and the declared options.
  idempotent:
    support: full
    description: A second run with the same arguments only reads (the login, if any, and one GET).
seealso:
  - module: jellyfin_setup
"""

EXAMPLES = r"""
- name: Movies from the shared media tree
  jellyfin_library:
    url: http://jellyfin:8096
    api_key: "{{ jellyfin_ansible_key }}"
    name: Movies
    collection_type: movies
    paths: [/media/movies]
    realtime_monitor: true
    options:
      AutomaticRefreshIntervalDays: 30

- name: Forget an old library (its files stay)
  jellyfin_library:
    api_key: "{{ jellyfin_ansible_key }}"
    name: Old films
    state: absent
"""

RETURN = r"""
changed_keys:
  description: What differed (C(name) on create, C(paths), C(options.<name>)).
  returned: always
  type: list
  elements: str
  sample: [paths, options.EnableRealtimeMonitor]
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"GET /Library/VirtualFolders": 1}
"""

import uuid
from typing import Any, Optional

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.mediastack.jellyfin import Jellyfin, connect, declared, run_jellyfin
from ansible.module_utils.mediastack.module import Outcome, checked

FOLDERS = "/Library/VirtualFolders"
TYPED = dict(realtime_monitor="EnableRealtimeMonitor", save_local_metadata="SaveLocalMetadata",
             metadata_language="PreferredMetadataLanguage", metadata_country="MetadataCountryCode")


def clean(path: str) -> str:
    return path.rstrip("/") or path


class Library:
    def __init__(self, module: AnsibleModule, server: Jellyfin) -> None:
        self.module = module
        self.server = server
        self.params = module.params
        self.name: str = module.params["name"]
        self.outcome = Outcome(module)
        self.refresh = {"refreshLibrary": "true" if module.params["refresh_library"] else "false"}

    def fail(self, message: str) -> None:
        self.server.fail("library %r: %s; nothing was changed" % (self.name, message))

    def converge(self) -> dict[str, Any]:
        paths: Optional[list[str]] = self.params["paths"]
        if paths is not None:
            paths = sorted({clean(p) for p in paths})
            relative = [p for p in paths if not p.startswith("/")]
            if relative:
                self.fail("paths must be absolute, got %s" % ", ".join(relative))
        if "PathInfos" in self.params["options"]:
            self.fail("options: PathInfos is not an option; use paths")
        options = declared(self.module, TYPED, "options")
        existing = next((f for f in self.server.get(FOLDERS) if f.get("Name") == self.name), None)
        if self.params["state"] == "absent":
            changed = ["name"] if existing else []
            self.outcome.record(self.shown(existing) if existing else {}, {}, bool(existing))
            if existing and not self.module.check_mode:
                self.server.write("DELETE", FOLDERS, query=dict(self.refresh, name=self.name))
        elif existing is None:
            changed = self.create(paths, options)
        else:
            changed = self.update(existing, paths, options)
        return self.outcome.result([self.server.http], changed_keys=changed)

    def shown(self, folder: dict[str, Any], options: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        shown: dict[str, Any] = {"name": folder["Name"], "collection_type": folder.get("CollectionType") or "mixed",
                                 "paths": sorted(clean(p) for p in folder.get("Locations") or [])}
        if options:
            shown["options"] = options
        return shown

    def create(self, paths: Optional[list[str]], options: dict[str, Any]) -> list[str]:
        kind = self.params["collection_type"]
        if kind is None:
            self.fail("collection_type is required to create it")
        after = self.shown({"Name": self.name, "CollectionType": kind, "Locations": paths or []}, options)
        self.outcome.record({}, after, True)
        if not self.module.check_mode:
            query = dict(self.refresh, name=self.name, collectionType=kind, paths=paths or [])
            self.server.write("POST", FOLDERS, query=query, body={"LibraryOptions": options})
        return list(after)

    def update(self, folder: dict[str, Any], paths: Optional[list[str]], options: dict[str, Any]) -> list[str]:
        kind = self.params["collection_type"]
        current_kind = folder.get("CollectionType") or "mixed"
        if kind is not None and kind != current_kind:
            self.fail("its collection_type is %s and Jellyfin cannot change it to %s; remove the library "
                      "(state=absent) and create it again" % (current_kind, kind))
        current = folder.get("LibraryOptions") or {}
        wanted, differing = checked(self.server, "library %r options" % self.name, current, options)
        changed = ["options." + k for k in differing]
        before = self.shown(folder, {k: current[k] for k in wanted})
        after = dict(before, options=wanted) if wanted else dict(before)
        locations = {clean(p): p for p in folder.get("Locations") or []}
        added = removed = []
        if paths is not None:
            added = [p for p in paths if p not in locations]
            removed = [locations[p] for p in sorted(locations) if p not in paths]
            after["paths"] = paths
            changed += ["paths"] if added or removed else []
        self.outcome.record(before, after, bool(changed))
        if self.module.check_mode:
            return changed
        if differing:
            body = dict(current, **wanted)     # with the current PathInfos, as the web UI sends them
            # The document types the id as a dashed uuid; Jellyfin lists it without dashes and accepts both.
            self.server.write("POST", FOLDERS + "/LibraryOptions",
                              body={"Id": str(uuid.UUID(folder["ItemId"])), "LibraryOptions": body})
        for path in added:
            self.server.write("POST", FOLDERS + "/Paths", query=self.refresh,
                              body={"Name": self.name, "PathInfo": {"Path": path}})
        for path in removed:
            self.server.write("DELETE", FOLDERS + "/Paths", query=dict(self.refresh, name=self.name, path=path))
        return changed


def main() -> None:
    run_jellyfin(
        lambda module: Library(module, connect(module)).converge(),
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        collection_type=dict(type="str", choices=["movies", "tvshows", "music", "musicvideos", "homevideos",
                                                  "boxsets", "books", "mixed"]),
        paths=dict(type="list", elements="str"),
        options=dict(type="dict", default={}),
        realtime_monitor=dict(type="bool"),
        save_local_metadata=dict(type="bool"),
        metadata_language=dict(type="str"),
        metadata_country=dict(type="str"),
        refresh_library=dict(type="bool", default=False),
    )


if __name__ == "__main__":
    main()
