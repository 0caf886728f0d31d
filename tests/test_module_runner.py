"""The in-process module runner (tests/ansible_run.py) reports what `ansible -m` reports: the same cases run both
ways against fresh emulators give the same result (changed, failed, message, diff, request counts, the module's
own keys), a secret stays out of both, and a module that crashes is a failure, not a test error."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.ansible_run import run_module_in_process, run_module_via_ansible
from tests.arr_helpers import module_args
from tests.emulators.server import ArrEmulator

SECRET = "Runner-Secret-Pass-9"
# Keys only the controller adds or only a worker sees; everything else must agree.
CONTROLLER_ONLY = {"_output", "invocation", "_ansible_no_log", "warnings", "deprecations", "action", "exception"}
CASES: dict[str, tuple[str, Callable[[ArrEmulator], dict[str, Any]], bool]] = {
    "create": ("radarr_download_client", lambda emu: module_args(
        emu, name="qBittorrent", host="gluetun", port=8080, username="admin", password=SECRET, tags=["vpn"]), False),
    "plan": ("radarr_root_folder", lambda emu: module_args(emu, path="/definitely/missing"), True),
    "refusal": ("radarr_root_folder", lambda emu: module_args(emu, path="/definitely/missing"), False),
    "bad input": ("radarr_download_client", lambda emu: module_args(emu, name="qBittorrent", fields={"hots": 1}),
                  False),
    "wrong key": ("radarr_tag", lambda emu: dict(module_args(emu, label="vpn"), api_key="0" * 32), False),
}


def comparable(result: dict[str, Any]) -> str:
    """The result without what only one side adds, each run's own emulator port left out of its URLs."""
    shown = {k: v for k, v in result.items() if k not in CONTROLLER_ONLY}
    return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", json.dumps(shown, sort_keys=True))


@pytest.mark.parametrize("case", sorted(CASES))
def test_in_process_and_through_ansible_agree(case: str) -> None:
    module, arguments, check = CASES[case]
    results = []
    for runner in (run_module_in_process, run_module_via_ansible):
        emu = ArrEmulator("radarr")       # a fresh one each: the same state before each run
        emu.start()
        try:
            results.append(runner(module, arguments(emu), check=check))
        finally:
            emu.stop()
    in_process, via_ansible = results
    assert comparable(in_process) == comparable(via_ansible)
    for result in results:
        assert SECRET not in result["_output"] and SECRET not in comparable(result)


def test_a_module_that_crashes_is_a_failed_result(monkeypatch) -> None:
    run_module_in_process("radarr_tag", {"api_key": "k", "label": "x", "timeout": -1})   # its module_utils found
    from ansible.module_utils.mediastack import http

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(http.ApiClient, "request", boom)
    result = run_module_in_process("radarr_tag", {"url": "http://127.0.0.1:9", "api_key": "k", "label": "x"})
    assert result["failed"] and "boom" in result["_output"], result
