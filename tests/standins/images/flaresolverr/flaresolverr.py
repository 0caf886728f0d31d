"""FlareSolverr 3.3 stand-in (the real one needs Chromium and the internet). Answers:
- GET / -> {"msg": "FlareSolverr is ready!", "version", "userAgent"}; GET /health -> {"status": "ok"};
- POST /v1 with cmd sessions.create / sessions.list / sessions.destroy -> status "ok" (sessions kept in memory);
- POST /v1 request.get -> the page as a browser gets it, for a lab host only (FLARESOLVERR_LAB_HOSTS, a comma
  list of host or host:port; empty: none, as offline): the page is fetched, and when it is a Cloudflare-style
  challenge (403/503, `Server: cloudflare`, the lab tracker's token and form: tests/lab/tracker_site.py) the
  "browser" answers it as the page's script would, keeps the cookie it earns and fetches the page again; the
  answer is FlareSolverr's `solution` (url, status, headers, response, cookies, userAgent). Any other host, and
  request.post, -> 500 status "error" (nothing is fetched: Prowlarr's indexer-proxy test, which asks for
  Prowlarr's cloud, therefore fails as it does offline with the real one: save with forceSave=true);
- any other cmd -> 500 "Request parameter 'cmd' = '...' is invalid.", as upstream.
"""
from __future__ import annotations

import hashlib
import os
import re
import time
import urllib.error
import urllib.request
import uuid
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

from standin import env_int, exit_on_sigterm, log, serve

VERSION = "3.3.21"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
SESSIONS: list[str] = []
CHALLENGE_TOKEN = re.compile(r'<meta name="lab-challenge" content="([0-9a-f]+)"')
CHALLENGE_FORM = re.compile(r'<form id="challenge-form" action="([^"]+)"')


class NotAllowed(Exception):
    """A URL outside the lab: never fetched."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# No proxy from the environment, no redirect: only the lab address asked for is contacted.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def lab_hosts() -> set[str]:
    return {h.strip().lower() for h in os.environ.get("FLARESOLVERR_LAB_HOSTS", "").split(",") if h.strip()}


def fetch(url: str, cookies: dict[str, str], timeout: float) -> tuple[int, dict[str, str], str]:
    """One GET as the browser sends it; the cookies it is given are kept in `cookies`."""
    split = urlsplit(url)
    allowed = lab_hosts()
    if split.scheme not in ("http", "https") or not ({split.netloc.lower(), (split.hostname or "").lower()}
                                                     & allowed):
        raise NotAllowed(f"{url} is not on a lab host (FLARESOLVERR_LAB_HOSTS)")
    headers = {"User-Agent": USER_AGENT}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    request = urllib.request.Request(url, headers=headers)
    try:
        with _OPENER.open(request, timeout=timeout) as reply:
            status, received, body = reply.status, reply.headers, reply.read()
    except urllib.error.HTTPError as exc:
        status, received, body = exc.code, exc.headers, exc.read()
    jar: SimpleCookie = SimpleCookie()
    for header in received.get_all("Set-Cookie") or []:
        jar.load(header)
    cookies.update({name: morsel.value for name, morsel in jar.items()})
    return status, {k.lower(): v for k, v in received.items()}, body.decode(errors="replace")


def browse(url: str, timeout: float) -> dict:
    """The page after the challenge, if there is one, as FlareSolverr's `solution`."""
    cookies: dict[str, str] = {}
    status, headers, page = fetch(url, cookies, timeout)
    token, form = CHALLENGE_TOKEN.search(page), CHALLENGE_FORM.search(page)
    if status in (403, 503) and headers.get("server", "").lower() == "cloudflare" and token and form:
        answer = {"token": token[1], "answer": hashlib.sha256(token[1].encode()).hexdigest()}
        fetch(urljoin(url, form[1]) + "?" + urlencode(answer), cookies, timeout)
        status, headers, page = fetch(url, cookies, timeout)
    host = urlsplit(url).hostname or ""
    return {"url": url, "status": status, "headers": headers, "response": page, "userAgent": USER_AGENT,
            "cookies": [{"name": k, "value": v, "domain": host, "path": "/", "expires": -1, "size": len(k + v),
                         "httpOnly": True, "secure": False, "session": True, "sameSite": "Lax"}
                        for k, v in cookies.items()]}


def ready(query: dict, body: object, headers: object) -> tuple[int, dict]:
    return 200, {"msg": "FlareSolverr is ready!", "version": VERSION, "userAgent": USER_AGENT}


def v1(query: dict, body: object, headers: object) -> tuple[int, dict]:
    started = int(time.time() * 1000)
    request = body if isinstance(body, dict) else {}
    cmd = request.get("cmd")

    def answer(status: int, outcome: str, message: str, **extra: object) -> tuple[int, dict]:
        return status, {"status": outcome, "message": message, **extra, "startTimestamp": started,
                        "endTimestamp": int(time.time() * 1000), "version": VERSION}

    if cmd == "sessions.list":
        return answer(200, "ok", "", sessions=list(SESSIONS))
    if cmd == "sessions.create":
        session = request.get("session") or str(uuid.uuid1())
        if session in SESSIONS:
            return answer(200, "ok", "Session already exists.", session=session)
        SESSIONS.append(session)
        return answer(200, "ok", "Session created successfully.", session=session)
    if cmd == "sessions.destroy":
        if request.get("session") not in SESSIONS:
            return answer(500, "error", "Error: The session doesn't exist.")
        SESSIONS.remove(request["session"])
        return answer(200, "ok", "The session has been removed.")
    if cmd == "request.get":
        url = str(request.get("url") or "")
        timeout = min(max(int(request.get("maxTimeout") or 60000), 1000), 180000) / 1000
        try:
            solution = browse(url, timeout)
        except NotAllowed as exc:
            return answer(500, "error", f"Error: stand-in browser: {exc}; nothing was fetched.")
        except OSError as exc:
            return answer(500, "error", f"Error: Error solving the challenge. {exc}")
        log("flaresolverr", f"request.get {url} -> {solution['status']}"
                            f"{' (challenge solved)' if solution['cookies'] else ''}")
        return answer(200, "ok", "Challenge solved!" if solution["cookies"] else "Challenge not detected!",
                      solution=solution)
    if cmd == "request.post":
        return answer(500, "error", f"Error: stand-in browser: request.post is not emulated; {request.get('url')} "
                                    "was not fetched.")
    return answer(500, "error", f"Error: Request parameter 'cmd' = '{cmd}' is invalid.")


def main() -> None:
    exit_on_sigterm()
    serve("flaresolverr", {("GET", "/"): ready, ("GET", "/health"): lambda q, b, h: (200, {"status": "ok"}),
                           ("POST", "/v1"): v1}, env_int("PORT", 8191), os.environ.get("HOST", "0.0.0.0"))


if __name__ == "__main__":
    main()
