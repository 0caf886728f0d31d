"""Run a module the way Ansible runs it: `ansible localhost -m <module>` on this repository's ansible.cfg."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def ansible_env(extra: Optional[dict[str, str]] = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
        ANSIBLE_STDOUT_CALLBACK="json",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCAL_TEMP=str(Path(os.environ.get("TMPDIR", "/tmp")) / "mediastack-ansible-local"),
        PATH=str(BIN) + os.pathsep + env.get("PATH", ""),
    )
    env.update(extra or {})
    return env


def run_module(module: str, args: dict[str, Any], check: bool = False, diff: bool = True,
               env: Optional[dict[str, str]] = None, verbosity: int = 0) -> dict[str, Any]:
    """The module's result as Ansible reports it (with `failed`, `changed`, `diff`, `msg`); `_output` holds
    everything Ansible printed (at `verbosity`, e.g. 3 for -vvv)."""
    cmd = [str(BIN / "ansible"), "localhost", "-m", module, "-a", json.dumps(args)]
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    proc = subprocess.run(cmd, cwd=REPO, env=ansible_env(env), capture_output=True, text=True, timeout=300)
    try:
        # Verbose lines come first; the json callback's report is the rest.
        report = json.loads(proc.stdout[proc.stdout.find("\n{") + 1 if verbosity else 0:])
        result = report["plays"][0]["tasks"][0]["hosts"]["localhost"]
    except (ValueError, KeyError, IndexError) as exc:
        raise AssertionError("no module result (rc=%s): %s\nstdout: %s\nstderr: %s"
                             % (proc.returncode, exc, proc.stdout[-3000:], proc.stderr[-3000:])) from exc
    result.setdefault("failed", False)
    result["_output"] = proc.stdout + proc.stderr
    return result


def run_playbook(playbook: str, extra_vars: dict[str, Any], check: bool = False,
                 env: Optional[dict[str, str]] = None) -> dict[str, Any]:
    """The play recap of `ansible-playbook` for localhost: {"ok": n, "changed": n, "failures": n, ...}."""
    cmd = [str(BIN / "ansible-playbook"), playbook, "-e", json.dumps(extra_vars)] + (["--check"] if check else [])
    proc = subprocess.run(cmd, cwd=REPO, env=ansible_env(env), capture_output=True, text=True, timeout=600)
    try:
        stats = json.loads(proc.stdout)["stats"]["localhost"]
    except (ValueError, KeyError) as exc:
        raise AssertionError("no play recap (rc=%s): %s\n%s" % (proc.returncode, proc.stdout[-3000:],
                                                                proc.stderr[-3000:])) from exc
    stats["_output"] = proc.stdout + proc.stderr
    return stats
