# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Profilarr (v2, Deno + SvelteKit): the full-access `PROFILARR_API_KEY` as `X-Api-Key`, its one JSON list of arr
instances, and the SvelteKit form actions that are the only way to create, update or delete one.

Profilarr's JSON API (`/api/v1`) only lists arr instances (`GET /api/v1/arr`, the API keys stripped). Its web UI
creates one through the form action `POST /arr/new` and changes one through `POST /arr/<id>/settings?/update` and
`?/delete`. Those are not a stable contract (upstream plans to move them to session-only routes), so every answer
that is not what a SvelteKit form action gives fails with the endpoint named. A form action is asked for its JSON
answer (`Accept: application/json`): HTTP 200 with `{type: success|failure|redirect|error, status, data}`, where
`data` is serialized by the `devalue` library. SvelteKit refuses a form post whose `Origin` is not the app's own
(ORIGIN when Profilarr has it, else its URL), before any authentication.
"""
from __future__ import annotations

import json
from typing import Any, Callable
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule, env_fallback
from ansible.module_utils.mediastack.http import ApiClient, ApiError, Response
from ansible.module_utils.mediastack.module import client_for, connection_argument_spec, fail_at, run

APP = "Profilarr"
INSTANCES = "/api/v1/arr"
# devalue's indices for values JSON has no word for (devalue/src/constants.js).
_SPECIAL = {-1: None, -2: None, -3: float("nan"), -4: float("inf"), -5: float("-inf"), -6: -0.0}


def profilarr_argument_spec(**module_options: Any) -> dict[str, dict[str, Any]]:
    """Connection options (url, api_key, origin, timeout, validate_certs, wait_timeout) plus the module's own."""
    spec = connection_argument_spec("PROFILARR", "http://127.0.0.1:6868")
    spec.update(api_key=dict(type="str", no_log=True, fallback=(env_fallback, ["PROFILARR_API_KEY"])),
                origin=dict(type="str"))
    spec.update(module_options)
    return spec


def run_profilarr(work: Callable[[AnsibleModule], dict[str, Any]], **module_options: Any) -> None:
    """The whole module: parse the arguments (connection, the module's own), run `work`."""
    module = AnsibleModule(argument_spec=profilarr_argument_spec(**module_options), supports_check_mode=True)
    run(module, lambda: work(module))


def devalue_parse(text: str) -> Any:
    """The value `devalue.stringify` wrote: a JSON array whose item 0 is the root and whose objects and arrays
    hold the indices of their members (SvelteKit's encoding of a form action's data)."""
    table = json.loads(text)
    if isinstance(table, int):
        return _SPECIAL.get(table)
    if not isinstance(table, list) or not table:
        raise ValueError("not a devalue table")

    def value(index: int, depth: int = 0) -> Any:
        if index < 0:
            return _SPECIAL.get(index)
        if depth > 32:
            raise ValueError("devalue nesting too deep")
        item = table[index]
        if isinstance(item, dict):
            return {k: value(i, depth + 1) for k, i in item.items()}
        if isinstance(item, list):
            if item and isinstance(item[0], str):       # a typed value: ["Date", "..."], ["Set", ...]
                return item[1] if len(item) > 1 and not isinstance(item[1], (list, dict)) else None
            return [value(i, depth + 1) for i in item]
        return item

    return value(0)


class Profilarr:
    """HTTP to one Profilarr with its API key: the JSON list, and form actions with the right `Origin`."""

    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        params = module.params
        if not params["api_key"]:
            fail_at(module, APP, "api_key is required (Profilarr's PROFILARR_API_KEY, or $PROFILARR_API_KEY); "
                                 "nothing was changed")
        parts = urlsplit(params["url"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            module.fail_json(msg="%s: url must be http(s)://host:port, got %r" % (APP, params["url"]))
        origin = (params["origin"] or "%s://%s" % (parts.scheme, parts.netloc)).rstrip("/")
        origin_parts = urlsplit(origin)
        if origin_parts.scheme not in ("http", "https") or not origin_parts.netloc or origin_parts.path:
            fail_at(module, APP, "origin must be scheme://host[:port] (Profilarr's ORIGIN), got %r; nothing was "
                                 "changed" % params["origin"])
        self.origin = origin
        headers = {"Accept": "application/json", "X-Api-Key": params["api_key"]}
        self.http: ApiClient = client_for(module, APP, headers=headers)

    def fail(self, message: str) -> None:
        fail_at(self.module, APP, message)

    def instances(self) -> list[dict[str, Any]]:
        """Every arr instance, as `GET /api/v1/arr` lists it (`tags` decoded from its JSON text)."""
        response = self.http.request("GET", INSTANCES, expect=(200, 401, 303))
        self.refused(response, "GET", INSTANCES)
        listed = response.json()
        if not isinstance(listed, list):
            raise ApiError(APP, "GET", self.http.url(INSTANCES), response.status,
                           "expected a JSON list of arr instances")
        for instance in listed:
            instance["tags"] = tag_list(instance.get("tags"))
        return listed

    def action(self, path: str, form: dict[str, Any], name: str = "") -> dict[str, Any]:
        """Run a form action (the default one, or `?/<name>`) and return SvelteKit's JSON answer; a failure or an
        answer of another shape raises ApiError naming the endpoint."""
        target = path + ("?/" + name if name else "")
        url = self.http.base_url + target
        response = self.http.request("POST", target, form=form, headers={"Origin": self.origin},
                                     expect=(200, 303, 401, 403, 404))
        if response.status == 403:
            raise ApiError(APP, "POST", url, 403,
                           "the form post was refused as cross-site: its Origin %s is not Profilarr's own (set "
                           "origin to the address in Profilarr's ORIGIN, or leave ORIGIN unset)" % self.origin)
        self.refused(response, "POST", target)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        kind = answer.get("type") if isinstance(answer, dict) else None
        if response.status != 200 or kind not in ("success", "failure", "redirect", "error"):
            raise ApiError(APP, "POST", url, response.status,
                           "not the answer of a SvelteKit form action; this Profilarr version may have changed its "
                           "form endpoint %s (the module knows Profilarr 2.0)" % target)
        if kind == "failure":
            data = self.decoded(answer.get("data"))
            message = data.get("error") if isinstance(data, dict) else None
            raise ApiError(APP, "POST", url, answer.get("status"), str(message or "the form action failed"))
        if kind == "error":
            error = answer.get("error")
            message = error.get("message") if isinstance(error, dict) else error
            raise ApiError(APP, "POST", url, answer.get("status") or 500, str(message or "the form action failed"))
        return answer

    @staticmethod
    def decoded(data: Any) -> Any:
        try:
            return devalue_parse(data) if isinstance(data, str) else data
        except (ValueError, IndexError, TypeError):
            return None

    def refused(self, response: Response, method: str, path: str) -> None:
        """A 401, or the hook's redirect to the login or the first-run setup, means the key was not taken."""
        if response.status not in (303, 401):
            return
        where = response.headers.get("Location") or response.headers.get("location") or ""
        raise ApiError(APP, method, self.http.base_url + path, response.status,
                       "the API key was refused%s (api_key must be Profilarr's PROFILARR_API_KEY)"
                       % (" (redirected to %s)" % where if where else ""))


def tag_list(tags: Any) -> list[str]:
    """Profilarr lists an instance's tags as the JSON text of a list (or null)."""
    if isinstance(tags, list):
        return [str(t) for t in tags]
    try:
        parsed = json.loads(tags) if isinstance(tags, str) and tags else []
    except ValueError:
        return []
    return [str(t) for t in parsed] if isinstance(parsed, list) else []
