"""prowlarr_indexer against the Prowlarr emulator, run through `ansible -m`."""
from __future__ import annotations

from tests.arr_helpers import field_values, gets, run, seed, stored, visible, writes

MODULE = "prowlarr_indexer"
KIND = "indexer"
V1 = "/api/v1"
LIST = "GET /api/v1/indexer"
PROFILES = "GET /api/v1/appprofile"
COOKIE = "uid=1234567; pass=0f3e9a7c1b2d4e5f"
X1337 = dict(name="1337x", definition="1337x", app_profile="Standard", tags=["flaresolverr"],
             base_url="https://1337x.st/")
X1337_AFTER = {"name": "1337x", "definitionName": "1337x", "appProfile": "Standard", "tags": ["flaresolverr"],
               "fields": {"baseUrl": "https://1337x.st/"}}


def seed_indexer(emu, definition, name, **values):
    values.setdefault("appProfileId", 1)
    return seed(emu, KIND, definition, name, api_prefix=V1, match_by="definitionName", **values)


def add_profile(emu, name):
    """Prowlarr's app profiles are read-only in the emulator: store one directly."""
    return emu.state.add("appprofile", {"name": name, "enableRss": True, "enableAutomaticSearch": True,
                                        "enableInteractiveSearch": True, "minimumSeeders": 1})["id"]


