"""JellyfinEmulator: a stateful Jellyfin 10.11 on 127.0.0.1, checked against the official OpenAPI document.

What it reproduces is in shared/facts/app-apis.md §4: the first-run wizard (anonymous until completed, then
administrators only: 401 without a token, 403 for another user, both with an empty body), the MediaBrowser
authorization header and its token, API keys (a new one on every create, never returned by the create),
libraries ("Movies2" for a name that exists; a path missing on disk is a 400 in plain text), the network
configuration document (keys left out of a write fall back to their defaults) and a slow start. Also the movies a
library scan finds on disk, `GET /Items`, and the scans that Radarr's "Emby / Jellyfin" notification starts with
`POST /Library/Media/Updated` (or an administrator with `POST /Library/Refresh`), run in the background.
"""
from __future__ import annotations

import copy
import os
import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tests.emulators.errors import ApiError
from tests.emulators.movies import LAB_MOVIES
from tests.emulators.server import Access, Call, Emulator, Reply, Route, Text

VERSION = "10.11.11"
NETWORK = "/System/Configuration/network"
# Who may call a route: anyone; anyone until the wizard is complete, then administrators; any user; administrators.
ANONYMOUS, SETUP, USER, ADMIN = "anonymous", "setup", "user", "admin"
AUTH_FIELD = re.compile(r'(\w+)="?([^",]*)"?')
LOGIN_FIELDS = ("Client", "Device", "DeviceId", "Version")

STARTUP_KEYS = ("ServerName", "UICulture", "MetadataCountryCode", "PreferredMetadataLanguage")
DEFAULT_SERVER: Mapping[str, Any] = {
    "LogFileRetentionDays": 3, "IsStartupWizardCompleted": False, "EnableMetrics": False,
    "EnableNormalizedItemByNameIds": True, "IsPortAuthorized": False, "QuickConnectAvailable": True,
    "EnableCaseSensitiveItemIds": True, "DisableLiveTvChannelUserDataName": True, "MetadataPath": "",
    "PreferredMetadataLanguage": "en", "MetadataCountryCode": "US", "SortReplaceCharacters": [".", "+", "%"],
    "SortRemoveCharacters": [",", "&", "-", "{", "}", "'"], "SortRemoveWords": ["the", "a", "an"],
    "MinResumePct": 5, "MaxResumePct": 90, "MinResumeDurationSeconds": 300, "LibraryMonitorDelay": 60,
    "ServerName": "", "UICulture": "en-US", "EnableLegacyAuthorization": True, "CachePath": "/cache",
}
DEFAULT_NETWORK: Mapping[str, Any] = {
    "BaseUrl": "", "EnableHttps": False, "RequireHttps": False, "CertificatePath": "", "CertificatePassword": "",
    "InternalHttpPort": 8096, "InternalHttpsPort": 8920, "PublicHttpPort": 8096, "PublicHttpsPort": 8920,
    "AutoDiscovery": True, "EnableUPnP": False, "EnableIPv4": True, "EnableIPv6": False, "EnableRemoteAccess": True,
    "LocalNetworkSubnets": [], "LocalNetworkAddresses": [], "KnownProxies": [], "IgnoreVirtualInterfaces": True,
    "VirtualInterfaceNames": ["veth"], "EnablePublishedServerUriByRequest": False, "PublishedServerUriBySubnet": [],
    "RemoteIPFilter": [], "IsRemoteIPFilterBlacklist": False,
}
DEFAULT_LIBRARY_OPTIONS: Mapping[str, Any] = {
    "Enabled": True, "EnablePhotos": True, "EnableRealtimeMonitor": True, "EnableLUFSScan": True,
    "EnableChapterImageExtraction": False, "ExtractChapterImagesDuringLibraryScan": False,
    "EnableTrickplayImageExtraction": False, "ExtractTrickplayImagesDuringLibraryScan": False,
    "SaveLocalMetadata": False, "EnableInternetProviders": True, "EnableAutomaticSeriesGrouping": False,
    "EnableEmbeddedTitles": False, "EnableEmbeddedExtrasTitles": False, "EnableEmbeddedEpisodeInfos": False,
    "AutomaticRefreshIntervalDays": 0, "PreferredMetadataLanguage": "", "MetadataCountryCode": "",
    "SeasonZeroDisplayName": "Specials", "MetadataSavers": [], "DisabledLocalMetadataReaders": [],
    "LocalMetadataReaderOrder": [], "DisabledSubtitleFetchers": [], "SubtitleFetcherOrder": [],
    "SkipSubtitlesIfEmbeddedSubtitlesPresent": False, "SkipSubtitlesIfAudioTrackMatches": False,
    "SubtitleDownloadLanguages": [], "RequirePerfectSubtitleMatch": True, "SaveSubtitlesWithMedia": True,
    "AutomaticallyAddToCollection": False, "AllowEmbeddedSubtitles": "AllowAll", "TypeOptions": [],
}


