"""Seeding before first start, without Docker: API keys in config.xml (generated once and kept, or from the
vault), qBittorrent.conf (idempotent, salt kept) and Gluetun's key files and control server role."""
from __future__ import annotations

import base64
import os
import re
import stat
import sys
from pathlib import Path

from tests.ansible_run import REPO, run_playbook

sys.path.insert(0, str(REPO / "filter_plugins"))
from qbittorrent_password import qbittorrent_password_matches  # noqa: E402

PLAYBOOK = "tests/playbooks/apps_seed.yml"
OWNER = {"servarr_config_owner": os.getuid(), "servarr_config_group": os.getgid()}
MEDIA = {"mediastack_puid": os.getuid(), "mediastack_pgid": os.getgid()}
AUTH = {"AuthenticationMethod": "Forms", "AuthenticationRequired": "Enabled"}


def effective(output: str) -> str:
    match = re.search(r"effective=(\S+?)\"", output)
    assert match, output[-2000:]
    return match.group(1)


def servarr(config: Path, api_key: str = "") -> dict:
    return run_playbook(PLAYBOOK, {"apps_seed": "servarr", "servarr_config_path": str(config),
                                   "servarr_config_api_key": api_key, "servarr_config_settings": AUTH, **OWNER})


def test_a_key_is_generated_once_then_kept(tmp_path: Path) -> None:
    config = tmp_path / "config.xml"
    first = servarr(config)
    assert first["failures"] == 0 and first["changed"] == 1, first["_output"][-3000:]
    key = effective(first["_output"])
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    text = config.read_text()
    assert f"<ApiKey>{key}</ApiKey>" in text
    assert "<AuthenticationMethod>Forms</AuthenticationMethod>" in text
    assert "<AuthenticationRequired>Enabled</AuthenticationRequired>" in text
    assert stat.S_IMODE(config.stat().st_mode) == 0o600

    second = servarr(config)
    assert second["changed"] == 0 and effective(second["_output"]) == key and config.read_text() == text
    assert servarr(config)["changed"] == 0


def test_the_app_s_own_settings_survive_and_the_vault_key_wins(tmp_path: Path) -> None:
    config = tmp_path / "config.xml"
    config.write_text("<Config>\n  <BindAddress>*</BindAddress>\n  <Port>7878</Port>\n  <ApiKey />\n"
                      "  <AuthenticationMethod>None</AuthenticationMethod>\n  <InstanceName>Radarr</InstanceName>\n"
                      "</Config>")
    generated = servarr(config)
    assert generated["changed"] == 1
    text = config.read_text()
    for kept in ("<BindAddress>*</BindAddress>", "<Port>7878</Port>", "<InstanceName>Radarr</InstanceName>"):
        assert kept in text
    assert "<AuthenticationMethod>Forms</AuthenticationMethod>" in text and text.count("<ApiKey>") == 1
    key = effective(generated["_output"])
    assert servarr(config)["changed"] == 0 and f"<ApiKey>{key}</ApiKey>" in config.read_text()

    vault = "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a"
    from_vault = servarr(config, vault)
    assert from_vault["changed"] == 1 and effective(from_vault["_output"]) == vault
    assert f"<ApiKey>{vault}</ApiKey>" in config.read_text() and "<Port>7878</Port>" in config.read_text()
    assert servarr(config, vault)["changed"] == 0


def qbittorrent(root: Path, password: str) -> dict:
    return run_playbook(PLAYBOOK, {"apps_seed": "qbittorrent", "qbittorrent_config_dir": str(root),
                                   "qbittorrent_webui_password": password, "gluetun_forwarded_port": 47123,
                                   # no such container: the "stop before editing" step finds nothing to stop
                                   "qbittorrent_container_name": "apps-seed-test-%s" % root.parent.name,
                                   **MEDIA})


