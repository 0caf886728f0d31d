"""The Jellyfin, Seerr and Radarr stand-ins driven by the project's modules, as wire.yml drives them: the
Jellyfin state survives `docker rm -f` and a new container on the same volume, and Seerr's first setup, library
sync and Radarr test call really reach the Jellyfin and Radarr stand-ins over the test network."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.ansible_run import run_module
from tests.arr_helpers import visible
from tests.standins.harness import ADDRESSES, http, wait_healthy

ADMIN = "admin"
PASSWORD = "Jf-Standin-Pass-9"
JELLYFIN = f"http://{ADDRESSES['jellyfin']}:8096"
SEERR = f"http://{ADDRESSES['seerr']}:5055"
RADARR_KEY = "c0ffeec0ffeec0ffeec0ffeec0ffee00"
MEDIA = "/media/movies"          # a path inside the Jellyfin container (Jellyfin checks it exists)
FOLDER = "/config/movies"        # a root folder inside the Radarr container


def jellyfin_run(module: str, **options: Any) -> dict[str, Any]:
    result = run_module(module, dict(dict(url=JELLYFIN, username=ADMIN, password=PASSWORD, wait_timeout=30),
                                     **options))
    assert not result["failed"], result.get("msg")
    return result


def set_up_jellyfin() -> dict[str, Any]:
    """The wizard through jellyfin_setup; the result of the run."""
    result = run_module("jellyfin_setup", dict(url=JELLYFIN, wait_timeout=30, admin_username=ADMIN,
                                               admin_password=PASSWORD, server_name="media"))
    assert not result["failed"], result.get("msg")
    return result


def start_jellyfin(run_standin, config: Path, media: Path) -> Any:
    container = run_standin("jellyfin", volumes={str(config): {"bind": "/config", "mode": "rw"},
                                                 str(media): {"bind": MEDIA, "mode": "ro"}})
    wait_healthy(container)
    return container


def jellyfin_keys(token: str) -> list[dict[str, Any]]:
    status, text = http("GET", f"{JELLYFIN}/Auth/Keys", headers={"X-Emby-Token": token})
    assert status == 200, text
    return json.loads(text)["Items"]


def assert_no_violation(*containers: Any) -> None:
    for container in containers:
        log = container.logs().decode(errors="replace")
        assert "OpenAPI violation" not in log and "emulator error" not in log, log[-3000:]


@pytest.fixture
def media(tmp_path: Path) -> Path:
    (tmp_path / "media").mkdir()
    return tmp_path / "media"


def test_jellyfin_state_survives_a_new_container_on_the_same_volume(run_standin, tmp_path: Path, media) -> None:
    config = tmp_path / "config"
    config.mkdir()
    first = start_jellyfin(run_standin, config, media)
    wizard = set_up_jellyfin()
    assert wizard["changed"] and wizard["wizard_ran"]
    key = jellyfin_run("jellyfin_api_key", name="Radarr")["key"]
    assert key and jellyfin_run("jellyfin_library", name="Movies", collection_type="movies", paths=[MEDIA])["changed"]
    assert jellyfin_run("jellyfin_network", known_proxies=["172.31.250.40"])["changed"]
    assert_no_violation(first)
    first.remove(force=True)

    second = start_jellyfin(run_standin, config, media)
    status, text = http("GET", f"{JELLYFIN}/System/Info/Public")
    assert status == 200 and json.loads(text)["StartupWizardCompleted"] is True, text
    assert [k["AppName"] for k in jellyfin_keys(key)] == ["Radarr"], "the same key, still accepted"
    again = set_up_jellyfin()
    assert not again["changed"] and not again["wizard_ran"]
    kept = jellyfin_run("jellyfin_api_key", name="Radarr")
    assert not kept["changed"] and kept["key"] == key
    assert not jellyfin_run("jellyfin_library", name="Movies", collection_type="movies", paths=[MEDIA])["changed"]
    assert not jellyfin_run("jellyfin_network", known_proxies=["172.31.250.40"])["changed"]
    system = ET.parse(config / "config" / "system.xml").getroot()
    assert system.findtext("IsStartupWizardCompleted") == "true" and system.findtext("ServerName") == "media"
    assert (config / "data" / "standin-state.json").is_file()
    assert_no_violation(second)


def seerr_run(module: str, **options: Any) -> dict[str, Any]:
    return run_module(module, dict(dict(url=SEERR, wait_timeout=30), **options))


def test_seerr_reaches_the_jellyfin_and_radarr_standins(run_standin, tmp_path: Path, media) -> None:
    (tmp_path / "jellyfin").mkdir()
    (tmp_path / "seerr").mkdir()
    (tmp_path / "radarr" / "movies").mkdir(parents=True)
    (tmp_path / "radarr" / "config.xml").write_text(f"<Config><ApiKey>{RADARR_KEY}</ApiKey></Config>")
    jellyfin = start_jellyfin(run_standin, tmp_path / "jellyfin", media)
    radarr = run_standin("radarr", volumes={str(tmp_path / "radarr"): {"bind": "/config", "mode": "rw"}})
    seerr = run_standin("seerr", environment={"API_KEY": "seerr-standin-key"},
                        volumes={str(tmp_path / "seerr"): {"bind": "/app/config", "mode": "rw"}})
    set_up_jellyfin()
    for name, kind in (("Movies", "movies"), ("Shows", "tvshows")):
        jellyfin_run("jellyfin_library", name=name, collection_type=kind, paths=[MEDIA])
    admin_key = jellyfin_run("jellyfin_api_key", name="mediastack")["key"]
    wait_healthy(radarr)
    radarr_api = f"http://{ADDRESSES['radarr']}:7878/api/v3"
    status, text = http("POST", f"{radarr_api}/rootfolder", {"path": FOLDER}, {"X-Api-Key": RADARR_KEY})
    assert status == 201, text
    wait_healthy(seerr)

    # The first setup: Seerr logs in to the Jellyfin stand-in, makes its own key there and syncs the libraries.
    setup = seerr_run("seerr_jellyfin", api_key="seerr-standin-key", jellyfin_username=ADMIN,
                      jellyfin_password=PASSWORD, jellyfin_hostname=ADDRESSES["jellyfin"], libraries=["movies"])
    assert not setup["failed"], setup.get("msg")
    assert setup["changed"] and setup["setup_ran"] and setup["libraries"] == ["Movies"]
    seerr_keys = [k for k in jellyfin_keys(admin_key) if k["AppName"] == "Seerr"]
    assert len(seerr_keys) == 1
    settings = json.loads((tmp_path / "seerr" / "settings.json").read_text())
    assert settings["jellyfin"]["apiKey"] == seerr_keys[0]["AccessToken"] and settings["jellyfin"]["name"] == "media"
    assert {lib["name"]: lib["enabled"] for lib in settings["jellyfin"]["libraries"]} == {
        "Movies": True, "Shows": False}
    again = seerr_run("seerr_jellyfin", api_key="seerr-standin-key", jellyfin_username=ADMIN,
                      jellyfin_password=PASSWORD, jellyfin_hostname=ADDRESSES["jellyfin"], libraries=["movies"])
    assert not again["failed"] and not again["changed"], again.get("msg")

    # The Radarr test call reads the profiles and root folders of the Radarr stand-in.
    args = dict(api_key="seerr-standin-key", name="Radarr", hostname=ADDRESSES["radarr"], port=7878,
                radarr_api_key=RADARR_KEY, quality_profile="any", root_folder=FOLDER + "/",
                minimum_availability="released", is_default=True)
    created = seerr_run("seerr_radarr", **args)
    assert not created["failed"] and created["changed"] and created["id"] == 0, created.get("msg")
    (server,) = json.loads((tmp_path / "seerr" / "settings.json").read_text())["radarr"]
    assert (server["activeProfileId"], server["activeProfileName"], server["activeDirectory"]) == (1, "Any", FOLDER)
    assert not seerr_run("seerr_radarr", **args)["changed"]
    refused = seerr_run("seerr_radarr", **dict(args, name="Other", radarr_api_key="0" * 32))
    assert refused["failed"] and refused["status"] == 500 and refused["msg"] == (
        f"Seerr: POST {SEERR}/api/v1/settings/radarr/test answered HTTP 500: Failed to connect to Radarr")
    assert RADARR_KEY not in visible(refused)

    # Seerr's own state survives a new container too.
    seerr.remove(force=True)
    seerr = run_standin("seerr", environment={"API_KEY": "seerr-standin-key"},
                        volumes={str(tmp_path / "seerr"): {"bind": "/app/config", "mode": "rw"}})
    wait_healthy(seerr)
    assert not seerr_run("seerr_radarr", **args)["changed"]
    assert_no_violation(jellyfin, radarr, seerr)
