#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: seerr_settings
short_description: Set Seerr's main and network settings, and finish its setup (initialize)
description:
  - Reads the anonymous C(GET /api/v1/settings/public) (it also carries the bounded wait for a starting Seerr),
    then C(GET /api/v1/settings/main) and C(GET /api/v1/settings/network) for what is declared, compares only the
    declared settings and posts only those that differ (Seerr merges a posted body into what it has).
  - Setting names are checked against what Seerr returns before anything is written; an unknown name fails and
    lists the valid ones. Values are converted to the type of Seerr's value; nested settings (C(proxy),
    C(dnsCache)) compare on their declared keys.
  - With O(initialize) it posts C(POST /api/v1/settings/initialize) once, after the settings, so the web UI stops
    showing its setup wizard. An instance that is initialized already is recognised and never initialized again;
    Seerr cannot be un-initialized.
  - Needs the first setup done (seerr_jellyfin) and O(api_key).
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_seerr
  - mediastack_connection
options:
  application_url:
    description: The URL users reach Seerr at, used in links and notifications (C(main.applicationUrl)).
    type: str
  application_title:
    description: The title shown in the web UI (C(main.applicationTitle)).
    type: str
  main:
    description:
      - Any main setting by its API name (for example C(hideAvailable), C(localLogin), C(defaultPermissions)), for
        what has no typed option; the typed options are shortcuts for the same keys and must agree with it.
      - C(apiKey) is refused (Ansible decides it and seeds it through E(API_KEY)), and so is C(mediaServerType)
        (the first setup sets it).
    type: dict
    default: {}
  trust_proxy:
    description:
      - Trust the C(X-Forwarded-*) headers of a reverse proxy, needed behind Caddy (C(network.trustProxy)). Seerr
        applies it after a restart.
    type: bool
  csrf_protection:
    description: Seerr's CSRF protection (C(network.csrfProtection)); it needs HTTPS.
    type: bool
  network:
    description:
      - Any network setting by its API name (for example C(forceIpv4First), C(proxy), C(dnsCache)), for what has
        no typed option; the typed options are shortcuts for the same keys and must agree with it.
      - A C(proxy.password) is never shown.
    type: dict
    default: {}
  initialize:
    description:
      - Mark the instance initialized (C(POST /api/v1/settings/initialize)) when it is not yet. V(false) leaves the
        flag as it is.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: Reads and compares, sends no write (initialize included).
  diff_mode:
    support: full
    description: Before and after of the declared settings and of C(initialized).
  idempotent:
    support: full
    description: A second run only reads (the public settings and one GET per declared document).
seealso:
  - module: seerr_jellyfin
  - module: seerr_radarr
"""

EXAMPLES = r"""
- name: Seerr behind Caddy, set up for good
  seerr_settings:
    url: http://seerr:5055
    api_key: "{{ seerr_api_key }}"
    application_url: https://requests.example.org
    trust_proxy: true
    main:
      hideAvailable: true
"""

RETURN = r"""
initialized:
  description: Whether the instance is initialized after this run (in check mode, whether it would be).
  returned: always
  type: bool
  sample: true
changed_keys:
  description: The declared settings that differed, and C(initialized) when this run initialized the instance.
  returned: always
  type: list
  elements: str
  sample: [applicationUrl, trustProxy, initialized]
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"GET /api/v1/settings/public": 1, "GET /api/v1/settings/main": 1, "GET /api/v1/settings/network": 1}
"""

from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.mediastack.module import Outcome, converge_document, declared_options, fail_at
from ansible.module_utils.mediastack.seerr import APP, Seerr, run_seerr

MAIN = dict(application_url="applicationUrl", application_title="applicationTitle")
NETWORK = dict(trust_proxy="trustProxy", csrf_protection="csrfProtection")
REFUSED = dict(apiKey="Ansible decides the API key and seeds it through API_KEY",
               mediaServerType="the first setup (seerr_jellyfin) sets it")


def converge(module: AnsibleModule) -> dict[str, Any]:
    params = module.params
    settings = declared_options(module, APP, MAIN, "main", secret_keys=("apiKey",))
    network = declared_options(module, APP, NETWORK, "network")
    refused = sorted(set(settings) & set(REFUSED))
    if refused:
        fail_at(module, APP, "main: %s; nothing was changed" % "; ".join("%s: %s" % (k, REFUSED[k]) for k in refused))
    proxy = network.get("proxy")
    if isinstance(proxy, dict) and proxy.get("password"):
        module.no_log_values.add(str(proxy["password"]))
    if not (settings or network or params["initialize"]):
        fail_at(module, APP, "declare at least one setting, or initialize")
    server = Seerr(module)
    server.require_api_key()
    initialized = bool(server.public().get("initialized"))
    outcome = Outcome(module)
    changed = converge_document(server, "/settings/main", settings, outcome, whole=False) if settings else []
    if network:
        changed += converge_document(server, "/settings/network", network, outcome, whole=False)
    if params["initialize"]:
        outcome.record({"initialized": initialized}, {"initialized": True}, not initialized)
        if not initialized:
            changed.append("initialized")
            if not module.check_mode:
                server.write("POST", "/settings/initialize")
        initialized = True
    return outcome.result([server.http], initialized=initialized, changed_keys=changed)


def main() -> None:
    run_seerr(
        converge,
        application_url=dict(type="str"),
        application_title=dict(type="str"),
        main=dict(type="dict", default={}),
        trust_proxy=dict(type="bool"),
        csrf_protection=dict(type="bool"),
        network=dict(type="dict", default={}),
        initialize=dict(type="bool", default=True),
    )


if __name__ == "__main__":
    main()
