# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by the radarr_* and prowlarr_* modules.

Use as `mediastack_arr.radarr` or `mediastack_arr.prowlarr` (connection), plus `mediastack_arr.provider` for
provider modules (download clients, notifications, indexers, applications, indexer proxies).
"""
from __future__ import annotations


def _connection(app: str, env: str, port: int) -> str:
    return r"""
options:
  url:
    description:
      - Base URL of %(app)s, including its URL base if one is set (for example V(http://radarr:7878/radarr)).
      - Falls back to E(%(env)s_URL).
    type: str
    default: http://127.0.0.1:%(port)d
  api_key:
    description:
      - The %(app)s API key, sent as the C(X-Api-Key) header. Falls back to E(%(env)s_API_KEY).
      - It is C(<ApiKey>) in %(app)s's C(config.xml), or the E(%(env)s__AUTH__APIKEY) environment override.
    type: str
    required: true
  wait_timeout:
    description:
      - Seconds to keep retrying the first request while %(app)s is not yet listening (connection refused,
        HTTP 502-504), for example right after its container started. V(0) fails at once.
    type: float
    default: 60
""" % dict(app=app, env=env, port=port)


class ModuleDocFragment:
    RADARR = _connection("Radarr", "RADARR", 7878)

    PROWLARR = _connection("Prowlarr", "PROWLARR", 9696)

    PROVIDER = r"""
options:
  name:
    description:
      - The item's name, unique in its kind. An existing item is found by name, ignoring case; a name that
        differs only in case renames it.
      - Required unless O(purge=true); a run with O(purge=true) and no O(name) only removes undeclared items.
    type: str
  state:
    description:
      - V(present) creates the item or brings the declared settings to the declared values.
      - V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  fields:
    description:
      - Any setting of the implementation, by its API field name (C(fields[].name) in C(GET <kind>/schema),
        for example C(host), C(movieCategory), C(apiKey)).
      - Names are checked against the implementation before anything is written; an unknown name fails and
        lists the valid ones.
      - Values are converted to the type of the server's value (V("8080") for a number); a select field also
        takes the name of one of its options. List values compare as sets.
      - The typed options of this module are shortcuts for the same fields; when both are given they must agree.
      - Secret fields (the server marks them C(privacy) C(password) or C(apiKey)) never appear in the output.
    type: dict
  settings:
    description:
      - Any top-level setting of the item by its API name (a key of C(GET <kind>/<id>), for example
        C(priority), C(enable), C(onHealthIssue), C(categories)), for what has no typed option.
      - Names are checked against the item (or the template, when creating) before anything is written;
        values are converted to the type of the server's value. C(id), C(name), C(tags), C(fields) and the
        implementation's own keys are refused, since they have their own options.
      - The typed options of this module are shortcuts for the same keys; when both are given they must agree.
    type: dict
    default: {}
  tags:
    description:
      - Tag labels (letters, digits, C(-); compared ignoring case). A missing tag is created only when the item
        is about to be written (never in check mode), and deleted again when that write fails.
      - Compared as a set. Omit to leave the item's tags alone; V([]) removes them all.
    type: list
    elements: str
  update_secrets:
    description:
      - The server never shows a stored secret (it answers C(********)), so a declared secret cannot be compared.
      - V(on_create) sends a secret when the item is created, when the server holds none, or when the server
        shows it in plain text (older versions) and it differs.
      - V(always) sends every declared secret on every run; the run then always reports a change.
    type: str
    choices: [on_create, always]
    default: on_create
  secrets_ledger:
    description:
      - A file on the managed host where the module remembers the secrets it sent, as salted PBKDF2 hashes (JSON,
        mode 0600, its directory made 0700). With it, a declared secret the server does not show is sent exactly
        when it differs from the one last sent successfully (a password changed in the vault, a new key of
        another app), and once when the ledger has no entry for it yet.
      - Deleting an item (O(state=absent), O(purge)) drops its entries. A secret changed in the server's web UI
        is not seen; O(update_secrets=always) sends it anyway.
      - A file that is not a ledger of this version fails the run before anything changes.
    type: path
  force_save:
    description:
      - Save even when the server's connection test fails or warns (C(?forceSave=true)).
      - The server tests an enabled item when it is created or changed; without a reachable target (offline,
        or the target is set up later in the play) that test fails the save.
    type: bool
    default: false
  purge:
    description:
      - Also remove every item of this kind whose name is not O(name), not in O(managed_names) and not in
        O(purge_ignore), whatever its implementation.
      - Safe in a loop over your items when every iteration passes the same O(managed_names).
    type: bool
    default: false
  managed_names:
    description:
      - The names of all items of this kind the play declares (for example
        V("{{ my_clients | map(attribute='name') }}")). Only used by O(purge); names ignore case.
    type: list
    elements: str
    default: []
  purge_ignore:
    description: Names (ignoring case) that O(purge) leaves alone although the play does not manage them.
    type: list
    elements: str
    default: []
"""
