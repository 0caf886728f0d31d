#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: profilarr_arr_instance
short_description: Link one Radarr (or Sonarr) to Profilarr
description:
  - Creates, updates or removes an arr instance in Profilarr 2, found by its name, ignoring case, in one
    C(GET /api/v1/arr) - Profilarr's only JSON endpoint for them, which never shows the instances' API keys.
  - Profilarr has no JSON endpoint to write one; the module posts the forms its web UI posts
    (C(POST /arr/new), C(POST /arr/<id>/settings?/update) and C(?/delete)) and reads their SvelteKit answers.
    Those endpoints are not a stable contract; an answer of another shape fails and names the endpoint.
  - An update sends the whole form (name, URL, tags, enabled, refresh interval), the undeclared values as
    Profilarr has them, so nothing undeclared changes; the arr's API key only when it must (see
    O(secrets_ledger)).
  - Profilarr refuses a second instance of the same type and URL; a declared name that would make one fails
    before anything is sent, naming the instance that has that URL.
  - When Profilarr creates a Radarr or Sonarr instance it also sets that arr's default delay profile (when its
    general setting to apply default delay profiles is on, the default).
  - Only the declared settings are compared; nothing is written unless one differs.
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_profilarr
  - mediastack_connection
options:
  name:
    description: The instance's name in Profilarr, matched ignoring case.
    type: str
    required: true
  state:
    description: V(present) creates or updates the instance; V(absent) removes it from Profilarr (not from the arr).
    type: str
    choices: [present, absent]
    default: present
  type:
    description: The arr's kind. Profilarr never changes it; a different one fails (remove the instance first).
    type: str
    choices: [radarr, sonarr]
    default: radarr
  arr_url:
    description:
      - The arr's URL as Profilarr reaches it, for example V(http://172.20.0.13:7878). Required to create.
      - Compared without a trailing slash.
    type: str
  arr_api_key:
    description:
      - The arr's API key. Required to create. Profilarr never shows it, so it is sent on create, and later only
        when O(secrets_ledger) says it differs from the key last sent, or always with O(update_secrets=always).
      - Never shown in any output; the diff shows it masked.
    type: str
  tags:
    description: Profilarr's tags of the instance, compared as a set.
    type: list
    elements: str
  enabled:
    description: Whether Profilarr uses the instance. Created enabled.
    type: bool
  library_refresh_interval:
    description: Minutes between refreshes of Profilarr's cache of the arr's library; V(0) refreshes only by hand.
    type: int
  update_secrets:
    description:
      - V(on_create) sends O(arr_api_key) when the instance is created, and afterwards when O(secrets_ledger)
        says it differs from the one last sent.
      - V(always) sends it on every run; the run then always reports a change.
    type: str
    choices: [on_create, always]
    default: on_create
  secrets_ledger:
    description:
      - A file on the managed host where the module remembers the API key it sent, as a salted PBKDF2 hash
        (JSON, mode 0600), shared with the *arr modules' ledger format. With it a rotated arr key reaches
        Profilarr; without it the key is sent only on create.
    type: path
attributes:
  check_mode:
    support: full
    description: Reads and compares, sends no form.
  diff_mode:
    support: full
    description: Before and after of the name and the declared settings; the arr's API key is masked.
  idempotent:
    support: full
    description: A second run sends one GET of the list, nothing else.
notes:
  - Profilarr's administrator (its first-run setup in the web UI) is not needed for this module; the key of
    E(PROFILARR_API_KEY) acts before anyone set Profilarr up.
seealso:
  - module: radarr_host_config
"""

EXAMPLES = r"""
- name: Radarr in Profilarr
  profilarr_arr_instance:
    url: http://profilarr:6868
    api_key: "{{ profilarr_api_key }}"
    name: Radarr
    arr_url: http://radarr:7878
    arr_api_key: "{{ radarr_api_key }}"
    secrets_ledger: /opt/mediastack/secrets/profilarr-sent.json

- name: Behind Caddy, Profilarr's ORIGIN is its public address
  profilarr_arr_instance:
    url: http://profilarr:6868
    origin: https://profilarr.example.org
    api_key: "{{ profilarr_api_key }}"
    name: Radarr
    library_refresh_interval: 60

