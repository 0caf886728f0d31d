"""After grow.yml: the logical volume and its file system have the larger size, and no data was lost."""

from __future__ import annotations


def test_logical_volume_grew(hostvars, lv_bytes, to_bytes):
    assert lv_bytes() == to_bytes(hostvars["host_scenario_grown_size"])


def test_filesystem_grew(hostvars, fs_bytes, to_bytes):
    grown, before = to_bytes(hostvars["host_scenario_grown_size"]), to_bytes(hostvars["storage_lvm_size"])
    assert fs_bytes() > max(before, 0.9 * grown)


def test_file_written_before_is_still_there(host, hostvars):
    marker = host.file(f"{hostvars['storage_mount_path']}/movies/before-grow.txt")
    assert marker.content_string == "written before the volume grew\n"


def test_still_mounted(host, hostvars):
    assert host.mount_point(hostvars["storage_mount_path"]).exists
