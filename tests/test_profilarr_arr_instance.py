"""profilarr_arr_instance against the Profilarr emulator: Radarr linked through the web UI's form actions (the JSON
API only lists), found by name in the list, the whole form on an update, the arr's key sent only when the ledger
says it changed, SvelteKit's origin check and its JSON answers."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.ansible_run import run_module
from tests.arr_helpers import visible

MODULE = "profilarr_arr_instance"
LIST = "GET /api/v1/arr"
NEW = "POST /arr/new"
RADARR_KEY = "feedfacefeedfacefeedfacefeedface"
ARGS = dict(name="Radarr", arr_url="http://172.20.0.13:7878/", arr_api_key=RADARR_KEY)


@pytest.fixture
def emu(profilarr_emulator):
    return profilarr_emulator


def run(emu, check: bool = False, verbosity: int = 0, **options: Any) -> dict[str, Any]:
    args = dict(dict(url=emu.url, api_key=emu.api_key, wait_timeout=5), **options)
    return run_module(MODULE, args, check=check, verbosity=verbosity)


def paths(emu) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in emu.requests]


def secrets(emu) -> list[str]:
    return [emu.api_key, RADARR_KEY, "1" * 32, *(i["api_key"] for i in emu.instances)]


def test_create_check_then_apply_then_repeat_only_reads(emu, tmp_path: Path) -> None:
    ledger = str(tmp_path / "sent.json")
    check = run(emu, check=True, secrets_ledger=ledger, **ARGS)
    assert check["changed"] and check["id"] is None and emu.writes == [] and emu.instances == []
    assert check["api_requests"] == {LIST: 1}
    assert check["diff"] == {"before": {}, "after": {"name": "Radarr", "type": "radarr",
                                                     "url": "http://172.20.0.13:7878", "api_key": "********"}}
    assert not Path(ledger).exists(), "check mode writes nothing, not even the ledger"

    first = run(emu, secrets_ledger=ledger, **ARGS)
    assert first["changed"] and first["id"] == 1 and first["diff"] == check["diff"]
    assert first["changed_keys"] == ["name", "type", "url", "api_key"]
    assert first["api_requests"] == {LIST: 2, NEW: 1}, "the list again for the new id"
    (instance,) = emu.instances
    assert {k: instance[k] for k in ("id", "name", "type", "url", "api_key", "enabled")} == dict(
        id=1, name="Radarr", type="radarr", url="http://172.20.0.13:7878", api_key=RADARR_KEY, enabled=1)
    assert emu.delay_profiles_applied == ["Radarr"], "Profilarr sets the new Radarr's default delay profile"
    assert Path(ledger).stat().st_mode & 0o777 == 0o600 and RADARR_KEY not in Path(ledger).read_text()

    emu.reset_log()
    again = run(emu, secrets_ledger=ledger, **ARGS)
    assert not again["changed"] and again["id"] == 1 and again["changed_keys"] == []
    assert paths(emu) == [("GET", "/api/v1/arr")] and emu.writes == []
    renamed = run(emu, secrets_ledger=ledger, **dict(ARGS, name="RADARR"))
    assert renamed["changed_keys"] == ["name"] and [i["name"] for i in emu.instances] == ["RADARR"], "found by name"
    for result in (check, first, again, renamed):
        assert not [s for s in secrets(emu) if s in visible(result)]


def test_a_change_posts_the_whole_form_and_keeps_what_was_not_declared(emu) -> None:
    emu.add_instance("Radarr", "radarr", "http://radarr:7878", RADARR_KEY, tags=["movies"],
                     library_refresh_interval=30)
    emu.reset_log()
    args = dict(name="Radarr", arr_url="http://172.20.0.13:7878", tags=["hd", "movies"])
    check = run(emu, check=True, **args)
    assert check["changed"] and emu.writes == [] and emu.instances[0]["url"] == "http://radarr:7878"
    assert check["diff"] == {
        "before": {"name": "Radarr", "type": "radarr", "url": "http://radarr:7878", "tags": ["movies"]},
        "after": {"name": "Radarr", "type": "radarr", "url": "http://172.20.0.13:7878", "tags": ["hd", "movies"]}}
    result = run(emu, **args)
    assert result["changed"] and result["changed_keys"] == ["url", "tags"] and result["diff"] == check["diff"]
    assert result["api_requests"] == {LIST: 1, "POST /arr/1/settings": 1}
    assert emu.requests[-1].query == {"/update": ""}
    (instance,) = emu.instances
    assert instance["url"] == "http://172.20.0.13:7878" and instance["tags"] == ["hd", "movies"]
    assert instance["api_key"] == RADARR_KEY, "a blank key keeps Profilarr's"
    assert instance["enabled"] == 1 and instance["library_refresh_interval"] == 30, "undeclared values kept"
    assert not run(emu, tags=["movies", "hd"], **{k: v for k, v in args.items() if k != "tags"})["changed"]

    disabled = run(emu, name="Radarr", enabled=False, library_refresh_interval=0)
    assert disabled["changed_keys"] == ["enabled", "library_refresh_interval"]
    assert emu.instances[0]["enabled"] == 0 and emu.instances[0]["library_refresh_interval"] == 0


def test_a_created_instance_gets_its_declared_interval_and_state_by_an_update(emu) -> None:
    result = run(emu, enabled=False, library_refresh_interval=60, **ARGS)
    assert result["changed"] and result["api_requests"] == {LIST: 2, NEW: 1, "POST /arr/1/settings": 1}
    (instance,) = emu.instances
    assert instance["enabled"] == 0 and instance["library_refresh_interval"] == 60
    assert instance["api_key"] == RADARR_KEY
    assert not run(emu, enabled=False, library_refresh_interval=60, **ARGS)["changed"]


def test_a_rotated_radarr_key_reaches_profilarr_through_the_ledger(emu, tmp_path: Path) -> None:
    ledger = str(tmp_path / "sent.json")
    run(emu, secrets_ledger=ledger, **ARGS)
    same = run(emu, secrets_ledger=ledger, **ARGS)
    assert not same["changed"]
    rotated = run(emu, secrets_ledger=ledger, **dict(ARGS, arr_api_key="1" * 32))
    assert rotated["changed"] and rotated["changed_keys"] == ["api_key"] and emu.instances[0]["api_key"] == "1" * 32
    assert rotated["diff"]["before"]["api_key"] == rotated["diff"]["after"]["api_key"] == "********"
    assert not run(emu, secrets_ledger=ledger, **dict(ARGS, arr_api_key="1" * 32))["changed"]
    without = run(emu, **dict(ARGS, arr_api_key=RADARR_KEY))
    assert not without["changed"], "without a ledger the key is sent on create only"
    always = run(emu, update_secrets="always", **ARGS)
    assert always["changed"] and always["changed_keys"] == ["api_key"] and emu.instances[0]["api_key"] == RADARR_KEY
    for result in (rotated, always):
        assert not [s for s in secrets(emu) if s in visible(result)]


def test_absent_removes_only_that_instance(emu, tmp_path: Path) -> None:
    ledger = tmp_path / "sent.json"
    run(emu, secrets_ledger=str(ledger), **ARGS)
    emu.add_instance("Sonarr", "sonarr", "http://sonarr:8989", "2" * 32)
    emu.reset_log()
    check = run(emu, check=True, name="RADARR", state="absent")
    assert check["changed"] and len(emu.instances) == 2 and emu.writes == []
    gone = run(emu, name="RADARR", state="absent", secrets_ledger=str(ledger))
    assert gone["changed"] and gone["id"] is None and [i["name"] for i in emu.instances] == ["Sonarr"]
    assert gone["api_requests"] == {LIST: 1, "POST /arr/1/settings": 1}
    assert emu.requests[-1].query == {"/delete": ""}
    assert gone["diff"] == {"before": {"name": "Radarr", "url": "http://172.20.0.13:7878"}, "after": {}}
    assert json.loads(ledger.read_text())["sent"] == {}, "its ledger entry went with it"
    assert not run(emu, name="radarr", state="absent")["changed"]


def test_bad_input_names_app_url_and_field(emu) -> None:
    missing = run(emu, name="Radarr", arr_url="http://radarr:7878")
    assert missing["failed"] and missing["msg"] == (
        "Profilarr at %s: arr instance 'Radarr': arr_api_key is required to create it; nothing was changed" % emu.url)
    interval = run(emu, library_refresh_interval=-5, **ARGS)
    assert interval["failed"] and "library_refresh_interval must be 0 (by hand) or more" in interval["msg"]
    emu.add_instance("Movies", "radarr", "http://172.20.0.13:7878", RADARR_KEY)
    twice = run(emu, **ARGS)
    assert twice["failed"] and twice["msg"] == (
        "Profilarr at %s: arr instance 'Radarr': Profilarr already links the radarr at http://172.20.0.13:7878 as "
        "'Movies', and refuses a second instance of one URL; declare that name, or remove it first; nothing was "
        "changed" % emu.url)
    kind = run(emu, name="Movies", type="sonarr")
    assert kind["failed"] and "it is a radarr instance and Profilarr never changes an instance's type" in kind["msg"]
    no_key = run(emu, api_key=None, **ARGS)
    assert no_key["failed"] and no_key["msg"].startswith("Profilarr at %s: api_key is required" % emu.url)
    origin = run(emu, origin="https://profilarr.example.org/app", **ARGS)
    assert origin["failed"] and "origin must be scheme://host[:port]" in origin["msg"]
    assert len(emu.instances) == 1 and emu.writes == []
    for result in (missing, interval, twice, kind):
        assert RADARR_KEY not in visible(result)


def test_profilarrs_own_refusals_are_said_plainly(emu) -> None:
    refused = run(emu, api_key="0" * 40, **ARGS)
    assert refused["failed"] and refused["status"] == 303 and refused["msg"] == (
        "Profilarr: GET %s/api/v1/arr answered HTTP 303: the API key was refused (redirected to /auth/setup) "
        "(api_key must be Profilarr's PROFILARR_API_KEY)" % emu.url), "before the setup, everything redirects"
    emu.create_admin()
    after_setup = run(emu, api_key="0" * 40, **ARGS)
    assert after_setup["failed"] and after_setup["status"] == 401 and "the API key was refused" in after_setup["msg"]
    # Behind a proxy Profilarr has ORIGIN, and a form post from its own address is cross-site.
    emu.origin = "https://profilarr.example.org"
    cross = run(emu, **ARGS)
    assert cross["failed"] and cross["status"] == 403
    assert "refused as cross-site: its Origin %s" % emu.url in cross["msg"]
    assert emu.instances == []
    linked = run(emu, origin="https://profilarr.example.org", **ARGS)
    assert linked["changed"] and len(emu.instances) == 1
    # A failure of the form action (here: Profilarr knows the API key already) comes back in its own words.
    emu.fail_next("POST", "^/arr/new$", 200, {"type": "failure", "status": 400,
                                              "data": '[{"error":1},"An instance with this name already exists"]'})
    failed = run(emu, origin="https://profilarr.example.org", **dict(ARGS, name="Radarr 4K", arr_url="http://x:1"))
    assert failed["failed"] and failed["status"] == 400 and failed["msg"] == (
        "Profilarr: POST %s/arr/new answered HTTP 400: An instance with this name already exists" % emu.url)
    emu.fail_next("POST", "^/arr/new$", 200, {"something": "else"})
    changed = run(emu, origin="https://profilarr.example.org", **dict(ARGS, name="Radarr 4K", arr_url="http://x:1"))
    assert changed["failed"] and "this Profilarr version may have changed its form endpoint /arr/new" in changed["msg"]


def test_secrets_never_show_even_with_vvv(emu, tmp_path: Path) -> None:
    ledger = str(tmp_path / "sent.json")
    first = run(emu, verbosity=3, secrets_ledger=ledger, **ARGS)
    again = run(emu, verbosity=3, secrets_ledger=ledger, **dict(ARGS, arr_api_key="1" * 32))
    assert first["changed"] and again["changed"] and "ESTABLISH LOCAL CONNECTION" in again["_output"]
    for result in (first, again):
        assert not [s for s in secrets(emu) if s in visible(result)]


def test_slow_start_within_and_past_wait_timeout(emu) -> None:
    emu.slow_start(1.5)
    within = run(emu, wait_timeout=20, **ARGS)
    assert within["changed"] and not within.get("failed") and len(emu.instances) == 1
    emu.slow_start(30, mode="503")
    past = run(emu, wait_timeout=1, **dict(ARGS, name="Radarr 4K", arr_url="http://x:1"))
    assert past["failed"] and "not ready within wait_timeout=1.0s" in past["msg"] and "/api/v1/arr" in past["msg"]
