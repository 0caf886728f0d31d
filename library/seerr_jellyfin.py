#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: seerr_jellyfin
short_description: Run Seerr's first setup with Jellyfin, then keep its Jellyfin settings and enabled libraries
description:
  - Asks the anonymous C(GET /api/v1/settings/public) (it also carries the bounded wait for a starting Seerr)
    whether a media server is configured.
  - While none is, runs the first setup the way the web UI does - C(POST /api/v1/auth/jellyfin) as the Jellyfin
    administrator with Jellyfin's hostname, port, SSL flag and URL base. Seerr logs in to Jellyfin, makes that
    user its own administrator (user 1, the one its API key acts as), creates a Jellyfin API key named C(Seerr)
    and answers with a session cookie, which the rest of the run uses (the API key authenticates nobody before
    this user exists).
  - Once configured, it acts with O(api_key), or logs in with the Jellyfin administrator's name and password
    (the same call without a hostname). It compares the declared Jellyfin settings with
    C(GET /api/v1/settings/jellyfin) and posts only those that differ (Seerr merges them and checks Jellyfin).
  - O(libraries) is the whole set of enabled libraries, by name. Seerr's only library call,
    C(GET /api/v1/settings/jellyfin/library?enable=<ids>), overwrites the enabled flag of every library, so the
    module computes and sends the whole wanted set, and only when it differs. A name Seerr does not know yet
    (right after the first setup it knows none) makes it sync the list from Jellyfin first, keeping the
    current set; a name Jellyfin does not have fails and lists Jellyfin's libraries.
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_seerr
  - mediastack_connection
