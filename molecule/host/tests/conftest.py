"""Shared fixtures of the host scenario's testinfra tests, and the verify phases' durations (phases.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

SCENARIO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SCENARIO))
import phases  # noqa: E402
from phases import harness  # noqa: E402

# The verify run recorded as a phase; `hostvars`: the instance's inventory variables (molecule.yml).
pytest_sessionfinish, hostvars = harness.testinfra_hooks(phases.RECORD)


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
