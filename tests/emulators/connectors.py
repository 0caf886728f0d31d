"""Connection tests of providers as the real apps run them, for the stand-in images (ArrEmulator(connect="real")).

Radarr and Prowlarr test a provider (`POST /<kind>/test`, and on save) by talking to the program it names. A
connector is that test reduced to the requests the real app sends (read from Radarr 6 / Prowlarr 2: QBittorrent.cs
and QBittorrentProxyV2.cs, MediaBrowserService.cs, Applications/Radarr, IndexerProxies/FlareSolverr), sent over
HTTP to the host, port, URL base and credentials in the provider's fields, and the validation failures the real
app gives for what comes back. Only that address is contacted: no proxy from the environment, no redirect followed.
In-process (the module tests) an emulator keeps its `set_test_result` tables and none of this runs.
"""
from __future__ import annotations

import http.client
import json
import secrets
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from http import HTTPStatus
from http.cookies import SimpleCookie
from typing import Any, NamedTuple
from urllib.parse import urlencode, urlsplit

from tests.emulators.catalog import App, as_int, field_value
from tests.emulators.errors import failure

TIMEOUT = 10.0                 # seconds per request (the apps wait 100 s; a test should not)
Failures = list[dict[str, Any]]


# -- HTTP to the named program -------------------------------------------------------------------------------------


class Unreachable(Exception):
    """No HTTP answer at all: refused, timed out, unknown name (.NET: a WebException)."""


@dataclass(frozen=True)
class Answer:
    method: str
    url: str
    status: int
    headers: Message
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode(errors="replace")

    def json(self) -> Any:
        return json.loads(self.text)


class HttpError(Exception):
    """A non-2xx answer, worded like Servarr's HttpException."""

    def __init__(self, answer: Answer) -> None:
        try:
            name = HTTPStatus(answer.status).phrase.replace(" ", "").replace("-", "")
        except ValueError:
            name = str(answer.status)
        super().__init__(f"HTTP request failed: [{answer.status}:{name}] [{answer.method}] at [{answer.url}]")
        self.answer = answer


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None            # a 3xx comes back as the answer: never a request to another address


# ProxyHandler({}): an http_proxy in the environment must not carry the request elsewhere.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def base_url(use_ssl: Any, host: Any, port: Any, url_base: Any = None) -> str:
    """http(s)://host:port/urlbase as HttpRequestBuilder builds it (an IPv6 host in brackets)."""
    host = str(host or "").strip()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    base = str(url_base or "").strip().strip("/")
    return f"{'https' if use_ssl is True else 'http'}://{host}:{as_int(port)}" + (f"/{base}" if base else "")


class Upload(NamedTuple):
    field: str
    file_name: str
    data: bytes
    content_type: str = "application/octet-stream"


def multipart(form: Mapping[str, str], upload: Upload) -> tuple[bytes, str]:
    """A multipart/form-data body (RFC 7578) of the form's fields and one file, and its Content-Type."""
    boundary = "----mediastack-lab-" + secrets.token_hex(12)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in form.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{upload.field}"; '
                 f'filename="{upload.file_name}"\r\nContent-Type: {upload.content_type}\r\n\r\n'.encode()
                 + upload.data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@dataclass
class Site:
    """One program at the address a provider names; `headers` go with every request."""

    base: str
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = TIMEOUT

    def send(self, method: str, path: str, query: Mapping[str, str] | None = None,
             form: Mapping[str, str] | None = None, body: Any = None,
             headers: Mapping[str, str] | None = None, upload: Upload | None = None) -> Answer:
        """`form` goes urlencoded, or as multipart/form-data beside an `upload` (a file field)."""
        url = self.base + path + (f"?{urlencode(query)}" if query else "")
        sent = {**self.headers, **(headers or {})}
        data = None
        if upload is not None:
            data, sent["Content-Type"] = multipart(form or {}, upload)
        elif form is not None:
            data, sent["Content-Type"] = urlencode(form).encode(), "application/x-www-form-urlencoded"
        elif body is not None:
            data, sent["Content-Type"] = json.dumps(body).encode(), "application/json"
        request = urllib.request.Request(url, data=data, headers=sent, method=method)
        try:
            with _OPENER.open(request, timeout=self.timeout) as reply:
                return Answer(method, url, reply.status, reply.headers, reply.read())
        except urllib.error.HTTPError as exc:
            return Answer(method, url, exc.code, exc.headers, exc.read())
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            words = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
            raise Unreachable(f"{words} ({urlsplit(url).netloc})") from exc

    def call(self, method: str, path: str, **kwargs: Any) -> Answer:
        """send, and raise HttpError unless the answer is 2xx."""
        answer = self.send(method, path, **kwargs)
        if not 200 <= answer.status < 300:
            raise HttpError(answer)
        return answer


