"""site.yml checks every input of every layer first: a catalogue of the mistakes a self-hoster makes, each stopped
in the first plays with a message naming the inventory's variable, every problem at once, nothing run after.

Every case runs the real site.yml on this machine (inventory/local) in check mode; the validation plays only read.
The catalogue runs as one site.yml over one host per case (each a local connection with its own host variables), so
every case is checked by the same plays in one Ansible run instead of one run each.
"""
from __future__ import annotations

import base64
import ipaddress
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.ansible_run import BIN, REPO, ansible_env, run_playbook
from tests.host_helpers import failed_messages, report

KEY = base64.b64encode(bytes(range(32))).decode()
SECRETS = {"gluetun_wireguard_private_key": KEY, "gluetun_wireguard_addresses": "10.150.0.2/32",
           "gluetun_forwarded_port": 47123, "qbittorrent_webui_password": "Seeded-Pass-1",
           "geoip_account_id": "123456", "geoip_license_key": "Lab_LicenseKey_1"}
EDGE = {"caddy_acme_email": "admin@media.home.arpa", "caddy_geoip_allow_countries": ["DE"]}
ADDRESSES = {"jellyfin": "172.20.0.10", "seerr": "172.20.0.12", "radarr": "172.20.0.13", "gluetun": "172.20.0.14",
             "profilarr": "172.20.0.15", "prowlarr": "172.20.0.20", "flaresolverr": "172.20.0.21",
             "crowdsec": "172.20.0.22", "caddy": "172.20.0.23", "geoipupdate": "172.20.0.24"}
GITOPS = {"gitops_enabled": True, "gitops_repo_url": "https://git.example.org/me/home-infra.git"}
# The plays of playbooks/validate.yml: nothing else may run before a problem stops the run.
VALIDATION_PLAYS = ("Inputs: a host to configure", "Inputs: check every layer before anything changes")


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """inventory/local plus what only the user can give: valid, so each case below has exactly its own mistake."""
    media = tmp_path_factory.mktemp("media")
    return {**SECRETS, **EDGE, "storage_mount_path": str(media), "mediastack_config_root": "/nonexistent/mediastack",
            "docker_manage_service": False, "router_notes_lan_address": "192.168.1.20"}


def outcome(stats: dict[str, Any], decoded: dict[str, Any], host: str = "localhost") -> dict[str, Any]:
    """A host's recap plus the plays that ran a task on it and the messages of its failed tasks."""
    stats["ran_plays"] = [play["play"]["name"] for play in decoded["plays"]
                          if any(host in task["hosts"] for task in play["tasks"])]
    stats["failed_msgs"] = failed_messages(decoded, host)
    return stats


def site_check(extra_vars: dict[str, Any], env: dict[str, str] | None = None) -> dict[str, Any]:
    stats = run_playbook("site.yml", extra_vars, check=True, env=env)
    return outcome(stats, report(stats["_output"]))


def site_check_hosts(cases: dict[str, dict[str, Any]], tmp_path: Path) -> dict[str, dict[str, Any]]:
    """site.yml in check mode over one host per case (inventory/local's group variables, the case's as host
    variables): the recap, ran_plays and failed_msgs of each host, each with the whole run's `_output`."""
    local = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}
    hosts = {name: {**local, **variables} for name, variables in cases.items()}
    inventory = tmp_path / "cases.json"
    inventory.write_text(json.dumps({"all": {"children": {"mediastack": {"hosts": hosts}}}}))
    cmd = [str(BIN / "ansible-playbook"), "site.yml", "--check", "-i", str(REPO / "inventory/local/hosts.yml"),
           "-i", str(inventory), "--limit", ",".join(cases), "--forks", "4"]
    proc = subprocess.run(cmd, cwd=REPO, env=ansible_env(), capture_output=True, text=True, timeout=1200)
    output = proc.stdout + proc.stderr
    try:
        decoded = report(proc.stdout)
    except ValueError as exc:
        raise AssertionError("no play recap (rc=%s): %s" % (proc.returncode, output[-3000:])) from exc
    return {name: outcome(dict(decoded["stats"].get(name, {}), _output=output), decoded, name)
            for name in cases}


