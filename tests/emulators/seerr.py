"""SeerrEmulator: a stateful Seerr 3.1 on 127.0.0.1, checked against the official OpenAPI document.

What it reproduces is in shared/facts/app-apis.md §5: every request checked against the document at run time
(a violation is answered 400 `{message, errors}` before any authentication, and stays a violation of the test),
no credentials at all → 401 "cookie 'connect.sid' required", wrong credentials (a bogus key or cookie, or the
real API key before any user exists) → 403 `{status, error}`; the first setup through `POST /auth/jellyfin`
(anonymous, needs hostname, port and urlBase; makes user 1 an administrator, adds one Jellyfin API key named
"Seerr" per first setup, answers with a `connect.sid` cookie), the library list whose every call overwrites the
enabled set, Radarr servers (ids from 0, POST 201, no duplicate check, PUT replaces the whole object,
`isDefault` cleared on the others of the same `is4k`, the API key in plain text), the Radarr test call answering
with Radarr's profiles, root folders and tags, main and network settings merged, and `initialize`.

The Jellyfin and Radarr servers Seerr talks to are a backend (tests/emulators/seerr_backends.py): tables by
default (`emu.tables.jellyfin_users`, `.jellyfin_libraries`, `.add_radarr`), what the module tests need; the
stand-in container passes `Http`, which calls the real servers as Seerr does.
"""
from __future__ import annotations

import copy
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from tests.emulators.errors import ApiError
from tests.emulators.movies import lab_movie
from tests.emulators.seerr_backends import Backend, JellyfinAccount, JellyfinServer, Tables
from tests.emulators.server import Access, Call, Emulator, Reply, Route, Text

API = "/api/v1"
VERSION = "3.1.0"
COOKIE = "connect.sid"
JELLYFIN, NOT_CONFIGURED = 2, 4
RADARR_ID = r"(?P<radarr>\d+)"
REQUEST_ID = r"(?P<request>\d+)"
# MediaRequestStatus and MediaStatus (server/constants/media.ts; the document lists only the first three).
PENDING, APPROVED, DECLINED, FAILED = 1, 2, 3, 4
MEDIA_PROCESSING = 3
ANONYMOUS = ("/status", "/settings/public", "/auth/jellyfin")
FORBIDDEN = {"status": 403, "error": "You do not have permission to access this endpoint"}

DEFAULT_MAIN: Mapping[str, Any] = {
    "applicationTitle": "Seerr", "applicationUrl": "", "hideAvailable": False, "partialRequestsEnabled": False,
    "localLogin": True, "mediaServerType": NOT_CONFIGURED, "newPlexLogin": True, "defaultPermissions": 32,
    "enableSpecialEpisodes": False, "appLanguage": "en", "cacheImages": False, "youtubeUrl": "",
}
DEFAULT_NETWORK: Mapping[str, Any] = {
    "csrfProtection": False, "forceIpv4First": False, "trustProxy": False,
    "proxy": {"enabled": False, "hostname": "", "port": 8080, "useSsl": False, "user": "", "password": "",
              "bypassFilter": "", "bypassLocalAddresses": True},
    "dnsCache": {"enabled": False, "forceMinTtl": 0, "forceMaxTtl": -1},
}
DEFAULT_JELLYFIN: Mapping[str, Any] = {
    "name": "", "ip": "", "port": 8096, "useSsl": False, "urlBase": "", "externalHostname": "",
    "jellyfinForgotPasswordUrl": "", "libraries": [], "serverId": "", "apiKey": "",
}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _message(status: int, message: str) -> ApiError:
    return ApiError(status, {"message": message})


