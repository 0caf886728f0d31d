"""prowlarr_download_client against the Prowlarr emulator, run through `ansible -m`.

Prowlarr differs from Radarr where it matters here: it tests an enabled client on every PUT (even one that
changes nothing), and its qBittorrent settings have `category` and a `priority` select of their own.
"""
from __future__ import annotations

from tests.arr_helpers import field_values, gets, run, seed, stored, visible, writes

MODULE = "prowlarr_download_client"
KIND = "downloadclient"
LIST = "GET /api/v1/downloadclient"
TAGS = "GET /api/v1/tag"
V1 = "/api/v1"
SECRET = "Qb-Secret-Pass-41"
QBT = dict(name="qBittorrent", host="gluetun", port=8080, username="admin", password=SECRET,
           category="prowlarr-grabs", tags=["vpn"])
QBT_AFTER = {"name": "qBittorrent", "implementation": "QBittorrent", "tags": ["vpn"],
             "fields": {"host": "gluetun", "port": 8080, "username": "admin", "password": "********",
                        "category": "prowlarr-grabs"}}


def tag_ids(emu, *labels):
    by_label = {t["label"]: t["id"] for t in stored(emu, "tag")}
    return sorted(by_label[label] for label in labels)


def test_create_check_then_apply_then_repeat_only_reads(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    check = run(MODULE, emu, check=True, **QBT)
    assert check["changed"] and not check["failed"] and emu.writes == []
    assert check["diff"] == {"before": {}, "after": QBT_AFTER}
    assert stored(emu, KIND) == [] and stored(emu, "tag") == []

    first = run(MODULE, emu, **QBT)
    assert first["changed"] and first["diff"] == check["diff"]
    assert gets(first) == {LIST: 1, "GET /api/v1/downloadclient/schema": 1, TAGS: 1}
    assert writes(first) == {"POST /api/v1/tag": 1, "POST /api/v1/downloadclient": 1}
    item = stored(emu, KIND, "qBittorrent")
    assert first["id"] == item["id"] and item["enable"] is True and item["priority"] == 1
    assert item["tags"] == tag_ids(emu, "vpn") and item["categories"] == []
    values = field_values(item)
    assert values["host"] == "gluetun" and values["password"] == SECRET and values["category"] == "prowlarr-grabs"
    assert values["priority"] == 0, "qBittorrent's own priority field keeps its default"

    emu.reset_log()
    again = run(MODULE, emu, **QBT)
    assert not again["changed"] and emu.writes == []
    assert again["api_requests"] == {LIST: 1, TAGS: 1}
    assert again["diff"]["before"] == again["diff"]["after"] == QBT_AFTER
    for result in (check, first, again):
        assert SECRET not in visible(result)


def test_change_merges_into_the_whole_item_and_shows_a_diff(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    # `priority` here is qBittorrent's field (First); the client's own priority is the top-level key.
    seed(emu, KIND, "QBittorrent", "qBittorrent", api_prefix=V1, host="old-host", password=SECRET,
         category="films", priority=1, enable=True)
    args = dict(name="QBITTORRENT", host="gluetun", enable=False, priority=10, tags=["vpn", "Movies"])
    check = run(MODULE, emu, check=True, **args)
    assert check["changed"] and emu.writes == []
    result = run(MODULE, emu, **args)
    assert result["changed"] and result["diff"] == check["diff"]
    assert result["diff"] == {
        "before": {"name": "qBittorrent", "implementation": "QBittorrent", "enable": True, "priority": 1,
                   "tags": [], "fields": {"host": "old-host"}},
        "after": {"name": "QBITTORRENT", "implementation": "QBittorrent", "enable": False, "priority": 10,
                  "tags": ["movies", "vpn"], "fields": {"host": "gluetun"}}}
    assert result["changed_keys"] == ["name", "enable", "priority", "tags", "fields.host"]
    assert gets(result) == {LIST: 1, TAGS: 1}, "no schema read for an update"
    assert writes(result) == {"POST /api/v1/tag": 2, "PUT /api/v1/downloadclient/%s" % result["id"]: 1}
    item = stored(emu, KIND, "qbittorrent")
    values = field_values(item)
    # Undeclared fields keep their values (the server would reset what a PUT leaves out).
    assert values["category"] == "films" and values["password"] == SECRET and values["priority"] == 1
    assert values["host"] == "gluetun"
    assert item["name"] == "QBITTORRENT" and item["enable"] is False and item["priority"] == 10
    assert item["tags"] == tag_ids(emu, "movies", "vpn")
    # Tags are a set: another order is no change.
    emu.reset_log()
    assert not run(MODULE, emu, name="QBITTORRENT", tags=["VPN", "movies"], host="gluetun")["changed"]
    assert emu.writes == []


def test_failing_connection_test_blocks_every_put_unless_force_save(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    seed(emu, KIND, "QBittorrent", "qBittorrent", api_prefix=V1, host="gluetun", enable=True)
    emu.set_test_result(KIND, ["Unable to connect to qBittorrent"])
    # No change, no PUT: Prowlarr would test (and here refuse) even a PUT that changes nothing.
    same = run(MODULE, emu, name="qBittorrent", host="gluetun")
    assert not same["changed"] and not same["failed"] and emu.writes == []

    result = run(MODULE, emu, name="qBittorrent", host="qbittorrent")
    assert result["failed"] and result["status"] == 400
    assert result["msg"].startswith("Prowlarr: PUT %s/api/v1/downloadclient/" % emu.url)
    assert "Unable to connect to qBittorrent" in result["msg"]
    assert field_values(stored(emu, KIND, "qBittorrent"))["host"] == "gluetun"

    saved = run(MODULE, emu, name="qBittorrent", host="qbittorrent", force_save=True)
    assert saved["changed"] and not saved["failed"]
    assert field_values(stored(emu, KIND, "qBittorrent"))["host"] == "qbittorrent"
    assert [r.query for r in emu.writes if r.method == "PUT"][-1] == {"forceSave": "true"}


def test_stored_secret_is_unknown_not_different_until_update_secrets_always(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    seed(emu, KIND, "QBittorrent", "qBittorrent", api_prefix=V1, password="Old-Pass-1")
    same = run(MODULE, emu, name="qBittorrent", password=SECRET)
    assert not same["changed"] and same["api_requests"] == {LIST: 1} and emu.writes == []

    pushed = run(MODULE, emu, name="qBittorrent", password=SECRET, update_secrets="always")
    assert pushed["changed"] and pushed["changed_keys"] == ["fields.password"]
    assert field_values(stored(emu, KIND, "qBittorrent"))["password"] == SECRET
    assert pushed["diff"] == {"before": {"name": "qBittorrent", "implementation": "QBittorrent",
                                         "fields": {"password": "********"}},
                              "after": {"name": "qBittorrent", "implementation": "QBittorrent",
                                        "fields": {"password": "********"}}}
    for result in (same, pushed):
        assert SECRET not in visible(result) and "Old-Pass-1" not in visible(result)


def test_bad_input_fails_naming_prowlarr_and_writes_nothing(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    # Radarr's name for the category field is not Prowlarr's.
    unknown = run(MODULE, emu, name="qBittorrent", fields={"movieCategory": "prowlarr"})
    assert unknown["failed"]
    assert unknown["msg"].startswith("Prowlarr at %s: downloadclient 'qBittorrent': unknown field 'movieCategory'"
                                     % emu.url)
    assert "did you mean 'category'" in unknown["msg"] and "nothing was changed" in unknown["msg"]

    wrong_type = run(MODULE, emu, name="qBittorrent", fields={"port": "eighty"})
    assert wrong_type["failed"] and "Prowlarr at %s" % emu.url in wrong_type["msg"]
    assert "field 'port' must be an integer like 8080, got 'eighty'" in wrong_type["msg"]

    bad_select = run(MODULE, emu, name="qBittorrent", fields={"priority": "Middle"})
    assert bad_select["failed"] and "field 'priority' must be one of: 0 (Last), 1 (First)" in bad_select["msg"]
    assert emu.writes == []

    refused = run(MODULE, emu, name="qBittorrent", priority=99, password=SECRET)
    assert refused["failed"] and refused["status"] == 400
    assert refused["msg"].startswith("Prowlarr: POST %s/api/v1/downloadclient answered HTTP 400" % emu.url)
    assert "Priority: 'Priority' must be between 1 and 50. You entered 99." in refused["msg"]
    assert SECRET not in visible(dict(refused, _output=""))
    assert stored(emu, KIND) == []


def test_purge_removes_only_undeclared_items(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    ids = {name: seed(emu, KIND, "QBittorrent", name, api_prefix=V1)["id"]
           for name in ("qBittorrent", "Old", "Manual", "Other")}
    args = dict(name="qBittorrent", purge=True, managed_names=["qBittorrent", "other"], purge_ignore=["MANUAL"])
    check = run(MODULE, emu, check=True, **args)
    assert check["changed"] and check["purged"] == ["Old"] and emu.writes == []
    result = run(MODULE, emu, **args)
    assert result["changed"] and result["purged"] == ["Old"]
    assert result["diff"]["before"]["unmanaged"] == ["Old"] and result["diff"]["after"]["unmanaged"] == []
    assert writes(result) == {"DELETE /api/v1/downloadclient/%s" % ids["Old"]: 1}
    assert sorted(i["name"] for i in stored(emu, KIND)) == ["Manual", "Other", "qBittorrent"]
    emu.reset_log()
    assert not run(MODULE, emu, **args)["changed"] and emu.writes == []


def test_absent_removes_and_then_is_a_no_op(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    seed(emu, KIND, "QBittorrent", "qBittorrent", api_prefix=V1)
    check = run(MODULE, emu, check=True, name="QBITTORRENT", state="absent")
    assert check["changed"] and emu.writes == [] and stored(emu, KIND, "qBittorrent")
    result = run(MODULE, emu, name="QBITTORRENT", state="absent")
    assert result["changed"] and result["diff"] == {
        "before": {"name": "qBittorrent", "implementation": "QBittorrent"}, "after": {}}
    assert stored(emu, KIND) == []
    emu.reset_log()
    again = run(MODULE, emu, name="qBittorrent", state="absent")
    assert not again["changed"] and again["api_requests"] == {LIST: 1} and emu.writes == []
