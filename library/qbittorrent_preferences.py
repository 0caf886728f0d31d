#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: qbittorrent_preferences
short_description: Set qBittorrent application preferences over the WebUI API
description:
  - Reads C(/api/v2/app/preferences), compares only the keys you declare and sends only the ones that
    differ to C(/api/v2/app/setPreferences), then reads them back to prove they took effect.
  - Keys the server does not know are rejected before anything is written (qBittorrent itself would
    ignore them silently). Values are checked against the type the server reports.
  - Works with qBittorrent 4.x and 5.x (WebAPI 2.8 and later).
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_qbittorrent
options:
  preferences:
    description:
      - Preference keys and values, as named by C(/api/v2/app/preferences), for example C(save_path),
        C(temp_path_enabled), C(temp_path), C(max_ratio_enabled).
      - A string is accepted for a numeric or boolean key when it converts without loss (templated values).
      - C(web_ui_password) is write-only (the server keeps only a hash); it counts as a change when it
        differs from O(password), which is what a run after the change logs in with.
      - Values of secret keys (C(web_ui_password), C(proxy_password), C(mail_notification_password),
        C(dyndns_password), C(web_ui_api_key)) never appear in the output.
    type: dict
    required: true
attributes:
  check_mode:
    support: full
    description: Reads and compares, sends no write.
  diff_mode:
    support: full
    description: Before and after of the declared keys, secrets masked.
  idempotent:
    support: full
    description: A second run with the same preferences only reads.
notes:
  - Changing C(web_ui_port), C(web_ui_address) or the HTTPS settings makes the WebUI listen anew; those keys
    are not read back, and later tasks must use the new address.
seealso:
  - module: qbittorrent_category
"""

EXAMPLES = r"""
- name: Downloads land in the shared media tree, unfinished ones apart
  qbittorrent_preferences:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ vault_qbittorrent_password }}"
    preferences:
      save_path: /media/downloads
      temp_path_enabled: true
      temp_path: /media/downloads/incomplete
      max_ratio_enabled: false
"""

RETURN = r"""
changed_keys:
  description: The declared keys whose value differed (and were sent, unless in check mode).
  returned: always
  type: list
  elements: str
  sample: [temp_path, temp_path_enabled]
api_requests:
  description: HTTP requests this run sent, by method (login included).
  returned: always
  type: dict
  sample: {GET: 1, POST: 1}
"""

import json
from difflib import get_close_matches
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.mediastack.compare import differing_keys
from ansible.module_utils.mediastack.module import Outcome, run
from ansible.module_utils.mediastack.qbittorrent import APP, connect, qbittorrent_argument_spec
from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

SECRET_KEYS = frozenset(
    ("web_ui_password", "proxy_password", "mail_notification_password", "dyndns_password", "web_ui_api_key"))
# Accepted by setPreferences but never returned by preferences.
WRITE_ONLY_KEYS = frozenset(("web_ui_password",))
# After these change the WebUI listens on a new socket: reading back on the old one would fail.
REBIND_KEYS = frozenset(("web_ui_port", "web_ui_address", "use_https", "web_ui_https_cert_path",
                         "web_ui_https_key_path"))
PREFERENCES_PATH = "/api/v2/app/preferences"


def conform(key: str, value: Any, current: Any) -> Any:
    """`value` in the type the server uses for `key`, or ValueError saying what was expected."""
    if current is None:
        return value
    if isinstance(current, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in BOOLEANS_TRUE | BOOLEANS_FALSE:
            return value.lower() in BOOLEANS_TRUE
    elif isinstance(current, (int, float)):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(current, float) or float(value).is_integer():
                return value if isinstance(current, float) else int(value)
        elif isinstance(value, str):
            try:
                return float(value) if isinstance(current, float) else int(value, 10)
            except ValueError:
                pass
    elif isinstance(value, type(current)):
        return value
    raise ValueError("%s must be %s like the server's %r, got %r" % (key, type(current).__name__, current, value))


def main() -> None:
    module = AnsibleModule(argument_spec=qbittorrent_argument_spec(preferences=dict(type="dict", required=True)),
                           supports_check_mode=True)
    declared: dict[str, Any] = dict(module.params["preferences"])
    for key in SECRET_KEYS & set(declared):
        if isinstance(declared[key], str) and declared[key]:
            module.no_log_values.add(declared[key])
    if not declared:
        module.fail_json(msg="%s: preferences must declare at least one key" % APP)

    def work() -> dict[str, Any]:
        client = connect(module)
        current = client.get_json(PREFERENCES_PATH)
        unknown = sorted(set(declared) - set(current) - WRITE_ONLY_KEYS)
        if unknown:
            hints = ["%s (did you mean %s?)" % (k, ", ".join(m)) if m else k
                     for k in unknown for m in [get_close_matches(k, list(current), n=2)]]
            module.fail_json(msg="%s at %s does not know preference(s): %s; nothing was changed"
                             % (APP, client.base_url, "; ".join(hints)))
        try:
            wanted = {k: conform(k, v, current.get(k)) for k, v in declared.items()}
        except ValueError as exc:
            module.fail_json(msg="%s at %s: preferences.%s; nothing was changed" % (APP, client.base_url, exc))
        readable = {k: v for k, v in wanted.items() if k not in WRITE_ONLY_KEYS}
        changed = differing_keys(readable, current)
        changed += [k for k in WRITE_ONLY_KEYS & set(wanted) if wanted[k] != module.params["password"]]
        changes = {k: wanted[k] for k in changed}
        outcome = Outcome(module, SECRET_KEYS)
        outcome.record({k: current.get(k) for k in changed}, changes, bool(changes))
        if changes and not module.check_mode:
            client.request("POST", "/api/v2/app/setPreferences", form={"json": json.dumps(changes)})
            verify_applied(module, client, {k: v for k, v in changes.items() if k in readable})
        return outcome.result([client], changed_keys=changed)

    run(module, work)


def verify_applied(module: AnsibleModule, client: Any, sent: dict[str, Any]) -> None:
    """qBittorrent answers 200 even for values it refuses: read back and say which did not stick."""
    if not sent or REBIND_KEYS & set(sent):
        return
    now = client.get_json(PREFERENCES_PATH)
    refused = differing_keys(sent, now)
    if refused:
        module.fail_json(changed=True, msg="%s at %s accepted but did not apply: %s" % (
            APP, client.base_url, ", ".join("%s (sent %r, now %r)" % (k, sent[k], now.get(k)) for k in refused)))


if __name__ == "__main__":
    main()
