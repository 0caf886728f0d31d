"""After the converge that follows the drift: both drifted things are back, and only they were touched."""

from __future__ import annotations

import phases
from conftest import wait_healthy

REPAIRED = {"Create or update the container jellyfin", "Write the router and DNS notes on the controller"}


def test_the_converge_repaired_only_the_drift():
    record = phases.phase_record("repair")
    assert record and record["ok"], record
    assert set(record["changed_tasks"]) == REPAIRED, record["changed_tasks"]


def test_jellyfin_runs_again(container):
    assert wait_healthy(container("jellyfin")) == "healthy"