@dataclass(frozen=True)
class Probe:
    """What a connector gets: the testing app, its own API key, and the provider as it would be saved."""

    app: App
    api_key: str
    item: Mapping[str, Any]

    def setting(self, name: str) -> Any:
        return field_value(self.item, name)

    def text(self, name: str) -> str:
        value = self.setting(name)
        return value.strip() if isinstance(value, str) else ""


Connector = Callable[[Probe], Failures]


# -- qBittorrent (download client of Radarr and of Prowlarr) -------------------------------------------------------


class QbtAuthFailed(Exception):
    """DownloadClientAuthenticationException."""


class QbtError(Exception):
    """DownloadClientException: a failure that is not the credentials."""


CONNECT_FAILED = "Failed to connect to qBittorrent, check your settings."


class QbtSession:
    """QBittorrentProxyV2 reduced to the test: log in when user and password are set, keep the cookies, log in
    again once on a 403."""

    def __init__(self, site: Site, username: str, password: str) -> None:
        self.site = site
        self.username = username
        self.password = password
        self.cookie: str | None = None

    def check_api_v2(self) -> None:
        """IsApiSupported: an anonymous GET of the WebAPI version (403 is a yes: it exists, behind the login)."""
        try:
            answer = self.site.send("GET", "/api/v2/app/webapiVersion")
        except Unreachable as exc:
            raise QbtError(CONNECT_FAILED) from exc
        if answer.status == 404:
            # Radarr would try the API v1 of qBittorrent < 4.1 next; there is none in this stack.
            raise QbtError("Unable to determine qBittorrent API version")
        if answer.status == 401:
            raise QbtError("Failed to connect to qBittorrent. Check your settings and qBittorrent configuration.")
        if answer.status >= 400 and answer.status != 403:
            raise QbtError(CONNECT_FAILED)

    def login(self, again: bool = False) -> None:
        if not self.username or not self.password:
            if again:
                raise QbtAuthFailed("Failed to authenticate with qBittorrent.")
            self.cookie = ""
            return
        try:
            answer = self.site.send("POST", "/api/v2/auth/login",
                                    form={"username": self.username, "password": self.password})
        except Unreachable as exc:
            raise QbtError("Failed to connect to qBittorrent, please check your settings.") from exc
        # 4.x answers a wrong password with 200 "Fails.", 5.2 with 401; a banned address gets 403.
        if answer.status in (401, 403) or (answer.status < 300 and answer.text.strip() not in ("", "Ok.")):
            raise QbtAuthFailed("Failed to authenticate with qBittorrent.")
        if answer.status >= 300:
            raise QbtError("Failed to connect to qBittorrent, please check your settings.")
        jar: SimpleCookie = SimpleCookie()
        for header in answer.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        self.cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())

    def request(self, method: str, path: str, query: Mapping[str, str] | None = None,
                form: Mapping[str, str] | None = None, upload: Upload | None = None) -> str:
        """ProcessRequest: the answer's text; a 403 logs in again and retries once."""
        if self.cookie is None:
            self.login()
        try:
            answer = self.site.send(method, path, query, form, headers=self._cookie_header(), upload=upload)
            if answer.status == 403:
                self.login(again=True)
                answer = self.site.send(method, path, query, form, headers=self._cookie_header(), upload=upload)
        except Unreachable as exc:
            raise QbtError("Failed to connect to qBittorrent, please check your settings.") from exc
        if answer.status >= 400:
            raise QbtError(CONNECT_FAILED)
        return answer.text

    def json(self, path: str, query: Mapping[str, str] | None = None) -> Any:
        try:
            return json.loads(self.request("GET", path, query))
        except ValueError as exc:
            raise QbtError(f"Unexpected answer from {path}: {exc}") from exc

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": self.cookie} if self.cookie else {}


