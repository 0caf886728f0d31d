"""Durations of the stack scenario's phases, and the API keys seen after each converge; shared by the
callback plugin (plugins/callback/stack_phases.py) and the testinfra conftest.

A run starts with create.yml (which resets the record) and ends with destroy.yml. After every phase the whole
record is written to build/bench/stack-scenario.json in the project directory, so a failed run still leaves
the phases that ran. create.yml adds how long the stand-in images took and whether any had to be built.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

# Secret-holding settings that must survive every converge: (app, file under the config root, element).
API_KEY_FILES = {"radarr": "radarr/config.xml", "prowlarr": "prowlarr/config.xml"}


def ephemeral() -> Path:
    return Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])


def config_root() -> Path:
    """mediastack_config_root of the test inventory (molecule.yml): <ephemeral>/stack/config."""
    return ephemeral() / "stack" / "config"


def report_path() -> Path:
    return Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", ".")) / "build" / "bench" / "stack-scenario.json"


def _load() -> dict:
    path = ephemeral() / "phases.json"
    return json.loads(path.read_text()) if path.exists() else {"phases": []}


def reset() -> None:
    (ephemeral() / "phases.json").unlink(missing_ok=True)


def record(phase: str, seconds: float, ok: bool, changed: int | None = None,
           changed_tasks: list[str] | None = None, diff_tasks: list[str] | None = None) -> str:
    """Add one phase (for a playbook with its changed count, the tasks that changed and those of them that showed a
    diff), rewrite the report, and return a one-line summary."""
    data = _load()
    entry: dict = {"phase": phase, "seconds": round(seconds, 1), "ok": ok}
    if changed is not None:
        entry["changed"] = changed
    if changed_tasks is not None:
        entry["changed_tasks"] = changed_tasks
    if diff_tasks is not None:
        entry["diff_tasks"] = diff_tasks
    data["phases"].append(entry)
    if phase == "create":
        created = ephemeral() / "stack-create.json"
        if created.exists():
            info = json.loads(created.read_text())
            data["create"] = {"images_seconds": info["build_seconds"], "built": info["built"],
                              "images": info["images"]}
    data["total_seconds"] = round(sum(p["seconds"] for p in data["phases"]), 1)
    data["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    (ephemeral() / "phases.json").write_text(json.dumps(data, indent=2))
    report = report_path()
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(data, indent=2) + "\n")
    counted = "" if changed is None else f", changed={changed}"
    return f"stack scenario: {phase} {'ok' if ok else 'FAILED'} in {seconds:.1f} s{counted}"


def drift_record() -> dict | None:
    """What drift.yml changed by hand, until the repair converge has run."""
    path = ephemeral() / "stack-drift.json"
    return json.loads(path.read_text()) if path.exists() else None


def drift_repaired() -> None:
    (ephemeral() / "stack-drift.json").unlink(missing_ok=True)


def phase_record(phase: str) -> dict:
    """The last record of `phase` in this run (for the verify)."""
    found = [p for p in _load()["phases"] if p["phase"] == phase]
    return found[-1] if found else {}


def summary() -> str:
    data = _load()
    lines = [f"  {p['phase']:<16} {p['seconds']:>7.1f} s  {'ok' if p['ok'] else 'FAILED'}" for p in data["phases"]]
    create = data.get("create")
    if create:
        lines.insert(0, f"  create includes the stand-in images: {create['images_seconds']} s "
                        f"(built: {create['built']})")
    lines.append(f"  {'total':<16} {data.get('total_seconds', 0):>7.1f} s   -> {report_path()}")
    return "stack scenario phases:\n" + "\n".join(lines)


# -- API keys ------------------------------------------------------------------------------------------------------

def read_api_keys() -> dict[str, str | None]:
    """{app: <ApiKey> of its config.xml, or None when the file or the element is missing}."""
    keys: dict[str, str | None] = {}
    for app, relative in API_KEY_FILES.items():
        path = config_root() / relative
        found = re.search(r"<ApiKey>\s*([^<\s]*)\s*</ApiKey>", path.read_text()) if path.is_file() else None
        keys[app] = found.group(1) if found else None
    return keys


def api_keys_file() -> Path:
    return ephemeral() / "stack-api-keys.json"


def snapshot_api_keys(phase: str) -> None:
    """Keep the keys as they are after `phase` (the first converge, the idempotence run, the recreate)."""
    path = api_keys_file()
    data = json.loads(path.read_text()) if path.exists() else {}
    data[phase] = read_api_keys()
    path.write_text(json.dumps(data, indent=2))
    path.chmod(0o600)


def api_key_snapshots() -> dict[str, dict[str, str | None]]:
    path = api_keys_file()
    return json.loads(path.read_text()) if path.exists() else {}