def refused(extra_vars: dict[str, Any], *expected: str, env: dict[str, str] | None = None) -> str:
    return assert_refused(site_check(extra_vars, env), *expected)


def assert_refused(stats: dict[str, Any], *expected: str) -> str:
    assert stats.get("failures") == 1 and stats.get("changed") == 0, stats["_output"][-3000:]
    assert set(stats["ran_plays"]) <= set(VALIDATION_PLAYS), stats["ran_plays"]
    message = stats["failed_msgs"][-1]
    for text in expected:
        assert text in message, message
    for secret in (KEY, "Seeded-Pass-1", "ghp_Secret1234", "Lab_LicenseKey_1"):
        assert secret not in stats["_output"]
    return message


def host_lan() -> ipaddress.IPv4Network:
    """The network of this machine's default route, as its facts will show it."""
    route = json.loads(subprocess.run(["ip", "-j", "-4", "route", "show", "default"], capture_output=True,
                                      text=True, check=True).stdout or "[]")
    if not route:
        pytest.skip("this machine has no default IPv4 route: no LAN to overlap")
    addresses = json.loads(subprocess.run(["ip", "-j", "-4", "addr", "show", "dev", route[0]["dev"]],
                                          capture_output=True, text=True, check=True).stdout)
    info = addresses[0]["addr_info"][0]
    return ipaddress.ip_interface("%s/%s" % (info["local"], info["prefixlen"])).network


