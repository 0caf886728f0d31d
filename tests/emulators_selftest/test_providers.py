"""The provider pattern (Radarr and Prowlarr), tags, and the read-only profile lists."""
from __future__ import annotations

import json

from tests.emulators import ArrEmulator
from tests.emulators_selftest.client import call, fields, messages, template

MASK = "********"


def test_create_read_update_delete_status_codes(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    created = call(emu, "POST", "/downloadclient", template(emu, "downloadclient", "QBittorrent", "qBittorrent"))
    item = created.json
    path = f"/downloadclient/{item['id']}"
    assert created.status == 201 and created.headers["Location"] == f"{emu.url}/api/v3{path}"
    assert isinstance(item["id"], int) and item["enable"] is True and item["protocol"] == "torrent"
    assert call(emu, "GET", path).json == item
    item["priority"] = 5
    updated = call(emu, "PUT", path, dict(item, id=0))   # id 0: the route's id
    assert updated.status == 202 and updated.json["priority"] == 5 and updated.json["id"] == item["id"]
    deleted = call(emu, "DELETE", path)
    assert (deleted.status, deleted.json) == (200, {})
    assert call(emu, "GET", path).status == 404


def test_list_is_sorted_by_name_and_names_are_unique_ignoring_case(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    for name in ("beta", "Alpha", "gamma"):
        assert call(emu, "POST", "/downloadclient", template(emu, "downloadclient", "QBittorrent", name)).status == 201
    assert [i["name"] for i in call(emu, "GET", "/downloadclient").json] == ["Alpha", "beta", "gamma"]
    clash = call(emu, "POST", "/downloadclient", template(emu, "downloadclient", "Transmission", "ALPHA"))
    assert clash.status == 400 and messages(clash) == [("Name", "Should be unique")]
    assert clash.json[0]["severity"] == "error" and clash.json[0]["isWarning"] is False


def test_secrets_are_masked_and_the_mask_keeps_them(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    body = template(emu, "downloadclient", "QBittorrent", "qbt", username="admin", password="s3cret")
    item = call(emu, "POST", "/downloadclient", body).json
    assert fields(item)["password"] == MASK and fields(item)["username"] == "admin"   # userName is not masked
    assert fields(emu.items("downloadclient")[0])["password"] == "s3cret"
    for f in item["fields"]:
        if f["name"] == "host":
            f["value"] = "gluetun"
    assert call(emu, "PUT", f"/downloadclient/{item['id']}", item).status == 202
    stored = fields(emu.items("downloadclient")[0])
    assert (stored["host"], stored["password"]) == ("gluetun", "s3cret")


def test_left_out_fields_and_keys_go_back_to_their_defaults(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    body = template(emu, "downloadclient", "QBittorrent", "qbt", port=9090, movieCategory="films",
                    removeCompletedDownloads=False)
    item = call(emu, "POST", "/downloadclient", body).json
    partial = {"id": item["id"], "name": "qbt", "implementation": "QBittorrent",
               "configContract": "QBittorrentSettings", "fields": [{"name": "host", "value": "gluetun"}],
               "unknownKey": 1}
    assert call(emu, "PUT", f"/downloadclient/{item['id']}", partial).status == 202
    stored = emu.items("downloadclient")[0]
    assert fields(stored)["host"] == "gluetun"
    assert (fields(stored)["port"], fields(stored)["movieCategory"]) == (8080, "radarr")
    assert stored["removeCompletedDownloads"] is True and "unknownKey" not in stored
    # An unknown key is ignored by the app but breaks the document: the test run would fail.
    assert emu.violations and all("unknownKey" in v for v in emu.violations)
    emu.violations.clear()


def test_radarr_tests_on_save_only_enabled_and_changed(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    item = call(emu, "POST", "/downloadclient", template(emu, "downloadclient", "QBittorrent", "qbt")).json
    emu.set_test_result("downloadclient", ["Unable to connect to qBittorrent"])
    unchanged = call(emu, "PUT", f"/downloadclient/{item['id']}", item)
    assert unchanged.status == 202, "an unchanged PUT neither tests nor writes"
    item["priority"] = 2
    refused = call(emu, "PUT", f"/downloadclient/{item['id']}", item)
    assert refused.status == 400 and messages(refused) == [("", "Unable to connect to qBittorrent")]
    assert emu.items("downloadclient")[0]["priority"] == 1
    assert call(emu, "PUT", f"/downloadclient/{item['id']}?forceSave=true", item).status == 202
    disabled = template(emu, "downloadclient", "QBittorrent", "off", enable=False)
    assert call(emu, "POST", "/downloadclient", disabled).status == 201
    assert call(emu, "POST", "/downloadclient", template(emu, "downloadclient", "QBittorrent", "on")).status == 400
    assert call(emu, "POST", "/downloadclient/test", disabled).status == 400, "/test tests even a disabled one"
    emu.set_test_result("downloadclient", None)
    assert (call(emu, "POST", "/downloadclient/test", disabled).status,
            call(emu, "POST", "/downloadclient", template(emu, "downloadclient", "QBittorrent", "on")).status) == (
        200, 201)


def test_a_notification_is_enabled_by_its_events(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    emu.set_test_result("notification", ["Unable to send test message"])
    quiet = template(emu, "notification", "MediaBrowser", "quiet", host="jellyfin", apiKey="k" * 32)
    assert "enable" not in quiet and quiet["supportsOnDownload"] is True
    assert fields(quiet)["updateLibrary"] is True and quiet["onDownload"] is False
    assert call(emu, "POST", "/notification", quiet).status == 201
    loud = template(emu, "notification", "MediaBrowser", "loud", host="jellyfin", apiKey="k" * 32, onDownload=True)
    assert call(emu, "POST", "/notification", loud).status == 400
    missing = call(emu, "POST", "/notification?forceSave=true", template(emu, "notification", "MediaBrowser", "x"))
    assert messages(missing) == [("Host", "'Host' must not be empty."), ("ApiKey", "'Api Key' must not be empty.")]
    webhook = template(emu, "notification", "Webhook", "hook", url="http://hooks.local/", method=2, password="pw")
    assert fields(call(emu, "POST", "/notification", webhook).json)["password"] == MASK


def test_settings_validation_applies_even_with_force_save(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    body = template(emu, "downloadclient", "QBittorrent", "qbt", port=0, host="", priority=51)
    controller = call(emu, "POST", "/downloadclient?forceSave=true", body)
    assert messages(controller) == [("Priority", "'Priority' must be between 1 and 50. You entered 51.")]
    body["priority"] = 50
    settings = call(emu, "POST", "/downloadclient?forceSave=true", body)
    assert [p for p, _ in messages(settings)] == ["Host", "Port"] and emu.items("downloadclient") == []


def test_prowlarr_tests_every_put_of_an_enabled_provider_and_always_saves(prowlarr_emulator: ArrEmulator) -> None:
    emu = prowlarr_emulator
    tag = call(emu, "POST", "/tag", {"label": "cloudflare"}).json
    body = template(emu, "indexerproxy", "FlareSolverr", "FlareSolverr", host="http://flaresolverr:8191/",
                    tags=[tag["id"]])
    item = call(emu, "POST", "/indexerproxy", body).json
    assert item["onHealthIssue"] is False and item["supportsOnHealthIssue"] is True
    emu.set_test_result("indexerproxy", ["Unable to reach FlareSolverr"])
    assert call(emu, "PUT", f"/indexerproxy/{item['id']}", item).status == 400, "tested though unchanged"
    assert call(emu, "PUT", f"/indexerproxy/{item['id']}?forceSave=true", item).status == 202
    # The id comes from the body.
    assert call(emu, "PUT", "/indexerproxy/99?forceSave=true", item).json["id"] == item["id"]
    untagged = dict(item, tags=[])
    assert call(emu, "PUT", f"/indexerproxy/{item['id']}", untagged).status == 202, "no tags: not enabled"
    timeout = template(emu, "indexerproxy", "FlareSolverr", "slow", requestTimeout=181)
    assert messages(call(emu, "POST", "/indexerproxy", timeout))[0][0] == "RequestTimeout"


def test_prowlarr_applications_and_download_clients(prowlarr_emulator: ArrEmulator) -> None:
    emu = prowlarr_emulator
    app = template(emu, "applications", "Radarr", "Radarr", apiKey="a" * 32, baseUrl="http://radarr:7878")
    assert app["syncLevel"] == "fullSync" and 2000 in fields(app)["syncCategories"]
    created = call(emu, "POST", "/applications", app).json
    assert fields(created)["apiKey"] == MASK and fields(emu.items("applications")[0])["apiKey"] == "a" * 32
    empty = template(emu, "applications", "Radarr", "other", apiKey="b", syncCategories=[])
    assert messages(call(emu, "POST", "/applications", empty)) == [
        ("SyncCategories", "'Sync Categories' must not be empty.")]
    client = template(emu, "downloadclient", "QBittorrent", "qBittorrent")
    assert fields(client)["category"] == "prowlarr" and client["categories"] == []
    assert "movieCategory" not in fields(client) and call(emu, "POST", "/downloadclient", client).status == 201


def test_prowlarr_indexers(prowlarr_emulator: ArrEmulator) -> None:
    emu = prowlarr_emulator
    assert call(emu, "GET", "/appprofile").json == [
        {"id": 1, "name": "Standard", "enableRss": True, "enableAutomaticSearch": True,
         "enableInteractiveSearch": True, "minimumSeeders": 1}]
    x1337 = template(emu, "indexer", "1337x", "1337x")
    assert (x1337["implementation"], x1337["configContract"], x1337["priority"]) == ("Cardigann", "CardigannSettings",
                                                                                     25)
    assert fields(x1337)["definitionFile"] == "1337x" and "torrentBaseSettings.seedRatio" in fields(x1337)
    no_profile = call(emu, "POST", "/indexer?forceSave=true", x1337)
    assert messages(no_profile) == [("AppProfileId", "'App Profile Id' must be greater than '0'.")]
    x1337["appProfileId"] = 1
    x1337["fields"].append({"name": "nonsense", "value": 1})
    assert messages(call(emu, "POST", "/indexer?forceSave=true", x1337)) == [
        ("", "Unknown Cardigann setting 'nonsense'")]
    x1337["fields"].pop()
    created = call(emu, "POST", "/indexer?forceSave=true", x1337)
    assert created.status == 201 and created.json["definitionName"] == "1337x"
    ipt = template(emu, "indexer", "IPTorrents", "IPT", cookie="uid=1; pass=2", appProfileId=1)
    shown = call(emu, "POST", "/indexer?forceSave=true", ipt).json
    assert fields(shown)["cookie"] == MASK and shown["privacy"] == "private"


def test_tags(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    first = call(emu, "POST", "/tag", {"label": "Movies"})
    assert first.status == 201 and first.json == {"id": 1, "label": "movies"}
    again = call(emu, "POST", "/tag", {"label": "MOVIES"})
    assert (again.status, again.json) == (201, first.json), "an existing label returns the existing tag"
    assert messages(call(emu, "POST", "/tag", {"label": "two words"})) == [
        ("Label", "Allowed characters a-z, 0-9 and -")]
    renamed = call(emu, "PUT", "/tag/1", {"id": 1, "label": "Films"})
    assert (renamed.status, renamed.json) == (202, {"id": 1, "label": "films"})
    call(emu, "POST", "/downloadclient", template(emu, "downloadclient", "QBittorrent", "qbt", tags=[1]))
    assert call(emu, "DELETE", "/tag/1").status == 409
    call(emu, "DELETE", "/downloadclient/1")
    deleted = call(emu, "DELETE", "/tag/1")
    assert (deleted.status, deleted.raw) == (200, b"") and call(emu, "GET", "/tag").json == []


def test_quality_profiles(radarr_emulator: ArrEmulator) -> None:
    profiles = call(radarr_emulator, "GET", "/qualityprofile").json
    assert [p["name"] for p in profiles] == ["Any"]
    assert call(radarr_emulator, "GET", "/qualityprofile/1").json == profiles[0]


def test_the_arr_state_survives_a_snapshot_into_a_new_emulator():
    """What a stand-in container keeps in its volume (the real app's database): providers, tags, settings."""
    first = ArrEmulator("radarr", api_key="a" * 32)
    first.state.add("tag", {"label": "vpn"})
    first.state.add("rootfolder", {"path": "/media/movies"})
    first.state.configs["mediamanagement"]["copyUsingHardlinks"] = False
    saved = json.loads(json.dumps(first.snapshot()))             # through JSON, as on disk
    second = ArrEmulator("radarr", api_key="b" * 32)
    second.restore(saved)
    assert second.items("tag") == first.items("tag") and second.items("rootfolder") == first.items("rootfolder")
    assert second.state.configs["mediamanagement"]["copyUsingHardlinks"] is False
    assert second.state.configs["host"]["apiKey"] == "b" * 32    # the key is config.xml's, not the snapshot's
    assert second.state.add("tag", {"label": "next"})["id"] == 2  # ids go on where they were
