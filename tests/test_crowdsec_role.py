"""roles/crowdsec converged with ansible-playbook on this machine against the CrowdSec stand-in (Debian's real
crowdsec 1.4.6 behind the official image's start), on the stand-in test network: the LAPI, the hub collections,
Caddy's acquisition (read-only), the bouncer key (generated and kept, then replaced), idempotence and check mode,
and real detection: Caddy JSON access-log lines probing missing paths get a public address banned, never one of
crowdsec_whitelist. The tests of the module run in order on one container."""
from __future__ import annotations

import contextlib
import json
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
import pytest
from docker.errors import NotFound

from tests.ansible_run import run_playbook
from tests.standins.harness import ADDRESSES, http

CONTAINER = "mediastack-test-crowdsec"
# A network of this module's own (other suites share the stand-in network), the stand-in's last octet.
NETWORK, SUBNET, GATEWAY = "mediastack-crowdsec-test", "172.31.253.0/24", "172.31.253.1"
ADDRESS = "172.31.253." + ADDRESSES["crowdsec"].rsplit(".", 1)[1]
URL = f"http://{ADDRESS}:8080"
DEFAULT_WHITELIST = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "::1/128", "fc00::/7"]
# A public documentation range whitelisted by the inventory: only the role's file keeps it from a ban
# (the image's crowdsecurity/whitelists covers the private ranges too).
EXTRA_RANGE, EXTRA_IP = "198.51.100.0/24", "198.51.100.7"
ATTACKER, LAN_HOST = "203.0.113.50", "192.168.1.50"
VAULT_KEY = "Rotated0Key1From2The3Vault4"
PLAYBOOK = """---
- name: "Test: converge roles/crowdsec"
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Run the role
      ansible.builtin.include_role:
        name: crowdsec
"""


@dataclass
class Stack:
    root: Path
    playbook: Path
    image: str
    network: str
    client: Any
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def log_dir(self) -> Path:
        return self.root / "caddy" / "log"

    @property
    def key_file(self) -> Path:
        return self.root / "secrets" / "crowdsec-bouncer-key"

    def vars(self, **extra: Any) -> dict[str, Any]:
        return {"mediastack_config_root": str(self.root), "crowdsec_image": self.image,
                "crowdsec_container_name": CONTAINER, "network_name": self.network,
                "network_service_addresses": {"crowdsec": ADDRESS}, "crowdsec_wait_timeout": 90,
                "crowdsec_whitelist": DEFAULT_WHITELIST + [EXTRA_RANGE], **extra}

    def converge(self, label: str, check: bool = False, **extra: Any) -> dict[str, Any]:
        started = time.monotonic()
        stats = run_playbook(str(self.playbook), self.vars(**extra), check=check)
        self.timings[label] = round(time.monotonic() - started, 1)
        return stats

    def container(self) -> Any:
        return self.client.containers.get(CONTAINER)

    def cscli(self, *args: str) -> str:
        code, output = self.container().exec_run(["cscli", *args])
        text = output.decode(errors="replace")
        assert code == 0, f"cscli {' '.join(args)}: exit {code}: {text}"
        return text


def decisions_status(key: str | None) -> int:
    return http("GET", f"{URL}/v1/decisions?ip=127.0.0.1", headers={"X-Api-Key": key} if key else {})[0]


def first_json(text: str) -> Any:
    """cscli 1.4 prints `metrics -o json` as several JSON documents in a row; the first is the acquisition."""
    return json.JSONDecoder().raw_decode(text.strip())[0]


def poll(what: str, probe: Any, timeout: float = 60.0, interval: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"{what}: not within {timeout:.0f} s (last: {last!r})", pytrace=False)


def caddy_line(ip: str, uri: str, status: int) -> str:
    """One entry of Caddy 2's JSON access log (logger http.log.access), as crowdsecurity/caddy-logs reads it."""
    return json.dumps({
        "level": "info", "ts": time.time(), "logger": "http.log.access.log0", "msg": "handled request",
        "request": {"remote_ip": ip, "remote_port": "51234", "client_ip": ip, "proto": "HTTP/2.0", "method": "GET",
                    "host": "media.example.org", "uri": uri,
                    "headers": {"User-Agent": ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101"],
                                "Accept": ["*/*"], "Accept-Encoding": ["gzip, deflate, br"]},
                    "tls": {"resumed": False, "version": 772, "cipher_suite": 4865, "proto": "h2",
                            "server_name": "media.example.org"}},
        "bytes_read": 0, "user_id": "", "duration": 0.000412, "size": 0 if status == 404 else 1234,
        "status": status, "resp_headers": {"Server": ["Caddy"], "Alt-Svc": ['h3=":443"; ma=2592000']}})


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, docker_client: Any, standin_images: Any) -> Iterator[Stack]:
    base = tmp_path_factory.mktemp("crowdsec")
    playbook = base / "crowdsec.yml"
    playbook.write_text(PLAYBOOK)

    def remove() -> None:
        with contextlib.suppress(NotFound):
            docker_client.containers.get(CONTAINER).remove(force=True, v=True)
        for network in docker_client.networks.list(names=[NETWORK]):
            network.remove()

    remove()
    ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=SUBNET, gateway=GATEWAY)])
    network = docker_client.networks.create(NETWORK, driver="bridge", ipam=ipam)
    result = Stack(root=base / "root", playbook=playbook, image=standin_images.images["crowdsec"],
                   network=network.name, client=docker_client)
    # Caddy's log file exists before CrowdSec starts (Caddy writes it from its first request).
    result.log_dir.mkdir(parents=True)
    (result.log_dir / "access.log").write_text("")
    try:
        yield result
    finally:
        remove()
        print("crowdsec converges (s):", result.timings)


