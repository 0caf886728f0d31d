"""Durations of the stack scenario's phases (the shared harness, ../harness.py) and the API keys seen after each
converge; shared by the callback plugin (plugins/callback/stack_phases.py) and the testinfra conftest. The report
is build/bench/stack-scenario.json; create.yml adds how long the stand-in images took and whether any had to be
built.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import harness  # noqa: E402
from harness import ephemeral  # noqa: E402,F401  (the scenario's tests and playbooks' helpers use it from here)

# Secret-holding settings that must survive every converge: (app, file under the config root, element).
API_KEY_FILES = {"radarr": "radarr/config.xml", "prowlarr": "prowlarr/config.xml"}


def config_root() -> Path:
    """mediastack_config_root of the test inventory (molecule.yml): <ephemeral>/stack/config."""
    return ephemeral() / "stack" / "config"


def _images_times() -> dict | None:
    created = ephemeral() / "stack-create.json"
    if not created.exists():
        return None
    info = json.loads(created.read_text())
    return {"images_seconds": info["build_seconds"], "built": info["built"], "images": info["images"]}


def _describe_create(create: dict) -> str:
    return f"create includes the stand-in images: {create['images_seconds']} s (built: {create['built']})"


RECORD = harness.PhaseRecord("stack", on_create=_images_times, describe_create=_describe_create)
phase_record = RECORD.phase_record
report_path = RECORD.report_path


# What drift.yml breaks, as the tasks that must set it back: the check after it shows exactly these, with Radarr's
# port and Jellyfin's key for Radarr, the containers to create again (FlareSolverr) or without the second volume
# (qBittorrent, Radarr), and the router notes. The converge changes these and one more: a plan cannot know the key
# Jellyfin will make, so Radarr's Jellyfin connection changes only in the converge.
DRIFT_TASKS = ["Create or update the container flaresolverr", "Create or update the container qbittorrent",
               "Create or update the container radarr", "Write the router and DNS notes on the controller",
               "Send downloads to qBittorrent (at Gluetun's address, category radarr)",
               "Create the apps' API keys (once)"]
REPAIR_TASKS = [*DRIFT_TASKS, "Tell Jellyfin to rescan on import, upgrade, rename and delete"]


def drift_record() -> dict | None:
    """What drift.yml changed by hand, until the repair converge has run."""
    path = ephemeral() / "stack-drift.json"
    return json.loads(path.read_text()) if path.exists() else None


def drift_repaired() -> None:
    (ephemeral() / "stack-drift.json").unlink(missing_ok=True)


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
