"""`make bench`: what a no-op run of each module costs, in HTTP requests by method and in wall time.

Each module is applied once (to create what it manages), then run again unchanged; the second run is
measured. The goal is reads only, and the fewest the job needs. Figures are printed, never asserted.
"""
from __future__ import annotations

import ast
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterator

from tests.ansible_run import run_module, run_module_via_ansible, run_playbook
from tests.arr_helpers import module_args
from tests.emulators import ArrEmulator
from tests.emulators.jellyfin import JellyfinEmulator
from tests.emulators.profilarr import ProfilarrEmulator
from tests.emulators.seerr import SeerrEmulator
from tests.jellyfin_helpers import ADMIN, PASSWORD
from tests.jellyfin_helpers import module_args as jellyfin_args
from tests.qbittorrent_server import VERSIONS, QBittorrentServer
from tests.seerr_helpers import PASSWORD as JELLYFIN_PASSWORD
from tests.seerr_helpers import RADARR_KEY, known
from tests.seerr_helpers import module_args as seerr_args

Scenario = tuple[str, Callable[[Any], dict[str, Any]]]

QBITTORRENT: list[Scenario] = [
    # Paths written as users do (qBittorrent stores them cleaned), a limit without its switch, a watched folder.
    ("qbittorrent_preferences", lambda s: s.module_args(preferences={
        "save_path": "/media/downloads/", "temp_path_enabled": True, "temp_path": "/media//downloads/incomplete",
        "max_ratio": 1.5, "schedule_from_hour": 6, "banned_IPs": ["203.0.113.9", "2001:DB8::9"],
        "scan_dirs": {str(s.root): 0}})),
    ("qbittorrent_category", lambda s: s.module_args(name="radarr", save_path="/media/downloads/radarr/")),
]


# Radarr modules against the emulator; `tmp` is a directory that exists (for the root folder).
RADARR: list[tuple[str, Callable[[Any, str], dict[str, Any]]]] = [
    ("radarr_tag", lambda e, tmp: module_args(e, label="vpn")),
    ("radarr_root_folder", lambda e, tmp: module_args(e, path=tmp)),
    ("radarr_download_client", lambda e, tmp: module_args(
        e, name="qBittorrent", host="gluetun", port=8080, username="admin", password="bench-pass",
        movie_category="radarr", tags=["vpn"], force_save=True)),
    ("radarr_notification", lambda e, tmp: module_args(
        e, name="Jellyfin", host="jellyfin", jellyfin_api_key="0" * 32, on_download=True, on_rename=True,
        force_save=True)),
    ("radarr_media_management", lambda e, tmp: module_args(e, copy_using_hardlinks=True, import_extra_files=True)),
    ("radarr_host_config", lambda e, tmp: module_args(
        e, authentication_method="forms", username="admin", password="bench-pass")),
]


# Prowlarr modules against the emulator, in the order a play wires them (the indexer refers to the proxy's tag).
PROWLARR: list[tuple[str, Callable[[Any, str], dict[str, Any]]]] = [
    ("prowlarr_tag", lambda e, tmp: module_args(e, label="flaresolverr")),
    ("prowlarr_indexer_proxy", lambda e, tmp: module_args(
        e, name="FlareSolverr", host="http://flaresolverr:8191/", request_timeout=60, tags=["flaresolverr"],
        force_save=True)),
    ("prowlarr_indexer", lambda e, tmp: module_args(
        e, name="1337x", definition="1337x", app_profile="Standard", priority=25, tags=["flaresolverr"],
        force_save=True)),
    ("prowlarr_application", lambda e, tmp: module_args(
        e, name="Radarr", prowlarr_url="http://prowlarr:9696", radarr_url="http://radarr:7878",
        radarr_api_key="0" * 32, sync_categories=[2000, 2040, 2045], force_save=True)),
    ("prowlarr_download_client", lambda e, tmp: module_args(
        e, name="qBittorrent", host="gluetun", port=8080, username="admin", password="bench-pass",
        category="prowlarr", force_save=True)),
]