@dataclass(frozen=True)
class QbtDialect:
    """Where Radarr's and Prowlarr's QBittorrent tests differ: settings, wording, and Radarr's extra checks."""

    categories: tuple[tuple[str, str], ...]     # (settings field, property name in the failure)
    priorities: tuple[tuple[str, str], ...]
    auth_failure: str
    auth_detail: str
    category_failed: str
    queueing: str
    radarr_checks: bool                         # "Category is recommended", remove-at-ratio refused
    client_categories: bool                     # Prowlarr's per-indexer-category mappings (`categories`)


RADARR_QBT = QbtDialect(
    (("movieCategory", "MovieCategory"), ("movieImportedCategory", "MovieImportedCategory")),
    (("recentMoviePriority", "RecentMoviePriority"), ("olderMoviePriority", "OlderMoviePriority")),
    "Authentication Failure",
    "Please verify your username and password. Also verify if the host running Radarr isn't blocked from "
    "accessing qBittorrent by WhiteList limitations in the qBittorrent configuration.",
    "Configuration of category failed", "Queueing Not Enabled", radarr_checks=True, client_categories=False)

PROWLARR_QBT = QbtDialect(
    (("category", "Category"),), (("priority", "Priority"),),
    "Authentication failure", "Please verify your username and password.",
    "Configuration of label failed", "Queueing not enabled", radarr_checks=False, client_categories=True)

QUEUEING_DETAIL = ("Torrent Queueing is not enabled in your qBittorrent settings. Enable it in qBittorrent or "
                   "select 'Last' as priority.")
TWO_WEEKS = 60 * 24 * 14       # minutes: a shorter global seeding limit removes torrents before import


def _removes_completed(prefs: Mapping[str, Any]) -> bool:
    """Radarr's RemovesCompletedDownloads: a global ratio or short seeding-time limit whose action is Remove (1)
    or Remove with files (3)."""
    limited = prefs.get("max_ratio_enabled") is True or (
        prefs.get("max_seeding_time_enabled") is True and as_int(prefs.get("max_seeding_time")) < TWO_WEEKS)
    return limited and prefs.get("max_ratio_act") in (1, 3)


def webapi_version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.strip().split("."))
    except ValueError as exc:
        raise QbtError(f"Unexpected WebAPI version {text.strip()!r}") from exc


