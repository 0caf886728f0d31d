"""After drift and faults (drift.yml: FlareSolverr's container removed, Radarr's download client on a wrong port, a
second volume for downloads, Jellyfin's key for Radarr revoked, the router notes edited) and a check: the plan
shows exactly that drift, with a diff, and wrote nothing; the self-test fails exactly the broken hops."""

from __future__ import annotations

from pathlib import Path

import phases
from conftest import run_layer
from phases import DRIFT_TASKS

# One broken hop per fault, each in its chapter (a revoked key breaks both of chapter 5's checks).
BROKEN_HOPS = ["ch.2 FAIL FlareSolverr is ready for Prowlarr",
               "ch.3 FAIL Radarr reaches qBittorrent (its download client \"qBittorrent\" tests OK)",
               "ch.4 FAIL Downloads and library are one file system (an import is a hardlink)",
               "ch.5 FAIL Jellyfin shows what Radarr imports (a library on /media/movies)",
               "ch.5 FAIL Radarr reaches Jellyfin (its connection \"Jellyfin\" tests OK)"]


def test_the_plan_shows_exactly_the_drift():
    record = phases.phase_record("check-drift")
    assert record and record["ok"], record
    assert sorted(set(record["changed_tasks"])) == sorted(DRIFT_TASKS), record["changed_tasks"]
    # --diff: the file's drift is shown line by line (the hand-made line going away).
    assert "Write the router and DNS notes on the controller" in record["diff_tasks"], record


def test_the_plan_wrote_nothing(client):
    drift = phases.drift_record()
    assert drift, "drift.yml left no record"
    assert drift["line"] in Path(drift["notes"]).read_text().splitlines()
    assert client.containers.list(all=True, filters={"name": "^flaresolverr$"}) == []
    mounts = {m["Destination"]: m.get("Name") for m in client.containers.get("qbittorrent").attrs["Mounts"]}
    assert mounts.get("/media/downloads") == drift["volume"], mounts


def test_the_self_test_fails_exactly_the_broken_hops_and_says_what_to_fix():
    stats = run_layer("verify.yml")
    assert stats["failures"] == 1 and stats["changed"] == 0, stats["_output"]
    table = stats["results"]["verify : Print the summary"]["msg"]
    failed = sorted(row.split(": ", 1)[0] for row in table if " FAIL " in row)
    assert failed == BROKEN_HOPS, table
    assert all("-> fix: " in row for row in table if " FAIL " in row), table
    rows = {row.split(": ", 1)[0]: row for row in table}
    assert "Invalid cross-device link" in rows[BROKEN_HOPS[2]], rows[BROKEN_HOPS[2]]
    assert "%d check(s) failed" % len(BROKEN_HOPS) in stats["failed_tasks"]["verify : Fail when a chapter failed"], \
        stats["failed_tasks"]
