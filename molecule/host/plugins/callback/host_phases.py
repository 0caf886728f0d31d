"""Callback: time each playbook of the molecule host scenario and record it as a phase (see phases.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import phases  # noqa: E402
from harness import PhaseCallback, molecule_state  # noqa: E402

DOCUMENTATION = """
name: host_phases
type: aggregate
short_description: durations of the molecule host scenario's phases
description:
  - Times every playbook molecule runs in the host scenario and records it as a phase in
    build/bench/host-scenario.json (converge.yml run a second time is the idempotence phase).
  - Prints one line per phase, and the whole table after destroy.yml.
requirements:
  - enabled in molecule/host/molecule.yml (ANSIBLE_CALLBACKS_ENABLED), run by molecule
"""

PHASE_OF_PLAYBOOK = {
    "create.yml": "create",
    "converge.yml": "converge",
    "grow.yml": "grow",
    "safety.yml": "safety",
    "gitops.yml": "gitops",
    "destroy.yml": "destroy",
}


class CallbackModule(PhaseCallback):
    CALLBACK_NAME = "host_phases"
    RECORD = phases.RECORD

    def phase_of(self, playbook: str) -> str | None:
        # Only the scenario's own playbooks (safety.yml runs playbooks/host.yml inside its phase).
        phase = PHASE_OF_PLAYBOOK.get(playbook)
        if phase == "converge" and molecule_state("converged"):
            return "idempotence"
        if phase == "destroy" and not molecule_state("created"):
            return None  # the clean-up before create: nothing to time
        return phase
