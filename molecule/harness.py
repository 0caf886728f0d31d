"""The molecule scenarios' shared harness: each scenario's phases (every playbook molecule runs, and every verify)
timed and recorded, for its callback plugin and its testinfra conftest.

A run starts with create.yml (which resets the record) and ends with destroy.yml. After every phase the whole
record is written to build/bench/<scenario>-scenario.json in the project directory, so a failed run still leaves
the phases that ran. A scenario's phases.py makes one `PhaseRecord` and adds what only it records.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Callable

import yaml
from ansible import context
from ansible.plugins.callback import CallbackBase


def ephemeral() -> Path:
    return Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])


def molecule_state(key: str) -> bool:
    """A flag of molecule's state file (created, converged) as it was before the running playbook."""
    state_file = Path(os.environ.get("MOLECULE_STATE_FILE", "/nonexistent"))
    return state_file.exists() and bool((yaml.safe_load(state_file.read_text()) or {}).get(key))


class PhaseRecord:
    """The phases of one scenario's run. `on_create` returns what create.yml measured of itself (to keep under
    "create"); `describe_create` turns that into the summary's first line."""

    def __init__(self, scenario: str, on_create: Callable[[], dict | None] = lambda: None,
                 describe_create: Callable[[dict], str] = lambda create: "") -> None:
        self.scenario = scenario
        self._on_create = on_create
        self._describe_create = describe_create

    def report_path(self) -> Path:
        return Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", ".")) / "build" / "bench" / (
            f"{self.scenario}-scenario.json")

    def _file(self) -> Path:
        return ephemeral() / "phases.json"

    def load(self) -> dict:
        return json.loads(self._file().read_text()) if self._file().exists() else {"phases": []}

    def reset(self) -> None:
        self._file().unlink(missing_ok=True)

    def record(self, phase: str, seconds: float, ok: bool, **details: Any) -> str:
        """Add one phase (with any details that are not None), rewrite the report, and return a one-line
        summary of it."""
        data = self.load()
        entry = {"phase": phase, "seconds": round(seconds, 1), "ok": ok}
        entry.update({name: value for name, value in details.items() if value is not None})
        data["phases"].append(entry)
        if phase == "create":
            created = self._on_create()
            if created:
                data["create"] = created
        data["total_seconds"] = round(sum(p["seconds"] for p in data["phases"]), 1)
        data["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        self._file().write_text(json.dumps(data, indent=2))
        report = self.report_path()
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(data, indent=2) + "\n")
        counted = f", changed={details['changed']}" if details.get("changed") is not None else ""
        return f"{self.scenario} scenario: {phase} {'ok' if ok else 'FAILED'} in {seconds:.1f} s{counted}"

    def phase_record(self, phase: str) -> dict:
        """The last record of `phase` in this run."""
        found = [p for p in self.load()["phases"] if p["phase"] == phase]
        return found[-1] if found else {}

    def summary(self) -> str:
        data = self.load()
        lines = [f"  {p['phase']:<16} {p['seconds']:>7.1f} s  {'ok' if p['ok'] else 'FAILED'}"
                 for p in data["phases"]]
        if data.get("create"):
            lines.insert(0, "  " + self._describe_create(data["create"]))
        lines.append(f"  {'total':<16} {data.get('total_seconds', 0):>7.1f} s   -> {self.report_path()}")
        return f"{self.scenario} scenario phases:\n" + "\n".join(lines)

    def record_verify(self, session_args: list[str], seconds: float, ok: bool) -> str:
        """A testinfra run as a phase: `verify` for tests/converge, else verify-<its test directories>."""
        paths = [Path(arg.split("::")[0]).resolve() for arg in session_args]
        suites = {path.name if path.is_dir() else path.parent.name for path in paths}
        name = "verify" if suites <= {"converge"} else "verify-" + "-".join(sorted(suites))
        return self.record(name, seconds, ok)


# How many of a phase's slowest tasks its record keeps.
SLOWEST = 12