class QbtTest:
    """One run of the QBittorrent test (Test: TestConnection, then TestCategory, TestPrioritySupport and
    TestGetTorrents unless the connection failed with an error)."""

    def __init__(self, dialect: QbtDialect, probe: Probe) -> None:
        self.dialect = dialect
        self.probe = probe
        site = Site(base_url(probe.setting("useSsl"), probe.text("host"), probe.setting("port"),
                             probe.setting("urlBase")))
        self.session = QbtSession(site, probe.text("username"), probe.text("password"))

    def run(self) -> Failures:
        first = self.connection()
        if first is not None and not first["isWarning"]:
            return [first]
        found = [first, self.category(), self.priority_support(), self.torrents()]
        return [f for f in found if f is not None]

    def connection(self) -> dict[str, Any] | None:
        d = self.dialect
        try:
            self.session.check_api_v2()
            webapi_version(self.session.request("GET", "/api/v2/app/webapiVersion"))
            if not d.radarr_checks:
                return None
            if not self.probe.text("movieCategory"):
                return failure("MovieCategory", "Category is recommended", warning=True,
                               detail="Radarr will not attempt to import completed downloads without a category.")
            if _removes_completed(self.session.json("/api/v2/app/preferences")):
                return failure("", "qBittorrent is configured to remove torrents when they reach their Share "
                                   "Ratio Limit",
                               detail="Radarr will be unable to perform Completed Download Handling as configured. "
                                      "You can fix this in qBittorrent ('Tools -> Options...' in the menu) by "
                                      "changing 'Options -> BitTorrent -> Share Ratio Limiting' from 'Remove them' "
                                      "to 'Pause them'")
        except QbtAuthFailed:
            return failure("Username", d.auth_failure, detail=d.auth_detail)
        except QbtError as exc:
            return failure("Host", "Unable to connect to qBittorrent", detail=str(exc))
        return None

    def _wanted_categories(self) -> list[tuple[str, str]]:
        """(category, property name) the test makes sure exist, in the app's order."""
        wanted = []
        if self.dialect.client_categories:
            wanted += [(m.get("clientCategory").strip(), "") for m in self.probe.item.get("categories") or []
                       if isinstance(m, dict) and isinstance(m.get("clientCategory"), str)
                       and m["clientCategory"].strip()]
        wanted += [(self.probe.text(name), prop) for name, prop in self.dialect.categories if self.probe.text(name)]
        return wanted

    def category(self) -> dict[str, Any] | None:
        """A category that does not exist is created (torrents/createCategory), then looked up again."""
        try:
            for name, prop in self._wanted_categories():
                if name in self.session.json("/api/v2/torrents/categories"):
                    continue
                self.session.request("POST", "/api/v2/torrents/createCategory", form={"category": name})
                if name not in self.session.json("/api/v2/torrents/categories"):
                    return self._category_failed(prop)
        except (QbtError, QbtAuthFailed) as exc:
            # Radarr lets this escape as a 500; a failure on the category says the same more plainly.
            return self._category_failed("", str(exc))
        return None

    def _category_failed(self, prop: str, why: str | None = None) -> dict[str, Any]:
        detail = why or f"{self.probe.app.name} was unable to add the label to qBittorrent."
        return failure(prop, self.dialect.category_failed, detail=detail)

    def priority_support(self) -> dict[str, Any] | None:
        raised = [prop for name, prop in self.dialect.priorities if as_int(self.probe.setting(name)) != 0]
        if not raised:
            return None
        try:
            queueing = self.session.json("/api/v2/app/preferences").get("queueing_enabled", True)
        except (QbtError, QbtAuthFailed, AttributeError) as exc:
            return failure("", f"Unknown exception: {exc}")
        return None if queueing else failure(raised[0], self.dialect.queueing, detail=QUEUEING_DETAIL)

    def torrents(self) -> dict[str, Any] | None:
        category = self.probe.text(self.dialect.categories[0][0])
        try:
            listed = self.session.json("/api/v2/torrents/info", {"category": category} if category else None)
            if not isinstance(listed, list):
                raise QbtError("the torrent list is not a list")
        except (QbtError, QbtAuthFailed) as exc:
            return failure("", f"Failed to get the list of torrents: {exc}")
        return None


def qbittorrent(dialect: QbtDialect) -> Connector:
    return lambda probe: QbtTest(dialect, probe).run()


# -- Emby / Jellyfin (Radarr notification MediaBrowser) ------------------------------------------------------------


def media_browser(probe: Probe) -> Failures:
    """MediaBrowserService.Test: POST /Notifications/Admin with X-MediaBrowser-Token. Jellyfin 10.11 has no such
    route; Radarr swallows its 404, and in fact every HTTP error but 401 (its catch returns nothing for them)."""
    site = Site(base_url(probe.setting("useSsl"), probe.text("host"), probe.setting("port"),
                         probe.setting("urlBase")),
                {"X-MediaBrowser-Token": probe.text("apiKey")})
    message = {"Name": "Test from Radarr", "Description": "Success! MediaBrowser has been successfully configured!",
               "ImageUrl": "https://raw.github.com/Radarr/Radarr/develop/Logo/64.png"}   # data, never fetched here
    try:
        answer = site.send("POST", "/Notifications/Admin", body=message)
    except Unreachable as exc:
        return [failure("Host", f"Unable to send test message: {exc}")]
    return [failure("ApiKey", "API Key is invalid")] if answer.status == 401 else []


# -- Radarr (Prowlarr application) ---------------------------------------------------------------------------------

# The Newznab fields Prowlarr fills in on a first sync (id 0), taken from Radarr's own schema.
SYNC_FIELDS = ("baseUrl", "apiPath", "apiKey", "categories", "minimumSeeders", "seedCriteria.seedRatio",
               "seedCriteria.seedTime", "rejectBlocklistedTorrentHashesWhileGrabbing", "multiLanguages", "removeYear",
               "requiredFlags", "additionalParameters")
