"""The host layer after converge (molecule verify): storage, media tree, Docker engine, media network."""

from __future__ import annotations

import json

import pytest

TREE = ["", "downloads", "downloads/incomplete", "downloads/radarr", "movies"]


def test_volume_group_on_the_declared_disk(host, hostvars):
    pvs = host.check_output(f"pvs --noheadings -o pv_name -S vg_name={hostvars['storage_lvm_vg']}").split()
    assert pvs == hostvars["storage_lvm_pvs"]


def test_logical_volume_has_the_declared_size(hostvars, lv_bytes, to_bytes):
    assert lv_bytes() == to_bytes(hostvars["storage_lvm_size"])


def test_filesystem_is_mounted_and_in_fstab(host, hostvars, lv, fs_bytes, to_bytes):
    mount = host.mount_point(hostvars["storage_mount_path"])
    assert mount.exists
    assert mount.filesystem == hostvars["storage_filesystem"]
    assert mount.device == f"/dev/mapper/{lv.replace('/', '-')}"
    fstab = [line.split() for line in host.file("/etc/fstab").content_string.splitlines()]
    assert [f"/dev/{lv}", hostvars["storage_mount_path"], hostvars["storage_filesystem"]] in [f[:3] for f in fstab]
    # The file system fills the volume (ext4 keeps a little for itself).
    assert fs_bytes() > 0.9 * to_bytes(hostvars["storage_lvm_size"])


@pytest.mark.parametrize("path", TREE)
def test_media_tree_owner_group_mode(host, hostvars, path):
    directory = host.file(f"{hostvars['storage_mount_path']}/{path}".rstrip("/"))
    assert directory.is_directory
    assert directory.uid == hostvars["mediastack_puid"]
    assert directory.gid == hostvars["mediastack_pgid"]
    assert directory.mode == 0o2775


def test_media_user_and_group(host, hostvars):
    user = host.user("media")
    assert user.uid == hostvars["mediastack_puid"]
    assert user.gid == hostvars["mediastack_pgid"]
    assert user.shell == "/usr/sbin/nologin"


def test_docker_engine_runs_under_systemd(host):
    docker = host.service("docker")
    assert docker.is_enabled
    assert docker.is_running
    daemon = json.loads(host.file("/etc/docker/daemon.json").content_string)
    assert daemon["log-driver"] == "json-file"


def test_media_network(host):
    network = json.loads(host.check_output("docker network inspect media"))[0]
    assert network["Driver"] == "bridge"
    assert network["IPAM"]["Config"][0]["Subnet"] == "172.20.0.0/24"


def test_hardlink_from_downloads_into_movies_is_one_inode(host, hostvars):
    root = hostvars["storage_mount_path"]
    source, link = f"{root}/downloads/radarr/hardlink-test.mkv", f"{root}/movies/hardlink-test.mkv"
    host.check_output(f"rm -f {source} {link} && head -c 1M /dev/zero > {source} && ln {source} {link}")
    try:
        inode, links = host.check_output(f"stat -c '%i %h' {source}").split()
        assert host.check_output(f"stat -c '%i %h' {link}").split() == [inode, links]
        assert links == "2"
    finally:
        host.run(f"rm -f {source} {link}")
