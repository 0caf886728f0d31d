"""Radarr at work after a request, for the lab's request hops (ArrEmulator("radarr", connect="real")):

- a MoviesSearch command (queued by a movie added with "search on", or sent to `POST /command`) asks every
  Torznab indexer with automatic search on (`t=caps` once, then `t=movie` by IMDb id when the indexer supports it,
  else by title and year, in the indexer's categories) and takes the release whose title parses as the movie,
  with the most seeders and at least the indexer's minimum (DownloadDecisionMaker, reduced to title, year and
  seeders: the lab has one quality);
- the grab fetches the .torrent from the release's link (Prowlarr's `/{id}/download`) and sends it to the enabled
  qBittorrent client of lowest priority over its WebUI API v2, as QBittorrentProxyV2.AddTorrentFromFile does
  (multipart `torrents`, the client's `movieCategory`, `stopped` or `paused` for the "Stop" initial state,
  sequential order, first and last pieces first, content layout; "Force Start" afterwards);
- completed download handling: the client's torrents of that category are read every `poll_interval` until the
  grabbed hash is complete (the states QBittorrent.GetItems calls Completed), then its content is imported into
  the movie's folder under its own name (renaming is off by default): a hardlink when media management's
  `copyUsingHardlinks` is on, a copy when it is off or the link fails (DiskTransferService's HardLinkOrCopy);
  the movie then has its file;
- the "On File Import" notifications: for an Emby / Jellyfin connection with "Update Library" on, Radarr asks
  Jellyfin which movie items carry the movie's ids (`GET /Items`) and reports their paths and the movie's folder
  (through `mapFrom`/`mapTo`) with `POST /Library/Media/Updated`; with "Send Notifications" on it also posts
  `/Notifications/Admin` (Jellyfin 10.11 answers 404, which Radarr ignores).

The work runs in threads of its own (Radarr's command queue and its download monitoring are background jobs) and
takes the emulator's lock only to read or write its state, never while it talks to another program. Only the
addresses in the providers' settings are contacted (tests.emulators.connectors.Site). What happened is in `log`,
one line per step, worded like Radarr's own log where it has one.
"""
from __future__ import annotations

import copy
import errno
import os
import re
import shutil
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.emulators.background import Background
from tests.emulators.bencoding import torrent_info_hash
from tests.emulators.catalog import as_int, field_value
from tests.emulators.connectors import (
    HttpError,
    QbtError,
    QbtSession,
    Site,
    Unreachable,
    Upload,
    base_url,
    webapi_version,
)
from tests.emulators.indexing import TORZNAB_NS, IndexerError, parse_caps
from tests.emulators.store import Store

# QBittorrent.GetItems: the torrent states Radarr reports as Completed (4.x says paused, 5.x stopped).
COMPLETED_STATES = {"uploading", "stalledUP", "queuedUP", "forcedUP", "pausedUP", "stoppedUP"}
VIDEO_EXTENSIONS = {".mkv", ".mp4", ".avi", ".m4v", ".mov", ".ts", ".webm"}
INITIAL_STATE_FORCE_START, INITIAL_STATE_STOP = 1, 2
CONTENT_LAYOUTS = {1: "Original", 2: "Subfolder"}
WAIT = 120.0                    # seconds a test waits for the work under way


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def release_words(title: str) -> tuple[str, int | None]:
    """A release title's movie part as Radarr's clean title (letters and digits, lower case) and its year."""
    tokens = [t for t in re.split(r"[.\s_\-\[\]()]+", title) if t]
    for at, token in enumerate(tokens):
        if at and re.fullmatch(r"(19|20)\d\d", token):
            return re.sub(r"[^a-z0-9]", "", "".join(tokens[:at]).lower()), int(token)
    return re.sub(r"[^a-z0-9]", "", title.lower()), None


