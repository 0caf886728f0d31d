"""Profilarr (v2, Deno/SvelteKit) stand-in. Like the upstream image it listens on HOST:PORT (0.0.0.0:6868),
keeps its state under APP_BASE_PATH (/config) and runs as PUID:PGID (default 1000) with UMASK.
Answers only GET /api/v1/health -> {"status": "healthy", "timestamp": ISO-8601} (the upstream health check).
"""
from __future__ import annotations

import os
from datetime import UTC, datetime

from standin import env_int, exit_on_sigterm, run_as_puid, serve


def health(query: dict, body: object, headers: object) -> tuple[int, dict]:
    return 200, {"status": "healthy", "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds")}


def main() -> None:
    exit_on_sigterm()
    run_as_puid(1000, dirs=(os.environ.get("APP_BASE_PATH", "/config"),), user="profilarr")
    serve("profilarr", {("GET", "/api/v1/health"): health}, env_int("PORT", 6868),
          os.environ.get("HOST", "0.0.0.0"))


if __name__ == "__main__":
    main()
