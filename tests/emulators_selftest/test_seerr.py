"""The Seerr emulator: the first setup and its cookie, the API key that authenticates nobody before it, 401/403
shapes, the library call that overwrites the enabled set, Radarr servers (ids from 0, 201, no duplicate check, PUT
replaces, the test call), initialize; and its OpenAPI checks bite (requests and responses)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.fixtures import started
from tests.emulators.seerr import SeerrEmulator
from tests.emulators.spec import SPECS_ENV
from tests.emulators_selftest.client import Answer

ADMIN, PASSWORD = "admin", "Admin-Pass-1"
SETUP = {"username": ADMIN, "password": PASSWORD, "hostname": "jellyfin", "port": 8096, "useSsl": False,
         "urlBase": "", "serverType": 2}
RADARR = {"name": "Radarr", "hostname": "radarr", "port": 7878, "apiKey": "k" * 32, "useSsl": False,
          "activeProfileId": 1, "activeProfileName": "HD", "activeDirectory": "/media/movies", "is4k": False,
          "minimumAvailability": "released", "isDefault": True}


def call(emu: SeerrEmulator, method: str, path: str, body: Any = None, key: str | None = None,
         cookie: str | None = None) -> Answer:
    headers = {"Accept": "application/json"}
    if key:
        headers["X-Api-Key"] = key
    if cookie:
        headers["Cookie"] = "connect.sid=" + cookie
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(emu.url + "/api/v1" + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return Answer(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, dict(exc.headers.items()), exc.read())


def session(answer: Answer) -> str:
    return answer.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]


@pytest.fixture
def emu(seerr_emulator: SeerrEmulator) -> SeerrEmulator:
    seerr_emulator.tables.jellyfin_users[ADMIN] = (PASSWORD, True)
    seerr_emulator.tables.jellyfin_libraries = [{"id": "a1", "name": "Movies", "type": "movie"},
                                         {"id": "b2", "name": "Shows", "type": "show"}]
    seerr_emulator.tables.add_radarr("radarr", 7878, "k" * 32, ["Any", "HD"], ["/media/movies"], ("vpn",))
    return seerr_emulator


def test_the_first_setup_makes_the_admin_and_a_session_before_which_the_key_is_refused(emu) -> None:
    assert call(emu, "GET", "/settings/public").json == {"initialized": False, "mediaServerType": 4,
                                                          "applicationTitle": "Seerr", "applicationUrl": "",
                                                          "localLogin": True}
    assert call(emu, "GET", "/status").json["version"] == "3.1.0"
    anonymous = call(emu, "GET", "/settings/main")
    assert anonymous.status == 401 and anonymous.json["message"] == "cookie 'connect.sid' required"
    before = call(emu, "GET", "/settings/main", key=emu.api_key)
    assert (before.status, before.json) == (403, {"status": 403, "error": "You do not have permission to access "
                                                                          "this endpoint"})
    assert call(emu, "POST", "/auth/jellyfin", dict(SETUP, hostname="")).json == {"error": "No hostname provided."}
    no_port = {k: v for k, v in SETUP.items() if k not in ("port", "urlBase")}
    assert call(emu, "POST", "/auth/jellyfin", no_port).json == {"message": "INVALID_URL"}
    assert call(emu, "POST", "/auth/jellyfin", dict(SETUP, password="x")).status == 401
    setup = call(emu, "POST", "/auth/jellyfin", SETUP)
    assert setup.status == 200 and setup.json["id"] == 1 and len(emu.tables.jellyfin_keys) == 1
    cookie = session(setup)
    assert call(emu, "GET", "/settings/main", cookie=cookie).json["mediaServerType"] == 2
    assert call(emu, "GET", "/settings/main", key=emu.api_key).json["apiKey"] == emu.api_key
    assert call(emu, "GET", "/settings/main", cookie="bogus").status == 403
    again = call(emu, "POST", "/auth/jellyfin", SETUP)
    assert (again.status, again.json) == (500, {"message": "Jellyfin hostname already configured"})
    login = call(emu, "POST", "/auth/jellyfin", {"username": ADMIN, "password": PASSWORD})
    assert login.status == 200 and session(login) != cookie and len(emu.tables.jellyfin_keys) == 1


def test_every_library_call_overwrites_the_enabled_set(emu) -> None:
    emu.set_up(ADMIN, PASSWORD)
    key = emu.api_key
    listed = call(emu, "GET", "/settings/jellyfin", key=key).json["libraries"]
    assert [(lib["name"], lib["enabled"]) for lib in listed] == [("Movies", False), ("Shows", False)]
    synced = call(emu, "GET", "/settings/jellyfin/library?sync=true&enable=a1,b2", key=key).json
    assert [(lib["name"], lib["enabled"]) for lib in synced] == [("Movies", True), ("Shows", True)]
    one = call(emu, "GET", "/settings/jellyfin/library?enable=b2", key=key).json
    assert [(lib["name"], lib["enabled"]) for lib in one] == [("Movies", False), ("Shows", True)]
    none = call(emu, "GET", "/settings/jellyfin/library", key=key).json
    assert not any(lib["enabled"] for lib in none), "no enable: every library disabled"


def test_radarr_servers_from_id_0_no_duplicate_check_put_replaces_and_the_test_call(emu) -> None:
    emu.set_up(ADMIN, PASSWORD)
    key = emu.api_key
    first = call(emu, "POST", "/settings/radarr", dict(RADARR, externalUrl="http://radarr.example.org"), key=key)
    second = call(emu, "POST", "/settings/radarr", RADARR, key=key)
    assert (first.status, first.json["id"], second.status, second.json["id"]) == (201, 0, 201, 1)
    assert [s["isDefault"] for s in emu.radarr] == [False, True], "one default per is4k"
    put = call(emu, "PUT", "/settings/radarr/0", dict(RADARR, name="Renamed", isDefault=False), key=key)
    assert put.status == 200 and "externalUrl" not in emu.radarr[0], "the whole object replaced"
    assert call(emu, "PUT", "/settings/radarr/7", RADARR, key=key).status == 404
    tested = call(emu, "POST", "/settings/radarr/test", {"hostname": "radarr", "port": 7878, "apiKey": "k" * 32,
                                                         "useSsl": False, "baseUrl": ""}, key=key).json
    assert tested["profiles"] == [{"id": 1, "name": "Any"}, {"id": 2, "name": "HD"}]
    assert tested["rootFolders"] == [{"id": 1, "path": "/media/movies"}]
    assert tested["tags"] == [{"id": 1, "label": "vpn"}]
    refused = call(emu, "POST", "/settings/radarr/test", {"hostname": "radarr", "port": 7878, "apiKey": "x",
                                                          "useSsl": False}, key=key)
    assert (refused.status, refused.json) == (500, {"message": "Failed to connect to Radarr"})
    assert call(emu, "GET", "/settings/radarr/1/profiles", key=key).json[1]["name"] == "HD"
    gone = call(emu, "DELETE", "/settings/radarr/0", key=key)
    assert gone.status == 200 and gone.json["name"] == "Renamed" and [s["id"] for s in emu.radarr] == [1]


def test_settings_merge_and_initialize(emu) -> None:
    emu.set_up(ADMIN, PASSWORD)
    key = emu.api_key
    main = call(emu, "POST", "/settings/main", {"applicationUrl": "https://r.example.org"}, key=key).json
    assert main["applicationUrl"] == "https://r.example.org" and main["applicationTitle"] == "Seerr"
    network = call(emu, "POST", "/settings/network", {"proxy": {"enabled": True}}, key=key).json
    assert network["proxy"]["enabled"] is True and network["proxy"]["port"] == 8080
    assert call(emu, "POST", "/settings/initialize", key=key).json == {"initialized": True}
    assert call(emu, "GET", "/settings/public").json["initialized"] is True


def test_slow_start_answers_503(emu) -> None:
    emu.slow_start(30, mode="503")
    assert call(emu, "GET", "/settings/public").status == 503


def test_a_bad_request_is_answered_400_before_the_auth_check_and_recorded(emu) -> None:
    missing = call(emu, "POST", "/settings/radarr", {"name": "Radarr"}, key="bogus")
    assert missing.status == 400 and missing.json["errors"], "the body is checked before the key"
    assert call(emu, "POST", "/settings/radarr", RADARR, key="bogus").status == 403
    emu.set_up(ADMIN, PASSWORD)
    read_only = call(emu, "POST", "/settings/main", {"apiKey": "x"}, key=emu.api_key)
    assert read_only.status == 400 and emu.main["apiKey"] != "x"
    empty = call(emu, "GET", "/settings/jellyfin/library?enable=", key=emu.api_key)
    assert empty.status == 400
    assert len(emu.violations) == 3
    assert emu.violations[0].startswith("POST /api/v1/settings/radarr: request: InvalidRequestBody")
    assert "'hostname' is a required property" in emu.violations[0]
    assert "Tried to write read-only property" in emu.violations[1]
    assert "enable" in emu.violations[2]
    emu.violations.clear()


def test_a_response_of_the_wrong_type_is_recorded(emu) -> None:
    emu.set_up(ADMIN, PASSWORD)
    emu.main["applicationUrl"] = 7
    emu.jellyfin["libraries"] = [{"id": 1, "name": "Movies", "enabled": True}]
    call(emu, "GET", "/settings/main", key=emu.api_key)
    call(emu, "GET", "/settings/jellyfin/library?enable=1", key=emu.api_key)
    assert len(emu.violations) == 2
    assert emu.violations[0].startswith("GET /api/v1/settings/main: response 200: InvalidData: $.applicationUrl: 7 "
                                        "is not of type 'string'")
    assert emu.violations[1].startswith("GET /api/v1/settings/jellyfin/library: response 200: InvalidData: $[0].id: "
                                        "1 is not of type 'string'")
    emu.violations.clear()


def test_a_missing_document_fails_the_fixture_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SPECS_ENV, str(tmp_path))
    with pytest.raises(pytest.fail.Exception) as failed:
        next(started(SeerrEmulator))
    assert str(tmp_path / "seerr.openapi.yml") in str(failed.value) and SPECS_ENV in str(failed.value)
