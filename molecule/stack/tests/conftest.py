"""Shared fixtures of the stack scenario's testinfra tests, and the verify phases' durations (phases.py).

The instance is this machine (ansible_connection local), so the tests use the Docker SDK and plain HTTP from
here. Every request goes to an address on the scenario's own bridge or to 127.0.0.1, never elsewhere:
`to_container` checks the kernel's route before it sends anything and never uses a proxy from the environment.
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import docker
import pytest
import yaml

SCENARIO = Path(__file__).resolve().parents[1]
PROJECT = SCENARIO.parents[1]
sys.path.insert(0, str(SCENARIO))
# The lab's helpers (tests/lab) are the repository's tests package.
sys.path.insert(1, str(PROJECT))
import phases  # noqa: E402
from phases import harness  # noqa: E402

# Container name = app name (the roles' contract). qBittorrent has no address of its own: it lives in Gluetun's
# network namespace.
APPS = ["gluetun", "qbittorrent", "prowlarr", "flaresolverr", "radarr", "profilarr", "seerr", "jellyfin"]
ON_MEDIA_NETWORK = [app for app in APPS if app != "qbittorrent"]
# The edge's containers (GeoIP is off in the lab: no geoipupdate). Caddy's image is the one the role built.
EDGE = ["crowdsec", "caddy"]
CONTAINERS = APPS + EDGE
MEDIA_USERS = ["qbittorrent", "radarr", "jellyfin"]   # /media is mounted in these (design section 1)
HEALTH_TIMEOUT = 60.0
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# The verify run recorded as a phase; `hostvars`: the instance's inventory variables (molecule.yml).
pytest_sessionfinish, hostvars = harness.testinfra_hooks(phases.RECORD)


@pytest.fixture(scope="module")
def role_default(hostvars):
    """A function: the inventory's value of a variable, else the default in roles/<role>/defaults/main.yml."""

    def value(role: str, name: str, fallback=None):
        if name in hostvars:
            return hostvars[name]
        defaults = PROJECT / "roles" / role / "defaults" / "main.yml"
        data = yaml.safe_load(defaults.read_text()) if defaults.is_file() else {}
        return (data or {}).get(name, fallback)

    return value


@pytest.fixture(scope="module")
def client():
    return docker.from_env(version="auto", timeout=60)


@pytest.fixture(scope="module")
def network_name(role_default):
    return role_default("network", "network_name", "media")


@pytest.fixture(scope="module")
def addresses(role_default):
    """{app: fixed address on the media network} as the roles read it."""
    return role_default("network", "network_service_addresses", {})


@pytest.fixture(scope="module")
def media_network(client, network_name):
    return client.networks.get(network_name)


@pytest.fixture(scope="module")
def container(client):
    """A function: the container of an app (name = app name), fresh from Docker; a failed test when none."""

    def get(app: str):
        try:
            return client.containers.get(app)
        except docker.errors.NotFound:
            pytest.fail(f"no container named {app}", pytrace=False)

    return get


def wait_healthy(container, timeout: float = HEALTH_TIMEOUT) -> str:
    """Docker's health status once it is healthy, or whatever it is when the time is up or the container died."""
    deadline = time.monotonic() + timeout
    while True:
        container.reload()
        state = container.attrs["State"]
        status = state.get("Health", {}).get("Status", "none")
        if status == "healthy" or not state["Running"] or time.monotonic() > deadline:
            return status
        time.sleep(0.5)


def exec_in(container, command: list[str], user: str = "") -> str:
    """Run a command in a container; its output, or a failed test with the output when it exits non-zero."""
    code, output = container.exec_run(command, user=user, demux=False)
    text = output.decode(errors="replace")
    assert code == 0, f"{container.name}: {' '.join(command)} exited {code}: {text}"
    return text


@pytest.fixture(scope="module")
def to_container(host, media_network):
    """A function: (status, body) of one HTTP request to a container address on the media network or to a
    port published on 127.0.0.1. Before anything is sent the kernel's route to the address is checked: the
    scenario's bridge or loopback, nothing else (no request ever leaves this machine)."""
    subnet = ipaddress.ip_network(media_network.attrs["IPAM"]["Config"][0]["Subnet"])
    bridge = media_network.attrs["Options"].get("com.docker.network.bridge.name") or f"br-{media_network.id[:12]}"

    def request(url: str, form: dict | None = None, headers: dict | None = None,
                body: dict | None = None) -> tuple[int, str]:
        address = ipaddress.ip_address(urllib.parse.urlsplit(url).hostname)
        route = host.check_output(f"ip -j route get {address}")
        device = json.loads(route)[0]["dev"]
        assert (address in subnet and device == bridge) or (address.is_loopback and device == "lo"), \
            f"refusing to send to {address}: route {route}"
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = dict(headers or {})
        if body is not None:                        # a JSON body instead of a form
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
        try:
            with _OPENER.open(req, timeout=10) as answer:
                return answer.status, answer.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    return request


