"""The secrets ledger (secrets_ledger): a secret the server masks is sent exactly when it differs from the one last
sent. Through radarr_download_client and radarr_notification against the Radarr emulator, run by `ansible -m`;
the file format on its own."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from module_utils.mediastack.ledger import LedgerError, SecretLedger
from tests.arr_helpers import field_values, run, seed, stored, visible, writes

MODULE = "radarr_download_client"
KIND = "downloadclient"
OLD, NEW = "Qb-Old-Pass-41", "Qb-New-Pass-42"
QBT = dict(name="qBittorrent", host="gluetun", port=8080, username="admin", movie_category="radarr")


@pytest.fixture
def ledger(tmp_path):
    return str(tmp_path / "secrets" / "radarr-sent.json")


def entries_of(path):
    return json.loads(Path(path).read_text())["sent"]


def password(emu, name="qBittorrent"):
    return field_values(stored(emu, KIND, name))["password"]


def test_a_password_changed_in_the_vault_reaches_the_server_once(radarr_emulator, ledger) -> None:
    emu = radarr_emulator
    created = run(MODULE, emu, password=OLD, secrets_ledger=ledger, **QBT)
    assert created["changed"] and password(emu) == OLD
    mode = os.stat(ledger).st_mode
    assert stat.S_IMODE(mode) == 0o600 and stat.S_IMODE(os.stat(os.path.dirname(ledger)).st_mode) == 0o700
    text = Path(ledger).read_text()
    assert OLD not in text and len(json.loads(text)["sent"]) == 1

    emu.reset_log()
    same = run(MODULE, emu, password=OLD, secrets_ledger=ledger, **QBT)
    assert not same["changed"] and emu.writes == []

    planned = run(MODULE, emu, check=True, password=NEW, secrets_ledger=ledger, **QBT)
    assert planned["changed"] and planned["changed_keys"] == ["fields.password"] and emu.writes == []
    assert planned["diff"]["after"]["fields"]["password"] == "********"
    assert Path(ledger).read_text() == text, "check mode writes no ledger"

    rotated = run(MODULE, emu, password=NEW, secrets_ledger=ledger, **QBT)
    assert rotated["changed"] and rotated["changed_keys"] == ["fields.password"]
    assert writes(rotated) == {"PUT /api/v3/downloadclient/%d" % rotated["id"]: 1} and password(emu) == NEW

    emu.reset_log()
    again = run(MODULE, emu, password=NEW, secrets_ledger=ledger, **QBT)
    assert not again["changed"] and emu.writes == []
    for result in (created, same, planned, rotated, again):
        assert OLD not in visible(result) and NEW not in visible(result)


def test_without_an_entry_the_secret_is_sent_once(radarr_emulator, ledger) -> None:
    emu = radarr_emulator
    seed(emu, KIND, "QBittorrent", "qBittorrent", password="Typed-In-The-Web-UI", host="gluetun", port=8080,
         username="admin", movieCategory="radarr")
    first = run(MODULE, emu, password=NEW, secrets_ledger=ledger, **QBT)
    assert first["changed"] and first["changed_keys"] == ["fields.password"] and password(emu) == NEW
    emu.reset_log()
    assert not run(MODULE, emu, password=NEW, secrets_ledger=ledger, **QBT)["changed"] and emu.writes == []


def test_a_refused_write_is_not_remembered(radarr_emulator, ledger) -> None:
    emu = radarr_emulator
    run(MODULE, emu, password=OLD, secrets_ledger=ledger, **QBT)
    kept = Path(ledger).read_text()
    emu.set_test_result(KIND, ["Unable to connect to qBittorrent"])
    refused = run(MODULE, emu, password=NEW, secrets_ledger=ledger, **QBT)
    assert refused["failed"] and "Unable to connect to qBittorrent" in refused["msg"]
    assert password(emu) == OLD and Path(ledger).read_text() == kept
    emu.set_test_result(KIND, None)
    assert run(MODULE, emu, password=NEW, secrets_ledger=ledger, **QBT)["changed"], "sent on the next run"
    assert password(emu) == NEW


def test_another_apps_new_key_reaches_radarrs_notification(radarr_emulator, ledger) -> None:
    emu = radarr_emulator
    args = dict(name="Jellyfin", implementation="MediaBrowser", host="jellyfin", port=8096, update_library=True,
                secrets_ledger=ledger, force_save=True)
    run("radarr_notification", emu, jellyfin_api_key="a" * 32, **args)
    assert not run("radarr_notification", emu, jellyfin_api_key="a" * 32, **args)["changed"]
    renewed = run("radarr_notification", emu, jellyfin_api_key="b" * 32, **args)
    assert renewed["changed_keys"] == ["fields.apiKey"]
    assert field_values(stored(emu, "notification", "Jellyfin"))["apiKey"] == "b" * 32
    assert len(entries_of(ledger)) == 1, "one entry per item and field"


def test_a_deleted_item_leaves_no_entry(radarr_emulator, ledger) -> None:
    emu = radarr_emulator
    run(MODULE, emu, password=OLD, secrets_ledger=ledger, **QBT)
    run(MODULE, emu, password=OLD, secrets_ledger=ledger, name="Second", host="other", movie_category="radarr")
    assert len(entries_of(ledger)) == 2
    removed = run(MODULE, emu, name="qBittorrent", state="absent", secrets_ledger=ledger)
    assert removed["changed"] and stored(emu, KIND, "qBittorrent") is None
    assert [k.split()[2] for k in entries_of(ledger)] == ["second"]
    run(MODULE, emu, purge=True, secrets_ledger=ledger)
    assert entries_of(ledger) == {}


def test_a_file_that_is_no_ledger_fails_before_anything_changes(radarr_emulator, ledger) -> None:
    emu = radarr_emulator
    os.makedirs(os.path.dirname(ledger))
    Path(ledger).write_text("password=hunter2\n")
    result = run(MODULE, emu, password=OLD, secrets_ledger=ledger, **QBT)
    assert result["failed"] and emu.writes == [] and stored(emu, KIND) == []
    assert result["msg"] == ("Radarr at %s: %s is not a secrets ledger of this version (format 1); move it away "
                             "and every declared secret is sent once more; nothing was changed" % (emu.url, ledger))
    assert Path(ledger).read_text() == "password=hunter2\n", "never overwritten"


def test_entries_are_salted_hashes(tmp_path) -> None:
    path = str(tmp_path / "ledger.json")
    book = SecretLedger(path)
    book.remember("a", "same-secret")
    book.remember("b", "same-secret")
    book.save()
    entries = entries_of(path)
    assert entries["a"]["hash"] != entries["b"]["hash"] and entries["a"]["salt"] != entries["b"]["salt"]
    reread = SecretLedger(path)
    assert not reread.differs("a", "same-secret") and reread.differs("a", "other") and reread.differs("c", "x")
    reread.remember("a", "")
    assert list(reread.entries) == ["b"]
    unwritable = SecretLedger(str(tmp_path / "gone" / "ledger.json"))
    (tmp_path / "gone").write_text("")
    with pytest.raises(LedgerError, match="cannot write the secrets ledger .*/gone/ledger.json"):
        unwritable.save()
    with pytest.raises(LedgerError, match="cannot read the secrets ledger .*/gone/ledger.json: Not a directory"):
        SecretLedger(str(tmp_path / "gone" / "ledger.json"))
