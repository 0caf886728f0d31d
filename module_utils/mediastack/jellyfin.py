# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jellyfin (server 10.11): connection options, the MediaBrowser authorization, admin login, plain-worded
401/403, and one converge loop for its configuration documents (`/System/Configuration[/<key>]`).

Jellyfin answers JSON in PascalCase; requests say `Accept: application/json`. The first request of a run
carries the bounded wait (`wait_timeout`) for a server that is still starting (connection refused, 503).
A request body carries only the properties the module builds or read back, never one the document marks
`readOnly` (none of the bodies used here has one; the emulator refuses them).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Optional

from ansible.module_utils.basic import AnsibleModule, env_fallback
from ansible.module_utils.mediastack.http import ApiClient, ApiError, Response, media_browser_authorization
from ansible.module_utils.mediastack.module import client_for, connection_argument_spec, declared_options, fail_at, run

APP = "Jellyfin"
CLIENT = "mediastack"
DEVICE = "ansible"
VERSION = "0.1.0"
LOGIN = "/Users/AuthenticateByName"


def jellyfin_argument_spec(credentials: bool = True, **module_options: Any) -> dict[str, dict[str, Any]]:
    """Connection options (url, timeout, validate_certs, wait_timeout, device_id), the admin's credentials
    (username, password or api_key) unless `credentials` is false, plus the module's own options."""
    spec = connection_argument_spec("JELLYFIN", "http://127.0.0.1:8096")
    spec["device_id"] = dict(type="str", default="mediastack-ansible")
    if credentials:
        spec.update(
            username=dict(type="str", default="admin", fallback=(env_fallback, ["JELLYFIN_USERNAME"])),
            password=dict(type="str", no_log=True, fallback=(env_fallback, ["JELLYFIN_PASSWORD"])),
            api_key=dict(type="str", no_log=True, fallback=(env_fallback, ["JELLYFIN_API_KEY"])),
        )
    spec.update(module_options)
    return spec


def run_jellyfin(work: Callable[[AnsibleModule], dict[str, Any]], credentials: bool = True,
                 **module_options: Any) -> None:
    """The whole module: parse the arguments (connection, credentials, the module's own), run `work`."""
    module = AnsibleModule(argument_spec=jellyfin_argument_spec(credentials, **module_options),
                           supports_check_mode=True)
    run(module, lambda: work(module))


def fail(module: AnsibleModule, message: str) -> None:
    fail_at(module, APP, message)


def declared(module: AnsibleModule, typed: Mapping[str, str], generic: Optional[str] = None,
             secret_keys: Iterable[str] = ()) -> dict[str, Any]:
    """The API keys the user declared (see `declared_options`), failures worded for Jellyfin."""
    return declared_options(module, APP, typed, generic, secret_keys)


class Jellyfin:
    """HTTP to one Jellyfin server as this device; `login` or `use_token` make it an administrator's."""

    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        self.device_id: str = module.params["device_id"]
        self.http: ApiClient = client_for(module, APP, headers={"Accept": "application/json"})
        self.use_token(None)

    def fail(self, message: str) -> None:
        fail(self.module, message)

    def hide(self, secret: str) -> None:
        """Keep a secret out of everything Ansible prints, the request counts included."""
        self.module.no_log_values.add(secret)
        self.http.hidden.add(secret)

    def use_token(self, token: Optional[str]) -> None:
        if token:
            self.hide(token)
        self.http.headers["Authorization"] = media_browser_authorization(CLIENT, DEVICE, self.device_id, VERSION,
                                                                         token)

    def call(self, method: str, path: str, query: Optional[dict[str, Any]] = None, body: Any = None,
             expect: Iterable[int] = (200,)) -> Response:
        try:
            return self.http.request(method, path, query=query, json_body=body, expect=expect)
        except ApiError as exc:
            meaning = {401: "not authenticated: the token was refused (check api_key, or username and password)",
                       403: "forbidden: this needs an administrator"}.get(exc.status or 0)
            if meaning:
                raise ApiError(exc.app, exc.method, exc.url, exc.status, meaning) from exc
            raise

    def get(self, path: str) -> Any:
        return self.call("GET", path).json()

    def write(self, method: str, path: str, query: Optional[dict[str, Any]] = None, body: Any = None) -> None:
        """A write Jellyfin answers with 204 No Content."""
        self.call(method, path, query=query, body=body, expect=(200, 204))

    def login(self, username: str, password: str) -> None:
        """Log in as `username` (an administrator) and use the session's token from now on."""
        response = self.http.request("POST", LOGIN, json_body={"Username": username, "Pw": password},
                                     expect=(200, 401))
        if response.status == 401:
            raise ApiError(APP, "POST", self.http.url(LOGIN), 401,
                           "login refused for user %r: wrong username or password" % username)
        result = response.json() or {}
        self.use_token(result.get("AccessToken"))
        if not ((result.get("User") or {}).get("Policy") or {}).get("IsAdministrator"):
            raise ApiError(APP, "POST", self.http.url(LOGIN), 200, "user %r is not an administrator" % username)


def connect(module: AnsibleModule) -> Jellyfin:
    """A client acting as an administrator: with `api_key` (an `/Auth/Keys` key acts as one), else by login."""
    server = Jellyfin(module)
    params = module.params
    if params["api_key"]:
        server.use_token(params["api_key"])
    elif params["password"]:
        server.login(params["username"], params["password"])
    else:
        server.fail("give api_key, or username and password of an administrator")
    return server
