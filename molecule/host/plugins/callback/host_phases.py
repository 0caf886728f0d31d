"""Callback: time each playbook of the molecule host scenario and record it as a phase (see phases.py)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import yaml
from ansible import context
from ansible.plugins.callback import CallbackBase

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import phases  # noqa: E402

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


def _state(key: str) -> bool:
    """A flag of molecule's state file (created, converged) as it was before this playbook."""
    state_file = Path(os.environ.get("MOLECULE_STATE_FILE", "/nonexistent"))
    return state_file.exists() and bool((yaml.safe_load(state_file.read_text()) or {}).get(key))


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "host_phases"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self._phase = None
        self._start = 0.0

    def v2_playbook_on_start(self, playbook) -> None:
        name = os.path.basename(playbook._file_name)
        if context.CLIARGS.get("syntax") or "MOLECULE_EPHEMERAL_DIRECTORY" not in os.environ:
            return
        # Only the scenario's own playbooks (safety.yml runs playbooks/host.yml inside its phase).
        phase = PHASE_OF_PLAYBOOK.get(name)
        if phase is None:
            return
        if phase == "converge" and _state("converged"):
            phase = "idempotence"
        if phase == "destroy" and not _state("created"):
            return  # the clean-up before create: nothing to time
        if phase == "create":
            phases.reset()
        self._phase = phase
        self._start = time.monotonic()

    def v2_playbook_on_stats(self, stats) -> None:
        if self._phase is None:
            return
        ok = not any(stats.failures.values()) and not any(stats.dark.values())
        line = phases.record(self._phase, time.monotonic() - self._start, ok)
        self._display.display(line)
        if self._phase == "destroy":
            self._display.display(phases.summary())
