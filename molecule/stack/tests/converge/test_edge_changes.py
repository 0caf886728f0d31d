"""The edge under change, on the converged stack: playbooks/edge.yml run again with the scenario's inventory
and one change each. A Caddyfile that Caddy refuses never replaces the running one; a new one is applied by a
reload (same container, requests answered all along, timed for `make bench`); back to the inventory, the next
plan is clean again (the scenario's `check` phase after verify asserts changed=0)."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path

import phases
import yaml
from conftest import PROJECT, run_layer

from tests.lab import edge_lab

SITE = "https://requests.media.example.org"


def edge(**overrides) -> dict:
    """playbooks/edge.yml on the scenario's inventory with `overrides` as extra variables; Ansible's stats."""
    return run_layer("edge.yml", overrides)


def caddyfile(hostvars) -> Path:
    return Path(hostvars["mediastack_config_root"]) / "caddy" / "etc" / "Caddyfile"


class Poller(threading.Thread):
    """Requests from a lab client, one after the other, until stopped: what a user sees during a change."""

    def __init__(self, ca: Path) -> None:
        super().__init__(daemon=True)
        self.ca, self.answers, self.stopped = ca, [], threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            answer = edge_lab.fetch("lan", SITE + "/api/v1/status", self.ca, timeout=5)
            self.answers.append((time.monotonic(), answer.status, answer.headers.get("x-mediastack-lab")))


def test_a_caddyfile_caddy_refuses_never_replaces_the_running_one(hostvars, container, pebble_root):
    before = hashlib.sha256(caddyfile(hostvars).read_bytes()).hexdigest()
    started = container("caddy").attrs["State"]["StartedAt"]
    sites = hostvars["caddy_sites"] + [{"host": "broken.media.example.org", "service": "seerr",
                                        "extra": "no_such_directive on"}]
    stats = edge(caddy_sites=sites)
    assert stats["failures"] == 1, stats["_output"]
    [(task, message)] = stats["failed_tasks"].items()
    assert task == "caddy : Write the Caddyfile, validated by the built image first", stats["failed_tasks"]
    assert "no_such_directive" in message, message
    assert hashlib.sha256(caddyfile(hostvars).read_bytes()).hexdigest() == before
    assert container("caddy").attrs["State"]["StartedAt"] == started
    assert edge_lab.fetch("sg", SITE + "/api/v1/status", pebble_root).status == 200


def test_a_new_caddyfile_is_applied_by_a_reload_without_a_dropped_request(hostvars, container, pebble_root):
    started = container("caddy").attrs["State"]["StartedAt"]
    defaults = yaml.safe_load((PROJECT / "roles" / "caddy" / "defaults" / "main.yml").read_text())
    headers = {**defaults["caddy_security_headers"], "X-Mediastack-Lab": "reloaded"}
    poller = Poller(pebble_root)
    poller.start()
    changed_at = time.monotonic()
    stats = edge(caddy_security_headers=headers)
    done_at = time.monotonic()
    time.sleep(1)
    poller.stopped.set()
    poller.join(timeout=15)
    assert stats["failures"] == 0 and stats["changed"] >= 1, stats["_output"]
    assert container("caddy").attrs["State"]["StartedAt"] == started, "a reload, not a restart"
    assert "X-Mediastack-Lab" in caddyfile(hostvars).read_text()
    statuses = {status for _, status, _ in poller.answers}
    assert statuses == {200}, f"answers during the reload: {sorted(statuses)}"
    first_new = next((at for at, _, header in poller.answers if header == "reloaded"), None)
    assert first_new is not None, "the new header was never served"
    # For make bench: from the start of the run to the first answer with the new configuration.
    (phases.report_path().parent / "edge-reload.json").write_text(json.dumps({
        "run_seconds": round(done_at - changed_at, 1), "to_new_config_seconds": round(first_new - changed_at, 1),
        "requests_during_change": len(poller.answers)}))

    back = edge()
    assert back["failures"] == 0 and back["changed"] >= 1, back["_output"]
    assert "X-Mediastack-Lab" not in caddyfile(hostvars).read_text()
    again = edge()
    assert again["failures"] == 0 and again["changed"] == 0, again["_output"]


def test_the_image_reloads_caddy_when_the_watched_database_is_replaced(container, client, tmp_path):
    """GeoIP is off in the lab, so the stack's Caddy watches nothing: the same image, started beside it without
    any network, watches a file that is then replaced by a rename (as geoipupdate replaces the database)."""
    site = tmp_path / "etc"
    site.mkdir()
    (site / "Caddyfile").write_text("{\n\tauto_https off\n}\n:8080 {\n\trespond ok\n}\n")
    watched = tmp_path / "geoip"
    watched.mkdir()
    (watched / "db.mmdb").write_text("first")
    probe = client.containers.run(
        container("caddy").attrs["Config"]["Image"], detach=True, network_mode="none", name="caddy-reload-probe",
        environment={"CADDY_RELOAD_WATCH": "/geoip/db.mmdb", "CADDY_RELOAD_INTERVAL": "1"},
        volumes={str(site): {"bind": "/etc/caddy", "mode": "ro"}, str(watched): {"bind": "/geoip", "mode": "ro"}})
    try:
        def logs() -> str:
            return probe.logs().decode(errors="replace")

        deadline = time.monotonic() + 30
        while "serving initial configuration" not in logs() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)
        assert "reloading" not in logs(), "an unchanged file reloads nothing"
        (watched / "db.mmdb.temporary").write_text("second")
        os.replace(watched / "db.mmdb.temporary", watched / "db.mmdb")
        deadline = time.monotonic() + 30
        while "load complete" not in logs() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "/geoip/db.mmdb was replaced, reloading" in logs(), logs()[-2000:]
        assert "load complete" in logs(), logs()[-2000:]
        probe.reload()
        assert probe.attrs["State"]["Running"] and probe.attrs["RestartCount"] == 0
    finally:
        probe.remove(force=True)