CASES = [
    # storage
    pytest.param({"storage_mount_path": "/"}, "storage_mount_path is /, a system directory", id="media-root"),
    pytest.param({"storage_mount_path": "/tmp"}, "storage_mount_path is /tmp, a system directory", id="media-tmp"),
    pytest.param({"storage_mount_path": "/etc/media"}, "storage_mount_path (/etc/media) is inside /etc",
                 id="media-under-etc"),
    pytest.param({"storage_mount_path": "/home/alice"}, "storage_mount_path is /home/alice, a user's home",
                 id="media-home"),
    pytest.param({"storage_mount_path": "/srv/no-such-media"}, "storage_mount_path /srv/no-such-media must be an "
                 "existing directory", id="media-missing"),
    pytest.param({"storage_mode": "zfs"}, "storage_mode", "lvm, path", id="storage-mode"),
    pytest.param({"storage_mode": "lvm", "storage_lvm_pvs": []}, "storage_lvm_pvs must list at least one device",
                 id="lvm-no-disk"),
    pytest.param({"storage_mode": "lvm", "storage_lvm_pvs": ["/dev/null"], "storage_lvm_vg": "my vg"},
                 "storage_lvm_vg must be an LVM name", id="lvm-vg-name"),
    pytest.param({"storage_mode": "lvm", "storage_lvm_pvs": ["/dev/null"], "storage_lvm_size": "lots"},
                 "storage_lvm_size lots:", id="lvm-size"),
    # base
    pytest.param({"mediastack_timezone": "Europe/Amsterdm"}, "base_timezone (from mediastack_timezone) "
                 "Europe/Amsterdm is not a time zone", id="timezone"),
    pytest.param({"mediastack_puid": 0}, "base_media_uid (from mediastack_puid) must be a number between 1 and "
                 "65533", id="puid-root"),
    pytest.param({"mediastack_pgid": 65534}, "base_media_gid (from mediastack_pgid)", id="pgid-nobody"),
    # docker
    pytest.param({"docker_daemon_options": ["log-driver"]}, "docker: argument 'docker_daemon_options' is of type",
                 id="daemon-options-type"),
    # the config root
    pytest.param({"mediastack_config_root": "/etc"}, "mediastack_config_root is /etc, a system directory",
                 id="config-root-etc"),
    pytest.param({"mediastack_config_root": "opt/mediastack"}, "mediastack_config_root must be an absolute path",
                 id="config-root-relative"),
    # network
    pytest.param({"network_subnet": "172.20.0.0/33"}, "network_subnet: '172.20.0.0/33' is not a network",
                 id="subnet-malformed"),
    pytest.param({"network_gateway": "172.21.0.1"}, "network_gateway: 172.21.0.1 is outside network_subnet",
                 id="gateway-outside"),
    pytest.param({"network_service_addresses": {**{k: v for k, v in ADDRESSES.items() if k != "radarr"},
                                                "radar": "172.20.0.13"}},
                 "network_service_addresses.radar: no service is called radar (did you mean radarr?)",
                 "network_service_addresses needs an address for radarr", id="service-typo"),
    pytest.param({"network_service_addresses": {**ADDRESSES, "seerr": "172.20.0.10"}},
                 "network_service_addresses.seerr: 172.20.0.10 is already the address of "
                 "network_service_addresses.jellyfin", id="address-twice"),
    # router notes: the domain and the LAN address
    pytest.param({"mediastack_domain": "media example org"}, "router_notes_domain (from mediastack_domain) must "
                 "be a DNS name", id="domain-spaces"),
    pytest.param({"mediastack_domain": "https://media.example.org"}, "router_notes_domain (from "
                 "mediastack_domain) must be a DNS name", id="domain-url"),
    pytest.param({"router_notes_public_ip": "203.0.113"}, "router_notes_public_ip must be empty or an IPv4",
                 id="public-ip"),
    pytest.param({"router_notes_lan_address": "home"}, "router_notes_lan_address must be an IPv4 address",
                 id="lan-address"),
    # the VPN
    pytest.param({"gluetun_wireguard_private_key": base64.b64encode(bytes(31)).decode()},
                 "gluetun_wireguard_private_key decodes to 31 bytes", id="wireguard-key-length"),
    pytest.param({"gluetun_wireguard_addresses": "10.150.0.2"}, "gluetun_wireguard_addresses: '10.150.0.2' has no "
                 "prefix length", id="wireguard-address"),
    pytest.param({"gluetun_forwarded_port": 80}, "gluetun_forwarded_port 80 is not a port between 1024 and 65535",
                 id="forwarded-port"),
    pytest.param({"gluetun_server_countries": ["NL", "Sweden"]}, "gluetun_server_countries: NL look like country "
                 "codes", id="countries-codes"),
    pytest.param({"gluetun_wireguard_private_key": None}, "gluetun: missing required arguments: "
                 "gluetun_wireguard_private_key", "ansible-vault create", id="secret-missing"),
    # qBittorrent
    pytest.param({"qbittorrent_webui_password": "short"}, "qbittorrent_webui_password must be empty (generated "
                 "once and kept) or at least 6 characters (it is too short)", id="webui-password"),
    pytest.param({"qbittorrent_webui_username": "ad"}, "qbittorrent_webui_username must have at least 3",
                 id="webui-username"),
    pytest.param({"qbittorrent_save_path": "/downloads"}, "qbittorrent_save_path must be under /media",
                 id="save-path"),
    pytest.param({"qbittorrent_published_ports": ["127.0.0.1:28080:8080"]}, "qbittorrent_published_ports must "
                 "publish the WebUI on its own port", id="webui-port"),
    # keys, images, published ports
    pytest.param({"radarr_api_key": "short"}, "radarr_api_key must be empty (generated once) or 20 to 64",
                 id="api-key"),
    pytest.param({"radarr_image": "lscr.io/linuxserver/Radarr:5"}, "radarr_image: 'lscr.io/linuxserver/Radarr:5' "
                 "is not an image reference", id="image"),
    pytest.param({"jellyfin_published_ports": ["127.0.0.1:99999:8096"]}, "jellyfin_published_ports: "
                 "'127.0.0.1:99999:8096' has a port outside 1-65535", id="published-port-range"),
    pytest.param({"jellyfin_published_ports": ["8096"], "gluetun_published_ports": ["127.0.0.1:8096:9999"]},
                 "host port 8096/tcp is already published by", id="published-port-twice"),
    # the edge
    pytest.param({"caddy_geoip_allow_countries": ["DE", "UK", "de"]}, "caddy_geoip_allow_countries: UK, de are not "
                 "ISO 3166-1 codes", id="country-code"),
    pytest.param({"caddy_geoip_allow_countries": []}, "caddy_geoip_allow_countries is empty while GeoIP is on",
                 id="countries-empty"),
    pytest.param({"mediastack_domain": ""}, "caddy_sites[0].host 'requests.' is not a full domain name",
                 id="site-without-domain"),
    pytest.param({"caddy_sites": [{"host": "requests.media.home.arpa", "service": "172.20.0.12:5055"}]},
                 "caddy_sites[0].service '172.20.0.12:5055' is not a service Caddy can serve (known: jellyfin, "
                 "seerr); name the service, not an address", id="site-raw-upstream"),
    pytest.param({"caddy_sites": [{"host": "requests.example.net", "service": "seerr"}]},
                 "caddy_sites[0].host requests.example.net is not inside mediastack_domain", id="site-other-domain"),
    pytest.param({"caddy_acme_email": None}, "caddy_acme_email must be the address the ACME CA writes to about your "
                 "certificates (is \"\")", id="acme-email"),
    pytest.param({"caddy_acme_email": "admin"}, "caddy_acme_email must be the address", id="acme-email-shape"),
    pytest.param({"caddy_trusted_proxies": ["173.245.48.0/33"]}, "caddy_trusted_proxies: '173.245.48.0/33' is not",
                 id="trusted-proxies"),
    pytest.param({"geoip_license_key": None}, "geoip_license_key", id="geoip-without-key"),
    pytest.param({"crowdsec_whitelist": ["192.168.1.1/24"]}, "crowdsec_whitelist: '192.168.1.1/24' is not",
                 id="crowdsec-whitelist"),
    # GitOps (enabled: a disabled role asks nothing)
    pytest.param({"gitops_enabled": True}, "gitops_repo_url must be set", id="gitops-url-missing"),
    pytest.param({**GITOPS, "gitops_repo_url": "http://git.example.org/me/infra.git"}, "gitops_repo_url must be an "
                 "https://, ssh:// or user@host:path URL (plain http:// and git:// are not authenticated",
                 id="gitops-url-plain-http"),
    pytest.param({**GITOPS, "gitops_repo_url": "https://me:ghp_Secret1234@git.example.org/me/infra.git"},
                 "gitops_repo_url must not carry a password or token; put the token in gitops_https_token",
                 id="gitops-url-token"),
    pytest.param({**GITOPS, "gitops_repo_url": "git@git.example.org:me/infra.git"}, "gitops_ssh_known_hosts must "
                 "hold the repository server's host keys", id="gitops-ssh-host-keys"),
    pytest.param({**GITOPS, "gitops_https_token": "ghp_Secret1234", "gitops_repo_url": "ssh://git@git.example.org/x",
                  "gitops_accept_host_key": True}, "gitops_https_token is set but gitops_repo_url is not an https://",
                 id="gitops-token-ssh"),
    pytest.param({**GITOPS, "gitops_poll_interval": "soon"}, "gitops_poll_interval is not a systemd time span like "
                 "2min (is soon)", id="gitops-poll-interval"),
    pytest.param({**GITOPS, "gitops_drift_schedule": "every tuesday"}, "gitops_drift_schedule is not a systemd "
                 "calendar event like daily (is every tuesday)", id="gitops-drift-schedule"),
    pytest.param({**GITOPS, "gitops_verify_commit": True}, "gitops_verify_commit needs gitops_signing_keys",
                 id="gitops-verify-without-keys"),
    pytest.param({**GITOPS, "gitops_playbook": "../site.yml"}, "gitops_playbook must be a path inside the "
                 "repository", id="gitops-playbook-outside"),
    pytest.param({**GITOPS, "gitops_run_timeout": 10}, "gitops_run_timeout must be at least 60 seconds (is 10)",
                 id="gitops-timeout"),
    # the wiring
    pytest.param({"qbittorrent_categories": [{"name": "radarr", "save_path": "/downloads/radarr"}]},
                 "qbittorrent_categories save_path: '/downloads/radarr' must be a path under /media",
                 id="category-outside-media"),
    pytest.param({"radarr_root_folders": ["/movies"]}, "radarr_root_folders: '/movies' must be a path under /media",
                 id="root-folder-outside-media"),
    pytest.param({"radarr_qbittorrent_category": "movies"}, "radarr_qbittorrent_category (movies) must be one of "
                 "the names in qbittorrent_categories", id="radarr-unknown-category"),
    pytest.param({"jellyfin_libraries": [{"name": "Movies", "collection_type": "movies", "paths": ["/srv/films"]}]},
                 "jellyfin_libraries paths: '/srv/films' must be a path under /media", id="library-outside-media"),
    pytest.param({"jellyfin_admin_password": "short"}, "jellyfin_admin_password must be empty (generated once and "
                 "kept) or at least 8 characters", id="jellyfin-password-short"),
    pytest.param({"jellyfin_known_proxies": ["caddy"]}, "jellyfin_known_proxies: 'caddy' is not an IP address",
                 id="jellyfin-proxy-name"),
    pytest.param({"seerr_radarr_root_folder": "/media/films"}, "seerr_radarr_root_folder (/media/films) must be one "
                 "of radarr_root_folders (/media/movies)", id="seerr-root-folder"),
    pytest.param({"profilarr_origin": "profilarr.example.org"}, "profilarr_origin must be empty or an address like "
                 "https://profilarr.example.org, without a path (is profilarr.example.org)", id="profilarr-origin"),
    pytest.param({"seerr_application_url": "requests.example.org"}, "seerr_application_url must be a URL like "
                 "https://requests.example.org (is requests.example.org)", id="seerr-url"),
    pytest.param({"seerr_radarr_minimum_availability": "soon"}, "seerr_radarr_minimum_availability",
                 id="seerr-availability"),
    pytest.param({"prowlarr_indexers": [{"definition": "1337x"}]}, "every entry of prowlarr_indexers needs a name",
                 id="indexer-without-name"),
    pytest.param({"prowlarr_radarr_sync_level": "sometimes"}, "prowlarr_radarr_sync_level", id="sync-level"),
    pytest.param({"verify_certificate_min_days": 120}, "verify_certificate_min_days must be between 1 and 89",
                 id="verify-certificate-days"),
]