# Jellyfin modules against the emulator, in the order a play wires them (the wizard first, as the admin after).
JELLYFIN: list[tuple[str, Callable[[Any, str], dict[str, Any]]]] = [
    ("jellyfin_setup", lambda e, tmp: dict(url=e.url, wait_timeout=5, admin_username=ADMIN, admin_password=PASSWORD,
                                           server_name="media", metadata_language="en", metadata_country="US",
                                           remote_access=True)),
    ("jellyfin_api_key", lambda e, tmp: jellyfin_args(e, name="Radarr")),
    ("jellyfin_library", lambda e, tmp: jellyfin_args(e, name="Movies", collection_type="movies", paths=[tmp],
                                                      realtime_monitor=True)),
    ("jellyfin_network", lambda e, tmp: jellyfin_args(e, known_proxies=["172.20.0.23"],
                                                      local_networks=["192.168.1.0/24"])),
]
# Seerr modules against the emulator, in the order a play wires them (the first setup first, then with the API key).
SEERR: list[tuple[str, Callable[[Any, str], dict[str, Any]]]] = [
    ("seerr_jellyfin", lambda e, tmp: seerr_args(e, jellyfin_password=JELLYFIN_PASSWORD, jellyfin_hostname="jellyfin",
                                                 libraries=["Movies"])),
    ("seerr_radarr", lambda e, tmp: seerr_args(e, name="Radarr", hostname="radarr", radarr_api_key=RADARR_KEY,
                                               quality_profile="HD-1080p", root_folder="/media/movies",
                                               is_default=True)),
    ("seerr_settings", lambda e, tmp: seerr_args(e, application_url="https://requests.example.org",
                                                 trust_proxy=True)),
]
# Profilarr: Radarr linked through the web UI's forms, with the ledger that remembers the key it sent.
PROFILARR: list[tuple[str, Callable[[Any, str], dict[str, Any]]]] = [
    ("profilarr_arr_instance", lambda e, tmp: dict(
        url=e.url, api_key=e.api_key, wait_timeout=5, name="Radarr", arr_url="http://radarr:7878",
        arr_api_key=RADARR_KEY, secrets_ledger=str(Path(tmp) / "profilarr-sent.json"))),
]
LIBRARY = Path(__file__).resolve().parent.parent / "library"


def code_lines(module: str) -> int:
    """Lines of a module file beyond its documentation: not blank, not comments, not the DOCUMENTATION, EXAMPLES
    and RETURN strings."""
    source = (LIBRARY / (module + ".py")).read_text()
    docs: set[int] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") in ("DOCUMENTATION", "EXAMPLES", "RETURN")
                                                for t in node.targets):
            docs.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return sum(1 for number, line in enumerate(source.splitlines(), 1)
               if number not in docs and line.strip() and not line.strip().startswith("#"))


def by_method(api_requests: dict[str, int]) -> Counter:
    methods: Counter = Counter()
    for request, count in api_requests.items():
        methods[request.split(" ", 1)[0]] += count
    return methods


def measure(module: str, args: dict[str, Any]) -> Iterator[str]:
    applied = run_module(module, args)
    if applied["failed"]:
        raise SystemExit("%s failed while applying: %s" % (module, applied["msg"]))
    # The no-op as a user's task runs it: through Ansible, its start included.
    began = time.monotonic()
    again = run_module_via_ansible(module, args)
    seconds = time.monotonic() - began
    methods = by_method(again["api_requests"])
    verdict = "no-op" if not again["changed"] else "CHANGED (not idempotent!)"
    yield "%-28s %-8s %5.2fs  %s" % (module, verdict, seconds,
                                      "  ".join("%s=%d" % kv for kv in sorted(methods.items())))
    for request, count in sorted(again["api_requests"].items()):
        yield "    %2d x %s" % (count, request)


SCENARIO_TIMINGS = Path(__file__).resolve().parent.parent / "build" / "bench"


