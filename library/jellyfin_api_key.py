#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: jellyfin_api_key
short_description: Make sure Jellyfin has an API key for an app, and return it
description:
  - Looks for a key of the app in C(GET /Auth/Keys) by its app name (ignoring case) and returns it. Only when
    there is none does it create one (C(POST /Auth/Keys?app=<name>)).
  - Jellyfin adds one more key on every create, even for a name that has one, and its answer carries no key;
    so the module always lists first, and after a create reads the list again to find the new key.
  - A key acts as an administrator. Use it for Radarr's Jellyfin notification or for Seerr.
  - With V(state=absent), every key of the app is revoked (C(DELETE /Auth/Keys/<key>)).
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_jellyfin
  - mediastack_connection
  - mediastack_jellyfin.credentials
options:
  name:
    description: The app name the key is for, as Jellyfin shows it (C(AppName)), for example V(Radarr).
    type: str
    required: true
  state:
    description: V(present) keeps (or creates) one key for the app; V(absent) revokes all of its keys.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
    description: Reads and compares, creates and revokes nothing; a key that would be created is returned as null.
  diff_mode:
    support: full
    description: Before and after of the app name and the number of its keys; keys themselves are never shown.
  idempotent:
    support: full
    description: A second run finds the key and only reads (the login, if any, and one GET of C(/Auth/Keys)).
notes:
  - The key is in the result (RV(key)), so set C(no_log) on the task and keep the registered value out of any
    output. The module itself never puts the key in a message or a diff.
seealso:
  - module: jellyfin_setup
"""

EXAMPLES = r"""
- name: A Jellyfin API key for Radarr
  jellyfin_api_key:
    url: http://jellyfin:8096
    username: admin
    password: "{{ vault_jellyfin_admin_password }}"
    name: Radarr
  register: jellyfin_radarr_key
  no_log: true

- name: Revoke the keys of an app that is gone
  jellyfin_api_key:
    api_key: "{{ jellyfin_radarr_key.key }}"
    name: Overseerr
    state: absent
"""

RETURN = r"""
key:
  description: The app's API key (the oldest, when there are several); null when absent, or in check mode
    before it exists.
  returned: always
  type: str
  sample: 8f3d5a1c2b7e4f6a9d0c1b2a3e4f5d6c
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"POST /Users/AuthenticateByName": 1, "GET /Auth/Keys": 1}
"""

from typing import Any, Optional

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.mediastack.jellyfin import Jellyfin, connect, run_jellyfin
from ansible.module_utils.mediastack.module import Outcome

KEYS = "/Auth/Keys"


def keys_of(server: Jellyfin, name: str) -> list[str]:
    """The app's keys, oldest first. They are not added to no_log_values: Ansible would then mask the one the
    module returns; no message or diff ever holds one."""
    items = server.get(KEYS).get("Items") or []
    mine = sorted((i for i in items if str(i.get("AppName") or "").lower() == name.lower()),
                  key=lambda i: (i.get("DateCreated") or "", i.get("Id") or 0))
    return [i["AccessToken"] for i in mine]


def converge(module: AnsibleModule) -> dict[str, Any]:
    server = connect(module)
    name: str = module.params["name"]
    keys = keys_of(server, name)
    outcome = Outcome(module)
    before = {"name": name, "keys": len(keys)} if keys else {}
    key: Optional[str] = keys[0] if keys else None
    if module.params["state"] == "absent":
        outcome.record(before, {}, bool(keys))
        for token in keys:
            server.hide(token)           # it is in the DELETE's path
            if not module.check_mode:
                server.write("DELETE", "%s/%s" % (KEYS, token))
        key = None
    else:
        outcome.record(before, before or {"name": name, "keys": 1}, not keys)
        if not keys and not module.check_mode:
            server.write("POST", KEYS, query={"app": name})
            created = keys_of(server, name)
            if not created:
                server.fail("%s: created a key for %r but cannot find it in the list" % (KEYS, name))
            key = created[0]
    return outcome.result([server.http], key=key)


def main() -> None:
    run_jellyfin(
        converge,
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )


if __name__ == "__main__":
    main()
