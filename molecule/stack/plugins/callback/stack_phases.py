"""Callback: time each playbook of the molecule stack scenario and record it as a phase (see phases.py); after
each converge, keep the Radarr and Prowlarr API keys as config.xml holds them (the verify compares them)."""

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


def _converged() -> bool:
    state_file = os.environ.get("MOLECULE_STATE_FILE", "")
    if not state_file or not Path(state_file).exists():
        return False
    return bool((yaml.safe_load(Path(state_file).read_text()) or {}).get("converged"))


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "stack_phases"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self._phase = None
        self._start = 0.0
        self._changed_tasks = []
        self._diff_tasks = []

    def v2_playbook_on_start(self, playbook) -> None:
        name = os.path.basename(playbook._file_name)
        if context.CLIARGS.get("syntax") or "MOLECULE_EPHEMERAL_DIRECTORY" not in os.environ:
            return
        phase = PHASE_OF_PLAYBOOK.get(name, name)
        drifted = phases.drift_record() is not None
        if phase == "converge" and context.CLIARGS.get("check"):
            phase = "check-drift" if drifted else "check-converged" if _converged() else "check"
        elif phase == "converge" and _converged():
            phase = "repair" if drifted else "idempotence"
        if phase == "create":
            phases.reset()
        self._phase = phase
        self._start = time.monotonic()
        self._changed_tasks: list[str] = []
        self._diff_tasks: list[str] = []

    def v2_runner_on_ok(self, result) -> None:
        if self._phase is not None and result._result.get("changed"):
            # The name as displayed (templated), without the role's prefix.
            name = getattr(result, "task_name", None) or result._task.get_name()
            self._changed_tasks.append(str(name).split(" : ", 1)[-1])
            if result._result.get("diff"):
                self._diff_tasks.append(self._changed_tasks[-1])

    def v2_playbook_on_stats(self, stats) -> None:
        if self._phase is None:
            return
        ok = not any(stats.failures.values()) and not any(stats.dark.values())
        changed = sum(stats.changed.values())
        self._display.display(phases.record(self._phase, time.monotonic() - self._start, ok, changed,
                                            self._changed_tasks, self._diff_tasks))
        if self._phase == "repair":
            phases.drift_repaired()
        if self._phase in CONVERGING:
            phases.snapshot_api_keys(self._phase)
        if self._phase == "destroy":
            self._display.display(phases.summary())
