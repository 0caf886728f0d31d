"""The Jellyfin and Radarr a SeerrEmulator talks to: tables for the module tests (`Tables`), or the real servers
over HTTP for the stand-in container (`Http`: the Jellyfin and Radarr stand-ins on the Docker network).

Both answer Seerr's own way: a failure is an ApiError with the status and body Seerr sends to its client.
"""
from __future__ import annotations

import base64
import json
import secrets
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from tests.emulators.errors import ApiError

EXCLUDED_LIBRARY_TYPES = ("music", "books", "musicvideos", "homevideos", "boxsets")
RADARR_FAILED = "Failed to connect to Radarr"
# Never a proxy from the environment: the servers are on the container's own network.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def message(status: int, text: str) -> ApiError:
    return ApiError(status, {"message": text})


@dataclass(frozen=True)
class JellyfinServer:
    """Where Seerr reaches Jellyfin: the first setup's body, or the stored `jellyfin` settings (`ip`)."""

    hostname: str
    port: Any
    use_ssl: bool
    url_base: str

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> JellyfinServer:
        return cls(str(settings.get("hostname") or settings.get("ip") or ""), settings.get("port"),
                   bool(settings.get("useSsl")), str(settings.get("urlBase") or ""))

    @property
    def url(self) -> str:
        return f"{'https' if self.use_ssl else 'http'}://{self.hostname}:{self.port}{self.url_base}"


@dataclass(frozen=True)
class JellyfinAccount:
    """What a Jellyfin login gives Seerr."""

    user_id: str
    name: str
    admin: bool
    token: str
    server_id: str


@dataclass(frozen=True)
class RadarrView:
    """What Seerr reads from a Radarr: profiles [{id, name}], root folders [{id, path}], tags, its URL base."""

    profiles: list[dict[str, Any]]
    root_folders: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    url_base: str


class Backend(Protocol):
    def jellyfin_login(self, server: JellyfinServer, username: str, password: str) -> JellyfinAccount: ...

    def jellyfin_new_key(self, server: JellyfinServer, account: JellyfinAccount) -> str: ...

    def jellyfin_server_name(self, server: JellyfinServer) -> str: ...

    def jellyfin_sync(self, server: JellyfinServer, api_key: str) -> list[dict[str, Any]]: ...

    def radarr(self, settings: Mapping[str, Any]) -> RadarrView: ...

    def radarr_add_movie(self, settings: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]: ...


@dataclass
class RadarrTable:
    """A Radarr that the test call can reach: its key, base URL, profiles, root folders and tags."""

    api_key: str
    url_base: str
    profiles: list[dict[str, Any]]
    root_folders: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    movies: list[dict[str, Any]] = field(default_factory=list)     # what Seerr's requests added


