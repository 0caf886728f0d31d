"""Run a module the way Ansible runs it: `ansible localhost -m <module>` on this repository's ansible.cfg."""
from __future__ import annotations

import contextlib
import io
import json
import os
import runpy
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import Any, Optional

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# One module at a time: the arguments reach AnsibleModule through module globals.
_MODULE_LOCK = threading.Lock()


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


# Set to 1 to run every module through `ansible -m` (slow: an Ansible start per run).
VIA_ANSIBLE = os.environ.get("MEDIASTACK_MODULES_VIA_ANSIBLE") == "1"


def run_module(module: str, args: dict[str, Any], check: bool = False, diff: bool = True,
               env: Optional[dict[str, str]] = None, verbosity: int = 0) -> dict[str, Any]:
    """The module's result as Ansible reports it (with `failed`, `changed`, `diff`, `msg`); `_output` holds
    everything Ansible printed (at `verbosity`, e.g. 3 for -vvv).

    One of this repository's modules, without `env` or `verbosity`, runs in this process as Ansible's worker
    runs it: its file as `__main__`, its arguments with check and diff mode as the controller hands them, its
    result as it prints it. That takes milliseconds instead of an Ansible start, and the module code is the same;
    tests/test_module_runner.py runs the same cases both ways and compares the results.
    """
    if not (VIA_ANSIBLE or env or verbosity) and (REPO / "library" / f"{module}.py").is_file():
        return run_module_in_process(module, args, check=check, diff=diff)
    return run_module_via_ansible(module, args, check=check, diff=diff, env=env, verbosity=verbosity)


def run_module_in_process(module: str, args: dict[str, Any], check: bool = False,
                          diff: bool = True) -> dict[str, Any]:
    import ansible.module_utils
    from ansible.module_utils import basic

    ours = str(REPO / "module_utils")
    if ours not in ansible.module_utils.__path__:
        ansible.module_utils.__path__.append(ours)      # what ansible.cfg's module_utils path does
    arguments = dict(args, _ansible_check_mode=check, _ansible_diff=diff, _ansible_module_name=module,
                     _ansible_verbosity=0, _ansible_debug=False, _ansible_no_log=False,
                     _ansible_keep_remote_files=False, _ansible_tmpdir=None)
    printed, errors = io.StringIO(), io.StringIO()
    with _MODULE_LOCK:
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": arguments}).encode()
        basic._ANSIBLE_PROFILE = "legacy"
        try:
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(errors):
                runpy.run_path(str(REPO / "library" / f"{module}.py"), run_name="__main__")
        except SystemExit:
            pass
        except Exception:                   # an unhandled error: what Ansible reports as MODULE FAILURE
            return {"failed": True, "msg": "MODULE FAILURE", "module_stderr": traceback.format_exc(),
                    "_output": printed.getvalue() + errors.getvalue() + traceback.format_exc()}
        finally:
            basic._ANSIBLE_ARGS = basic._ANSIBLE_PROFILE = None
    output = printed.getvalue()
    try:
        result = json.loads(output[output.rindex("\n{") + 1:] if "\n{" in output else output)
    except ValueError as exc:
        raise AssertionError("no module result: %s\nstdout: %s\nstderr: %s"
                             % (exc, output[-3000:], errors.getvalue()[-3000:])) from exc
    result.setdefault("failed", False)
    result.setdefault("changed", False)
    result["_output"] = output + errors.getvalue()
    return result


def run_module_via_ansible(module: str, args: dict[str, Any], check: bool = False, diff: bool = True,
                           env: Optional[dict[str, str]] = None, verbosity: int = 0) -> dict[str, Any]:
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