VIDEO_EXTENSIONS = frozenset({".mkv", ".mp4", ".avi", ".m4v", ".mov", ".ts", ".webm"})
MOVIE_COLLECTIONS = (None, "movies", "mixed")     # the library types whose video files become movies
TITLE_YEAR = re.compile(r"^(?P<title>.+?)\s*\((?P<year>\d{4})\)")
RELEASE_YEAR = re.compile(r"^(?P<title>.+?)[. _-]+\(?(?P<year>(?:19|20)\d{2})\)?(?:[. _-]|$)")
# Jellyfin reads provider ids from tags in a folder or file name: `[tmdbid-27205]`, `{imdbid=tt1375666}`.
PROVIDER_TAG = re.compile(r"[\[{](?P<name>tmdbid|imdbid)[-=](?P<value>[^\]}]+)[\]}]", re.IGNORECASE)
# Fields of an item that /Items leaves out unless `fields` names them.
OPTIONAL_FIELDS = ("ParentId", "Path", "ProviderIds")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _problem(status: int, title: str) -> ApiError:
    return ApiError(status, {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": title,
                             "status": status})


def _bad(message: str) -> ApiError:
    """An ArgumentException, mapped to 400 with its message in plain text (ExceptionMiddleware)."""
    return ApiError(400, Text(message))


def _dashed(item_id: str) -> str:
    """Jellyfin stores ids as bare hex; the document types them as dashed uuids, so the answers use that form."""
    return str(uuid.UUID(item_id))


def _same_id(value: str, item_id: str) -> bool:
    try:
        return uuid.UUID(value) == uuid.UUID(item_id)
    except ValueError:
        return False


def _inside(path: str, folder: str) -> bool:
    path, folder = os.path.normpath(path), os.path.normpath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _lab_movie(title: str, year: int | None, tags: Mapping[str, str]) -> tuple[int, Mapping[str, Any]] | None:
    """The lab's metadata for a movie: by a provider tag first, else by title and year."""
    for tmdb_id, movie in LAB_MOVIES.items():
        if tags.get("tmdbid") == str(tmdb_id) or tags.get("imdbid", "").lower() == movie["imdbId"]:
            return tmdb_id, movie
    for tmdb_id, movie in LAB_MOVIES.items():
        if movie["title"].lower() == title.lower() and movie["year"] == year:
            return tmdb_id, movie
    return None


def _name_and_year(name: str) -> tuple[str, int | None] | None:
    """`Title (Year)`, or a release name such as `Title.2010.1080p...`; None if neither."""
    bare = PROVIDER_TAG.sub("", name).strip()
    for pattern in (TITLE_YEAR, RELEASE_YEAR):
        match = pattern.match(bare)
        if match:
            return re.sub(r"[._]", " ", match["title"]).strip(), int(match["year"])
    return None


@dataclass
class User:
    id: str
    name: str
    password: str
    admin: bool

    def dto(self, server_id: str) -> dict[str, Any]:
        return {"Name": self.name, "ServerId": server_id, "Id": self.id, "HasPassword": bool(self.password),
                "HasConfiguredPassword": bool(self.password), "HasConfiguredEasyPassword": False,
                "EnableAutoLogin": False,
                "Policy": {"IsAdministrator": self.admin, "IsHidden": False, "IsDisabled": False,
                           "EnableAllFolders": True, "EnableRemoteAccess": True,
                           "AuthenticationProviderId":
                               "Jellyfin.Server.Implementations.Users.DefaultAuthenticationProvider",
                           "PasswordResetProviderId":
                               "Jellyfin.Server.Implementations.Users.DefaultPasswordResetProvider"}}


