"""Prowlarr's indexers at work, for the lab's request hops (ArrEmulator("prowlarr", connect="real")):

- a generic Torznab indexer asks its site over HTTP (`t=caps` when saved, `t=search|movie` for the apps), and a
  site answering with a Cloudflare challenge (403/503 and `Server: cloudflare`) is asked again through an enabled
  FlareSolverr proxy that shares a tag with the indexer (IndexerProxies/FlareSolverr: PostResponse); the cookies
  of the solution are kept for the indexer's later requests (its .torrent downloads);
- Prowlarr's own Torznab API for the apps: `/{id}/api` (caps, search, movie) with links rewritten to
  `/{id}/download?apikey=&link=&file=`, which fetches the file through the same chain;
- the application sync (Applications/ApplicationService.cs and Applications/Radarr/Radarr.cs): an indexer in
  Radarr as "<name> (Prowlarr)", Torznab, pointing back at `<prowlarrUrl>/<id>/` with Prowlarr's key, categories
  the indexer supports among the application's sync categories, searches from the app profile; added without
  forceSave and again with it when Radarr refuses its test; updated (fullSync) when it differs, re-added when
  removed in Radarr, removed with the indexer; the mappings in Prowlarr's own table (`appindexermap`).

The sync runs in a thread of its own after the write that caused it (the real handlers are asynchronous), so
Radarr's test of the new indexer can call back into Prowlarr's Torznab API. Only the addresses in the providers'
settings are contacted (tests.emulators.connectors.Site: no proxy from the environment, no redirect).
"""
from __future__ import annotations

import base64
import copy
import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from tests.emulators.background import Background
from tests.emulators.catalog import as_int, field_value
from tests.emulators.connectors import SYNC_FIELDS, Answer, HttpError, Site, Unreachable
from tests.emulators.errors import failure
from tests.emulators.store import Store

TORZNAB_NS = "http://torznab.com/schemas/2015/feed"
CLOUDFLARE_SERVERS = {"cloudflare", "cloudflare-nginx"}
# FlareSolverr.GenerateFlareSolverrRequest's user agent and time limit (milliseconds).
SOLVER_USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                     "Chrome/81.0.4044.138 Safari/537.36")
SOLVER_TIMEOUT_MS = 60000
MAPS = "appindexermap"
CAPABILITIES = "indexercapabilities"
SYNC_WAIT = 30.0                # seconds a test waits for the syncs under way


class IndexerError(Exception):
    """The indexer's site could not be asked (Prowlarr logs it and the search has no results)."""


class CloudflareBlocked(IndexerError):
    """CloudFlareProtectionException: a challenge and no FlareSolverr for this indexer (its message is the
    validation failure a save shows)."""


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: Mapping[str, str]   # lower-case names
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode(errors="replace")


def _answer(answer: Answer) -> Fetched:
    return Fetched(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.data)


def _cloudflare(fetched: Fetched) -> bool:
    return fetched.status in (403, 503) and fetched.headers.get("server", "").lower() in CLOUDFLARE_SERVERS


def protect_link(link: str) -> str:
    """Prowlarr hides the site's link in its own download URL (it encrypts it; base64url is enough here)."""
    return base64.urlsafe_b64encode(link.encode()).decode().rstrip("=")


def unprotect_link(value: str) -> str:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()


# -- capabilities ----------------------------------------------------------------------------------------------


