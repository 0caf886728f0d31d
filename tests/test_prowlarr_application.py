"""prowlarr_application against the Prowlarr emulator, run through `ansible -m`."""
from __future__ import annotations

from tests.arr_helpers import field_values, gets, run, seed, stored, visible, writes

MODULE = "prowlarr_application"
KIND = "applications"
V1 = "/api/v1"
LIST = "GET /api/v1/applications"
SECRET = "radarr-key-0f3e9a7c1b2d4e5f"
RADARR = dict(name="Radarr", prowlarr_url="http://prowlarr:9696", radarr_url="http://radarr:7878",
              radarr_api_key=SECRET, sync_categories=[2000, "Movies/HD", 2045])
RADARR_AFTER = {"name": "Radarr", "implementation": "Radarr",
                "fields": {"prowlarrUrl": "http://prowlarr:9696", "baseUrl": "http://radarr:7878",
                           "apiKey": "********", "syncCategories": [2000, 2040, 2045]}}


def seed_radarr(emu, name="Radarr", **values):
    values.setdefault("apiKey", SECRET)
    return seed(emu, KIND, "Radarr", name, api_prefix=V1, **values)


def test_create_check_then_apply_then_repeat_only_reads(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    check = run(MODULE, emu, check=True, **RADARR)
    assert check["changed"] and not check["failed"] and emu.writes == []
    assert check["diff"] == {"before": {}, "after": RADARR_AFTER}
    assert check["id"] is None and stored(emu, KIND) == []

    first = run(MODULE, emu, **RADARR)
    assert first["changed"] and first["diff"] == check["diff"]
    assert first["api_requests"] == {LIST: 1, "GET /api/v1/applications/schema": 1, "POST /api/v1/applications": 1}
    item = stored(emu, KIND, "Radarr")
    assert first["id"] == item["id"] and item["syncLevel"] == "fullSync" and item["tags"] == []
    values = field_values(item)
    assert values["prowlarrUrl"] == "http://prowlarr:9696" and values["baseUrl"] == "http://radarr:7878"
    assert values["apiKey"] == SECRET and sorted(values["syncCategories"]) == [2000, 2040, 2045]

    emu.reset_log()
    # Categories are a set: another order, numbers for names, is no change.
    again = run(MODULE, emu, **dict(RADARR, sync_categories=["Movies/UHD", 2040, "2000"]))
    assert not again["changed"] and emu.writes == []
    assert again["api_requests"] == {LIST: 1}
    assert again["diff"]["before"] == again["diff"]["after"] == RADARR_AFTER
    for result in (check, first, again):
        assert SECRET not in visible(result)


def test_change_merges_into_the_whole_item_and_shows_a_diff(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    seed_radarr(emu, baseUrl="http://old-radarr:7878", prowlarrUrl="http://prowlarr:9696",
                syncCategories=[2000, 2040])
    args = dict(name="radarr", radarr_url="http://radarr:7878", sync_level="addOnly",
                sync_categories=["Movies/HD", "Movies"], tags=["movies"])
    check = run(MODULE, emu, check=True, **args)
    assert check["changed"] and emu.writes == []
    result = run(MODULE, emu, **args)
    assert result["changed"] and result["diff"] == check["diff"]
    assert result["diff"] == {
        "before": {"name": "Radarr", "implementation": "Radarr", "syncLevel": "fullSync", "tags": [],
                   "fields": {"baseUrl": "http://old-radarr:7878", "syncCategories": [2000, 2040]}},
        "after": {"name": "radarr", "implementation": "Radarr", "syncLevel": "addOnly", "tags": ["movies"],
                  "fields": {"baseUrl": "http://radarr:7878", "syncCategories": [2040, 2000]}}}
    assert result["changed_keys"] == ["name", "syncLevel", "tags", "fields.baseUrl"]
    assert gets(result) == {LIST: 1, "GET /api/v1/tag": 1}, "no schema read for an update"
    assert writes(result) == {"POST /api/v1/tag": 1, "PUT /api/v1/applications/1": 1}
    item = stored(emu, KIND, "radarr")
    values = field_values(item)
    # Undeclared fields keep their values (the server would reset what a PUT leaves out).
    assert values["apiKey"] == SECRET and values["prowlarrUrl"] == "http://prowlarr:9696"
    assert values["baseUrl"] == "http://radarr:7878" and item["syncLevel"] == "addOnly"
    assert item["name"] == "radarr" and len(item["tags"]) == 1


def test_stored_api_key_is_unknown_not_different_until_update_secrets_always(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    seed_radarr(emu, apiKey="old-radarr-key-123456")
    same = run(MODULE, emu, name="Radarr", radarr_api_key=SECRET)
    assert not same["changed"] and emu.writes == []
    assert same["diff"]["before"]["fields"] == {"apiKey": "********"}

    pushed = run(MODULE, emu, name="Radarr", radarr_api_key=SECRET, update_secrets="always")
    assert pushed["changed"] and pushed["changed_keys"] == ["fields.apiKey"]
    assert writes(pushed) == {"PUT /api/v1/applications/1": 1}
    assert field_values(stored(emu, KIND, "Radarr"))["apiKey"] == SECRET
    assert pushed["diff"]["after"]["fields"] == {"apiKey": "********"}
    for result in (same, pushed):
        assert SECRET not in visible(result) and "old-radarr-key-123456" not in visible(result)


def test_invalid_url_fails_with_the_servers_validation_messages(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    result = run(MODULE, emu, **dict(RADARR, radarr_url="not a url"))
    assert result["failed"] and result["status"] == 400
    assert result["msg"].startswith("Prowlarr: POST %s/api/v1/applications answered HTTP 400" % emu.url)
    assert "BaseUrl: 'Base Url' must be a valid URL" in result["msg"]
    assert result["details"] == ["BaseUrl: 'Base Url' must be a valid URL"]
    assert stored(emu, KIND) == [] and [w for w in emu.writes if w.status < 400] == []
    assert SECRET not in visible(dict(result, _output=""))


def test_unknown_category_name_fails_before_anything_is_sent(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    result = run(MODULE, emu, **dict(RADARR, sync_categories=["Movies/HD", "Movies/4K"]))
    assert result["failed"] and emu.writes == []
    msg = result["msg"]
    assert msg.startswith("Prowlarr at %s: applications 'Radarr': field 'syncCategories' must be one of:" % emu.url)
    assert "2045 (Movies/UHD)" in msg and "got 'Movies/4K'" in msg and msg.endswith("nothing was changed")


def test_failing_connection_test_on_update_fails_unless_force_save(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    seed_radarr(emu, baseUrl="http://old-radarr:7878")
    emu.set_test_result(KIND, ["Unable to connect to Radarr"])
    # Prowlarr tests on every PUT: a run with nothing to change must not send one.
    quiet = run(MODULE, emu, name="Radarr", radarr_url="http://old-radarr:7878")
    assert not quiet["changed"] and not quiet["failed"] and emu.writes == []

    failed = run(MODULE, emu, name="Radarr", radarr_url="http://radarr:7878")
    assert failed["failed"] and failed["status"] == 400
    assert "Prowlarr" in failed["msg"] and emu.url + "/api/v1/applications/1" in failed["msg"]
    assert "Unable to connect to Radarr" in failed["msg"]
    assert field_values(stored(emu, KIND, "Radarr"))["baseUrl"] == "http://old-radarr:7878"

    saved = run(MODULE, emu, name="Radarr", radarr_url="http://radarr:7878", force_save=True)
    assert saved["changed"] and not saved["failed"]
    assert [(w.method, w.query) for w in emu.writes][-1] == ("PUT", {"forceSave": "true"})
    assert field_values(stored(emu, KIND, "Radarr"))["baseUrl"] == "http://radarr:7878"

    # A disabled application is not tested.
    disabled = run(MODULE, emu, name="Radarr", sync_level="disabled", radarr_url="http://radarr2:7878")
    assert disabled["changed"] and stored(emu, KIND, "Radarr")["syncLevel"] == "disabled"


def test_purge_removes_only_undeclared_items(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    for name in ("Radarr", "Radarr4K", "Manual", "Other"):
        seed_radarr(emu, name)
    args = dict(name="Radarr", purge=True, managed_names=["Radarr", "other"], purge_ignore=["MANUAL"])
    check = run(MODULE, emu, check=True, **args)
    assert check["changed"] and check["purged"] == ["Radarr4K"] and emu.writes == []
    result = run(MODULE, emu, **args)
    assert result["changed"] and result["purged"] == ["Radarr4K"]
    assert result["diff"] == {"before": {"name": "Radarr", "implementation": "Radarr", "unmanaged": ["Radarr4K"]},
                              "after": {"name": "Radarr", "implementation": "Radarr", "unmanaged": []}}
    assert writes(result) == {"DELETE /api/v1/applications/2": 1}
    assert sorted(i["name"] for i in stored(emu, KIND)) == ["Manual", "Other", "Radarr"]
    emu.reset_log()
    assert not run(MODULE, emu, **args)["changed"] and emu.writes == []


def test_absent_removes_and_then_is_a_no_op(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    seed_radarr(emu)
    check = run(MODULE, emu, check=True, name="RADARR", state="absent")
    assert check["changed"] and emu.writes == [] and stored(emu, KIND, "Radarr")
    result = run(MODULE, emu, name="RADARR", state="absent")
    assert result["changed"] and result["diff"] == {"before": {"name": "Radarr", "implementation": "Radarr"},
                                                    "after": {}}
    assert result["id"] is None and stored(emu, KIND) == []
    again = run(MODULE, emu, name="Radarr", state="absent")
    assert not again["changed"] and again["api_requests"] == {LIST: 1}
