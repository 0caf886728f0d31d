"""GeoIP in containers: the real geoipupdate in its stand-in image fetching the lab GeoLite2-Country database
from the lab update server (a container on the test network, GEOIPUPDATE_HOST=http://...), then the geoip role
run with ansible-playbook against the same pair (select with `-m standins`)."""
from __future__ import annotations

import contextlib
import json
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import maxminddb
import pytest
from docker.errors import APIError, NotFound

from tests.ansible_run import REPO, run_playbook
from tests.lab import geolite2
from tests.standins.builder import base_ref
from tests.standins.harness import ADDRESSES, LABEL, NETWORK, SUBNET, TIMINGS

ACCOUNT, KEY = "424242", "lab_license_key_0123456789"
PORT = 8080
HOST = f"http://{ADDRESSES['geoip-update-server']}:{PORT}"
DB = f"{geolite2.EDITION}.mmdb"
PLAYBOOK = "tests/lab/playbooks/geoip.yml"
UPDATER = "mediastack-test-geoipupdate"     # not the production name: a real updater on this machine stays


class LabServer:
    """The lab update server in a container on the test network, serving <served>/<edition>.mmdb."""

    def __init__(self, container: Any, served: Path) -> None:
        self.container, self.served = container, served

    def publish(self, version: int) -> None:
        geolite2.write(self.served / DB, version)

    def requests(self) -> list[str]:
        """The kind of each request so far (metadata, download), from the server's log lines."""
        lines = self.container.logs(stdout=True, stderr=False).decode().splitlines()
        entries = [json.loads(line) for line in lines if line.startswith('{"method"')]
        return [e["path"].split("?")[0].rsplit("/", 1)[-1] + (f" {e['status']}" if e["status"] != 200 else "")
                for e in entries]


@pytest.fixture
def lab_server(docker_client, standin_images, standin_network, tmp_path: Path) -> Iterator[LabServer]:
    served = tmp_path / "served"
    served.mkdir()
    server = LabServer(None, served)
    server.publish(1)
    container = docker_client.containers.create(
        base_ref(), ["python3", "/lab/geoip_update_server.py", "--directory", "/served",
                     "--listen", f"0.0.0.0:{PORT}", "--account-id", ACCOUNT, "--license-key", KEY],
        name="mediastack-test-geoip-update-server", labels={LABEL: "1"}, detach=True,
        environment={"PYTHONDONTWRITEBYTECODE": "1"},
        volumes={str(REPO / "tests" / "lab"): {"bind": "/lab", "mode": "ro"},
                 str(served): {"bind": "/served", "mode": "ro"}},
        network=standin_network.name, networking_config={standin_network.name: docker_client.api.
                                                          create_endpoint_config(
                                                              ipv4_address=ADDRESSES["geoip-update-server"])})
    server.container = container
    container.start()
    deadline = time.monotonic() + 20
    while '"listening"' not in container.logs().decode():
        container.reload()
        assert container.status == "running" and time.monotonic() < deadline, container.logs().decode()
        time.sleep(0.1)
    yield server
    with contextlib.suppress(NotFound, APIError):
        container.remove(force=True)


def update_once(run_standin, databases: Path, key: str = KEY) -> tuple[int, str]:
    """The stand-in run once (GEOIPUPDATE_FREQUENCY unset), as the role's first download does: (exit, log)."""
    container = run_standin("geoipupdate", environment={
        "GEOIPUPDATE_ACCOUNT_ID": ACCOUNT, "GEOIPUPDATE_LICENSE_KEY": key, "GEOIPUPDATE_EDITION_IDS": geolite2.EDITION,
        "GEOIPUPDATE_HOST": HOST, "GEOIPUPDATE_VERBOSE": "1"},
        volumes={str(databases): {"bind": "/usr/share/GeoIP", "mode": "rw"}})
    code = container.wait(timeout=120)["StatusCode"]
    log = container.logs().decode(errors="replace")
    container.remove(v=True)                                  # frees its address for the next run
    return code, log


def country(path: Path, ip: str) -> str:
    with maxminddb.open_database(str(path)) as reader:
        return reader.get(ip)["country"]["iso_code"]


def test_real_geoipupdate_in_the_standin_follows_the_lab_server(run_standin, lab_server, tmp_path: Path) -> None:
    databases = tmp_path / "GeoIP"
    databases.mkdir()
    started = time.monotonic()
    code, log = update_once(run_standin, databases, key="not-the-key")
    assert code != 0 and "401" in log, log
    assert not (databases / DB).exists() and lab_server.requests() == ["metadata 401"]

    code, log = update_once(run_standin, databases)
    assert code == 0, log
    assert country(databases / DB, "203.0.113.5") == "SG" and country(databases / DB, "198.51.100.7") == "RU"
    first = (databases / DB).stat()

    code, log = update_once(run_standin, databases)          # the same database: checked, not downloaded
    assert code == 0 and "No new updates available" in log, log
    assert (databases / DB).stat().st_ino == first.st_ino and (databases / DB).stat().st_mtime == first.st_mtime
    assert lab_server.requests() == ["metadata 401", "metadata", "download", "metadata"]

    lab_server.publish(2)
    version_1 = (databases / DB).read_bytes()
    with (databases / DB).open("rb") as reader_of_v1:       # a reader that has the old file open (Caddy)
        code, log = update_once(run_standin, databases)
        assert code == 0, log
        assert reader_of_v1.read() == version_1
        old = os.fstat(reader_of_v1.fileno())
    new = (databases / DB).stat()
    assert new.st_ino != old.st_ino and old.st_nlink == 0    # replaced by a rename, the old file left intact
    assert country(databases / DB, "203.0.113.5") == "RU"
    assert sorted(p.name for p in databases.iterdir()) == [".geoipupdate.lock", DB]
    assert lab_server.requests()[-2:] == ["metadata", "download"]
    TIMINGS["geoipupdate stand-in, 5 runs"] = f"{time.monotonic() - started:.1f} s"


