"""ProfilarrEmulator: a stateful Profilarr v2 (Deno + SvelteKit, ghcr.io/dictionarry-hub/profilarr:v2.0.0) on
127.0.0.1, in the ways a module linking Radarr (or Sonarr) into it depends on.

Profilarr publishes no OpenAPI document, so nothing is checked against one (the base's checks find nothing).
Its own API docs (docs/api/v1) describe `GET /api/v1/arr`: the emulator checks each of its list answers against
the required fields and types of docs/api/v1/schemas/arr.yaml itself, a violation failing the test as with the
other emulators. The form actions, the only way to create, update or delete an instance, are in no document at
all: upstream's docs/todo/api-overhaul.md says they are not a stable contract (it plans session-only routes).

What it reproduces (src/hooks.server.ts, src/lib/server/utils/auth/middleware.ts, src/routes/arr/..., and the
SvelteKit runtime in front of them), in the order a request meets it:
- CSRF, before the hook: a POST of a form type (urlencoded, multipart, text/plain) whose `Origin` is missing or
  is not the app's origin (`origin`, the stand-in's ORIGIN; else http://<Host>) answers 403, JSON
  `{"message": ...}` when `Accept` is exactly application/json, else the message as text.
- The hook: `PROFILARR_API_KEY` (`api_key`, at least 32 characters) in `X-Api-Key` authenticates as user "api"
  (a wrong key is ignored). While no local user exists (`admin_created` False, a fresh install) everything
  but /auth/setup answers 303 to /auth/setup unless the key came, /api/v1/health included. Then the public
  paths (/auth/login, /auth/setup, /auth/oidc, /api/v1/health and below) pass; without the key /api... answers
  401 `{"error": "Unauthorized"}` and everything else 303 to /auth/login. There are no sessions here.
- `GET /api/v1/health` and `GET /api/v1/arr` (the instances, api_key and external_url never shown, tags as JSON
  text, enabled as 0/1); the pages as small HTML.
- The form actions `POST /arr/new` (create, redirect 303 to /arr), `POST /arr/{id}/settings?/update` and
  `?/delete`, their validation messages in upstream's order, and SvelteKit's answers: with `Accept`
  negotiating to application/json, HTTP 200 `{"type": "failure"|"success"|"redirect", ...}` whose data is
  devalue text (`devalue_stringify`); otherwise the failure's status with an HTML page, the 303 itself, or 200
  HTML. An unknown or missing action name answers 404, a body that is no form 415.

Not reproduced: logins, sessions, stored (hashed, scoped) API keys, the setup form, OIDC, AUTH=off, and the
database link on first start. After a create Profilarr PUTs its default delay profile (id 1) into the new
Radarr/Sonarr; the emulator sends nothing and appends the instance's name to `delay_profiles_applied`.
"""
from __future__ import annotations

import copy
import html
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.emulators.server import Access, Blob, Call, Emulator, Reply, Route, Text

DEFAULT_API_KEY = "profilarr-emulator-key-0123456789abcdef"
MIN_API_KEY_LENGTH = 32
ARR_TYPES = ("radarr", "sonarr")
PUBLIC_PATHS = ("/auth/login", "/auth/setup", "/auth/oidc", "/api/v1/health")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
INSTANCE = r"(?P<instance>[^/]+)"
CSRF_MESSAGE = "Cross-site POST form submissions are forbidden"
# docs/api/v1/schemas/arr.yaml: the required properties of an ArrInstance and their types; tags and
# library_last_refreshed_at may be null; the secrets never appear.
REQUIRED_FIELDS: Mapping[str, type] = {"id": int, "name": str, "type": str, "url": str, "enabled": int,
                                       "library_refresh_interval": int, "created_at": str, "updated_at": str}
NULLABLE_TEXT_FIELDS = ("tags", "library_last_refreshed_at")
SECRET_FIELDS = ("api_key", "external_url")


class _Undefined:
    """JavaScript's undefined: a form field that was not sent (devalue writes it as -1)."""

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False                                     # falsy, as in JavaScript


UNDEFINED = _Undefined()


# -- devalue (the serializer of SvelteKit's action answers) --------------------------------------------------------

def _devalue_string(text: str) -> str:
    escapes = {'"': '\\"', "<": "\\u003C", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
               "\f": "\\f", "\u2028": "\\u2028", "\u2029": "\\u2029"}
    return '"' + "".join(escapes.get(c) or (f"\\u{ord(c):04x}" if c < " " else c) for c in text) + '"'


