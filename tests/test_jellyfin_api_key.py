"""jellyfin_api_key against the Jellyfin emulator: one key per app name, created once, read back, revoked."""
from __future__ import annotations

import json

import pytest

from tests.ansible_run import run_playbook
from tests.arr_helpers import visible
from tests.jellyfin_helpers import LOGIN, PASSWORD, module_args, ready, run

MODULE = "jellyfin_api_key"
LIST = "GET /Auth/Keys"


@pytest.fixture
def emu(jellyfin_emulator):
    return ready(jellyfin_emulator)


def test_create_check_then_apply_then_repeat_only_reads(emu) -> None:
    check = run(MODULE, emu, check=True, name="Radarr")
    assert check["changed"] and check["key"] is None and emu.writes == [] and emu.keys == []
    assert check["diff"] == {"before": {}, "after": {"name": "Radarr", "keys": 1}}
    assert check["api_requests"] == {LOGIN: 1, LIST: 1}

    first = run(MODULE, emu, name="Radarr")
    assert first["changed"] and first["diff"] == check["diff"]
    assert first["api_requests"] == {LOGIN: 1, LIST: 2, "POST /Auth/Keys": 1}
    assert [k["AppName"] for k in emu.keys] == ["Radarr"] and first["key"] == emu.keys[0]["AccessToken"]

    emu.reset_log()
    again = run(MODULE, emu, name="radarr")
    assert not again["changed"] and again["key"] == first["key"] and len(emu.keys) == 1
    assert again["api_requests"] == {LOGIN: 1, LIST: 1}
    assert [(r.method, r.path) for r in emu.requests] == [("POST", "/Users/AuthenticateByName"), ("GET", "/Auth/Keys")]
    for result in (check, first, again):
        assert PASSWORD not in visible(result)
        assert first["key"] not in str(result["diff"]) and "msg" not in result


def test_the_mediabrowser_header_names_the_client_and_carries_the_token_after_login(emu) -> None:
    run(MODULE, emu, name="Radarr", device_id="ansible on host/1")
    (login_path, login, login_accept), *after = emu.clients
    client = {"Client": "mediastack", "Device": "ansible", "DeviceId": "ansible on host/1", "Version": "0.1.0"}
    assert login_path == "/Users/AuthenticateByName" and login == client and login_accept == "application/json"
    token = next(iter(emu.sessions))
    assert after and all(fields == dict(client, Token=token) and accept == "application/json"
                         for _, fields, accept in after)


def test_the_oldest_of_several_keys_is_returned_and_others_are_left_alone(emu) -> None:
    seerr = emu.add_key("Seerr")
    oldest = emu.add_key("Radarr")
    emu.add_key("Radarr")
    result = run(MODULE, emu, name="Radarr")
    assert not result["changed"] and result["key"] == oldest and seerr != oldest and len(emu.keys) == 3


def test_an_api_key_logs_in_without_a_password(emu) -> None:
    admin_key = emu.add_key("mediastack")
    result = run(MODULE, emu, name="Seerr", password=None, api_key=admin_key)
    assert result["changed"] and "POST /Users/AuthenticateByName" not in result["api_requests"]
    assert admin_key not in visible(dict(result, key=None))


def test_absent_revokes_every_key_of_the_app(emu) -> None:
    doomed = [emu.add_key("Radarr"), emu.add_key("Radarr")]
    keep = emu.add_key("Seerr")
    check = run(MODULE, emu, check=True, name="Radarr", state="absent")
    assert check["changed"] and len(emu.keys) == 3 and emu.writes == []
    gone = run(MODULE, emu, name="Radarr", state="absent")
    assert gone["changed"] and gone["key"] is None and [k["AccessToken"] for k in emu.keys] == [keep]
    assert gone["api_requests"][LIST] == 1
    assert sum(v for k, v in gone["api_requests"].items() if k.startswith("DELETE ")) == 2
    assert gone["diff"] == {"before": {"name": "Radarr", "keys": 2}, "after": {}}
    for result in (check, gone):
        assert not [key for key in doomed if key in visible(result)]
    assert not run(MODULE, emu, name="Radarr", state="absent")["changed"]


def test_wrong_password_names_app_url_and_user_and_hides_the_password(emu) -> None:
    result = run(MODULE, emu, name="Radarr", password="Wrong-Pass-3", verbosity=3)
    assert result["failed"] and result["status"] == 401
    assert result["msg"] == ("Jellyfin: POST %s/Users/AuthenticateByName answered HTTP 401: login refused for user "
                             "'admin': wrong username or password" % emu.url)
    assert "Wrong-Pass-3" not in visible(result) and emu.keys == []


def test_a_user_who_is_not_an_administrator_is_refused(emu) -> None:
    emu.add_user("guest", "Guest-Pass-2")
    result = run(MODULE, emu, name="Radarr", username="guest", password="Guest-Pass-2")
    assert result["failed"] and "user 'guest' is not an administrator" in result["msg"]


def test_a_refused_api_key_is_said_plainly(emu) -> None:
    result = run(MODULE, emu, name="Radarr", password=None, api_key="0" * 32)
    assert result["failed"] and result["status"] == 401 and emu.url + "/Auth/Keys" in result["msg"]
    assert "not authenticated" in result["msg"] and "0" * 32 not in visible(result)


def test_secrets_never_show_even_with_vvv(emu) -> None:
    result = run(MODULE, emu, check=True, name="Radarr", verbosity=3)
    tokens = list(emu.sessions)
    assert tokens and "ESTABLISH LOCAL CONNECTION" in result["_output"]
    for secret in [PASSWORD, *tokens]:
        assert secret not in visible(result)


def test_slow_start_within_and_past_wait_timeout(emu) -> None:
    emu.slow_start(1.5)
    within = run(MODULE, emu, name="Radarr", wait_timeout=20)
    assert within["changed"] and not within["failed"]
    emu.slow_start(30, mode="503")
    past = run(MODULE, emu, name="Radarr", wait_timeout=1)
    assert past["failed"] and past["msg"].startswith("Jellyfin: POST %s/Users/AuthenticateByName failed: not ready"
                                                     % emu.url)
    assert "wait_timeout=1.0s" in past["msg"]


def test_a_task_with_no_log_keeps_the_returned_key_out_of_the_output(emu, tmp_path) -> None:
    """The documented use: the key is registered for later tasks, and the task's no_log hides it."""
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "key", "jellyfin_api_key": module_args(emu, name="Seerr"), "no_log": True, "register": "seerr"},
        {"name": "it is there", "ansible.builtin.assert": {"that": ["seerr.key | length == 32"], "quiet": True}}]}]
    (tmp_path / "play.yml").write_text(json.dumps(play))
    stats = run_playbook(str(tmp_path / "play.yml"), {})
    assert stats["failures"] == 0 and stats["changed"] == 1
    assert [k["AppName"] for k in emu.keys] == ["Seerr"] and emu.keys[0]["AccessToken"] not in stats["_output"]
    assert PASSWORD not in stats["_output"]
