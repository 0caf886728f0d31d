"""jellyfin_library against the Jellyfin emulator: find by name first (Jellyfin would make "Movies2"), paths
added and removed, options merged into the whole, nothing on disk touched."""
from __future__ import annotations

import pytest

from tests.arr_helpers import visible
from tests.jellyfin_helpers import LOGIN, PASSWORD, ready, run

MODULE = "jellyfin_library"
LIST = "GET /Library/VirtualFolders"


@pytest.fixture
def emu(jellyfin_emulator):
    return ready(jellyfin_emulator)


@pytest.fixture
def media(tmp_path):
    for name in ("movies", "films", "kids"):
        (tmp_path / name).mkdir()
    (tmp_path / "movies" / "Heat (1995).mkv").write_bytes(b"x")
    return tmp_path


def test_create_check_then_apply_then_repeat_only_reads(emu, media) -> None:
    args = dict(name="Movies", collection_type="movies", paths=[str(media / "movies") + "/"], realtime_monitor=False)
    check = run(MODULE, emu, check=True, **args)
    assert check["changed"] and emu.writes == [] and emu.libraries == []
    after = {"name": "Movies", "collection_type": "movies", "paths": [str(media / "movies")],
             "options": {"EnableRealtimeMonitor": False}}
    assert check["diff"] == {"before": {}, "after": after}

    first = run(MODULE, emu, **args)
    assert first["changed"] and first["diff"] == check["diff"]
    assert first["api_requests"] == {LOGIN: 1, LIST: 1, "POST /Library/VirtualFolders": 1}
    library = emu.library("Movies")
    assert library["Locations"] == [str(media / "movies")] and library["CollectionType"] == "movies"
    assert library["LibraryOptions"]["EnableRealtimeMonitor"] is False

    emu.reset_log()
    again = run(MODULE, emu, **args)
    assert not again["changed"] and again["changed_keys"] == []
    assert [(r.method, r.path) for r in emu.requests] == [("POST", "/Users/AuthenticateByName"),
                                                          ("GET", "/Library/VirtualFolders")]
    assert again["diff"]["before"] == again["diff"]["after"] == after
    assert [lib["Name"] for lib in emu.libraries] == ["Movies"], "never a Movies2"
    for result in (check, first, again):
        assert PASSWORD not in visible(result)


def test_paths_added_and_removed_options_merged_with_a_diff(emu, media) -> None:
    run(MODULE, emu, name="Movies", collection_type="movies", paths=[str(media / "movies"), str(media / "kids")])
    emu.reset_log()
    args = dict(name="Movies", paths=[str(media / "movies"), str(media / "films")],
                options={"AutomaticRefreshIntervalDays": "30"}, save_local_metadata=True)
    check = run(MODULE, emu, check=True, **args)
    assert check["changed"] and emu.writes == []
    result = run(MODULE, emu, **args)
    assert result["diff"] == check["diff"] == {
        "before": {"name": "Movies", "collection_type": "movies",
                   "paths": sorted([str(media / "movies"), str(media / "kids")]),
                   "options": {"AutomaticRefreshIntervalDays": 0, "SaveLocalMetadata": False}},
        "after": {"name": "Movies", "collection_type": "movies",
                  "paths": sorted([str(media / "movies"), str(media / "films")]),
                  "options": {"AutomaticRefreshIntervalDays": 30, "SaveLocalMetadata": True}}}
    assert sorted(result["changed_keys"]) == ["options.AutomaticRefreshIntervalDays", "options.SaveLocalMetadata",
                                              "paths"]
    assert {k: v for k, v in result["api_requests"].items() if not k.startswith(("GET", LOGIN))} == {
        "POST /Library/VirtualFolders/LibraryOptions": 1, "POST /Library/VirtualFolders/Paths": 1,
        "DELETE /Library/VirtualFolders/Paths": 1}
    library = emu.library("Movies")
    assert sorted(library["Locations"]) == sorted([str(media / "movies"), str(media / "films")])
    options = library["LibraryOptions"]
    assert options["AutomaticRefreshIntervalDays"] == 30 and options["SaveLocalMetadata"] is True
    assert options["EnableRealtimeMonitor"] is True, "options not declared keep their value"
    assert (media / "kids").is_dir() and (media / "movies" / "Heat (1995).mkv").exists()
    emu.reset_log()
    assert not run(MODULE, emu, **args)["changed"] and emu.writes == []


def test_absent_forgets_the_library_and_leaves_the_media(emu, media) -> None:
    run(MODULE, emu, name="Movies", collection_type="movies", paths=[str(media / "movies")])
    emu.reset_log()
    check = run(MODULE, emu, check=True, name="Movies", state="absent")
    assert check["changed"] and emu.library("Movies") is not None and emu.writes == []
    gone = run(MODULE, emu, name="Movies", state="absent")
    assert gone["changed"] and emu.library("Movies") is None and gone["diff"]["after"] == {}
    assert gone["api_requests"]["DELETE /Library/VirtualFolders"] == 1
    assert (media / "movies" / "Heat (1995).mkv").exists()
    assert not run(MODULE, emu, name="Movies", state="absent")["changed"]


def test_bad_input_names_app_url_and_field(emu, media) -> None:
    no_type = run(MODULE, emu, name="Movies", paths=[str(media / "movies")])
    assert no_type["failed"] and no_type["msg"] == (
        "Jellyfin at %s: library 'Movies': collection_type is required to create it; nothing was changed" % emu.url)
    relative = run(MODULE, emu, name="Movies", collection_type="movies", paths=["media/movies"])
    assert relative["failed"] and "paths must be absolute, got media/movies" in relative["msg"]
    missing = run(MODULE, emu, name="Movies", collection_type="movies", paths=[str(media / "nope")])
    assert missing["failed"] and missing["status"] == 400
    assert missing["msg"].startswith("Jellyfin: POST %s/Library/VirtualFolders?" % emu.url)
    assert "The specified path does not exist: %s" % (media / "nope") in missing["msg"]
    run(MODULE, emu, name="Movies", collection_type="movies", paths=[str(media / "movies")])
    unknown = run(MODULE, emu, name="Movies", options={"EnableRealtimeMonitr": True})
    assert unknown["failed"] and "library 'Movies' options: unknown setting 'EnableRealtimeMonitr'" in unknown["msg"]
    assert "did you mean 'EnableRealtimeMonitor'" in unknown["msg"]
    retype = run(MODULE, emu, name="Movies", collection_type="tvshows")
    assert retype["failed"] and "its collection_type is movies and Jellyfin cannot change it" in retype["msg"]
    assert [lib["Name"] for lib in emu.libraries] == ["Movies"]


def test_secrets_never_show_even_with_vvv(emu, media) -> None:
    result = run(MODULE, emu, name="Movies", collection_type="movies", paths=[str(media / "movies")], verbosity=3)
    assert result["changed"] and "ESTABLISH LOCAL CONNECTION" in result["_output"]
    for secret in [PASSWORD, *emu.sessions]:
        assert secret not in visible(result)


def test_slow_start_within_and_past_wait_timeout(emu, media) -> None:
    emu.slow_start(1.5, mode="503")
    within = run(MODULE, emu, name="Movies", collection_type="movies", wait_timeout=20)
    assert within["changed"] and not within["failed"]
    emu.slow_start(30)
    past = run(MODULE, emu, name="Movies", wait_timeout=1)
    assert past["failed"] and "not ready within wait_timeout=1.0s" in past["msg"] and emu.url in past["msg"]