MINIMUM_RADARR = {3: (3, 1, 1)}         # by major version; any other major needs 4.0.4
MINIMUM_RADARR_DEFAULT = (4, 0, 4)


def _test_indexer(probe: Probe, schema: Mapping[str, Any]) -> dict[str, Any]:
    """Radarr.Test's indexer: "Test (Prowlarr)", Newznab, disabled, pointing at Prowlarr's indexer 0."""
    values = {"baseUrl": f"{probe.text('prowlarrUrl').rstrip('/')}/0/", "apiPath": "/api", "apiKey": probe.api_key,
              "categories": list(probe.setting("syncCategories") or [])}
    fields = [dict(f, value=values.get(f["name"], f.get("value"))) for f in schema.get("fields") or []
              if isinstance(f, dict) and f.get("name") in SYNC_FIELDS]
    return {"id": 0, "name": "Test (Prowlarr)", "enableRss": False, "enableAutomaticSearch": False,
            "enableInteractiveSearch": False, "priority": 25, "implementation": "Newznab",
            "configContract": schema.get("configContract"), "fields": fields, "tags": []}


def _radarr_http_failure(exc: HttpError) -> dict[str, Any]:
    status = exc.answer.status
    if status == 401:
        return failure("ApiKey", "API Key is invalid")
    if status == 400:
        return failure("ProwlarrUrl", "Prowlarr URL is invalid, Radarr cannot connect to Prowlarr")
    if status in (303, 307):
        return failure("BaseUrl", "Radarr URL is invalid, Prowlarr cannot connect to Radarr - are you missing a URL "
                                  "base?")
    return failure("BaseUrl", f"Unable to complete application test, cannot connect to Radarr. {exc}")


def radarr_application(probe: Probe) -> Failures:
    """Radarr.Test: GET /api/v3/indexer/schema, then POST /api/v3/indexer/test with the test indexer, both with
    X-Api-Key; the X-Application-Version of the answer must be recent enough. The real Prowlarr follows a
    redirect; this one does not (only the named address), so a redirect ends as the "URL base" failure."""
    site = Site(probe.text("baseUrl").rstrip("/"), {"X-Api-Key": probe.text("apiKey"), "Accept": "application/json"})
    try:
        schemas = site.call("GET", "/api/v3/indexer/schema").json()
        newznab = next((s for s in schemas if isinstance(s, dict) and s.get("implementation") == "Newznab"), None)
        if newznab is None:
            raise LookupError("Sequence contains no matching element")
        answer = site.call("POST", "/api/v3/indexer/test", body=_test_indexer(probe, newznab))
    except HttpError as exc:
        return [_radarr_http_failure(exc)]
    except ValueError as exc:
        return [failure("BaseUrl", f"Unable to parse JSON response from application. {exc}")]
    except (Unreachable, LookupError, TypeError) as exc:
        return [failure("BaseUrl", f"Unable to complete application test, cannot connect to Radarr. {exc}")]
    reported = answer.headers.get("X-Application-Version")
    if not reported:
        return [failure("", "Failed to fetch Radarr version")]
    try:
        version = tuple(int(part) for part in reported.split("."))
    except ValueError:
        return [failure("BaseUrl", f"Unable to complete application test, cannot connect to Radarr. "
                                   f"Version string '{reported}' is invalid")]
    minimum = MINIMUM_RADARR.get(version[0], MINIMUM_RADARR_DEFAULT)
    if version < minimum:
        wanted = ".".join(map(str, minimum))
        return [failure("", f"Radarr version should be at least {wanted}. Version reported is {reported}", reported)]
    return []


# -- FlareSolverr (Prowlarr indexer proxy) -------------------------------------------------------------------------