def parse_published(spec: str) -> tuple[str, str, str]:
    """'[ip:]host_port:container_port[/proto]' -> ('<container_port>/<proto>', ip, host_port)."""
    port_proto = spec.rsplit(":", 1)[1]
    port, _, proto = port_proto.partition("/")
    rest = spec.rsplit(":", 1)[0]
    ip, _, host_port = rest.rpartition(":")
    return f"{port}/{proto or 'tcp'}", ip or "0.0.0.0", host_port


@pytest.fixture(scope="module")
def published(hostvars):
    """{container: {'<port>/<proto>': [(host ip, host port)]}}: what the inventory asked to publish, nothing
    else. qBittorrent has no network of its own: what qbittorrent_published_ports asks is published on Gluetun."""
    wanted: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for app in APPS:
        container = "gluetun" if app == "qbittorrent" else app
        for spec in hostvars.get(f"{app}_published_ports") or []:
            port, ip, host_port = parse_published(str(spec))
            wanted.setdefault(container, {}).setdefault(port, []).append((ip, host_port))
    # Caddy: 80 and 443 and nothing else, on caddy_listen_address (the role derives the list).
    listen = hostvars.get("caddy_listen_address") or "0.0.0.0"
    wanted["caddy"] = {"80/tcp": [(listen, "80")], "443/tcp": [(listen, "443")]}
    return wanted


@pytest.fixture(scope="module")
def webui_login(hostvars, addresses, to_container):
    """A function: qBittorrent's answer to a login with the inventory's credentials (or another password), at
    Gluetun's address."""

    def login(base: str | None = None, password: str | None = None) -> tuple[int, str]:
        base = base or f"http://{addresses['gluetun']}:8080"
        deadline = time.monotonic() + 30
        while True:
            try:
                return to_container(f"{base}/api/v2/auth/login", form={
                    "username": hostvars["qbittorrent_webui_username"],
                    "password": password or hostvars["qbittorrent_webui_password"]})
            except OSError:          # the WebUI is still starting (connection refused or reset)
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    return login


@pytest.fixture(scope="module")
def pebble_root(hostvars) -> Path:
    """Pebble's issuing root (new at each Pebble start): the only certificate the edge lab's clients trust."""
    from tests.lab import edge_lab

    lab = Path(hostvars["stack_edge_lab"])
    path = lab / "pebble-root.pem"
    path.write_bytes(edge_lab.pebble_root(lab))
    return path


@pytest.fixture(scope="module")
def config_root(hostvars) -> Path:
    return Path(hostvars["mediastack_config_root"])


@pytest.fixture(scope="module")
def api_keys():
    return phases.read_api_keys


@pytest.fixture(scope="module")
def api_key_snapshots():
    return phases.api_key_snapshots


def run_layer(playbook: str, overrides: dict | None = None) -> dict:
    """playbooks/<playbook> (or a playbook at an absolute path) on the scenario's inventory, with `overrides`
    as extra variables: Ansible's stats, plus the failed tasks' messages (`failed_tasks`), every task's result
    (`results`, by task name) and the end of the output (`_output`). Not the scenario's phase recorder: these
    runs are part of a test, not phases."""
    extra = phases.ephemeral() / "layer-overrides.json"
    extra.write_text(json.dumps(overrides or {}))
    env = {name: value for name, value in os.environ.items()
           if name not in ("ANSIBLE_CALLBACKS_ENABLED", "ANSIBLE_CALLBACK_PLUGINS")}
    env.update(ANSIBLE_CONFIG=str(PROJECT / "ansible.cfg"), ANSIBLE_ROLES_PATH=str(PROJECT / "roles"),
               ANSIBLE_STDOUT_CALLBACK="json")
    path = Path(playbook) if Path(playbook).is_absolute() else PROJECT / "playbooks" / playbook
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i",
                           str(phases.ephemeral() / "inventory"), "-e", f"@{extra}",
                           str(path)], cwd=PROJECT, env=env, capture_output=True,
                          text=True, timeout=900)
    assert "{" in proc.stdout, f"ansible-playbook printed no report ({proc.returncode}): {proc.stderr[-3000:]}"
    report = json.JSONDecoder().raw_decode(proc.stdout[proc.stdout.index("{"):])[0]
    stats = report["stats"]["localhost"]
    tasks = [task for play in report["plays"] for task in play["tasks"]]
    # What the user reads of a failed task: its message and the output of the command it ran (a validate).
    stats["failed_tasks"] = {task["task"]["name"]: "%s %s" % (task["hosts"]["localhost"].get("msg", ""),
                                                              task["hosts"]["localhost"].get("stderr", ""))
                             for task in tasks if task["hosts"].get("localhost", {}).get("failed")}
    stats["results"] = {task["task"]["name"]: task["hosts"].get("localhost", {}) for task in tasks}
    stats["_output"] = proc.stdout[-4000:] + proc.stderr[-2000:]
    return stats
