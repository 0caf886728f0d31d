"""radarr_notification (Emby / Jellyfin, Webhook) against the Radarr emulator, run through `ansible -m`."""
from __future__ import annotations

from tests.arr_helpers import field_values, gets, run, seed, stored, visible

MODULE = "radarr_notification"
KIND = "notification"
LIST = "GET /api/v3/notification"
JELLYFIN_KEY = "0123456789abcdef0123456789abcdef"
JELLYFIN = dict(name="Jellyfin", host="jellyfin", port=8096, jellyfin_api_key=JELLYFIN_KEY, update_library=True,
                on_download=True, on_upgrade=True, on_rename=True, on_movie_delete=True, on_movie_file_delete=True)


def test_jellyfin_create_check_apply_repeat(radarr_emulator) -> None:
    emu = radarr_emulator
    check = run(MODULE, emu, check=True, **JELLYFIN)
    assert check["changed"] and emu.writes == []
    assert check["diff"]["after"] == {
        "name": "Jellyfin", "implementation": "MediaBrowser", "onDownload": True, "onUpgrade": True,
        "onRename": True, "onMovieDelete": True, "onMovieFileDelete": True,
        "fields": {"host": "jellyfin", "port": 8096, "apiKey": "********", "updateLibrary": True}}
    first = run(MODULE, emu, **JELLYFIN)
    assert first["changed"] and first["diff"] == check["diff"]
    assert gets(first) == {LIST: 1, "GET /api/v3/notification/schema": 1}
    item = stored(emu, KIND, "Jellyfin")
    assert item["implementation"] == "MediaBrowser" and item["onRename"] is True and item["onGrab"] is False
    assert field_values(item)["apiKey"] == JELLYFIN_KEY and field_values(item)["host"] == "jellyfin"

    emu.reset_log()
    again = run(MODULE, emu, **JELLYFIN)
    assert not again["changed"] and emu.writes == [] and again["api_requests"] == {LIST: 1}
    for result in (check, first, again):
        assert JELLYFIN_KEY not in visible(result)


def test_event_change_shows_in_diff_and_keeps_the_key(radarr_emulator) -> None:
    emu = radarr_emulator
    seed(emu, KIND, "MediaBrowser", "Jellyfin", host="jellyfin", apiKey=JELLYFIN_KEY, onDownload=True)
    args = dict(name="Jellyfin", on_download=True, on_rename=True, on_grab=False)
    check = run(MODULE, emu, check=True, **args)
    assert check["changed"] and emu.writes == []
    result = run(MODULE, emu, **args)
    assert result["changed"] and result["diff"] == check["diff"]
    assert result["diff"]["before"] == {"name": "Jellyfin", "implementation": "MediaBrowser", "onDownload": True,
                                        "onRename": False, "onGrab": False}
    assert result["diff"]["after"]["onRename"] is True and result["changed_keys"] == ["onRename"]
    item = stored(emu, KIND, "Jellyfin")
    assert item["onRename"] is True and field_values(item)["apiKey"] == JELLYFIN_KEY


def test_update_secrets_always_pushes_a_new_key(radarr_emulator) -> None:
    emu = radarr_emulator
    seed(emu, KIND, "MediaBrowser", "Jellyfin", host="jellyfin", apiKey="old-key-000")
    assert not run(MODULE, emu, name="Jellyfin", jellyfin_api_key=JELLYFIN_KEY)["changed"]
    pushed = run(MODULE, emu, name="Jellyfin", jellyfin_api_key=JELLYFIN_KEY, update_secrets="always")
    assert pushed["changed"] and field_values(stored(emu, KIND, "Jellyfin"))["apiKey"] == JELLYFIN_KEY
    assert JELLYFIN_KEY not in visible(pushed)


def test_webhook_method_by_name(radarr_emulator) -> None:
    emu = radarr_emulator
    args = dict(name="alerts", implementation="webhook", webhook_url="http://hooks.local/radarr",
                webhook_method="PUT", on_health_issue=True, force_save=True)
    result = run(MODULE, emu, **args)
    assert result["changed"], result.get("msg")
    item = stored(emu, KIND, "alerts")
    assert item["implementation"] == "Webhook" and field_values(item)["url"] == "http://hooks.local/radarr"
    assert field_values(item)["method"] == 2
    emu.reset_log()
    assert not run(MODULE, emu, **args)["changed"] and emu.writes == []


def test_option_of_another_implementation_fails_clearly(radarr_emulator) -> None:
    emu = radarr_emulator
    result = run(MODULE, emu, name="alerts", implementation="Webhook", jellyfin_api_key="x" * 32)
    assert result["failed"] and emu.writes == []
    assert ("Radarr at %s: notification 'alerts': unknown field 'apiKey' (from option jellyfin_api_key) "
            "for implementation Webhook" % emu.url) in result["msg"]
    assert "valid: " in result["msg"] and "url" in result["msg"]


def test_server_validation_messages_are_reported(radarr_emulator) -> None:
    emu = radarr_emulator
    emu.set_test_result(KIND, ["Unable to send test message: invalid API key"])
    result = run(MODULE, emu, **JELLYFIN)
    assert result["failed"] and result["status"] == 400
    assert emu.url in result["msg"] and "Unable to send test message: invalid API key" in result["msg"]
    assert stored(emu, KIND) == []


def test_absent(radarr_emulator) -> None:
    emu = radarr_emulator
    seed(emu, KIND, "MediaBrowser", "Jellyfin", host="jellyfin", apiKey=JELLYFIN_KEY)
    result = run(MODULE, emu, name="jellyfin", state="absent")
    assert result["changed"] and stored(emu, KIND) == []
