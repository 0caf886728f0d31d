"""After gitops.yml: the VM follows its infrastructure repository by itself, through the systemd timers only.

The tests run in order, like a user's week: a commit that changes a setting, a commit that breaks the run and
its fix, a file changed by hand. Each waits (bounded) for the timers; nothing here starts a run itself.
"""

from __future__ import annotations

import json
import shlex
import time

import phases

STATE = "/var/lib/mediastack-gitops"
SETTINGS = "/root/home-infra/inventory/vm/group_vars/mediastack/main.yml"
UNIT = "/etc/systemd/system/mediastack-gitops@.service"
# Under software emulation a run of the GitOps layer takes about two minutes (up to fifteen when the VM shares the
# two cores with other tests: make test runs the scenarios one after the other); the drift timer fires every 5. A
# wait may span a run already under way, the tick it yields to and its own run. The bound only limits how long a
# failure takes to show; a pass returns as soon as it is seen.
BOUND = 1800


def status(host) -> dict:
    return json.loads(host.file(f"{STATE}/status.json").content_string)


def wait_for(host, what: str, done) -> dict:
    deadline = time.monotonic() + BOUND
    while True:
        current = status(host)
        if done(current):
            return current
        assert time.monotonic() < deadline, f"no {what} within {BOUND} s; status: {json.dumps(current, indent=1)}"
        time.sleep(5)


def commit(host, message: str, old: str, new: str) -> tuple[str, float]:
    """Change one line of the repository's settings, commit and push; the commit and when it was pushed."""
    script = (f"set -e; cd /root/home-infra; sed -i {shlex.quote(f's|^{old}$|{new}|')} {SETTINGS}; "
              f"grep -qx {shlex.quote(new)} {SETTINGS}; "
              f"git -c user.name=Test -c user.email=test@example.org commit -qam {shlex.quote(message)}; "
              "git push -q origin main; git rev-parse HEAD; date +%s.%N")
    sha, pushed = host.check_output(script).split()
    return sha, float(pushed)


def seconds(host, iso: str) -> float:
    return float(host.check_output(f"date -d {iso} +%s"))


def test_the_role_installed_the_timers_and_the_first_poll_applied_head(host):
    for timer in ("mediastack-gitops-poll.timer", "mediastack-gitops-drift.timer"):
        assert host.service(timer).is_enabled and host.service(timer).is_running
    head = host.check_output("git -C /root/home-infra rev-parse HEAD")
    run = status(host)["last_run"]
    assert (run["result"], run["commit"]) == ("ok", head)
    assert host.file(f"{STATE}/checkout/mediastack/site.yml").exists, "the project arrives as the pinned submodule"
    assert host.check_output(f"git -C {STATE}/checkout/mediastack describe --tags") == "v0.0.0-test"
    for secret in ("deploy-key", "vault-password", "notify-url"):
        assert host.file(f"/etc/mediastack-gitops/{secret}").mode == 0o600


def test_a_commit_that_changes_a_setting_is_applied_by_the_timer(host):
    sha, pushed = commit(host, "longer run bound", "gitops_run_timeout: 1800", "gitops_run_timeout: 2400")
    run = wait_for(host, "apply of %s" % sha, lambda s: s["last_run"]["commit"] == sha)["last_run"]
    assert run["result"] == "ok" and run["changed"] >= 2, run
    assert "new commit %s" % sha[:12] in run["reason"], run  # the poll's doing, or a drift run that began after
    assert json.loads(host.file("/etc/mediastack-gitops/config.json").content_string)["run_timeout"] == 2400
    assert host.check_output("systemctl show -P TimeoutStartUSec mediastack-gitops@poll.service") == "42min"
    latency = seconds(host, run["finished"]) - pushed
    report = phases.report_path().parent / "gitops-vm.json"
    report.write_text(json.dumps({"commit_to_apply_seconds": round(latency, 1), "run_seconds": run["duration_s"],
                                  "poll_interval": host.ansible.get_variables()["gitops_poll_interval"]}) + "\n")
    print(f"gitops: commit to apply on the VM in {latency:.1f} s (the run itself {run['duration_s']} s)")


def test_a_broken_commit_is_reported_retried_and_recovers_after_a_fix(host):
    broken, _ = commit(host, "a typo", "gitops_poll_interval: 10s", "gitops_poll_interval: soon")
    failed = wait_for(host, "failed run of %s" % broken, lambda s: s["last_run"]["commit"] == broken)
    assert failed["last_run"]["result"] == "failed" and failed["last_run"]["failed"] >= 1
    assert "gitops_poll_interval is not a systemd time span like 2min (is soon)" in failed["last_run"]["message"]
    assert failed["last_success"]["commit"] != broken
    retried = wait_for(host, "retry of %s" % broken,
                       lambda s: s["consecutive_failures"] >= failed["consecutive_failures"] + 1)
    assert retried["last_run"]["commit"] == broken and retried["last_run"]["result"] == "failed"
    hook = host.file(host.ansible.get_variables()["host_scenario_hook_log"]).content_string.splitlines()
    told = [json.loads(line)["run"] for line in hook]
    assert any(run["result"] == "failed" and run["commit"] == broken for run in told), told

    fixed, _ = commit(host, "fix the typo", "gitops_poll_interval: soon", "gitops_poll_interval: 10s")
    recovered = wait_for(host, "recovery at %s" % fixed,
                         lambda s: s["last_run"]["commit"] == fixed and s["last_run"]["result"] == "ok")
    assert recovered["consecutive_failures"] == 0 and recovered["last_success"]["commit"] == fixed


def test_a_file_changed_by_hand_is_corrected_by_the_drift_schedule(host):
    edited = float(host.check_output(f"sed -i 's/^Nice=10$/Nice=0/' {UNIT}; grep -q '^Nice=0$' {UNIT}; date +%s.%N"))

    def corrected(current: dict) -> bool:
        # Only a drift run can: a poll finds no new commit. The run that put it back may have begun before the
        # edit; wait for it to end.
        return ("Nice=10" in host.file(UNIT).content_string.splitlines() and "running" not in current
                and seconds(host, current["last_run"]["finished"]) >= edited)

    run = wait_for(host, "correction of the edited unit", corrected)["last_run"]
    assert run["mode"] == "drift" and run["result"] == "ok" and run["changed"] >= 1, run
    assert run["reason"] == "drift run"


def test_no_secret_in_the_journal_the_status_file_or_the_logs(host):
    secrets = {name: host.check_output(f"cat /etc/mediastack-gitops/{name}")
               for name in ("vault-password", "notify-url")}
    secrets["deploy key"] = host.check_output("sed -n 2p /etc/mediastack-gitops/deploy-key")
    secrets["hook token"] = secrets["notify-url"].rsplit("/", 1)[1]
    written = "\n".join([
        host.check_output("journalctl --no-pager -o cat -u 'mediastack-gitops@*'"),
        host.file(f"{STATE}/status.json").content_string,
        host.file("/etc/mediastack-gitops/config.json").content_string,
        host.check_output(f"cat {STATE}/*.log"),
    ])
    assert "result=ok" in written and "result=failed" in written, "the journal holds the runs"
    for name, value in secrets.items():
        assert len(value) >= 8 and value not in written, f"the {name} leaked"