- name: An old link gone
  profilarr_arr_instance:
    api_key: "{{ profilarr_api_key }}"
    name: Radarr 4K
    state: absent
"""

RETURN = r"""
id:
  description: The instance's id in Profilarr; null when absent or not yet created in check mode.
  returned: always
  type: int
  sample: 1
changed_keys:
  description: What differed (every declared key on create).
  returned: always
  type: list
  elements: str
  sample: [url, api_key]
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"GET /api/v1/arr": 1}
"""

import json
from typing import Any, Optional

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.mediastack.compare import differing_keys
from ansible.module_utils.mediastack.ledger import LedgerError, SecretLedger
from ansible.module_utils.mediastack.module import Outcome
from ansible.module_utils.mediastack.profilarr import INSTANCES, Profilarr, run_profilarr

NEW = "/arr/new"
SECRETS = ("api_key",)
# What Profilarr gives a new instance.
CREATED = dict(enabled=1, library_refresh_interval=0)


class ArrInstance:
    def __init__(self, module: AnsibleModule, server: Profilarr) -> None:
        self.module = module
        self.server = server
        self.params = module.params
        self.outcome = Outcome(module, SECRETS)
        self.ledger: Optional[SecretLedger] = None
        if self.params["secrets_ledger"]:
            try:
                self.ledger = SecretLedger(self.params["secrets_ledger"])
            except LedgerError as exc:
                self.fail(str(exc))

    def fail(self, message: str) -> None:
        self.server.fail("arr instance %r: %s; nothing was changed" % (self.params["name"], message))

    def converge(self) -> dict[str, Any]:
        name = self.params["name"]
        if self.params["library_refresh_interval"] is not None and self.params["library_refresh_interval"] < 0:
            self.fail("library_refresh_interval must be 0 (by hand) or more minutes")
        instances = self.server.instances()
        existing = next((i for i in instances if str(i.get("name") or "").lower() == name.lower()), None)
        if self.params["state"] == "absent":
            return self.absent(existing)
        wanted = self.wanted()
        if existing is not None and existing.get("type") != wanted["type"]:
            self.fail("it is a %s instance and Profilarr never changes an instance's type; remove it "
                      "(state=absent) to link a %s" % (existing.get("type"), wanted["type"]))
        url = wanted.get("url")
        other = next((i for i in instances if i is not existing and i.get("type") == wanted["type"]
                      and url is not None and clean(str(i.get("url") or "")) == url), None)
        if other is not None:
            self.fail("Profilarr already links the %s at %s as %r, and refuses a second instance of one URL; "
                      "declare that name, or remove it first" % (wanted["type"], url, other["name"]))
        if existing is None:
            return self.create(wanted)
        return self.update(existing, wanted)

    def wanted(self) -> dict[str, Any]:
        wanted: dict[str, Any] = dict(name=self.params["name"], type=self.params["type"])
        if self.params["arr_url"] is not None:
            wanted["url"] = clean(self.params["arr_url"].strip())
        if self.params["tags"] is not None:
            wanted["tags"] = [str(t) for t in self.params["tags"]]
        if self.params["enabled"] is not None:
            wanted["enabled"] = int(self.params["enabled"])
        if self.params["library_refresh_interval"] is not None:
            wanted["library_refresh_interval"] = self.params["library_refresh_interval"]
        return wanted

    def create(self, wanted: dict[str, Any]) -> dict[str, Any]:
        key = self.params["arr_api_key"]
        for option, value in (("arr_url", wanted.get("url")), ("arr_api_key", key)):
            if not value:
                self.fail("%s is required to create it" % option)
        self.outcome.record({}, dict(wanted, api_key=key), True)
        changed = list(wanted) + ["api_key"]
        if self.module.check_mode:
            return self.outcome.result([self.server.http], id=None, changed_keys=changed)
        self.server.action(NEW, dict(name=wanted["name"], type=wanted["type"], url=wanted["url"], api_key=key,
                                     tags=json.dumps(wanted.get("tags", [])), external_url=""))
        created = self.find(wanted["name"])
        self.remember(key)
        # Profilarr creates every instance enabled, refreshed by hand: anything else takes an update.
        if differing_keys({k: wanted[k] for k in CREATED if k in wanted}, created):
            self.send(created, dict(created, **wanted), "")
        return self.outcome.result([self.server.http], id=created["id"], changed_keys=changed)

    def update(self, existing: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
        current = dict(existing, url=clean(str(existing.get("url") or "")))
        changed = differing_keys(wanted, current, ("tags",))
        key = self.params["arr_api_key"] or ""
        if key and self.key_differs(existing["name"], key):
            changed.append("api_key")
        else:
            key = ""                     # a blank key keeps the one Profilarr has
        before = {k: current.get(k) for k in wanted}
        after = dict(wanted)
        if key:
            before["api_key"], after["api_key"] = "(unknown)", key
        self.outcome.record(before, after, bool(changed))
        if changed and not self.module.check_mode:
            self.send(existing, dict(current, **wanted), key)
            self.remember(key)
        return self.outcome.result([self.server.http], id=existing["id"], changed_keys=changed)

    def absent(self, existing: Optional[dict[str, Any]]) -> dict[str, Any]:
        if existing is not None:
            self.outcome.record({"name": existing["name"], "url": existing.get("url")}, {}, True)
            if not self.module.check_mode:
                self.server.action(self.settings(existing), {}, "delete")
                if self.ledger is not None:
                    self.ledger.forget(self.ledger_key(existing["name"]))
                    self.save_ledger()
        return self.outcome.result([self.server.http], id=None, changed_keys=["name"] if existing else [])

    def send(self, existing: dict[str, Any], values: dict[str, Any], key: str) -> None:
        """The whole update form: Profilarr sets every field from it (a missing `enabled` disables)."""
        self.server.action(self.settings(existing), dict(
            name=values["name"], url=values["url"], api_key=key, tags=json.dumps(values.get("tags") or []),
            enabled="1" if values.get("enabled") else "0",
            library_refresh_interval=str(values.get("library_refresh_interval") or 0)), "update")

    @staticmethod
    def settings(instance: dict[str, Any]) -> str:
        return "/arr/%s/settings" % instance["id"]

    def find(self, name: str) -> dict[str, Any]:
        found = next((i for i in self.server.instances() if i.get("name") == name), None)
        if found is None:
            self.server.fail("arr instance %r: %s answered that it was created, but does not list it"
                             % (name, NEW))
        return found  # type: ignore[return-value]

    # -- the arr's API key, which Profilarr never shows

    def key_differs(self, name: str, key: str) -> bool:
        if self.params["update_secrets"] == "always":
            return True
        return self.ledger is not None and self.ledger.differs(self.ledger_key(name), key)

    def ledger_key(self, name: str) -> str:
        return "%s %s %s api_key" % (self.server.http.base_url, INSTANCES, name.lower())

    def remember(self, key: str) -> None:
        if self.ledger is not None and key:
            self.ledger.remember(self.ledger_key(self.params["name"]), key)
            self.save_ledger()

    def save_ledger(self) -> None:
        try:
            self.ledger.save()  # type: ignore[union-attr]
        except LedgerError as exc:
            # Profilarr already holds the write: say so, and that the next run sends the key once more.
            self.server.fail("arr instance %r: saved, but %s; the next run sends its API key again"
                             % (self.params["name"], exc))


def clean(url: str) -> str:
    return url.rstrip("/") or url


def main() -> None:
    run_profilarr(
        lambda module: ArrInstance(module, Profilarr(module)).converge(),
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        type=dict(type="str", choices=["radarr", "sonarr"], default="radarr"),
        arr_url=dict(type="str"),
        arr_api_key=dict(type="str", no_log=True),
        tags=dict(type="list", elements="str"),
        enabled=dict(type="bool"),
        library_refresh_interval=dict(type="int"),
        update_secrets=dict(type="str", choices=["on_create", "always"], default="on_create"),
        secrets_ledger=dict(type="path"),
    )


if __name__ == "__main__":
    main()
