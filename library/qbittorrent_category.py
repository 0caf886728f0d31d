#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: qbittorrent_category
short_description: Manage one qBittorrent torrent category and its save path
description:
  - Creates, updates or removes a category through the qBittorrent WebUI API v2.
  - An existing category whose save path differs is edited in place (C(torrents/editCategory)), so the
    torrents filed under it keep their category.
  - Works with qBittorrent 4.x and 5.x.
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_qbittorrent
  - mediastack_connection
options:
  name:
    description:
      - Category name, case-sensitive as in qBittorrent. No backslash, no leading or trailing C(/), no C(//);
        a C(/) makes a subcategory.
    type: str
    required: true
  save_path:
    description:
      - Where finished torrents of this category are saved, as seen by qBittorrent.
      - Empty means qBittorrent's default save path plus the category name.
      - When omitted, an existing category keeps its path and a new one gets the empty default.
      - Compared and sent the way qBittorrent stores it (no trailing C(/), no C(//), C(/./) or C(..) parts).
    type: str
  state:
    description: Whether the category should exist.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
    description: Reads and compares, sends no write.
  diff_mode:
    support: full
    description: Before and after of the category's name and save path.
  idempotent:
    support: full
    description: A second run with the same arguments only reads.
notes:
  - Removing a category does not remove its torrents; qBittorrent leaves them uncategorised.
seealso:
  - module: qbittorrent_preferences
"""

EXAMPLES = r"""
- name: Radarr's downloads are filed under "radarr"
  qbittorrent_category:
    url: http://gluetun:8080
    password: "{{ vault_qbittorrent_password }}"
    name: radarr
    save_path: /media/downloads/radarr

- name: An old category goes away
  qbittorrent_category:
    url: http://gluetun:8080
    password: "{{ vault_qbittorrent_password }}"
    name: tv-sonarr
    state: absent
"""

RETURN = r"""
category:
  description: The category after the run (as it would be, in check mode); absent when removed.
  returned: when state is present
  type: dict
  sample: {name: radarr, save_path: /media/downloads/radarr}
api_requests:
  description: HTTP requests this run sent, by method (login included).
  returned: always
  type: dict
  sample: {GET: 1, POST: 1}
"""

import re
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.mediastack.module import Outcome, run
from ansible.module_utils.mediastack.qbittorrent import APP, clean_path, connect, qbittorrent_argument_spec

# qBittorrent's own rule (BitTorrent::Session::isValidCategoryName).
VALID_NAME = re.compile(r"^([^\\/]|[^\\/]([^\\/]|/(?=[^/]))*[^\\/])$")


def main() -> None:
    module = AnsibleModule(
        argument_spec=qbittorrent_argument_spec(
            name=dict(type="str", required=True),
            save_path=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        supports_check_mode=True,
    )
    name, save_path, state = module.params["name"], module.params["save_path"], module.params["state"]
    if not VALID_NAME.match(name):
        module.fail_json(msg="%s: name %r is not a valid category name (no backslash, no leading or trailing "
                             "'/', no '//')" % (APP, name))

    def work() -> dict[str, Any]:
        client = connect(module)
        existing = (client.get_json("/api/v2/torrents/categories") or {}).get(name)
        before = {"name": name, "save_path": existing.get("savePath", "")} if existing else {}
        outcome = Outcome(module)
        if state == "absent":
            outcome.record(before, {}, bool(existing))
            if existing and not module.check_mode:
                client.request("POST", "/api/v2/torrents/removeCategories", form={"categories": name})
            return outcome.result([client])

        after = dict(before or {"name": name, "save_path": ""})
        if save_path is not None:
            # As qBittorrent stores it: editing to a path that only looks different is refused with 409.
            after["save_path"] = clean_path(save_path)
        changed = not existing or after["save_path"] != clean_path(before["save_path"])
        outcome.record(before, after if changed else before, changed)
        if changed and not module.check_mode:
            action = "editCategory" if existing else "createCategory"
            client.request("POST", "/api/v2/torrents/" + action,
                           form={"category": name, "savePath": after["save_path"]})
        return outcome.result([client], category=after if changed else before)

    run(module, work)


if __name__ == "__main__":
    main()
