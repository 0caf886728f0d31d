"""An emulator as the main process of a stand-in container: started on the app's port, its state kept in the
container's volume, every request it answered and every OpenAPI violation printed to the container log (the tests
read `docker logs`: what a run asked of each app, and whether it wrote)."""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.emulators.server import WRITE_METHODS, Emulator
from tests.emulators.spec import SPECS_ENV, SpecMissing


def make_or_exit(app: str, make: Callable[[], Emulator], log: Callable[[str, str], None]) -> Emulator:
    """The emulator, or exit 2 with the reason when its OpenAPI document is not mounted."""
    try:
        return make()
    except SpecMissing as exc:
        log(app, f"FATAL: {exc} (mount the OpenAPI documents read-only at {os.environ.get(SPECS_ENV)})")
        sys.exit(2)


def serve(app: str, emulator: Emulator, port: int, host: str, log: Callable[[str, str], None],
          state: Path | None = None) -> None:
    """Load and keep the state in `state` (None: in memory), listen, and report violations until stopped."""
    if state is not None:
        emulator.persist(state)
    emulator.start(port=port, host=host)
    log(app, f"listening on {host}:{port}" + (f", state in {state}" if state else ""))
    reported = answered = 0
    while True:
        time.sleep(1)
        for request in emulator.requests[answered:]:
            log(app, request_line(emulator, request))
        answered = len(emulator.requests)
        for violation in emulator.violations[reported:]:
            log(app, f"OpenAPI violation: {violation}")
        reported = len(emulator.violations)


REQUEST_PREFIX = "request "


def request_line(emulator: Emulator, request) -> str:
    """`request <METHOD> <path> <status> read|write`: write when it may change the app's state (not a login, not
    a connection test)."""
    writes = request.method in WRITE_METHODS and emulator.writes_state(request.path)
    return f"{REQUEST_PREFIX}{request.method} {request.path} {request.status} {'write' if writes else 'read'}"


def requests_in_log(log: str) -> list[tuple[str, str, int, bool]]:
    """(method, path, status, writes) of every request line of a container log (`docker logs`)."""
    found = []
    for line in log.splitlines():
        _, marker, rest = line.partition(REQUEST_PREFIX)
        if marker and len(rest.split()) == 4:
            method, path, status, kind = rest.split()
            found.append((method, path, int(status), kind == "write"))
    return found