def _js_keys(thing: Mapping[str, Any]) -> list[str]:
    """The order of `for (key in object)`: array-index keys ascending first, then the others as inserted."""
    indices = sorted((k for k in thing if k.isdigit() and str(int(k)) == k and int(k) < 2**32 - 1), key=int)
    return [*indices, *(k for k in thing if k not in indices)]


def devalue_stringify(value: Any) -> str:
    """devalue's `stringify` for JSON-like data: a JSON text of a flat array whose item 0 is the root; an object
    maps each key to the index of its value, an array lists indices, primitives stand as themselves (an equal
    primitive is stored once); UNDEFINED is -1, NaN -3, Infinity -4, -Infinity -5, -0.0 -6."""
    stringified: list[str] = []
    indexes: dict[tuple[Any, ...], int] = {}

    def flatten(thing: Any) -> int:
        if thing is UNDEFINED:
            return -1
        if isinstance(thing, float):
            if math.isnan(thing):
                return -3
            if math.isinf(thing):
                return -4 if thing > 0 else -5
            if thing == 0 and math.copysign(1, thing) < 0:
                return -6
        if isinstance(thing, (dict, list)):
            key: tuple[Any, ...] = ("object", id(thing))
        elif isinstance(thing, bool) or thing is None:
            key = ("literal", thing)
        elif isinstance(thing, (int, float, str)):
            key = ("number" if not isinstance(thing, str) else "string", thing)   # 1 and 1.0: one JS number
        else:
            raise TypeError(f"devalue_stringify cannot stringify {type(thing).__name__}")
        if key in indexes:
            return indexes[key]
        index = indexes[key] = len(stringified)
        stringified.append("")
        if isinstance(thing, dict):
            text = "{" + ",".join(f"{_devalue_string(str(k))}:{flatten(thing[k])}" for k in _js_keys(thing)) + "}"
        elif isinstance(thing, list):
            text = "[" + ",".join(str(flatten(item)) for item in thing) + "]"
        elif isinstance(thing, str):
            text = _devalue_string(thing)
        elif thing is None or isinstance(thing, bool):
            text = json.dumps(thing)
        elif isinstance(thing, float) and thing.is_integer() and abs(thing) < 1e21:
            text = str(int(thing))                          # String(1.0) is "1"
        else:
            text = repr(thing)
        stringified[index] = text
        return index

    root = flatten(value)
    return str(root) if root < 0 else "[" + ",".join(stringified) + "]"


# -- SvelteKit's request handling ----------------------------------------------------------------------------------

def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def _media_type(headers: Mapping[str, str]) -> str:
    return (_header(headers, "Content-Type") or "").split(";", 1)[0].strip().lower()


def _url_origin(url: str) -> str:
    """`new URL(url).origin`: scheme and host lower-cased, the scheme's default port left out."""
    split = urlsplit(url)
    scheme, host = split.scheme.lower(), split.hostname or ""
    port = split.port
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != {"http": 80, "https": 443}.get(scheme):
        netloc += f":{port}"
    return f"{scheme}://{netloc}"


def negotiate(accept: str, types: tuple[str, ...]) -> str | None:
    """SvelteKit's `negotiate`: the first of `types` that the best-ranked part of `accept` allows."""
    parts = []
    for i, text in enumerate(accept.split(",")):
        match = re.search(r"([^/ \t]+)/([^; \t]+)[ \t]*(?:;[ \t]*q=([0-9.]+))?", text)
        if match:
            kind, subtype, q = match.group(1), match.group(2), float(match.group(3) or 1)
            parts.append((-q, subtype == "*", kind == "*", i, kind, subtype))
    parts.sort()
    accepted, best = None, len(parts)
    for mimetype in types:
        kind, subtype = mimetype.split("/")
        rank = next((n for n, p in enumerate(parts) if p[4] in (kind, "*") and p[5] in (subtype, "*")), len(parts))
        if rank < best:
            accepted, best = mimetype, rank
    return accepted


def _js_int(text: str | None) -> int | None:
    """JavaScript's parseInt(text, 10): the leading integer, None for NaN."""
    match = re.match(r"\s*([+-]?\d+)", text or "")
    return int(match.group(1)) if match else None


def _now() -> str:
    """SQLite's CURRENT_TIMESTAMP."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _json(status: int, data: Any) -> Reply:
    """SvelteKit's json(): JSON.stringify (compact, nulls kept), application/json."""
    return Reply(status, Blob(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode(),
                              "application/json"))


