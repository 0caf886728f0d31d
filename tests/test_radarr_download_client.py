"""radarr_download_client against the Radarr emulator, run through `ansible -m`."""
from __future__ import annotations

from tests.arr_helpers import field_values, gets, run, seed, stored, visible, writes

MODULE = "radarr_download_client"
KIND = "downloadclient"
LIST = "GET /api/v3/downloadclient"
SECRET = "Qb-Secret-Pass-41"
QBT = dict(name="qBittorrent", host="gluetun", port=8080, username="admin", password=SECRET,
           movie_category="radarr", remove_completed_downloads=True, tags=["vpn"])
QBT_AFTER = {"name": "qBittorrent", "implementation": "QBittorrent", "removeCompletedDownloads": True,
             "tags": ["vpn"], "fields": {"host": "gluetun", "port": 8080, "username": "admin",
                                         "password": "********", "movieCategory": "radarr"}}


def tag_ids(emu, *labels):
    by_label = {t["label"]: t["id"] for t in stored(emu, "tag")}
    return sorted(by_label[label] for label in labels)


def test_create_check_then_apply_then_repeat_only_reads(radarr_emulator) -> None:
    emu = radarr_emulator
    check = run(MODULE, emu, check=True, **QBT)
    assert check["changed"] and not check["failed"] and emu.writes == []
    assert check["diff"] == {"before": {}, "after": QBT_AFTER}
    assert stored(emu, KIND) == [] and stored(emu, "tag") == []

    first = run(MODULE, emu, **QBT)
    assert first["changed"] and first["diff"] == check["diff"]
    assert gets(first) == {LIST: 1, "GET /api/v3/downloadclient/schema": 1, "GET /api/v3/tag": 1}
    assert writes(first) == {"POST /api/v3/tag": 1, "POST /api/v3/downloadclient": 1}
    item = stored(emu, KIND, "qBittorrent")
    assert first["id"] == item["id"] and item["enable"] is True and item["removeCompletedDownloads"] is True
    assert item["tags"] == tag_ids(emu, "vpn")
    values = field_values(item)
    assert values["host"] == "gluetun" and values["password"] == SECRET and values["movieCategory"] == "radarr"

    emu.reset_log()
    again = run(MODULE, emu, **QBT)
    assert not again["changed"] and emu.writes == []
    assert again["api_requests"] == {LIST: 1, "GET /api/v3/tag": 1}
    assert again["diff"]["before"] == again["diff"]["after"] == QBT_AFTER
    for result in (check, first, again):
        assert SECRET not in visible(result)


def test_change_merges_into_the_whole_item_and_shows_a_diff(radarr_emulator) -> None:
    emu = radarr_emulator
    seed(emu, KIND, "QBittorrent", "qBittorrent", host="old-host", password=SECRET, movieCategory="films",
         enable=True)
    args = dict(name="QBITTORRENT", host="gluetun", enable=False, tags=["vpn", "Movies"])
    check = run(MODULE, emu, check=True, **args)
    assert check["changed"] and emu.writes == []
    result = run(MODULE, emu, **args)
    assert result["changed"] and result["diff"] == check["diff"]
    assert result["diff"] == {
        "before": {"name": "qBittorrent", "implementation": "QBittorrent", "enable": True, "tags": [],
                   "fields": {"host": "old-host"}},
        "after": {"name": "QBITTORRENT", "implementation": "QBittorrent", "enable": False,
                  "tags": ["movies", "vpn"], "fields": {"host": "gluetun"}}}
    assert result["changed_keys"] == ["name", "enable", "tags", "fields.host"]
    assert gets(result) == {LIST: 1, "GET /api/v3/tag": 1}, "no schema read for an update"
    item = stored(emu, KIND, "qbittorrent")
    values = field_values(item)
    # Undeclared fields keep their values (the server would reset what a PUT leaves out).
    assert values["movieCategory"] == "films" and values["password"] == SECRET and values["host"] == "gluetun"
    assert item["name"] == "QBITTORRENT" and item["enable"] is False and item["tags"] == tag_ids(emu, "movies", "vpn")
    # Tags are a set: another order is no change.
    emu.reset_log()
    assert not run(MODULE, emu, name="QBITTORRENT", tags=["VPN", "movies"], host="gluetun")["changed"]
    assert emu.writes == []


def test_stored_secret_is_unknown_not_different_until_update_secrets_always(radarr_emulator) -> None:
    emu = radarr_emulator
    seed(emu, KIND, "QBittorrent", "qBittorrent", password="Old-Pass-1")
    same = run(MODULE, emu, name="qBittorrent", password=SECRET)
    assert not same["changed"] and emu.writes == []

    pushed = run(MODULE, emu, name="qBittorrent", password=SECRET, update_secrets="always")
    assert pushed["changed"] and pushed["changed_keys"] == ["fields.password"]
    assert field_values(stored(emu, KIND, "qBittorrent"))["password"] == SECRET
    assert pushed["diff"]["after"]["fields"] == {"password": "********"}
    for result in (same, pushed):
        assert SECRET not in visible(result) and "Old-Pass-1" not in visible(result)


