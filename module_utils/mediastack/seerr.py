# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seerr (3.1; the Overseerr/Jellyseerr successor): connection options, `X-Api-Key` or the `connect.sid` session
of the first setup, plain-worded 401/403, and its settings documents.

Every path is under `/api/v1`. The API key (`main.apiKey`, the one Ansible decides and seeds through `API_KEY`)
acts as user 1, so it authenticates nobody before the first setup (`POST /api/v1/auth/jellyfin`) made that
user; the setup answers with a session cookie, which the client keeps for the rest of the run. The public
`GET /api/v1/settings/public` carries the bounded wait (`wait_timeout`) for a Seerr that is still starting and
tells whether Jellyfin is configured and the instance initialized. Seerr checks every request against its
OpenAPI document, so a body never carries a property it marks `readOnly` (`main.apiKey`, a server's `id`).
Its errors are `{message, errors}`; the engine's error messages already read them.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

from ansible.module_utils.basic import AnsibleModule, env_fallback
from ansible.module_utils.mediastack.http import ApiClient, ApiError, Response
from ansible.module_utils.mediastack.module import client_for, connection_argument_spec, fail_at, run

APP = "Seerr"
API = "/api/v1"
PUBLIC = "/settings/public"
LOGIN = "/auth/jellyfin"
JELLYFIN = 2             # MediaServerType: PLEX=1, JELLYFIN=2, EMBY=3, NOT_CONFIGURED=4


def seerr_argument_spec(**module_options: Any) -> dict[str, dict[str, Any]]:
    """Connection options (url, api_key, timeout, validate_certs, wait_timeout) plus the module's own."""
    spec = connection_argument_spec("SEERR", "http://127.0.0.1:5055")
    spec["api_key"] = dict(type="str", no_log=True, fallback=(env_fallback, ["SEERR_API_KEY"]))
    spec.update(module_options)
    return spec


def run_seerr(work: Callable[[AnsibleModule], dict[str, Any]], **module_options: Any) -> None:
    """The whole module: parse the arguments (connection, the module's own), run `work`."""
    module = AnsibleModule(argument_spec=seerr_argument_spec(**module_options), supports_check_mode=True)
    run(module, lambda: work(module))


class Seerr:
    """HTTP to one Seerr: paths relative to `/api/v1`; the API key when given, else the session of a login."""

    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        self.http: ApiClient = client_for(module, APP, headers={"Accept": "application/json"})
        if module.params["api_key"]:
            self.http.headers["X-Api-Key"] = module.params["api_key"]

    def fail(self, message: str) -> None:
        fail_at(self.module, APP, message)

    def call(self, method: str, path: str, query: Optional[dict[str, Any]] = None, body: Any = None,
             expect: Iterable[int] = (200,)) -> Response:
        try:
            return self.http.request(method, API + path, query=query, json_body=body, expect=expect)
        except ApiError as exc:
            meaning = {
                401: "not authenticated: no API key and no session (give api_key or $SEERR_API_KEY)",
                403: "forbidden: the API key or session was refused (check api_key; before the first setup, "
                     "seerr_jellyfin, the API key authenticates nobody)"}.get(exc.status or 0)
            if meaning:
                raise ApiError(exc.app, exc.method, exc.url, exc.status, meaning) from exc
            raise

    def get(self, path: str, query: Optional[dict[str, Any]] = None) -> Any:
        return self.call("GET", path, query=query).json()

    def write(self, method: str, path: str, query: Optional[dict[str, Any]] = None, body: Any = None) -> Any:
        """A write; Seerr answers 200 (201 for a create) with the saved object."""
        return self.call(method, path, query=query, body=body, expect=(200, 201)).json()

    def public(self) -> dict[str, Any]:
        """The anonymous public settings (`initialized`, `mediaServerType`); the first request of a run."""
        return self.get(PUBLIC) or {}

    def login(self, username: str, password: str, **first_setup: Any) -> None:
        """`POST /auth/jellyfin` as a Jellyfin administrator: the first setup when given Jellyfin's address
        (`first_setup`), else a login. The session cookie it answers with authenticates the rest of the run."""
        try:
            self.http.request("POST", API + LOGIN, json_body=dict(first_setup, username=username, password=password))
        except ApiError as exc:
            meaning = {401: "Jellyfin refused user %r: wrong username or password" % username,
                       403: "Jellyfin user %r is not an administrator" % username}.get(exc.status or 0)
            if meaning:
                raise ApiError(exc.app, exc.method, exc.url, exc.status, "%s (%s)" % (meaning, exc.message)) from exc
            raise
        for cookie in self.http.cookies:
            if cookie.value:
                self.module.no_log_values.add(cookie.value)

    def require_api_key(self) -> None:
        if not self.module.params["api_key"]:
            self.fail("api_key is required (Seerr's main.apiKey, the one seeded through API_KEY)")