@dataclass(frozen=True)
class FeedItem:
    """One item of an indexer's Torznab feed."""

    indexer: str
    indexer_id: int
    title: str
    link: str
    size: int
    seeders: int
    info_hash: str

    @staticmethod
    def parse(item: ET.Element, indexer: Mapping[str, Any]) -> FeedItem:
        attrs = {a.get("name"): a.get("value") or "" for a in item.iter(f"{{{TORZNAB_NS}}}attr")}
        enclosure = item.find("enclosure")
        link = (enclosure.get("url") if enclosure is not None else None) or item.findtext("link") or ""
        return FeedItem(indexer["name"], indexer["id"], item.findtext("title") or "", link,
                       as_int(item.findtext("size")) or 0, as_int(attrs.get("seeders")) or 0,
                       attrs.get("infohash", "").lower())


class GrabError(Exception):
    """The release could not be sent to the download client (Radarr's DownloadClientException)."""


class MovieDownloads:
    """Radarr's search, grab, completed download handling and import notifications for the lab."""

    poll_interval = 1.0         # Radarr reads its clients every minute; the lab's clock runs faster

    def __init__(self, state: Store, lock: threading.Lock, changed: Callable[[], None]) -> None:
        """`changed`: called under the lock after the work wrote the state (the stand-in saves it then)."""
        self.state = state
        self.lock = lock
        self.changed = changed
        self.log: list[str] = []
        self.said_at: list[float] = []            # when each log line was said (time.monotonic)
        self._work = Background(self.log, "error")
        self._stopping = threading.Event()

    # -- the command queue ------------------------------------------------------------------------------------

    def movies_search(self, command_id: int) -> None:
        """Run a queued MoviesSearch command in the background."""
        self._work.start(lambda: self._run_search(command_id), "radarr-search")

    def stop(self) -> None:
        self._stopping.set()

    def resume(self) -> None:
        """After a restart (the stand-in restores its state, holding the lock): follow the downloads still under way
        again, from a thread of their own."""
        def follow_again() -> None:
            with self._state() as state:
                under_way = [d["id"] for d in state.items("download") if d["status"] == "downloading"]
            for download_id in under_way:
                self._work.start(lambda i=download_id: self._follow(i), "radarr-downloads")
        self._work.start(follow_again, "radarr-resume")

    def wait(self, until: Callable[[], bool], timeout: float = WAIT) -> None:
        """For tests: until `until()` holds (checked under the lock) or the work under way has ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if until():
                    return
            if not self._work.busy():
                with self.lock:
                    if until():
                        return
                raise AssertionError(f"Radarr's work ended without it: {self.log}")
            time.sleep(0.1)
        raise TimeoutError(f"Radarr's work still runs after {timeout} s: {self.log}")

    def say(self, line: str) -> None:
        self.said_at.append(time.monotonic())
        self.log.append(line)

    def when(self, prefix: str) -> float | None:
        """For figures: when the first log line starting with `prefix` was said (time.monotonic)."""
        return next((at for at, line in zip(self.said_at, self.log) if line.startswith(prefix)), None)

    @contextmanager
    def _state(self) -> Iterator[Store]:
        with self.lock:
            yield self.state
            self.changed()

    def _set_command(self, command_id: int, **changes: Any) -> None:
        with self._state() as state:
            command = state.get("command", command_id)
            if command is not None:
                state.put("command", {**command, **changes, "stateChangeTime": _now()})

    def _run_search(self, command_id: int) -> None:
        with self._state() as state:
            command = state.get("command", command_id) or {}
            movies = [copy.deepcopy(m) for i in command.get("movieIds", []) if (m := state.get("movie", i))]
            indexers = [i for i in state.items("indexer") if i.get("enableAutomaticSearch") is True
                        and i.get("implementation") == "Torznab"]
        self._set_command(command_id, status="started", started=_now())
        grabbed = 0
        for movie in movies:
            releases = [release for indexer in indexers for release in self._search(indexer, movie)]
            chosen = self._decide(movie, releases)
            if chosen is None:
                self.say(f"Search for {movie['title']} ({movie['year']}): no release to grab "
                         f"({len(releases)} found on {len(indexers)} indexer(s))")
                continue
            try:
                self._grab(movie, chosen)
                grabbed += 1
            except GrabError as exc:
                self.say(f"Grab of {chosen.title} failed: {exc}")
        self._set_command(command_id, status="completed", ended=_now(),
                          message=f"Completed: {grabbed} of {len(movies)} movie(s) grabbed")

    # -- search and decision ----------------------------------------------------------------------------------

    def _search(self, indexer: Mapping[str, Any], movie: Mapping[str, Any]) -> list[FeedItem]:
        path = "/" + (str(field_value(indexer, "apiPath") or "/api")).strip("/")
        site = Site(str(field_value(indexer, "baseUrl") or "").rstrip("/") + path,
                    {"Accept": "application/rss+xml, application/xml"})
        key = {"apikey": str(field_value(indexer, "apiKey"))} if field_value(indexer, "apiKey") else {}
        categories = ",".join(str(as_int(c)) for c in field_value(indexer, "categories") or [])
        try:
            caps = parse_caps(site.call("GET", "", query={"t": "caps", **key}).data)
            query: dict[str, str] = {"t": "movie", "cat": categories, "extended": "1", "offset": "0",
                                     "limit": "100", **key}
            params = caps.get("movieSearchParams") or []
            if "tmdbId" in params:
                query["tmdbid"] = str(movie["tmdbId"])
            elif "imdbId" in params and movie.get("imdbId"):
                query["imdbid"] = str(movie["imdbId"]).removeprefix("tt")
            else:
                query["q"] = f"{movie['title']} {movie['year']}"
            root = ET.fromstring(site.call("GET", "", query=query).data)
        except (Unreachable, HttpError, IndexerError, ET.ParseError) as exc:
            self.say(f"Indexer {indexer['name']}: search failed: {exc}")
            return []
        if root.tag == "error":
            self.say(f"Indexer {indexer['name']}: {root.get('description')}")
            return []
        found = [FeedItem.parse(item, indexer) for item in root.iter("item")]
        self.say(f"Indexer {indexer['name']}: {len(found)} release(s) for {movie['title']} ({movie['year']})")
        return found

    def _decide(self, movie: Mapping[str, Any], releases: list[FeedItem]) -> FeedItem | None:
        wanted = (movie.get("cleanTitle") or re.sub(r"[^a-z0-9]", "", str(movie["title"]).lower()), movie["year"])
        with self._state() as state:
            minimum = {i["id"]: as_int(field_value(i, "minimumSeeders")) or 1 for i in state.items("indexer")}
        accepted = []
        for release in releases:
            if release_words(release.title) != wanted:
                self.say(f"Rejected {release.title}: not {movie['title']} ({movie['year']})")
            elif release.seeders < minimum.get(release.indexer_id, 1):
                self.say(f"Rejected {release.title}: {release.seeders} seeder(s), fewer than the indexer's minimum")
            else:
                accepted.append(release)
        return max(accepted, key=lambda r: (r.seeders, r.size), default=None)

    # -- the grab ---------------------------------------------------------------------------------------------

    def _client(self) -> dict[str, Any]:
        with self._state() as state:
            clients = [c for c in state.items("downloadclient") if c.get("enable") is True
                       and c.get("implementation") == "QBittorrent"]
        if not clients:
            raise GrabError("no enabled qBittorrent download client")
        return min(clients, key=lambda c: (as_int(c.get("priority")) or 1, c["id"]))

    @staticmethod
    def _session(client: Mapping[str, Any]) -> QbtSession:
        site = Site(base_url(field_value(client, "useSsl"), field_value(client, "host"), field_value(client, "port"),
                             field_value(client, "urlBase")))
        return QbtSession(site, str(field_value(client, "username") or ""), str(field_value(client, "password") or ""))

    def _grab(self, movie: Mapping[str, Any], release: FeedItem) -> None:
        try:
            torrent = Site(release.link).call("GET", "").data
            info_hash = torrent_info_hash(torrent)
        except (Unreachable, HttpError, ValueError, KeyError) as exc:
            raise GrabError(f"the .torrent could not be fetched from {release.indexer}: {exc}") from exc
        client = self._client()
        category = str(field_value(client, "movieCategory") or "")
        session = self._session(client)
        form = {"category": category} if category else {}
        try:
            api = webapi_version(session.request("GET", "/api/v2/app/webapiVersion"))
            if as_int(field_value(client, "initialState")) == INITIAL_STATE_STOP:
                form["stopped" if api >= (2, 11) else "paused"] = "true"
            if field_value(client, "sequentialOrder") is True:
                form["sequentialDownload"] = "true"
            if field_value(client, "firstAndLast") is True:
                form["firstLastPiecePrio"] = "true"
            layout = CONTENT_LAYOUTS.get(as_int(field_value(client, "contentLayout")) or 0)
            if layout:
                form["contentLayout"] = layout
            added = session.request("POST", "/api/v2/torrents/add", form=form,
                                    upload=Upload("torrents", f"{release.title}.torrent", torrent,
                                                  "application/x-bittorrent"))
            if added.strip() == "Fails.":
                raise GrabError("Download client failed to add torrent by file")
            if as_int(field_value(client, "initialState")) == INITIAL_STATE_FORCE_START:
                session.request("POST", "/api/v2/torrents/setForceStart", form={"hashes": info_hash, "value": "true"})
        except QbtError as exc:
            raise GrabError(f"{client['name']}: {exc}") from exc
        download = {"downloadId": info_hash.upper(), "movieId": movie["id"], "title": release.title,
                    "indexer": release.indexer, "downloadClient": client["name"], "downloadClientId": client["id"],
                    "category": category, "status": "downloading", "added": _now(), "outputPath": None}
        with self._state() as state:
            stored = state.add("download", download)
        self.say(f"Grabbed {release.title} from {release.indexer} into {client['name']} "
                 f"(category {category or 'none'}, hash {info_hash})")
        self._work.start(lambda: self._follow(stored["id"]), "radarr-downloads")

    # -- completed download handling --------------------------------------------------------------------------

    def _follow(self, download_id: int) -> None:
        failing = ""               # the client's last error: said once, not at every poll
        while not self._stopping.is_set():
            with self._state() as state:
                download = copy.deepcopy(state.get("download", download_id))
                client = state.get("downloadclient", download["downloadClientId"]) if download else None
            if download is None or client is None:
                self.say("The download or its client was removed; no longer followed")
                return
            try:
                query = {"category": download["category"]} if download["category"] else {}
                torrents = self._session(client).json("/api/v2/torrents/info", query)
            except QbtError as exc:
                if str(exc) != failing:
                    failing = str(exc)
                    self.say(f"{client['name']}: {exc}")
                self._stopping.wait(self.poll_interval)
                continue
            failing = ""
            torrent = next((t for t in torrents if str(t.get("hash", "")).upper() == download["downloadId"]), None)
            if torrent is None:
                self.say(f"{download['title']} is no longer in {client['name']}")
                return
            if torrent.get("progress", 0) >= 1 and torrent.get("state") in COMPLETED_STATES:
                output = torrent.get("content_path") or os.path.join(torrent["save_path"], torrent["name"])
                self._update_download(download_id, status="completed", outputPath=output)
                self.say(f"{download['title']} completed in {client['name']}: {output}")
                self._import(download_id, Path(output))
                return
            self._stopping.wait(self.poll_interval)

    def _update_download(self, download_id: int, **changes: Any) -> None:
        with self._state() as state:
            state.put("download", {**state.get("download", download_id), **changes})

    @staticmethod
    def _video(output: Path) -> Path | None:
        if output.is_file():
            return output
        videos = [p for p in output.rglob("*") if p.is_file() and p.suffix.lower() in VIDEO_EXTENSIONS]
        return max(videos, key=lambda p: p.stat().st_size, default=None)

    def _import(self, download_id: int, output: Path) -> None:
        with self._state() as state:
            download = state.get("download", download_id)
            movie = copy.deepcopy(state.get("movie", download["movieId"]))
            hardlinks = state.configs.get("mediamanagement", {}).get("copyUsingHardlinks") is True
        source = self._video(output)
        if source is None:
            self._update_download(download_id, status="importFailed")
            self.say(f"Import of {download['title']} failed: no video file in {output}")
            return
        folder = Path(movie["path"])
        target = folder / source.name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            mode = self._transfer(source, target, hardlinks)
        except OSError as exc:
            self._update_download(download_id, status="importFailed")
            self.say(f"Import of {download['title']} failed: {exc}")
            return
        size = target.stat().st_size
        movie_file = {"movieId": movie["id"], "relativePath": source.name, "path": str(target), "size": size,
                      "dateAdded": _now(), "sceneName": download["title"], "releaseGroup": download["title"]
                      .rsplit("-", 1)[-1]}
        with self._state() as state:
            stored_file = state.add("moviefile", movie_file)
            current = state.get("movie", movie["id"])
            state.put("movie", {**current, "hasFile": True, "movieFileId": stored_file["id"], "sizeOnDisk": size,
                                "movieFile": stored_file})
            state.put("download", {**state.get("download", download_id), "status": "imported"})
        self.say(f"Imported {source.name} into {folder} by {mode}")
        self._notify(movie, str(folder))

    def _transfer(self, source: Path, target: Path, hardlinks: bool) -> str:
        """HardLinkOrCopy when hardlinks are on, else Copy (a torrent keeps seeding: never a move)."""
        if target.exists():
            target.unlink()
        if hardlinks:
            try:
                os.link(source, target)
                return "hardlink"
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                    raise
                self.say(f"Hardlink of {source.name} failed ({os.strerror(exc.errno)}), copying instead")
        shutil.copy2(source, target)
        return "copy"

    # -- import notifications ---------------------------------------------------------------------------------

    def _notify(self, movie: Mapping[str, Any], folder: str) -> None:
        with self._state() as state:
            connections = [n for n in state.items("notification") if n.get("onDownload") is True
                           and n.get("implementation") == "MediaBrowser"]
        for connection in connections:
            site = Site(base_url(field_value(connection, "useSsl"), field_value(connection, "host"),
                                 field_value(connection, "port"), field_value(connection, "urlBase")),
                        {"X-MediaBrowser-Token": str(field_value(connection, "apiKey") or ""),
                         "Accept": "application/json"})
            try:
                if field_value(connection, "notify") is True:
                    answer = site.send("POST", "/Notifications/Admin",
                                       body={"Name": "Radarr - Downloaded", "Description": movie["title"]})
                    if answer.status not in (404,) and not 200 <= answer.status < 300:
                        raise HttpError(answer)
                if field_value(connection, "updateLibrary") is True:
                    paths = self._library_paths(site, connection, movie, folder)
                    for path in paths:
                        site.call("POST", "/Library/Media/Updated",
                                  body={"Updates": [{"Path": path, "UpdateType": "Created"}]})
                    self.say(f"{connection['name']}: told of {', '.join(paths)}")
            except (Unreachable, HttpError, ValueError) as exc:
                self.say(f"{connection['name']}: unable to update the library: {exc}")

    @staticmethod
    def _library_paths(site: Site, connection: Mapping[str, Any], movie: Mapping[str, Any], folder: str) -> list[str]:
        """MediaBrowserService.Update: the paths of Jellyfin's items with the movie's ids, and the movie's folder
        as Jellyfin sees it."""
        items = site.call("GET", "/Items", query={"recursive": "true", "includeItemTypes": "Movie",
                                                  "fields": "Path,ProviderIds", "years": str(movie["year"])})
        paths = []
        for item in items.json().get("Items") or []:
            ids = {k.lower(): str(v) for k, v in (item.get("ProviderIds") or {}).items()}
            if (ids.get("tmdb") == str(movie["tmdbId"]) or ids.get("imdb") == movie.get("imdbId")) and item.get("Path"):
                paths.append(item["Path"])
        map_from = str(field_value(connection, "mapFrom") or "")
        map_to = str(field_value(connection, "mapTo") or "")
        if map_from and map_to and folder.startswith(map_from):
            folder = map_to.rstrip("/") + "/" + folder[len(map_from):].lstrip("/")
        return list(dict.fromkeys([*paths, folder]))