class PhaseCallback(CallbackBase):
    """Base of a scenario's callback plugin: times each playbook molecule runs as a phase of `RECORD`, with its
    changed count, the names of the tasks that changed and those of them that showed a diff, how many module
    runs it took (task results and loop items) and its slowest tasks (where a no-op run's time goes: issue 12).
    A scenario names its phases (`phase_of`) and may act after one (`after`)."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NEEDS_ENABLED = True
    RECORD: PhaseRecord

    def __init__(self) -> None:
        super().__init__()
        self._phase: str | None = None
        self._start = 0.0
        self._changed_tasks: list[str] = []
        self._diff_tasks: list[str] = []
        self._task: tuple[str, float] | None = None
        self._task_seconds: dict[str, float] = {}
        self._results = self._items = 0

    def phase_of(self, playbook: str) -> str | None:
        """The phase a playbook (its file name) is, or None for one that is not timed."""
        raise NotImplementedError

    def after(self, phase: str) -> None:
        """What the scenario keeps once `phase` has ended."""

    def v2_playbook_on_start(self, playbook) -> None:
        self._phase = None
        if context.CLIARGS.get("syntax") or "MOLECULE_EPHEMERAL_DIRECTORY" not in os.environ:
            return
        phase = self.phase_of(os.path.basename(playbook._file_name))
        if phase is None:
            return
        if phase == "create":
            self.RECORD.reset()
        self._phase, self._start = phase, time.monotonic()
        self._changed_tasks, self._diff_tasks = [], []
        self._task, self._task_seconds, self._results, self._items = None, {}, 0, 0

    def _task_ended(self) -> None:
        """A task's wall time runs from its start to the next task's (one host: includes its skips and loops)."""
        if self._task is not None:
            name, started = self._task
            self._task_seconds[name] = self._task_seconds.get(name, 0.0) + time.monotonic() - started
            self._task = None

    def v2_playbook_on_task_start(self, task, is_conditional=False) -> None:
        self._task_ended()
        if self._phase is not None:
            self._task = (task.get_name(), time.monotonic())

    v2_playbook_on_handler_task_start = v2_playbook_on_task_start

    def _counted(self, result, *_args, **_kwargs) -> None:
        if self._phase is not None:
            self._results += 1

    v2_runner_on_failed = v2_runner_on_skipped = v2_runner_on_unreachable = _counted

    def _item_counted(self, result, *_args, **_kwargs) -> None:
        if self._phase is not None:
            self._items += 1

    v2_runner_item_on_ok = v2_runner_item_on_failed = v2_runner_item_on_skipped = _item_counted

    def v2_runner_on_ok(self, result) -> None:
        self._counted(result)
        if self._phase is not None and result._result.get("changed"):
            # The name as displayed (templated), without the role's prefix.
            name = getattr(result, "task_name", None) or result._task.get_name()
            self._changed_tasks.append(str(name).split(" : ", 1)[-1])
            if result._result.get("diff"):
                self._diff_tasks.append(self._changed_tasks[-1])

    def v2_playbook_on_stats(self, stats) -> None:
        if self._phase is None:
            return
        self._task_ended()
        ok = not any(stats.failures.values()) and not any(stats.dark.values())
        slowest = sorted(self._task_seconds.items(), key=lambda pair: -pair[1])[:SLOWEST]
        self._display.display(self.RECORD.record(
            self._phase, time.monotonic() - self._start, ok, changed=sum(stats.changed.values()),
            changed_tasks=self._changed_tasks, diff_tasks=self._diff_tasks, task_results=self._results,
            loop_items=self._items, slowest_tasks=[[name, round(seconds, 1)] for name, seconds in slowest]))
        self.after(self._phase)
        if self._phase == "destroy":
            self._display.display(self.RECORD.summary())


def testinfra_hooks(record: PhaseRecord):
    """What every scenario's testinfra conftest holds: the hook that records the verify run as a phase, and the
    fixture `hostvars` (the instance's inventory variables, as molecule.yml writes them)."""
    import pytest

    started = time.monotonic()

    def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
        print("\n" + record.record_verify(session.config.args, time.monotonic() - started, exitstatus == 0))

    @pytest.fixture(scope="module")
    def hostvars(host):
        return host.ansible.get_variables()

    return pytest_sessionfinish, hostvars
