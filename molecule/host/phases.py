"""Durations of the host scenario's phases (the shared harness, ../harness.py), for the callback plugin and the
testinfra conftest: build/bench/host-scenario.json. create.yml splits its own time into `build` (the cached VM
image) and `boot` (qemu to SSH).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import harness  # noqa: E402


def _create_times() -> dict | None:
    times_file = harness.ephemeral() / "vm" / "create-times.json"
    return json.loads(times_file.read_text()) if times_file.exists() else None


def _describe_create(create: dict) -> str:
    cached = " (cached image)" if create.get("build_cached") else ""
    return f"create = build {create['build']} s{cached} + boot {create['boot']} s + setup"


RECORD = harness.PhaseRecord("host", on_create=_create_times, describe_create=_describe_create)
report_path = RECORD.report_path