def scenario_timings() -> Iterator[str]:
    """The phase durations the molecule scenarios recorded on their last run (`make test`), if any; for the
    stack, the no-op converge beside its first converge and beside the floor of 40 pings timed now."""
    for report in sorted(SCENARIO_TIMINGS.glob("*-scenario.json")):
        phases = json.loads(report.read_text()).get("phases", [])
        yield "%s (last run):" % report.stem
        for phase in phases:
            changed = " changed=%d" % phase["changed"] if "changed" in phase else ""
            yield "    %-16s %7.1fs%s%s" % (phase["phase"], phase["seconds"], changed,
                                             "" if phase.get("ok", True) else "  FAILED")
        for phase in phases:
            if phase["phase"] == "idempotence" and "task_results" in phase:
                yield "    no-op converge: %d task results, %d loop items; slowest tasks:" % (
                    phase["task_results"], phase["loop_items"])
                for name, spent in phase.get("slowest_tasks", []):
                    yield "      %6.1fs  %s" % (spent, name)
        seconds = {phase["phase"]: phase["seconds"] for phase in phases}
        if {"converge", "idempotence"} <= set(seconds):
            floor = ping_floor()
            yield "    no-op converge / first converge: %.2f (goal <= 0.25)" % (
                seconds["idempotence"] / seconds["converge"])
            yield "    no-op converge / 40 pings (%.1fs now): %.2f (goal <= 2)" % (
                floor, seconds["idempotence"] / floor)


def wiring_noop_requests() -> Iterator[str]:
    """What a no-op run of playbooks/wire.yml asked of each app, by method, as the stand-ins logged it (stack
    scenario, tests/converge/test_wire.py; qBittorrent is the real program and logs nothing)."""
    report = SCENARIO_TIMINGS / "wire-noop.json"
    if report.exists():
        figures = json.loads(report.read_text())
        yield "no-op wire.yml on the stack (last run), requests per app (the stand-ins' logs):"
        for app, methods in figures.items():
            yield "    %-10s %3d  %s" % (app, sum(methods.values()),
                                        "  ".join("%s=%d" % kv for kv in sorted(methods.items())))


def gitops_latency() -> Iterator[str]:
    """From a commit to its apply on the VM, through the poll timer only (molecule host scenario, tests/gitops)."""
    report = SCENARIO_TIMINGS / "gitops-vm.json"
    if report.exists():
        figures = json.loads(report.read_text())
        yield ("gitops on the host VM (last run): commit to apply %.1fs with a poll every %s; the run itself %.1fs"
               % (figures["commit_to_apply_seconds"], figures["poll_interval"], figures["run_seconds"]))


def request_hops() -> Iterator[str]:
    """The request from Radarr on, in the lab (tests/test_download_hops.py): each hop's time."""
    report = SCENARIO_TIMINGS / "request-hops.json"
    if report.exists():
        figures = json.loads(report.read_text())
        yield "a request from Radarr's search to Jellyfin's listing (last pytest run, the lab on the loopback):"
        for hop, seconds in figures.items():
            yield "    %-26s %6.2fs" % (hop, seconds)