def parse_caps(data: bytes) -> dict[str, Any]:
    """A site's `t=caps` document as Prowlarr's IndexerCapabilityResource."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise IndexerError(f"the capabilities are not XML: {exc}") from exc
    if root.tag == "error":
        raise IndexerError(f"Indexer error {root.get('code')}: {root.get('description')}")
    limits = root.find("limits")
    params: dict[str, list[str]] = {}
    for element, key in (("search", "searchParams"), ("tv-search", "tvSearchParams"),
                         ("movie-search", "movieSearchParams")):
        node = root.find(f"searching/{element}")
        available = node is not None and node.get("available") == "yes"
        names = (node.get("supportedParams") or "").split(",") if available and node is not None else []
        params[key] = [{"imdbid": "imdbId", "tmdbid": "tmdbId"}.get(n.strip(), n.strip()) for n in names if n.strip()]
    categories = [{"id": int(c.get("id", 0)), "name": c.get("name"),
                   "subCategories": [{"id": int(s.get("id", 0)), "name": s.get("name"), "subCategories": []}
                                     for s in c.findall("subcat")]}
                  for c in root.findall("categories/category")]
    return {"limitsMax": as_int(limits.get("max")) if limits is not None else None,
            "limitsDefault": as_int(limits.get("default")) if limits is not None else None,
            "categories": categories, "supportsRawSearch": False, **params}


def category_ids(caps: Mapping[str, Any]) -> list[int]:
    return [i for c in caps.get("categories") or [] for i in [c["id"], *(s["id"] for s in c["subCategories"])]]


def caps_xml(caps: Mapping[str, Any], title: str) -> bytes:
    root = ET.Element("caps")
    ET.SubElement(root, "server", {"title": title})
    ET.SubElement(root, "limits", {"default": str(caps.get("limitsDefault") or 100),
                                   "max": str(caps.get("limitsMax") or 100)})
    searching = ET.SubElement(root, "searching")
    for element, key in (("search", "searchParams"), ("tv-search", "tvSearchParams"),
                         ("movie-search", "movieSearchParams")):
        names = [n.lower() for n in caps.get(key) or []]
        ET.SubElement(searching, element, {"available": "yes" if names else "no", "supportedParams": ",".join(names)})
    categories = ET.SubElement(root, "categories")
    for category in caps.get("categories") or []:
        parent = ET.SubElement(categories, "category", {"id": str(category["id"]), "name": category["name"]})
        for sub in category["subCategories"]:
            ET.SubElement(parent, "subcat", {"id": str(sub["id"]), "name": sub["name"]})
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def error_xml(code: int, description: str) -> bytes:
    return ET.tostring(ET.Element("error", {"code": str(code), "description": description}), encoding="utf-8",
                       xml_declaration=True)


# -- the chain -------------------------------------------------------------------------------------------------


class IndexerChain:
    """Prowlarr's side: its indexers' sites, its Torznab API, its application sync. `lock` is the emulator's
    (held by every request it answers); the sync takes it only to read and write the state."""

    def __init__(self, state: Store, api_key: str, lock: threading.Lock) -> None:
        self.state = state
        self.api_key = api_key
        self.lock = lock
        self.cookies: dict[int, dict[str, str]] = {}
        self.sync_log: list[str] = []
        self._work = Background(self.sync_log, "sync error")
        self._tested_caps: dict[str, Any] | None = None

    # -- an indexer's site -------------------------------------------------------------------------------------

    def _proxy_for(self, indexer: Mapping[str, Any]) -> dict[str, Any] | None:
        tags = set(indexer.get("tags") or [])
        return next((p for p in self.state.items("indexerproxy")
                     if p.get("implementation") == "FlareSolverr" and set(p.get("tags") or []) & tags), None)

    def fetch(self, indexer: Mapping[str, Any], url: str) -> Fetched:
        """GET url as the indexer's HttpClient does, through its FlareSolverr proxy when the site challenges."""
        split = urlsplit(url)
        site = Site(f"{split.scheme}://{split.netloc}")
        jar = self.cookies.setdefault(indexer["id"], {})
        path = split.path + (f"?{split.query}" if split.query else "")
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())} if jar else {}
        try:
            fetched = _answer(site.send("GET", path, headers=headers))
        except Unreachable as exc:
            raise IndexerError(f"Unable to connect to indexer: {exc}") from exc
        if not _cloudflare(fetched):
            return fetched
        proxy = self._proxy_for(indexer)
        if proxy is None:
            raise CloudflareBlocked(f"Unable to access {split.hostname}, blocked by CloudFlare Protection.")
        solver = Site(str(field_value(proxy, "host") or "").rstrip("/"), {"Accept": "application/json"},
                      timeout=min(as_int(field_value(proxy, "requestTimeout")) + 5, 60))
        request = {"cmd": "request.get", "url": url, "maxTimeout": SOLVER_TIMEOUT_MS, "userAgent": SOLVER_USER_AGENT}
        try:
            answer = solver.send("POST", "/v1", body=request)
        except Unreachable as exc:
            raise IndexerError(f"FlareSolverr is unreachable: {exc}") from exc
        if answer.status not in (200, 500):
            raise IndexerError(f"HTTP StatusCode not 200 or 500. Status is :{fetched.status}")
        try:
            result = answer.json()
            solution = result["solution"]
        except (ValueError, KeyError, TypeError) as exc:
            raise IndexerError(f"FlareSolverr gave no solution: {answer.text[:200]}") from exc
        jar.update({c["name"]: c["value"] for c in solution.get("cookies") or []})
        return Fetched(as_int(solution.get("status")) or 200, {}, str(solution.get("response") or "").encode())

    def _api_url(self, indexer: Mapping[str, Any], params: Mapping[str, str]) -> str:
        base = str(field_value(indexer, "baseUrl") or "").rstrip("/")
        path = "/" + str(field_value(indexer, "apiPath") or "/api").strip("/")
        query = {**params}
        if field_value(indexer, "apiKey"):
            query["apikey"] = str(field_value(indexer, "apiKey"))
        extra = str(field_value(indexer, "additionalParameters") or "")
        return f"{base}{path}?{urlencode(query)}{extra}"

    def site_caps(self, indexer: Mapping[str, Any]) -> dict[str, Any]:
        fetched = self.fetch(indexer, self._api_url(indexer, {"t": "caps"}))
        if fetched.status != 200:
            raise IndexerError(f"Unexpected response status {fetched.status} code from indexer request")
        return parse_caps(fetched.data)

    def site_search(self, indexer: Mapping[str, Any], params: Mapping[str, str]) -> ET.Element:
        fetched = self.fetch(indexer, self._api_url(indexer, params))
        if fetched.status != 200:
            raise IndexerError(f"Unexpected response status {fetched.status} code from indexer request")
        try:
            root = ET.fromstring(fetched.data)
        except ET.ParseError as exc:
            raise IndexerError(f"the indexer's answer is not XML: {exc}") from exc
        if root.tag == "error":
            raise IndexerError(f"Indexer error {root.get('code')}: {root.get('description')}")
        return root

    # -- the test on save --------------------------------------------------------------------------------------

    def test(self, item: dict[str, Any]) -> list[dict[str, Any]]:
        """Torznab.Test: a first search, then the capabilities (searching for movies must be possible); the
        capabilities are kept for the sync and `t=caps`."""
        try:
            self.site_search(item, {"t": "search", "extended": "1"})
            caps = self.site_caps(item)
        except CloudflareBlocked as exc:
            return [failure("", str(exc))]
        except IndexerError as exc:
            return [failure("", "Unable to connect to indexer, check the log above the ValidationFailure for more "
                                "details", detail=str(exc))]
        movies = caps.get("movieSearchParams") or []
        if "q" not in (caps.get("searchParams") or []) and not (
                {"q", "imdbId"} & set(movies) and {"imdbTitle", "imdbYear"} <= set(movies)):
            return [failure("", "This indexer does not support searching for movies :(. Tell your indexer staff to "
                                "enable this or force add the indexer by disabling search, adding the indexer and "
                                "then enabling it again.")]
        self._tested_caps = caps
        return []

    def keep_capabilities(self, indexer_id: int) -> None:
        """After a save: the capabilities its test found (an indexer saved without a test keeps what it had)."""
        caps, self._tested_caps = self._tested_caps, None
        if 0 in self.cookies:               # earned by the test of a new indexer, before it had its id
            self.cookies[indexer_id] = self.cookies.pop(0)
        if caps is not None:
            self.state.add(CAPABILITIES, {"capabilities": caps}, item_id=indexer_id)

    def forget(self, indexer_id: int) -> None:
        if self.state.get(CAPABILITIES, indexer_id) is not None:
            self.state.remove(CAPABILITIES, indexer_id)
        self.cookies.pop(indexer_id, None)

    def capabilities(self, indexer_id: int) -> dict[str, Any]:
        """What was learned from the site, else what Prowlarr assumes for a definition (the Movies tree)."""
        kept = self.state.get(CAPABILITIES, indexer_id)
        if kept is not None:
            return kept["capabilities"]
        return {"limitsMax": 100, "limitsDefault": 100, "supportsRawSearch": False, "searchParams": ["q"],
                "tvSearchParams": [], "movieSearchParams": ["q", "imdbId"],
                "categories": [{"id": 2000, "name": "Movies", "subCategories": [
                    {"id": code, "name": name, "subCategories": []}
                    for code, name in ((2010, "Movies/Foreign"), (2020, "Movies/Other"), (2030, "Movies/SD"),
                                       (2040, "Movies/HD"), (2045, "Movies/UHD"), (2050, "Movies/BluRay"),
                                       (2060, "Movies/3D"), (2070, "Movies/DVD"), (2080, "Movies/WEB-DL"),
                                       (2090, "Movies/x265"))]}]}

    # -- Prowlarr's Torznab API --------------------------------------------------------------------------------

    def torznab(self, indexer: Mapping[str, Any] | None, query: Mapping[str, str], own_url: str) -> tuple[int, bytes]:
        """/{id}/api: (status, XML)."""
        if indexer is None:
            return 404, error_xml(201, "Indexer is not found")
        kind = query.get("t", "")
        if kind == "caps":
            return 200, caps_xml(self.capabilities(indexer["id"]), indexer["name"])
        if not indexer.get("enable"):
            return 200, error_xml(900, "Indexer is disabled")
        if kind not in ("search", "movie"):
            return 200, error_xml(202, f"No such function ({kind})")
        wanted = {k: v for k, v in query.items() if k in ("t", "q", "cat", "imdbid", "tmdbid", "limit", "offset")}
        try:
            root = self.site_search(indexer, wanted)
        except IndexerError as exc:
            self.sync_log.append(f"search of {indexer['name']} failed: {exc}")
            return 200, error_xml(900, str(exc))
        for item in root.iter("item"):
            self._rewrite(item, indexer, own_url)
        return 200, ET.tostring(root, encoding="utf-8", xml_declaration=True)

    def _rewrite(self, item: ET.Element, indexer: Mapping[str, Any], own_url: str) -> None:
        title = item.findtext("title") or ""

        def ours(link: str) -> str:
            query = urlencode({"apikey": self.api_key, "link": protect_link(link), "file": title})
            return f"{own_url}/{indexer['id']}/download?{query}"

        link = item.find("link")
        if link is not None and link.text:
            link.text = ours(link.text)
        enclosure = item.find("enclosure")
        if enclosure is not None and enclosure.get("url"):
            enclosure.set("url", ours(enclosure.get("url", "")))
        ET.SubElement(item, "prowlarrindexer", {"id": str(indexer["id"]), "type": "private"}).text = indexer["name"]

    def download(self, indexer: Mapping[str, Any] | None, query: Mapping[str, str]) -> tuple[int, bytes, str]:
        """/{id}/download: the file behind a link of the feed, fetched through the indexer's chain."""
        if indexer is None:
            return 404, b"", "text/plain"
        try:
            link = unprotect_link(query.get("link", ""))
            fetched = self.fetch(indexer, link)
        except (ValueError, IndexerError) as exc:
            self.sync_log.append(f"download from {indexer['name']} failed: {exc}")
            return 500, str(exc).encode(), "text/plain"
        kind = fetched.headers.get("content-type", "application/x-bittorrent").split(";")[0]
        return fetched.status, fetched.data, kind

    # -- the application sync ----------------------------------------------------------------------------------

    def after_write(self, kind: str, event: str, item_id: int) -> None:
        """Start the handlers of ApplicationService for a provider event (called with the lock held)."""
        if kind == "applications" and event == "added":
            self._start(lambda: self.sync(app_ids=[item_id], enabled_only=True))
        elif kind == "indexer" and event == "added":
            self._start(lambda: self.sync(indexer_ids=[item_id], add_only=True))
        elif kind == "indexer" and event == "updated":
            self._start(lambda: self.sync(indexer_ids=[item_id], full_sync_only=True))
        elif kind == "indexer" and event == "deleted":
            self._start(lambda: self.remove(item_id))

    def command(self, name: str) -> bool:
        """POST /command: ApplicationIndexerSync (every indexer, remote leftovers removed). False: not ours."""
        if name != "ApplicationIndexerSync":
            return False
        self._start(lambda: self.sync(remove_remote=True))
        return True

    def _start(self, work: Callable[[], None]) -> None:
        self._work.start(work, "prowlarr-sync")

    def wait(self, timeout: float = SYNC_WAIT) -> None:
        """For tests: until every sync started so far has ended."""
        self._work.join(timeout)

    @contextmanager
    def _state(self) -> Iterator[Store]:
        with self.lock:
            yield self.state

    def _apps(self, app_ids: list[int] | None, full_sync_only: bool) -> list[dict[str, Any]]:
        with self._state() as state:
            apps = [a for a in state.items("applications") if a.get("syncLevel") != "disabled"
                    and (app_ids is None or a["id"] in app_ids)]
        return [a for a in apps if not full_sync_only or a.get("syncLevel") == "fullSync"]

    def sync(self, app_ids: list[int] | None = None, indexer_ids: list[int] | None = None, enabled_only: bool = False,
             add_only: bool = False, full_sync_only: bool = False, remove_remote: bool = False) -> None:
        for app in self._apps(app_ids, full_sync_only):
            with self._state() as state:
                indexers = [i for i in state.items("indexer") if (indexer_ids is None or i["id"] in indexer_ids)
                            and (not enabled_only or i.get("enable"))]
                caps = {i["id"]: self.capabilities(i["id"]) for i in indexers}
                profiles = {p["id"]: p for p in state.items("appprofile")}
            target = RadarrTarget(app, self.api_key, profiles, self.sync_log)
            try:
                if add_only:
                    for indexer in indexers:
                        self._store_map(app, indexer["id"], target.add(indexer, caps[indexer["id"]]))
                    continue
                self._sync_app(target, app, indexers, caps, remove_remote)
            except (HttpError, Unreachable, ValueError, KeyError) as exc:
                self.sync_log.append(f"{app['name']}: {exc}")

    def _sync_app(self, target: RadarrTarget, app: dict[str, Any], indexers: list[dict[str, Any]],
                  caps: Mapping[int, Mapping[str, Any]], remove_remote: bool) -> None:
        mapped = self._maps(app["id"])
        for indexer in indexers:
            remote = mapped.get(indexer["id"])
            if remote is None:
                if indexer.get("enable"):
                    self._store_map(app, indexer["id"], target.add(indexer, caps[indexer["id"]]))
            elif app.get("syncLevel") == "fullSync":
                self._store_map(app, indexer["id"], target.update(indexer, caps[indexer["id"]], remote))
        if remove_remote:
            known = {i["id"] for i in indexers}
            for indexer_id, remote in mapped.items():
                if indexer_id not in known:
                    target.remove(remote)
                    self._store_map(app, indexer_id, None)

    def remove(self, indexer_id: int) -> None:
        for app in self._apps(None, False):
            remote = self._maps(app["id"]).get(indexer_id)
            if remote is None:
                continue
            try:
                RadarrTarget(app, self.api_key, {}, self.sync_log).remove(remote)
            except (HttpError, Unreachable) as exc:
                self.sync_log.append(f"{app['name']}: {exc}")
            self._store_map(app, indexer_id, None)

    def _maps(self, app_id: int) -> dict[int, int]:
        with self._state() as state:
            return {m["indexerId"]: m["remoteIndexerId"] for m in state.items(MAPS) if m["appId"] == app_id}

    def _store_map(self, app: Mapping[str, Any], indexer_id: int, remote_id: int | None) -> None:
        """Prowlarr's AppIndexerMap: one row per (application, indexer); None removes it."""
        with self._state() as state:
            for row in state.items(MAPS):
                if row["appId"] == app["id"] and row["indexerId"] == indexer_id:
                    state.remove(MAPS, row["id"])
            if remote_id is not None:
                state.add(MAPS, {"appId": app["id"], "indexerId": indexer_id, "remoteIndexerId": remote_id})


