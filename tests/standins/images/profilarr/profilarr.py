"""Profilarr (v2, Deno/SvelteKit) stand-in: tests.emulators.profilarr.ProfilarrEmulator on HOST:PORT (0.0.0.0:6868),
like the upstream image. PROFILARR_API_KEY (at least 32 characters; a shorter one is ignored, with a log line) is
the full-access key, ORIGIN the origin the CSRF check expects (else http://<Host>). It runs as PUID:PGID (default
1000) with UMASK, and keeps its state in the volume, so a new container on it finds the last one's instances and
whether a local user exists: $APP_BASE_PATH/standin-state.json (/config), written after every change.

A fresh instance redirects every path but /auth/setup, /api/v1/health included, to the setup (303): the health
check is `curl -sf` upstream, which takes a 303 for success, and `standin.py probe-curl` here. Profilarr has no
OpenAPI document: none is needed (its list answers are checked against its API docs' schema; violations logged).
"""
from __future__ import annotations

import os
from pathlib import Path

from standin import env_int, exit_on_sigterm, log, run_as_puid

from tests.emulators.container import serve
from tests.emulators.profilarr import MIN_API_KEY_LENGTH, ProfilarrEmulator

APP = "profilarr"


def api_key() -> str | None:
    key = os.environ.get("PROFILARR_API_KEY") or None
    if key is not None and len(key) < MIN_API_KEY_LENGTH:
        log(APP, f"PROFILARR_API_KEY ignored: shorter than {MIN_API_KEY_LENGTH} characters")
        return None
    return key


def main() -> None:
    exit_on_sigterm()
    base = Path(os.environ.get("APP_BASE_PATH", "/config"))
    run_as_puid(1000, dirs=(str(base),), user="profilarr")
    emulator = ProfilarrEmulator(api_key=api_key(), origin=os.environ.get("ORIGIN") or None)
    serve(APP, emulator, env_int("PORT", 6868), os.environ.get("HOST", "0.0.0.0"), log, base / "standin-state.json")


if __name__ == "__main__":
    main()
