"""Seerr 3.1 stand-in. Answers only (both anonymous, as in Seerr):
- GET /api/v1/status -> {version, commitTag, updateAvailable, commitsBehind, restartRequired};
- GET /api/v1/settings/public -> {initialized, applicationTitle, mediaServerType, ...} from settings.json.
Like Seerr it keeps <CONFIG_DIRECTORY>/settings.json (default /app/config): on first start it is written with
a generated main.apiKey; env API_KEY overrides the key and is written back when it differs.
"""
from __future__ import annotations

import json
import os
import secrets
import uuid
from pathlib import Path

from standin import env_int, exit_on_sigterm, serve

VERSION = "3.1.0"
SETTINGS = Path(os.environ.get("CONFIG_DIRECTORY", "/app/config")) / "settings.json"
NOT_CONFIGURED = 4


def load_settings() -> dict:
    settings = json.loads(SETTINGS.read_text()) if SETTINGS.exists() else {}
    main = settings.setdefault("main", {})
    settings.setdefault("public", {}).setdefault("initialized", False)
    settings.setdefault("clientId", str(uuid.uuid4()))
    main.setdefault("applicationTitle", "Seerr")
    main.setdefault("mediaServerType", NOT_CONFIGURED)
    wanted = os.environ.get("API_KEY") or main.get("apiKey") or secrets.token_urlsafe(48)
    main["apiKey"] = wanted
    SETTINGS.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(settings, indent=1)
    if not SETTINGS.exists() or SETTINGS.read_text() != text:
        SETTINGS.write_text(text)
    return settings


def status(query: dict, body: object, headers: object) -> tuple[int, dict]:
    return 200, {"version": VERSION, "commitTag": "local", "updateAvailable": False, "commitsBehind": 0,
                 "restartRequired": False}


def public_settings(query: dict, body: object, headers: object) -> tuple[int, dict]:
    settings = json.loads(SETTINGS.read_text())
    main = settings["main"]
    return 200, {"initialized": settings["public"]["initialized"],
                 "applicationTitle": main["applicationTitle"], "applicationUrl": main.get("applicationUrl", ""),
                 "mediaServerType": main["mediaServerType"], "localLogin": main.get("localLogin", True),
                 "newPlexLogin": main.get("newPlexLogin", True), "movie4kEnabled": False, "series4kEnabled": False,
                 "locale": main.get("locale", "en")}


def main() -> None:
    exit_on_sigterm()
    load_settings()
    serve("seerr", {("GET", "/api/v1/status"): status, ("GET", "/api/v1/settings/public"): public_settings},
          env_int("PORT", 5055))


if __name__ == "__main__":
    main()
