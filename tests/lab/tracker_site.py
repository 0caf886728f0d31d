"""The lab's tracker site: a Torznab API (caps, search, movie search, .torrent downloads) for the lab swarm's one
release, optionally behind a Cloudflare-style challenge that only a browser (the FlareSolverr stand-in) passes.

What a client sees is what Prowlarr's generic Torznab indexer and its FlareSolverr proxy react to:
- `GET /api?t=caps` -> the capabilities (search and movie-search with q and imdbid, the Movies categories);
- `GET /api?t=search|movie&q=&imdbid=&cat=&apikey=` -> an RSS feed with torznab attributes (seeders, peers,
  infohash, imdb, category), links to `/download/<guid>.torrent`; a wrong site key -> Torznab error 100;
- `GET /download/<guid>.torrent` -> the bencoded torrent (application/x-bittorrent), announcing to the site;
- `GET /announce?info_hash=&peer_id=&port=&left=&event=&compact=1` -> the BitTorrent tracker of the lab swarm
  (BEP 3, compact peers of BEP 23): every client that announced a torrent, at the address it came from. Never
  behind the challenge: a BitTorrent client cannot solve it (real sites announce on a tracker host of their own);
- protected: every path but the challenge's answers 403 with `Server: cloudflare` and a "Just a moment..." page
  holding a token (meta `lab-challenge`) and the form to answer it, unless the request carries a `cf_clearance`
  cookie the site issued; a browser (its script) earns it with `GET <form action>?token=<token>&answer=<sha256
  hex of the token>` (Set-Cookie). Only the FlareSolverr stand-in does that; Prowlarr itself never does.
Every request is kept (`requests`) with its User-Agent and whether it was let through, so a test can tell who
fetched what; the swarm (`peers`) says who announced what.
"""
from __future__ import annotations

import argparse
import hashlib
import ipaddress
import secrets
import signal
import sys
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple, Self
from urllib.parse import parse_qsl, unquote_to_bytes, urlsplit

from tests.emulators.bencoding import bencode

TORZNAB_NS = "http://torznab.com/schemas/2015/feed"
CHALLENGE_PATH = "/cdn-cgi/challenge-platform/solve"
CHALLENGE_META = "lab-challenge"
PIECE_LENGTH = 16 * 1024
# Newznab movie categories the site files its releases under (2040: Movies/HD).
CATEGORIES = ((2000, "Movies", ((2030, "Movies/SD"), (2040, "Movies/HD"), (2045, "Movies/UHD"))),)


