"""After drift by hand (drift.yml: the Jellyfin container removed, the router notes edited) and a check: the plan
shows exactly that drift, with a diff, and wrote nothing."""

from __future__ import annotations

from pathlib import Path

import phases

# What the plan must report, and nothing else: the container to create again and the file to write back.
DRIFT_TASKS = ["Create or update the container jellyfin", "Write the router and DNS notes on the controller"]


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
    assert client.containers.list(all=True, filters={"name": "^jellyfin$"}) == []
