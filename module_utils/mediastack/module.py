# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every mediastack module shares around AnsibleModule: connection options, the outcome
(changed, diff with secrets masked, request counts) and turning API errors into clean failures."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

from ansible.module_utils.basic import AnsibleModule, env_fallback
from ansible.module_utils.mediastack.compare import masked
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
