"""After `check` on a fresh machine (molecule verify tests/check): the plan ran to the end without a failure and
wrote nothing, no container, no network, no app directory or file."""

from __future__ import annotations

import json
import pwd
from pathlib import Path

import phases
from conftest import CONTAINERS


def test_the_plan_on_a_fresh_machine_ran_to_the_end():
    record = phases.phase_record("check")
    assert record, "no check phase was recorded"
    assert record["ok"], record
    # It says what would be created.
    assert record["changed"] > 0, record


def test_no_container_was_created(client):
    names = {c.name for c in client.containers.list(all=True)}
    assert names.isdisjoint(CONTAINERS), sorted(names & set(CONTAINERS))


def test_no_network_was_created(client, network_name):
    # Docker matches names= as a part of the name: compare the names themselves.
    assert [n.name for n in client.networks.list() if n.name == network_name] == []


def test_no_app_directory_or_file_was_written(config_root):
    assert sorted(p.name for p in config_root.iterdir()) == []


def test_the_host_layer_changed_nothing_on_this_machine():
    before = json.loads((phases.ephemeral() / "stack-before.json").read_text())
    assert Path("/etc/docker/daemon.json").exists() == before["daemon_json"]
    try:
        pwd.getpwnam("media")
        media_user = True
    except KeyError:
        media_user = False
    assert media_user == before["media_user"]
