"""Seerr 3.1 stand-in: tests.emulators.seerr.SeerrEmulator on 0.0.0.0:$PORT (default 5055), every request checked
against the OpenAPI document mounted at $MEDIASTACK_SPECS_DIR (violations printed to the log), with real
backends: the first setup, the login and the library sync call the Jellyfin at the address the client gave, the
Radarr test call and profiles the Radarr at its hostname:port/baseUrl (tests.emulators.seerr_backends.Http).

Like Seerr it keeps <CONFIG_DIRECTORY>/settings.json (default /app/config), written after every change and read
at start (the users, Seerr's database, are kept in it under "standin"). On first start main.apiKey is generated;
env API_KEY overrides the key and is written back when it differs.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from standin import env_int, exit_on_sigterm, log

from tests.emulators.container import make_or_exit, serve
from tests.emulators.seerr import VERSION, SeerrEmulator
from tests.emulators.seerr_backends import Http

APP = "seerr"
SETTINGS = Path(os.environ.get("CONFIG_DIRECTORY", "/app/config")) / "settings.json"


class StandInSeerr(SeerrEmulator):
    """The emulator with Seerr's start-up rules for settings.json."""

    def restore(self, state: Mapping[str, Any]) -> None:
        super().restore(state)
        self.settings_extra.setdefault("clientId", str(uuid.uuid4()))
        if os.environ.get("API_KEY"):
            self.main["apiKey"] = os.environ["API_KEY"]


def main() -> None:
    exit_on_sigterm()
    emulator = make_or_exit(APP, lambda: StandInSeerr(api_key=os.environ.get("API_KEY"), backend=Http(VERSION)),
                            log)
    assert isinstance(emulator, StandInSeerr)
    emulator.settings_extra["clientId"] = str(uuid.uuid4())
    serve(APP, emulator, env_int("PORT", 5055), "0.0.0.0", log, SETTINGS)


if __name__ == "__main__":
    main()
