"""Seeding qBittorrent.conf through the PBKDF2 filters: idempotent, and the real qBittorrent accepts it."""
from __future__ import annotations

import re
from pathlib import Path

from tests.ansible_run import run_playbook
from tests.qbittorrent_server import QBittorrentServer

PLAYBOOK = "tests/playbooks/qbittorrent_seed.yml"


def stored_hash(conf: Path) -> str:
    match = re.search(r'^WebUI\\Password_PBKDF2="(@ByteArray\(.*\))"$', conf.read_text(), re.M)
    assert match, conf.read_text()
    return match.group(1)


def test_seeding_is_idempotent_and_qbittorrent_accepts_the_hash(tmp_path: Path) -> None:
    server = QBittorrentServer(tmp_path / "qbt", password="Seeded-Pass-1", seed=False)
    seed = {"qbittorrent_seed_conf": str(server.conf), "qbittorrent_seed_password": "Seeded-Pass-1"}

    first = run_playbook(PLAYBOOK, seed)
    assert first["failures"] == 0 and first["changed"] == 1, first["_output"]
    salted = stored_hash(server.conf)
    assert "Seeded-Pass-1" not in first["_output"]

    check = run_playbook(PLAYBOOK, seed, check=True)
    assert check["changed"] == 0
    second = run_playbook(PLAYBOOK, seed)
    assert second["changed"] == 0 and stored_hash(server.conf) == salted  # same salt: nothing rewritten

    server.start()
    try:
        assert server.session().login_answer == "Ok."
    finally:
        server.stop()


def test_a_new_password_gets_a_new_hash(tmp_path: Path) -> None:
    conf = tmp_path / "qBittorrent.conf"
    run_playbook(PLAYBOOK, {"qbittorrent_seed_conf": str(conf), "qbittorrent_seed_password": "Old-Pass-123"})
    old = stored_hash(conf)
    changed = run_playbook(PLAYBOOK, {"qbittorrent_seed_conf": str(conf), "qbittorrent_seed_password": "New-Pass-456"})
    assert changed["changed"] == 1 and stored_hash(conf) != old
