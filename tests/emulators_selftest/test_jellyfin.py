"""The Jellyfin emulator: the wizard before and after completion, MediaBrowser authorization, 401/403, keys,
"Movies2", the network document, slow start; and its OpenAPI checks bite (requests and responses)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.fixtures import started
from tests.emulators.jellyfin import DEFAULT_NETWORK, JellyfinEmulator
from tests.emulators.spec import SPECS_ENV, load_spec_validator
from tests.emulators_selftest.client import Answer

CLIENT = 'MediaBrowser Client="selftest", Device="pytest", DeviceId="dev%201", Version="1.0"'


def call(emu: JellyfinEmulator, method: str, path: str, body: Any = None, token: str | None = None,
         authorization: str | None = CLIENT) -> Answer:
    headers = {"Accept": "application/json"}
    if authorization:
        headers["Authorization"] = authorization + (f', Token="{token}"' if token else "")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(emu.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return Answer(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, dict(exc.headers.items()), exc.read())


def login(emu: JellyfinEmulator, name: str = "admin", password: str = "Admin-Pass-1") -> str:
    answer = call(emu, "POST", "/Users/AuthenticateByName", {"Username": name, "Pw": password})
    assert answer.status == 200, answer.raw
    return answer.json["AccessToken"]


def test_the_wizard_is_anonymous_until_complete_then_needs_an_administrator(jellyfin_emulator) -> None:
    emu = jellyfin_emulator
    assert call(emu, "GET", "/System/Info/Public", authorization=None).json["StartupWizardCompleted"] is False
    assert call(emu, "GET", "/Startup/Configuration", authorization=None).json == {
        "ServerName": "", "UICulture": "en-US", "MetadataCountryCode": "US", "PreferredMetadataLanguage": "en"}
    assert call(emu, "POST", "/Startup/User", {"Name": "admin", "Password": "x"}).status == 404, "no user yet"
    assert call(emu, "GET", "/Startup/User").json == {"Name": "jellyfin"}, "the first GET creates the user"
    empty = call(emu, "POST", "/Startup/User", {"Name": "admin", "Password": ""})
    assert (empty.status, empty.raw) == (400, b"Password must not be empty")
    assert call(emu, "POST", "/Startup/User", {"Name": "admin", "Password": "Admin-Pass-1"}).status == 204
    assert call(emu, "POST", "/Startup/Configuration", {"ServerName": "media"}).status == 204
    assert call(emu, "POST", "/Startup/Complete").status == 204
    assert emu.server["UICulture"] == "", "missing startup values become empty"
    assert call(emu, "GET", "/System/Info/Public").json["StartupWizardCompleted"] is True

    anonymous = call(emu, "GET", "/Startup/Configuration")
    assert (anonymous.status, anonymous.raw) == (401, b"")
    emu.add_user("guest", "Guest-Pass-2")
    forbidden = call(emu, "GET", "/Startup/Configuration", token=login(emu, "guest", "Guest-Pass-2"))
    assert (forbidden.status, forbidden.raw) == (403, b"")
    assert call(emu, "GET", "/Startup/Configuration", token=login(emu)).json["ServerName"] == "media"


def test_login_needs_the_client_fields_and_the_right_password(jellyfin_emulator) -> None:
    emu = jellyfin_emulator
    emu.complete_wizard()
    bare = call(emu, "POST", "/Users/AuthenticateByName", {"Username": "admin", "Pw": "Admin-Pass-1"},
                authorization='MediaBrowser Client="x"')
    assert bare.status == 400 and b"Device, DeviceId, Version" in bare.raw
    wrong = call(emu, "POST", "/Users/AuthenticateByName", {"Username": "ADMIN", "Pw": "nope"})
    assert wrong.status == 401
    token = login(emu)
    session = call(emu, "POST", "/Users/AuthenticateByName", {"Username": "admin", "Pw": "Admin-Pass-1"}).json
    assert session["User"]["Policy"]["IsAdministrator"] is True and session["SessionInfo"]["DeviceId"] == "dev 1"
    assert call(emu, "GET", "/Auth/Keys", token=token).status == 200
    assert call(emu, "GET", "/Auth/Keys?ApiKey=" + token, authorization=None).status == 200
    assert call(emu, "GET", "/Auth/Keys", token="0" * 32).status == 401


def test_every_create_adds_a_key_and_keys_act_as_administrators(jellyfin_emulator) -> None:
    emu = jellyfin_emulator
    emu.complete_wizard()
    token = login(emu)
    for _ in range(2):
        created = call(emu, "POST", "/Auth/Keys?app=Radarr", token=token)
        assert (created.status, created.raw) == (204, b"")
    items = call(emu, "GET", "/Auth/Keys", token=token).json["Items"]
    assert [i["AppName"] for i in items] == ["Radarr", "Radarr"] and items[0]["AccessToken"] != items[1]["AccessToken"]
    assert call(emu, "GET", "/System/Configuration/network", token=items[0]["AccessToken"]).status == 200
    assert call(emu, "DELETE", "/Auth/Keys/" + items[0]["AccessToken"], token=token).status == 204
    assert len(call(emu, "GET", "/Auth/Keys", token=token).json["Items"]) == 1


def test_a_duplicate_library_name_becomes_movies2_and_missing_paths_are_400(jellyfin_emulator, tmp_path) -> None:
    emu = jellyfin_emulator
    query = f"/Library/VirtualFolders?name=Movies&collectionType=movies&paths={tmp_path}&refreshLibrary=false"
    assert call(emu, "POST", query, {"LibraryOptions": {}}).status == 204
    assert call(emu, "POST", query, {"LibraryOptions": {}}).status == 204
    assert [lib["Name"] for lib in call(emu, "GET", "/Library/VirtualFolders").json] == ["Movies", "Movies2"]
    missing = call(emu, "POST", "/Library/VirtualFolders?name=TV&paths=/nowhere", {"LibraryOptions": {}})
    assert (missing.status, missing.raw) == (400, b"The specified path does not exist: /nowhere")
    assert missing.headers["Content-Type"].startswith("text/plain")
    assert call(emu, "DELETE", "/Library/VirtualFolders?name=TV").status == 404


def test_the_network_document_resets_what_a_write_leaves_out(jellyfin_emulator) -> None:
    emu = jellyfin_emulator
    emu.complete_wizard()
    token = login(emu)
    assert call(emu, "GET", "/System/Configuration/network", token=token).json == DEFAULT_NETWORK
    assert call(emu, "POST", "/System/Configuration/network", {"KnownProxies": ["172.20.0.23"]},
                token=token).status == 204
    emu.network["InternalHttpPort"] = 9000
    assert call(emu, "POST", "/System/Configuration/network", {"KnownProxies": []}, token=token).status == 204
    assert emu.network["InternalHttpPort"] == 8096
    assert call(emu, "POST", "/System/Configuration/network", {}).status == 401


def test_slow_start_answers_503(jellyfin_emulator) -> None:
    emu = jellyfin_emulator
    emu.slow_start(30, mode="503")
    assert call(emu, "GET", "/System/Info/Public").status == 503


def test_a_request_of_the_wrong_type_is_recorded(jellyfin_emulator) -> None:
    emu = jellyfin_emulator
    call(emu, "POST", "/Startup/Configuration", {"ServerName": 7})
    call(emu, "POST", "/Library/VirtualFolders?name=M&collectionType=films", {"LibraryOptions": {}})
    emu.complete_wizard()
    call(emu, "POST", "/System/Configuration/network", {"KnownProxies": "172.20.0.23"}, token=login(emu))
    assert len(emu.violations) == 3
    assert emu.violations[0].startswith("POST /Startup/Configuration: request: InvalidRequestBody: $.ServerName: 7")
    assert "'films' is not one of" in emu.violations[1]
    assert emu.violations[2] == ("POST /System/Configuration/network: request: NetworkConfiguration: $.KnownProxies: "
                                 "'172.20.0.23' is not of type 'array'")
    emu.violations.clear()


def test_a_response_of_the_wrong_type_is_recorded(jellyfin_emulator, monkeypatch) -> None:
    emu = jellyfin_emulator
    monkeypatch.setattr(emu, "server_id", 42)
    call(emu, "GET", "/System/Info/Public")
    emu.complete_wizard()
    emu.network["BaseUrl"] = None
    emu.network["KnownProxies"] = [1]
    call(emu, "GET", "/System/Configuration/network", token=login(emu))
    assert emu.violations[0] == "GET /System/Info/Public: response 200: InvalidData: $.Id: 42 is not of type 'string'"
    assert emu.violations[1].startswith("POST /Users/AuthenticateByName: response 200: InvalidData: ")
    assert emu.violations[2:] == ["GET /System/Configuration/network: response 200: NetworkConfiguration: "
                                  "$.KnownProxies[0]: 1 is not of type 'string'"]
    emu.violations.clear()


def test_a_read_only_property_in_a_request_body_is_a_violation() -> None:
    spec = load_spec_validator("jellyfin")
    assert spec.check_component("IPlugin", b'{"Name": "x"}', request=True) == [
        "IPlugin: $.Name: Tried to write read-only property with x"]
    assert spec.check_component("IPlugin", b'{"Name": "x"}', request=False) == []


def test_a_missing_document_fails_the_fixture_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SPECS_ENV, str(tmp_path))
    with pytest.raises(pytest.fail.Exception) as failed:
        next(started(JellyfinEmulator))
    assert str(tmp_path / "jellyfin.openapi.json") in str(failed.value) and SPECS_ENV in str(failed.value)


def test_a_stand_in_logs_each_request_it_answered_as_a_read_or_a_write(jellyfin_emulator) -> None:
    """The stand-in container prints these lines (tests/emulators/container.py); the stack scenario counts them to
    show that a no-op wiring only reads."""
    from tests.emulators.container import request_line, requests_in_log

    emu = jellyfin_emulator
    call(emu, "GET", "/System/Info/Public")
    call(emu, "POST", "/Users/AuthenticateByName", {"Username": "nobody", "Pw": "x"})
    call(emu, "POST", "/Startup/Configuration", {"UICulture": "en-US"})
    log = "\n".join("[jellyfin stand-in] " + request_line(emu, request) for request in emu.requests)
    found = requests_in_log("unrelated line\n" + log)
    assert [(method, path, write) for method, path, _, write in found] == [
        ("GET", "/System/Info/Public", False), ("POST", "/Users/AuthenticateByName", False),
        ("POST", "/Startup/Configuration", True)], found
    assert found[0][2] == 200