def test_first_converge_starts_the_lapi_with_caddy_acquisition(stack: Stack) -> None:
    stats = stack.converge("first")
    assert stats["failures"] == 0 and stats["changed"] > 0, stats["_output"][-4000:]
    attrs = stack.container().attrs
    assert attrs["State"]["Running"]
    assert not attrs["HostConfig"]["PortBindings"], "nothing is published"
    assert attrs["NetworkSettings"]["Networks"][stack.network]["IPAMConfig"]["IPv4Address"] == ADDRESS
    mounts = {m["Destination"]: m for m in attrs["Mounts"]}
    assert mounts["/var/log/caddy"]["RW"] is False and mounts["/var/log/caddy"]["Source"] == str(stack.log_dir)
    assert mounts["/etc/crowdsec"]["RW"] and mounts["/var/lib/crowdsec/data"]["RW"]
    env = dict(item.split("=", 1) for item in attrs["Config"]["Env"])
    assert env["DISABLE_ONLINE_API"] == "true" and env["COLLECTIONS"] == "crowdsecurity/caddy crowdsecurity/http-cve"
    assert "ENROLL_KEY" not in env

    assert http("GET", f"{URL}/health")[0] == 200
    collections = {c["name"]: c["status"] for c in json.loads(stack.cscli("collections", "list", "-o", "json"))
                   ["collections"]}
    for name in ("crowdsecurity/caddy", "crowdsecurity/base-http-scenarios", "crowdsecurity/http-cve"):
        assert collections.get(name) == "enabled", collections

    acquis = stack.root / "crowdsec" / "config" / "acquis.d" / "caddy.yaml"
    assert "/var/log/caddy/*.log" in acquis.read_text() and "type: caddy" in acquis.read_text()
    whitelist = (stack.root / "crowdsec" / "config" / "parsers" / "s02-enrich" / "mediastack-whitelist.yaml")
    assert EXTRA_RANGE in whitelist.read_text() and "fc00::/7" in whitelist.read_text()
    parsers = {p["local_path"]: p["status"] for p in json.loads(stack.cscli("parsers", "list", "-o", "json"))
               ["parsers"]}
    assert parsers["/etc/crowdsec/parsers/s02-enrich/mediastack-whitelist.yaml"] == "enabled,local", parsers

    key = stack.key_file.read_text().strip()
    assert len(key) == 40 and key.isalnum() and key not in stats["_output"]
    assert stat.S_IMODE(stack.key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(stack.key_file.parent.stat().st_mode) == 0o700
    assert decisions_status(key) == 200
    assert decisions_status(None) == 403 and decisions_status("NotTheKey0123456789xyz") == 403


def test_second_converge_changes_nothing(stack: Stack) -> None:
    stats = stack.converge("second")
    assert stats["failures"] == 0 and stats["changed"] == 0, stats["_output"][-4000:]


def test_check_mode_with_a_changed_key_reports_and_writes_nothing(stack: Stack) -> None:
    before_id, old_key = stack.container().id, stack.key_file.read_text()
    config = stack.root / "crowdsec" / "config"
    files_before = {p: p.read_bytes() for p in config.rglob("*") if p.is_file() and not p.is_symlink()}
    stats = stack.converge("check, changed key", check=True, crowdsec_bouncer_key=VAULT_KEY)
    assert stats["failures"] == 0 and stats["changed"] > 0, stats["_output"][-4000:]
    assert VAULT_KEY not in stats["_output"]
    assert stack.container().id == before_id and stack.key_file.read_text() == old_key
    assert {p: p.read_bytes() for p in config.rglob("*") if p.is_file() and not p.is_symlink()
            and p.suffix == ".yaml" and "local_api" not in p.name} == {
        p: b for p, b in files_before.items() if p.suffix == ".yaml" and "local_api" not in p.name}
    assert decisions_status(old_key.strip()) == 200 and decisions_status(VAULT_KEY) == 403


def test_a_changed_key_really_replaces_the_bouncer(stack: Stack) -> None:
    old_key = stack.key_file.read_text().strip()
    stats = stack.converge("changed key", crowdsec_bouncer_key=VAULT_KEY)
    assert stats["failures"] == 0 and stats["changed"] > 0, stats["_output"][-4000:]
    assert VAULT_KEY not in stats["_output"]
    assert decisions_status(old_key) == 403
    assert decisions_status(VAULT_KEY) == 200
    bouncers = [b["name"] for b in json.loads(stack.cscli("bouncers", "list", "-o", "json"))]
    assert bouncers == ["caddy"]
    again = stack.converge("changed key, again", crowdsec_bouncer_key=VAULT_KEY)
    assert again["failures"] == 0 and again["changed"] == 0, again["_output"][-4000:]


def test_caddy_log_lines_are_parsed_and_probing_is_banned_outside_the_whitelist(stack: Stack) -> None:
    log = stack.log_dir / "access.log"
    lines = [caddy_line(ATTACKER, "/", 200)]
    for ip in (ATTACKER, LAN_HOST, EXTRA_IP):
        lines += [caddy_line(ip, f"/probe-{n}/admin", 404) for n in range(30)]
    with log.open("a") as handle:
        handle.write("".join(line + "\n" for line in lines))

    source = "file:/var/log/caddy/access.log"

    def all_read() -> dict | None:
        acquisition = first_json(stack.cscli("metrics", "-o", "json")).get(source, {})
        return acquisition if acquisition.get("reads", 0) >= len(lines) else None

    acquisition = poll("every appended line read", all_read)
    assert acquisition["parsed"] >= len(lines), acquisition

    def banned() -> dict[str, Any]:
        alerts = json.loads(stack.cscli("decisions", "list", "-o", "json") or "null") or []
        return {d["value"]: d for alert in alerts for d in alert.get("decisions") or []}

    decisions = poll(f"a ban for {ATTACKER}", lambda: banned() if ATTACKER in banned() else None)
    assert decisions[ATTACKER]["type"] == "ban" and decisions[ATTACKER]["scenario"] == "crowdsecurity/http-probing"
    # Every line was read and the buckets of the three addresses filled together: the whitelisted ones had
    # their chance.
    assert LAN_HOST not in decisions and EXTRA_IP not in decisions, decisions
    # The bouncer sees the ban over the LAPI.
    status, text = http("GET", f"{URL}/v1/decisions?ip={ATTACKER}", headers={"X-Api-Key": VAULT_KEY})
    assert status == 200 and json.loads(text)[0]["type"] == "ban"
    status, text = http("GET", f"{URL}/v1/decisions?ip={LAN_HOST}", headers={"X-Api-Key": VAULT_KEY})
    assert status == 200 and json.loads(text) in (None, [])


def test_a_changed_whitelist_restarts_crowdsec(stack: Stack) -> None:
    started = stack.container().attrs["State"]["StartedAt"]
    stats = stack.converge("changed whitelist", crowdsec_bouncer_key=VAULT_KEY,
                           crowdsec_whitelist=DEFAULT_WHITELIST + [EXTRA_RANGE, "2001:db8::/32"])
    assert stats["failures"] == 0 and stats["changed"] > 0, stats["_output"][-4000:]
    assert stack.container().attrs["State"]["StartedAt"] != started
    assert "2001:db8::/32" in (stack.root / "crowdsec" / "config" / "parsers" / "s02-enrich"
                               / "mediastack-whitelist.yaml").read_text()
    assert decisions_status(VAULT_KEY) == 200


@pytest.mark.parametrize(("extra", "variable", "culprit"), [
    ({"crowdsec_whitelist": ["10.0.0.0/33"]}, "crowdsec_whitelist", "10.0.0.0/33"),
    ({"crowdsec_whitelist": ["192.168.1.1/24", "::1"]}, "crowdsec_whitelist", "192.168.1.1/24"),
    ({"crowdsec_whitelist": ["lan"]}, "crowdsec_whitelist", "lan"),
    ({"crowdsec_collections": ["caddy"]}, "crowdsec_collections", "caddy"),
    ({"crowdsec_bouncer_key": "short"}, "crowdsec_bouncer_key", "20 to 64"),
    ({"crowdsec_bouncer_name": "caddy-1"}, "crowdsec_bouncer_name", "caddy-1"),
    ({"crowdsec_image": "CrowdSec:Latest Tag"}, "crowdsec_image", "not an image reference"),
])
def test_bad_inputs_stop_in_validate(tmp_path: Path, extra: dict[str, Any], variable: str, culprit: str) -> None:
    playbook = tmp_path / "crowdsec.yml"
    playbook.write_text(PLAYBOOK)
    root = tmp_path / "root"
    stats = run_playbook(str(playbook), {"mediastack_config_root": str(root), "crowdsec_container_name": CONTAINER,
                                         "network_service_addresses": {"crowdsec": ADDRESS}, **extra})
    assert stats["failures"] == 1 and stats["changed"] == 0, stats["_output"][-3000:]
    report = json.JSONDecoder().raw_decode(stats["_output"])[0]
    failed = [task for play in report["plays"] for task in play["tasks"]
              if task["hosts"].get("localhost", {}).get("failed")]
    assert [task["task"]["name"] for task in failed] == [
        "crowdsec : Check the image, address, collections, whitelist and bouncer"]
    message = failed[0]["hosts"]["localhost"]["msg"]
    assert message.startswith("crowdsec: ") and variable in message and culprit in message, message
    assert not root.exists(), "nothing was written"