# -- the role -------------------------------------------------------------------------------------------------

@pytest.fixture
def role(docker_client, standin_images, standin_network, tmp_path: Path) -> Iterator[Any]:
    """run(check=False, **extra_vars) -> the play recap of the geoip role with the lab's inputs; the config root
    is tmp_path/config. The containers the role made are removed afterwards."""
    def run(check: bool = False, **extra: Any) -> dict[str, Any]:
        recap = run_playbook(PLAYBOOK, {
            "geoip_image": standin_images.images["geoipupdate"], "geoip_host": HOST, "geoip_account_id": ACCOUNT,
            "geoip_license_key": KEY, "geoip_container_name": UPDATER, "geoip_download_timeout": 60,
            "mediastack_config_root": str(tmp_path / "config"), "mediastack_puid": os.getuid(),
            "mediastack_pgid": os.getgid(), "network_name": standin_network.name, "network_subnet": SUBNET,
            "network_service_addresses": {"geoipupdate": ADDRESSES["geoipupdate"]}, **extra}, check=check)
        assert KEY not in recap["_output"], "the license key was printed"
        return recap

    yield run
    for name in (UPDATER, f"{UPDATER}-first-download"):
        with contextlib.suppress(NotFound, APIError):
            docker_client.containers.get(name).remove(force=True)


def updater(docker_client) -> Any:
    try:
        return docker_client.containers.get(UPDATER)
    except NotFound:
        return None


def test_the_role_downloads_before_returning_then_keeps_an_updater(role, lab_server, docker_client,
                                                                   tmp_path: Path) -> None:
    config = tmp_path / "config"
    started = time.monotonic()
    plan = role(check=True)
    assert plan["failures"] == 0 and plan["changed"] > 0, plan["_output"][-3000:]
    assert not config.exists() and updater(docker_client) is None and lab_server.requests() == []

    first = role()
    assert first["failures"] == 0 and first["changed"] > 0, first["_output"][-3000:]
    database = config / "geoip" / DB
    assert country(database, "203.0.113.5") == "SG"
    for name, value in (("geoip-account-id", ACCOUNT), ("geoip-license-key", KEY)):
        secret = config / "secrets" / name
        assert secret.read_text() == value + "\n" and stat.S_IMODE(secret.stat().st_mode) == 0o600
    container = updater(docker_client)
    assert container is not None and container.attrs["State"]["Health"]["Status"] == "healthy"
    env = dict(item.split("=", 1) for item in container.attrs["Config"]["Env"])
    assert env["GEOIPUPDATE_FREQUENCY"] == "24" and env["GEOIPUPDATE_HOST"] == HOST
    assert KEY not in json.dumps(container.attrs), "the license key is in the container's configuration"
    assert container.attrs["NetworkSettings"]["Networks"][NETWORK]["IPAddress"] \
        == ADDRESSES["geoipupdate"]
    assert container.attrs["HostConfig"]["PortBindings"] in ({}, None)
    # The first download (a one-shot container, gone), then the updater's first check.
    assert lab_server.requests() == ["metadata", "download", "metadata"]
    with contextlib.suppress(NotFound):
        pytest.fail(f"left behind: {docker_client.containers.get(f'{UPDATER}-first-download').name}")

    again = role()
    assert again["failures"] == 0 and again["changed"] == 0, again["_output"][-3000:]
    assert role(check=True)["changed"] == 0
    assert updater(docker_client).id == container.id and lab_server.requests()[-1] == "metadata"

    off = role(geoip_enabled=False)
    assert off["failures"] == 0 and off["changed"] == 1, off["_output"][-3000:]
    assert updater(docker_client) is None and database.is_file()
    TIMINGS["geoip role: plan, converge, idempotence, check, off"] = f"{time.monotonic() - started:.1f} s"


def test_the_role_uses_a_database_of_yours_without_an_updater(role, docker_client, tmp_path: Path) -> None:
    own = geolite2.write(tmp_path / "own.mmdb", 2)
    first = role(geoip_account_id="", geoip_license_key="", geoip_database_path=str(own))
    assert first["failures"] == 0 and first["changed"] == 2, first["_output"][-3000:]   # directory, copy
    assert (tmp_path / "config" / "geoip" / DB).read_bytes() == own.read_bytes()
    assert updater(docker_client) is None and not (tmp_path / "config" / "secrets").exists()
    assert role(geoip_account_id="", geoip_license_key="", geoip_database_path=str(own))["changed"] == 0


def test_the_role_stops_naming_the_variables(role, lab_server, tmp_path: Path) -> None:
    missing = role(geoip_account_id="", geoip_license_key="")
    assert missing["failures"] == 1
    assert ("set geoip_account_id and geoip_license_key (a free MaxMind GeoLite2 account, in the vault), "
            "or geoip_database_path") in missing["_output"], missing["_output"][-3000:]
    assert not (tmp_path / "config").exists()

    wrong = role(geoip_license_key="not_the_lab_key")
    assert wrong["failures"] == 1
    output = wrong["_output"]
    assert "Check geoip_account_id and geoip_license_key" in output and "401" in output, output[-3000:]
    assert "not_the_lab_key" not in output and not (tmp_path / "config" / "geoip" / DB).exists()
