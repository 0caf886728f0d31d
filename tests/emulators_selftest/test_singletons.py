"""Radarr's config singletons and root folders."""
from __future__ import annotations

from pathlib import Path

from tests.emulators import ArrEmulator
from tests.emulators_selftest.client import call, messages


def test_left_out_bool_is_saved_false_and_null_is_skipped(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    current = call(emu, "GET", "/config/mediamanagement").json
    assert current["id"] == 1 and current["copyUsingHardlinks"] is True
    body = {k: v for k, v in current.items() if k not in ("copyUsingHardlinks", "extraFileExtensions")}
    body["chmodFolder"] = None
    saved = call(emu, "PUT", "/config/mediamanagement/1", body)
    assert saved.status == 202 and saved.json == emu.config("mediamanagement")
    assert saved.json["copyUsingHardlinks"] is False, "left out: deserialized as false, and saved"
    assert (saved.json["extraFileExtensions"], saved.json["chmodFolder"]) == ("srt", "755"), "strings: kept"
    del body["minimumFreeSpaceWhenImporting"]
    refused = call(emu, "PUT", "/config/mediamanagement/1", body)
    assert messages(refused) == [("MinimumFreeSpaceWhenImporting",
                                  "'Minimum Free Space When Importing' must be greater than or equal to '100'.")]


def test_host_password_is_a_hash_and_the_api_key_cannot_change(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    host = call(emu, "GET", "/config/host").json
    assert (host["authenticationMethod"], host["authenticationRequired"]) == ("none", "enabled")
    assert host["apiKey"] == emu.api_key and host["password"] == "" and host["instanceName"] == "Radarr"
    basic = call(emu, "PUT", "/config/host/1", dict(host, authenticationMethod="basic"))
    assert messages(basic) == [("AuthenticationMethod", "'Basic' is no longer supported, switch to 'Forms'")]
    no_password = call(emu, "PUT", "/config/host/1", dict(host, authenticationMethod="forms", username="Admin"))
    assert messages(no_password) == [("Password", "'Password' must not be empty.")]
    mismatch = dict(host, authenticationMethod="forms", username="Admin", password="pw-1", passwordConfirmation="x")
    assert messages(call(emu, "PUT", "/config/host/1", mismatch)) == [("Password", "Must match Password")]
    forms = dict(mismatch, passwordConfirmation="pw-1", apiKey="f" * 32)
    saved = call(emu, "PUT", "/config/host/1", forms).json
    assert (saved["username"], saved["passwordConfirmation"], saved["apiKey"]) == ("admin", "", emu.api_key)
    stored_hash = saved["password"]
    assert stored_hash not in ("", "pw-1")
    # The hash sent back unchanged (no confirmation) keeps the password.
    again = call(emu, "PUT", "/config/host/1", dict(saved, logLevel="debug"))
    assert again.status == 202 and again.json["password"] == stored_hash and again.json["logLevel"] == "debug"
    assert call(emu, "GET", "/system/status").json["authentication"] == "forms"
    named = call(emu, "PUT", "/config/host/1", dict(saved, instanceName="Movies"))
    assert messages(named) == [("InstanceName", "Must contain Radarr")]


def test_root_folders(radarr_emulator: ArrEmulator, tmp_path: Path) -> None:
    emu = radarr_emulator
    movies = tmp_path / "movies"
    movies.mkdir()
    created = call(emu, "POST", "/rootfolder", {"path": str(movies)})
    folder = created.json
    assert created.status == 201 and created.headers["Location"].endswith(f"/api/v3/rootfolder/{folder['id']}")
    assert folder["accessible"] is True and folder["freeSpace"] > 0 and folder["unmappedFolders"] == []
    listed = call(emu, "GET", "/rootfolder").json
    assert [dict(f, freeSpace=0) for f in listed] == [dict(folder, freeSpace=0)]
    assert messages(call(emu, "POST", "/rootfolder", {"path": str(movies) + "/"})) == [
        ("Path", f"Path '{movies}/' is already configured as a root folder")]
    missing = tmp_path / "missing"
    assert messages(call(emu, "POST", "/rootfolder", {"path": str(missing)})) == [
        ("Path", f"Folder '{missing}' does not exist")]
    deleted = call(emu, "DELETE", f"/rootfolder/{folder['id']}")
    assert (deleted.status, deleted.raw) == (200, b"") and emu.items("rootfolder") == []
