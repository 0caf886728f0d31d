# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every mediastack module shares around AnsibleModule: connection options, the outcome
(changed, diff with secrets masked, request counts), turning API errors into clean failures, the declared
values of typed and generic options, and one converge loop for settings documents (Jellyfin's configuration,
Seerr's settings)."""
from __future__ import annotations

import copy
from typing import Any, Callable, Iterable, Mapping, Optional, Protocol

from ansible.module_utils.basic import AnsibleModule, env_fallback
from ansible.module_utils.mediastack.compare import conform, differing_keys, masked, same, suggestions
from ansible.module_utils.mediastack.http import ApiClient, ApiError, request_counts


def connection_argument_spec(env_prefix: str, default_url: str) -> dict[str, dict[str, Any]]:
    """Options to reach one app; `url` falls back to $<PREFIX>_URL."""
    return dict(
        url=dict(type="str", default=default_url, fallback=(env_fallback, [env_prefix + "_URL"])),
        timeout=dict(type="float", default=30),
        validate_certs=dict(type="bool", default=True),
        wait_timeout=dict(type="float", default=60),
    )


def client_for(module: AnsibleModule, app: str, headers: Optional[dict[str, str]] = None) -> ApiClient:
    params = module.params
    if params["timeout"] <= 0 or params["wait_timeout"] < 0:
        module.fail_json(msg="%s: timeout must be > 0 and wait_timeout >= 0" % app)
    return ApiClient(app, params["url"], timeout=params["timeout"], validate_certs=params["validate_certs"],
                     wait_timeout=params["wait_timeout"], headers=headers)


class Outcome:
    """Collects what a module did: whether it changed anything, and the before/after of declared keys."""

    def __init__(self, module: AnsibleModule, secret_keys: Iterable[str] = ()) -> None:
        self.module = module
        self.secret_keys = set(secret_keys)
        self.changed = False
        self.before: dict[str, Any] = {}
        self.after: dict[str, Any] = {}

    def record(self, before: dict[str, Any], after: dict[str, Any], changed: bool) -> None:
        self.before.update(before)
        self.after.update(after)
        self.changed = self.changed or changed

    def result(self, clients: Iterable[ApiClient], **extra: Any) -> dict[str, Any]:
        result: dict[str, Any] = dict(changed=self.changed, api_requests=request_counts(clients), **extra)
        if self.module._diff:
            result["diff"] = dict(before=masked(self.before, self.secret_keys),
                                  after=masked(self.after, self.secret_keys))
        return result


def run(module: AnsibleModule, work: Callable[[], dict[str, Any]]) -> None:
    """Run the module's work; an ApiError becomes a failure that names app, URL, status and message."""
    try:
        result = work()
    except ApiError as exc:
        module.fail_json(msg=str(exc), app=exc.app, url=exc.url, status=exc.status, details=exc.details)
    module.exit_json(**result)


def fail_at(module: AnsibleModule, app: str, message: str) -> None:
    """Fail with a message that names the app and its URL."""
    module.fail_json(msg="%s at %s: %s" % (app, module.params["url"].rstrip("/"), message))


def declared_options(module: AnsibleModule, app: str, typed: Mapping[str, str], generic: Optional[str] = None,
                     secret_keys: Iterable[str] = ()) -> dict[str, Any]:
    """The API keys the user declared: the dict option `generic` (if any) plus the typed options (option -> key)
    that are set; both ways for one key must agree. Values of `secret_keys` are hidden from all output."""
    values = dict(module.params[generic] or {}) if generic else {}
    for option, key in typed.items():
        value = module.params[option]
        if value is None:
            continue
        if key in values and not same(value, values[key]) and not same(values[key], value):
            # No values in the message: either side may be a secret.
            fail_at(module, app, "option %s and %s.%s disagree; give one of them; nothing was changed"
                    % (option, generic, key))
        values[key] = value
    for key in secret_keys:
        if values.get(key):
            module.no_log_values.add(str(values[key]))
    return values


class DocumentServer(Protocol):
    """What the document loop needs of an app's client."""

    module: AnsibleModule

    def fail(self, message: str) -> None:
        ...

    def get(self, path: str) -> Any:
        ...

    def write(self, method: str, path: str, query: Optional[dict[str, Any]] = None, body: Any = None) -> Any:
        ...


def checked(server: DocumentServer, where: str, current: Mapping[str, Any], declared: Mapping[str, Any],
            unordered_keys: Iterable[str] = ()) -> tuple[dict[str, Any], list[str]]:
    """The declared values checked against the keys of `current` and converted to their types, and the keys
    whose value differs (lists named in `unordered_keys` compare as sets)."""
    wanted: dict[str, Any] = {}
    for key, value in declared.items():
        if key not in current:
            server.fail("%s: unknown setting %r%s; nothing was changed" % (where, key, suggestions(key, current)))
        try:
            wanted[key] = conform(value, current[key])
        except ValueError as exc:
            server.fail("%s: setting %r %s; nothing was changed" % (where, key, exc))
    return wanted, differing_keys(wanted, current, unordered_keys)


def converge_document(server: DocumentServer, path: str, declared: Mapping[str, Any], outcome: Outcome,
                      unordered_keys: Iterable[str] = (), whole: bool = True,
                      current: Optional[dict[str, Any]] = None) -> list[str]:
    """A settings document: read it (unless `current` is what was read), compare only the declared keys, and
    when one differs POST it. `whole`: the whole document with the declared values merged in (Jellyfin: a key
    left out of the write falls back to its default); else only the keys that differ (Seerr merges them into
    what it has). Returns those keys."""
    if current is None:
        current = server.get(path)
    wanted, changed = checked(server, path, current, declared, unordered_keys)
    outcome.record({k: current[k] for k in wanted}, wanted, bool(changed))
    if changed and not server.module.check_mode:
        body = copy.deepcopy(current) if whole else {}
        body.update({k: wanted[k] for k in (wanted if whole else changed)})
        server.write("POST", path, body=body)
    return changed
