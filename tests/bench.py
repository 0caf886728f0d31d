"""`make bench`: what a no-op run of each module costs, in HTTP requests by method and in wall time.

Each module is applied once (to create what it manages), then run again unchanged; the second run is
measured. The goal is reads only, and the fewest the job needs. Figures are printed, never asserted.
"""
from __future__ import annotations

import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterator

from tests.ansible_run import run_module
from tests.qbittorrent_server import QBittorrentServer

Scenario = tuple[str, Callable[[Any], dict[str, Any]]]

QBITTORRENT: list[Scenario] = [
    ("qbittorrent_preferences", lambda s: s.module_args(preferences={
        "save_path": "/media/downloads", "temp_path_enabled": True, "temp_path": "/media/downloads/incomplete"})),
    ("qbittorrent_category", lambda s: s.module_args(name="radarr", save_path="/media/downloads/radarr")),
]


def by_method(api_requests: dict[str, int]) -> Counter:
    methods: Counter = Counter()
    for request, count in api_requests.items():
        methods[request.split(" ", 1)[0]] += count
    return methods


def measure(module: str, args: dict[str, Any]) -> Iterator[str]:
    applied = run_module(module, args)
    if applied["failed"]:
        raise SystemExit("%s failed while applying: %s" % (module, applied["msg"]))
    began = time.monotonic()
    again = run_module(module, args)
    seconds = time.monotonic() - began
    methods = by_method(again["api_requests"])
    verdict = "no-op" if not again["changed"] else "CHANGED (not idempotent!)"
    yield "%-28s %-8s %5.2fs  %s" % (module, verdict, seconds,
                                      "  ".join("%s=%d" % kv for kv in sorted(methods.items())))
    for request, count in sorted(again["api_requests"].items()):
        yield "    %2d x %s" % (count, request)


def main() -> None:
    print("No-op run of each module: requests by method (login included), wall time of one `ansible -m`.")
    with tempfile.TemporaryDirectory() as tmp:
        server = QBittorrentServer(Path(tmp) / "qbt")
        server.start()
        try:
            for module, args in QBITTORRENT:
                for line in measure(module, args(server)):
                    print(line)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