@pytest.fixture(scope="module")
def catalogue(good: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every case of CASES in one run: a None in a case means the variable is not set at all."""
    cases = {"case-" + p.id: {k: v for k, v in {**good, **p.values[0]}.items() if v is not None} for p in CASES}
    return site_check_hosts(cases, tmp_path_factory.mktemp("catalogue"))


@pytest.mark.parametrize("expected", [pytest.param(p.values[1:], id=p.id) for p in CASES])
def test_a_wrong_inventory_stops_in_the_first_plays(catalogue: dict[str, dict[str, Any]], expected: tuple[str, ...],
                                                    request: pytest.FixtureRequest) -> None:
    assert_refused(catalogue["case-" + request.node.callspec.id], *expected)


def test_the_valid_inventory_passes_every_check(good: dict[str, Any]) -> None:
    stats = run_playbook("playbooks/validate.yml", good)
    assert stats["failures"] == 0 and stats["changed"] == 0, stats["_output"][-3000:]


def test_a_media_subnet_on_the_hosts_own_lan_is_refused(good: dict[str, Any]) -> None:
    lan = host_lan()
    subnet = next(lan.subnets(new_prefix=max(lan.prefixlen, 24)))
    gateway = str(subnet.network_address + 1)
    addresses = {name: str(subnet.network_address + 10 + index) for index, name in enumerate(ADDRESSES)}
    refused({**good, "network_subnet": str(subnet), "network_gateway": gateway, "network_service_addresses": addresses},
            "network_subnet: %s overlaps this host's network %s" % (subnet, lan))


def test_every_problem_of_every_layer_is_reported_at_once(good: dict[str, Any]) -> None:
    message = refused({**good, "mediastack_puid": 0, "radarr_api_key": "short", "storage_mount_path": "/tmp",
                       "network_service_addresses": {**ADDRESSES, "sonarr": "172.20.0.30"}},
                      "4 problem(s) in the inventory, nothing was changed", "base_media_uid (from mediastack_puid)",
                      "radarr_api_key must be empty", "storage_mount_path is /tmp",
                      "network_service_addresses.sonarr: no service is called sonarr")
    # Only what is wrong: nothing about the checks that passed.
    assert "qbittorrent_" not in message and "gluetun_" not in message


def test_an_inventory_without_the_mediastack_group_stops(tmp_path: Path, good: dict[str, Any]) -> None:
    inventory = tmp_path / "hosts.yml"
    inventory.write_text("all:\n  hosts:\n    mediabox:\n      ansible_host: 127.0.0.1\n")
    refused(good, "The inventory has no host in the group mediastack", "Hosts outside it: mediabox",
            env={"ANSIBLE_INVENTORY": str(inventory)})


def machine_state() -> dict[str, Any]:
    """What the host layer would change first: packages, the media account, files, the media tree."""
    def run(*cmd: str) -> str:
        return subprocess.run(cmd, capture_output=True, text=True).stdout

    paths = ["/etc/docker/daemon.json", "/opt/mediastack", "/mnt/pool01", "/etc/timezone", "/etc/localtime"]
    return {"packages": run("dpkg-query", "-W", "-f", "${Package} ${Version} ${Status}\n"),
            "accounts": run("getent", "passwd", "2000") + run("getent", "group", "2000") + run("getent", "passwd",
                                                                                              "media"),
            "files": {p: (os.lstat(p).st_mtime_ns, os.lstat(p).st_mode) if os.path.lexists(p) else None
                      for p in paths},
            "networks": run("docker", "network", "ls", "--format", "{{.Name}}") if os.path.exists(
                "/var/run/docker.sock") else ""}


def test_the_readmes_first_command_without_secrets_changes_nothing() -> None:
    # `make up`: site.yml on the bundled inventory, for real (not check mode), with no vault.
    before = machine_state()
    proc = subprocess.run([str(BIN / "ansible-playbook"), "-i", "inventory/local", "site.yml"], cwd=REPO,
                          env=ansible_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0
    stats = report(proc.stdout)["stats"]["localhost"]
    assert stats["failures"] == 1 and stats["changed"] == 0, proc.stdout[-3000:]
    ran = [play["play"]["name"] for play in report(proc.stdout)["plays"] if play["tasks"]]
    assert set(ran) <= set(VALIDATION_PLAYS), ran
    message = failed_messages(proc.stdout)[-1]
    for missing in ("gluetun_forwarded_port", "gluetun_wireguard_addresses", "gluetun_wireguard_private_key",
                    "caddy_acme_email", "caddy_geoip_allow_countries", "geoip_account_id", "geoip_license_key",
                    "ansible-vault create"):
        assert missing in message, message
    # What Ansible can make is not asked for: it is generated once and kept.
    assert "qbittorrent_webui_password" not in message and "crowdsec_bouncer_key" not in message
    if not os.path.isdir("/mnt/pool01/media"):
        assert "storage_mount_path /mnt/pool01/media must be an existing directory" in message
    assert machine_state() == before


def test_the_example_inventory_holds_its_one_host_and_nothing_else() -> None:
    # The demo vault password lives beside inventory/example: inside it, -i would read it as a host list.
    proc = subprocess.run([str(BIN / "ansible-inventory"), "-i", "inventory/example", "--vault-password-file",
                           "inventory/example.vault-password.demo", "--list"], cwd=REPO, env=ansible_env(),
                          capture_output=True, text=True, check=True)
    listing = json.loads(proc.stdout)
    assert list(listing["_meta"]["hostvars"]) == ["media01"]
    assert listing["mediastack"]["hosts"] == ["media01"]
    assert "[WARNING]" not in proc.stderr, proc.stderr