def challenge_answer(token: str) -> str:
    """What the challenge page's script computes in a browser."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Release:
    """One single-file torrent of deterministic content (so the swarm can seed the same bytes)."""

    guid: str
    title: str
    file_name: str
    size: int
    imdb_id: str
    category: int
    seeders: int = 12
    peers: int = 14

    def content(self) -> bytes:
        block = hashlib.sha256(self.guid.encode()).digest() * (PIECE_LENGTH // 32)
        return (block * (self.size // len(block) + 1))[:self.size]

    def info(self) -> dict[str, Any]:
        data = self.content()
        pieces = b"".join(hashlib.sha1(data[i:i + PIECE_LENGTH]).digest() for i in range(0, len(data), PIECE_LENGTH))
        return {"name": self.file_name, "length": self.size, "piece length": PIECE_LENGTH, "pieces": pieces}

    def torrent(self, announce: str) -> bytes:
        """The .torrent file; its tracker is the lab site itself (a lab address: a client never looks a name
        up)."""
        return bencode({"announce": announce, "created by": "mediastack lab", "info": self.info()})

    @property
    def info_hash(self) -> str:
        return hashlib.sha1(bencode(self.info())).hexdigest()


# The lab swarm's release of the lab movie (tests/emulators/movies.py: Inception, tt1375666).
INCEPTION_RELEASE = Release("lab-inception-2010", "Inception.2010.1080p.BluRay.x264-LAB",
                            "Inception.2010.1080p.BluRay.x264-LAB.mkv", 3 * 1024 * 1024, "tt1375666", 2040)


class Peer(NamedTuple):
    """A client of the swarm as the tracker last heard of it."""

    address: str
    port: int
    left: int                  # bytes it still lacks: 0 for a seeder
    event: str


# How often a client is told to announce again (a client clamps it to its own minimum).
ANNOUNCE_INTERVAL = 30


class SiteRequest(NamedTuple):
    method: str
    path: str
    query: dict[str, str]
    user_agent: str
    status: int
    cleared: bool              # let through the challenge (always True when the site is not protected)


@dataclass
class TrackerSite:
    api_key: str = "lab-site-key"
    protected: bool = False
    releases: tuple[Release, ...] = (INCEPTION_RELEASE,)
    requests: list[SiteRequest] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0
    public_url: str | None = None          # how clients reach it (links, announce), when it listens on 0.0.0.0

    def __post_init__(self) -> None:
        self._tokens: set[str] = set()
        self._clearances: set[str] = set()
        self.peers: dict[str, dict[bytes, Peer]] = {}     # info hash (hex) -> peer id -> the peer
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:      # noqa: N802 -- http.server's name
                status, headers, body = site.answer("GET", self.path, dict(self.headers.items()),
                                                    self.client_address[0])
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                self.wfile.write(body)

            def version_string(self) -> str:
                """A site behind Cloudflare says so on every answer, its pages as much as its challenges."""
                return "cloudflare" if site.protected else "nginx"

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: `requests` is the log."""

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
                         name="tracker-site").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- one exchange ------------------------------------------------------------------------------------------

    def answer(self, method: str, target: str, headers: dict[str, str],
               client: str = "127.0.0.1") -> tuple[int, list[tuple[str, str]], bytes]:
        split = urlsplit(target)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        agent = next((v for k, v in headers.items() if k.lower() == "user-agent"), "")
        with self._lock:
            cleared = not self.protected or self._cleared(headers)
            if split.path == "/announce":
                status, sent, body = self._announce(split.query, client)
            elif split.path == CHALLENGE_PATH:
                status, sent, body = self._solve(query)
            elif not cleared:
                status, sent, body = self._challenge()
            else:
                status, sent, body = self._content(split.path, query)
            self.requests.append(SiteRequest(method, split.path, query, agent, status, cleared))
        return status, sent, body

    def _cleared(self, headers: dict[str, str]) -> bool:
        jar: SimpleCookie = SimpleCookie()
        for name, value in headers.items():
            if name.lower() == "cookie":
                jar.load(value)
        morsel = jar.get("cf_clearance")
        return morsel is not None and morsel.value in self._clearances

    def _challenge(self) -> tuple[int, list[tuple[str, str]], bytes]:
        token = secrets.token_hex(8)
        self._tokens.add(token)
        page = (f'<!DOCTYPE html><html><head><title>Just a moment...</title><meta name="{CHALLENGE_META}" '
                f'content="{token}"></head><body>Checking your browser before accessing the site.'
                f'<form id="challenge-form" action="{CHALLENGE_PATH}" method="get"></form></body></html>')
        return 403, [("Content-Type", "text/html; charset=UTF-8"), ("cf-mitigated", "challenge")], page.encode()

    def _solve(self, query: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
        token = query.get("token", "")
        if token not in self._tokens or query.get("answer") != challenge_answer(token):
            return 403, [("Content-Type", "text/plain")], b"challenge failed"
        self._tokens.discard(token)
        clearance = secrets.token_hex(16)
        self._clearances.add(clearance)
        return 200, [("Set-Cookie", f"cf_clearance={clearance}; Path=/; HttpOnly"),
                     ("Content-Type", "text/plain")], b"ok"

    def _announce(self, raw_query: str, client: str) -> tuple[int, list[tuple[str, str]], bytes]:
        """BEP 3: the info hash and peer id are raw bytes, percent-encoded; the answer is bencoded, a failure too."""
        fields = {}
        for pair in raw_query.split("&"):
            name, _, value = pair.partition("=")
            fields[name] = unquote_to_bytes(value.replace("+", " "))
        kind = [("Content-Type", "text/plain")]
        info_hash, peer_id = fields.get("info_hash", b""), fields.get("peer_id", b"")
        try:
            port, left = int(fields.get("port", b"")), int(fields.get("left", b"0"))
        except ValueError:
            port = left = -1
        if len(info_hash) != 20 or not peer_id or not 0 < port < 65536 or left < 0:
            return 200, kind, bencode({"failure reason": "invalid announce"})
        if not any(release.info_hash == info_hash.hex() for release in self.releases):
            return 200, kind, bencode({"failure reason": "unregistered torrent"})
        event = fields.get("event", b"").decode(errors="replace")
        swarm = self.peers.setdefault(info_hash.hex(), {})
        if event == "stopped":
            swarm.pop(peer_id, None)
        else:
            swarm[peer_id] = Peer(client, port, left, event)
        others = [peer for key, peer in swarm.items() if key != peer_id]
        try:
            compact = b"".join(ipaddress.IPv4Address(peer.address).packed + peer.port.to_bytes(2, "big")
                               for peer in others)
        except ipaddress.AddressValueError:
            return 200, kind, bencode({"failure reason": "the lab tracker serves IPv4 peers only"})
        return 200, kind, bencode({"interval": ANNOUNCE_INTERVAL, "min interval": ANNOUNCE_INTERVAL,
                                   "complete": sum(p.left == 0 for p in swarm.values()),
                                   "incomplete": sum(p.left > 0 for p in swarm.values()), "peers": compact})

    def seeders(self, info_hash: str) -> list[Peer]:
        """The swarm's clients that have the whole torrent."""
        with self._lock:
            return [peer for peer in self.peers.get(info_hash, {}).values() if peer.left == 0]

    def _content(self, path: str, query: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
        if path == "/api":
            return self._api(query)
        for release in self.releases:
            if path == f"/download/{release.guid}.torrent":
                return 200, [("Content-Type", "application/x-bittorrent"),
                             ("Content-Disposition", f'attachment; filename="{release.title}.torrent"')], \
                    release.torrent(f"{self.url}/announce")
        return 404, [("Content-Type", "text/plain")], b"not found"

    def _api(self, query: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
        kind = query.get("t", "")
        if kind == "caps":
            return self._xml(caps_document())
        if query.get("apikey") != self.api_key:
            return self._xml(torznab_error(100, "Incorrect user credentials"))
        if kind not in ("search", "movie"):
            return self._xml(torznab_error(202, f"No such function ({kind})"))
        return self._xml(self._feed(self._matches(query)))

    def _matches(self, query: dict[str, str]) -> list[Release]:
        imdb = query.get("imdbid", "").strip().lower().removeprefix("tt")
        words = [w for w in query.get("q", "").lower().replace(".", " ").split() if w]
        wanted = {int(c) for c in query.get("cat", "").split(",") if c.strip().isdigit()}
        found = []
        for release in self.releases:
            if imdb and release.imdb_id.removeprefix("tt") != imdb:
                continue
            title = release.title.lower().replace(".", " ")
            if any(w not in title for w in words):
                continue
            if wanted and not wanted & {release.category, release.category // 1000 * 1000}:
                continue
            found.append(release)
        return found

    def _feed(self, releases: list[Release]) -> ET.Element:
        rss = ET.Element("rss", {"version": "2.0", "xmlns:torznab": TORZNAB_NS})
        channel = ET.SubElement(rss, "channel")
        ET.SubElement(channel, "title").text = "Lab tracker"
        published = format_datetime(datetime(2024, 5, 1, 12, 0, tzinfo=UTC))
        for release in releases:
            item = ET.SubElement(channel, "item")
            link = f"{self.url}/download/{release.guid}.torrent"
            for name, text in (("title", release.title), ("guid", f"{self.url}/details/{release.guid}"),
                               ("link", link), ("comments", f"{self.url}/details/{release.guid}"),
                               ("pubDate", published), ("size", str(release.size)),
                               ("category", str(release.category))):
                ET.SubElement(item, name).text = text
            ET.SubElement(item, "enclosure", {"url": link, "length": str(release.size),
                                              "type": "application/x-bittorrent"})
            for name, value in (("category", release.category), ("seeders", release.seeders),
                                ("peers", release.peers), ("infohash", release.info_hash),
                                ("imdbid", release.imdb_id), ("downloadvolumefactor", 1),
                                ("uploadvolumefactor", 1)):
                ET.SubElement(item, "torznab:attr", {"name": name, "value": str(value)})
        return rss

    @staticmethod
    def _xml(root: ET.Element) -> tuple[int, list[tuple[str, str]], bytes]:
        body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        return 200, [("Content-Type", "application/rss+xml; charset=utf-8")], body


def caps_document() -> ET.Element:
    caps = ET.Element("caps")
    ET.SubElement(caps, "server", {"title": "Lab tracker"})
    ET.SubElement(caps, "limits", {"default": "100", "max": "100"})
    searching = ET.SubElement(caps, "searching")
    ET.SubElement(searching, "search", {"available": "yes", "supportedParams": "q"})
    ET.SubElement(searching, "tv-search", {"available": "no", "supportedParams": "q"})
    ET.SubElement(searching, "movie-search", {"available": "yes", "supportedParams": "q,imdbid"})
    categories = ET.SubElement(caps, "categories")
    for code, name, subs in CATEGORIES:
        parent = ET.SubElement(categories, "category", {"id": str(code), "name": name})
        for sub_code, sub_name in subs:
            ET.SubElement(parent, "subcat", {"id": str(sub_code), "name": sub_name})
    return caps


def torznab_error(code: int, description: str) -> ET.Element:
    return ET.Element("error", {"code": str(code), "description": description})


def main(argv: list[str] | None = None) -> int:
    """Serve the site until stopped, one line per request on stderr (the stack's lab runs it in a namespace)."""
    parser = argparse.ArgumentParser(prog="python -m tests.lab.tracker_site", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=80)
    parser.add_argument("--public-url", help="the site's address as clients reach it (its links and announce)")
    parser.add_argument("--api-key", default=TrackerSite.api_key)
    parser.add_argument("--protected", action="store_true", help="answer with the challenge until it is solved")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    site = TrackerSite(api_key=args.api_key, protected=args.protected, host=args.host, port=args.port,
                       public_url=args.public_url).start()
    print(f"lab tracker on {site.url} (protected: {args.protected})", file=sys.stderr, flush=True)
    logged = 0
    while True:
        time.sleep(0.5)
        for request in site.requests[logged:]:
            print(f"{request.method} {request.path} {request.status} cleared={request.cleared} "
                  f"agent={request.user_agent!r}", file=sys.stderr, flush=True)
        logged = len(site.requests)


if __name__ == "__main__":
    sys.exit(main())