@dataclass
class Tables:
    """Jellyfin and Radarr as tables: the address, users (name -> (password, administrator)), libraries, the keys
    named "Seerr" the first setups created, and the Radarr servers by (hostname, port)."""

    jellyfin_address: tuple[str, int] = ("jellyfin", 8096)
    jellyfin_users: dict[str, tuple[str, bool]] = field(default_factory=dict)
    jellyfin_libraries: list[dict[str, Any]] = field(default_factory=list)
    jellyfin_keys: list[str] = field(default_factory=list)
    radarr_backends: dict[tuple[str, int], RadarrTable] = field(default_factory=dict)

    def add_radarr(self, hostname: str, port: int, api_key: str, profiles: list[str], root_folders: list[str],
                   tags: tuple[str, ...] = (), url_base: str = "") -> None:
        self.radarr_backends[(hostname, port)] = RadarrTable(
            api_key, url_base, [{"id": i, "name": n} for i, n in enumerate(profiles, 1)],
            [{"id": i, "path": p, "freeSpace": 10 ** 12, "totalSpace": 2 * 10 ** 12}
             for i, p in enumerate(root_folders, 1)],
            [{"id": i, "label": t} for i, t in enumerate(tags, 1)])

    def jellyfin_login(self, server: JellyfinServer, username: str, password: str) -> JellyfinAccount:
        if (server.hostname, server.port) != self.jellyfin_address:
            raise message(404, "INVALID_URL")
        known, admin = self.jellyfin_users.get(username, (None, False))
        if known is None or known != password:
            raise message(401, "INVALID_CREDENTIALS")
        return JellyfinAccount(uuid.uuid5(uuid.NAMESPACE_OID, username).hex, username, admin,
                               secrets.token_hex(16), uuid.uuid4().hex)

    def jellyfin_new_key(self, server: JellyfinServer, account: JellyfinAccount) -> str:
        key = uuid.uuid4().hex                  # POST /Auth/Keys?App=Seerr on Jellyfin: one more key each time
        self.jellyfin_keys.append(key)
        return key

    def jellyfin_server_name(self, server: JellyfinServer) -> str:
        return "Jellyfin"

    def jellyfin_sync(self, server: JellyfinServer, api_key: str) -> list[dict[str, Any]]:
        return [dict(lib) for lib in self.jellyfin_libraries]

    def _radarr_table(self, settings: Mapping[str, Any]) -> RadarrTable:
        table = self.radarr_backends.get((settings.get("hostname"), int(settings.get("port") or 0)))
        if table is None or table.api_key != settings.get("apiKey") or \
                table.url_base != (settings.get("baseUrl") or ""):
            raise message(500, RADARR_FAILED)
        return table

    def radarr_add_movie(self, settings: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
        table = self._radarr_table(settings)
        known = next((m for m in table.movies if m["tmdbId"] == options["tmdbId"]), None)
        if known is None:
            known = dict(options, id=len(table.movies) + 1, titleSlug=str(options["tmdbId"]))
            table.movies.append(known)
        return known

    def radarr(self, settings: Mapping[str, Any]) -> RadarrView:
        table = self._radarr_table(settings)
        return RadarrView(table.profiles, [{"id": f["id"], "path": f["path"]} for f in table.root_folders],
                          table.tags, table.url_base)


class Unreachable(Exception):
    """No HTTP answer at all (refused, unknown host, timeout)."""


class HttpError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _call(method: str, url: str, headers: Mapping[str, str], body: Any = None, timeout: float = 10.0) -> Any:
    """The parsed JSON answer (None for an empty one); HttpError for a status >= 400, Unreachable otherwise."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Accept": "application/json", **({"Content-Type": "application/json"} if data else {}), **headers})
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            text = answer.read()
    except urllib.error.HTTPError as exc:
        raise HttpError(exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        raise Unreachable(str(exc)) from None
    return json.loads(text) if text.strip() else None


class Http:
    """The real servers, called the way Seerr 3.1 calls them (server/api/jellyfin.ts, server/api/servarr)."""

    def __init__(self, version: str) -> None:
        self.version = version

    def _authorization(self, username: str, token: str | None = None) -> dict[str, str]:
        device = base64.b64encode(f"BOT_seerr_{username}".encode()).decode() if username else \
            base64.b64encode(b"BOT_seerr").decode()
        fields = f'Client="Seerr", Device="Seerr", DeviceId="{device}", Version="{self.version}"'
        return {"Authorization": f"MediaBrowser {fields}" + (f', Token="{token}"' if token else "")}

    def jellyfin_login(self, server: JellyfinServer, username: str, password: str) -> JellyfinAccount:
        try:
            answer = _call("POST", server.url + "/Users/AuthenticateByName", self._authorization(username),
                           {"Username": username, "Pw": password})
        except Unreachable:
            raise message(404, "INVALID_URL") from None
        except HttpError as exc:
            raise message(exc.status, "INVALID_CREDENTIALS" if exc.status == 401 else "UNKNOWN") from None
        user = answer["User"]
        return JellyfinAccount(user["Id"], user["Name"], bool((user.get("Policy") or {}).get("IsAdministrator")),
                               answer["AccessToken"], user.get("ServerId") or answer.get("ServerId") or "")

    def jellyfin_new_key(self, server: JellyfinServer, account: JellyfinAccount) -> str:
        headers = self._authorization(account.name, account.token)
        try:
            _call("POST", server.url + "/Auth/Keys?App=Seerr", headers)
            keys = (_call("GET", server.url + "/Auth/Keys", headers) or {}).get("Items") or []
        except HttpError as exc:
            raise message(exc.status, "INVALID_AUTH_TOKEN") from None
        except Unreachable:
            raise message(500, "INVALID_AUTH_TOKEN") from None
        mine = [k for k in keys if k.get("AppName") == "Seerr"]
        if not mine:
            raise message(500, "INVALID_AUTH_TOKEN")
        return str(mine[-1]["AccessToken"])          # the newest one

    def jellyfin_server_name(self, server: JellyfinServer) -> str:
        try:
            return str((_call("GET", server.url + "/System/Info/Public", {}) or {}).get("ServerName") or "")
        except (HttpError, Unreachable):
            raise message(500, "UNKNOWN") from None

    def jellyfin_sync(self, server: JellyfinServer, api_key: str) -> list[dict[str, Any]]:
        try:
            answer = _call("GET", server.url + "/Library/MediaFolders", self._authorization("", api_key))
        except (HttpError, Unreachable):
            answer = None
        libraries = [{"id": item["Id"], "name": item["Name"],
                      "type": "movie" if item.get("CollectionType") == "movies" else "show"}
                     for item in (answer or {}).get("Items") or []
                     if item.get("Type") == "CollectionFolder"
                     and item.get("CollectionType") not in EXCLUDED_LIBRARY_TYPES]
        if not libraries:
            raise message(404, "SYNC_ERROR_NO_LIBRARIES")
        return libraries

    @staticmethod
    def _radarr_api(settings: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
        base = (f"{'https' if settings.get('useSsl') else 'http'}://{settings.get('hostname')}:"
                f"{settings.get('port')}{settings.get('baseUrl') or ''}/api/v3")
        return base, {"X-Api-Key": str(settings.get("apiKey") or "")}

    def radarr_add_movie(self, settings: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
        """RadarrAPI.addMovie: the lookup by TMDB id, then the movie as it is (already there) or a POST /movie
        with search on unless the server says preventSearch. (A movie in Radarr but unmonitored would be PUT
        back to monitored: not in the lab.) Any failure: Seerr marks the request FAILED."""
        base, headers = self._radarr_api(settings)
        try:
            found = _call("GET", base + "/movie/lookup?term=tmdb:%d" % options["tmdbId"], headers) or []
            if not found:
                raise message(500, "Movie not found")
            movie = found[0]
            if movie.get("hasFile") or movie.get("id"):
                return movie
            # Seerr also sends profileId (Radarr ignores it; the document has no such property).
            return _call("POST", base + "/movie", headers, {
                "title": options["title"], "qualityProfileId": options["qualityProfileId"],
                "titleSlug": str(options["tmdbId"]), "minimumAvailability": options["minimumAvailability"],
                "tmdbId": options["tmdbId"], "year": options["year"], "rootFolderPath": options["rootFolderPath"],
                "monitored": options["monitored"], "tags": list(options["tags"]),
                "addOptions": {"searchForMovie": options["searchNow"]}})
        except (HttpError, Unreachable):
            raise message(500, "Failed to add movie to Radarr") from None

    def radarr(self, settings: Mapping[str, Any]) -> RadarrView:
        base, headers = self._radarr_api(settings)
        try:
            try:
                url_base = (_call("GET", base + "/system/status", headers) or {}).get("urlBase") or ""
            except HttpError:
                url_base = settings.get("baseUrl") or ""     # as Seerr: the status is optional, the rest is not
            profiles = _call("GET", base + "/qualityprofile", headers) or []
            folders = _call("GET", base + "/rootfolder", headers) or []
            tags = _call("GET", base + "/tag", headers) or []
        except (HttpError, Unreachable):
            raise message(500, RADARR_FAILED) from None
        return RadarrView([{"id": p["id"], "name": p["name"]} for p in profiles],
                          [{"id": f["id"], "path": f["path"]} for f in folders],
                          [{"id": t["id"], "label": t["label"]} for t in tags], url_base)
