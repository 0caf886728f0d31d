"""After recreate.yml (a Gluetun setting and qBittorrent's WebUI password changed, the apps converged and wired
again): Gluetun and qBittorrent are new containers, qBittorrent is in the new Gluetun's namespace and tunnel, its
WebUI answers to the new password only, Radarr and Prowlarr log in with it, the keys are kept."""

from __future__ import annotations

import json
import re

import pytest
from conftest import exec_in, phases, wait_healthy


@pytest.fixture(scope="module")
def before():
    path = phases.ephemeral() / "stack-recreate.json"
    assert path.is_file(), "recreate.yml did not record the containers it replaced"
    return json.loads(path.read_text())


def test_gluetun_was_recreated_with_the_new_setting(container, before, hostvars):
    gluetun = container("gluetun")
    assert before["gluetun"] and gluetun.id != before["gluetun"]
    countries = ",".join(hostvars["stack_scenario_recreate_countries"])
    assert f"SERVER_COUNTRIES={countries}" in gluetun.attrs["Config"]["Env"]


def test_qbittorrent_was_recreated(container, before):
    assert before["qbittorrent"] and container("qbittorrent").id != before["qbittorrent"]


@pytest.mark.parametrize("app", ["gluetun", "qbittorrent"])
def test_runs_healthy(container, app):
    running = container(app)
    assert wait_healthy(running) == "healthy", running.logs(tail=20).decode(errors="replace")


def test_qbittorrent_joined_the_new_gluetun(container):
    qbittorrent = container("qbittorrent")
    assert qbittorrent.attrs["HostConfig"]["NetworkMode"] == f"container:{container('gluetun').id}"
    route = exec_in(qbittorrent, ["ip", "route", "get", "1.1.1.1"])   # computes, sends nothing
    assert re.search(r"\bdev tun0\b", route), route


def test_webui_answers_again_to_the_rotated_password_only(webui_login, hostvars):
    assert webui_login(password=hostvars["stack_scenario_rotated_qbittorrent_password"]) == (200, "Ok.")
    assert webui_login()[1] != "Ok.", "the old password still logs in"


@pytest.mark.parametrize("app, port, path", [("radarr", 7878, "/api/v3/downloadclient"),
                                             ("prowlarr", 9696, "/api/v1/downloadclient")])
def test_the_apps_that_log_in_to_qbittorrent_were_sent_the_new_password(app, port, path, to_container, addresses,
                                                                         api_keys, config_root, hostvars):
    # The app's own connection test of the stored client (the masked password keeps the one it holds): it
    # logs in to the real qBittorrent, so a password left behind fails it.
    url = f"http://{addresses[app]}:{port}{path}"
    key = {"X-Api-Key": api_keys()[app]}
    status, body = to_container(url, headers=key)
    assert status == 200, body
    stored = [c for c in json.loads(body) if c["name"] == "qBittorrent"]
    assert len(stored) == 1, body
    status, answer = to_container(url + "/test", headers=key, body=stored[0])
    assert status == 200, f"{app} cannot log in to qBittorrent: {answer[:500]}"
    ledger = config_root / "secrets" / f"{app}-sent.json"
    assert ledger.stat().st_mode & 0o777 == 0o600
    text = ledger.read_text()
    assert hostvars["stack_scenario_rotated_qbittorrent_password"] not in text and "********" not in text


def test_api_keys_still_the_same(api_keys, api_key_snapshots):
    snapshots = api_key_snapshots()
    assert "recreate" in snapshots
    assert snapshots["recreate"] == snapshots["converge"] == api_keys()
