#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: jellyfin_setup
short_description: Run Jellyfin's first-run wizard, then keep its declared settings
description:
  - Asks C(GET /System/Info/Public) (anonymous; it also carries the bounded wait for a starting server) whether
    the first-run wizard is complete.
  - While it is not, runs the wizard the way the web UI does, anonymously (Jellyfin allows that until it is
    complete) - C(POST /Startup/Configuration) (server name, UI culture, metadata language and country),
    C(GET /Startup/User) (which makes Jellyfin create its first user), C(POST /Startup/User) (renames it to
    O(admin_username) and sets O(admin_password)), C(POST /Startup/RemoteAccess) when O(remote_access) is
    given, and C(POST /Startup/Complete).
  - Once it is complete, logs in as O(admin_username) and compares only the declared settings - server name,
    UI culture and metadata language and country in C(/System/Configuration), remote access in
    C(/System/Configuration/network) - and writes a document back (whole, with the declared values merged in)
    only when one of its declared settings differs.
  - After the wizard, the administrator's name and password are only used to log in; this module does not
    rename that user or change the password (Jellyfin does that through its user API, C(/Users/{id}/Password),
    which is not managed here). A wrong password then fails the run.
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_jellyfin
  - mediastack_connection
options:
  admin_username:
    description: The administrator the wizard creates, and logs in as afterwards.
    type: str
    default: admin
  admin_password:
    description:
      - The administrator's password (Jellyfin 10.11 refuses an empty one). Never shown in any output.
    type: str
    required: true
  server_name:
    description: The server's name, shown to clients and in Seerr (C(ServerName)).
    type: str
  ui_culture:
    description: Language of the web UI's server pages, for example V(en-US) (C(UICulture)).
    type: str
  metadata_language:
    description: Preferred metadata language, for example V(en) (C(PreferredMetadataLanguage)).
    type: str
  metadata_country:
    description: Country for metadata and ratings, for example V(US) (C(MetadataCountryCode)).
    type: str
  remote_access:
    description:
      - Whether Jellyfin accepts connections from outside its LAN networks (C(EnableRemoteAccess)). Automatic
        port mapping (UPnP) is always left off.
      - Needed behind a reverse proxy unless the proxy's address is in the LAN networks (see the
        jellyfin_network module).
    type: bool
attributes:
  check_mode:
    support: full
    description:
      - Reads and compares, sends no write. During the wizard it does not call C(GET /Startup/User) either, since
        that creates Jellyfin's first user.
  diff_mode:
    support: full
    description: Before and after of C(wizard_completed), the declared settings and the administrator's name;
      the password is always masked.
  idempotent:
    support: full
    description: A second run only reads (the public info, the login and one GET per declared document).
seealso:
  - module: jellyfin_network
  - module: jellyfin_api_key
"""

EXAMPLES = r"""
- name: Jellyfin's first run, then its settings
  jellyfin_setup:
    url: http://jellyfin:8096
    admin_username: admin
    admin_password: "{{ vault_jellyfin_admin_password }}"
    server_name: media
    ui_culture: en-US
    metadata_language: en
    metadata_country: US
    remote_access: true
"""

RETURN = r"""
wizard_ran:
  description: Whether this run completed the first-run wizard (in check mode, whether it would).
  returned: always
  type: bool
  sample: true
changed_keys:
  description: What differed (C(wizard) when the wizard ran, else the declared settings that differed).
  returned: always
  type: list
  elements: str
  sample: [ServerName]
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"GET /System/Info/Public": 1, "POST /Users/AuthenticateByName": 1, "GET /System/Configuration": 1}
"""

from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.mediastack.jellyfin import Jellyfin, declared, fail, run_jellyfin
from ansible.module_utils.mediastack.module import Outcome, checked, converge_document

STARTUP = dict(server_name="ServerName", ui_culture="UICulture", metadata_language="PreferredMetadataLanguage",
               metadata_country="MetadataCountryCode")
NETWORK = "/System/Configuration/network"


def wizard(server: Jellyfin, params: dict[str, Any], settings: dict[str, Any], outcome: Outcome) -> list[str]:
    current = server.get("/Startup/Configuration")
    wanted = checked(server, "/Startup/Configuration", current, settings)[0]
    after = dict(wanted, admin_username=params["admin_username"], admin_password=params["admin_password"])
    if params["remote_access"] is not None:
        after["EnableRemoteAccess"] = params["remote_access"]
    outcome.record(dict({k: current[k] for k in wanted}, wizard_completed=False),
                   dict(after, wizard_completed=True), True)
    if server.module.check_mode:
        return ["wizard"]
    server.write("POST", "/Startup/Configuration", body=dict(current, **wanted))
    server.get("/Startup/User")                       # makes the first user, which the next call renames
    server.write("POST", "/Startup/User", body={"Name": params["admin_username"], "Password": params["admin_password"]})
    if params["remote_access"] is not None:
        server.write("POST", "/Startup/RemoteAccess",
                     body={"EnableRemoteAccess": params["remote_access"], "EnableAutomaticPortMapping": False})
    server.write("POST", "/Startup/Complete")
    return ["wizard"]


def settled(server: Jellyfin, params: dict[str, Any], settings: dict[str, Any], outcome: Outcome) -> list[str]:
    server.login(params["admin_username"], params["admin_password"])
    outcome.record({"wizard_completed": True}, {"wizard_completed": True}, False)
    changed = converge_document(server, "/System/Configuration", settings, outcome) if settings else []
    if params["remote_access"] is not None:
        changed += converge_document(server, NETWORK, {"EnableRemoteAccess": params["remote_access"]}, outcome)
    return changed


def converge(module: AnsibleModule) -> dict[str, Any]:
    params = module.params
    if not params["admin_password"]:
        fail(module, "admin_password must not be empty (Jellyfin 10.11 refuses it)")
    settings = declared(module, STARTUP)
    server = Jellyfin(module)
    info = server.get("/System/Info/Public")
    outcome = Outcome(module, ("admin_password",))
    completed = bool(info.get("StartupWizardCompleted"))
    changed = (settled if completed else wizard)(server, params, settings, outcome)
    return outcome.result([server.http], wizard_ran=not completed, changed_keys=changed)


def main() -> None:
    run_jellyfin(
        converge,
        credentials=False,
        admin_username=dict(type="str", default="admin"),
        admin_password=dict(type="str", required=True, no_log=True),
        server_name=dict(type="str"),
        ui_culture=dict(type="str"),
        metadata_language=dict(type="str"),
        metadata_country=dict(type="str"),
        remote_access=dict(type="bool"),
    )


if __name__ == "__main__":
    main()