def flaresolverr(probe: Probe) -> Failures:
    """FlareSolverr.Test posts {"cmd": "request.get", "url": <Prowlarr's cloud>/ping} to <host>/v1, so the real
    FlareSolverr fetches a page from the internet. That must never happen here: the stand-in asks for
    `sessions.list` on the same endpoint instead, which FlareSolverr answers itself. What it proves is the same
    hop (Prowlarr reaches FlareSolverr's API); what it cannot prove is FlareSolverr's own way out."""
    # Prowlarr waits requestTimeout + 5 s; sessions.list needs no page load, and the emulator answers nothing
    # else while a test runs.
    timeout = min(as_int(probe.setting("requestTimeout")) + 5, TIMEOUT)
    site = Site(probe.text("host").rstrip("/"), {"Accept": "application/json"}, timeout=timeout)
    try:
        answer = site.call("POST", "/v1", body={"cmd": "sessions.list"})
        if answer.status != 200:
            name = HTTPStatus(answer.status).phrase.replace(" ", "")
            return [failure("Host", f"Failed to test proxy. Status code: {name}")]
        answer.json()
    except (HttpError, Unreachable, ValueError) as exc:
        return [failure("Host", f"Unable to connect to proxy: {exc}. Check the log surrounding this error for "
                                "details")]
    return []


# -- Torznab (Radarr indexer, as Prowlarr's sync adds it) ----------------------------------------------------------

INDEXER_UNREACHABLE = "Unable to connect to indexer, check the log above the ValidationFailure for more details."
NO_RESULTS = ("Query successful, but no results in the configured categories were returned from your indexer. This "
              "may be an issue with the indexer or your indexer category settings.")


def torznab_indexer(probe: Probe) -> Failures:
    """TorznabBase.Test: the capabilities, then the RSS query (a movie search without terms in the indexer's
    categories), which must return something; a Torznab error 100-199 is the key."""
    path = "/" + (probe.text("apiPath") or "/api").strip("/")
    site = Site(probe.text("baseUrl").rstrip("/") + path, {"Accept": "application/rss+xml, application/xml"})
    key = {"apikey": probe.text("apiKey")} if probe.text("apiKey") else {}
    categories = ",".join(str(as_int(c)) for c in probe.setting("categories") or [])
    try:
        for query in ({"t": "caps", **key}, {"t": "movie", "cat": categories, "extended": "1", **key}):
            root = ET.fromstring(site.call("GET", "", query=query).text)
            if root.tag == "error":
                code = as_int(root.get("code"))
                if 100 <= code <= 199:
                    return [failure("ApiKey", "Invalid API Key")]
                return [failure("", f"Indexer responded with error: {root.get('description')}")]
    except (Unreachable, HttpError, ET.ParseError) as exc:
        return [failure("", INDEXER_UNREACHABLE, detail=str(exc))]
    return [] if root.find("channel/item") is not None else [failure("", NO_RESULTS)]


# -- which test runs -----------------------------------------------------------------------------------------------

CONNECTORS: Mapping[tuple[str, str, str], Connector] = {
    ("radarr", "downloadclient", "QBittorrent"): qbittorrent(RADARR_QBT),
    ("radarr", "notification", "MediaBrowser"): media_browser,
    ("radarr", "indexer", "Torznab"): torznab_indexer,
    ("prowlarr", "downloadclient", "QBittorrent"): qbittorrent(PROWLARR_QBT),
    ("prowlarr", "applications", "Radarr"): radarr_application,
    ("prowlarr", "indexerproxy", "FlareSolverr"): flaresolverr,
}
MODES = ("table", "real")


def real_connections(app: App, api_key: str) -> Callable[[str, Mapping[str, Any]], Failures]:
    """The test of a provider of `kind` for Providers: its connector, or a pass for an implementation without one
    (Webhook, Transmission, Newznab: nothing in the stack for them to reach).

    The emulator answers one request at a time and holds its lock while a test runs, so a connector must never
    lead back to the emulator running it: Radarr's Newznab test would call Prowlarr's /0/api while Prowlarr waits
    for its application test, so Newznab has none; Torznab has one, since Prowlarr's sync adds its indexers from a
    thread of its own, outside its lock."""
    def test(kind: str, item: Mapping[str, Any]) -> Failures:
        connector = CONNECTORS.get((app.key, kind, str(item.get("implementation"))))
        return connector(Probe(app, api_key, item)) if connector else []
    return test
