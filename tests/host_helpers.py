"""Run the host roles (or one of their tasks files) on localhost through tests/playbooks/host_role.yml."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Optional

from tests.ansible_run import BIN, run_playbook

# Numbers no account on a test machine uses, so ownership proves the role set it.
TEST_UID = 64123
TEST_GID = 64124


def role_run(role: str, tasks: str = "main", check: bool = False, env: Optional[dict[str, str]] = None,
             **role_vars: Any) -> dict[str, Any]:
    """The play recap, plus `failed_msgs`: the message of every failed task (or loop item)."""
    stats = run_playbook("tests/playbooks/host_role.yml", {"host_role": role, "host_tasks": tasks, **role_vars},
                         check=check, env=env)
    stats["failed_msgs"] = failed_messages(stats["_output"])
    return stats


def playbook_run(playbook: str, check: bool = False, env: Optional[dict[str, str]] = None,
                 **extra_vars: Any) -> dict[str, Any]:
    stats = run_playbook(playbook, extra_vars, check=check, env=env)
    stats["failed_msgs"] = failed_messages(stats["_output"])
    stats["task_names"] = task_names(stats["_output"])
    return stats


def report(output: str) -> dict[str, Any]:
    decoded, _end = json.JSONDecoder().raw_decode(output)
    return decoded


def failed_messages(output: str | dict, host: str = "localhost") -> list[str]:
    """The messages of the host's failed tasks; `output` is ansible-playbook's JSON output or its decoded report."""
    messages = []
    for play in (output if isinstance(output, dict) else report(output))["plays"]:
        for task in play["tasks"]:
            result = task["hosts"].get(host, {})
            items = result.get("results") or [result]
            messages += [str(item.get("msg")) for item in items if isinstance(item, dict) and item.get("failed")]
    return messages


def task_names(output: str) -> list[str]:
    return [task["task"]["name"] for play in report(output)["plays"] for task in play["tasks"]]


def fake_lvm_env(tmp_path: Path, lvs_line: Optional[str]) -> dict[str, str]:
    """A PATH whose `lvs` prints `lvs_line` (size;vg size;extent size in bytes) or says the LV does not exist."""
    bindir = tmp_path / "fakebin"
    bindir.mkdir(exist_ok=True)
    lvs = bindir / "lvs"
    if lvs_line is None:
        lvs.write_text("#!/bin/sh\necho '  Failed to find logical volume' >&2\nexit 5\n")
    else:
        lvs.write_text("#!/bin/sh\necho '  %s'\n" % lvs_line)
    lvs.chmod(0o755)
    return {"PATH": os.pathsep.join([str(bindir), str(BIN), os.environ.get("PATH", "")])}


def disk_image(path: Path, fstype: Optional[str] = None) -> Path:
    """A 16 MiB file standing in for a disk: blank, or with a file system (blkid probes files like devices)."""
    with path.open("wb") as handle:
        handle.truncate(16 * 1024 * 1024)
    if fstype:
        subprocess.run(["mkfs.%s" % fstype, "-q", "-F", str(path)], check=True)
    return path


def blkid_type(path: Path) -> str:
    proc = subprocess.run(["blkid", "-p", "-o", "value", "-s", "TYPE", str(path)], capture_output=True, text=True)
    return proc.stdout.strip()