def _html(status: int, title: str, message: str = "") -> Reply:
    paragraph = f"<p>{html.escape(message)}</p>" if message else ""
    page = (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} - Profilarr'
            f"</title></head><body><h1>{html.escape(title)}</h1>{paragraph}</body></html>\n")
    return Reply(status, Blob(page.encode(), "text/html"))


def _redirect(location: str) -> Reply:
    return Reply(303, None, [("Location", location)])


def _tags(text: str | None) -> list[Any]:
    """The `tags` field: a JSON array text; blank, unparsable or not an array: []."""
    try:
        tags = json.loads(text or "")
    except ValueError:
        return []
    return tags if isinstance(tags, list) else []


@dataclass(frozen=True)
class Failure:
    status: int
    data: Any


@dataclass(frozen=True)
class Success:
    data: Any


@dataclass(frozen=True)
class Redirect:
    location: str


Outcome = Failure | Success | Redirect
Action = Callable[[Call, Mapping[str, str]], Outcome]


class _ActionError(Exception):
    """An error SvelteKit raises around an action (no such action, no form): an error answer, not a failure."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ProfilarrEmulator(Emulator):
    """A fake Profilarr v2 that links Radarr and Sonarr instances like the real app does."""

    name = "profilarr"

    def __init__(self, api_key: str | None = DEFAULT_API_KEY, origin: str | None = None,
                 admin_created: bool = False) -> None:
        """api_key: PROFILARR_API_KEY (None: not set); origin: ORIGIN (None: the request's Host decides);
        admin_created: whether a local user exists (False: the first-run setup redirect)."""
        if api_key is not None and len(api_key) < MIN_API_KEY_LENGTH:
            raise ValueError(f"PROFILARR_API_KEY needs at least {MIN_API_KEY_LENGTH} characters")
        self.api_key = api_key
        self.origin = origin
        self.admin_created = admin_created
        self.instances: list[dict[str, Any]] = []           # the arr_instances rows, secrets in clear
        self.delay_profiles_applied: list[str] = []        # instance names, in order of creation
        self._next_id = 1
        super().__init__(None)

    # -- for tests ---------------------------------------------------------------------------------------------

    def create_admin(self) -> None:
        """The state after someone created the local user at /auth/setup."""
        with self._lock:
            self.admin_created = True

    def add_instance(self, name: str, type: str = "radarr", url: str = "http://radarr:7878",
                     api_key: str = "0123456789abcdef0123456789abcdef", external_url: str | None = None,
                     tags: Sequence[str] | None = (), enabled: bool = True,
                     library_refresh_interval: int = 0) -> dict[str, Any]:
        """Seed a row as the database would hold it (no validation, no delay profile); tags None: null."""
        with self._lock:
            return copy.deepcopy(self._insert(name, type, url, api_key, external_url,
                                              None if tags is None else list(tags), int(enabled),
                                              library_refresh_interval))

    def snapshot(self) -> dict[str, Any]:
        return {"admin_created": self.admin_created, "instances": copy.deepcopy(self.instances),
                "next_id": self._next_id, "delay_profiles_applied": list(self.delay_profiles_applied)}

    def restore(self, state: Mapping[str, Any]) -> None:
        self.admin_created = bool(state.get("admin_created"))
        self.instances = copy.deepcopy(list(state.get("instances") or []))
        self._next_id = int(state.get("next_id") or max((i["id"] + 1 for i in self.instances), default=1))
        self.delay_profiles_applied = list(state.get("delay_profiles_applied") or [])

    def writes_state(self, path: str) -> bool:
        return path.startswith("/arr/")

    def _insert(self, name: str, arr_type: str, url: str, api_key: str, external_url: str | None,
                tags: list[Any] | None, enabled: int, interval: int) -> dict[str, Any]:
        now = _now()
        row = {"id": self._next_id, "name": name, "type": arr_type, "url": url, "external_url": external_url,
               "api_key": api_key, "tags": tags, "enabled": enabled, "library_refresh_interval": interval,
               "library_last_refreshed_at": None, "created_at": now, "updated_at": now}
        self._next_id += 1
        self.instances.append(row)
        return row

    # -- access: SvelteKit's CSRF check, then the hook -----------------------------------------------------------

    def _app_origin(self, headers: Mapping[str, str]) -> str:
        return _url_origin(self.origin or f"http://{_header(headers, 'Host') or ''}")

    def _access(self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str]) -> Access:
        if (method == "POST" and _media_type(headers) in FORM_TYPES
                and _header(headers, "Origin") != self._app_origin(headers)):
            if _header(headers, "Accept") == "application/json":
                return Access(_json(403, {"message": CSRF_MESSAGE}))
            return Access(Reply(403, Text(CSRF_MESSAGE)))
        by_key = self.api_key is not None and _header(headers, "X-Api-Key") == self.api_key
        if not self.admin_created and not by_key and path != "/auth/setup":
            return Access(_redirect("/auth/setup"))
        if by_key:
            return Access(None, "api")
        if any(path == p or path.startswith(p + "/") for p in PUBLIC_PATHS):
            return Access(None)
        return Access(_json(401, {"error": "Unauthorized"}) if path.startswith("/api") else _redirect("/auth/login"))

    # -- routes ------------------------------------------------------------------------------------------------

    def _build_routes(self) -> list[Route]:
        settings = "/arr/" + INSTANCE + "/settings"
        return self.routes([
            ("GET", "/api/v1/health", self._health),
            ("GET", "/api/v1/arr", self._list),
            ("GET", "/auth/setup", lambda call: _html(200, "Setup")),
            ("GET", "/auth/login", lambda call: _html(200, "Login")),
            ("GET", "/arr", lambda call: _html(200, "Arr instances")),
            ("GET", "/arr/new", lambda call: _html(200, "New instance")),
            ("POST", "/arr/new", lambda call: self._act(call, {"default": self._create})),
            ("GET", settings, self._settings_page),
            ("POST", settings, lambda call: self._act(call, {"update": self._update, "delete": self._delete})),
        ])

    @staticmethod
    def _parse_body(body: bytes, content_type: str, unreadable: bool) -> Any:
        """The form (the first value of each field, as formData.get); None when the body is no form."""
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type == "application/x-www-form-urlencoded":
            pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        elif media_type == "multipart/form-data":
            message = BytesParser(policy=policy.HTTP).parsebytes(
                b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
            parts = message.iter_parts() if message.is_multipart() else iter(())
            pairs = [(str(part.get_param("name", header="content-disposition")),
                      (part.get_payload(decode=True) or b"").decode("utf-8", "replace")) for part in parts]
        else:
            return None
        form: dict[str, str] = {}
        for name, value in pairs:
            form.setdefault(name, value)
        return form

    def _health(self, call: Call) -> Reply:
        timestamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return _json(200, {"status": "healthy", "timestamp": timestamp})

    def _list(self, call: Call) -> Reply:
        rows = [{"id": i["id"], "name": i["name"], "type": i["type"], "url": i["url"],
                 "tags": None if i["tags"] is None else json.dumps(i["tags"], separators=(",", ":"),
                                                                   ensure_ascii=False),
                 "enabled": i["enabled"], "library_refresh_interval": i["library_refresh_interval"],
                 "library_last_refreshed_at": i["library_last_refreshed_at"], "created_at": i["created_at"],
                 "updated_at": i["updated_at"]} for i in self.instances]
        self._violate("GET", "/api/v1/arr", "response 200 (docs/api/v1/schemas/arr.yaml)", self._check_list(rows))
        return _json(200, rows)

    @staticmethod
    def _check_list(rows: list[dict[str, Any]]) -> list[str]:
        problems = []
        for n, row in enumerate(rows):
            for field_name, kind in REQUIRED_FIELDS.items():
                value = row.get(field_name)
                if field_name not in row:
                    problems.append(f"[{n}].{field_name}: required")
                elif not isinstance(value, kind) or isinstance(value, bool):
                    problems.append(f"[{n}].{field_name}: {value!r} is not {kind.__name__}")
            problems += [f"[{n}].{f}: {row[f]!r} is neither text nor null" for f in NULLABLE_TEXT_FIELDS
                         if f in row and row[f] is not None and not isinstance(row[f], str)]
            problems += [f"[{n}].{f}: a secret in the answer" for f in SECRET_FIELDS if f in row]
            if row.get("type") not in ARR_TYPES:
                problems.append(f"[{n}].type: {row.get('type')!r} is not one of {ARR_TYPES}")
            if row.get("enabled") not in (0, 1):
                problems.append(f"[{n}].enabled: {row.get('enabled')!r} is not 0 or 1")
        return problems

    def _settings_page(self, call: Call) -> Reply:
        found = self._instance(call)
        return _html(200, "Settings") if isinstance(found, dict) else _html(found.status, found.data["error"])

    # -- form actions ------------------------------------------------------------------------------------------

    def _act(self, call: Call, actions: Mapping[str, Action]) -> Reply:
        """SvelteKit's handle_action_json_request (Accept negotiates to JSON) or handle_action_request (a
        browser's form post, answered with the page)."""
        as_json = negotiate(_header(call.headers, "Accept") or "*/*", ("application/json", "text/html")) \
            == "application/json"
        try:
            outcome = self._call_action(call, actions)
        except _ActionError as exc:
            if as_json:
                return _json(exc.status, {"type": "error", "error": {"message": exc.message}})
            return _html(exc.status, exc.message)
        if isinstance(outcome, Redirect):
            if as_json:
                return _json(200, {"type": "redirect", "status": 303, "location": outcome.location})
            return _redirect(outcome.location)
        if isinstance(outcome, Failure):
            if as_json:
                return _json(200, {"type": "failure", "status": outcome.status,
                                   "data": devalue_stringify(outcome.data)})
            return _html(outcome.status, "Error", str(outcome.data.get("error", "")))
        if as_json:
            return _json(200, {"type": "success", "status": 200, "data": devalue_stringify(outcome.data)})
        return _html(200, "Saved")

    @staticmethod
    def _call_action(call: Call, actions: Mapping[str, Action]) -> Outcome:
        named = next((key[1:] for key, _ in call.pairs if key.startswith("/")), None)   # ?/update
        if named == "default":
            raise _ActionError(500, "Internal Error")          # 'Cannot use reserved action name "default"'
        action = actions.get("default" if named is None else named)
        if action is None:
            raise _ActionError(404, "Not Found")               # "No action with name '...' found"
        if _media_type(call.headers) not in FORM_TYPES:
            raise _ActionError(415, "Unsupported Media Type")  # "Form actions expect form-encoded data"
        if call.body is None:
            raise _ActionError(500, "Internal Error")          # request.formData() throws (text/plain)
        return action(call, call.body)

    @staticmethod
    def _field(form: Mapping[str, str], name: str) -> Any:
        """formData.get(name)?.toString().trim(): UNDEFINED when the field was not sent."""
        return form[name].strip() if name in form else UNDEFINED

    def _create(self, call: Call, form: Mapping[str, str]) -> Outcome:
        """src/routes/arr/new/+page.server.ts, the default action."""
        name, arr_type, url, api_key = (self._field(form, f) for f in ("name", "type", "url", "api_key"))
        values = {"name": name, "type": arr_type, "url": url}

        def failure(message: str) -> Failure:
            return Failure(400, {"error": message, "values": values})

        if not (name and arr_type and url and api_key):       # UNDEFINED or blank
            return failure("Name, type, URL, and API key are required")
        if arr_type not in ARR_TYPES:
            return failure("Invalid arr type")
        if any(i["name"] == name for i in self.instances):   # SQLite's = is case-sensitive
            return failure("An instance with this name already exists")
        if any(i["type"] == arr_type and i["url"] == url for i in self.instances):
            return failure("This instance target is already configured")
        external_url = self._field(form, "external_url")
        self._insert(name, arr_type, url, api_key, external_url or None, _tags(form.get("tags")), 1, 0)
        self.delay_profiles_applied.append(name)
        return Redirect("/arr")

    def _instance(self, call: Call) -> dict[str, Any] | Failure:
        instance_id = _js_int(unquote(call.groups["instance"]))
        if instance_id is None:
            return Failure(400, {"error": "Invalid instance ID"})
        row = next((i for i in self.instances if i["id"] == instance_id), None)
        return row if row is not None else Failure(404, {"error": "Instance not found"})

    def _update(self, call: Call, form: Mapping[str, str]) -> Outcome:
        """src/routes/arr/[id]/settings/+page.server.ts, ?/update (the type never changes)."""
        row = self._instance(call)
        if isinstance(row, Failure):
            return row
        name, url, api_key = (self._field(form, f) for f in ("name", "url", "api_key"))
        others = [i for i in self.instances if i is not row]
        if not name:
            return Failure(400, {"error": "Name is required"})
        if not url:
            return Failure(400, {"error": "URL is required"})
        if any(i["name"] == name for i in others):
            return Failure(400, {"error": "An instance with this name already exists"})
        if api_key and any(i["api_key"] == api_key for i in others):
            return Failure(400, {"error": "This instance is already connected"})
        row.update(name=name, url=url, api_key=api_key or row["api_key"], tags=_tags(form.get("tags")),
                   enabled=1 if form.get("enabled") == "1" else 0,
                   library_refresh_interval=_js_int(form.get("library_refresh_interval")) or 0, updated_at=_now())
        return Success({"success": True})

    def _delete(self, call: Call, form: Mapping[str, str]) -> Outcome:
        """?/delete."""
        row = self._instance(call)
        if isinstance(row, Failure):
            return row
        self.instances.remove(row)
        return Redirect("/arr")
