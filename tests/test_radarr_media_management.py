"""radarr_media_management (config singleton) against the Radarr emulator, run through `ansible -m`."""
from __future__ import annotations

from tests.arr_helpers import run

MODULE = "radarr_media_management"
GET = "GET /api/v3/config/mediamanagement"
PUT = "PUT /api/v3/config/mediamanagement/1"


def test_change_check_apply_repeat(radarr_emulator) -> None:
    emu = radarr_emulator
    untouched = emu.config("mediamanagement")
    args = dict(copy_using_hardlinks=False, import_extra_files="yes", settings={"extraFileExtensions": "srt,nfo",
                                                                                  "recycleBinCleanupDays": "14"})
    check = run(MODULE, emu, check=True, **args)
    assert check["changed"] and emu.writes == [] and emu.config("mediamanagement") == untouched
    result = run(MODULE, emu, **args)
    assert result["changed"] and result["diff"] == check["diff"]
    assert result["api_requests"] == {GET: 1, PUT: 1}
    assert result["diff"]["after"] == {"copyUsingHardlinks": False, "importExtraFiles": True,
                                       "extraFileExtensions": "srt,nfo", "recycleBinCleanupDays": 14}
    assert result["diff"]["before"]["copyUsingHardlinks"] == untouched["copyUsingHardlinks"]
    now = emu.config("mediamanagement")
    assert now["copyUsingHardlinks"] is False and now["importExtraFiles"] is True
    assert now["extraFileExtensions"] == "srt,nfo" and now["recycleBinCleanupDays"] == 14
    # Everything undeclared survived the write of the whole object.
    assert {k: v for k, v in now.items() if k not in result["diff"]["after"]} == {
        k: v for k, v in untouched.items() if k not in result["diff"]["after"]}

    emu.reset_log()
    again = run(MODULE, emu, **args)
    assert not again["changed"] and again["api_requests"] == {GET: 1} and emu.writes == []
    assert again["changed_keys"] == []


def test_unknown_setting_fails_before_writing(radarr_emulator) -> None:
    emu = radarr_emulator
    result = run(MODULE, emu, settings={"copyUsingHardLink": True})
    assert result["failed"] and emu.writes == []
    assert result["msg"].startswith("Radarr at %s: config/mediamanagement: unknown setting 'copyUsingHardLink'"
                                    % emu.url)
    assert "did you mean 'copyUsingHardlinks'" in result["msg"]


def test_wrong_type_and_disagreement_fail_before_writing(radarr_emulator) -> None:
    emu = radarr_emulator
    wrong = run(MODULE, emu, settings={"recycleBinCleanupDays": "a week"})
    assert wrong["failed"] and "setting 'recycleBinCleanupDays' must be an integer" in wrong["msg"]
    clash = run(MODULE, emu, copy_using_hardlinks=True, settings={"copyUsingHardlinks": False})
    assert clash["failed"] and "disagree" in clash["msg"]
    assert emu.writes == []


def test_server_refusal_is_reported(radarr_emulator) -> None:
    emu = radarr_emulator
    emu.fail_next("PUT", r"/config/mediamanagement/", 400,
                  body=[{"propertyName": "RecycleBin", "errorMessage": "Path does not exist"}])
    result = run(MODULE, emu, recycle_bin="/nowhere")
    assert result["failed"] and result["status"] == 400
    assert "PUT %s/api/v3/config/mediamanagement/1" % emu.url in result["msg"]
    assert "RecycleBin: Path does not exist" in result["msg"]
