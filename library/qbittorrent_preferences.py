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
  - Every problem with the declared keys is reported at once before anything is written, among them keys
    the server does not know or derives itself (qBittorrent would ignore them silently), values of the wrong
    type, enumeration names it does not have, ports and times out of range, IP addresses and subnets it
    would drop, and combinations it cannot store.
  - Values are compared in the form qBittorrent stores them, so a declared value it would only rewrite is
    no change. Paths are cleaned (no trailing C(/), no C(//), C(/./) or C(..) parts), IP lists are sets of
    addresses, the subnet whitelist a set of networks, and C(scan_dirs) the whole set of watched folders.
  - Keys that qBittorrent applies only together are sent together. A limit goes with its switch
    (C(max_ratio) with C(max_ratio_enabled), C(max_seeding_time) and C(max_inactive_seeding_time) likewise),
    and a schedule hour goes with its minute. Declaring a limit alone enables it; C(random_port) is sent as
    C(listen_port=0).
  - Works with qBittorrent 4.x and 5.x (WebAPI 2.8 and later).
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_qbittorrent
  - mediastack_connection
options:
  preferences:
    description:
      - Preference keys and values, as named by C(/api/v2/app/preferences), for example C(save_path),
        C(temp_path_enabled), C(temp_path), C(max_ratio_enabled).
      - A string is accepted for a numeric or boolean key when it converts without loss (templated values);
        C(max_ratio) takes fractions; a YAML integer is accepted for a string key (a numeric password).
      - Newline-separated lists (C(banned_IPs), C(bypass_auth_subnet_whitelist), C(excluded_file_names),
        C(add_trackers), ...) may also be given as a list of strings.
      - C(scan_dirs) is the whole set of watched folders (folder to C(0), C(1) or a save path); C({}) watches
        none.
      - C(web_ui_password) is write-only (the server keeps only a hash); it counts as a change when it
        differs from O(password), which is what a run after the change logs in with.
      - Values of secret keys (C(web_ui_password), C(proxy_password), C(mail_notification_password),
        C(dyndns_password), C(web_ui_api_key)) never appear in the output, in messages or in diffs, whatever
        their type, and neither do the values the server holds for them.
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

- name: Seed to a ratio of 1.5 (enables the limit), never discover peers on the LAN
  qbittorrent_preferences:
    url: http://127.0.0.1:8080
    password: "{{ vault_qbittorrent_password }}"
    preferences:
      max_ratio: 1.5
      lsd: false
      banned_IPs: [203.0.113.7, 2001:db8::7]
"""

RETURN = r"""
changed_keys:
  description: The declared keys whose value differed (and were sent, unless in check mode).
  returned: always
  type: list
  elements: str
  sample: [temp_path, temp_path_enabled]
problems:
  description: Every problem with the declared preferences, when the run stopped before writing.
  returned: on failure
  type: list
  elements: str
  sample: ["preferences.max_ratio is kept only while max_ratio_enabled is true"]
api_requests:
  description: HTTP requests this run sent, by method (login included).
  returned: always
  type: dict
  sample: {GET: 1, POST: 1}
"""

import json
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.mediastack.module import Outcome, run
from ansible.module_utils.mediastack.qbittorrent import APP, connect, qbittorrent_argument_spec
from ansible.module_utils.mediastack.qbittorrent_preferences import (
    REBIND_KEYS,
    SECRET_KEYS,
    Plan,
    PreferencesError,
    not_applied,
)

PREFERENCES_PATH = "/api/v2/app/preferences"


def hide_secrets(module: AnsibleModule, values: dict[str, Any]) -> None:
    """Every secret value, whatever its YAML type (even a wrong one), is masked in everything Ansible prints."""
    pending = [values[key] for key in SECRET_KEYS & set(values)]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending += list(value) + list(value.values())
        elif isinstance(value, (list, tuple)):
            pending += list(value)
        elif value not in (None, "") and not isinstance(value, bool):
            module.no_log_values.add(str(value))


def main() -> None:
    module = AnsibleModule(argument_spec=qbittorrent_argument_spec(preferences=dict(type="dict", required=True)),
                           supports_check_mode=True)
    declared: dict[str, Any] = dict(module.params["preferences"])
    hide_secrets(module, declared)
    # The invocation Ansible prints masks only string leaves: a secret of the wrong shape would show.
    for key in SECRET_KEYS & set(declared):
        module.params["preferences"][key] = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    if not declared:
        module.fail_json(msg="%s: preferences must declare at least one key" % APP)

    def work() -> dict[str, Any]:
        client = connect(module)
        current = client.get_json(PREFERENCES_PATH)
        # The stored secrets too: no message may carry one.
        hide_secrets(module, current)
        try:
            plan = Plan(declared, current, module.params["password"])
        except PreferencesError as exc:
            module.fail_json(msg="%s at %s: %s; nothing was changed" % (APP, client.base_url, exc),
                             problems=exc.problems)
        outcome = Outcome(module, SECRET_KEYS)
        outcome.record(plan.before, plan.after, bool(plan.changed))
        if plan.changed and not module.check_mode:
            client.request("POST", "/api/v2/app/setPreferences", form={"json": json.dumps(plan.request)})
            verify_applied(module, client, plan.readable())
        return outcome.result([client], changed_keys=plan.changed)

    run(module, work)


def verify_applied(module: AnsibleModule, client: Any, sent: dict[str, Any]) -> None:
    """qBittorrent answers 200 even for values it refuses: read back and say which did not stick."""
    if not sent or REBIND_KEYS & set(sent):
        return
    refused = not_applied(sent, client.get_json(PREFERENCES_PATH))
    if refused:
        module.fail_json(changed=True, msg="%s at %s accepted but did not apply: %s" % (
            APP, client.base_url, ", ".join(refused)))


if __name__ == "__main__":
    main()