def test_qbittorrent_conf_is_seeded_idempotently(tmp_path: Path) -> None:
    root = tmp_path / "qbittorrent"
    first = qbittorrent(root, "Seeded-Pass-1")
    assert first["failures"] == 0 and first["changed"] >= 1, first["_output"][-3000:]
    conf = root / "qBittorrent" / "qBittorrent.conf"
    text = conf.read_text()
    assert "Seeded-Pass-1" not in first["_output"] and stat.S_IMODE(conf.stat().st_mode) == 0o600
    for line in ("Accepted=true", "WebUI\\Username=admin", "Session\\DefaultSavePath=/media/downloads",
                 "Session\\TempPath=/media/downloads/incomplete", "Session\\TempPathEnabled=true",
                 "Session\\DisableAutoTMMByDefault=false", "Session\\Port=47123", "Session\\Interface=tun0",
                 "Session\\InterfaceName=tun0"):
        assert line in text.splitlines(), (line, text)
    assert re.search(r'^WebUI\\Password_PBKDF2="@ByteArray\([^:]+:[^)]+\)"$', text, re.M)

    again = qbittorrent(root, "Seeded-Pass-1")
    assert again["changed"] == 0 and conf.read_text() == text  # same salt: nothing rewritten
    changed = qbittorrent(root, "Other-Pass-2")
    # the plan (check mode) and the write both report the change
    assert changed["changed"] == 2 and conf.read_text() != text


def test_a_qbittorrent_password_left_empty_is_generated_once_and_kept(tmp_path: Path) -> None:
    root, kept = tmp_path / "qbittorrent", tmp_path / "secrets" / "qbittorrent-webui-password"
    first = run_playbook(PLAYBOOK, {"apps_seed": "qbittorrent", "qbittorrent_config_dir": str(root),
                                    "qbittorrent_webui_password_file": str(kept), "gluetun_forwarded_port": 47123,
                                    "qbittorrent_container_name": "apps-seed-test-%s" % tmp_path.name, **MEDIA})
    assert first["failures"] == 0 and first["changed"] >= 1, first["_output"][-3000:]
    password = kept.read_text().strip()
    assert re.fullmatch(r"[A-Za-z0-9]{32}", password) and password not in first["_output"]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    conf = root / "qBittorrent" / "qBittorrent.conf"
    stored = re.search(r'^WebUI\\Password_PBKDF2="(.*)"$', conf.read_text(), re.M)
    assert stored and qbittorrent_password_matches(stored.group(1), password)
    again = run_playbook(PLAYBOOK, {"apps_seed": "qbittorrent", "qbittorrent_config_dir": str(root),
                                    "qbittorrent_webui_password_file": str(kept), "gluetun_forwarded_port": 47123,
                                    "qbittorrent_container_name": "apps-seed-test-%s" % tmp_path.name, **MEDIA})
    assert again["changed"] == 0 and kept.read_text().strip() == password


def gluetun(root: Path, **extra: object) -> dict:
    key = base64.b64encode(bytes(range(32))).decode()
    return run_playbook(PLAYBOOK, {"apps_seed": "gluetun", "gluetun_config_dir": str(root),
                                   "gluetun_wireguard_private_key": key, **MEDIA, **extra})


def test_gluetun_keys_and_control_server_key(tmp_path: Path) -> None:
    root = tmp_path / "gluetun"
    first = gluetun(root)
    assert first["failures"] == 0 and first["changed"] >= 1, first["_output"][-3000:]
    secret = root / "secrets" / "wireguard_private_key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and not (root / "secrets" / "wireguard_preshared_key").exists()
    toml = root / "auth" / "config.toml"
    key = effective(first["_output"])
    assert f'apikey = "{key}"' in toml.read_text() and stat.S_IMODE(toml.stat().st_mode) == 0o600
    second = gluetun(root)
    assert second["changed"] == 0 and effective(second["_output"]) == key
    vault = gluetun(root, gluetun_control_server_api_key="from-the-vault-0123456789")
    assert vault["changed"] == 1 and 'apikey = "from-the-vault-0123456789"' in toml.read_text()
