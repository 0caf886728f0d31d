"""After safety.yml: the refused converge left the XFS disk, its file and the volume group as they were."""

from __future__ import annotations


def test_disk_still_holds_its_filesystem(host, hostvars):
    disk = hostvars["host_scenario_safety_disk"]
    assert host.check_output(f"blkid -p -o value -s TYPE {disk}") == "xfs"


def test_file_on_the_disk_is_intact(host, hostvars):
    disk, name = hostvars["host_scenario_safety_disk"], hostvars["host_scenario_safety_file"]
    mountpoint = "/mnt/safety-verify"
    host.check_output(f"mkdir -p {mountpoint} && mount -o ro {disk} {mountpoint}")
    try:
        assert host.file(f"{mountpoint}/{name}").content_string == hostvars["host_scenario_safety_content"] + "\n"
    finally:
        host.run(f"umount {mountpoint}")


def test_volume_group_did_not_take_the_disk(host, hostvars):
    pvs = host.check_output(f"pvs --noheadings -o pv_name -S vg_name={hostvars['storage_lvm_vg']}").split()
    assert pvs == hostvars["storage_lvm_pvs"]
    assert hostvars["host_scenario_safety_disk"] not in host.check_output("pvs --noheadings -o pv_name")
