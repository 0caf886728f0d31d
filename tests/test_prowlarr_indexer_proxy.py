"""prowlarr_indexer_proxy (FlareSolverr) against the Prowlarr emulator, run through `ansible -m`.

A proxy's tags are its switch: Prowlarr counts a proxy without tags as disabled (it applies to no indexer and
is not tested on save); with tags it applies to the indexers sharing one and is tested on every save.
"""
from __future__ import annotations

from tests.arr_helpers import field_values, gets, run, seed, stored, writes

MODULE = "prowlarr_indexer_proxy"
KIND = "indexerproxy"
LIST = "GET /api/v1/indexerproxy"
TAGS = "GET /api/v1/tag"
V1 = "/api/v1"
FLARE = dict(name="FlareSolverr", host="http://flaresolverr:8191/", request_timeout=90, tags=["flaresolverr"])
FLARE_AFTER = {"name": "FlareSolverr", "implementation": "FlareSolverr", "tags": ["flaresolverr"],
               "fields": {"host": "http://flaresolverr:8191/", "requestTimeout": 90}}


def test_create_check_then_apply_then_repeat_only_reads(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    check = run(MODULE, emu, check=True, **FLARE)
    assert check["changed"] and not check["failed"] and emu.writes == []
    assert check["diff"] == {"before": {}, "after": FLARE_AFTER} and check["id"] is None
    assert stored(emu, KIND) == [] and stored(emu, "tag") == [], "check mode creates not even the tag"

    first = run(MODULE, emu, **FLARE)
    assert first["changed"] and first["diff"] == check["diff"]
    assert gets(first) == {LIST: 1, "GET /api/v1/indexerproxy/schema": 1, TAGS: 1}
    assert writes(first) == {"POST /api/v1/tag": 1, "POST /api/v1/indexerproxy": 1}
    item = stored(emu, KIND, "FlareSolverr")
    tag_id = stored(emu, "tag")[0]["id"]
    assert first["id"] == item["id"] and item["implementation"] == "FlareSolverr" and item["tags"] == [tag_id]
    assert item["onHealthIssue"] is False and item["includeHealthWarnings"] is False
    assert field_values(item) == {"host": "http://flaresolverr:8191/", "requestTimeout": 90}

    emu.reset_log()
    again = run(MODULE, emu, **FLARE)
    assert not again["changed"] and emu.writes == []
    assert again["api_requests"] == {LIST: 1, TAGS: 1}
    assert again["diff"]["before"] == again["diff"]["after"] == FLARE_AFTER


def test_change_merges_into_the_whole_item_and_shows_a_diff(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    seed(emu, KIND, "FlareSolverr", "FlareSolverr", api_prefix=V1, host="http://localhost:8191/",
         requestTimeout=30, onHealthIssue=True)
    args = dict(name="FlareSolverr", host="http://flaresolverr:8191/", tags=["flaresolverr"])
    check = run(MODULE, emu, check=True, **args)
    assert check["changed"] and emu.writes == []
    result = run(MODULE, emu, **args)
    assert result["changed"] and result["diff"] == check["diff"]
    assert result["diff"] == {
        "before": {"name": "FlareSolverr", "implementation": "FlareSolverr", "tags": [],
                   "fields": {"host": "http://localhost:8191/"}},
        "after": {"name": "FlareSolverr", "implementation": "FlareSolverr", "tags": ["flaresolverr"],
                  "fields": {"host": "http://flaresolverr:8191/"}}}
    assert result["changed_keys"] == ["tags", "fields.host"]
    assert gets(result) == {LIST: 1, TAGS: 1}, "no schema read for an update"
    item = stored(emu, KIND, "FlareSolverr")
    # Undeclared settings keep their values (the server would reset what a PUT leaves out).
    assert field_values(item) == {"host": "http://flaresolverr:8191/", "requestTimeout": 30}
    assert item["onHealthIssue"] is True and len(item["tags"]) == 1


def test_tags_are_the_switch_prowlarr_tests_only_a_tagged_proxy(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    emu.set_test_result(KIND, ["Unable to connect to FlareSolverr"])
    # Without tags the proxy is disabled: saved without a test.
    untagged = run(MODULE, emu, name="FlareSolverr", host="http://flaresolverr:8191/")
    assert untagged["changed"] and stored(emu, KIND, "FlareSolverr")["tags"] == []
    # Tagged, it is tested, and a failed test refuses the save with Prowlarr's message.
    refused = run(MODULE, emu, name="FlareSolverr", tags=["flaresolverr"])
    assert refused["failed"] and refused["status"] == 400
    assert refused["msg"].startswith("Prowlarr: PUT %s/api/v1/indexerproxy/%s answered HTTP 400"
                                     % (emu.url, untagged["id"]))
    assert "Unable to connect to FlareSolverr" in refused["msg"]
    assert stored(emu, KIND, "FlareSolverr")["tags"] == []
    saved = run(MODULE, emu, name="FlareSolverr", tags=["flaresolverr"], force_save=True)
    assert saved["changed"] and len(stored(emu, KIND, "FlareSolverr")["tags"]) == 1


def test_bad_input_fails_naming_prowlarr_and_writes_nothing(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    unknown = run(MODULE, emu, name="FlareSolverr", fields={"timeout": 60})
    assert unknown["failed"]
    assert unknown["msg"].startswith("Prowlarr at %s: indexerproxy 'FlareSolverr': unknown field 'timeout'"
                                     % emu.url)
    assert "valid: host, requestTimeout" in unknown["msg"]

    wrong_type = run(MODULE, emu, name="FlareSolverr", fields={"requestTimeout": "a minute"})
    assert wrong_type["failed"] and "field 'requestTimeout' must be an integer like 60" in wrong_type["msg"]

    unknown_implementation = run(MODULE, emu, name="Proxy", implementation="FlareSolver")
    assert unknown_implementation["failed"]
    assert "unknown implementation 'FlareSolver' (did you mean 'FlareSolverr'?)" in unknown_implementation["msg"]
    assert emu.writes == []

    refused = run(MODULE, emu, name="FlareSolverr", request_timeout=500, tags=["flaresolverr"])
    assert refused["failed"] and refused["status"] == 400
    assert refused["msg"].startswith("Prowlarr: POST %s/api/v1/indexerproxy answered HTTP 400" % emu.url)
    assert "RequestTimeout: 'Request Timeout' must be between 1 and 180. You entered 500." in refused["msg"]
    assert stored(emu, KIND) == []


def test_absent_removes_and_then_is_a_no_op(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    seed(emu, KIND, "FlareSolverr", "FlareSolverr", api_prefix=V1)
    check = run(MODULE, emu, check=True, name="flaresolverr", state="absent")
    assert check["changed"] and emu.writes == [] and stored(emu, KIND, "FlareSolverr")
    result = run(MODULE, emu, name="flaresolverr", state="absent")
    assert result["changed"] and result["diff"] == {
        "before": {"name": "FlareSolverr", "implementation": "FlareSolverr"}, "after": {}}
    assert stored(emu, KIND) == []
    emu.reset_log()
    again = run(MODULE, emu, name="FlareSolverr", state="absent")
    assert not again["changed"] and again["api_requests"] == {LIST: 1} and emu.writes == []


def test_settings_set_top_level_keys_without_a_typed_option(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    seed(emu, KIND, "FlareSolverr", "FlareSolverr", api_prefix=V1)
    result = run(MODULE, emu, name="FlareSolverr", settings={"onHealthIssue": "yes", "includeHealthWarnings": True})
    assert result["changed"] and result["changed_keys"] == ["onHealthIssue", "includeHealthWarnings"]
    assert result["diff"]["after"]["onHealthIssue"] is True
    item = stored(emu, KIND, "FlareSolverr")
    assert item["onHealthIssue"] is True and item["includeHealthWarnings"] is True
    emu.reset_log()
    assert not run(MODULE, emu, name="FlareSolverr", settings={"onHealthIssue": True})["changed"]
    assert emu.writes == []

    for settings, message in (({"id": 7}, "'id' is not a setting: the server assigns it"),
                              ({"fields": []}, "'fields' is not a setting: use fields"),
                              ({"onHealthIsue": True}, "has no setting 'onHealthIsue' (did you mean 'onHealthIssue'?)"),
                              ({"onHealthIssue": "often"}, "setting 'onHealthIssue' must be a boolean")):
        refused = run(MODULE, emu, name="FlareSolverr", settings=settings)
        assert refused["failed"] and message in refused["msg"], refused["msg"]
        assert refused["msg"].startswith("Prowlarr at %s: indexerproxy 'FlareSolverr'" % emu.url)
    assert emu.writes == []


def test_a_tag_created_for_a_refused_write_is_deleted_again(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    refused = run(MODULE, emu, name="FlareSolverr", request_timeout=500, tags=["flaresolverr", "fresh"])
    assert refused["failed"] and "must be between 1 and 180" in refused["msg"]
    assert stored(emu, KIND) == [] and stored(emu, "tag") == [], "a failed run leaves nothing behind"
    emu.reset_log()
    check = run(MODULE, emu, check=True, name="FlareSolverr", tags=["flaresolverr"])
    assert check["changed"] and emu.writes == [] and stored(emu, "tag") == []
