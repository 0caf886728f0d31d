"""Shared fixtures of the host scenario's testinfra tests, and the verify phases' durations (phases.py)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

SCENARIO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SCENARIO))
import phases  # noqa: E402

_started = time.monotonic()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Record this verify run as a phase: verify (tests/converge), verify-grow, verify-safety."""
    paths = [Path(arg.split("::")[0]).resolve() for arg in session.config.args]
    suites = {path.name if path.is_dir() else path.parent.name for path in paths}
    name = "verify" if suites <= {"converge"} else "verify-" + "-".join(sorted(suites))
    print("\n" + phases.record(name, time.monotonic() - _started, exitstatus == 0))


@pytest.fixture(scope="module")
def hostvars(host):
    """The VM's inventory variables (molecule.yml, provisioner.inventory.host_vars)."""
    return host.ansible.get_variables()


@pytest.fixture(scope="module")
def lv(hostvars) -> str:
    return f"{hostvars['storage_lvm_vg']}/{hostvars['storage_lvm_lv']}"


@pytest.fixture(scope="module")
def lv_bytes(host, lv):
    """A function: the logical volume's current size in bytes (lvs)."""

    def size() -> int:
        out = host.check_output(f"lvs --reportformat json --units b --nosuffix -o lv_size {lv}")
        return int(json.loads(out)["report"][0]["lv"][0]["lv_size"])

    return size


@pytest.fixture(scope="module")
def fs_bytes(host, hostvars):
    """A function: the size in bytes of the file system mounted at storage_mount_path (df)."""

    def size() -> int:
        return int(host.check_output(f"df -B1 --output=size {hostvars['storage_mount_path']} | tail -n 1").strip())

    return size


@pytest.fixture(scope="session")
def to_bytes():
    """A function: an lvol-style size with a binary unit (1G, 512M) in bytes."""

    def convert(size: str) -> int:
        units = {"K": 1, "M": 2, "G": 3, "T": 4}
        return int(float(size[:-1]) * 1024 ** units[size[-1].upper()])

    return convert
