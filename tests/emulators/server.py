"""Emulators on 127.0.0.1, checked against the app's official OpenAPI document (where it has one) on every
exchange: the generic `Emulator` (listening, slow start, injected faults, the request log, routing, the checks)
and `ArrEmulator`, a stateful Radarr (API v3) or Prowlarr (API v1). Modules under test talk to them over HTTP from
another process."""
from __future__ import annotations

import copy
import getpass
import hashlib
import json
import os
import re
import shutil
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple, Self
from urllib.parse import parse_qsl, urlsplit

from tests.emulators.catalog import APPS, CheckContext, run_checks
from tests.emulators.connectors import MODES, real_connections
from tests.emulators.downloading import MovieDownloads
from tests.emulators.errors import ApiError, failure, invalid, not_found, problem
from tests.emulators.indexing import IndexerChain
from tests.emulators.movies import folder_name, lab_movie
from tests.emulators.providers import Providers
from tests.emulators.spec import NoDocument, SpecValidator, load_spec_validator
from tests.emulators.store import Store

DEFAULT_API_KEY = "0123456789abcdef0123456789abcdef"
ID = r"(?P<id>-?\d+)"
TAG_LABEL = re.compile(r"^[a-z0-9-]+$", re.IGNORECASE)
WRITE_METHODS = ("POST", "PUT", "DELETE")
BUILD_TIME = "2025-10-25T10:12:31Z"


class RequestRecord(NamedTuple):
    method: str
    path: str
    query: dict[str, str]
    status: int


@dataclass
class Reply:
    status: int
    body: Any = None                                  # JSON-serializable; None: empty body
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Call:
    query: Mapping[str, str]
    body: Any
    id: int
    pairs: tuple[tuple[str, str], ...] = ()          # the query in order, repeated names kept
    caller: Any = None                                # who the app's authentication found (app-specific)
    headers: Mapping[str, str] = field(default_factory=dict)
    groups: Mapping[str, str] = field(default_factory=dict)   # the route's named groups

    def values(self, name: str) -> list[str]:
        """Every value of a query parameter, repeated (`?a=1&a=2`) or not."""
        return [v for k, v in self.pairs if k == name]

    @property
    def force_save(self) -> bool:
        return self.query.get("forceSave", "").lower() == "true"


class Route(NamedTuple):
    method: str
    pattern: re.Pattern[str]
    handler: Callable[[Call], Reply]


@dataclass(frozen=True)
class Access:
    """What an app's authentication decided: a refusal (None: go on), who calls, and whether the credentials
    came the way the document describes (only then is the document's security requirement checked)."""

    refusal: Reply | None
    caller: Any = None
    documented: bool = False


@dataclass
class _Fault:
    method: str
    path: re.Pattern[str]
    status: int
    body: Any
    times: int