def test_create_check_then_apply_then_repeat_only_reads(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    check = run(MODULE, emu, check=True, **X1337)
    assert check["changed"] and not check["failed"] and emu.writes == []
    assert check["diff"] == {"before": {}, "after": X1337_AFTER}
    assert stored(emu, KIND) == [] and stored(emu, "tag") == []

    first = run(MODULE, emu, **X1337)
    assert first["changed"] and first["diff"] == check["diff"]
    assert first["changed_keys"] == ["name", "definitionName", "appProfile", "tags", "fields.baseUrl"]
    assert gets(first) == {LIST: 1, "GET /api/v1/indexer/schema": 1, PROFILES: 1, "GET /api/v1/tag": 1}
    assert writes(first) == {"POST /api/v1/tag": 1, "POST /api/v1/indexer": 1}
    item = stored(emu, KIND, "1337x")
    tag = stored(emu, "tag")[0]
    assert first["id"] == item["id"] and tag["label"] == "flaresolverr" and item["tags"] == [tag["id"]]
    assert item["definitionName"] == "1337x" and item["implementation"] == "Cardigann"
    assert item["enable"] is True and item["appProfileId"] == 1 and item["priority"] == 25
    values = field_values(item)
    assert values["baseUrl"] == "https://1337x.st/" and values["definitionFile"] == "1337x"

    emu.reset_log()
    again = run(MODULE, emu, **dict(X1337, app_profile="STANDARD", tags=["FlareSolverr"]))
    assert not again["changed"] and emu.writes == []
    assert again["api_requests"] == {LIST: 1, PROFILES: 1, "GET /api/v1/tag": 1}
    assert again["diff"]["before"] == again["diff"]["after"] == X1337_AFTER

    # Undeclared references are not read.
    bare = run(MODULE, emu, name="1337x")
    assert not bare["changed"] and bare["api_requests"] == {LIST: 1} and emu.writes == []


def test_a_new_indexer_gets_the_standard_profile_and_a_change_shows_names(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    anime = add_profile(emu, "Anime")
    created = run(MODULE, emu, name="1337x", definition="1337X")
    assert created["changed"] and created["diff"]["after"]["appProfile"] == "Standard"
    assert stored(emu, KIND, "1337x")["appProfileId"] == 1

    args = dict(name="1337x", app_profile="anime", priority=10, enable=False)
    check = run(MODULE, emu, check=True, **args)
    emu.reset_log()
    result = run(MODULE, emu, **args)
    assert result["changed"] and result["diff"] == check["diff"] == {
        "before": {"name": "1337x", "definitionName": "1337x", "enable": True, "priority": 25,
                   "appProfile": "Standard"},
        "after": {"name": "1337x", "definitionName": "1337x", "enable": False, "priority": 10,
                  "appProfile": "Anime"}}
    assert result["changed_keys"] == ["enable", "priority", "appProfile"]
    assert result["api_requests"] == {LIST: 1, PROFILES: 1, "PUT /api/v1/indexer/1": 1}
    item = stored(emu, KIND, "1337x")
    assert item["appProfileId"] == anime and item["priority"] == 10 and item["enable"] is False
    # The rest of the indexer is kept (a PUT resets what it leaves out).
    assert item["definitionName"] == "1337x" and field_values(item)["definitionFile"] == "1337x"


def test_unknown_app_profile_fails_listing_the_valid_names_and_writes_nothing(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    add_profile(emu, "Anime")
    result = run(MODULE, emu, **dict(X1337, app_profile="Standart", tags=["new-tag"]))
    assert result["failed"]
    assert result["msg"] == ("Prowlarr at %s: indexer '1337x': app_profile: unknown app profile 'Standart' "
                             "(did you mean 'Standard'?); valid: Anime, Standard; nothing was changed" % emu.url)
    assert emu.writes == [] and stored(emu, KIND) == [] and stored(emu, "tag") == []

    # Without any profile a new indexer cannot be saved (Prowlarr refuses appProfileId 0): say so first.
    emu.state.remove("appprofile", 1)
    emu.state.remove("appprofile", 2)
    none = run(MODULE, emu, name="1337x", definition="1337x")
    assert none["failed"] and emu.writes == []
    assert "indexer '1337x': app_profile: there is no app profile to refer to; create one first" in none["msg"]


def test_unknown_definition_fails_with_a_suggestion(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    result = run(MODULE, emu, name="1337x", definition="1337xx")
    assert result["failed"] and emu.writes == []
    assert result["msg"] == ("Prowlarr at %s: indexer '1337x': unknown definition '1337xx' (did you mean '1337x'?); "
                             "valid: 1337x, IPTorrents, Torznab; nothing was changed" % emu.url)
    # The implementation name is no definition: it is shared by every Cardigann definition.
    cardigann = run(MODULE, emu, name="1337x", definition="Cardigann")
    assert cardigann["failed"] and "unknown definition 'Cardigann'" in cardigann["msg"]
    missing = run(MODULE, emu, name="1337x")
    assert missing["failed"] and "definition is required to create it" in missing["msg"]
    assert emu.writes == []


def test_the_definition_of_an_existing_indexer_cannot_change(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    seed_indexer(emu, "1337x", "Public")
    result = run(MODULE, emu, name="public", definition="IPTorrents")
    assert result["failed"] and emu.writes == []
    assert result["msg"] == ("Prowlarr at %s: indexer 'public': its definition is 1337x and cannot change to "
                             "'IPTorrents'; remove it (state=absent) or use another name; nothing was changed"
                             % emu.url)
    assert not run(MODULE, emu, name="Public", definition="1337X")["changed"] and emu.writes == []


def test_server_validation_fails_naming_prowlarr_the_url_and_the_message(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    result = run(MODULE, emu, **dict(X1337, priority=99))
    assert result["failed"] and result["status"] == 400
    assert result["msg"].startswith("Prowlarr: POST %s/api/v1/indexer answered HTTP 400" % emu.url)
    assert result["details"] == ["Priority: 'Priority' must be between 1 and 50. You entered 99."]
    assert stored(emu, KIND) == []


def test_secret_field_is_unknown_not_different_until_update_secrets_always(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    created = run(MODULE, emu, name="IPTorrents", definition="IPTorrents", fields={"cookie": COOKIE})
    assert created["changed"] and created["diff"]["after"]["fields"] == {"cookie": "********"}
    assert field_values(stored(emu, KIND, "IPTorrents"))["cookie"] == COOKIE

    emu.reset_log()
    same = run(MODULE, emu, name="IPTorrents", fields={"cookie": "uid=1; pass=new", "freeLeechOnly": False})
    assert not same["changed"] and emu.writes == []

    pushed = run(MODULE, emu, name="IPTorrents", fields={"cookie": "uid=1; pass=new"}, update_secrets="always")
    assert pushed["changed"] and pushed["changed_keys"] == ["fields.cookie"]
    assert pushed["diff"] == {
        "before": {"name": "IPTorrents", "definitionName": "IPTorrents", "fields": {"cookie": "********"}},
        "after": {"name": "IPTorrents", "definitionName": "IPTorrents", "fields": {"cookie": "********"}}}
    assert field_values(stored(emu, KIND, "IPTorrents"))["cookie"] == "uid=1; pass=new"
    for result in (created, same, pushed):
        assert COOKIE not in visible(result) and "pass=new" not in visible(result)


def test_download_client_by_name_and_empty_for_any(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    client = seed(emu, "downloadclient", "QBittorrent", "qBittorrent", api_prefix=V1)
    seed_indexer(emu, "1337x", "1337x")
    result = run(MODULE, emu, name="1337x", download_client="QBITTORRENT")
    assert result["changed"] and result["changed_keys"] == ["downloadClient"]
    assert result["diff"]["before"]["downloadClient"] == ""
    assert result["diff"]["after"]["downloadClient"] == "qBittorrent"
    assert gets(result) == {LIST: 1, "GET /api/v1/downloadclient": 1}
    assert stored(emu, KIND, "1337x")["downloadClientId"] == client["id"]

    unknown = run(MODULE, emu, name="1337x", download_client="Transmission")
    assert unknown["failed"] and "unknown download client 'Transmission'; valid: qBittorrent" in unknown["msg"]

    back = run(MODULE, emu, name="1337x", download_client="")
    assert back["changed"] and back["diff"]["after"]["downloadClient"] == ""
    assert stored(emu, KIND, "1337x")["downloadClientId"] == 0


def test_failing_site_test_fails_the_save_unless_force_save(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    emu.set_test_result(KIND, ["Unable to connect to indexer, check the log above the ValidationFailure"])
    failed = run(MODULE, emu, **X1337)
    assert failed["failed"] and "Unable to connect to indexer" in failed["msg"]
    assert stored(emu, KIND) == []
    saved = run(MODULE, emu, force_save=True, **X1337)
    assert saved["changed"] and stored(emu, KIND, "1337x")["enable"] is True


def test_absent_removes_and_then_is_a_no_op(prowlarr_emulator) -> None:
    emu = prowlarr_emulator
    seed_indexer(emu, "IPTorrents", "IPTorrents", cookie=COOKIE)
    check = run(MODULE, emu, check=True, name="iptorrents", state="absent")
    assert check["changed"] and emu.writes == [] and stored(emu, KIND, "IPTorrents")
    result = run(MODULE, emu, name="iptorrents", state="absent")
    assert result["changed"] and result["diff"] == {
        "before": {"name": "IPTorrents", "definitionName": "IPTorrents"}, "after": {}}
    assert result["api_requests"] == {LIST: 1, "DELETE /api/v1/indexer/1": 1} and stored(emu, KIND) == []
    again = run(MODULE, emu, name="IPTorrents", state="absent")
    assert not again["changed"] and again["api_requests"] == {LIST: 1}