def test_unknown_field_fails_before_writing_and_lists_valid_names(radarr_emulator) -> None:
    emu = radarr_emulator
    result = run(MODULE, emu, name="qBittorrent", fields={"hots": "gluetun"})
    assert result["failed"]
    msg = result["msg"]
    assert msg.startswith("Radarr at %s: downloadclient 'qBittorrent': unknown field 'hots'" % emu.url)
    assert "did you mean 'host'" in msg and "movieCategory" in msg
    assert emu.writes == [] and stored(emu, KIND) == []


def test_typed_option_and_fields_must_agree(radarr_emulator) -> None:
    emu = radarr_emulator
    result = run(MODULE, emu, name="qBittorrent", host="a", fields={"host": "b"})
    assert result["failed"] and "option host and fields.host disagree" in result["msg"] and emu.writes == []


def test_server_refusal_names_app_url_and_server_messages(radarr_emulator) -> None:
    emu = radarr_emulator
    emu.set_test_result(KIND, ["Unable to connect to qBittorrent"])
    result = run(MODULE, emu, **QBT)
    assert result["failed"]
    assert "Radarr" in result["msg"] and emu.url + "/api/v3/downloadclient" in result["msg"]
    assert "Unable to connect to qBittorrent" in result["msg"] and result["status"] == 400
    assert stored(emu, KIND) == []
    # (Ansible's own error line repeats an ad-hoc task's raw arguments, so only the result is searched here.)
    assert SECRET not in visible(dict(result, _output=""))

    saved = run(MODULE, emu, force_save=True, **QBT)
    assert saved["changed"] and stored(emu, KIND, "qBittorrent") is not None


def test_select_field_takes_an_option_name_and_numbers_as_strings(radarr_emulator) -> None:
    emu = radarr_emulator
    result = run(MODULE, emu, name="qBittorrent", fields={"initialState": "Force Started", "port": "9091"})
    assert result["changed"], result.get("msg")
    values = field_values(stored(emu, KIND, "qBittorrent"))
    assert values["port"] == 9091 and values["initialState"] != 0
    emu.reset_log()
    again = run(MODULE, emu, name="qBittorrent", fields={"initialState": values["initialState"], "port": 9091})
    assert not again["changed"] and emu.writes == []


def test_purge_removes_only_undeclared_items(radarr_emulator) -> None:
    emu = radarr_emulator
    for name in ("qBittorrent", "Old", "Manual", "Other"):
        seed(emu, KIND, "QBittorrent", name)
    args = dict(name="qBittorrent", purge=True, managed_names=["qBittorrent", "other"], purge_ignore=["MANUAL"])
    check = run(MODULE, emu, check=True, **args)
    assert check["changed"] and check["purged"] == ["Old"] and emu.writes == []
    result = run(MODULE, emu, **args)
    assert result["changed"] and result["purged"] == ["Old"]
    assert result["diff"]["before"]["unmanaged"] == ["Old"] and result["diff"]["after"]["unmanaged"] == []
    assert sorted(i["name"] for i in stored(emu, KIND)) == ["Manual", "Other", "qBittorrent"]
    emu.reset_log()
    assert not run(MODULE, emu, **args)["changed"] and emu.writes == []


def test_absent_removes_and_then_is_a_no_op(radarr_emulator) -> None:
    emu = radarr_emulator
    seed(emu, KIND, "QBittorrent", "qBittorrent")
    check = run(MODULE, emu, check=True, name="QBITTORRENT", state="absent")
    assert check["changed"] and emu.writes == [] and stored(emu, KIND, "qBittorrent")
    result = run(MODULE, emu, name="QBITTORRENT", state="absent")
    assert result["changed"] and result["diff"] == {
        "before": {"name": "qBittorrent", "implementation": "QBittorrent"}, "after": {}}
    assert stored(emu, KIND) == []
    again = run(MODULE, emu, name="qBittorrent", state="absent")
    assert not again["changed"] and again["api_requests"] == {LIST: 1}


def test_another_implementation_rebuilds_from_its_template(radarr_emulator) -> None:
    emu = radarr_emulator
    seed(emu, KIND, "QBittorrent", "client", host="qbt")
    result = run(MODULE, emu, name="client", implementation="Transmission", host="transmission", force_save=True)
    assert result["changed"] and result["diff"]["before"]["implementation"] == "QBittorrent"
    assert result["diff"]["after"]["implementation"] == "Transmission"
    assert "GET /api/v3/downloadclient/schema" in result["api_requests"]
    item = stored(emu, KIND, "client")
    assert item["implementation"] == "Transmission" and field_values(item)["host"] == "transmission"
