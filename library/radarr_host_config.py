#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: radarr_host_config
short_description: Set Radarr's host settings (authentication, URL base, instance name, ...)
description:
  - Reads C(/api/v3/config/host), compares only the declared settings and, when one differs, writes the whole
    object back with the declared values merged in (C(PUT /api/v3/config/host/1)); Radarr would reset every
    setting left out of the write.
  - Setting names are checked against what the server returns before anything is written; an unknown name
    fails and lists the valid ones.
  - The API key is not managed here. Radarr ignores it in this write, so the module refuses C(apiKey) rather
    than report a change that never happens. Seed the key before Radarr's first start (C(<ApiKey>) in
    C(config.xml) or E(RADARR__AUTH__APIKEY)).
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_arr.radarr
  - mediastack_connection
options:
  settings:
    description:
      - Any host setting by its API name, for example C(logLevel), C(backupRetention), C(applicationUrl).
      - Values are converted to the type of the server's value.
      - C(apiKey) and C(passwordConfirmation) are refused; use O(password) for the password.
      - The typed options below are shortcuts for the same keys; when both are given they must agree.
      - Settings that make Radarr listen anew (C(port), C(bindAddress), C(urlBase), C(enableSsl)) take effect
        after Radarr restarts; later tasks must use the new address.
    type: dict
    default: {}
  authentication_method:
    description:
      - How the web UI asks for credentials (C(authenticationMethod)); V(forms) needs O(username) and
        O(password) (on the server, or in this run). API calls with the API key work with every method.
      - V(external) leaves authentication to a reverse proxy in front of Radarr.
    type: str
    choices: [none, forms, external]
  authentication_required:
    description:
      - V(enabled) asks everyone; V(disabledForLocalAddresses) lets local addresses in without credentials
        (C(authenticationRequired)).
    type: str
    choices: [enabled, disabledForLocalAddresses]
  username:
    description: Web UI user name (C(username)). Radarr stores it in lower case, so it is compared ignoring case.
    type: str
  password:
    description:
      - Web UI password. Write-only, since Radarr returns only a hash of it; so it is not compared.
      - It is sent when the server has no password yet, when O(username) or O(authentication_method) change in
        the same run, or on every run with O(update_secrets=always).
    type: str
  update_secrets:
    description:
      - V(on_create) sends O(password) only in the cases listed there; V(always) sends it on every run, which
        then always reports a change (use it once to change the password).
    type: str
    choices: [on_create, always]
    default: on_create
  url_base:
    description: URL base when Radarr is served under a path, for example V(/radarr) (C(urlBase)).
    type: str
  instance_name:
    description: Name shown in the web UI and in notifications; must contain V(Radarr) (C(instanceName)).
    type: str
attributes:
  check_mode:
    support: full
    description: Reads and compares, sends no write.
  diff_mode:
    support: full
    description: Before and after of the declared settings; the password is always masked.
  idempotent:
    support: partial
    description:
      - A second run with the same settings only reads (one GET), except with O(update_secrets=always) and a
        O(password), which is sent every time.
seealso:
  - module: radarr_media_management
"""

EXAMPLES = r"""
- name: The web UI asks for a password, except from the LAN
  radarr_host_config:
    url: http://radarr:7878
    api_key: "{{ vault_radarr_api_key }}"
    authentication_method: forms
    authentication_required: disabledForLocalAddresses
    username: admin
    password: "{{ vault_radarr_ui_password }}"

- name: Behind Caddy at https://example.org/radarr
  radarr_host_config:
    api_key: "{{ vault_radarr_api_key }}"
    url_base: /radarr
    settings:
      applicationUrl: https://example.org/radarr
"""

RETURN = r"""
changed_keys:
  description: The declared settings that differed or were sent (C(password) when it was sent).
  returned: always
  type: list
  elements: str
  sample: [authenticationMethod, password]
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"GET /api/v3/config/host": 1}
"""

from typing import Any, Mapping

from ansible.module_utils.mediastack.arr import RADARR, UPDATE_SECRETS, ConfigKind, run_config, top

# Changing either of these re-saves the user, so the password goes along.
CREDENTIAL_KEYS = frozenset(("authenticationMethod", "username"))


def send_password(params: Mapping[str, Any], declared: dict[str, Any], current: dict[str, Any],
                  changed: list[str]) -> dict[str, Any]:
    password = declared["password"]
    if params["update_secrets"] == "always" or not current.get("password") or CREDENTIAL_KEYS & set(changed):
        return {"password": password, "passwordConfirmation": password}
    return {}


KIND = ConfigKind(
    app=RADARR, name="host", noun="host",
    options=dict(
        authentication_method=top("authenticationMethod", type="str", choices=["none", "forms", "external"]),
        authentication_required=top("authenticationRequired", type="str",
                                    choices=["enabled", "disabledForLocalAddresses"]),
        username=top("username", type="str"),
        password=top("password", type="str", no_log=True),
        url_base=top("urlBase", type="str"),
        instance_name=top("instanceName", type="str"),
    ),
    extra_options=dict(update_secrets=UPDATE_SECRETS),
    refused=dict(
        apiKey="Radarr ignores the API key in this write; seed it in config.xml or RADARR__AUTH__APIKEY",
        passwordConfirmation="set from password by the module",
    ),
    secret_keys=frozenset(("apiKey", "sslCertPassword", "proxyPassword")),
    write_only=frozenset(("password",)),
    send_write_only=send_password,
    casefold_keys=frozenset(("username",)),
)


def main() -> None:
    run_config(KIND)


if __name__ == "__main__":
    main()
