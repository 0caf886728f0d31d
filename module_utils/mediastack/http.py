# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP for the mediastack modules: one client per app, on ansible.module_utils.urls only.

Owns what every module needs from the wire: timeouts, a bounded wait while the app is still
starting, request counting (for benchmarks and for the "no write on a no-op run" guarantee), and
errors that name the app, the method, the URL, the HTTP status and the server's own message.
"""
from __future__ import annotations

import json
import time
from http.cookiejar import CookieJar
from typing import Any, Iterable, Optional
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode, urlsplit

from ansible.module_utils.mediastack.compare import MASK
from ansible.module_utils.urls import Request, SSLValidationError

# Statuses that mean "the app is up but not ready yet" (reverse proxies, *arr start-up).
_NOT_READY_STATUSES = (502, 503, 504)
_MAX_MESSAGE = 600


class ApiError(Exception):
    """A failed API call, worded for a human: app, method, URL, status and the server's message."""

    def __init__(self, app: str, method: str, url: str, status: Optional[int], message: str,
                 details: Optional[list[str]] = None) -> None:
        self.app = app
        self.method = method
        self.url = url
        self.status = status
        self.message = message
        self.details = details or []
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = "%s: %s %s" % (self.app, self.method, self.url)
        if self.status is None:
            return "%s failed: %s" % (where, self.message)
        return "%s answered HTTP %s: %s" % (where, self.status, self.message)

    @property
    def unreachable(self) -> bool:
        return self.status is None


class Response:
    """A finished HTTP exchange. `json` parses the body on demand."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        if not self.body.strip():
            return None
        return json.loads(self.text)


def server_message(body: bytes) -> tuple[str, list[str]]:
    """Extract the server's own words from an error body (never echoing attempted values).

    *arr validation errors are a JSON array of {propertyName, errorMessage}; other *arr errors are
    {message, description}; Seerr says {message, errors}; Jellyfin answers plain text or ProblemDetails
    {title, detail}; qBittorrent answers plain text.
    """
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return "(empty body)", []
    try:
        data = json.loads(text)
    except ValueError:
        return text[:_MAX_MESSAGE], []
    if isinstance(data, list):
        details = []
        for item in data:
            if isinstance(item, dict) and "errorMessage" in item:
                prop = item.get("propertyName") or ""
                details.append("%s: %s" % (prop, item["errorMessage"]) if prop else str(item["errorMessage"]))
            else:
                details.append(str(item))
        return "; ".join(details)[:_MAX_MESSAGE], details
    if isinstance(data, dict):
        parts = [str(data[k]) for k in ("message", "error", "title", "detail", "description") if data.get(k)]
        details = [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in data.get("errors") or []]
        message = ": ".join(parts + (["; ".join(details)] if details else []))
        return (message or text)[:_MAX_MESSAGE], details
    return text[:_MAX_MESSAGE], []


def media_browser_authorization(client: str, device: str, device_id: str, version: str,
                                token: Optional[str] = None) -> str:
    """Jellyfin's `Authorization: MediaBrowser ...` value; the server URL-decodes each quoted value. Without
    `token` (before login) it names the client only."""
    values = [("Client", client), ("Device", device), ("DeviceId", device_id), ("Version", version)]
    if token:
        values.append(("Token", token))
    return "MediaBrowser " + ", ".join('%s="%s"' % (k, quote(v, safe="")) for k, v in values)


class ApiClient:
    """HTTP to one app. The first exchange waits (up to `wait_timeout`) for an app that is starting."""

    def __init__(self, app: str, base_url: str, timeout: float = 30, validate_certs: bool = True,
                 wait_timeout: float = 0, headers: Optional[dict[str, str]] = None) -> None:
        self.app = app
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.wait_timeout = wait_timeout
        self.cookies = CookieJar()
        self.headers = dict(headers or {})
        self.requests: list[tuple[str, str]] = []
        self.hidden: set[str] = set()       # secrets that may be in a path (Jellyfin's DELETE /Auth/Keys/<key>)
        self._ready = wait_timeout <= 0
        self._request = Request(validate_certs=validate_certs, timeout=timeout, cookies=self.cookies,
                                follow_redirects="none", http_agent="mediastack")

    def url(self, path: str, query: Optional[dict[str, Any]] = None) -> str:
        url = self.base_url + path
        if query:
            url += "?" + urlencode(query, doseq=True)
        return url

    def request(self, method: str, path: str, query: Optional[dict[str, Any]] = None, json_body: Any = None,
                form: Optional[dict[str, Any]] = None, expect: Iterable[int] = (200,),
                headers: Optional[dict[str, str]] = None) -> Response:
        """Send one request; return the response if its status is expected, else raise ApiError."""
        url = self.url(path, query)
        send_headers = dict(self.headers)
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
            send_headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urlencode(form).encode("utf-8")
            send_headers["Content-Type"] = "application/x-www-form-urlencoded"
        send_headers.update(headers or {})
        expected = tuple(expect)
        if self._ready:
            response = self._exchange(method, url, data, send_headers)
        else:
            response = self._exchange_when_ready(method, url, data, send_headers)
            self._ready = True
        if response.status not in expected:
            message, details = server_message(response.body)
            raise ApiError(self.app, method, url, response.status, message, details)
        return response

    def get_json(self, path: str, query: Optional[dict[str, Any]] = None) -> Any:
        return self.request("GET", path, query=query).json()

    def _exchange_when_ready(self, method: str, url: str, data: Optional[bytes], headers: dict[str, str]) -> Response:
        # Only "nobody listens yet" and "a proxy or the app says not ready" are retried: either way the
        # request had no effect, so resending it (even a POST) is safe.
        deadline = time.monotonic() + self.wait_timeout
        delay = 0.25
        while True:
            try:
                response = self._exchange(method, url, data, headers)
                if response.status not in _NOT_READY_STATUSES:
                    return response
                last = "HTTP %s" % response.status
            except ApiError as exc:
                if not exc.unreachable:
                    raise
                last = exc.message
            if time.monotonic() + delay > deadline:
                raise ApiError(self.app, method, url, None,
                               "not ready within wait_timeout=%ss (last: %s)" % (self.wait_timeout, last))
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _exchange(self, method: str, url: str, data: Optional[bytes], headers: dict[str, str]) -> Response:
        path = urlsplit(url).path
        for secret in self.hidden:
            path = path.replace(secret, MASK)
        self.requests.append((method, path))
        try:
            handle = self._request.open(method, url, data=data, headers=headers)
            return Response(handle.status, dict(handle.headers.items()), handle.read())
        except HTTPError as exc:
            body = exc.read() if exc.fp is not None else b""
            return Response(exc.code, dict(exc.headers.items()) if exc.headers else {}, body)
        except SSLValidationError as exc:
            raise ApiError(self.app, method, url, None, "TLS verification failed (validate_certs): %s" % exc) from exc
        except (TimeoutError, URLError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ApiError(self.app, method, url, None, "cannot connect: %s" % reason) from exc


def request_counts(clients: Iterable[ApiClient]) -> dict[str, int]:
    """Requests over the given clients by method and path, e.g. {"GET /api/v3/tag": 1}."""
    counts: dict[str, int] = {}
    for client in clients:
        for method, path in client.requests:
            key = "%s %s" % (method, path)
            counts[key] = counts.get(key, 0) + 1
    return counts
