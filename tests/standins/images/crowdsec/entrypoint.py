"""crowdsecurity/crowdsec's start (build/docker/docker_start.sh), reproduced around Debian's crowdsec 1.4.6.

`prepare-staging` (image build): move the package's /etc/crowdsec and /var/lib/crowdsec/data to /staging and turn
its configuration into the official image's docker config (build/docker/config.yaml: LAPI on 0.0.0.0:8080, logs
on stdout, acquis.d, the dummy acquis.yaml), with crowdsecurity/linux and crowdsecurity/whitelists enabled, as the
official Dockerfile does.

Start (no argument), in docker_start.sh's order for the variables the role uses:
- link the preloaded data files into /var/lib/crowdsec/data, seed /etc/crowdsec from /staging when it holds
  neither config.yaml nor local_api_credentials.yaml (existing files are kept);
- register the local agent (machine `localhost`) unless its credentials still work;
- drop the online API from config.yaml. Unlike the official image this happens whatever DISABLE_ONLINE_API says:
  the stand-in never registers to the central API and never enrols (ENROLL_KEY is only logged);
- enable every COLLECTIONS item (and the parsers docker-logs and cri-logs) from the offline hub, with their
  dependencies, the way Debian's postinst does: symlinks /etc/crowdsec/<type>/[<stage>/]<name>.yaml into
  /var/lib/crowdsec/hub (cscli 1.4.6 downloads even up-to-date items). Items already there (local or tainted) are
  left alone;
- register each BOUNCER_KEY_<name> bouncer that does not exist yet (an existing one is not updated);
- exec crowdsec in the foreground.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, "/standin")
from standin import log  # noqa: E402

APP = "crowdsec"
CONFIG_DIR = Path("/etc/crowdsec")
DATA_DIR = Path("/var/lib/crowdsec/data")
HUB_DIR = Path("/var/lib/crowdsec/hub")      # Debian's offline hub: symlinks into /usr/share/crowdsec/hub
STAGING = Path("/staging")
CONFIG_FILE = Path(os.environ.get("CONFIG_FILE") or CONFIG_DIR / "config.yaml")
HOSTNAME = os.environ.get("CUSTOM_HOSTNAME") or "localhost"
LAPI_URL = "http://127.0.0.1:8080"
TYPES = ("collections", "parsers", "scenarios", "postoverflows")
# The official image's acquis.yaml: a source that never matches, so the agent starts without acquis.d.
DUMMY_ACQUIS = '{"source": "file", "filename": "/does/not/exist", "labels": {"type": "syslog"}}\n'


def istrue(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def cscli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["cscli", "-c", str(CONFIG_FILE), *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        log(APP, f"cscli {' '.join(args[:2])} failed ({result.returncode}): {result.stderr.strip()[-800:]}")
        sys.exit(1)
    return result


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text()) if path.exists() else None


def dump(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False))


# -- the hub, offline ---------------------------------------------------------------------------------------------

def _index() -> dict[str, dict[str, Any]]:
    return json.loads((HUB_DIR / ".index.json").read_text())


def _link_path(config_dir: Path, item_path: str) -> Path:
    """parsers/s01-parse/crowdsecurity/caddy-logs.yaml -> <config>/parsers/s01-parse/caddy-logs.yaml (postinst)."""
    parts = Path(item_path).parts
    return config_dir.joinpath(*parts[:-2], parts[-1])


def enable(kind: str, name: str, config_dir: Path = CONFIG_DIR, index: dict | None = None,
           seen: set[tuple[str, str]] | None = None) -> list[str]:
    """Enable one hub item and what it needs; returns what was linked now."""
    index = index or _index()
    seen = seen if seen is not None else set()
    if (kind, name) in seen:
        return []
    seen.add((kind, name))
    item = index.get(kind, {}).get(name)
    if item is None:
        log(APP, f"{kind} {name} is not in the offline hub; known {kind}: {len(index.get(kind, {}))}")
        sys.exit(1)
    linked: list[str] = []
    for sub_kind in TYPES:
        for sub in item.get(sub_kind) or []:
            linked += enable(sub_kind, sub, config_dir, index, seen)
    link = _link_path(config_dir, item["path"])
    if link.is_symlink() or link.exists():
        if not link.is_symlink() or not os.readlink(link).startswith(str(HUB_DIR)):
            log(APP, f"{kind} {name}: {link} is local or tainted, left alone")
        return linked
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(HUB_DIR / item["path"])
    return linked + [f"{kind}/{name}"]


# -- build time ---------------------------------------------------------------------------------------------------

def prepare_staging() -> None:
    staged_config, staged_data = STAGING / "etc/crowdsec", STAGING / "var/lib/crowdsec/data"
    staged_config.parent.mkdir(parents=True, exist_ok=True)
    staged_data.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(CONFIG_DIR), staged_config)
    shutil.move(str(DATA_DIR), staged_data)
    CONFIG_DIR.mkdir()
    DATA_DIR.mkdir()
    # Built by the postinst for this build only: the machine is registered again at start, there is no CAPI.
    for leftover in ("online_api_credentials.yaml", "local_api_credentials.yaml"):
        (staged_config / leftover).unlink(missing_ok=True)
    for db in staged_data.glob("crowdsec.db*"):
        db.unlink()
    # Only what the official image enables (crowdsecurity/linux, crowdsecurity/whitelists), not Debian's choice.
    for kind in TYPES:
        for link in (staged_config / kind).rglob("*.yaml") if (staged_config / kind).is_dir() else []:
            if link.is_symlink():
                link.unlink()
    index = _index()
    enable("collections", "crowdsecurity/linux", staged_config, index)
    enable("parsers", "crowdsecurity/whitelists", staged_config, index)
    (staged_config / "acquis.d").mkdir(exist_ok=True)
    (staged_config / "acquis.yaml").write_text(DUMMY_ACQUIS)
    config = load(staged_config / "config.yaml")
    config["common"].update(daemonize=False, log_media="stdout")
    config["common"].pop("log_max_size", None)
    config["crowdsec_service"]["acquisition_dir"] = str(CONFIG_DIR / "acquis.d") + "/"
    # Offline: cscli 1.4.6 asks version.crowdsec.net which hub branch to use unless one is configured.
    config.setdefault("cscli", {})["hub_branch"] = "master"
    config["api"]["server"]["listen_uri"] = "0.0.0.0:8080"
    config["api"]["server"].pop("online_client", None)
    dump(staged_config / "config.yaml", config)
    log(APP, f"staged {staged_config} and {staged_data}")


# -- start --------------------------------------------------------------------------------------------------------

def seed() -> None:
    for target in sorted((STAGING / "var/lib/crowdsec/data").iterdir()):
        if not target.name.startswith("crowdsec.db") and not (DATA_DIR / target.name).exists():
            (DATA_DIR / target.name).symlink_to(target)
    if not (CONFIG_DIR / "local_api_credentials.yaml").exists() and not CONFIG_FILE.exists():
        log(APP, "Populating configuration directory...")
        staged = STAGING / "etc/crowdsec"
        for source in sorted(staged.rglob("*")):     # rsync --ignore-existing: what is there is kept
            target = CONFIG_DIR / source.relative_to(staged)
            if source.is_dir() and not source.is_symlink():
                target.mkdir(parents=True, exist_ok=True)
            elif not target.exists() and not target.is_symlink():
                shutil.copy2(source, target, follow_symlinks=False)


def register_agent() -> None:
    credentials_path = CONFIG_DIR / "local_api_credentials.yaml"
    credentials = load(credentials_path) or {}
    machines = json.loads(cscli("machines", "list", "-o", "json").stdout or "[]") or []
    if credentials.get("login") == HOSTNAME and any(m.get("machineId") == HOSTNAME for m in machines):
        log(APP, "Local agent already registered")
    else:
        log(APP, "Generate local agent credentials")
        cscli("machines", "delete", HOSTNAME, check=False)
        cscli("machines", "add", HOSTNAME, "--auto", "--force", "-f", str(credentials_path), "--url", LAPI_URL)
    credentials = load(credentials_path) or {}
    credentials["url"] = os.environ.get("LOCAL_API_URL") or LAPI_URL
    dump(credentials_path, credentials)
    credentials_path.chmod(0o600)


def no_online_api() -> None:
    if not istrue(os.environ.get("DISABLE_ONLINE_API")):
        log(APP, "DISABLE_ONLINE_API is not true: the stand-in has no online API all the same")
    if os.environ.get("ENROLL_KEY"):
        log(APP, "ENROLL_KEY is set: console enrolment needs the online API, skipped by the stand-in")
    config = load(CONFIG_FILE)
    if "online_client" in config.get("api", {}).get("server", {}):
        config["api"]["server"].pop("online_client")
        dump(CONFIG_FILE, config)


def prepare_hub() -> None:
    index, seen, linked = _index(), set(), []
    for parser in ("crowdsecurity/docker-logs", "crowdsecurity/cri-logs"):
        linked += enable("parsers", parser, index=index, seen=seen)
    for collection in (os.environ.get("COLLECTIONS") or "").split():
        linked += enable("collections", collection, index=index, seen=seen)
    log(APP, f"hub items enabled now: {', '.join(linked) or 'none (all there)'}")


def register_bouncers() -> None:
    bouncers = json.loads(cscli("bouncers", "list", "-o", "json").stdout or "[]") or []
    names = {b.get("name") for b in bouncers}
    for variable, key in sorted(os.environ.items()):
        if not variable.upper().startswith("BOUNCER_KEY_"):
            continue
        name = variable.split("_", 2)[2]
        if not key or not name or name in names:
            continue
        if cscli("bouncers", "add", name, "-k", key, check=False).returncode == 0:
            log(APP, f"Registered bouncer for {name}")
        else:
            log(APP, f"Failed to register bouncer for {name}")


def main() -> None:
    if sys.argv[1:] == ["prepare-staging"]:
        prepare_staging()
        return
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    seed()
    no_online_api()
    register_agent()
    prepare_hub()
    register_bouncers()
    log(APP, f"crowdsec -c {CONFIG_FILE}")
    os.execvp("crowdsec", ["crowdsec", "-c", str(CONFIG_FILE)])


if __name__ == "__main__":
    main()
