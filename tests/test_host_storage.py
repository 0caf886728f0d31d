"""roles/storage: the media tree in `path` mode for real, and the LVM safety checks on image files.

No block device is touched: blkid probes regular files like devices, and `lvs` is a stand-in on PATH.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.ansible_run import run_module
from tests.host_helpers import TEST_GID, TEST_UID, blkid_type, disk_image, fake_lvm_env, role_run

TREE = ["", "downloads", "downloads/incomplete", "downloads/radarr", "movies"]

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="sets owners: run as root")


def path_mode(root: Path) -> dict:
    return {"storage_mode": "path", "storage_mount_path": str(root),
            "storage_media_owner": TEST_UID, "storage_media_group": TEST_GID}


@pytest.fixture
def media_root(tmp_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir(mode=0o755)
    return root


def test_path_mode_makes_the_tree_then_changes_nothing(media_root: Path) -> None:
    first = role_run("storage", **path_mode(media_root))
    assert first["failures"] == 0, first["failed_msgs"]
    assert first["changed"] == 2  # the root, and the loop over the tree
    for sub in TREE:
        info = (media_root / sub).stat()
        assert (info.st_uid, info.st_gid) == (TEST_UID, TEST_GID), sub
        assert stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o2775, (sub, oct(info.st_mode))

    second = role_run("storage", **path_mode(media_root))
    assert (second["failures"], second["changed"]) == (0, 0)


def test_check_mode_writes_nothing(media_root: Path) -> None:
    before = media_root.stat()
    plan = role_run("storage", check=True, **path_mode(media_root))
    assert plan["failures"] == 0, plan["failed_msgs"]
    assert plan["changed"] == 2  # it says what it would do ...
    after = media_root.stat()  # ... and does none of it
    assert list(media_root.iterdir()) == []
    assert (after.st_uid, after.st_gid, after.st_mode) == (before.st_uid, before.st_gid, before.st_mode)


def test_path_mode_needs_an_existing_directory(tmp_path: Path) -> None:
    missing = tmp_path / "not-mounted"
    result = role_run("storage", **path_mode(missing))
    assert result["failures"] == 1 and result["changed"] == 0
    assert "storage_mount_path %s must be an existing directory" % missing in result["failed_msgs"][0]
    assert not missing.exists()


def lvm(tmp_path: Path, pvs: list[Path], **extra: object) -> dict:
    return {"storage_mode": "lvm", "storage_lvm_pvs": [str(pv) for pv in pvs], "storage_lvm_vg": "pool01",
            "storage_lvm_lv": "media", "storage_mount_path": str(tmp_path / "mnt"),
            "storage_media_owner": TEST_UID, "storage_media_group": TEST_GID, **extra}


def test_a_disk_with_a_file_system_is_refused_and_left_alone(tmp_path: Path) -> None:
    blank = disk_image(tmp_path / "blank.img")
    used = disk_image(tmp_path / "used.img", "ext4")
    result = role_run("storage", "validate", env=fake_lvm_env(tmp_path, None),
                      **lvm(tmp_path, [blank, used], storage_lvm_size="100%VG"))
    assert result["failures"] == 1 and result["changed"] == 0
    [message] = result["failed_msgs"]
    assert "refusing to use %s as an LVM physical volume: it holds ext4 (UUID " % used in message
    assert "wanted LVM2_member or nothing" in message and "never wipes" in message
    assert blkid_type(used) == "ext4"


def test_blank_disks_and_a_growing_size_pass(tmp_path: Path) -> None:
    blank = disk_image(tmp_path / "blank.img")
    volume = disk_image(tmp_path / "lv.img", "ext4")
    # The LV is 80 GiB in a 100 GiB VG with 4 MiB extents: 100%VG grows it (more sizes in test_host_filters.py).
    env = fake_lvm_env(tmp_path, "85899345920;107374182400;4194304")
    result = role_run("storage", "validate", env=env,
                      **lvm(tmp_path, [blank], storage_lvm_size="100%VG", __storage_lv_device=str(volume)))
    assert (result["failures"], result["changed"]) == (0, 0), result["failed_msgs"]


def test_a_size_below_the_current_one_is_refused(tmp_path: Path) -> None:
    size = "50G"  # percentages and rounding: test_host_filters.py
    blank = disk_image(tmp_path / "blank.img")
    env = fake_lvm_env(tmp_path, "85899345920;107374182400;4194304")
    result = role_run("storage", "validate", env=env, **lvm(tmp_path, [blank], storage_lvm_size=size))
    assert result["failures"] == 1 and result["changed"] == 0
    [message] = result["failed_msgs"]
    assert "storage_lvm_size %s" % size in message
    assert "current size of pool01/media (85899345920 bytes)" in message and "never" in message


def test_the_volume_holding_another_file_system_is_refused(tmp_path: Path) -> None:
    blank = disk_image(tmp_path / "blank.img")
    volume = disk_image(tmp_path / "lv.img", "ext4")
    env = fake_lvm_env(tmp_path, "85899345920;107374182400;4194304")
    result = role_run("storage", "validate", env=env, **lvm(tmp_path, [blank], storage_lvm_size="100%VG",
                                                               storage_filesystem="xfs",
                                                               __storage_lv_device=str(volume)))
    assert result["failures"] == 1 and result["changed"] == 0
    assert "%s as the xfs file system for %s: it holds ext4" % (volume, tmp_path / "mnt") in result["failed_msgs"][0]
    assert "wanted xfs or nothing" in result["failed_msgs"][0]


def test_a_malformed_size_is_refused(tmp_path: Path) -> None:
    size = "50X"  # the other malformed sizes: test_host_filters.py
    blank = disk_image(tmp_path / "blank.img")
    result = role_run("storage", "validate", env=fake_lvm_env(tmp_path, None),
                      **lvm(tmp_path, [blank], storage_lvm_size=size))
    assert result["failures"] == 1 and result["changed"] == 0
    assert "storage_lvm_size %s:" % size in result["failed_msgs"][0]


def test_the_filesystem_module_itself_refuses_another_file_system(tmp_path: Path) -> None:
    """The second line of defence behind our probe: community.general.filesystem without force."""
    volume = disk_image(tmp_path / "lv.img", "ext4")
    result = run_module("community.general.filesystem", {"dev": str(volume), "fstype": "ext3"})
    assert result["failed"] and "is already used as ext4, use force=true to overwrite" in result["msg"]
    assert blkid_type(volume) == "ext4"
