"""prowlarr_tag against the Prowlarr emulator (and the engine's bounded wait for a Prowlarr still starting)."""
from __future__ import annotations

import time

from tests.ansible_run import run_module
from tests.arr_helpers import api, module_args, run, seed, stored

MODULE = "prowlarr_tag"
LIST = "GET /api/v1/tag"
V1 = "/api/v1"


def test_create_check_then_apply_then_repeat_only_reads(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    check = run(MODULE, emu, check=True, label="flaresolverr")
    assert check["changed"] and check["diff"] == {"before": {}, "after": {"label": "flaresolverr"}}
    assert check["id"] is None and emu.writes == [] and stored(emu, "tag") == []
    first = run(MODULE, emu, label="flaresolverr")
    assert first["changed"] and first["diff"] == check["diff"]
    assert first["api_requests"] == {LIST: 1, "POST /api/v1/tag": 1}
    assert [t["label"] for t in stored(emu, "tag")] == ["flaresolverr"]
    assert first["id"] == stored(emu, "tag")[0]["id"]
    emu.reset_log()
    again = run(MODULE, emu, label="FlareSolverr")
    assert not again["changed"] and again["api_requests"] == {LIST: 1} and emu.writes == []
    assert again["id"] == first["id"]


def test_absent_removes_and_then_is_a_no_op(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    api(emu, "POST", "/tag", {"label": "old"}, api_prefix=V1)
    emu.reset_log()
    check = run(MODULE, emu, check=True, label="old", state="absent")
    assert check["changed"] and emu.writes == [] and len(stored(emu, "tag")) == 1
    result = run(MODULE, emu, label="OLD", state="absent")
    assert result["changed"] and result["diff"] == {"before": {"label": "old"}, "after": {}}
    assert stored(emu, "tag") == []
    emu.reset_log()
    again = run(MODULE, emu, label="old", state="absent")
    assert not again["changed"] and again["api_requests"] == {LIST: 1} and emu.writes == []


def test_invalid_label_fails_before_any_request(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    result = run(MODULE, emu, label="flare solverr")
    assert result["failed"]
    assert result["msg"].startswith("Prowlarr at %s: tag 'flare solverr': not a valid label" % emu.url)
    assert emu.requests == []


def test_tag_in_use_is_refused_with_prowlarrs_message(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    tag = api(emu, "POST", "/tag", {"label": "flaresolverr"}, api_prefix=V1)
    seed(emu, "indexerproxy", "FlareSolverr", "FlareSolverr", api_prefix=V1, tags=[tag["id"]])
    result = run(MODULE, emu, label="flaresolverr", state="absent")
    assert result["failed"] and result["status"] == 409
    assert "Prowlarr: DELETE %s/api/v1/tag/%s answered HTTP 409" % (emu.url, tag["id"]) in result["msg"]
    assert "Tag %s is in use" % tag["id"] in result["msg"]
    assert [t["label"] for t in stored(emu, "tag")] == ["flaresolverr"]


def test_waits_for_a_slow_start_and_gives_up_past_wait_timeout(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    emu.slow_start(2)
    started = time.monotonic()
    result = run_module(MODULE, dict(module_args(emu, label="patient"), wait_timeout=15))
    assert result["changed"] and not result["failed"], result.get("msg")
    assert time.monotonic() - started >= 1.5, "the emulator refused for 2 s, so the module must have waited"
    assert [t["label"] for t in stored(emu, "tag")] == ["patient"]

    emu.slow_start(5, mode="503")
    result = run_module(MODULE, dict(module_args(emu, label="impatient"), wait_timeout=1))
    assert result["failed"]
    assert "Prowlarr: GET %s/api/v1/tag failed: not ready within wait_timeout=1.0s" % emu.url in result["msg"]
    assert [t["label"] for t in stored(emu, "tag")] == ["patient"]
