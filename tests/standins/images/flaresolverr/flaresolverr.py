"""FlareSolverr 3.3 stand-in (the real one needs Chromium and the internet). Answers:
- GET / -> {"msg": "FlareSolverr is ready!", "version", "userAgent"}; GET /health -> {"status": "ok"};
- POST /v1 with cmd sessions.create / sessions.list / sessions.destroy -> status "ok" (sessions kept in memory);
- POST /v1 request.get / request.post -> 500 status "error": this stand-in fetches nothing (Prowlarr's
  indexer-proxy test therefore fails, as it does offline with the real one: save with forceSave=true);
- any other cmd -> 500 "Request parameter 'cmd' = '...' is invalid.", as upstream.
"""
from __future__ import annotations

import os
import time
import uuid

from standin import env_int, exit_on_sigterm, serve

VERSION = "3.3.21"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
SESSIONS: list[str] = []


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
    if cmd in ("request.get", "request.post"):
        return answer(500, "error", f"Error: stand-in without a browser: {request.get('url')} was not fetched.")
    return answer(500, "error", f"Error: Request parameter 'cmd' = '{cmd}' is invalid.")


def main() -> None:
    exit_on_sigterm()
    serve("flaresolverr", {("GET", "/"): ready, ("GET", "/health"): lambda q, b, h: (200, {"status": "ok"}),
                           ("POST", "/v1"): v1}, env_int("PORT", 8191), os.environ.get("HOST", "0.0.0.0"))


if __name__ == "__main__":
    main()