def edge_figures() -> Iterator[str]:
    """Caddy's image as roles/caddy builds it: from nothing but the stand-ins of its build images (a cold build:
    xcaddy compiles, Docker's cache bypassed) and with its tag already there (an unchanged pin: no build); then
    the stack scenario's last figure for a changed Caddyfile (tests/converge/test_edge_changes.py)."""
    import docker

    from tests.lab.edge_images import build_edge_images

    client = docker.from_env()
    began = time.monotonic()
    bases = build_edge_images(client, log=lambda line: None)
    bases_seconds = time.monotonic() - began
    with tempfile.TemporaryDirectory() as root:
        settings = {**bases, "mediastack_config_root": root, "geoip_enabled": False}
        for image in client.images.list(name="mediastack-bench/caddy"):
            for tag in image.tags:
                client.images.remove(tag)
        began = time.monotonic()
        run_playbook("tests/playbooks/caddy_image.yml", settings)      # renders the recipe, builds (maybe cached)
        first = time.monotonic() - began
        tag = client.images.list(name="mediastack-bench/caddy")[0].tags[0]
        began = time.monotonic()
        client.images.build(path=str(Path(root) / "caddy" / "build"), tag=tag, nocache=True, rm=True, pull=False)
        cold = time.monotonic() - began
        began = time.monotonic()
        run_playbook("tests/playbooks/caddy_image.yml", settings)
        unchanged = time.monotonic() - began
        client.images.remove(tag)
    yield "caddy image (roles/caddy's Dockerfile on the stand-ins of caddy:builder and caddy):"
    yield "    stand-ins of the build images ready in %.1fs (built now or cached)" % bases_seconds
    yield "    role build, Docker's cache bypassed (cold): %.1fs; first role run here: %.1fs" % (cold, first)
    yield "    role run with the tag already there (no build): %.1fs" % unchanged
    report = SCENARIO_TIMINGS / "edge-reload.json"
    if report.exists():
        figures = json.loads(report.read_text())
        yield ("    changed Caddyfile (stack scenario, last run): new config served %.1fs after the run started, run "
               "%.1fs, %d requests answered meanwhile, none refused" % (figures["to_new_config_seconds"],
                                                                          figures["run_seconds"],
                                                                          figures["requests_during_change"]))


def ping_floor() -> float:
    """Wall time of tests/playbooks/ping_floor.yml: 40 module runs that do nothing."""
    began = time.monotonic()
    run_playbook("tests/playbooks/ping_floor.yml", {})
    return time.monotonic() - began


def seerr_part(tmp: str) -> None:
    """The Seerr modules' no-op runs (also runnable alone: `python -m tests.bench seerr`)."""
    with known(SeerrEmulator()) as seerr:
        for module, seerr_module_args in SEERR:
            for line in measure(module, seerr_module_args(seerr, tmp)):
                print(line)
        if seerr.violations:
            raise SystemExit("the Seerr emulator saw requests that break its OpenAPI document: %s" % seerr.violations)


def main() -> None:
    print("No-op run of each module: requests by method (login included), wall time of one `ansible -m`.")
    with tempfile.TemporaryDirectory() as tmp:
        for version in VERSIONS:
            print("qBittorrent %s:" % version)
            server = QBittorrentServer(Path(tmp) / ("qbt-" + version), version=version)
            server.start()
            try:
                for module, args in QBITTORRENT:
                    for line in measure(module, args(server)):
                        print(line)
            finally:
                server.stop()
        for app, scenarios in (("radarr", RADARR), ("prowlarr", PROWLARR)):
            with ArrEmulator(app) as emulator:
                for module, arr_args in scenarios:
                    for line in measure(module, arr_args(emulator, tmp)):
                        print(line)
                if emulator.violations:
                    raise SystemExit("the %s emulator saw requests that break its OpenAPI document: %s"
                                     % (app, emulator.violations))
        with JellyfinEmulator() as jellyfin:
            for module, jellyfin_module_args in JELLYFIN:
                for line in measure(module, jellyfin_module_args(jellyfin, tmp)):
                    print(line)
            if jellyfin.violations:
                raise SystemExit("the Jellyfin emulator saw requests that break its OpenAPI document: %s"
                                 % jellyfin.violations)
        seerr_part(tmp)
        with ProfilarrEmulator() as profilarr:
            for module, profilarr_module_args in PROFILARR:
                for line in measure(module, profilarr_module_args(profilarr, tmp)):
                    print(line)
            if profilarr.violations:
                raise SystemExit("the Profilarr emulator answered off its contract: %s" % profilarr.violations)
    print("Lines of code beyond the documentation:")
    for module, _ in JELLYFIN + SEERR + PROFILARR:
        print("    %-28s %4d" % (module, code_lines(module)))
    for line in [*scenario_timings(), *wiring_noop_requests(), *gitops_latency(), *request_hops(), *edge_figures()]:
        print(line)


if __name__ == "__main__":
    if sys.argv[1:] == ["seerr"]:
        seerr_part(tempfile.gettempdir())
        for name, _ in SEERR:
            print("    %-28s %4d lines beyond the documentation" % (name, code_lines(name)))
    else:
        main()
