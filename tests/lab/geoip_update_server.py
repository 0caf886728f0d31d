"""A lab stand-in for MaxMind's update server, speaking what geoipupdate v7.1.1 asks (client/metadata.go,
client/download.go). Standard library only: it runs as a thread, or in a container on the stand-in base.

- GET /geoip/updates/metadata?edition_id=E with HTTP Basic auth (account ID, license key) answers
  {"databases": [{"edition_id", "md5", "date"}]}. geoipupdate compares that MD5 with its file's and, when
  they are equal, downloads nothing: v7 sends no If-None-Match and never sees a 304 (v4-v6's
  /geoip/databases/E/update?db_md5= did), so "already has it" shows as a metadata request with no download.
- GET /geoip/databases/E/download?date=YYYYMMDD&suffix=tar.gz, same auth, answers a tar.gz holding
  E_YYYYMMDD/E.mmdb, with a Last-Modified header (RFC 1123; geoipupdate refuses the answer without one).
- Wrong or missing credentials: 401 and MaxMind's error body; an unknown edition: 400 (metadata) or 404.

The databases are the files <directory>/<edition>.mmdb, read at every request: replacing a file (a rename)
switches what is served at run time. Each request is logged to stdout as a JSON line (method, path, status).
"""
from __future__ import annotations

import argparse
import base64
import email.utils
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

METADATA = "/geoip/updates/metadata"
DOWNLOAD = re.compile(r"^/geoip/databases/([^/]+)/download$")
UNAUTHORIZED = {"code": "ACCOUNT_ID_OR_LICENSE_KEY_INVALID",
                "error": "Your account ID or license key could not be authenticated."}


class UpdateServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], directory: Path, account_id: str, license_key: str) -> None:
        super().__init__(address, Handler)
        self.directory = directory
        self.credentials = f"{account_id}:{license_key}"
        self.requests: list[dict[str, object]] = []

    def database(self, edition: str) -> tuple[bytes, float] | None:
        path = self.directory / f"{edition}.mmdb"
        if "/" in edition or not path.is_file():
            return None
        with path.open("rb") as handle:           # one open: content and time of the same file
            return handle.read(), os.fstat(handle.fileno()).st_mtime


class Handler(BaseHTTPRequestHandler):
    server: UpdateServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:   # noqa: A002 (the base class's name)
        pass

    def _answer(self, status: int, body: bytes, content_type: str = "application/json",
                headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        entry = {"method": self.command, "path": self.path, "status": status,
                 "user_agent": self.headers.get("User-Agent", "")}
        self.server.requests.append(entry)
        print(json.dumps(entry), flush=True)

    def _json(self, status: int, value: object) -> None:
        self._answer(status, json.dumps(value).encode())

    def _authorized(self) -> bool:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        try:
            given = base64.b64decode(token, validate=True).decode()
        except ValueError:
            return False
        return scheme == "Basic" and given == self.server.credentials

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        download = DOWNLOAD.match(url.path)
        if url.path != METADATA and not download:
            self._json(404, {"code": "NOT_FOUND", "error": f"no such path {url.path}"})
            return
        if not self._authorized():
            self._json(401, UNAUTHORIZED)
            return
        edition = query.get("edition_id", "") if url.path == METADATA else urllib.parse.unquote(download.group(1))
        found = self.server.database(edition)
        if found is None:
            self._json(400 if url.path == METADATA else 404,
                       {"code": "EDITION_ID_INVALID", "error": f"Invalid edition ID: {edition}"})
            return
        content, mtime = found
        date = time.strftime("%Y-%m-%d", time.gmtime(mtime))
        if url.path == METADATA:
            self._json(200, {"databases": [{"edition_id": edition, "md5": hashlib.md5(content).hexdigest(),
                                            "date": date}]})
            return
        if query.get("suffix") != "tar.gz":
            self._json(400, {"code": "SUFFIX_INVALID", "error": "suffix must be tar.gz"})
            return
        self._answer(200, tarball(edition, date.replace("-", ""), content, mtime), "application/gzip",
                     {"Last-Modified": email.utils.formatdate(mtime, usegmt=True),
                      "Content-Disposition": f"attachment; filename={edition}_{date.replace('-', '')}.tar.gz"})


def tarball(edition: str, date: str, content: bytes, mtime: float) -> bytes:
    """The archive as MaxMind ships it: <edition>_<date>/ with <edition>.mmdb inside, gzip-compressed."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        folder = tarfile.TarInfo(f"{edition}_{date}")
        folder.type, folder.mode, folder.mtime = tarfile.DIRTYPE, 0o755, int(mtime)
        archive.addfile(folder)
        member = tarfile.TarInfo(f"{edition}_{date}/{edition}.mmdb")
        member.size, member.mode, member.mtime = len(content), 0o644, int(mtime)
        archive.addfile(member, io.BytesIO(content))
    return buffer.getvalue()


def start(directory: Path, account_id: str, license_key: str, host: str = "127.0.0.1",
          port: int = 0) -> UpdateServer:
    """A server in a daemon thread (port 0: any free one); stop it with .shutdown() and .server_close()."""
    server = UpdateServer((host, port), directory, account_id, license_key)
    threading.Thread(target=server.serve_forever, name="geoip-update-server", daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--directory", type=Path, required=True, help="holds <edition>.mmdb")
    parser.add_argument("--listen", default="0.0.0.0:8080", help="address:port")
    parser.add_argument("--account-id", default=os.environ.get("LAB_GEOIP_ACCOUNT_ID", ""))
    parser.add_argument("--license-key", default=os.environ.get("LAB_GEOIP_LICENSE_KEY", ""))
    args = parser.parse_args(argv)
    if not args.account_id or not args.license_key:
        parser.error("--account-id and --license-key (or LAB_GEOIP_ACCOUNT_ID, LAB_GEOIP_LICENSE_KEY) are needed")
    host, _, port = args.listen.rpartition(":")
    server = UpdateServer((host, int(port)), args.directory, args.account_id, args.license_key)
    print(json.dumps({"listening": args.listen}), flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
