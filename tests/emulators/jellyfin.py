"""JellyfinEmulator: a stateful Jellyfin 10.11 on 127.0.0.1, checked against the official OpenAPI document.

What it reproduces is in shared/facts/app-apis.md §4: the first-run wizard (anonymous until completed, then
administrators only: 401 without a token, 403 for another user, both with an empty body), the MediaBrowser
authorization header and its token, API keys (a new one on every create, never returned by the create),
libraries ("Movies2" for a name that exists; a path missing on disk is a 400 in plain text), the network
configuration document (keys left out of a write fall back to their defaults) and a slow start.
"""
from __future__ import annotations

import copy
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tests.emulators.errors import ApiError
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


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _problem(status: int, title: str) -> ApiError:
    return ApiError(status, {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": title,
                             "status": status})


def _bad(message: str) -> ApiError:
    """An ArgumentException, mapped to 400 with its message in plain text (ExceptionMiddleware)."""
    return ApiError(400, Text(message))


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
    component_bodies = {("GET", NETWORK): "NetworkConfiguration", ("POST", NETWORK): "NetworkConfiguration"}
    unchecked_paths = frozenset({"/health"})

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
                "libraries": self.libraries, "lastKeyId": self._last_key_id}

    def restore(self, state: Mapping[str, Any]) -> None:
        self.server_id = state["serverId"]
        self.server = {**DEFAULT_SERVER, **state["server"]}
        self.network = {**copy.deepcopy(dict(DEFAULT_NETWORK)), **state["network"]}
        self.users = [User(**u) for u in state["users"]]
        self.sessions = dict(state["sessions"])
        self.keys = list(state["keys"])
        self.libraries = list(state["libraries"])
        self._last_key_id = int(state["lastKeyId"])

    def add_user(self, name: str, password: str, admin: bool = False) -> None:
        with self._lock:
            self.users.append(User(str(uuid.uuid4()), name, password, admin))

    def add_key(self, app: str) -> str:
        with self._lock:
            return self._new_key(app)

    def library(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            return next((copy.deepcopy(lib) for lib in self.libraries if lib["Name"] == name), None)

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
        # ASP.NET binds query names case-insensitively: Seerr's `?App=Seerr` is the documented `app`.
        operations = self.spec.document["paths"].get(path) or {}
        names = {p["name"].lower(): p["name"] for op in operations.values() if isinstance(op, dict)
                 for p in op.get("parameters", []) if p.get("in") == "query"}
        return tuple((names.get(k.lower(), k), v) for k, v in pairs)

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
