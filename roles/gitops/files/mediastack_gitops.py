#!/usr/bin/env python3
"""mediastack-gitops: the host follows its Git repository (installed by roles/gitops).

    mediastack-gitops run --mode poll    apply when the branch has a new commit, or when the last run failed
    mediastack-gitops run --mode drift   apply the current commit even if nothing changed (hand-made drift)
    mediastack-gitops run --mode push    the same, asked for from outside (a CI job on merge)
    mediastack-gitops plan [--ref REF]   check mode with diff of REF (default: the branch) in its own checkout
    mediastack-gitops status             the last result, in words; exit 0 when it was a success

Each run calls ansible-pull (its own checkout, --clean: the repository is the truth) under one lock, within a
time bound, and writes the result (commit, time, changed and failed counts, duration; never a secret) to
status.json and to the journal (stdout). A webhook is told of failures, and of changes when asked.
Standard library only: it runs on the host's own Python. Settings come from a JSON file the role writes.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

DEFAULT_CONFIG = "/etc/mediastack-gitops/config.json"
# ansible-playbook's PLAY RECAP line for one host.
RECAP = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
    r"\s+failed=(?P<failed>\d+)")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# The start of what Ansible says when a task or a run fails.
FAILURE = re.compile(r"^(fatal: |failed: |\[ERROR\]|ERROR!)")
# How much of a run's output the status message keeps (the last lines that say what went wrong).
MESSAGE_LINES = 6


class GitopsError(Exception):
    """A problem the user must fix (settings, repository access); printed as one line."""


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: UP017 (the host's Python may be 3.8)


def say(text: str) -> None:
    """One line for the journal."""
    print("mediastack-gitops: " + text, flush=True)


def read_secret(path: str) -> str:
    if not path or not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as handle:
        return handle.read().strip()


class Gitops:
    def __init__(self, config: dict) -> None:
        self.config = config
        self.state_dir = config["state_dir"]
        self.status_path = os.path.join(self.state_dir, "status.json")
        # Values that must never reach the journal, the status file or a notification.
        self.secrets = [value for value in (read_secret(config.get("vault_password_file", "")),
                                            read_secret(config.get("notify_url_file", "")),
                                            self.https_token()) if len(value) >= 4]

    # --- settings --------------------------------------------------------------------------------------------
    def https_token(self) -> str:
        stored = read_secret(self.config.get("https_credentials_file", ""))
        match = re.match(r"^https?://[^:/]*:([^@]*)@", stored)
        return match.group(1) if match else ""

    def fingerprint(self) -> str:
        """What a run depends on besides the commit: a changed setting makes the next poll apply again."""
        keys = ("repo_url", "branch", "playbook", "inventory", "limit", "ansible_config", "extra_args",
                "verify_commit")
        text = json.dumps({key: self.config.get(key) for key in keys}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def git_environment(self) -> dict:
        """How git reaches the repository: a deploy key with pinned host keys, or stored HTTPS credentials."""
        # Ansible needs a UTF-8 locale, which a systemd service does not have by default.
        env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C.UTF-8")
        key = self.config.get("ssh_key_file", "")
        if key and os.path.exists(key):
            known = self.config.get("known_hosts_file", "")
            ssh = ["ssh", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"]
            if self.config.get("accept_host_key"):
                ssh += ["-o", "StrictHostKeyChecking=accept-new"]
            if known:
                ssh += ["-o", "UserKnownHostsFile=" + known]
            env["GIT_SSH_COMMAND"] = " ".join(ssh)
        credentials = self.config.get("https_credentials_file", "")
        if credentials and os.path.exists(credentials):
            env.update(GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="credential.helper",
                       GIT_CONFIG_VALUE_0="store --file=" + credentials)
        gnupg = self.config.get("gnupg_home", "")
        if gnupg:
            env["GNUPGHOME"] = gnupg
        # Line by line, in order: ansible-pull's own lines would otherwise come last (a pipe is block-buffered).
        env["PYTHONUNBUFFERED"] = "1"
        env["ANSIBLE_FORCE_COLOR"] = "0"
        env["ANSIBLE_NOCOLOR"] = "1"
        return env

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "********")
        return text

    # --- state -----------------------------------------------------------------------------------------------
    def load_status(self) -> dict:
        try:
            with open(self.status_path, encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return {}

    def save_status(self, status: dict) -> None:
        """Atomically (a reader never sees half a file); world-readable: it holds no secret."""
        status["host"] = socket.gethostname()
        status["updated"] = now()
        temporary = self.status_path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(status, handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.chmod(temporary, 0o644)
        os.replace(temporary, self.status_path)

    @contextlib.contextmanager
    def lock(self, wait: bool):
        """One run at a time on this host. A poll that finds the lock taken gives way; others wait, bounded."""
        handle = open(os.path.join(self.state_dir, "lock"), "a+")  # noqa: SIM115 (held for the whole run)
        deadline = time.monotonic() + float(self.config.get("lock_wait", 3600))
        try:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as error:
                    if error.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if not wait:
                        yield False
                        return
                    if time.monotonic() > deadline:
                        raise GitopsError("another run still holds %s after %s s" % (
                            handle.name, self.config.get("lock_wait", 3600))) from None
                    time.sleep(1)
            yield True
        finally:
            handle.close()

    # --- git -------------------------------------------------------------------------------------------------
    def remote_commit(self) -> str:
        """The branch's newest commit on the remote, without fetching it (git ls-remote)."""
        ref = "refs/heads/" + self.config["branch"]
        try:
            result = subprocess.run(["git", "ls-remote", "--exit-code", self.config["repo_url"], ref],
                                    env=self.git_environment(), capture_output=True, text=True, timeout=120,
                                    check=False)
        except subprocess.TimeoutExpired:
            raise GitopsError("git ls-remote of %s timed out after 120 s" % self.config["repo_url"]) from None
        if result.returncode != 0:
            reason = self.mask(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "")
            if result.returncode == 2:
                reason = "no branch %s" % self.config["branch"]
            raise GitopsError("cannot read %s from %s: %s" % (ref, self.config["repo_url"], reason or
                                                               "git exited %d" % result.returncode))
        return result.stdout.split()[0]

    @staticmethod
    def checkout_commit(checkout: str) -> str:
        result = subprocess.run(["git", "-C", checkout, "rev-parse", "HEAD"], capture_output=True, text=True,
                                check=False)
        return result.stdout.strip() if result.returncode == 0 else ""

    # --- ansible-pull ----------------------------------------------------------------------------------------
    def pull_command(self, checkout: str, ref: str, plan: bool) -> list:
        config = self.config
        command = [config["ansible_pull"], "--url", config["repo_url"], "--checkout", ref,
                   "--directory", checkout, "--full", "--clean", "--limit", config["limit"],
                   # The host applies to itself, whatever connection a controller would use to reach it.
                   "--extra-vars", "ansible_connection=local"]
        if config.get("accept_host_key"):
            command.append("--accept-host-key")
        if config.get("verify_commit"):
            command.append("--verify-commit")
        if os.path.exists(config.get("vault_password_file", "") or "/nonexistent"):
            command += ["--vault-password-file", config["vault_password_file"]]
        if plan:
            command += ["--check", "--diff"]
        return command + list(config.get("extra_args", [])) + [config["playbook"]]

    def pull_environment(self, checkout: str) -> dict:
        """The inventory through the environment, not --inventory: ansible-pull would use the latter for its
        checkout too, and run git once per inventory host that matches this machine's name, in parallel."""
        env = dict(self.git_environment(), ANSIBLE_INVENTORY=os.path.join(checkout, self.config["inventory"]))
        if self.config.get("ansible_config"):  # inside the checkout: a plan uses the pin of the ref it plans
            env["ANSIBLE_CONFIG"] = os.path.join(checkout, self.config["ansible_config"])
        return env

    def pull(self, checkout: str, ref: str, plan: bool, log_name: str) -> dict:
        """Run ansible-pull within the time bound; stream its output to the journal; count the recap."""
        timeout = float(self.config.get("run_timeout", 3600))
        started = time.monotonic()
        log_path = os.path.join(self.state_dir, log_name)
        lines = []
        process = subprocess.Popen(self.pull_command(checkout, ref, plan), stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                                   errors="replace", env=self.pull_environment(checkout), cwd="/",
                                   start_new_session=True)  # its own process group: a timeout stops all of it

        def relay() -> None:
            descriptor = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as log:
                for raw in process.stdout:
                    line = self.mask(ANSI.sub("", raw))
                    lines.append(line.rstrip("\n"))
                    log.write(line)
                    sys.stdout.write(line)
                    sys.stdout.flush()

        reader = threading.Thread(target=relay, daemon=True)
        reader.start()
        timed_out = False
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            stop_group(process)
            returncode = process.wait()
        reader.join(timeout=30)
        counts = {"ok": 0, "changed": 0, "unreachable": 0, "failed": 0}
        recap_seen = False
        for line in lines:
            match = RECAP.match(line)
            if match:
                recap_seen = True
                for key in counts:
                    counts[key] += int(match.group(key))
        if timed_out:
            result = "timeout"
        elif returncode == 0 and counts["failed"] == 0 and counts["unreachable"] == 0:
            result = "ok"
        else:
            result = "failed"
        message = ""
        if timed_out:
            message = "stopped after the run time bound of %d s" % timeout
        elif result == "failed":
            message = ("no play recap: the checkout or the playbook could not start. " if not recap_seen
                       else "") + " | ".join(failure_summary(lines))
        return dict(counts, result=result, rc=returncode, message=message[:2000],
                    duration_s=round(time.monotonic() - started, 1),
                    commit=self.checkout_commit(checkout))

    # --- notifications ---------------------------------------------------------------------------------------
    def notify(self, run: dict) -> None:
        url = read_secret(self.config.get("notify_url_file", ""))
        wanted = run["result"] != "ok" or (self.config.get("notify_on_change") and run.get("changed", 0) > 0)
        if not url or not wanted:
            return
        host = socket.gethostname()
        text = "mediastack on %s: %s %s at %s (changed=%d failed=%d, %ss)%s" % (
            host, run["mode"], run["result"], run.get("commit", "")[:12], run.get("changed", 0),
            run.get("failed", 0), run.get("duration_s", 0), (": " + run["message"]) if run.get("message") else "")
        # `text` for Slack-style webhooks, `content` for Discord, `message` for ntfy-style JSON; and the facts.
        body = json.dumps({"text": text, "content": text[:1900], "message": text, "host": host, "run": run})
        request = urllib.request.Request(url, data=body.encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
        except (urllib.error.URLError, OSError) as error:
            # The URL itself may carry a token: never print it.
            say("the notification webhook failed: %s" % self.mask(str(getattr(error, "reason", error))))

    # --- commands --------------------------------------------------------------------------------------------
    def run(self, mode: str) -> int:
        with self.lock(wait=mode != "poll") as locked:
            if not locked:
                say("%s: another run holds the lock; this tick gives way" % mode)
                return 0
            status = self.load_status()
            last = status.get("last_run", {})
            check = {"time": now(), "mode": mode}
            try:
                remote = self.remote_commit()
            except GitopsError as error:
                check.update(action="error", message=str(error))
                status["last_check"] = check
                self.save_status(status)
                say(str(error))
                return 1
            check["remote_commit"] = remote
            reasons = []
            if mode != "poll":
                reasons.append("%s run" % mode)
            if last.get("commit") != remote:
                reasons.append("new commit %s" % remote[:12])
            if last and last.get("result") != "ok":
                reasons.append("retry after %s" % last.get("result"))
            if last and last.get("settings") != self.fingerprint():
                reasons.append("settings changed")
            if not reasons:
                check["action"] = "up to date"
                status["last_check"] = check
                self.save_status(status)
                say("up to date at %s (last run %s)" % (remote[:12], last.get("finished", "?")))
                return 0
            check["action"] = "run: " + ", ".join(reasons)
            status["last_check"] = check
            status["running"] = {"mode": mode, "started": now(), "remote_commit": remote}
            self.save_status(status)
            say("%s: %s" % (mode, ", ".join(reasons)))
            started = now()
            # The commit just read, not the branch: a commit pushed meanwhile is the next poll's (with its own
            # reason), never applied under this run's reasons.
            outcome = self.pull(self.config["checkout_dir"], remote, plan=False, log_name="last-run.log")
            run = dict(outcome, mode=mode, started=started, finished=now(), settings=self.fingerprint(),
                       reason=", ".join(reasons))
            run["commit"] = run["commit"] or remote
            status.pop("running", None)
            status["last_run"] = run
            if run["result"] == "ok":
                status["consecutive_failures"] = 0
                status["last_success"] = {"commit": run["commit"], "finished": run["finished"]}
            else:
                status["consecutive_failures"] = status.get("consecutive_failures", 0) + 1
            self.save_status(status)
            say("%s result=%s commit=%s changed=%d failed=%d unreachable=%d duration=%ss%s" % (
                mode, run["result"], run["commit"][:12], run["changed"], run["failed"], run["unreachable"],
                run["duration_s"], (" message=" + run["message"]) if run["message"] else ""))
            self.notify(run)
            return 0 if run["result"] == "ok" else 1

    def plan(self, ref: str) -> int:
        with self.lock(wait=True):
            started = now()
            outcome = self.pull(self.config["plan_dir"], ref, plan=True, log_name="last-plan.log")
            status = self.load_status()
            status["last_plan"] = dict(outcome, ref=ref, started=started, finished=now())
            self.save_status(status)
            # Check mode reports what it would change as `changed`.
            print("mediastack-gitops: plan result=%s commit=%s changed=%d failed=%d" % (
                outcome["result"], outcome["commit"], outcome["changed"], outcome["failed"]), flush=True)
            return 0 if outcome["result"] == "ok" else 1

    def status(self) -> int:
        status = self.load_status()
        run = status.get("last_run")
        if not run:
            print("no run yet (status file %s)" % self.status_path)
            return 1
        print("last run:     %s %s at commit %s, %s -> %s (%s s)" % (
            run["mode"], run["result"], run["commit"][:12], run["started"], run["finished"], run["duration_s"]))
        print("              changed=%d failed=%d unreachable=%d" % (run["changed"], run["failed"],
                                                                    run["unreachable"]))
        if run.get("message"):
            print("message:      " + run["message"])
        success = status.get("last_success")
        if success:
            print("last success: commit %s at %s" % (success["commit"][:12], success["finished"]))
        print("failures in a row: %d" % status.get("consecutive_failures", 0))
        check = status.get("last_check")
        if check:
            print("last check:   %s %s: %s" % (check["time"], check["mode"], check.get("action", "")))
        plan = status.get("last_plan")
        if plan:
            print("last plan:    %s of %s (%s), changed=%d; output in %s" % (
                plan["result"], plan["ref"], plan["commit"][:12], plan["changed"],
                os.path.join(self.state_dir, "last-plan.log")))
        print("output of the last run: %s" % os.path.join(self.state_dir, "last-run.log"))
        return 0 if run["result"] == "ok" else 1


def failure_summary(lines: list) -> list:
    """The first error Ansible printed and the lines that explain it; else the last lines of the output."""
    for index, line in enumerate(lines):
        if FAILURE.match(line):
            summary = [line.strip()]
            for following in lines[index + 1:index + MESSAGE_LINES]:
                if not following.strip() or FAILURE.match(following) or following.startswith(("TASK ", "PLAY ")):
                    break
                summary.append(following.strip())
            return summary
    return [line.strip() for line in lines if line.strip()][-MESSAGE_LINES:]


def stop_group(process: subprocess.Popen) -> None:
    """TERM to the whole process group, KILL what is left after 30 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mediastack-gitops", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=DEFAULT_CONFIG, help="settings written by roles/gitops")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="apply the repository")
    run.add_argument("--mode", choices=["poll", "drift", "push"], default="poll")
    plan = commands.add_parser("plan", help="check mode with diff of a ref, in its own checkout")
    plan.add_argument("--ref", help="branch, tag or commit (default: the followed branch)")
    commands.add_parser("status", help="the last result")
    arguments = parser.parse_args(argv)
    try:
        with open(arguments.config, encoding="utf-8") as handle:
            gitops = Gitops(json.load(handle))
        os.makedirs(gitops.state_dir, mode=0o755, exist_ok=True)
        if arguments.command == "run":
            return gitops.run(arguments.mode)
        if arguments.command == "plan":
            return gitops.plan(arguments.ref or gitops.config["branch"])
        return gitops.status()
    except (OSError, ValueError, KeyError, GitopsError) as error:
        say("error: %s" % error)
        return 2


if __name__ == "__main__":
    sys.exit(main())
