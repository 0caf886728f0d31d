"""Chapter 1 through the lab's internet (tests/lab/edge_lab.py): clients in their own network namespaces, with
TEST-NET and private addresses, reach the Caddy the role built through its published ports only; its
certificate comes from Pebble over ACME (HTTP-01 through port 80); the real CrowdSec (Debian's) reads Caddy's
JSON access log and its decisions reach Caddy through the bouncer.

GeoIP is off in the lab: the Go module proxy here refuses every version of the GeoIP matcher plugin, so the
tests that need it (allowed and refused countries, a forged X-Forwarded-For, a new database) cannot run here.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT, exec_in

from tests.lab import edge_lab

SITE = "https://requests.media.example.org"
BAN_TIMEOUT = 60.0          # the bouncer pulls every 5 s in the lab; CrowdSec reads the log as it grows


@pytest.fixture(scope="module")
def fetch(pebble_root):
    def get(client: str, path: str = "/api/v1/status", **kwargs) -> edge_lab.Answer:
        return edge_lab.fetch(client, SITE + path, pebble_root, **kwargs)
    return get


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, f"{what}: not within {timeout} s"
            return value
        time.sleep(0.5)


def access_log(hostvars) -> list[dict]:
    path = Path(hostvars["mediastack_config_root"]) / "caddy" / "log" / "access.log"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def cscli(container, *args: str) -> str:
    return exec_in(container("crowdsec"), ["cscli", *args])


def test_caddy_is_the_image_the_role_built_with_the_pinned_plugin(container):
    defaults = yaml.safe_load((PROJECT / "roles" / "caddy" / "defaults" / "main.yml").read_text())
    caddy = container("caddy")
    assert caddy.attrs["Config"]["Image"].startswith(f"mediastack/caddy:{defaults['caddy_version']}-")
    assert exec_in(caddy, ["caddy", "version"]).startswith(f"v{defaults['caddy_version']} ")
    module, version = defaults["caddy_crowdsec_plugin"].split("@")
    packages = exec_in(caddy, ["caddy", "list-modules", "--packages", "--versions"])
    assert f"http.handlers.crowdsec {version} {module.rsplit('/', 1)[0]}" in packages, packages


def test_the_certificate_comes_from_pebble_through_port_80(fetch, container):
    # Caddy asks for it at its first start; only HTTP-01 is allowed in the lab, so Pebble's validation came in
    # through the published port 80, from Pebble's own address (the host's DNAT keeps it).
    answer = wait_for(lambda: (a := fetch("sg")).status == 200 and a, 120, "HTTPS with a chain to Pebble's root")
    assert json.loads(answer.body)["version"], answer.body
    logs = [json.loads(line) for line in container("caddy").logs().decode(errors="replace").splitlines()
            if line.startswith("{")]
    served = [e for e in logs if e.get("msg") == "served key authentication"]
    assert any(e["identifier"] == "requests.media.example.org" and e["challenge"] == "http-01"
               and e["remote"].startswith(edge_lab.host("acme").address + ":") for e in served), served


def test_the_access_log_has_real_sources_and_no_api_key(fetch, hostvars):
    for client in ("sg", "lan"):
        assert fetch(client, "/api/v1/status?api_key=NotForTheLog123").status == 200
    entries = [e["request"] for e in access_log(hostvars) if e.get("request", {}).get("host") ==
               "requests.media.example.org"]
    sources = {e["remote_ip"] for e in entries}
    assert {edge_lab.host("sg").address, edge_lab.host("lan").address} <= sources, sources
    assert any(e["uri"] == "/api/v1/status?api_key=REDACTED" for e in entries)
    log_text = (Path(hostvars["mediastack_config_root"]) / "caddy" / "log" / "access.log").read_text()
    assert "NotForTheLog123" not in log_text


def test_security_headers_and_no_server_header(fetch):
    answer = fetch("sg")
    assert answer.headers.get("strict-transport-security") == "max-age=31536000"
    assert answer.headers.get("x-content-type-options") == "nosniff"
    assert answer.headers.get("x-frame-options") == "SAMEORIGIN"
    assert "server" not in answer.headers


def test_a_forged_forwarded_for_is_not_believed(fetch, hostvars):
    # No trusted proxies: the header is ignored and the log, CrowdSec and the checks see the real source.
    assert fetch("ru", headers={"X-Forwarded-For": edge_lab.host("lan").address}).status == 200
    last = [e["request"] for e in access_log(hostvars) if "request" in e][-1]
    assert last["client_ip"] == edge_lab.host("ru").address, last


def test_a_decision_refuses_the_client_and_its_removal_serves_it_again(fetch, container):
    address = edge_lab.host("sg").address
    assert fetch("sg").status == 200
    cscli(container, "decisions", "add", "--ip", address, "--duration", "10m", "--reason", "stack test")
    try:
        wait_for(lambda: fetch("sg").status == 403, BAN_TIMEOUT, "403 for a banned address")
        assert fetch("ru").status == 200, "only the banned address is refused"
    finally:
        cscli(container, "decisions", "delete", "--ip", address)
    wait_for(lambda: fetch("sg").status == 200, BAN_TIMEOUT, "served again after the decision was deleted")


def test_probing_is_detected_from_caddys_log_and_banned(fetch, container):
    address = edge_lab.host("probe").address
    assert fetch("probe").status == 200
    try:
        statuses = {fetch("probe", f"/probe/missing-{n}").status for n in range(25)}
        assert statuses <= {404, 403}, statuses
        # CrowdSec's own scenario (crowdsecurity/http-probing, from the crowdsecurity/caddy collection), fed by
        # the caddy-logs parser reading the file Caddy writes: a ban for this address, then Caddy refuses it.
        wait_for(lambda: any(d["value"] == address and d["scenario"] == "crowdsecurity/http-probing"
                             for a in json.loads(cscli(container, "decisions", "list", "-o", "json") or "[]") or []
                             for d in a.get("decisions") or []), BAN_TIMEOUT, "a ban by crowdsecurity/http-probing")
        wait_for(lambda: fetch("probe").status == 403, BAN_TIMEOUT, "403 for the prober")
        assert fetch("lan").status == 200
        metrics = cscli(container, "metrics")
        line = next(row for row in metrics.splitlines() if "file:/var/log/caddy/access.log" in row)
        assert int(line.split("|")[3].strip()) > 0, line      # lines parsed
    finally:
        cscli(container, "decisions", "delete", "--ip", address)


def test_crowdsec_reads_the_log_read_only_and_publishes_nothing(container, hostvars):
    mounts = {m["Destination"]: m for m in container("crowdsec").attrs["Mounts"]}
    assert mounts["/var/log/caddy"]["RW"] is False
    assert mounts["/var/log/caddy"]["Source"] == str(Path(hostvars["mediastack_config_root"]) / "caddy" / "log")
    assert not container("crowdsec").attrs["HostConfig"].get("PortBindings")


def test_the_bouncer_key_is_kept_in_a_0600_file(hostvars):
    key_file = Path(hostvars["mediastack_config_root"]) / "secrets" / "crowdsec-bouncer-key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    caddyfile = (Path(hostvars["mediastack_config_root"]) / "caddy" / "etc" / "Caddyfile").read_text()
    assert key_file.read_text().strip() not in caddyfile
