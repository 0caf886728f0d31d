"""The stack after converge and the idempotence run (molecule verify): every app runs healthy at its address,
qBittorrent is locked into Gluetun's tunnel, only the asked ports are published, hardlinks work across
containers, secrets are 0600 and the API keys survive a converge."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import phases
import pytest
from conftest import APPS, CONTAINERS, EDGE, MEDIA_USERS, ON_MEDIA_NETWORK, exec_in, wait_healthy

QBITTORRENT_CONF = "qbittorrent/qBittorrent/qBittorrent.conf"


@pytest.mark.parametrize("app", [*APPS, "crowdsec"])
def test_container_runs_healthy(container, app):
    running = container(app)
    status = wait_healthy(running)
    logs = running.logs(tail=20).decode(errors="replace")
    assert running.attrs["State"]["Running"], f"{app} is not running:\n{logs}"
    assert status == "healthy", f"{app}: health {status}:\n{logs}"
    assert running.attrs["RestartCount"] == 0


@pytest.mark.parametrize("app", [*APPS, "crowdsec"])
def test_container_runs_the_inventory_image(container, hostvars, app):
    assert container(app).attrs["Config"]["Image"] == hostvars[f"{app}_image"]


def test_media_network(media_network, hostvars):
    ipam = media_network.attrs["IPAM"]["Config"]
    assert media_network.attrs["Driver"] == "bridge"
    assert [(c["Subnet"], c["Gateway"]) for c in ipam] == [(hostvars["network_subnet"], hostvars["network_gateway"])]


@pytest.mark.parametrize("app", ON_MEDIA_NETWORK + EDGE)
def test_container_has_its_fixed_address(container, network_name, addresses, app):
    networks = container(app).attrs["NetworkSettings"]["Networks"]
    assert list(networks) == [network_name], f"{app} is on {list(networks)}"
    assert networks[network_name]["IPAddress"] == addresses[app]
    assert (networks[network_name].get("IPAMConfig") or {}).get("IPv4Address") == addresses[app]


def test_qbittorrent_lives_in_gluetuns_namespace(container):
    gluetun, qbittorrent = container("gluetun"), container("qbittorrent")
    assert qbittorrent.attrs["HostConfig"]["NetworkMode"] == f"container:{gluetun.id}"
    namespaces = [Path(f"/proc/{c.attrs['State']['Pid']}/ns/net").readlink() for c in (gluetun, qbittorrent)]
    assert namespaces[0] == namespaces[1]


def test_qbittorrent_routes_only_through_tun0(container):
    qbittorrent = container("qbittorrent")
    # `ip route get` computes the route the kernel would take; nothing is sent.
    route = exec_in(qbittorrent, ["ip", "route", "get", "1.1.1.1"])
    assert re.search(r"\bdev tun0\b", route), route
    defaults = json.loads(exec_in(qbittorrent, ["ip", "-j", "-4", "route", "show", "default"]))
    assert [r["dev"] for r in defaults] == ["tun0"], defaults
    assert exec_in(qbittorrent, ["ip", "-6", "route", "show", "default"]).strip() == ""


def test_qbittorrent_discovers_nothing_and_listens_on_the_tunnel_only(container, hostvars, role_default):
    """The stand-in runs the real qBittorrent: what the role seeded must keep it to the tunnel and loopback
    (the lab has no peers to find, and nothing may leave this machine)."""
    qbittorrent = container("qbittorrent")
    tunnel = json.loads(exec_in(qbittorrent, ["ip", "-j", "-4", "addr", "show", "dev", "tun0"]))
    tunnel_address = tunnel[0]["addr_info"][0]["local"]
    webui = str(role_default("qbittorrent", "qbittorrent_webui_port"))
    # As qBittorrent's own user: only then may ss read its sockets' owners (the container has no CAP_SYS_PTRACE).
    owner = f"{hostvars['mediastack_puid']}:{hostvars['mediastack_pgid']}"
    listing = exec_in(qbittorrent, ["ss", "-tunapH"], user=owner)
    sockets = [line.split() for line in listing.splitlines() if "qbittorrent-nox" in line]
    # The session listens on the forwarded port, on the tunnel's address only.
    torrent = [s for s in sockets if s[4].rsplit(":", 1)[1] == str(hostvars["gluetun_forwarded_port"])]
    assert {s[0] for s in torrent} == {"tcp", "udp"}, listing
    foreign = []
    for proto, _state, _recv, _send, local, *_ in sockets:
        host, port = local.rsplit(":", 1)
        if port != webui and host.strip("[]").split("%", 1)[0] not in ("127.0.0.1", "::1", tunnel_address):
            foreign.append(f"{proto} {local}")
    assert foreign == [], listing
    # Credentials through the environment, not the command line.
    code, output = qbittorrent.exec_run(["sh", "-c", (
        'curl -sS -c /tmp/jar --data-urlencode "username=$QBT_USER" --data-urlencode "password=$QBT_PASSWORD" '
        f'http://127.0.0.1:{webui}/api/v2/auth/login >/dev/null && '
        f'curl -sS -b /tmp/jar http://127.0.0.1:{webui}/api/v2/app/preferences')],
        environment={"QBT_USER": hostvars["qbittorrent_webui_username"],
                     "QBT_PASSWORD": hostvars["qbittorrent_webui_password"]})
    assert code == 0, output
    prefs = json.loads(output)
    expected = {key: role_default("qbittorrent", f"qbittorrent_{key}_enabled") for key in ("dht", "pex", "lsd")}
    expected["resolve_peer_countries"] = role_default("qbittorrent", "qbittorrent_resolve_peer_countries")
    assert expected == {"dht": False, "pex": False, "lsd": False, "resolve_peer_countries": False}
    assert {k: prefs[k] for k in [*expected, "upnp", "web_ui_upnp"]} == {**expected, "upnp": False,
                                                                         "web_ui_upnp": False}
    assert prefs["current_network_interface"] == "tun0"


def test_only_the_asked_ports_are_published(client, container, media_network, published):
    """Every container of the stack and every other one on the media network: PortBindings exactly as the
    inventory's <app>_published_ports, nothing published by PublishAllPorts, and what Docker actually bound."""
    apps = {app: container(app) for app in CONTAINERS}
    on_network = {c.name for c in client.containers.list(all=True, filters={"network": media_network.name})}
    assert on_network <= set(apps), f"containers on {media_network.name} that are not the stack's: " \
                                    f"{sorted(on_network - set(apps))}"
    for app, running in apps.items():
        wanted = {port: sorted(binds) for port, binds in published.get(app, {}).items()}
        bindings = running.attrs["HostConfig"].get("PortBindings") or {}
        declared = {port: sorted((b.get("HostIp") or "0.0.0.0", b["HostPort"]) for b in binds)
                    for port, binds in bindings.items() if binds}
        assert declared == wanted, f"{app}: published {declared}, the inventory asked for {wanted}"
        assert not running.attrs["HostConfig"].get("PublishAllPorts")
        actual = {port: sorted((b["HostIp"], b["HostPort"]) for b in binds)
                  for port, binds in (running.attrs["NetworkSettings"].get("Ports") or {}).items() if binds}
        assert actual == wanted, f"{app}: Docker bound {actual}"


