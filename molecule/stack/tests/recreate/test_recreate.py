"""After recreate.yml (a Gluetun setting changed and the apps converged again): Gluetun and qBittorrent are new
containers, qBittorrent is in the new Gluetun's namespace and tunnel, its WebUI answers, the keys are kept."""

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


def test_webui_answers_again(webui_login):
    assert webui_login() == (200, "Ok.")


def test_api_keys_still_the_same(api_keys, api_key_snapshots):
    snapshots = api_key_snapshots()
    assert "recreate" in snapshots
    assert snapshots["recreate"] == snapshots["converge"] == api_keys()
