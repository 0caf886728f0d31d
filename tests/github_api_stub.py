"""The part of GitHub's REST API that docs/gitops/plan_comment.py uses, on 127.0.0.1, with a request log.

GET and POST /repos/{owner}/{repo}/issues/{n}/comments (GET paginated: per_page at most 100, page, a Link
header with rel="next" and rel="last" like GitHub's) and PATCH /repos/{owner}/{repo}/issues/comments/{id}.
Each request must carry `Authorization: Bearer <token>` (else 401), `Accept: application/vnd.github+json`
and `X-GitHub-Api-Version: 2022-11-28` (else 400, and the stub notes it). A body longer than 65536
characters gets 422. `fail` forces a status for a method.
"""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

TOKEN = "ghs_stubTOKEN0123456789abcdefABCDEF"
REPOSITORY = "home/home-infra"
BOT = "github-actions[bot]"
API_VERSION = "2022-11-28"
ACCEPT = "application/vnd.github+json"
BODY_LIMIT = 65536

LIST = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues/(?P<number>\d+)/comments$")
ONE = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues/comments/(?P<id>\d+)$")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: str


@dataclass
class GitHubStub:
    url: str = ""
    issues: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    fail: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    next_id: int = 1000

    def add_comment(self, number: int, body: str, login: str = BOT) -> dict[str, Any]:
        self.next_id += 1
        comment = {"id": self.next_id, "body": body, "user": {"login": login},
                   "html_url": "%s/%s/pull/%d#issuecomment-%d" % (self.url, REPOSITORY, number, self.next_id)}
        self.issues.setdefault(number, []).append(comment)
        return comment

    @staticmethod
    def edit(comment: dict[str, Any], text: str) -> dict[str, Any]:
        comment["body"] = text
        return comment

    def writes(self) -> list[Request]:
        return [request for request in self.requests if request.method != "GET"]

    def handle(self, method: str, target: str, headers: dict[str, str], body: str) -> tuple[int, dict, Any]:
        parts = urlsplit(target)
        query = parse_qs(parts.query)
        self.requests.append(Request(method, parts.path, query, headers, body))
        if headers.get("authorization") != "Bearer " + TOKEN:
            return 401, {}, {"message": "Bad credentials"}
        for name, wanted in (("accept", ACCEPT), ("x-github-api-version", API_VERSION)):
            if headers.get(name) != wanted:
                self.violations.append("%s %s: %s is %r" % (method, parts.path, name, headers.get(name)))
                return 400, {}, {"message": "%s must be %s" % (name, wanted)}
        if method in self.fail:
            status, answer = self.fail[method]
            return status, {}, answer
        listing, one = LIST.match(parts.path), ONE.match(parts.path)
        if listing and listing["repo"] == REPOSITORY and int(listing["number"]) in self.issues:
            comments = self.issues[int(listing["number"])]
            if method == "GET":
                return self.page(parts.path, query, comments)
            if method == "POST":
                return self.write(body, lambda text: self.add_comment(int(listing["number"]), text), 201)
        if one and one["repo"] == REPOSITORY and method == "PATCH":
            for comments in self.issues.values():
                for comment in comments:
                    if comment["id"] == int(one["id"]):
                        return self.write(body, lambda text, comment=comment: self.edit(comment, text), 200)
        return 404, {}, {"message": "Not Found"}

    def page(self, path: str, query: dict[str, list[str]], comments: list[dict[str, Any]]) -> tuple[int, dict, Any]:
        per_page = min(int(query.get("per_page", ["30"])[0]), 100)
        page = int(query.get("page", ["1"])[0])
        last = max(1, -(-len(comments) // per_page))
        links = []
        if page < last:
            links.append('<%s%s?per_page=%d&page=%d>; rel="next"' % (self.url, path, per_page, page + 1))
            links.append('<%s%s?per_page=%d&page=%d>; rel="last"' % (self.url, path, per_page, last))
        headers = {"Link": ", ".join(links)} if links else {}
        return 200, headers, comments[(page - 1) * per_page:page * per_page]

    @staticmethod
    def write(body: str, store: Any, status: int) -> tuple[int, dict, Any]:
        text = json.loads(body).get("body")
        if not isinstance(text, str) or len(text) > BODY_LIMIT:
            return 422, {}, {"message": "Validation Failed", "errors": [
                {"resource": "IssueComment", "code": "custom", "field": "body",
                 "message": "body is too long (maximum is %d characters)" % BODY_LIMIT}]}
        return status, {}, store(text)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, stub: GitHubStub) -> None:
        self.stub = stub
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        headers = {key.lower(): value for key, value in self.headers.items()}
        with self.server.lock:
            status, extra, answer = self.server.stub.handle(self.command, self.path, headers, body)
        payload = json.dumps(answer).encode()
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the stub keeps its own request log."""


def serve(stub: Optional[GitHubStub] = None) -> Iterator[GitHubStub]:
    """Runs the stub until the generator is closed (a pytest fixture's body)."""
    stub = stub or GitHubStub()
    server = _Server(stub)
    stub.url = "http://127.0.0.1:%d" % server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
