"""radarr_tag against the Radarr emulator (and the engine's connection behaviour: wait, API key)."""
from __future__ import annotations

import time

from tests.ansible_run import run_module
from tests.arr_helpers import api, module_args, run, stored

MODULE = "radarr_tag"
LIST = "GET /api/v3/tag"


def test_create_check_then_apply_then_repeat_only_reads(radarr_emulator) -> None:
    emu = radarr_emulator
    check = run(MODULE, emu, check=True, label="family")
    assert check["changed"] and check["diff"] == {"before": {}, "after": {"label": "family"}}
    assert emu.writes == [] and stored(emu, "tag") == []
    first = run(MODULE, emu, label="family")
    assert first["changed"] and first["diff"] == check["diff"]
    assert first["api_requests"] == {LIST: 1, "POST /api/v3/tag": 1}
    assert [t["label"] for t in stored(emu, "tag")] == ["family"] and first["id"] == stored(emu, "tag")[0]["id"]
    emu.reset_log()
    again = run(MODULE, emu, label="Family")
    assert not again["changed"] and again["api_requests"] == {LIST: 1} and emu.writes == []


def test_absent_removes_and_then_is_a_no_op(radarr_emulator) -> None:
    emu = radarr_emulator
    api(emu, "POST", "/tag", {"label": "old"})
    emu.reset_log()
    check = run(MODULE, emu, check=True, label="old", state="absent")
    assert check["changed"] and emu.writes == [] and len(stored(emu, "tag")) == 1
    result = run(MODULE, emu, label="OLD", state="absent")
    assert result["changed"] and result["diff"] == {"before": {"label": "old"}, "after": {}}
    assert stored(emu, "tag") == []
    assert not run(MODULE, emu, label="old", state="absent")["changed"]


def test_invalid_label_fails_before_any_request(radarr_emulator) -> None:
    emu = radarr_emulator
    result = run(MODULE, emu, label="two words")
    assert result["failed"] and result["msg"].startswith("Radarr at %s: tag 'two words': not a valid label" % emu.url)
    assert emu.requests == []


def test_wrong_api_key_fails_clearly(radarr_emulator) -> None:
    emu = radarr_emulator
    result = run_module(MODULE, dict(module_args(emu, label="family"), api_key="0" * 32))
    assert result["failed"] and result["status"] == 401
    assert "Radarr: GET %s/api/v3/tag answered HTTP 401: the API key was refused" % emu.url in result["msg"]
    assert stored(emu, "tag") == []


def test_api_key_and_url_from_the_environment(radarr_emulator) -> None:
    emu = radarr_emulator
    result = run_module(MODULE, {"label": "env"}, env={"RADARR_URL": emu.url, "RADARR_API_KEY": emu.api_key})
    assert result["changed"] and [t["label"] for t in stored(emu, "tag")] == ["env"]
    assert emu.api_key not in result["_output"]


def test_waits_for_a_slow_start_within_wait_timeout(radarr_emulator) -> None:
    emu = radarr_emulator
    emu.slow_start(2)
    started = time.monotonic()
    result = run_module(MODULE, dict(module_args(emu, label="patient"), wait_timeout=15))
    assert result["changed"] and not result["failed"], result.get("msg")
    assert time.monotonic() - started >= 1.5
    assert [t["label"] for t in stored(emu, "tag")] == ["patient"]


def test_gives_up_past_wait_timeout(radarr_emulator) -> None:
    emu = radarr_emulator
    emu.slow_start(5, mode="503")
    result = run_module(MODULE, dict(module_args(emu, label="impatient"), wait_timeout=1))
    assert result["failed"]
    assert "Radarr: GET %s/api/v3/tag failed: not ready within wait_timeout=1.0s" % emu.url in result["msg"]
