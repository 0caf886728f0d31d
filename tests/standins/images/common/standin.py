"""Shared by every stand-in image (copied to /standin/standin.py): the linuxserver-style user switch, a tiny
JSON/HTTP server for the small stand-ins, a health probe, and PID-1 signal handling.

Stand-ins answer what the roles and the wiring use; they are test doubles, not the real applications.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# A handler gets (query, parsed JSON body or None, headers) and returns (status, payload): a dict or list is
# sent as JSON, a str as text/plain, None as an empty body.
Handler = Callable[[dict[str, str], Any, Any], tuple[int, Any]]
Routes = dict[tuple[str, str], Handler]


def log(app: str, message: str) -> None:
    print(f"[{app} stand-in] {message}", file=sys.stderr, flush=True)


def exit_on_sigterm() -> None:
    """PID 1 ignores SIGTERM unless it installs a handler: `docker stop` should not wait 10 s."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def run_as_puid(default_id: int, dirs: tuple[str, ...] = ("/config",), user: str = "abc") -> None:
    """What linuxserver's init does before the service starts: UMASK, PUID/PGID, own /config, HOME=/config.
    Without root (a `user:` in the container spec) it only applies UMASK."""
    os.umask(int(os.environ.get("UMASK", "022") or "022", 8))
    uid, gid = env_int("PUID", default_id), env_int("PGID", default_id)
    for folder in dirs:
        Path(folder).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            for root, subdirs, files in os.walk(folder):
                for name in [root, *(os.path.join(root, n) for n in subdirs + files)]:
                    os.lchown(name, uid, gid)
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    os.environ.update(HOME=dirs[0], USER=user, LOGNAME=user)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], routes: Routes, app: str) -> None:
        self.routes = routes
        self.app = app
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        handler = self.server.routes.get((self.command, split.path.rstrip("/") or "/"))
        if handler is None:
            known = {path for _, path in self.server.routes}
            status, payload = (405, {"message": "Method Not Allowed"}) if split.path in known else \
                (404, {"message": "Not Found"})
        else:
            try:
                status, payload = handler(dict(parse_qsl(split.query)), body, self.headers)
            except Exception as exc:  # noqa: BLE001 - a stand-in answers 500 like a server would
                status, payload = 500, {"message": f"{type(exc).__name__}: {exc}"}
        if isinstance(payload, (dict, list)):
            data, ctype = json.dumps(payload).encode(), "application/json; charset=utf-8"
        elif isinstance(payload, str):
            data, ctype = payload.encode(), "text/plain; charset=utf-8"
        else:
            data, ctype = b"", ""
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        log(self.server.app, format % args)


def serve(app: str, routes: Routes, port: int, host: str = "0.0.0.0", block: bool = True) -> _Server:
    """Answer `routes` on host:port; with block=False the server runs in a daemon thread."""
    server = _Server((host, port), routes, app)
    log(app, f"listening on {host}:{port}")
    if block:
        server.serve_forever()
    else:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def probe(url: str, timeout: float = 3.0) -> int:
    """The HEALTHCHECK: 0 when `url` answers 2xx, else 1 (python3 is in every stand-in; curl is not)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return 0 if 200 <= answer.status < 300 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1


def probe_any_answer(url: str, timeout: float = 3.0) -> int:
    """A health check for servers that refuse anonymous requests: any HTTP status means the server is up."""
    try:
        urllib.request.urlopen(url, timeout=timeout).close()
    except urllib.error.HTTPError:
        return 0
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1
    return 0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None                                  # the 3xx itself is the answer


def probe_like_curl(url: str, timeout: float = 3.0) -> int:
    """`curl -sf URL`, an upstream image's health check: 0 for any answer below 400, redirects not followed."""
    try:
        urllib.request.build_opener(_NoRedirect).open(url, timeout=timeout).close()
    except urllib.error.HTTPError as exc:
        if exc.code < 400:
            return 0
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    # python3 /standin/standin.py probe|probe-any|probe-curl URL
    command, target = sys.argv[1], sys.argv[2]
    probes = {"probe": probe, "probe-any": probe_any_answer, "probe-curl": probe_like_curl}
    sys.exit(probes.get(command, probe_any_answer)(target))
