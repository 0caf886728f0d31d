"""What each emulated app offers, as data: provider kinds and their templates, validation rules, singletons.

Values come from shared/facts/app-apis.md (settings classes of Radarr 6.0.3 and Prowlarr 2.3.5). The server code
is generic; everything app-specific is declared here.
"""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tests.emulators.errors import failure

# ---------------------------------------------------------------------------------------------------------------
# How a settings property reads a JSON field value (SchemaBuilder: ints are parsed from text, bad text gives 0).

_INT = re.compile(r"^\s*-?\d+\s*$")


def _parse_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT.match(value):
        return int(value)
    return None


def as_int(value: Any) -> int:
    parsed = _parse_int(value)
    return 0 if parsed is None else parsed


def as_opt_int(value: Any) -> int | None:
    return None if value in (None, "") else _parse_int(value)


def as_opt_float(value: Any) -> float | None:
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True or (isinstance(value, (int, float)) and not isinstance(value, bool) and value != 0)


def as_str(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def as_ints(value: Any) -> list[int]:
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    return [as_int(v) for v in value] if isinstance(value, list) else []


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# ---------------------------------------------------------------------------------------------------------------
# Validation rules. A rule gets the value and the context, and returns an error message or None.


@dataclass(frozen=True)
class CheckContext:
    item: Mapping[str, Any]                     # the resource being saved (fields as a list, like the API)
    current: Mapping[str, Any] | None           # the stored one, if any
    ids: Callable[[str], set[int]]              # ids stored of a kind, for references
    name: str = ""                              # the checked property as messages word it ("App Profile Id")


Rule = Callable[[Any, CheckContext], "str | None"]


@dataclass(frozen=True)
class Check:
    target: str          # a top-level key, or "fields.<name>"
    rule: Rule


def field_value(item: Mapping[str, Any], name: str) -> Any:
    return next((f.get("value") for f in item.get("fields") or [] if f.get("name") == name), None)


def property_name(name: str) -> str:
    """How FluentValidation names a property: `baseSettings.queryLimit` is `BaseSettings.QueryLimit`."""
    return ".".join(part[:1].upper() + part[1:] for part in name.split("."))


def display_name(name: str) -> str:
    """How FluentValidation words a property in a message: `appProfileId` is `App Profile Id`."""
    last = property_name(name).rsplit(".", 1)[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", last)


def run_checks(checks: tuple[Check, ...], ctx: CheckContext) -> list[dict[str, Any]]:
    """The failures of these checks on ctx.item, as the API's 400 array lists them."""
    failures = []
    for check in checks:
        name = check.target.removeprefix("fields.")
        value = field_value(ctx.item, name) if check.target.startswith("fields.") else ctx.item.get(name)
        message = check.rule(value, replace(ctx, name=display_name(name)))
        if message:
            failures.append(failure(property_name(name), message, value))
    return failures


def _empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or value == []


def not_empty() -> Rule:
    return lambda value, ctx: f"'{ctx.name}' must not be empty." if _empty(value) else None


def between(low: int, high: int) -> Rule:
    def rule(value: Any, ctx: CheckContext) -> str | None:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high
        return None if ok else f"'{ctx.name}' must be between {low} and {high}. You entered {value}."
    return rule


def at_least(low: int) -> Rule:
    return lambda value, ctx: (None if isinstance(value, int) and value >= low
                               else f"'{ctx.name}' must be greater than or equal to '{low}'.")


def matches(pattern: str, message: str) -> Rule:
    regex = re.compile(pattern)
    return lambda value, ctx: None if _empty(value) or regex.search(str(value)) else message


def valid_url() -> Rule:
    return lambda value, ctx: (None if isinstance(value, str) and re.match(r"^https?://[^\s/]+", value)
                               else f"'{ctx.name}' must be a valid URL")


def references(kind: str, zero_ok: bool = False) -> Rule:
    def rule(value: Any, ctx: CheckContext) -> str | None:
        if zero_ok and value == 0:
            return None
        if not isinstance(value, int) or value <= 0:
            return f"'{ctx.name}' must be greater than '0'."
        return None if value in ctx.ids(kind) else f"{kind} {value} does not exist"
    return rule


def equals_key(key: str) -> Rule:
    return lambda value, ctx: None if value == ctx.item.get(key) else f"'{ctx.name}' must equal {key}"


def together_with(other: str) -> Rule:
    """Both fields set, or neither (MediaBrowser mapFrom/mapTo)."""
    return lambda value, ctx: (None if _empty(value) == _empty(field_value(ctx.item, other))
                               else f"'{ctx.name}' and '{other}' must both be set or both be empty")


# ---------------------------------------------------------------------------------------------------------------
# Provider templates.


@dataclass(frozen=True)
class FieldDef:
    name: str
    label: str
    value: Any = None
    type: str = "textbox"
    cast: Callable[[Any], Any] = as_str
    advanced: bool = False
    privacy: str = "normal"
    help_text: str | None = None
    options: tuple[Mapping[str, Any], ...] = ()           # {"value": int, "name": str, ...}
    options_action: str | None = None
    hidden: str | None = None
    unit: str | None = None
    is_float: bool = False

    def to_json(self, order: int, option_defaults: Mapping[str, Any]) -> dict[str, Any]:
        """The field as /schema shows it, holding its default value."""
        return {"order": order, "name": self.name, "label": self.label, "unit": self.unit, "helpText": self.help_text,
                "value": copy.deepcopy(self.value), "type": self.type, "advanced": self.advanced,
                "selectOptions": [{**option, "order": i, **option_defaults}
                                  for i, option in enumerate(self.options)] or None,
                "selectOptionsProviderAction": self.options_action, "hidden": self.hidden, "privacy": self.privacy,
                "isFloat": self.is_float}


def textbox(name: str, label: str, value: Any = None, **kw: Any) -> FieldDef:
    return FieldDef(name, label, value, **kw)


def integer(name: str, label: str, value: Any = None, field_type: str = "textbox", **kw: Any) -> FieldDef:
    return FieldDef(name, label, value, type=field_type, cast=as_int if value is not None else as_opt_int, **kw)


def checkbox(name: str, label: str, value: bool = False, **kw: Any) -> FieldDef:
    return FieldDef(name, label, value, type="checkbox", cast=as_bool, **kw)


def select(name: str, label: str, value: Any, options: tuple[tuple[int, str] | Mapping[str, Any], ...],
           **kw: Any) -> FieldDef:
    cast = as_ints if isinstance(value, list) else as_int
    listed = tuple(o if isinstance(o, Mapping) else {"value": o[0], "name": o[1]} for o in options)
    return FieldDef(name, label, value, type="select", cast=cast, options=listed, **kw)


def password(name: str, label: str = "Password", **kw: Any) -> FieldDef:
    return FieldDef(name, label, None, type="password", privacy="password", **kw)


@dataclass(frozen=True)
class Template:
    implementation: str
    implementation_name: str
    contract: str
    fields: tuple[FieldDef, ...]
    info_link: str
    fixed: Mapping[str, Any] = field(default_factory=dict)     # read-only top-level keys of the implementation
    checks: tuple[Check, ...] = ()                             # settings validation (runs even with forceSave)
    strict_fields: bool = False                                # Cardigann refuses settings it does not define

    def field_def(self, name: str) -> FieldDef | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Kind:
    """One ProviderControllerBase route (`/downloadclient`, `/indexer`, ...)."""

    name: str
    writable: Mapping[str, Any]                   # top-level keys a client sets, with their defaults
    templates: tuple[Template, ...]
    enabled: Callable[[Mapping[str, Any]], bool]  # only an enabled provider is tested on save
    checks: tuple[Check, ...] = ()                # the controller's own validators (before settings)
    fixed: Mapping[str, Any] = field(default_factory=dict)
    match_by: str = "implementation"              # the key that picks the template of a POST/PUT body

    def template_key(self, template: Template) -> Any:
        return template.implementation if self.match_by == "implementation" else template.fixed.get(self.match_by)

    def template(self, value: Any) -> Template | None:
        return next((t for t in self.templates if self.template_key(t) == value), None)


@dataclass(frozen=True)
class Singleton:
    """A config resource (`/config/<name>`): one object, id 1."""

    schema: str                                   # its component in the OpenAPI document (types of left-out keys)
    defaults: Mapping[str, Any]
    checks: tuple[Check, ...] = ()
    ignored: tuple[str, ...] = ()                 # keys a PUT never changes
    has_user: bool = False                        # username/password belong to the user service (host)


@dataclass(frozen=True)
class App:
    key: str
    name: str
    api_prefix: str
    version: str
    kinds: tuple[Kind, ...]
    # Prowlarr tests every PUT of an enabled provider and always saves; Radarr tests and saves only a change.
    put_tests_always: bool
    # Prowlarr takes a PUT's id from the body (when set); Radarr from the route.
    put_id_from_body: bool
    # Keys every select option carries besides value, name and order (SelectOption differs between the apps).
    option_defaults: Mapping[str, Any] = field(default_factory=dict)
    singletons: Mapping[str, Singleton] = field(default_factory=dict)
    seeded: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)   # read-only collections
    root_folders: bool = False
    movies: bool = False           # Radarr: the library, its lookup and commands (the request's hop from Seerr)

    def kind(self, name: str) -> Kind | None:
        return next((k for k in self.kinds if k.name == name), None)


# ---------------------------------------------------------------------------------------------------------------
# Shared pieces.

TORRENT = {"protocol": "torrent"}
PRIORITY = between(1, 50)
PORT = between(1, 65535)
HOST_AND_PORT = (Check("fields.host", not_empty()), Check("fields.port", PORT))
QBT_PRIORITY = ((0, "Last"), (1, "First"))
QBT_STATE = ((0, "Started"), (1, "Force Started"), (2, "Paused"))
QBT_LAYOUT = ((0, "Default"), (1, "Original"), (2, "Subfolder"))
SSL_HELP = "Use a secure connection when connecting to the client"


def _qbittorrent_connection() -> tuple[FieldDef, ...]:
    return (textbox("host", "Host", "localhost"),
            integer("port", "Port", 8080),
            checkbox("useSsl", "Use SSL", help_text=SSL_HELP),
            textbox("urlBase", "URL Base", advanced=True,
                    help_text="Adds a prefix to the qBittorrent url, such as http://[host]:[port]/[urlBase]/api"),
            textbox("username", "Username", privacy="userName"),
            password("password"))


def _qbittorrent_torrent_options() -> tuple[FieldDef, ...]:
    return (select("initialState", "Initial State", 0, QBT_STATE),
            checkbox("sequentialOrder", "Sequential Order"),
            checkbox("firstAndLast", "First and Last First"),
            select("contentLayout", "Content Layout", 0, QBT_LAYOUT))


# ---------------------------------------------------------------------------------------------------------------
# Radarr 6.0.3.10276, API v3.

RADARR_QBITTORRENT = Template(
    "QBittorrent", "qBittorrent", "QBittorrentSettings",
    _qbittorrent_connection() + (
        textbox("movieCategory", "Category", "radarr",
                help_text="Adding a category specific to Radarr avoids conflicts with unrelated non-Radarr downloads"),
        textbox("movieImportedCategory", "Post-Import Category", advanced=True),
        select("recentMoviePriority", "Recent Priority", 0, QBT_PRIORITY),
        select("olderMoviePriority", "Older Priority", 0, QBT_PRIORITY),
    ) + _qbittorrent_torrent_options(),
    "https://wiki.servarr.com/radarr/supported#qbittorrent", TORRENT,
    HOST_AND_PORT + (Check("fields.movieCategory", matches(r"^([^\\/](/?[^\\/])*)?$", "Invalid category")),))

RADARR_TRANSMISSION = Template(
    "Transmission", "Transmission", "TransmissionSettings",
    (textbox("host", "Host", "localhost"),
     integer("port", "Port", 9091),
     checkbox("useSsl", "Use SSL", help_text=SSL_HELP),
     textbox("urlBase", "URL Base", "/transmission/", advanced=True),
     textbox("username", "Username", privacy="userName"),
     password("password"),
     textbox("movieCategory", "Category"),
     textbox("movieDirectory", "Directory", advanced=True),
     select("recentMoviePriority", "Recent Priority", 0, QBT_PRIORITY),
     select("olderMoviePriority", "Older Priority", 0, QBT_PRIORITY),
     checkbox("addPaused", "Add Paused")),
    "https://wiki.servarr.com/radarr/supported#transmission", TORRENT, HOST_AND_PORT)

RADARR_EVENTS = ("onGrab", "onDownload", "onUpgrade", "onRename", "onMovieAdded", "onMovieDelete", "onMovieFileDelete",
                 "onMovieFileDeleteForUpgrade", "onHealthIssue", "onHealthRestored", "onApplicationUpdate",
                 "onManualInteractionRequired")

MEDIA_BROWSER = Template(
    "MediaBrowser", "Emby / Jellyfin", "MediaBrowserSettings",
    (textbox("host", "Host"),
     integer("port", "Port", 8096),
     checkbox("useSsl", "Use SSL", help_text="Connect to Emby / Jellyfin over HTTPS instead of HTTP"),
     textbox("urlBase", "URL Base", advanced=True),
     textbox("apiKey", "API Key", privacy="apiKey"),
     checkbox("notify", "Send Notifications", help_text="Have MediaBrowser send notifications to configured providers"),
     checkbox("updateLibrary", "Update Library", True, help_text="Update Library on Import, Rename, or Delete"),
     textbox("mapFrom", "Map Paths From", advanced=True),
     textbox("mapTo", "Map Paths To", advanced=True)),
    "https://wiki.servarr.com/radarr/supported#mediabrowser", {},
    (Check("fields.host", not_empty()), Check("fields.apiKey", not_empty()),
     Check("fields.mapFrom", together_with("mapTo")), Check("fields.mapTo", together_with("mapFrom"))))

WEBHOOK = Template(
    "Webhook", "Webhook", "WebhookSettings",
    (textbox("url", "Webhook URL"),
     select("method", "Method", 1, ((1, "POST"), (2, "PUT"))),
     textbox("username", "Username", privacy="userName"),
     password("password"),
     FieldDef("headers", "Headers", [], type="keyValueList", cast=as_list, advanced=True)),
    "https://wiki.servarr.com/radarr/supported#webhook", {}, (Check("fields.url", valid_url()),))

RADARR_MEDIA_MANAGEMENT = Singleton(
    "MediaManagementConfigResource",
    {"autoUnmonitorPreviouslyDownloadedMovies": False, "recycleBin": "", "recycleBinCleanupDays": 7,
     "downloadPropersAndRepacks": "preferAndUpgrade", "createEmptyMovieFolders": False, "deleteEmptyFolders": False,
     "fileDate": "none", "rescanAfterRefresh": "always", "autoRenameFolders": False, "pathsDefaultStatic": False,
     "setPermissionsLinux": False, "chmodFolder": "755", "chownGroup": "", "skipFreeSpaceCheckWhenImporting": False,
     "minimumFreeSpaceWhenImporting": 100, "copyUsingHardlinks": True, "useScriptImport": False,
     "scriptImportPath": "", "importExtraFiles": False, "extraFileExtensions": "srt", "enableMediaInfo": True},
    (Check("recycleBinCleanupDays", at_least(0)), Check("minimumFreeSpaceWhenImporting", at_least(100))))


def _forms_only(rule: Rule) -> Rule:
    return lambda value, ctx: rule(value, ctx) if ctx.item.get("authenticationMethod") == "forms" else None


def _confirmed(value: Any, ctx: CheckContext) -> str | None:
    # The stored hash sent back unchanged needs no confirmation.
    if value == (ctx.current or {}).get("password") or ctx.item.get("passwordConfirmation") == value:
        return None
    return "Must match Password"


RADARR_HOST = Singleton(
    "HostConfigResource",
    {"bindAddress": "*", "port": 7878, "sslPort": 9898, "enableSsl": False, "launchBrowser": True,
     "authenticationMethod": "none", "authenticationRequired": "enabled", "analyticsEnabled": True, "username": "",
     "password": "", "passwordConfirmation": "", "logLevel": "info", "logSizeLimit": 1, "consoleLogLevel": "",
     "branch": "master", "apiKey": "", "sslCertPath": "", "sslCertPassword": "", "urlBase": "",
     "instanceName": "Radarr", "applicationUrl": "", "updateAutomatically": False, "updateMechanism": "docker",
     "updateScriptPath": "", "proxyEnabled": False, "proxyType": "http", "proxyHostname": "", "proxyPort": 8080,
     "proxyUsername": "", "proxyPassword": "", "proxyBypassFilter": "", "proxyBypassLocalAddresses": True,
     "certificateValidation": "enabled", "backupFolder": "Backups", "backupInterval": 7, "backupRetention": 28,
     "trustCgnatIpAddresses": False},
    (Check("port", PORT),
     Check("authenticationMethod", lambda value, ctx: ("'Basic' is no longer supported, switch to 'Forms'"
                                                       if value == "basic" else None)),
     Check("username", _forms_only(not_empty())),
     Check("password", _forms_only(not_empty())),
     Check("password", _confirmed),
     Check("branch", lambda value, ctx: None if value else "Branch name is required, 'master' is the default"),
     Check("instanceName", lambda value, ctx: None if "radarr" in str(value or "").lower() else "Must contain Radarr"),
     Check("logSizeLimit", between(1, 10)),
     Check("backupInterval", between(1, 7)),
     Check("backupRetention", between(1, 90))),
    ignored=("apiKey", "passwordConfirmation"), has_user=True)


def _newznab_fields() -> tuple[FieldDef, ...]:
    """NewznabSettings (Torznab's base): what Prowlarr reads from /indexer/schema to build the indexers it syncs."""
    return (textbox("baseUrl", "URL"),
            textbox("apiPath", "API Path", "/api", advanced=True),
            textbox("apiKey", "API Key", privacy="apiKey"),
            FieldDef("categories", "Categories", [2000, 2010, 2020, 2030, 2040, 2045, 2050, 2060], type="select",
                     cast=as_ints, options_action="newznabCategories"),
            textbox("additionalParameters", "Additional Parameters", advanced=True),
            FieldDef("multiLanguages", "Multi Languages", [], type="select", cast=as_ints, advanced=True),
            FieldDef("failDownloads", "Fail Downloads", [], type="select", cast=as_ints, advanced=True),
            checkbox("removeYear", "Remove Year", advanced=True))


INDEXER_FACTS = {"supportsRss": True, "supportsSearch": True}
NEWZNAB = Template("Newznab", "Newznab", "NewznabSettings", _newznab_fields(),
                   "https://wiki.servarr.com/radarr/supported#newznab", {"protocol": "usenet", **INDEXER_FACTS},
                   (Check("fields.baseUrl", valid_url()),))
TORZNAB = Template(
    "Torznab", "Torznab", "TorznabSettings",
    _newznab_fields() + (
        integer("minimumSeeders", "Minimum Seeders", 1, field_type="number", advanced=True),
        FieldDef("seedCriteria.seedRatio", "Seed Ratio", type="textbox", cast=as_opt_float, is_float=True),
        integer("seedCriteria.seedTime", "Seed Time", field_type="number", unit="minutes", advanced=True),
        checkbox("rejectBlocklistedTorrentHashesWhileGrabbing", "Reject Blocklisted Torrent Hashes While Grabbing",
                 advanced=True),
        FieldDef("requiredFlags", "Required Flags", [], type="select", cast=as_ints, advanced=True)),
    "https://wiki.servarr.com/radarr/supported#torznab", {"protocol": "torrent", **INDEXER_FACTS},
    (Check("fields.baseUrl", valid_url()),))
INDEXER_SEARCHES = ("enableRss", "enableAutomaticSearch", "enableInteractiveSearch")


RADARR = App(
    "radarr", "Radarr", "/api/v3", "6.0.3.10276",
    (Kind("downloadclient",
          {"enable": True, "priority": 1, "removeCompletedDownloads": True, "removeFailedDownloads": True,
           "tags": []},
          (RADARR_QBITTORRENT, RADARR_TRANSMISSION), lambda item: item["enable"] is True,
          (Check("priority", PRIORITY),)),
     # A notification has no `enable`: it counts as enabled when any event is on.
     Kind("notification", {"tags": [], "includeHealthWarnings": False} | dict.fromkeys(RADARR_EVENTS, False),
          (MEDIA_BROWSER, WEBHOOK), lambda item: any(item[event] is True for event in RADARR_EVENTS),
          fixed={"supports" + event[0].upper() + event[1:]: True for event in RADARR_EVENTS}),
     # Prowlarr's Radarr application reads the schema and tests its indexer here; an indexer is enabled when
     # any search is on.
     Kind("indexer", {**dict.fromkeys(INDEXER_SEARCHES, True), "priority": 25, "downloadClientId": 0, "tags": []},
          (NEWZNAB, TORZNAB), lambda item: any(item[key] is True for key in INDEXER_SEARCHES),
          (Check("priority", PRIORITY),))),
    put_tests_always=False, put_id_from_body=False, option_defaults={"dividerAfter": False},
    singletons={"mediamanagement": RADARR_MEDIA_MANAGEMENT, "host": RADARR_HOST},
    seeded={"qualityprofile": (
        {"id": 1, "name": "Any", "upgradeAllowed": False, "cutoff": 1, "minFormatScore": 0, "cutoffFormatScore": 0,
         "minUpgradeFormatScore": 1, "formatItems": [], "language": {"id": 1, "name": "English"},
         "items": [{"quality": {"id": q, "name": name, "source": source, "resolution": res, "modifier": "none"},
                    "items": [], "allowed": True}
                   for q, name, source, res in ((1, "SDTV", "tv", 480), (4, "HDTV-720p", "tv", 720),
                                                (3, "WEBDL-1080p", "webdl", 1080),
                                                (7, "Bluray-1080p", "bluray", 1080))]},
    )},
    root_folders=True, movies=True)

# ---------------------------------------------------------------------------------------------------------------
# Prowlarr 2.3.5.5327, API v1.

PROWLARR_QBITTORRENT = Template(
    "QBittorrent", "qBittorrent", "QBittorrentSettings",
    _qbittorrent_connection() + (
        textbox("category", "Category", "prowlarr",
                help_text="Adding a category specific to Prowlarr avoids conflicts with unrelated downloads"),
        select("priority", "Priority", 0, QBT_PRIORITY),
    ) + _qbittorrent_torrent_options(),
    "https://wiki.servarr.com/prowlarr/supported#qbittorrent", TORRENT, HOST_AND_PORT)

# Newznab categories: a sub-category names its parent.
MOVIE_CATEGORIES = tuple({"value": code, "name": name, "parentValue": None if code == 2000 else 2000}
                         for code, name in ((2000, "Movies"), (2010, "Movies/Foreign"), (2020, "Movies/Other"),
                                            (2030, "Movies/SD"), (2040, "Movies/HD"), (2045, "Movies/UHD"),
                                            (2050, "Movies/BluRay"), (2060, "Movies/3D"), (2070, "Movies/DVD"),
                                            (2080, "Movies/WEB-DL"), (2090, "Movies/x265")))

PROWLARR_RADARR_APP = Template(
    "Radarr", "Radarr", "RadarrSettings",
    (textbox("prowlarrUrl", "Prowlarr Server", "http://localhost:9696",
             help_text="Prowlarr server URL as Radarr sees it, including http(s)://, port, and urlbase if needed"),
     textbox("baseUrl", "Radarr Server", "http://localhost:7878",
             help_text="URL used to connect to Radarr server, including http(s)://, port, and urlbase if required"),
     textbox("apiKey", "API Key", privacy="apiKey", help_text="The ApiKey generated by Radarr in Settings/General"),
     select("syncCategories", "Sync Categories", [c["value"] for c in MOVIE_CATEGORIES], MOVIE_CATEGORIES,
            advanced=True),
     checkbox("syncRejectBlocklistedTorrentHashesWhileGrabbing",
              "Sync Reject Blocklisted Torrent Hashes While Grabbing", advanced=True)),
    "https://wiki.servarr.com/prowlarr/supported#radarr", {},
    (Check("fields.prowlarrUrl", valid_url()), Check("fields.baseUrl", valid_url()),
     Check("fields.apiKey", not_empty()), Check("fields.syncCategories", not_empty())))

FLARESOLVERR = Template(
    "FlareSolverr", "FlareSolverr", "FlareSolverrSettings",
    (textbox("host", "Host", "http://localhost:8191/"),
     integer("requestTimeout", "Request Timeout", 60, advanced=True, unit="seconds")),
    "https://wiki.servarr.com/prowlarr/supported#flaresolverr", {},
    (Check("fields.host", not_empty()), Check("fields.requestTimeout", between(1, 180))))


def _indexer_limits() -> tuple[FieldDef, ...]:
    """BaseSettings and TorrentBaseSettings, shared by every torrent indexer."""
    return (integer("baseSettings.queryLimit", "Query Limit", field_type="number", advanced=True),
            integer("baseSettings.grabLimit", "Grab Limit", field_type="number", advanced=True),
            select("baseSettings.limitsUnit", "Limits Unit", 0, ((0, "Day"), (1, "Hour")), advanced=True),
            integer("torrentBaseSettings.appMinimumSeeders", "Apps Minimum Seeders", field_type="number",
                    advanced=True),
            FieldDef("torrentBaseSettings.seedRatio", "Seed Ratio", type="number", cast=as_opt_float, advanced=True,
                     is_float=True),
            integer("torrentBaseSettings.seedTime", "Seed Time", field_type="number", advanced=True, unit="minutes"),
            integer("torrentBaseSettings.packSeedTime", "Pack Seed Time", field_type="number", advanced=True,
                    unit="minutes"),
            checkbox("torrentBaseSettings.preferMagnetUrl", "Prefer Magnet URL", advanced=True))


def _indexer_facts(definition: str, description: str, privacy: str, urls: list[str]) -> dict[str, Any]:
    return {"definitionName": definition, "description": description, "language": "en-US", "privacy": privacy,
            "protocol": "torrent", "supportsRss": True, "supportsSearch": True, "supportsRedirect": False,
            "supportsPagination": False, "indexerUrls": urls, "legacyUrls": []}


BASE_URL = FieldDef("baseUrl", "Base Url", type="select", options_action="getUrls",
                    help_text="Select which baseurl Prowlarr will use for requests to the site")

CARDIGANN_1337X = Template(
    "Cardigann", "Cardigann", "CardigannSettings",
    (FieldDef("definitionFile", "Definition File", "1337x", hidden="hidden"), BASE_URL) + _indexer_limits() + (
        select("sort", "Sort requested from site", 0, ((0, "created"), (1, "seeders"), (2, "size"), (3, "title"))),
        select("type", "Order requested from site", 0, ((0, "desc"), (1, "asc")))),
    "https://wiki.servarr.com/prowlarr/supported-indexers#1337x",
    _indexer_facts("1337x", "1337X is a Public torrent site that offers verified torrent downloads", "public",
                   ["https://1337x.to/", "https://1337x.st/", "https://x1337x.ws/"]),
    (Check("fields.definitionFile", not_empty()), Check("fields.definitionFile", equals_key("definitionName"))),
    strict_fields=True)

IPTORRENTS = Template(
    "IPTorrents", "IPTorrents", "IPTorrentsSettings",
    (BASE_URL,
     textbox("cookie", "Cookie", privacy="password", help_text="Enter the site cookie (uid and pass)"),
     textbox("userAgent", "Cookie User-Agent", help_text="User-Agent associated with cookie used from Browser"),
     checkbox("freeLeechOnly", "FreeLeech Only")) + _indexer_limits(),
    "https://wiki.servarr.com/prowlarr/supported-indexers#iptorrents",
    _indexer_facts("IPTorrents", "IPTorrents (IPT) is a Private Torrent Tracker for 0DAY / GENERAL.", "private",
                   ["https://iptorrents.com/", "https://iptorrents.me/"]),
    (Check("fields.cookie", not_empty()),))

# The generic Torznab indexer (GenericNewznabSettings + TorrentBaseSettings): a Torznab API of your own (Jackett,
# a tracker's own endpoint; the lab's tracker site). Its capabilities come from the site's `t=caps`.
PROWLARR_TORZNAB = Template(
    "Torznab", "Torznab", "TorznabSettings",
    (textbox("baseUrl", "URL"),
     textbox("apiPath", "API Path", "/api", advanced=True, help_text="Path to the api, usually /api"),
     textbox("apiKey", "API Key", privacy="apiKey", help_text="Site API Key"),
     textbox("additionalParameters", "Additional Parameters", advanced=True,
             help_text="Additional Newznab parameters"),
     textbox("vipExpiration", "VIP Expiration",
             help_text="Enter date (yyyy-mm-dd) for VIP Expiration or blank, Prowlarr will notify 1 week from "
                       "expiration of VIP")) + _indexer_limits(),
    "https://wiki.servarr.com/prowlarr/supported-indexers#torznab",
    {**_indexer_facts("Torznab", "A Newznab-like api for torrents", "private", []), "supportsPagination": True},
    (Check("fields.baseUrl", valid_url()),))

PROWLARR = App(
    "prowlarr", "Prowlarr", "/api/v1", "2.3.5.5327",
    (Kind("applications", {"syncLevel": "fullSync", "tags": []}, (PROWLARR_RADARR_APP,),
          lambda item: item["syncLevel"] != "disabled"),
     # A proxy applies to the indexers sharing one of its tags; without tags it is off.
     Kind("indexerproxy", {"tags": [], "onHealthIssue": False, "includeHealthWarnings": False}, (FLARESOLVERR,),
          lambda item: bool(item["tags"]), fixed={"supportsOnHealthIssue": True}),
     Kind("indexer", {"enable": True, "redirect": False, "appProfileId": 0, "priority": 25, "downloadClientId": 0,
                      "tags": []},
          (CARDIGANN_1337X, IPTORRENTS, PROWLARR_TORZNAB), lambda item: item["enable"] is True,
          (Check("priority", PRIORITY), Check("appProfileId", references("appprofile")),
           Check("downloadClientId", references("downloadclient", zero_ok=True))),
          match_by="definitionName"),
     Kind("downloadclient", {"enable": True, "priority": 1, "categories": [], "tags": []}, (PROWLARR_QBITTORRENT,),
          lambda item: item["enable"] is True, (Check("priority", PRIORITY),), fixed={"supportsCategories": True})),
    put_tests_always=True, put_id_from_body=True,
    seeded={"appprofile": ({"id": 1, "name": "Standard", "enableRss": True, "enableAutomaticSearch": True,
                            "enableInteractiveSearch": True, "minimumSeeders": 1},)})

APPS = {app.key: app for app in (RADARR, PROWLARR)}