def _merged(current: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge (lodash `merge`, as Seerr saves settings)."""
    result = copy.deepcopy(current)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), dict):
            result[key] = _merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


@dataclass
class User:
    id: int
    username: str
    admin: bool
    created: str = field(default_factory=_now)

    def dto(self) -> dict[str, Any]:
        return {"id": self.id, "email": self.username + "@jellyfin.local", "username": self.username,
                "jellyfinUsername": self.username, "userType": 3, "permissions": 2 if self.admin else 0,
                "avatar": "/avatarproxy/" + uuid.uuid5(uuid.NAMESPACE_OID, self.username).hex,
                "createdAt": self.created, "updatedAt": self.created, "requestCount": 0}


class SeerrEmulator(Emulator):
    """A fake Seerr that behaves like the real API in the ways the seerr_* modules depend on."""

    name = "Seerr"

    def __init__(self, api_key: str | None = None, specs_dir: Path | None = None,
                 backend: Backend | None = None) -> None:
        self.main: dict[str, Any] = dict(DEFAULT_MAIN, apiKey=api_key or secrets.token_hex(32))
        self.network: dict[str, Any] = copy.deepcopy(dict(DEFAULT_NETWORK))
        self.jellyfin: dict[str, Any] = copy.deepcopy(dict(DEFAULT_JELLYFIN))
        self.initialized = False
        self.users: list[User] = []
        self.sessions: dict[str, int] = {}                  # connect.sid -> user id
        self.radarr: list[dict[str, Any]] = []
        self._next_radarr = 0
        self.media_requests: list[dict[str, Any]] = []     # MediaRequest rows, each with its media
        self.settings_extra: dict[str, Any] = {}          # keys of settings.json this emulator does not model
        self.tables = Tables()
        self.backend: Backend = backend or self.tables      # the Jellyfin and Radarr Seerr reaches
        super().__init__("seerr", specs_dir)

    # -- for tests ---------------------------------------------------------------------------------------------

    @property
    def api_key(self) -> str:
        return str(self.main["apiKey"])

    @property
    def configured(self) -> bool:
        return self.main["mediaServerType"] == JELLYFIN

    def set_up(self, admin: str, password: str, libraries: tuple[str, ...] = ()) -> None:
        """The state after someone's first setup with Jellyfin; libraries synced and these enabled."""
        with self._lock:
            self.tables.jellyfin_users.setdefault(admin, (password, True))
            host, port = self.tables.jellyfin_address
            body = {"username": admin, "hostname": host, "port": port, "useSsl": False, "urlBase": ""}
            self._first_setup(body, self.backend.jellyfin_login(JellyfinServer.of(body), admin, password))
            self._sync_libraries()
            for library in self.jellyfin["libraries"]:
                library["enabled"] = library["name"] in libraries

    def snapshot(self) -> dict[str, Any]:
        """settings.json as Seerr writes it, with the users (Seerr's database) under "standin"."""
        return {**self.settings_extra, "main": self.main, "network": self.network, "jellyfin": self.jellyfin,
                "radarr": self.radarr, "public": {"initialized": self.initialized},
                "standin": {"users": [asdict(u) for u in self.users], "sessions": self.sessions,
                            "nextRadarrId": self._next_radarr, "requests": self.media_requests}}

    def restore(self, state: Mapping[str, Any]) -> None:
        known = ("main", "network", "jellyfin", "radarr", "public", "standin")
        self.settings_extra = {k: v for k, v in state.items() if k not in known}
        self.main = _merged(self.main, state.get("main") or {})
        self.network = _merged(self.network, state.get("network") or {})
        self.jellyfin = _merged(self.jellyfin, state.get("jellyfin") or {})
        self.radarr = list(state.get("radarr") or [])
        self.initialized = bool((state.get("public") or {}).get("initialized"))
        ours = state.get("standin") or {}
        self.users = [User(**u) for u in ours.get("users") or []]
        self.sessions = dict(ours.get("sessions") or {})
        self._next_radarr = int(ours.get("nextRadarrId", max((r["id"] + 1 for r in self.radarr), default=0)))
        self.media_requests = list(ours.get("requests") or [])

    def writes_state(self, path: str) -> bool:
        return path not in (API + "/auth/jellyfin", API + "/settings/radarr/test")

    # -- access ------------------------------------------------------------------------------------------------

    def _refuse_invalid(self, problems: list[str]) -> Reply | None:
        if any(p.startswith("PathNotFound:") for p in problems):
            # An undocumented API path: the validator's 404; any other path: the web app's "not found" page.
            if "/api/v1/" in problems[0]:
                return Reply(404, {"message": "not found", "errors": [{"message": "not found"}]})
            return Reply(404, Text("404: This page could not be found."))
        return Reply(400, {"message": problems[0], "errors": [{"message": p} for p in problems]})

    def _user(self, user_id: int) -> User | None:
        return next((u for u in self.users if u.id == user_id), None)

    def _access(self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str]) -> Access:
        if path.removeprefix(API) in ANONYMOUS or not path.startswith(API + "/"):
            return Access(None)
        key = headers.get("X-Api-Key")
        cookie = SimpleCookie(headers.get("Cookie") or "").get(COOKIE)
        if key is None and cookie is None:
            message = f"cookie '{COOKIE}' required"
            return Access(Reply(401, {"message": message, "errors": [{"path": path, "message": message}]}))
        if key is not None:
            user = self._user(1) if key == self.api_key else None      # nobody before the first user exists
        else:
            user = self._user(self.sessions.get(cookie.value if cookie else "", -1))
        if user is None or not user.admin:
            return Access(Reply(403, dict(FORBIDDEN)))
        return Access(None, user, True)

    def _answer_headers(self) -> list[tuple[str, str]]:
        return [("X-Powered-By", "Express")]

    # -- routes ------------------------------------------------------------------------------------------------

    def _build_routes(self) -> list[Route]:
        return self.routes([
            ("GET", API + "/status", self._status),
            ("GET", API + "/settings/public", self._public),
            ("POST", API + "/auth/jellyfin", self._auth_jellyfin),
            ("GET", API + "/settings/main", lambda call: Reply(200, copy.deepcopy(self.main))),
            ("POST", API + "/settings/main", self._set_main),
            ("GET", API + "/settings/network", lambda call: Reply(200, copy.deepcopy(self.network))),
            ("POST", API + "/settings/network", self._set_network),
            ("GET", API + "/settings/jellyfin", lambda call: Reply(200, copy.deepcopy(self.jellyfin))),
            ("POST", API + "/settings/jellyfin", self._set_jellyfin),
            ("GET", API + "/settings/jellyfin/library", self._libraries),
            ("GET", API + "/settings/radarr", lambda call: Reply(200, copy.deepcopy(self.radarr))),
            ("POST", API + "/settings/radarr", self._create_radarr),
            ("POST", API + "/settings/radarr/test", self._test_radarr),
            ("PUT", API + "/settings/radarr/" + RADARR_ID, self._update_radarr),
            ("DELETE", API + "/settings/radarr/" + RADARR_ID, self._delete_radarr),
            ("GET", API + "/settings/radarr/" + RADARR_ID + "/profiles", self._radarr_profiles),
            ("POST", API + "/settings/initialize", self._initialize),
            ("POST", API + "/request", self._create_request),
            ("GET", API + "/request/" + REQUEST_ID, self._request),
        ])

    def _status(self, call: Call) -> Reply:
        return Reply(200, {"version": VERSION, "commitTag": "v" + VERSION, "updateAvailable": False,
                           "commitsBehind": 0, "restartRequired": False})

    def _public(self, call: Call) -> Reply:
        return Reply(200, {"initialized": self.initialized, "mediaServerType": self.main["mediaServerType"],
                           "applicationTitle": self.main["applicationTitle"],
                           "applicationUrl": self.main["applicationUrl"], "localLogin": self.main["localLogin"]})

    # the first setup and the login

    def _new_session(self, user: User) -> Reply:
        sid = secrets.token_urlsafe(24)
        self.sessions[sid] = user.id
        return Reply(200, user.dto(), [("Set-Cookie", f"{COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax")])

    def _first_setup(self, body: Mapping[str, Any], account: JellyfinAccount) -> User:
        server = JellyfinServer.of(body)
        key = self.backend.jellyfin_new_key(server, account)     # a new Jellyfin key named "Seerr" each time
        name = self.backend.jellyfin_server_name(server)
        user = User(1, str(body["username"]), True)
        self.users = [user]
        self.main["mediaServerType"] = JELLYFIN
        self.jellyfin.update(name=name, serverId=account.server_id, ip=body["hostname"], port=body["port"],
                             useSsl=bool(body.get("useSsl")), urlBase=body["urlBase"], apiKey=key)
        return user

    def _auth_jellyfin(self, call: Call) -> Reply:
        body = call.body or {}
        if not self.configured:
            if not body.get("hostname"):
                raise ApiError(500, {"error": "No hostname provided."})
            if "port" not in body or "urlBase" not in body:      # Seerr builds http://host:undefinedundefined
                raise _message(404, "INVALID_URL")
        elif body.get("hostname"):
            raise _message(500, "Jellyfin hostname already configured")
        server = JellyfinServer.of(self.jellyfin if self.configured else body)
        account = self.backend.jellyfin_login(server, str(body["username"]), str(body.get("password") or ""))
        if not self.configured:
            if not account.admin:
                raise _message(403, "NOT_ADMIN")
            return self._new_session(self._first_setup(body, account))
        user = next((u for u in self.users if u.username == body["username"]), None)
        if user is None:                        # another Jellyfin user gets an account without permissions
            user = User(max(u.id for u in self.users) + 1, body["username"], False)
            self.users.append(user)
        return self._new_session(user)

    # settings

    def _set_main(self, call: Call) -> Reply:
        self.main = _merged(self.main, call.body or {})
        return Reply(200, copy.deepcopy(self.main))

    def _set_network(self, call: Call) -> Reply:
        self.network = _merged(self.network, call.body or {})
        return Reply(200, copy.deepcopy(self.network))

    def _set_jellyfin(self, call: Call) -> Reply:
        self.jellyfin = _merged(self.jellyfin, call.body or {})
        return Reply(200, copy.deepcopy(self.jellyfin))

    def _sync_libraries(self) -> None:
        enabled = {lib["id"] for lib in self.jellyfin["libraries"] if lib["enabled"]}
        found = self.backend.jellyfin_sync(JellyfinServer.of(self.jellyfin), self.jellyfin["apiKey"])
        self.jellyfin["libraries"] = [dict(lib, enabled=lib["id"] in enabled) for lib in found]

    def _libraries(self, call: Call) -> Reply:
        if call.query.get("sync"):
            self._sync_libraries()
        enable = set(filter(None, (call.query.get("enable") or "").split(",")))
        for library in self.jellyfin["libraries"]:      # every call overwrites the whole enabled set
            library["enabled"] = library["id"] in enable
        return Reply(200, copy.deepcopy(self.jellyfin["libraries"]))

    def _initialize(self, call: Call) -> Reply:
        self.initialized = True
        return Reply(200, {"initialized": True})

    # Radarr servers

    def _stored_server(self, call: Call) -> dict[str, Any]:
        server = next((s for s in self.radarr if s["id"] == int(call.groups["radarr"])), None)
        if server is None:
            raise _message(404, "Settings for Radarr with provided ID not found.")
        return server

    def _only_default(self, server: dict[str, Any]) -> None:
        if server.get("isDefault"):
            for other in self.radarr:
                if other is not server and bool(other.get("is4k")) == bool(server.get("is4k")):
                    other["isDefault"] = False

    def _create_radarr(self, call: Call) -> Reply:
        server = dict(copy.deepcopy(call.body), id=self._next_radarr)     # no test, no duplicate check
        self._next_radarr += 1
        self.radarr.append(server)
        self._only_default(server)
        return Reply(201, copy.deepcopy(server))

    def _update_radarr(self, call: Call) -> Reply:
        index = self.radarr.index(self._stored_server(call))
        server = dict(copy.deepcopy(call.body), id=self.radarr[index]["id"])   # the whole object, no merge
        self.radarr[index] = server
        self._only_default(server)
        return Reply(200, copy.deepcopy(server))

    def _delete_radarr(self, call: Call) -> Reply:
        server = self._stored_server(call)
        self.radarr.remove(server)
        return Reply(200, copy.deepcopy(server))

    def _test_radarr(self, call: Call) -> Reply:
        radarr = self.backend.radarr(call.body or {})
        return Reply(200, {"profiles": copy.deepcopy(radarr.profiles),
                           "rootFolders": copy.deepcopy(radarr.root_folders), "tags": copy.deepcopy(radarr.tags),
                           "urlBase": radarr.url_base})

    # Requests (server/routes/request.ts, server/subscriber/MediaRequestSubscriber.ts)

    def _create_request(self, call: Call) -> Reply:
        """A movie request of the lab's catalogue (TMDB is not asked); the caller is an administrator, so it is
        approved at once and sent to the default Radarr server. Seerr answers first and sends afterwards: the
        answer says approved, a failure to send shows in the request later (FAILED)."""
        body = call.body or {}
        if body.get("mediaType") != "movie":
            raise _message(500, "The lab requests movies only")
        movie = lab_movie(body.get("mediaId"))
        if movie is None:
            raise _message(404, "Unable to retrieve movie.")
        tmdb_id = int(body["mediaId"])
        is4k = bool(body.get("is4k"))
        if any(r["media"]["tmdbId"] == tmdb_id and r["is4k"] == is4k and r["status"] in (PENDING, APPROVED)
               for r in self.media_requests):
            raise _message(409, "Request for this media already exists.")
        now, user = _now(), call.caller
        request = {"id": len(self.media_requests) + 1, "status": APPROVED, "createdAt": now, "updatedAt": now,
                   "type": "movie", "is4k": is4k, "requestedBy": user.dto(), "modifiedBy": user.dto(),
                   "media": {"id": tmdb_id, "tmdbId": tmdb_id, "tvdbId": None, "mediaType": "movie",
                             "status": MEDIA_PROCESSING, "createdAt": now, "updatedAt": now}}
        for key in ("serverId", "profileId", "rootFolder"):
            if body.get(key) is not None:
                request[key] = body[key]
        self.media_requests.append(request)
        answer = copy.deepcopy(request)
        self._send_to_radarr(request, tmdb_id, movie)
        return Reply(201, answer)

    def _send_to_radarr(self, request: dict[str, Any], tmdb_id: int, movie: Mapping[str, Any]) -> None:
        """sendToRadarr: the default server of the request's kind (or the one it names), its root folder,
        profile, availability and tags unless the request overrides them; search on unless preventSearch."""
        server = next((s for s in self.radarr if s.get("isDefault") and bool(s.get("is4k")) == request["is4k"]),
                      None)
        if request.get("serverId") is not None and (server is None or server["id"] != request["serverId"]):
            server = next((s for s in self.radarr if s["id"] == request["serverId"]), None)
        if server is None:
            return                                   # Seerr logs "no default Radarr server" and leaves it
        options = {"title": movie["title"], "tmdbId": tmdb_id, "year": int(movie["year"]), "monitored": True,
                   "qualityProfileId": request.get("profileId") or server.get("activeProfileId"),
                   "rootFolderPath": request.get("rootFolder") or server.get("activeDirectory"),
                   "minimumAvailability": server.get("minimumAvailability"), "tags": list(server.get("tags") or []),
                   "searchNow": not server.get("preventSearch")}
        try:
            added = self.backend.radarr_add_movie(server, options)
        except ApiError:
            request["status"], request["updatedAt"] = FAILED, _now()
            return
        request["media"].update(externalServiceId=added.get("id"), externalServiceSlug=added.get("titleSlug"),
                                serviceId=server["id"], updatedAt=_now())

    def _request(self, call: Call) -> Reply:
        request = next((r for r in self.media_requests if r["id"] == int(call.groups["request"])), None)
        if request is None:
            raise _message(404, "Request not found.")
        return Reply(200, copy.deepcopy(request))

    def _radarr_profiles(self, call: Call) -> Reply:
        return Reply(200, copy.deepcopy(self.backend.radarr(self._stored_server(call)).profiles))
