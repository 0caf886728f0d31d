"""After the converge that follows the drift: everything drifted or broken is back, only it was touched, and the
self-test passes again."""

from __future__ import annotations

import phases
from conftest import run_layer, wait_healthy
from phases import REPAIR_TASKS


def test_the_converge_repaired_only_the_drift():
    record = phases.phase_record("repair")
    assert record and record["ok"], record
    assert set(record["changed_tasks"]) == set(REPAIR_TASKS), record["changed_tasks"]


def test_flaresolverr_runs_again_and_downloads_are_on_the_media_file_system(container):
    assert wait_healthy(container("flaresolverr")) == "healthy"
    for app in ("qbittorrent", "radarr"):
        mounts = {m["Destination"] for m in container(app).attrs["Mounts"]}
        assert "/media/downloads" not in mounts and "/media" in mounts, (app, mounts)


def test_the_self_test_passes_again():
    stats = run_layer("verify.yml")
    assert stats["failures"] == 0 and stats["changed"] == 0, stats["_output"]
    table = stats["results"]["verify : Print the summary"]["msg"]
    assert not [row for row in table if " FAIL " in row], table