def test_published_ports_answer_on_loopback(published, to_container):
    jellyfin = published["jellyfin"]["8096/tcp"][0]
    assert to_container(f"http://{jellyfin[0]}:{jellyfin[1]}/health") == (200, "Healthy")


@pytest.mark.parametrize("app", MEDIA_USERS)
def test_media_is_one_mount_at_the_same_path(container, hostvars, app):
    mounts = {m["Destination"]: m for m in container(app).attrs["Mounts"]}
    assert "/media" in mounts, f"{app} has no /media"
    assert mounts["/media"]["Source"] == hostvars["storage_mount_path"]
    assert mounts["/media"]["RW"]


def test_hardlink_from_download_to_library_across_containers(container, hostvars):
    """qBittorrent writes a download; Radarr hardlinks it into the library (one inode, two links)."""
    apps = {app: container(app) for app in MEDIA_USERS}
    user = f"{hostvars['mediastack_puid']}:{hostvars['mediastack_pgid']}"
    name = f"stack-test-{uuid.uuid4().hex[:8]}.mkv"
    download, movie = f"/media/downloads/radarr/{name}", f"/media/movies/{name}"
    try:
        exec_in(apps["qbittorrent"], ["sh", "-c", f"printf 'not a movie' > {download}"], user=user)
        exec_in(apps["radarr"], ["ln", download, movie], user=user)
        stats = exec_in(apps["radarr"], ["stat", "-c", "%i %h", download, movie]).split("\n")
        (inode_a, links_a), (inode_b, links_b) = (line.split() for line in stats if line)
        assert inode_a == inode_b
        assert links_a == links_b == "2"
        # The same file as the host and Jellyfin see it.
        host_file = Path(hostvars["storage_mount_path"]) / "movies" / name
        assert str(host_file.stat().st_ino) == inode_a
        assert exec_in(apps["jellyfin"], ["cat", movie]) == "not a movie"
    finally:
        for path in (download, movie):
            (Path(hostvars["storage_mount_path"]) / path.removeprefix("/media/")).unlink(missing_ok=True)


