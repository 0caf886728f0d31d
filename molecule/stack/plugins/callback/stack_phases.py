"""Callback: time each playbook of the molecule stack scenario and record it as a phase (see phases.py); after
each converge, keep the Radarr and Prowlarr API keys as config.xml holds them (the verify compares them)."""

from __future__ import annotations

import sys
from pathlib import Path

from ansible import context

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import phases  # noqa: E402
from harness import PhaseCallback, molecule_state  # noqa: E402

DOCUMENTATION = """
name: stack_phases
type: aggregate
short_description: durations of the molecule stack scenario's phases
description:
  - Times every playbook molecule runs in the stack scenario and records it as a phase in
    build/bench/stack-scenario.json (converge.yml run a second time is the idempotence phase; run with --check
    it is the check phase, before the first converge, or check-converged after it), with its changed count.
  - After drift.yml the next check is check-drift and the next converge repair; every phase records the names
    of the tasks that reported a change.
  - After converge.yml, its idempotence run and recreate.yml, keeps the API keys of Radarr and Prowlarr
    (config.xml under the scenario's config root) for the verify.
  - Prints one line per phase, and the whole table after destroy.yml.
requirements:
  - enabled in molecule/stack/molecule.yml (ANSIBLE_CALLBACKS_ENABLED), run by molecule
"""

PHASE_OF_PLAYBOOK = {
    "create.yml": "create",
    "prepare.yml": "prepare",
    "converge.yml": "converge",
    "recreate.yml": "recreate",
    "drift.yml": "drift",
    "destroy.yml": "destroy",
}
CONVERGING = ("converge", "idempotence", "repair", "recreate")


class CallbackModule(PhaseCallback):
    CALLBACK_NAME = "stack_phases"
    RECORD = phases.RECORD

    def phase_of(self, playbook: str) -> str | None:
        phase = PHASE_OF_PLAYBOOK.get(playbook, playbook)
        drifted = phases.drift_record() is not None
        if phase == "converge" and context.CLIARGS.get("check"):
            return "check-drift" if drifted else "check-converged" if molecule_state("converged") else "check"
        if phase == "converge" and molecule_state("converged"):
            return "repair" if drifted else "idempotence"
        return phase

    def after(self, phase: str) -> None:
        if phase == "repair":
            phases.drift_repaired()
        if phase in CONVERGING:
            phases.snapshot_api_keys(phase)