options:
  jellyfin_username:
    description: The Jellyfin administrator Seerr logs in as (it becomes Seerr's administrator at the first setup).
    type: str
    default: admin
  jellyfin_password:
    description:
      - The Jellyfin administrator's password. Needed for the first setup, and afterwards when no O(api_key) is
        given. Never shown in any output; nor is the session cookie.
    type: str
  jellyfin_hostname:
    description: Jellyfin's host as Seerr reaches it, for example V(jellyfin) or V(172.20.0.10) (C(ip)). Needed for
      the first setup.
    type: str
  jellyfin_port:
    description: Jellyfin's port (C(port)).
    type: int
    default: 8096
  jellyfin_use_ssl:
    description: Reach Jellyfin over HTTPS (C(useSsl)).
    type: bool
    default: false
  jellyfin_url_base:
    description: Jellyfin's base URL path, empty when it has none (C(urlBase)).
    type: str
    default: ""
  email:
    description: The e-mail address of Seerr's administrator, given at the first setup only.
    type: str
  external_hostname:
    description: Jellyfin's URL for users, for links in the web UI (C(externalHostname)).
    type: str
  recovery_url:
    description: Where the login page's "forgot password" link goes (C(jellyfinForgotPasswordUrl)).
    type: str
  libraries:
    description:
      - The Jellyfin libraries Seerr scans, by name (case ignored); every other library is disabled. Omit to leave
        the enabled set alone.
    type: list
    elements: str
attributes:
  check_mode:
    support: full
    description:
      - Reads and compares, sends no write - not the first setup, and no library call (each one is a write). A
        library name Seerr has not synced yet is then reported as a change without being checked.
  diff_mode:
    support: full
    description: Before and after of C(configured), the declared Jellyfin settings and the enabled libraries; the
      password is never shown.
  idempotent:
    support: full
    description: A second run only reads (the public settings, a login without O(api_key), one GET).
seealso:
  - module: jellyfin_setup
  - module: seerr_settings
"""

EXAMPLES = r"""
- name: Seerr's first setup with Jellyfin, and the libraries it scans
  seerr_jellyfin:
    url: http://seerr:5055
    api_key: "{{ seerr_api_key }}"
    jellyfin_username: admin
    jellyfin_password: "{{ vault_jellyfin_admin_password }}"
    jellyfin_hostname: jellyfin
    jellyfin_port: 8096
    external_hostname: https://tv.example.org
    libraries: [Movies]
"""

RETURN = r"""
setup_ran:
  description: Whether this run did the first setup (in check mode, whether it would).
  returned: always
  type: bool
  sample: true
libraries:
  description: The enabled libraries by name after this run (in check mode, as they would be).
  returned: always
  type: list
  elements: str
  sample: [Movies]
changed_keys:
  description: What differed (C(configured) for the first setup, the Jellyfin settings, C(libraries)).
  returned: always
  type: list
  elements: str
  sample: [configured, libraries]
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"GET /api/v1/settings/public": 1, "GET /api/v1/settings/jellyfin": 1}
"""

from typing import Any, Optional

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.mediastack.compare import suggestions
from ansible.module_utils.mediastack.module import Outcome, converge_document, declared_options
from ansible.module_utils.mediastack.seerr import APP, JELLYFIN, Seerr, run_seerr

SETTINGS = "/settings/jellyfin"
LIBRARY = SETTINGS + "/library"
CONNECTION = dict(jellyfin_hostname="ip", jellyfin_port="port", jellyfin_use_ssl="useSsl",
                  jellyfin_url_base="urlBase")
TYPED = dict(CONNECTION, external_hostname="externalHostname", recovery_url="jellyfinForgotPasswordUrl")


class Setup:
    def __init__(self, module: AnsibleModule, server: Seerr) -> None:
        self.module = module
        self.server = server
        self.params = module.params
        self.outcome = Outcome(module)

    def login(self, **first_setup: Any) -> None:
        self.server.login(self.params["jellyfin_username"], self.params["jellyfin_password"], **first_setup)

    def converge(self) -> dict[str, Any]:
        params = self.params
        settings = declared_options(self.module, APP, TYPED)
        configured = self.server.public().get("mediaServerType") == JELLYFIN
        changed: list[str] = []
        if configured:
            self.outcome.record({"configured": True}, {"configured": True}, False)
            if not params["api_key"]:
                if not params["jellyfin_password"]:
                    self.server.fail("give api_key, or jellyfin_password to log in")
                self.login()
        else:
            for option in ("jellyfin_hostname", "jellyfin_password"):
                if not params[option]:
                    self.server.fail("%s is required for the first setup; nothing was changed" % option)
            connection = {k: v for k, v in settings.items() if k in CONNECTION.values()}
            self.outcome.record({"configured": False}, dict(connection, configured=True), True)
            changed.append("configured")
            if self.module.check_mode:
                return self.planned(settings, changed)
            first = dict(hostname=params["jellyfin_hostname"], port=params["jellyfin_port"],
                         useSsl=params["jellyfin_use_ssl"], urlBase=params["jellyfin_url_base"], serverType=JELLYFIN)
            if params["email"]:
                first["email"] = params["email"]
            self.login(**first)
            settings = {k: v for k, v in settings.items() if k not in connection}
        current = self.server.get(SETTINGS)
        if settings:
            changed += converge_document(self.server, SETTINGS, settings, self.outcome, whole=False, current=current)
        enabled = self.libraries(current.get("libraries") or [], changed)
        return self.outcome.result([self.server.http], setup_ran=not configured, libraries=enabled,
                                   changed_keys=changed)

    def planned(self, settings: dict[str, Any], changed: list[str]) -> dict[str, Any]:
        """Check mode before the first setup: nothing can be read behind it, so the declared values are the plan."""
        wanted = sorted(self.params["libraries"] or [])
        after = dict(settings, libraries=wanted) if self.params["libraries"] is not None else dict(settings)
        self.outcome.record({}, after, True)
        changed += [k for k in after if k not in CONNECTION.values()]
        return self.outcome.result([self.server.http], setup_ran=True, libraries=wanted, changed_keys=changed)

    def libraries(self, known: list[dict[str, Any]], changed: list[str]) -> list[str]:
        """Enable exactly the declared libraries (one call overwrites the whole set); the enabled names after."""
        names: Optional[list[str]] = self.params["libraries"]
        enabled = sorted(lib["name"] for lib in known if lib.get("enabled"))
        if names is None:
            return enabled
        by_name = {str(lib["name"]).lower(): lib for lib in known}
        if any(n.lower() not in by_name for n in names):
            if self.module.check_mode:
                wanted = sorted(names)
                self.outcome.record({"libraries": enabled}, {"libraries": wanted}, True)
                changed.append("libraries")
                return wanted
            # Sync the list from Jellyfin, keeping the enabled set as it is.
            known = self.server.get(LIBRARY, query=enabling([lib for lib in known if lib.get("enabled")], sync="true"))
            by_name = {str(lib["name"]).lower(): lib for lib in known}
            unknown = [n for n in names if n.lower() not in by_name]
            if unknown:
                self.server.fail("libraries: Jellyfin has no library %s%s; nothing was changed" % (
                    ", ".join(map(repr, unknown)), suggestions(unknown[0], [lib["name"] for lib in known])))
        wanted_libraries = [by_name[n.lower()] for n in names]
        wanted = sorted({lib["name"] for lib in wanted_libraries})
        differs = wanted != enabled
        self.outcome.record({"libraries": enabled}, {"libraries": wanted}, differs)
        if differs:
            changed.append("libraries")
            if not self.module.check_mode:
                self.server.get(LIBRARY, query=enabling(wanted_libraries))
        return wanted


def enabling(libraries: list[dict[str, Any]], **query: str) -> dict[str, str]:
    """The library call's query that enables exactly these libraries (no `enable` at all disables every one;
    an empty one breaks Seerr's document)."""
    if libraries:
        query["enable"] = ",".join(sorted({str(lib["id"]) for lib in libraries}))
    return query


def main() -> None:
    run_seerr(
        lambda module: Setup(module, Seerr(module)).converge(),
        jellyfin_username=dict(type="str", default="admin"),
        jellyfin_password=dict(type="str", no_log=True),
        jellyfin_hostname=dict(type="str"),
        jellyfin_port=dict(type="int", default=8096),
        jellyfin_use_ssl=dict(type="bool", default=False),
        jellyfin_url_base=dict(type="str", default=""),
        email=dict(type="str"),
        external_hostname=dict(type="str"),
        recovery_url=dict(type="str"),
        libraries=dict(type="list", elements="str"),
    )


if __name__ == "__main__":
    main()