class JellyfinEmulator(Emulator):
    """A fake Jellyfin that behaves like the real API in the ways the jellyfin_* modules depend on."""

    name = "Jellyfin"
    # Seconds between a reported change and its scan: Jellyfin's library monitor waits LibraryMonitorDelay (60 s by
    # default) for more changes; the lab shortens it. A change reported meanwhile restarts the wait.
    scan_delay = 0.3
    component_bodies = {("GET", NETWORK): "NetworkConfiguration", ("POST", NETWORK): "NetworkConfiguration"}
    unchecked_paths = frozenset({"/health"})
    # Radarr's MediaBrowser test and "notify" post here; 10.11 has no such route (404, which Radarr ignores).
    absent_paths = frozenset({"/Notifications/Admin"})

    def __init__(self, specs_dir: Path | None = None) -> None:
        self.server_id = uuid.uuid4().hex
        self.server: dict[str, Any] = dict(DEFAULT_SERVER)
        self.network: dict[str, Any] = copy.deepcopy(dict(DEFAULT_NETWORK))
        self.users: list[User] = []
        self.sessions: dict[str, str] = {}                  # token -> user id
        self.keys: list[dict[str, Any]] = []                # /Auth/Keys, in creation order
        self.libraries: list[dict[str, Any]] = []
        self.clients: list[tuple[str, dict[str, str], str | None]] = []   # (path, MediaBrowser fields, Accept)
        self._last_key_id = 0
        self.local_address: str | None = None              # LocalAddress of /System/Info/Public; None: the URL
        self.items: list[dict[str, Any]] = []               # the movies the scans found (stored form: bare hex ids)
        self.scans: list[dict[str, Any]] = []               # what each finished scan walked, and why
        self.updates: list[dict[str, Any]] = []             # each /Library/Media/Updated: {"token", "Updates"}
        self._changed_paths: list[str] = []                 # reported, waiting for the library monitor's delay
        self._monitor: threading.Timer | None = None
        self._scans_queued = 0
        self._scans_idle = threading.Condition()
        super().__init__("jellyfin", specs_dir)

    # -- for tests ---------------------------------------------------------------------------------------------

    @property
    def completed(self) -> bool:
        return bool(self.server["IsStartupWizardCompleted"])

    def complete_wizard(self, admin: str = "admin", password: str = "Admin-Pass-1", **startup: str) -> None:
        """The state after someone ran the wizard: an administrator, the startup settings, completed."""
        with self._lock:
            self.users = [User(str(uuid.uuid4()), admin, password, True)]
            self.server.update(startup, IsStartupWizardCompleted=True)

    def writes_state(self, path: str) -> bool:
        return path != "/Users/AuthenticateByName"

    def snapshot(self) -> dict[str, Any]:
        return {"serverId": self.server_id, "server": self.server, "network": self.network,
                "users": [asdict(u) for u in self.users], "sessions": self.sessions, "keys": self.keys,
                "libraries": self.libraries, "lastKeyId": self._last_key_id, "items": self.items}

    def restore(self, state: Mapping[str, Any]) -> None:
        self.server_id = state["serverId"]
        self.server = {**DEFAULT_SERVER, **state["server"]}
        self.network = {**copy.deepcopy(dict(DEFAULT_NETWORK)), **state["network"]}
        self.users = [User(**u) for u in state["users"]]
        self.sessions = dict(state["sessions"])
        self.keys = list(state["keys"])
        self.libraries = list(state["libraries"])
        self._last_key_id = int(state["lastKeyId"])
        self.items = [dict(item) for item in state.get("items", [])]     # older snapshots have no items

    def add_user(self, name: str, password: str, admin: bool = False) -> None:
        with self._lock:
            self.users.append(User(str(uuid.uuid4()), name, password, admin))

    def add_key(self, app: str) -> str:
        with self._lock:
            return self._new_key(app)

    def library(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            return next((copy.deepcopy(lib) for lib in self.libraries if lib["Name"] == name), None)

    def add_library(self, name: str, paths: Sequence[str | Path], collection_type: str | None = "movies",
                    ) -> dict[str, Any]:
        """A library as the wizard or the dashboard would leave it (not scanned yet); a copy of it."""
        with self._lock:
            folder = {"Name": name, "CollectionType": collection_type, "Locations": [str(p) for p in paths],
                      "ItemId": uuid.uuid4().hex, "LibraryOptions": {**DEFAULT_LIBRARY_OPTIONS, "PathInfos": []}}
            self.libraries.append(folder)
            return copy.deepcopy(folder)

    def movies(self) -> list[dict[str, Any]]:
        """Copies of the movies the scans found, every field included, ids as the answers show them."""
        with self._lock:
            return [self._item_dto(item) for item in self.items]

    def wait_for_scans(self, timeout: float = 5.0) -> None:
        """Wait until every queued scan (a reported change still in its delay, a refresh) has ended; AssertionError
        after `timeout` seconds."""
        with self._scans_idle:
            if not self._scans_idle.wait_for(lambda: self._scans_queued == 0, timeout):
                raise AssertionError(f"Jellyfin emulator: {self._scans_queued} scan(s) still queued after {timeout} s")

    # -- access ------------------------------------------------------------------------------------------------

    @staticmethod
    def authorization(headers: Mapping[str, str]) -> dict[str, str]:
        """The fields of `Authorization: MediaBrowser k="v", ...` (values URL-decoded); {} for another scheme."""
        scheme, _, rest = (headers.get("Authorization") or "").strip().partition(" ")
        if scheme != "MediaBrowser" and not (scheme == "Emby" and headers.get("Authorization")):
            return {}
        return {k: unquote(v) for k, v in AUTH_FIELD.findall(rest)}

    def _caller(self, headers: Mapping[str, str], query: Mapping[str, str]) -> tuple[str | None, dict[str, Any]]:
        """(the token, who it is: {"admin": bool, "user": User | None}, or {} for an unknown token)."""
        fields = self.authorization(headers)
        token = fields.get("Token") or query.get("ApiKey")
        if token is None and self.server["EnableLegacyAuthorization"]:
            token = headers.get("X-Emby-Token") or headers.get("X-MediaBrowser-Token") or query.get("api_key")
        if not token:
            return None, {}
        if any(k["AccessToken"] == token for k in self.keys):
            return token, {"admin": True, "user": None}
        user = next((u for u in self.users if u.id == self.sessions.get(token)), None)
        return token, ({"admin": user.admin, "user": user} if user else {})

    def _bind_query(self, path: str, pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        # ASP.NET binds query names case-insensitively: Seerr's `?App=Seerr` is the documented `app`. Jellyfin's
        # array binder also splits comma-separated values (Radarr's `fields=Path,ProviderIds`), and a Guid binds
        # from bare hex as well: both are written here the way the document spells them.
        operations = self.spec.document["paths"].get(path) or {}
        schemas = {p["name"].lower(): (p["name"], p.get("schema") or {}) for op in operations.values()
                   if isinstance(op, dict) for p in op.get("parameters", []) if p.get("in") == "query"}
        bound = []
        for key, value in pairs:
            name, schema = schemas.get(key.lower(), (key, {}))
            array = schema.get("type") == "array"
            element = (schema.get("items") or {}) if array else schema
            values = [v for v in value.split(",") if v] if array and "," in value else [value]
            if element.get("format") == "uuid":
                values = [str(uuid.UUID(v)) if re.fullmatch(r"[0-9a-fA-F]{32}", v) else v for v in values]
            bound += [(name, v) for v in values]
        return tuple(bound)

    def _route(self, method: str, path: str) -> Route | None:
        return next((r for r in self._routes if r.method == method and r.pattern.fullmatch(path)), None)

    def _access(self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str]) -> Access:
        route = self._route(method, path)
        policy = self._policies.get((method, route.pattern.pattern) if route else ("", ""), USER)
        token, caller = self._caller(headers, query)
        fields = self.authorization(headers)
        self.clients.append((path, fields, headers.get("Accept")))
        documented = bool(caller) and "Token" in fields
        if policy == ANONYMOUS or (policy == SETUP and not self.completed):
            return Access(None, caller or None, documented)
        if not caller:
            return Access(Reply(401))
        if policy in (ADMIN, SETUP) and not caller["admin"]:
            return Access(Reply(403), caller, documented)
        return Access(None, caller, documented)

    # -- routes ------------------------------------------------------------------------------------------------

    def _build_routes(self) -> list[Route]:
        table = [
            ("GET", "/health", lambda call: Reply(200, Text("Healthy")), ANONYMOUS),
            ("GET", "/System/Info/Public", self._public_info, ANONYMOUS),
            ("GET", "/System/Ping", self._ping, ANONYMOUS),
            ("POST", "/Users/AuthenticateByName", self._login, ANONYMOUS),
            ("GET", "/Startup/Configuration", self._startup_configuration, SETUP),
            ("POST", "/Startup/Configuration", self._set_startup_configuration, SETUP),
            ("GET", "/Startup/User", self._startup_user, SETUP),
            ("GET", "/Startup/FirstUser", self._startup_user, SETUP),
            ("POST", "/Startup/User", self._set_startup_user, SETUP),
            ("POST", "/Startup/RemoteAccess", self._remote_access, SETUP),
            ("POST", "/Startup/Complete", self._complete, SETUP),
            ("GET", "/System/Configuration", self._server_configuration, USER),
            ("POST", "/System/Configuration", self._set_server_configuration, ADMIN),
            ("GET", NETWORK, self._network, USER),
            ("POST", NETWORK, self._set_network, ADMIN),
            ("GET", "/Auth/Keys", self._keys, ADMIN),
            ("POST", "/Auth/Keys", self._create_key, ADMIN),
            ("DELETE", "/Auth/Keys/(?P<key>[^/]+)", self._delete_key, ADMIN),
            ("GET", "/Library/VirtualFolders", self._libraries, SETUP),
            ("GET", "/Library/MediaFolders", self._media_folders, ADMIN),
            ("POST", "/Library/VirtualFolders", self._create_library, SETUP),
            ("DELETE", "/Library/VirtualFolders", self._delete_library, SETUP),
            ("POST", "/Library/VirtualFolders/Paths", self._add_path, SETUP),
            ("DELETE", "/Library/VirtualFolders/Paths", self._remove_path, SETUP),
            ("POST", "/Library/VirtualFolders/LibraryOptions", self._set_library_options, SETUP),
            ("GET", "/Items", self._get_items, USER),
            # The document (and LibraryController) ask for any user here, not an administrator.
            ("POST", "/Library/Media/Updated", self._media_updated, USER),
            ("POST", "/Library/Refresh", self._refresh, ADMIN),
        ]
        self._policies = {(method, pattern): policy for method, pattern, _, policy in table}
        return self.routes([(method, pattern, handler) for method, pattern, handler, _ in table])

    # system

    def _public_info(self, call: Call) -> Reply:
        return Reply(200, {"LocalAddress": self.local_address or self.url,
                           "ServerName": self.server["ServerName"] or "jellyfin",
                           "Version": VERSION, "ProductName": "Jellyfin Server", "Id": self.server_id,
                           "StartupWizardCompleted": self.completed})

    def _ping(self, call: Call) -> Reply:
        return Reply(200, "Jellyfin Server")

    def _login(self, call: Call) -> Reply:
        fields = self.authorization(call.headers)
        missing = [f for f in LOGIN_FIELDS if not fields.get(f)]
        if missing:
            raise _bad("Authorization header is missing %s" % ", ".join(missing))
        body = call.body if isinstance(call.body, dict) else {}
        user = next((u for u in self.users if u.name.lower() == str(body.get("Username") or "").lower()), None)
        if user is None or not user.password or body.get("Pw") != user.password:
            raise ApiError(401, Text("Invalid username or password entered."))
        token = uuid.uuid4().hex
        self.sessions[token] = user.id
        return Reply(200, {"User": user.dto(self.server_id), "AccessToken": token, "ServerId": self.server_id,
                           "SessionInfo": {"Id": uuid.uuid4().hex, "UserId": user.id, "UserName": user.name,
                                           "Client": fields["Client"], "DeviceId": fields["DeviceId"],
                                           "DeviceName": fields["Device"], "ApplicationVersion": fields["Version"],
                                           "IsActive": True, "ServerId": self.server_id}})

    # the wizard

    def _startup_configuration(self, call: Call) -> Reply:
        return Reply(200, {k: self.server[k] for k in STARTUP_KEYS})

    def _set_startup_configuration(self, call: Call) -> Reply:
        body = call.body or {}
        self.server.update({k: body.get(k) or "" for k in STARTUP_KEYS})
        return Reply(204)

    def _startup_user(self, call: Call) -> Reply:
        if not self.users:                 # InitializeAsync: the first call creates the default user
            self.users.append(User(str(uuid.uuid4()), "jellyfin", "", True))
        return Reply(200, {"Name": self.users[0].name, "Password": None})

    def _set_startup_user(self, call: Call) -> Reply:
        if not self.users:
            raise ApiError(404)
        body = call.body or {}
        if not body.get("Password"):
            raise _bad("Password must not be empty")
        self.users[0].name = body.get("Name") or self.users[0].name
        self.users[0].password = body["Password"]
        return Reply(204)

    def _remote_access(self, call: Call) -> Reply:
        self.network["EnableRemoteAccess"] = bool(call.body["EnableRemoteAccess"])
        self.network["EnableUPnP"] = bool(call.body["EnableAutomaticPortMapping"])
        return Reply(204)

    def _complete(self, call: Call) -> Reply:
        self.server["IsStartupWizardCompleted"] = True
        return Reply(204)

    # configuration documents: a key left out of a write falls back to its default

    def _server_configuration(self, call: Call) -> Reply:
        return Reply(200, copy.deepcopy(self.server))

    def _set_server_configuration(self, call: Call) -> Reply:
        self.server = {**DEFAULT_SERVER, **(call.body or {})}
        return Reply(204)

    def _network(self, call: Call) -> Reply:
        return Reply(200, copy.deepcopy(self.network))

    def _set_network(self, call: Call) -> Reply:
        self.network = {**copy.deepcopy(dict(DEFAULT_NETWORK)), **(call.body or {})}
        return Reply(204)

    # API keys

    def _new_key(self, app: str) -> str:
        self._last_key_id += 1
        key = uuid.uuid4().hex
        self.keys.append({"Id": self._last_key_id, "AccessToken": key, "AppName": app, "AppVersion": "1.0.0",
                          "DeviceName": app, "DeviceId": uuid.uuid4().hex,
                          "UserId": "00000000-0000-0000-0000-000000000000", "IsActive": True,
                          "DateCreated": _now(), "DateLastActivity": _now()})
        return key

    def _keys(self, call: Call) -> Reply:
        return Reply(200, {"Items": copy.deepcopy(self.keys), "TotalRecordCount": len(self.keys), "StartIndex": 0})

    def _create_key(self, call: Call) -> Reply:
        if not call.query.get("app"):
            raise _bad("app is required")
        self._new_key(call.query["app"])          # every create adds one more key, whatever the name
        return Reply(204)

    def _delete_key(self, call: Call) -> Reply:
        key = unquote(call.groups["key"])
        self.keys = [k for k in self.keys if k["AccessToken"] != key]
        return Reply(204)

    # libraries

    def _folder(self, name: str | None) -> dict[str, Any]:
        folder = next((lib for lib in self.libraries if lib["Name"] == name), None)
        if folder is None:
            raise _bad("There is no media library with the name %s." % name)
        return folder

    @staticmethod
    def _existing(path: str) -> str:
        if not os.path.isdir(path):
            raise _bad("The specified path does not exist: %s" % path)
        return path

    def _resource(self, folder: dict[str, Any]) -> dict[str, Any]:
        options = dict(folder["LibraryOptions"], PathInfos=[{"Path": p} for p in folder["Locations"]])
        resource = {"Name": folder["Name"], "Locations": list(folder["Locations"]), "LibraryOptions": options,
                    "ItemId": folder["ItemId"], "RefreshStatus": "Idle"}
        if folder["CollectionType"]:
            resource["CollectionType"] = folder["CollectionType"]
        return resource

    def _libraries(self, call: Call) -> Reply:
        return Reply(200, [self._resource(lib) for lib in self.libraries])

    def _media_folders(self, call: Call) -> Reply:
        """The libraries as items (what Seerr's library sync reads); the document types an item's Id as a dashed
        uuid."""
        items = [{"Name": lib["Name"], "ServerId": self.server_id, "Id": str(uuid.UUID(lib["ItemId"])),
                  "Type": "CollectionFolder", "CollectionType": lib["CollectionType"], "IsFolder": True}
                 for lib in self.libraries]
        return Reply(200, {"Items": items, "TotalRecordCount": len(items), "StartIndex": 0})

    def _create_library(self, call: Call) -> Reply:
        name = call.query.get("name")
        if not name:
            raise _bad("name is required")
        paths = [p for value in call.values("paths") for p in value.split(",") if p]
        for path in paths:
            self._existing(path)
        taken = {lib["Name"] for lib in self.libraries}
        unique, number = name, 1
        while unique in taken:             # an existing name is not refused: "Movies2", "Movies3", ...
            number += 1
            unique = f"{name}{number}"
        options = (call.body or {}).get("LibraryOptions") or {}
        self.libraries.append({"Name": unique, "CollectionType": call.query.get("collectionType"),
                               "Locations": paths, "ItemId": uuid.uuid4().hex,
                               "LibraryOptions": {**DEFAULT_LIBRARY_OPTIONS, **options, "PathInfos": []}})
        return Reply(204)

    def _delete_library(self, call: Call) -> Reply:
        folder = next((lib for lib in self.libraries if lib["Name"] == call.query.get("name")), None)
        if folder is None:
            raise ApiError(404)
        self.libraries.remove(folder)      # the media on disk stay where they are
        return Reply(204)

    def _add_path(self, call: Call) -> Reply:
        body = call.body or {}
        folder = self._folder(body.get("Name"))
        path = self._existing(body.get("Path") or (body.get("PathInfo") or {}).get("Path") or "")
        if path in folder["Locations"]:
            raise _bad("A media library already exists at path %s" % path)
        folder["Locations"].append(path)
        return Reply(204)

    def _remove_path(self, call: Call) -> Reply:
        folder = self._folder(call.query.get("name"))
        path = call.query.get("path")
        if path not in folder["Locations"]:
            raise _bad("The media folder does not exist: %s" % path)
        folder["Locations"].remove(path)
        return Reply(204)

    def _set_library_options(self, call: Call) -> Reply:
        body = call.body or {}
        item_id = str(body.get("Id") or "").replace("-", "")
        folder = next((lib for lib in self.libraries if lib["ItemId"] == item_id), None)
        if folder is None:
            raise _problem(404, "Not Found")
        options = dict(body.get("LibraryOptions") or {})
        options.pop("PathInfos", None)      # the paths are the library's locations
        folder["LibraryOptions"] = {**DEFAULT_LIBRARY_OPTIONS, **options}
        return Reply(204)

    # items and scans

    def _get_items(self, call: Call) -> Reply:
        def listed(name: str) -> list[str]:
            return [v.strip() for value in call.values(name) for v in value.split(",") if v.strip()]

        def flag(name: str) -> bool | None:
            value = call.query.get(name)
            return None if value is None else value.lower() == "true"

        parent_id = call.query.get("parentId")
        if flag("recursive") or parent_id:
            candidates = [self._item_dto(item) for item in self.items]
            if parent_id:
                candidates = [c for c in candidates if _same_id(parent_id, c["ParentId"])]
        else:                               # not recursive: the top level, the libraries
            candidates = [{"Name": lib["Name"], "ServerId": self.server_id, "Id": _dashed(lib["ItemId"]),
                           "Type": "CollectionFolder", "CollectionType": lib["CollectionType"], "IsFolder": True}
                          for lib in self.libraries]
        kinds, excluded = set(listed("includeItemTypes")), set(listed("excludeItemTypes"))
        years = {int(y) for y in listed("years") if y.lstrip("-").isdigit()}
        ids = listed("ids")
        media_types = set(listed("mediaTypes"))
        term = (call.query.get("searchTerm") or "").strip().lower()
        has_tmdb, has_imdb = flag("hasTmdbId"), flag("hasImdbId")
        found = [c for c in candidates
                 if (not kinds or c["Type"] in kinds) and c["Type"] not in excluded
                 and (not years or c.get("ProductionYear") in years)
                 and (not ids or any(_same_id(i, c["Id"]) for i in ids))
                 and (not media_types or c.get("MediaType") in media_types)
                 and (not term or term in c["Name"].lower())
                 and (has_tmdb is None or has_tmdb == bool((c.get("ProviderIds") or {}).get("Tmdb")))
                 and (has_imdb is None or has_imdb == bool((c.get("ProviderIds") or {}).get("Imdb")))]
        found.sort(key=lambda c: (c["Name"].lower(), c.get("Path") or ""))
        start = int(call.query.get("startIndex") or 0)
        limit = call.query.get("limit")
        page = found[start:start + int(limit)] if limit else found[start:]
        asked = set(listed("fields"))
        items = [{k: v for k, v in c.items() if k not in OPTIONAL_FIELDS or k in asked} for c in page]
        return Reply(200, {"Items": items, "TotalRecordCount": len(found), "StartIndex": start})

    def _media_updated(self, call: Call) -> Reply:
        if not isinstance(call.body, dict):            # [FromBody, Required]
            raise ApiError(400, {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                                 "title": "One or more validation errors occurred.", "status": 400})
        updates = call.body.get("Updates") or []
        self.updates.append({"token": self._caller(call.headers, call.query)[0], "Updates": copy.deepcopy(updates)})
        for update in updates:
            path = update.get("Path") if isinstance(update, dict) else None
            if not path:                    # the changes reported before it stay queued, as in Jellyfin
                raise _bad("Item path can't be null.")
            self._report_changed(path)
        return Reply(204)

    def _refresh(self, call: Call) -> Reply:
        self._queue_scan()
        thread = threading.Thread(target=self._run_refresh, daemon=True, name="jellyfin-library-refresh")
        thread.start()
        return Reply(204)

    def _queue_scan(self) -> None:
        with self._scans_idle:
            self._scans_queued += 1

    def _scan_ended(self) -> None:
        with self._scans_idle:
            self._scans_queued -= 1
            self._scans_idle.notify_all()

    def _report_changed(self, path: str) -> None:
        """What the library monitor does with a change (the caller holds the lock): wait `scan_delay` for more, then
        scan what changed."""
        self._changed_paths.append(path)
        if self._monitor is None:
            self._queue_scan()
        else:
            self._monitor.cancel()
        self._monitor = threading.Timer(self.scan_delay, self._run_monitor)
        self._monitor.daemon = True
        self._monitor.name = "jellyfin-library-monitor"
        self._monitor.start()

    def _run_monitor(self) -> None:
        with self._lock:
            if threading.current_thread() is not self._monitor:
                return                      # restarted by a later change: the newer timer ends the queued scan
            self._monitor = None
            changed, self._changed_paths = self._changed_paths, []
            # A path in no library is only logged by Jellyfin ("Unable to find a library item").
            libraries = [lib for lib in self._movie_libraries()
                         if any(_inside(p, loc) for p in changed for loc in lib["Locations"])]
            if libraries:
                self._scan_safely(libraries, "media updated", changed)
        self._scan_ended()

    def _run_refresh(self) -> None:
        with self._lock:
            known = {lib["ItemId"] for lib in self.libraries}
            self.items = [item for item in self.items if item["ParentId"] in known]
            self._scan_safely(self._movie_libraries(), "refresh", [])
        self._scan_ended()

    def _scan_safely(self, libraries: list[dict[str, Any]], reason: str, requested: list[str]) -> None:
        try:
            self._scan(libraries, reason, requested)
            self._save_state()
        except Exception as exc:  # noqa: BLE001 -- no request to answer with a 500: the fixture's check fails
            self.violations.append(f"emulator error in a library scan ({reason}): {exc!r}")

    def _movie_libraries(self) -> list[dict[str, Any]]:
        return [lib for lib in self.libraries if lib.get("CollectionType") in MOVIE_COLLECTIONS]

    def _scan(self, libraries: list[dict[str, Any]], reason: str, requested: list[str]) -> None:
        """Walk each library's locations again (the caller holds the lock): new files become movies, files that
        are gone drop out."""
        walked = []
        for library in libraries:
            found = {}
            for location in library["Locations"]:
                walked.append(location)
                for path in self._video_files(location):
                    found[path] = self._movie_item(path, location, library)
            others = [item for item in self.items if item["ParentId"] != library["ItemId"]]
            self.items = others + [found[path] for path in sorted(found)]
        self.scans.append({"reason": reason, "libraries": [lib["Name"] for lib in libraries], "paths": walked,
                           "requested": list(requested)})

    @staticmethod
    def _video_files(location: str) -> list[str]:
        files = []
        for folder, subfolders, names in os.walk(location):
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]     # Jellyfin ignores hidden entries
            files += [os.path.join(folder, n) for n in names
                      if not n.startswith(".") and os.path.splitext(n)[1].lower() in VIDEO_EXTENSIONS]
        return sorted(os.path.abspath(f) for f in files)

    def _movie_item(self, path: str, location: str, library: Mapping[str, Any]) -> dict[str, Any]:
        # A file at the root of a location is named by itself, never by the location's folder.
        parent = os.path.dirname(path)
        folder = "" if parent == os.path.abspath(location) else os.path.basename(parent)
        stem = os.path.splitext(os.path.basename(path))[0]
        parsed = _name_and_year(folder) or _name_and_year(stem) or (PROVIDER_TAG.sub("", stem).strip(), None)
        tags = {m["name"].lower(): m["value"].strip() for name in (folder, stem) for m in PROVIDER_TAG.finditer(name)}
        title, year = parsed
        provider_ids: dict[str, str] = {}
        known = _lab_movie(title, year, tags)
        if known is not None:
            tmdb_id, movie = known
            title, year = movie["title"], movie["year"]
            provider_ids = {"Tmdb": str(tmdb_id), "Imdb": movie["imdbId"]}
        if "tmdbid" in tags:
            provider_ids["Tmdb"] = tags["tmdbid"]
        if "imdbid" in tags:
            provider_ids["Imdb"] = tags["imdbid"]
        return {"Name": title, "ServerId": self.server_id, "Id": uuid.uuid5(uuid.NAMESPACE_URL, "file://" + path).hex,
                "Path": path, "ProviderIds": provider_ids, "ProductionYear": year, "Type": "Movie",
                "MediaType": "Video", "IsFolder": False, "ParentId": library["ItemId"]}

    def _item_dto(self, item: Mapping[str, Any]) -> dict[str, Any]:
        return {**copy.deepcopy(dict(item)), "ServerId": self.server_id, "Id": _dashed(item["Id"]),
                "ParentId": _dashed(item["ParentId"])}