def _without_nulls(value: Any) -> Any:
    """The apps serialize with WhenWritingNull: null properties are left out of every answer."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


class Text(str):
    """A plain-text answer body (Jellyfin's exception middleware), sent as text/plain rather than JSON."""


@dataclass(frozen=True)
class Blob:
    """An answer body that is neither JSON nor plain text (Prowlarr's Torznab XML, a .torrent file)."""

    data: bytes
    content_type: str


def _payload(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, Blob):
        return body.data
    return body.encode() if isinstance(body, Text) else json.dumps(body).encode()


def _content_type(body: Any) -> str:
    if isinstance(body, Blob):
        return body.content_type
    return "text/plain; charset=utf-8" if isinstance(body, Text) else "application/json; charset=utf-8"


def _password_hash(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


class Emulator:
    """What every emulated app shares. A subclass sets `name`, builds its routes and decides access."""

    name = "app"
    # (method, path) -> component schema of the body, for operations the document types only loosely.
    component_bodies: Mapping[tuple[str, str], str] = {}
    # Paths the app serves outside its document (Jellyfin's /health): answered, never checked.
    unchecked_paths: frozenset[str] = frozenset()
    absent_paths: frozenset[str] = frozenset()        # answered 404 (after the access check), never checked

    def __init__(self, spec_key: str | None, specs_dir: Path | None = None) -> None:
        """spec_key: the app's OpenAPI document (SPEC_FILES); None for an app without one (nothing checked)."""
        self.spec: SpecValidator | NoDocument = (load_spec_validator(spec_key, specs_dir) if spec_key is not None
                                                 else NoDocument())
        self.requests: list[RequestRecord] = []
        self.violations: list[str] = []
        self.host = "127.0.0.1"
        self.port = 0
        self.started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._routes = self._build_routes()
        self._faults: list[_Fault] = []
        self._unavailable_until = 0.0
        self._lock = threading.Lock()          # one request at a time: the state stays consistent
        self._life = threading.Lock()          # start/stop/slow_start against the re-bind timer
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._rebind: threading.Timer | None = None
        self._running = False
        self._state_file: Path | None = None
        self._saved = ""

    def _build_routes(self) -> list[Route]:
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any]:
        """The app's state as JSON data, for a stand-in container that keeps it in its volume."""
        raise NotImplementedError

    def restore(self, state: Mapping[str, Any]) -> None:
        """Take back what `snapshot` gave (in a new emulator, before it serves)."""
        raise NotImplementedError

    def persist(self, path: Path) -> None:
        """Load the state from `path` if it exists, and write it there whenever a request changed it (the real
        apps keep their state on disk: a new container on the same volume finds it). In-process use stays in
        memory."""
        with self._lock:
            if path.is_file() and path.stat().st_size:
                self.restore(json.loads(path.read_text()))
            self._state_file = path
            self._save_state()

    def _save_state(self) -> None:
        # Compared after every request, not only writes: some GETs change state (Seerr's library sync).
        if self._state_file is None:
            return
        text = json.dumps(self.snapshot(), indent=1, sort_keys=False)
        if text == self._saved:
            return
        self._state_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._state_file.with_name(self._state_file.name + ".tmp")
        # Owner only: it holds keys and passwords.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as state:
            state.write(text)
        os.chmod(temporary, 0o600)                   # an older file of another mode
        os.replace(temporary, self._state_file)      # a container killed mid-write keeps the old file
        self._saved = text

    def _bind_query(self, path: str, pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        """The query as the app's framework binds it (Jellyfin: names case-insensitively)."""
        return pairs

    def _access(self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str]) -> Access:
        raise NotImplementedError

    def _answer_headers(self) -> list[tuple[str, str]]:
        """Headers on every answer."""
        return []

    def _refuse_invalid(self, problems: list[str]) -> Reply | None:
        """The answer to a request that breaks the document, before any authentication, for an app that checks
        every request against it at run time (Seerr); None: the request goes on (and stays a violation)."""
        return None

    @staticmethod
    def routes(table: list[tuple[str, str, Callable[[Call], Reply]]]) -> list[Route]:
        return [Route(method, re.compile(pattern), handler) for method, pattern, handler in table]

    # -- public interface --------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self.port}"

    @property
    def writes(self) -> list[RequestRecord]:
        """The requests that may change the app's state (not a login)."""
        return [r for r in self.requests if r.method in WRITE_METHODS and self.writes_state(r.path)]

    def writes_state(self, path: str) -> bool:
        return True

    def start(self, port: int = 0, host: str = "127.0.0.1") -> Self:
        """Listen on host:port (0: any free port); the stand-in image listens on 0.0.0.0 and the app's port."""
        with self._life:
            self.host = host
            self._listen(port)
            self._running = True
        return self

    def stop(self) -> None:
        with self._life:
            self._running = False
            if self._rebind is not None:
                self._rebind.cancel()
            self._close_listener()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def slow_start(self, seconds: float, mode: str = "refuse") -> None:
        """Act like an app still starting for `seconds`: nobody listens ("refuse", then the same port again)
        or everything, /ping included, answers 503 ("503")."""
        if mode == "503":
            self._unavailable_until = time.monotonic() + seconds
        elif mode == "refuse":
            with self._life:
                if self._rebind is not None:
                    self._rebind.cancel()
                self._close_listener()
                self._rebind = threading.Timer(seconds, self._listen_again, args=(self.port,))
                self._rebind.daemon = True
                self._rebind.start()
        else:
            raise ValueError(f"slow_start mode must be 'refuse' or '503', not {mode!r}")

    def fail_next(self, method: str, path_regex: str, status: int, body: object | None = None,
                  times: int = 1) -> None:
        """Answer the next `times` requests matching method and path (re.search) with this status and body
        (sent as JSON; None: empty). The request is still checked against the document; the answer is not."""
        with self._lock:
            self._faults.append(_Fault(method.upper(), re.compile(path_regex), status, body, times))

    # -- listening ---------------------------------------------------------------------------------------------

    def _listen(self, port: int) -> None:
        server = _Server(self.host, port, self)
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
                                        name=f"{self.name}-emulator")
        self._thread.start()
        self._server = server
        self.port = server.server_address[1]

    def _listen_again(self, port: int) -> None:
        with self._life:
            if not self._running or self._server is not None:
                return
            try:
                self._listen(port)
            except OSError as exc:
                self.violations.append(f"emulator error: cannot listen on port {port} again: {exc}")

    def _close_listener(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    # -- one exchange ------------------------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Mapping[str, str],
               body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        """Answer one request: status, headers, body. Recorded and checked before anything is sent."""
        split = urlsplit(target)
        with self._lock:
            pairs = self._bind_query(split.path, tuple(parse_qsl(split.query, keep_blank_values=True)))
            reply = self._respond(method, split.path, pairs, headers, body)
            payload = _payload(reply.body)
            self.requests.append(RequestRecord(method, split.path, dict(pairs), reply.status))
            self._save_state()
        sent = [*self._answer_headers(), *reply.headers]
        if payload:
            sent.append(("Content-Type", _content_type(reply.body)))
        return reply.status, sent, payload

    def _violate(self, method: str, path: str, where: str, problems: list[str]) -> None:
        self.violations.extend(f"{method} {path}: {where}: {p}" for p in problems)

    def _respond(self, method: str, path: str, pairs: tuple[tuple[str, str], ...], headers: Mapping[str, str],
                 body: bytes) -> Reply:
        query = dict(pairs)
        content_type = headers.get("Content-Type") or ""
        access = self._access(method, path, query, headers)
        if path in self.unchecked_paths:
            return self._dispatch(method, path, pairs, headers, body, False, access.caller)
        if path in self.absent_paths:       # asked by a real client, absent from the app and from its document
            return access.refusal or Reply(404)
        check = self.spec.check_request(method, path, list(pairs), dict(headers.items()), body, content_type,
                                        check_security=access.documented)
        component = self.component_bodies.get((method, path))
        problems = list(check.problems)
        if component and body.strip():
            problems += self.spec.check_component(component, body, request=True)
        self._violate(method, path, "request", problems)
        if time.monotonic() < self._unavailable_until:
            return Reply(503)
        refused = self._refuse_invalid(problems) if problems else None
        if refused is not None:
            return refused
        if access.refusal is not None:
            return access.refusal
        fault = self._take_fault(method, path)
        if fault is not None:
            return Reply(fault.status, fault.body)
        reply = self._dispatch(method, path, pairs, headers, body, check.body_unreadable, access.caller)
        if 200 <= reply.status < 300 and not isinstance(reply.body, Blob):
            reply.body = _without_nulls(reply.body)
            payload = _payload(reply.body)
            if component and payload:
                problems = self.spec.check_component(component, payload, request=False)
            else:
                problems = self.spec.check_response(method, path, query, reply.status, payload,
                                                    _content_type(reply.body).split(";")[0] if payload else "")
            self._violate(method, path, f"response {reply.status}", problems)
        return reply

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        fault = next((f for f in self._faults if f.method == method and f.path.search(path)), None)
        if fault is not None:
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
        return fault

    def _dispatch(self, method: str, path: str, pairs: tuple[tuple[str, str], ...], headers: Mapping[str, str],
                  body: bytes, body_unreadable: bool, caller: Any) -> Reply:
        matches = [(route, m) for route in self._routes if (m := route.pattern.fullmatch(path))]
        found = next(((route, m) for route, m in matches if route.method == method), None)
        if found is None:
            return Reply(405 if matches else 404)
        route, match = found
        try:
            data = self._parse_body(body, headers.get("Content-Type") or "", body_unreadable)
            groups = match.groupdict()
            call = Call(dict(pairs), data, int(groups["id"]) if "id" in groups else 0, pairs, caller, headers, groups)
            if method in ("PUT", "DELETE") and "id" in match.groupdict() and call.id <= 0:
                raise problem(400, f"{call.id} is not a valid ID")
            return route.handler(call)
        except ApiError as exc:
            return Reply(exc.status, exc.body)
        except Exception as exc:  # noqa: BLE001 -- an emulator bug must fail the test, not pass as a 500
            trace = "".join(traceback.format_exception(exc)).strip()
            self.violations.append(f"emulator error on {method} {path}: {trace}")
            return Reply(500, {"message": str(exc), "description": None})

    @staticmethod
    def _parse_body(body: bytes, content_type: str, unreadable: bool) -> Any:
        if not body.strip():
            return None
        if "json" not in content_type.lower():
            raise ApiError(415)
        if unreadable:
            raise problem(400, "The JSON value could not be converted to the resource's property types")
        try:
            return json.loads(body)
        except ValueError as exc:
            raise problem(400, f"Invalid JSON: {exc}") from exc


class ArrEmulator(Emulator):
    """A fake Radarr or Prowlarr that behaves like the real API in the ways the modules depend on."""

    def __init__(self, app: str = "radarr", api_key: str = DEFAULT_API_KEY, specs_dir: Path | None = None,
                 connect: str = "table") -> None:
        """connect: how a provider's connection test decides: "table" (set_test_result only; in-process tests) or
        "real" (the stand-in image: tests.emulators.connectors talks to the program the provider names)."""
        if connect not in MODES:
            raise ValueError(f"connect must be one of {MODES}, not {connect!r}")
        self.app = APPS[app]
        self.name = self.app.name
        self.api_key = api_key
        self.state = Store()
        self.real = connect == "real"
        self.providers = Providers(self.app, self.state, self._connection_test() if self.real else None)
        super().__init__(app, specs_dir)
        # Prowlarr's indexers at work: its Torznab API always; the site test on save and the application sync
        # only when it really connects (in-process tests name addresses that nobody serves).
        self.chain = IndexerChain(self.state, api_key, self._lock) if self.app.key == "prowlarr" else None
        # Radarr's searches, grabs and imports: only when it really connects (the lab's request hops).
        self.downloads = (MovieDownloads(self.state, self._lock, self._save_state) if self.real and self.app.movies
                          else None)
        for kind, items in self.app.seeded.items():
            for item in items:
                self.state.add(kind, copy.deepcopy(dict(item)), item_id=item["id"])
        for name, singleton in self.app.singletons.items():
            self.state.configs[name] = dict(singleton.defaults)
            if "apiKey" in singleton.defaults:
                self.state.configs[name]["apiKey"] = api_key

    def _connection_test(self) -> Callable[[str, Mapping[str, Any]], list[dict[str, Any]]]:
        connect = real_connections(self.app, self.api_key)

        def test(kind: str, item: Mapping[str, Any]) -> list[dict[str, Any]]:
            if self.chain is not None and kind == "indexer" and item.get("implementation") == "Torznab":
                return self.chain.test(dict(item))
            return connect(kind, item)
        return test

    def wait_for_sync(self) -> None:
        """For tests: until Prowlarr's application syncs under way have ended."""
        if self.chain is not None:
            self.chain.wait()

    def snapshot(self) -> dict[str, Any]:
        return self.state.snapshot()

    def restore(self, state: Mapping[str, Any]) -> None:
        self.state.restore(dict(state))
        for config in self.state.configs.values():      # the key comes from config.xml or the environment
            if "apiKey" in config:
                config["apiKey"] = self.api_key
        if self.downloads is not None:
            self.downloads.resume()

    def stop(self) -> None:
        if self.downloads is not None:
            self.downloads.stop()
        super().stop()

    def set_test_result(self, kind: str, errors: list[str] | None) -> None:
        """Make the connection test of a provider kind fail with these messages (None: it passes)."""
        self.providers.kind(kind)
        with self._lock:
            self.providers.test_results[kind] = list(errors) if errors else None

    def items(self, kind: str) -> list[dict[str, Any]]:
        """The stored objects of a kind ("tag", "rootfolder", "downloadclient", ...), secrets in clear."""
        with self._lock:
            return self.state.items(kind)

    def config(self, name: str) -> dict[str, Any]:
        """A config singleton ("host", "mediamanagement") as GET returns it."""
        with self._lock:
            return self._config_resource(name)

    def _authenticate(self, headers: Mapping[str, str], query: Mapping[str, str]) -> tuple[bool, bool]:
        """(the key is right, and it came the way the document describes). The query wins over the header."""
        key = next((v for k, v in query.items() if k.lower() == "apikey"), None)
        documented = True
        if key is None:
            key = headers.get("X-Api-Key")
        if key is None:
            scheme, _, token = (headers.get("Authorization") or "").partition(" ")
            key, documented = (token.strip(), False) if scheme.lower() == "bearer" else (None, False)
        valid = key == self.api_key
        return valid, valid and documented

    def _access(self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str]) -> Access:
        authenticated, documented = self._authenticate(headers, query)
        return Access(None if authenticated or path == "/ping" else Reply(401), None, documented)

    def _answer_headers(self) -> list[tuple[str, str]]:
        return [("X-Application-Version", self.app.version)]

    def writes_state(self, path: str) -> bool:
        return path.startswith("/api/")

    # -- routes ------------------------------------------------------------------------------------------------

    def _build_routes(self) -> list[Route]:
        api = self.app.api_prefix
        table: list[tuple[str, str, Callable[[Call], Reply]]] = [
            ("GET", "/ping", self._ping), ("HEAD", "/ping", self._ping),
            ("GET", api + "/system/status", self._status),
            ("GET", api + "/tag", self._tags), ("POST", api + "/tag", self._create_tag),
            ("GET", api + "/tag/" + ID, self._tag), ("PUT", api + "/tag/" + ID, self._update_tag),
            ("DELETE", api + "/tag/" + ID, self._delete_tag),
        ]
        for name in self.app.seeded:
            table += [("GET", f"{api}/{name}", partial(self._seeded_list, name)),
                      ("GET", f"{api}/{name}/{ID}", partial(self._seeded_item, name))]
        for name in self.app.singletons:
            base = f"{api}/config/{name}"
            table += [("GET", base, partial(self._config, name)), ("GET", base + "/" + ID, partial(self._config, name)),
                      ("PUT", base + "/" + ID, partial(self._update_config, name))]
        if self.app.root_folders:
            table += [("GET", api + "/rootfolder", self._root_folders),
                      ("POST", api + "/rootfolder", self._create_root_folder),
                      ("GET", api + "/rootfolder/" + ID, self._root_folder),
                      ("DELETE", api + "/rootfolder/" + ID, self._delete_root_folder)]
        if self.app.movies:
            table += [("GET", api + "/movie", self._movies), ("POST", api + "/movie", self._add_movie),
                      ("GET", api + "/movie/lookup", self._movie_lookup),
                      ("GET", api + "/movie/" + ID, self._movie), ("GET", api + "/command", self._commands)]
        if self.app.key == "prowlarr":
            table += [("GET", "/" + ID + "/api", self._torznab), ("GET", "/" + ID + "/download", self._download),
                      ("POST", api + "/command", self._prowlarr_command)]
        for kind in self.app.kinds:
            base = f"{api}/{kind.name}"
            table += [("GET", base, partial(self._provider_list, kind.name)),
                      ("GET", base + "/schema", partial(self._provider_schema, kind.name)),
                      ("POST", base + "/test", partial(self._provider_test, kind.name)),
                      ("GET", base + "/" + ID, partial(self._provider, kind.name)),
                      ("POST", base, partial(self._create_provider, kind.name)),
                      ("PUT", base + "/" + ID, partial(self._update_provider, kind.name)),
                      ("DELETE", base + "/" + ID, partial(self._delete_provider, kind.name))]
        return self.routes(table)

    def _created(self, kind: str, resource: dict[str, Any]) -> Reply:
        location = f"{self.url}{self.app.api_prefix}/{kind}/{resource['id']}"
        return Reply(201, resource, [("Location", location)])

    def _stored(self, kind: str, item_id: int) -> dict[str, Any]:
        item = self.state.get(kind, item_id)
        if item is None:
            raise not_found()
        return item

    # /ping and system/status

    def _ping(self, call: Call) -> Reply:
        return Reply(200, {"status": "OK"})

    def _status(self, call: Call) -> Reply:
        host = self.state.configs.get("host", {})
        return Reply(200, {
            "appName": self.app.name, "instanceName": host.get("instanceName", self.app.name),
            "version": self.app.version, "buildTime": BUILD_TIME, "isDebug": False, "isProduction": True,
            "isAdmin": False, "isUserInteractive": False, "startupPath": f"/app/{self.app.key}/bin",
            "appData": "/config", "osName": "debian", "osVersion": "12", "isNetCore": True, "isLinux": True,
            "isOsx": False, "isWindows": False, "isDocker": True, "mode": "console", "branch": "master",
            "databaseType": "sqLite", "databaseVersion": "3.46.1",
            "authentication": host.get("authenticationMethod", "none"), "migrationVersion": 241,
            "urlBase": host.get("urlBase", ""), "runtimeVersion": "8.0.21", "runtimeName": ".NET",
            "startTime": self.started, "packageVersion": self.app.version, "packageAuthor": "linuxserver.io",
            "packageUpdateMechanism": "docker"})

    # /tag

    def _tags(self, call: Call) -> Reply:
        return Reply(200, self.state.items("tag"))

    def _tag(self, call: Call) -> Reply:
        return Reply(200, copy.deepcopy(self._stored("tag", call.id)))

    @staticmethod
    def _label(body: Any) -> str:
        label = body.get("label") if isinstance(body, dict) else None
        if not isinstance(label, str) or not label.strip():
            raise invalid([failure("Label", "'Label' must not be empty.", label)])
        if not TAG_LABEL.match(label):
            raise invalid([failure("Label", "Allowed characters a-z, 0-9 and -", label)])
        return label.lower()

    def _create_tag(self, call: Call) -> Reply:
        label = self._label(call.body)
        # A label that exists already is not an error: the existing tag comes back.
        tag = next((t for t in self.state.collections["tag"].values() if t["label"] == label), None)
        return self._created("tag", copy.deepcopy(tag or self.state.add("tag", {"label": label})))

    def _update_tag(self, call: Call) -> Reply:
        self._stored("tag", call.id)
        tag = {"id": call.id, "label": self._label(call.body)}
        self.state.put("tag", tag)
        return Reply(202, dict(tag))

    def _delete_tag(self, call: Call) -> Reply:
        self._stored("tag", call.id)
        if self.state.tag_in_use(call.id):
            raise problem(409, f"Tag {call.id} is in use")
        self.state.remove("tag", call.id)
        return Reply(200)

    # read-only seeded collections (qualityprofile, appprofile)

    def _seeded_list(self, kind: str, call: Call) -> Reply:
        return Reply(200, self.state.items(kind))

    def _seeded_item(self, kind: str, call: Call) -> Reply:
        return Reply(200, copy.deepcopy(self._stored(kind, call.id)))

    # /config/<name>

    def _config_resource(self, name: str) -> dict[str, Any]:
        resource = {"id": 1, **copy.deepcopy(self.state.configs[name])}
        if self.app.singletons[name].has_user:
            resource["passwordConfirmation"] = ""     # never returned; `password` holds the stored hash
        return resource

    def _config(self, name: str, call: Call) -> Reply:
        return Reply(200, self._config_resource(name))

    def _update_config(self, name: str, call: Call) -> Reply:
        singleton = self.app.singletons[name]
        stored = self.state.configs[name]
        body = call.body if isinstance(call.body, dict) else {}
        # A key left out deserializes to its .NET default (false, 0, first enum member) and is saved; null is
        # skipped, so a left-out string keeps its value.
        zeros = self.spec.zero_values(singleton.schema)
        incoming = {key: body.get(key, zero) for key, zero in zeros.items() if key != "id"}
        failures = run_checks(singleton.checks, CheckContext(incoming, stored, self.state.ids))
        if failures:
            raise invalid(failures)
        user_keys = ("username", "password") if singleton.has_user else ()
        for key, value in incoming.items():
            if value is not None and key not in singleton.ignored and key not in user_keys:
                stored[key] = value
        if singleton.has_user and incoming.get("username") and incoming.get("password"):
            stored["username"] = incoming["username"].lower()
            if incoming["password"] != stored["password"]:     # the hash sent back keeps the password
                stored["password"] = _password_hash(incoming["password"])
        return Reply(202, self._config_resource(name))

    # /rootfolder

    def _root_folder_resource(self, folder: dict[str, Any]) -> dict[str, Any]:
        accessible = os.path.isdir(folder["path"])
        return {"id": folder["id"], "path": folder["path"], "accessible": accessible,
                "freeSpace": shutil.disk_usage(folder["path"]).free if accessible else None, "unmappedFolders": []}

    def _root_folders(self, call: Call) -> Reply:
        return Reply(200, [self._root_folder_resource(f) for f in self.state.items("rootfolder")])

    def _root_folder(self, call: Call) -> Reply:
        return Reply(200, self._root_folder_resource(self._stored("rootfolder", call.id)))

    def _create_root_folder(self, call: Call) -> Reply:
        path = call.body.get("path") if isinstance(call.body, dict) else None
        # The validators run in the app's order and stop at the first failure.
        if not isinstance(path, str) or not os.path.isabs(path):
            message = f"Invalid Path: '{path}'"
        elif any(f["path"].rstrip("/") == path.rstrip("/") for f in self.state.collections["rootfolder"].values()):
            message = f"Path '{path}' is already configured as a root folder"
        elif not os.path.isdir(path):
            message = f"Folder '{path}' does not exist"
        elif not os.access(path, os.W_OK):
            message = f"Folder '{path}' is not writable by user '{getpass.getuser()}'"
        else:
            return self._created("rootfolder", self._root_folder_resource(self.state.add("rootfolder",
                                                                                          {"path": path})))
        raise invalid([failure("Path", message, path)])

    # /movie: the library (Radarr's MovieController, MovieLookupController); /command

    def _movie_resource(self, movie: Mapping[str, Any]) -> dict[str, Any]:
        resource = copy.deepcopy(dict(movie))
        resource.pop("addOptions", None)        # kept for the search it asked for, not shown back
        return resource

    def _movies(self, call: Call) -> Reply:
        tmdb = call.query.get("tmdbId")
        movies = [m for m in self.state.items("movie") if tmdb is None or str(m["tmdbId"]) == tmdb]
        return Reply(200, [self._movie_resource(m) for m in movies])

    def _movie(self, call: Call) -> Reply:
        return Reply(200, self._movie_resource(self._stored("movie", call.id)))

    def _movie_lookup(self, call: Call) -> Reply:
        """`term=tmdb:<id>` (what Seerr asks): the library's movie, else the metadata with id 0 (not added)."""
        term = call.query.get("term") or ""
        if not term.startswith("tmdb:"):
            return Reply(200, [])
        movie = lab_movie(term[len("tmdb:"):])
        if movie is None:
            return Reply(200, [])
        tmdb_id = int(term[len("tmdb:"):])
        added = next((m for m in self.state.items("movie") if m["tmdbId"] == tmdb_id), None)
        if added is not None:
            return Reply(200, [self._movie_resource(added)])
        return Reply(200, [{**self._metadata(tmdb_id, movie), "id": 0, "monitored": False, "hasFile": False,
                            "tags": [], "qualityProfileId": 0, "folder": folder_name(movie)}])

    @staticmethod
    def _metadata(tmdb_id: int, movie: Mapping[str, Any]) -> dict[str, Any]:
        return {**copy.deepcopy(dict(movie)), "tmdbId": tmdb_id, "sortTitle": movie["title"].lower(),
                "cleanTitle": re.sub(r"[^a-z0-9]", "", movie["title"].lower()), "status": "released",
                "isAvailable": True, "titleSlug": str(tmdb_id), "images": [], "sizeOnDisk": 0}

    def _add_movie(self, call: Call) -> Reply:
        body = call.body if isinstance(call.body, dict) else {}
        tmdb_id = body.get("tmdbId") if isinstance(body.get("tmdbId"), int) else 0
        movie = lab_movie(tmdb_id)
        folders = {f["path"].rstrip("/"): f for f in self.state.items("rootfolder")}
        root = str(body.get("rootFolderPath") or "").rstrip("/")
        profile = body.get("qualityProfileId")
        failures = []
        # The validators of Radarr's MovieController, in its order.
        if tmdb_id <= 0:
            failures.append(failure("TmdbId", "'Tmdb Id' must not be empty.", tmdb_id))
        elif any(m["tmdbId"] == tmdb_id for m in self.state.items("movie")):
            failures.append(failure("TmdbId", "This movie has already been added", tmdb_id))
        elif movie is None:
            failures.append(failure("TmdbId", f"Movie with TmdbId {tmdb_id} was not found, it may have been removed "
                                    "from TMDb.", tmdb_id))
        if not isinstance(profile, int) or self.state.get("qualityprofile", profile) is None:
            failures.append(failure("QualityProfileId", "Quality Profile does not exist", profile))
        if not body.get("path") and root not in folders:
            failures.append(failure("RootFolderPath", f"Root folder '{root}' does not exist", root))
        if failures:
            raise invalid(failures)
        options = body.get("addOptions") if isinstance(body.get("addOptions"), dict) else {}
        folder = folder_name(movie)
        added = self.state.add("movie", {
            **self._metadata(tmdb_id, movie), "monitored": body.get("monitored", True) is True,
            "minimumAvailability": body.get("minimumAvailability") or "released", "qualityProfileId": profile,
            "rootFolderPath": root, "path": body.get("path") or f"{root}/{folder}", "folderName": folder,
            "hasFile": False, "tags": sorted({t for t in body.get("tags") or [] if isinstance(t, int)}),
            "added": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "addOptions": copy.deepcopy(options)})
        if options.get("searchForMovie") is True:
            # Radarr's MovieAddedHandler: a movie added with "search on" queues its search at once.
            command = self._queue("MoviesSearch", "Movies Search", [added["id"]])
            if self.downloads is not None:
                self.downloads.movies_search(command["id"])
        return self._created("movie", self._movie_resource(added))

    def _queue(self, name: str, command_name: str, movie_ids: list[int]) -> dict[str, Any]:
        """A queued command; the movies it is for are kept apart (the document's Command body has no
        movieIds, although Radarr shows them). With real connections MovieDownloads runs it (search, grab)."""
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.state.add("command", {
            "name": name, "commandName": command_name, "body": {"sendUpdatesToClient": True, "trigger": "unspecified"},
            "priority": "normal", "status": "queued", "queued": now, "trigger": "unspecified", "stateChangeTime": now,
            "sendUpdatesToClient": True, "updateScheduledTask": True, "movieIds": list(movie_ids)})

    def queued_movie_ids(self, name: str) -> list[int]:
        """For tests and the lab's next hop: the movies of the queued commands called `name`."""
        with self._lock:
            return [i for c in self.state.items("command") if c["name"] == name and c["status"] == "queued"
                    for i in c["movieIds"]]

    def _commands(self, call: Call) -> Reply:
        return Reply(200, [{k: v for k, v in c.items() if k != "movieIds"} for c in self.state.items("command")])

    def _delete_root_folder(self, call: Call) -> Reply:
        self._stored("rootfolder", call.id)
        self.state.remove("rootfolder", call.id)
        return Reply(200)

    # providers

    def _provider_list(self, kind: str, call: Call) -> Reply:
        return Reply(200, self.providers.list(kind))

    def _provider_schema(self, kind: str, call: Call) -> Reply:
        return Reply(200, self.providers.schema(kind))

    def _provider(self, kind: str, call: Call) -> Reply:
        return Reply(200, self.providers.get(kind, call.id))

    def _create_provider(self, kind: str, call: Call) -> Reply:
        created = self.providers.create(kind, call.body, call.force_save)
        self._provider_event(kind, "added", created["id"])
        return self._created(kind, created)

    def _update_provider(self, kind: str, call: Call) -> Reply:
        updated = self.providers.update(kind, call.id, call.body, call.force_save)
        self._provider_event(kind, "updated", updated["id"])
        return Reply(202, updated)

    def _delete_provider(self, kind: str, call: Call) -> Reply:
        self.providers.delete(kind, call.id)
        self._provider_event(kind, "deleted", call.id)
        return Reply(200, {})

    def _provider_event(self, kind: str, event: str, item_id: int) -> None:
        """Prowlarr: the capabilities its test learned, and the application sync the event starts."""
        if self.chain is None or not self.real:
            return
        if kind == "indexer":
            self.chain.forget(item_id) if event == "deleted" else self.chain.keep_capabilities(item_id)
        self.chain.after_write(kind, event, item_id)

    # Prowlarr's Torznab API (NewznabController) and its commands

    def _own_url(self, call: Call) -> str:
        """Prowlarr's links use the address the app asked it at."""
        host = next((v for k, v in call.headers.items() if k.lower() == "host"), None)
        return f"http://{host}" if host else self.url

    def _torznab(self, call: Call) -> Reply:
        status, data = self.chain.torznab(self.state.get("indexer", call.id), call.query, self._own_url(call))
        return Reply(status, Blob(data, "application/rss+xml; charset=utf-8"))

    def _download(self, call: Call) -> Reply:
        status, data, kind = self.chain.download(self.state.get("indexer", call.id), call.query)
        return Reply(status, Blob(data, kind))

    def _prowlarr_command(self, call: Call) -> Reply:
        name = call.body.get("name") if isinstance(call.body, dict) else None
        if not self.real or not self.chain.command(str(name)):
            raise problem(400, f"Unknown command {name!r}")
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        command = self.state.add("command", {
            "name": name, "commandName": "Application Indexer Sync", "body": {"sendUpdatesToClient": False},
            "priority": "normal", "status": "started", "queued": now, "started": now, "trigger": "manual",
            "stateChangeTime": now, "sendUpdatesToClient": False, "updateScheduledTask": True})
        return Reply(201, command)

    def _provider_test(self, kind: str, call: Call) -> Reply:
        self.providers.test(kind, call.body)
        return Reply(200)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, port: int, emulator: Emulator) -> None:
        self.emulator = emulator
        super().__init__((host, port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.server.emulator.handle(self.command, self.path, self.headers, body)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        # One request per connection, so "refuse" mode really refuses everything that follows.
        self.send_header("Connection", "close")
        self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the emulator keeps its own request log."""