class RadarrTarget:
    """Applications/Radarr: RadarrV3Proxy's requests for one application, as Prowlarr sends them."""

    def __init__(self, app: Mapping[str, Any], api_key: str, profiles: Mapping[int, Mapping[str, Any]],
                 log: list[str]) -> None:
        self.app = app
        self.api_key = api_key
        self.profiles = profiles
        self.log = log
        self.site = Site(str(field_value(app, "baseUrl") or "").rstrip("/"),
                         {"X-Api-Key": str(field_value(app, "apiKey") or ""), "Accept": "application/json"})
        self._schema: dict[str, Any] | None = None

    def _torznab_schema(self) -> dict[str, Any]:
        if self._schema is None:
            schemas = self.site.call("GET", "/api/v3/indexer/schema").json()
            self._schema = next(s for s in schemas if s.get("implementation") == "Torznab")
        return self._schema

    def _categories(self, caps: Mapping[str, Any]) -> list[int]:
        wanted = [as_int(c) for c in field_value(self.app, "syncCategories") or []]
        offered = set(category_ids(caps))
        return [c for c in wanted if c in offered]

    def build(self, indexer: Mapping[str, Any], caps: Mapping[str, Any], remote_id: int = 0) -> dict[str, Any]:
        """BuildRadarrIndexer."""
        schema = self._torznab_schema()
        profile = self.profiles.get(indexer.get("appProfileId"), {})
        enabled = indexer.get("enable") is True
        seeders = field_value(indexer, "torrentBaseSettings.appMinimumSeeders")
        values = {"baseUrl": f"{str(field_value(self.app, 'prowlarrUrl')).rstrip('/')}/{indexer['id']}/",
                  "apiPath": "/api", "apiKey": self.api_key, "categories": self._categories(caps),
                  "minimumSeeders": seeders if seeders is not None else profile.get("minimumSeeders", 1),
                  "seedCriteria.seedRatio": field_value(indexer, "torrentBaseSettings.seedRatio"),
                  "seedCriteria.seedTime": field_value(indexer, "torrentBaseSettings.seedTime"),
                  "rejectBlocklistedTorrentHashesWhileGrabbing":
                      field_value(self.app, "syncRejectBlocklistedTorrentHashesWhileGrabbing") is True}
        fields = [dict(f, value=values[f["name"]] if f["name"] in values else f.get("value"))
                  for f in schema.get("fields") or [] if f.get("name") in SYNC_FIELDS]
        return {"id": remote_id, "name": f"{indexer['name']} (Prowlarr)",
                "enableRss": enabled and profile.get("enableRss", True) is True,
                "enableAutomaticSearch": enabled and profile.get("enableAutomaticSearch", True) is True,
                "enableInteractiveSearch": enabled and profile.get("enableInteractiveSearch", True) is True,
                "priority": indexer.get("priority", 25), "implementation": "Torznab",
                "configContract": schema.get("configContract"), "fields": fields, "tags": []}

    def add(self, indexer: Mapping[str, Any], caps: Mapping[str, Any]) -> int | None:
        """AddIndexer: skipped when the indexer offers none of the sync categories; a refused test (400) is
        saved again with forceSave."""
        if not self._categories(caps):
            self.log.append(f"{self.app['name']}: {indexer['name']} skipped, none of the sync categories")
            return None
        body = self.build(indexer, caps)
        try:
            created = self.site.call("POST", "/api/v3/indexer", body=body).json()
        except HttpError as exc:
            if exc.answer.status != 400:
                raise
            self.log.append(f"{self.app['name']}: {indexer['name']} refused ({exc.answer.text[:300]}), forced")
            created = self.site.call("POST", "/api/v3/indexer", query={"forceSave": "true"}, body=body).json()
        self.log.append(f"{self.app['name']}: added {body['name']} as {created['id']}")
        return int(created["id"])

    def update(self, indexer: Mapping[str, Any], caps: Mapping[str, Any], remote_id: int) -> int | None:
        """UpdateIndexer: re-added when Radarr lost it, removed when no category is left, else replaced when it
        differs (fields, tags and download client that are Radarr's own are kept)."""
        answer = self.site.send("GET", f"/api/v3/indexer/{remote_id}")
        if answer.status == 404:
            self.log.append(f"{self.app['name']}: {indexer['name']} not found in Radarr, added again")
            return self.add(indexer, caps)
        if not 200 <= answer.status < 300:
            raise HttpError(answer)
        remote = answer.json()
        if not self._categories(caps):
            self.remove(remote_id)
            return None
        wanted = self.build(indexer, caps, remote_id)
        if not _differs(wanted, remote):
            return remote_id
        names = {f["name"] for f in wanted["fields"]}
        wanted["fields"] += [copy.deepcopy(f) for f in remote.get("fields") or [] if f.get("name") not in names]
        wanted["tags"] = sorted(set(remote.get("tags") or []))
        wanted["downloadClientId"] = remote.get("downloadClientId", 0)
        self.site.call("PUT", f"/api/v3/indexer/{remote_id}", query={"forceSave": "true"}, body=wanted)
        self.log.append(f"{self.app['name']}: updated {wanted['name']}")
        return remote_id

    def remove(self, remote_id: int) -> None:
        answer = self.site.send("DELETE", f"/api/v3/indexer/{remote_id}")
        self.log.append(f"{self.app['name']}: removed indexer {remote_id} ({answer.status})")


def _differs(wanted: Mapping[str, Any], remote: Mapping[str, Any]) -> bool:
    """RadarrIndexer.Equals on what Prowlarr sets; Radarr shows its secrets masked, so the key is not compared."""
    top = ("name", "enableRss", "enableAutomaticSearch", "enableInteractiveSearch", "priority", "implementation")
    if any(wanted.get(k) != remote.get(k) for k in top):
        return True
    theirs = {f.get("name"): f.get("value") for f in remote.get("fields") or []}
    return any(json.dumps(f.get("value")) != json.dumps(theirs.get(f["name"])) for f in wanted["fields"]
               if f["name"] != "apiKey")
