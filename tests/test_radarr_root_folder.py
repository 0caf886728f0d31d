"""radarr_root_folder against the Radarr emulator, run through `ansible -m`."""
from __future__ import annotations

from tests.arr_helpers import run, stored

MODULE = "radarr_root_folder"
LIST = "GET /api/v3/rootfolder"


def test_create_check_apply_repeat_absent(radarr_emulator, tmp_path) -> None:
    emu = radarr_emulator
    movies = tmp_path / "movies"
    movies.mkdir()
    check = run(MODULE, emu, check=True, path=str(movies))
    assert check["changed"] and emu.writes == [] and stored(emu, "rootfolder") == []
    assert check["diff"] == {"before": {}, "after": {"path": str(movies)}}
    first = run(MODULE, emu, path=str(movies))
    assert first["changed"] and first["diff"] == check["diff"]
    assert first["api_requests"] == {LIST: 1, "POST /api/v3/rootfolder": 1}
    assert [f["path"].rstrip("/") for f in stored(emu, "rootfolder")] == [str(movies)]
    emu.reset_log()
    again = run(MODULE, emu, path=str(movies) + "/")
    assert not again["changed"] and again["api_requests"] == {LIST: 1} and emu.writes == []
    gone = run(MODULE, emu, path=str(movies), state="absent")
    assert gone["changed"] and stored(emu, "rootfolder") == []
    assert not run(MODULE, emu, path=str(movies), state="absent")["changed"]


def test_server_refusal_is_reported(radarr_emulator, tmp_path) -> None:
    emu = radarr_emulator
    missing = str(tmp_path / "does-not-exist")
    result = run(MODULE, emu, path=missing)
    assert result["failed"] and result["status"] == 400
    assert "POST %s/api/v3/rootfolder" % emu.url in result["msg"] and result["details"]
    assert stored(emu, "rootfolder") == []


def test_relative_path_fails_before_any_request(radarr_emulator) -> None:
    emu = radarr_emulator
    result = run(MODULE, emu, path="movies")
    assert result["failed"] and "rootfolder 'movies': must be an absolute path" in result["msg"]
    assert emu.requests == []