def _secrets(hostvars, config_root: Path, api_keys) -> list[str]:
    ephemeral = config_root.parents[1]
    values = [hostvars.get("qbittorrent_webui_password"), hostvars.get("jellyfin_admin_password"),
              hostvars.get("radarr_api_key"), hostvars.get("prowlarr_api_key"),
              hostvars.get("gluetun_control_server_api_key"), *api_keys().values()]
    values += [p.read_text().strip() for p in (ephemeral / "stack-secrets").glob("wireguard-*.key")]
    return [v for v in values if isinstance(v, str) and len(v) >= 8 and "{{" not in v]


@pytest.mark.parametrize("relative", ["radarr/config.xml", "prowlarr/config.xml"])
def test_secret_file_is_0600(config_root, relative):
    path = config_root / relative
    assert path.is_file(), f"{path} is missing"
    assert path.stat().st_mode & 0o777 == 0o600, f"{path} is {oct(path.stat().st_mode & 0o777)}"


def test_qbittorrent_conf_is_reachable_by_its_owner_only_and_holds_no_plain_password(hostvars, config_root):
    """qBittorrent writes its settings back itself (a new file, with the container's UMASK 002: 0664), so
    the role cannot keep the file at 0600; the directory around it is 0700 instead, and the file holds the
    PBKDF2 value, never the password."""
    conf = config_root / QBITTORRENT_CONF
    directory = conf.parent
    assert directory.stat().st_mode & 0o777 == 0o700, f"{directory} is {oct(directory.stat().st_mode & 0o777)}"
    assert directory.stat().st_uid == int(hostvars["mediastack_puid"])
    text = conf.read_text()
    assert "Password_PBKDF2=" in text and "@ByteArray(" in text
    assert hostvars["qbittorrent_webui_password"] not in text


def _private(path: Path, root: Path) -> bool:
    """Only its owner reaches `path`: the file is 0600, or a directory between it and `root` is 0700 (for files
    an app writes itself with its own mode, like qBittorrent's, Seerr's and Jellyfin's)."""
    return not path.stat().st_mode & 0o077 or any(
        not parent.stat().st_mode & 0o077 for parent in path.parents if parent != root and root in parent.parents)


def test_every_file_holding_a_secret_is_reachable_by_its_owner_only(hostvars, config_root, api_keys):
    """Any file under the config root that holds a test secret (API keys, WireGuard keys, passwords, a
    Gluetun auth file) is readable by its owner only: 0600 itself, or inside a 0700 directory."""
    secrets = _secrets(hostvars, config_root, api_keys)
    assert secrets
    holders = []
    for path in config_root.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.stat().st_size < 1 << 20:
            content = path.read_bytes().decode(errors="replace")
            if any(secret in content for secret in secrets):
                holders.append(path)
    loose = {str(p): oct(p.stat().st_mode & 0o777) for p in holders if not _private(p, config_root)}
    assert not loose, f"files holding a secret readable by others: {loose}"


def test_api_keys_survive_converges(api_keys, api_key_snapshots, hostvars):
    now = api_keys()
    snapshots = api_key_snapshots()
    assert set(snapshots) >= {"converge", "idempotence"}, f"snapshots: {sorted(snapshots)}"
    for phase, keys in snapshots.items():
        assert keys == now, f"API keys after {phase} differ from now"
    assert now["radarr"] == hostvars["radarr_api_key"]        # from the inventory
    assert re.fullmatch(r"[0-9a-f]{32}", now["prowlarr"] or "")  # generated once and kept


@pytest.mark.parametrize(("app", "port", "version"), [("radarr", 7878, "v3"), ("prowlarr", 9696, "v1")])
def test_api_answers_with_the_key(addresses, api_keys, to_container, app, port, version):
    url = f"http://{addresses[app]}:{port}/api/{version}/system/status"
    assert to_container(url)[0] == 401
    status, body = to_container(url, headers={"X-Api-Key": api_keys()[app]})
    assert status == 200, body


def test_qbittorrent_webui_login_at_gluetuns_address(webui_login):
    assert webui_login() == (200, "Ok.")


def test_qbittorrent_webui_login_on_the_published_port(webui_login, published):
    ip, port = published["gluetun"]["8080/tcp"][0]
    assert webui_login(f"http://{ip}:{port}") == (200, "Ok.")


def test_a_plan_of_the_converged_stack_changes_nothing():
    record = phases.phase_record("check-converged")
    assert record and record["ok"] and record["changed"] == 0, record
