"""Durations of the host scenario's phases, shared by the callback plugin and the testinfra conftest.

A run starts with create.yml (which resets the record) and ends with destroy.yml. After every phase the whole
record is written to build/bench/host-scenario.json in the project directory, so a failed run still leaves the
phases that ran. create.yml splits its own time into `build` (the cached VM image) and `boot` (qemu to SSH).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path


def _ephemeral() -> Path:
    return Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])


def report_path() -> Path:
    return Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", ".")) / "build" / "bench" / "host-scenario.json"


def _load() -> dict:
    path = _ephemeral() / "phases.json"
    return json.loads(path.read_text()) if path.exists() else {"phases": []}


def reset() -> None:
    (_ephemeral() / "phases.json").unlink(missing_ok=True)


def record(phase: str, seconds: float, ok: bool) -> str:
    """Add one phase, rewrite the report, and return a one-line summary of the phase."""
    data = _load()
    data["phases"].append({"phase": phase, "seconds": round(seconds, 1), "ok": ok})
    if phase == "create":
        times_file = _ephemeral() / "vm" / "create-times.json"
        if times_file.exists():
            data["create"] = json.loads(times_file.read_text())
    data["total_seconds"] = round(sum(p["seconds"] for p in data["phases"]), 1)
    data["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    (_ephemeral() / "phases.json").write_text(json.dumps(data, indent=2))
    report = report_path()
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(data, indent=2) + "\n")
    return f"host scenario: {phase} {'ok' if ok else 'FAILED'} in {seconds:.1f} s"


def summary() -> str:
    data = _load()
    lines = [f"  {p['phase']:<16} {p['seconds']:>7.1f} s  {'ok' if p['ok'] else 'FAILED'}" for p in data["phases"]]
    create = data.get("create")
    if create:
        cached = " (cached image)" if create.get("build_cached") else ""
        lines.insert(0, f"  create = build {create['build']} s{cached} + boot {create['boot']} s + setup")
    lines.append(f"  {'total':<16} {data.get('total_seconds', 0):>7.1f} s   -> {report_path()}")
    return "host scenario phases:\n" + "\n".join(lines)
