"""SeerrEmulator with the HTTP backend (what the Seerr stand-in runs) against the Jellyfin and Radarr emulators
in this process: the first setup's login, admin check and "Seerr" key, the library sync, the Radarr test call and
Seerr's own error replies; and the state the stand-ins keep in their volume, loaded back by a new emulator."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.fixtures import started
from tests.emulators.jellyfin import JellyfinEmulator
from tests.emulators.seerr import VERSION, SeerrEmulator
from tests.emulators.seerr_backends import Http
from tests.emulators_selftest.client import call as arr_call
from tests.emulators_selftest.test_seerr import call

ADMIN, PASSWORD = "admin", "Admin-Pass-1"
LIBRARIES = {"Movies": ("movies", uuid.UUID(int=1)), "Music": ("music", uuid.UUID(int=2))}


@pytest.fixture
def seerr() -> Iterator[SeerrEmulator]:
    yield from started(lambda: SeerrEmulator(backend=Http(VERSION)))


@pytest.fixture
def jellyfin(jellyfin_emulator: JellyfinEmulator, tmp_path: Path) -> JellyfinEmulator:
    jellyfin_emulator.complete_wizard(ADMIN, PASSWORD, ServerName="media")
    jellyfin_emulator.add_user("guest", "Guest-Pass-2")
    for name, (kind, item_id) in LIBRARIES.items():
        (tmp_path / name).mkdir()
        jellyfin_emulator.libraries.append({"Name": name, "CollectionType": kind, "Locations": [str(tmp_path / name)],
                                            "ItemId": item_id.hex, "LibraryOptions": {}})
    return jellyfin_emulator


def setup_body(jellyfin: JellyfinEmulator, **changes: Any) -> dict[str, Any]:
    return {"username": ADMIN, "password": PASSWORD, "hostname": jellyfin.host, "port": jellyfin.port,
            "useSsl": False, "urlBase": "", "serverType": 2, **changes}


def test_the_first_setup_logs_in_checks_the_admin_and_makes_a_seerr_key(seerr, jellyfin) -> None:
    wrong = call(seerr, "POST", "/auth/jellyfin", setup_body(jellyfin, password="nope"))
    assert (wrong.status, wrong.json) == (401, {"message": "INVALID_CREDENTIALS"})
    guest = call(seerr, "POST", "/auth/jellyfin", setup_body(jellyfin, username="guest", password="Guest-Pass-2"))
    assert (guest.status, guest.json) == (403, {"message": "NOT_ADMIN"})
    nobody = call(seerr, "POST", "/auth/jellyfin", setup_body(jellyfin, port=1))
    assert (nobody.status, nobody.json) == (404, {"message": "INVALID_URL"})
    assert jellyfin.keys == [] and not seerr.configured

    setup = call(seerr, "POST", "/auth/jellyfin", setup_body(jellyfin))
    assert setup.status == 200 and setup.json["id"] == 1
    (key,) = jellyfin.keys
    assert key["AppName"] == "Seerr" and seerr.jellyfin["apiKey"] == key["AccessToken"]
    assert seerr.jellyfin["name"] == "media" and seerr.jellyfin["serverId"] == jellyfin.server_id
    login = next(fields for path, fields, _ in jellyfin.clients if path == "/Users/AuthenticateByName")
    assert (login["Client"], login["Device"], login["Version"]) == ("Seerr", "Seerr", VERSION)

    movies = LIBRARIES["Movies"][1]
    libraries = call(seerr, "GET", f"/settings/jellyfin/library?sync=true&enable={movies}", key=seerr.api_key)
    assert libraries.status == 200
    assert [(lib["name"], lib["type"], lib["enabled"]) for lib in libraries.json] == [("Movies", "movie", True)], \
        "music is not a library Seerr syncs"


def test_the_radarr_test_call_reads_radarr_and_a_wrong_key_is_seerrs_500(seerr, jellyfin, radarr_emulator,
                                                                           tmp_path: Path) -> None:
    call(seerr, "POST", "/auth/jellyfin", setup_body(jellyfin))
    assert arr_call(radarr_emulator, "POST", "/rootfolder", {"path": str(tmp_path / "Movies")}).status == 201
    assert arr_call(radarr_emulator, "POST", "/tag", {"label": "vpn"}).status == 201
    body = {"hostname": radarr_emulator.host, "port": radarr_emulator.port, "apiKey": radarr_emulator.api_key,
            "useSsl": False, "baseUrl": ""}
    answer = call(seerr, "POST", "/settings/radarr/test", body, key=seerr.api_key)
    assert answer.status == 200 and answer.json == {
        "profiles": [{"id": 1, "name": "Any"}], "rootFolders": [{"id": 1, "path": str(tmp_path / "Movies")}],
        "tags": [{"id": 1, "label": "vpn"}], "urlBase": ""}
    refused = call(seerr, "POST", "/settings/radarr/test", dict(body, apiKey="0" * 32), key=seerr.api_key)
    assert (refused.status, refused.json) == (500, {"message": "Failed to connect to Radarr"})


def test_a_new_emulator_on_the_state_file_finds_everything(jellyfin, tmp_path: Path) -> None:
    key = jellyfin.add_key("Radarr")
    state = tmp_path / "state" / "jellyfin.json"
    jellyfin.persist(state)
    again = JellyfinEmulator()
    again.persist(state)
    assert again.snapshot() == jellyfin.snapshot() and again.completed
    assert [k["AccessToken"] for k in again.keys] == [key]

    seerr = SeerrEmulator(api_key="k" * 32)
    seerr.tables.jellyfin_users[ADMIN] = (PASSWORD, True)
    seerr.set_up(ADMIN, PASSWORD)
    seerr.settings_extra["clientId"] = "c1"
    seerr.persist(tmp_path / "settings.json")
    restored = SeerrEmulator()
    restored.persist(tmp_path / "settings.json")
    assert restored.snapshot() == seerr.snapshot() and restored.api_key == "k" * 32 and restored.configured
