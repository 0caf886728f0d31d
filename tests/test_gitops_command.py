"""mediastack-gitops (roles/gitops/files/mediastack_gitops.py), run as systemd runs it, on this machine: the real
ansible-pull of the project's venv pulls a real Git repository (a bare one in tmp_path) and applies its playbook
to this host with a local connection. The playbook only writes files under tmp_path.

The systemd side (timers, the role, a remote over SSH) is proven in the host VM scenario (molecule/host).
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import subprocess
import sys
import threading
import time
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from tests.ansible_run import BIN, REPO
from tests.host_helpers import role_run

COMMAND = REPO / "roles" / "gitops" / "files" / "mediastack_gitops.py"
VAULT_PASSWORD = "vault-pass-Xq81"
HOOK_TOKEN = "hook-token-Zk55"
SECRET_VALUE = "vaulted-value-Mn20"
PLAYBOOK = """\
- name: Apply the test setting
  hosts: mediastack
  gather_facts: false
  tasks:
    - name: Write the setting
      ansible.builtin.copy:
        content: "{{ test_setting }}\\n"
        dest: "{{ target_dir }}/setting.txt"
        mode: "0644"
    - name: Use the vaulted secret (never shown)
      ansible.builtin.copy:
        content: "{{ test_secret }}\\n"
        dest: "{{ target_dir }}/secret.txt"
        mode: "0600"
      no_log: true
"""


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    base = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.org", "HOME": str(cwd)}
    return subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=cwd, check=True, capture_output=True,
                          text=True, env={**os.environ, **base, **(env or {})}).stdout.strip()


class Infra:
    """A bare repository (the remote), a clone to commit from, and the command's settings and state."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.remote = root / "infra.git"
        self.work = root / "work"
        self.target = root / "target"
        self.state = root / "state"
        self.etc = root / "etc"
        for path in (self.work, self.target, self.etc):
            path.mkdir()
        git(root, "init", "-q", "--bare", str(self.remote))
        git(root, "clone", "-q", str(self.remote), str(self.work))
        vault_file = self.etc / "vault-password"
        vault_file.write_text(VAULT_PASSWORD + "\n")
        vault_file.chmod(0o600)
        (self.etc / "notify-url").write_text("")
        inventory = self.work / "inventory" / "home"
        (inventory / "group_vars" / "mediastack").mkdir(parents=True)
        (inventory / "hosts.yml").write_text(
            "all:\n  children:\n    mediastack:\n      hosts:\n        testhost:\n"
            "          ansible_python_interpreter: %s\n          target_dir: %s\n" % (sys.executable, self.target))
        encrypted = subprocess.run(
            [str(BIN / "ansible-vault"), "encrypt_string", "--vault-password-file", str(vault_file),
             "--name", "test_secret", SECRET_VALUE], capture_output=True, text=True, check=True).stdout
        (inventory / "group_vars" / "mediastack" / "vault.yml").write_text(encrypted)
        self.commit(setting="one")
        self.config: dict[str, Any] = {
            "repo_url": "file://%s" % self.remote, "branch": "main", "playbook": "site.yml",
            "inventory": "inventory/home", "limit": "testhost", "ansible_config": "",
            # This machine's interpreter discovery picks a broken shim (facts/machine.md): name the Python.
            "extra_args": ["-e", "ansible_python_interpreter=%s" % sys.executable],
            "ansible_pull": str(BIN / "ansible-pull"), "checkout_dir": str(self.state / "checkout"),
            "plan_dir": str(self.state / "plan"), "state_dir": str(self.state), "run_timeout": 300,
            "lock_wait": 300, "accept_host_key": False, "verify_commit": False, "notify_on_change": False,
            "ssh_key_file": "", "known_hosts_file": "", "https_credentials_file": "",
            "vault_password_file": str(vault_file), "notify_url_file": str(self.etc / "notify-url"), "gnupg_home": ""}

    def commit(self, setting: str = "one", playbook: str = PLAYBOOK, sign_env: dict[str, str] | None = None) -> str:
        (self.work / "site.yml").write_text(playbook)
        (self.work / "inventory" / "home" / "group_vars" / "mediastack" / "main.yml").write_text(
            "test_setting: %s\n" % setting)
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "--allow-empty", *(["-S"] if sign_env else []), "-m", "setting " + setting,
            env=sign_env)
        git(self.work, "push", "-q", "origin", "HEAD:main")
        return git(self.work, "rev-parse", "HEAD")

    def run(self, *args: str, timeout: int = 600, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        config = self.etc / "config.json"
        config.write_text(json.dumps(self.config))
        return subprocess.run([sys.executable, str(COMMAND), "--config", str(config), *args], capture_output=True,
                              text=True, timeout=timeout, env={**os.environ, "HOME": str(self.root), **(env or {})})

    def status(self) -> dict[str, Any]:
        return json.loads((self.state / "status.json").read_text())

    def setting(self) -> str:
        return (self.target / "setting.txt").read_text().strip()

    def everything_written(self, result: subprocess.CompletedProcess) -> str:
        """What a reader of the journal, the status file or the run log could see."""
        logs = [path.read_text() for path in self.state.glob("*.log")]
        return "\n".join([result.stdout, result.stderr, (self.state / "status.json").read_text(), *logs])


@pytest.fixture
def infra(tmp_path: Path) -> Infra:
    return Infra(tmp_path)


def test_a_poll_applies_each_new_commit_once(infra: Infra) -> None:
    first = infra.run("run", "--mode", "poll")
    assert first.returncode == 0, first.stdout + first.stderr
    status = infra.status()
    head = git(infra.work, "rev-parse", "HEAD")
    assert infra.setting() == "one"
    assert status["last_run"]["result"] == "ok" and status["last_run"]["commit"] == head
    assert status["last_run"]["changed"] == 2 and status["last_run"]["failed"] == 0
    assert status["last_success"]["commit"] == head and status["consecutive_failures"] == 0
    assert "poll result=ok commit=%s changed=2 failed=0" % head[:12] in first.stdout

    again = infra.run("run", "--mode", "poll")
    assert again.returncode == 0 and "up to date at %s" % head[:12] in again.stdout
    assert "PLAY RECAP" not in again.stdout, "a poll with nothing new must not run ansible-pull"
    assert infra.status()["last_run"] == status["last_run"]
    assert infra.status()["last_check"]["action"] == "up to date"

    second = infra.commit(setting="two")
    changed = infra.run("run", "--mode", "poll")
    assert changed.returncode == 0 and infra.setting() == "two"
    run = infra.status()["last_run"]
    assert (run["commit"], run["changed"], run["reason"]) == (second, 1, "new commit %s" % second[:12])
    assert VAULT_PASSWORD not in infra.everything_written(changed)
    assert SECRET_VALUE not in infra.everything_written(changed)


def test_a_run_applies_the_commit_it_checked_and_one_pushed_meanwhile_is_the_next_polls(infra: Infra,
                                                                                          tmp_path: Path) -> None:
    checked = git(infra.work, "rev-parse", "HEAD")
    (infra.work / "inventory" / "home" / "group_vars" / "mediastack" / "main.yml").write_text("test_setting: two\n")
    git(infra.work, "commit", "-qam", "setting two")        # pushed only once the run has read the branch
    meanwhile = git(infra.work, "rev-parse", "HEAD")
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True, check=True).stdout.strip()
    wrapper.write_text(f"""#!/bin/sh
{real} "$@"; code=$?
if [ "$1" = ls-remote ] && [ ! -e {tmp_path}/pushed ]; then
  touch {tmp_path}/pushed; {real} -C {infra.work} push -q origin HEAD:main >/dev/null 2>&1
fi
exit $code
""")
    wrapper.chmod(0o755)
    path = {"PATH": f"{wrapper.parent}:{os.environ['PATH']}"}
    first = infra.run("run", "--mode", "poll", env=path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert git(infra.work, "ls-remote", str(infra.remote), "refs/heads/main").split()[0] == meanwhile
    run = infra.status()["last_run"]
    assert (run["commit"], run["reason"], infra.setting()) == (checked, "new commit %s" % checked[:12], "one")
    second = infra.run("run", "--mode", "poll", env=path)
    assert second.returncode == 0, second.stdout + second.stderr
    run = infra.status()["last_run"]
    assert (run["commit"], run["reason"], infra.setting()) == (meanwhile, "new commit %s" % meanwhile[:12], "two")


def test_a_failed_run_is_retried_on_the_next_tick_and_recovers_after_a_fix(infra: Infra) -> None:
    assert infra.run("run", "--mode", "poll").returncode == 0
    broken = infra.commit(setting="'{{ undefined_variable }}'")
    failed = infra.run("run", "--mode", "poll")
    assert failed.returncode == 1
    status = infra.status()
    assert status["last_run"]["result"] == "failed" and status["last_run"]["commit"] == broken
    assert status["last_run"]["failed"] == 1 and "undefined_variable" in status["last_run"]["message"]
    assert status["consecutive_failures"] == 1 and status["last_success"]["commit"] != broken

    retried = infra.run("run", "--mode", "poll")  # same commit: retried all the same
    assert retried.returncode == 1 and "retry after failed" in retried.stdout
    assert infra.status()["consecutive_failures"] == 2

    fixed = infra.commit(setting="three")
    recovered = infra.run("run", "--mode", "poll")
    assert recovered.returncode == 0 and infra.setting() == "three"
    status = infra.status()
    assert status["consecutive_failures"] == 0 and status["last_success"]["commit"] == fixed


def test_a_drift_run_corrects_a_change_made_by_hand(infra: Infra) -> None:
    assert infra.run("run", "--mode", "poll").returncode == 0
    (infra.target / "setting.txt").write_text("edited by hand\n")
    assert "up to date" in infra.run("run", "--mode", "poll").stdout  # a poll sees no new commit
    assert infra.setting() == "edited by hand"
    drift = infra.run("run", "--mode", "drift")
    assert drift.returncode == 0 and infra.setting() == "one"
    run = infra.status()["last_run"]
    assert (run["mode"], run["changed"], run["reason"]) == ("drift", 1, "drift run")


def test_changed_settings_make_the_next_poll_apply(infra: Infra) -> None:
    assert infra.run("run", "--mode", "poll").returncode == 0
    infra.config["extra_args"] = [*infra.config["extra_args"], "-e", "test_setting=from-settings"]
    assert "settings changed" in infra.run("run", "--mode", "poll").stdout
    assert infra.setting() == "from-settings"


def test_a_poll_gives_way_to_a_running_run_and_others_wait_bounded(infra: Infra) -> None:
    infra.state.mkdir()
    with open(infra.state / "lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        poll = infra.run("run", "--mode", "poll")
        assert poll.returncode == 0 and "another run holds the lock; this tick gives way" in poll.stdout
        assert not (infra.state / "status.json").exists()
        infra.config["lock_wait"] = 2
        drift = infra.run("run", "--mode", "drift")
        assert drift.returncode == 2 and "another run still holds" in drift.stdout
    assert infra.run("run", "--mode", "poll").returncode == 0


def test_a_run_past_its_time_bound_is_stopped_and_reported(infra: Infra) -> None:
    infra.commit(playbook=PLAYBOOK.replace("  tasks:\n", "  tasks:\n    - name: Hang\n"
                                           "      ansible.builtin.command: sleep 600\n"
                                           "      changed_when: false\n"))
    infra.config["run_timeout"] = 20
    began = time.monotonic()
    result = infra.run("run", "--mode", "poll")
    assert result.returncode == 1 and time.monotonic() - began < 90
    run = infra.status()["last_run"]
    assert run["result"] == "timeout" and "time bound of 20 s" in run["message"]
    leftovers = subprocess.run(["pgrep", "-f", "sleep 600"], capture_output=True, text=True).stdout
    assert not leftovers, "the whole process group must be stopped"


class Hook:
    """A webhook receiver on 127.0.0.1 that keeps every JSON body."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                bodies.append({"path": self.path,
                               "body": json.loads(self.rfile.read(int(self.headers["Content-Length"])))})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hooks/%s" % (self.server.server_port, HOOK_TOKEN)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def hook() -> Iterator[Hook]:
    receiver = Hook()
    yield receiver
    receiver.server.shutdown()


def test_failures_are_notified_and_changes_when_asked(infra: Infra, hook: Hook) -> None:
    (infra.etc / "notify-url").write_text(hook.url + "\n")
    assert infra.run("run", "--mode", "poll").returncode == 0
    assert hook.bodies == [], "a success is not notified unless notify_on_change"
    broken = infra.commit(setting="'{{ undefined_variable }}'")
    failed = infra.run("run", "--mode", "poll")
    assert [body["body"]["run"]["result"] for body in hook.bodies] == ["failed"]
    sent = hook.bodies[0]
    assert sent["path"] == "/hooks/" + HOOK_TOKEN and sent["body"]["run"]["commit"] == broken
    assert sent["body"]["text"].startswith("mediastack on ")
    assert "poll failed at %s" % broken[:12] in sent["body"]["text"]
    assert HOOK_TOKEN not in infra.everything_written(failed), "the webhook URL is a secret"

    infra.config["notify_on_change"] = True
    infra.commit(setting="four")
    assert infra.run("run", "--mode", "poll").returncode == 0
    assert [body["body"]["run"]["result"] for body in hook.bodies] == ["failed", "ok"]
    assert hook.bodies[1]["body"]["run"]["changed"] == 1
    assert infra.run("run", "--mode", "drift").returncode == 0  # nothing changed: nothing to tell
    assert len(hook.bodies) == 2
    assert VAULT_PASSWORD not in json.dumps(hook.bodies)


def test_a_secret_printed_by_a_task_is_masked_everywhere(infra: Infra) -> None:
    infra.commit(playbook=PLAYBOOK + "    - name: Careless\n      ansible.builtin.debug:\n"
                 "        msg: \"{{ lookup('ansible.builtin.file', '%s') }}\"\n" % infra.config["vault_password_file"])
    result = infra.run("run", "--mode", "poll")
    assert result.returncode == 0 and "********" in result.stdout
    assert VAULT_PASSWORD not in infra.everything_written(result)


def test_a_plan_shows_the_change_with_a_diff_and_writes_nothing(infra: Infra) -> None:
    assert infra.run("run", "--mode", "poll").returncode == 0
    applied = infra.status()["last_run"]
    git(infra.work, "checkout", "-q", "-b", "proposal")
    (infra.work / "inventory" / "home" / "group_vars" / "mediastack" / "main.yml").write_text("test_setting: five\n")
    git(infra.work, "commit", "-q", "-am", "proposal")
    git(infra.work, "push", "-q", "origin", "proposal")
    proposal = git(infra.work, "rev-parse", "HEAD")
    plan = infra.run("plan", "--ref", proposal)
    assert plan.returncode == 0, plan.stdout
    assert "-one\n+five" in plan.stdout
    assert "plan result=ok commit=%s changed=1 failed=0" % proposal in plan.stdout
    assert infra.setting() == "one", "a plan writes nothing"
    status = infra.status()
    assert status["last_run"] == applied and status["last_plan"]["commit"] == proposal
    assert "+five" in (infra.state / "last-plan.log").read_text()
    assert SECRET_VALUE not in infra.everything_written(plan)
    assert infra.run("run", "--mode", "poll").stdout.count("up to date") == 1, "the plan's checkout is its own"


class Signer:
    """An OpenPGP key of its own (a private keyring in tmp_path) that signs commits."""

    def __init__(self, root: Path, name: str) -> None:
        self.email = "%s@example.org" % name
        self.env = {"GNUPGHOME": str(root / ("gnupg-" + name))}
        Path(self.env["GNUPGHOME"]).mkdir(mode=0o700)
        self.gpg("--passphrase", "", "--quick-gen-key", "%s <%s>" % (name, self.email), "ed25519", "sign", "never")
        self.public_key = self.gpg("--armor", "--export", self.email)

    def gpg(self, *args: str) -> str:
        return subprocess.run(["gpg", "--batch", "--quiet", *args], env={**os.environ, **self.env}, check=True,
                              capture_output=True, text=True).stdout

    def commit_env(self) -> dict[str, str]:
        return {**self.env, "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "user.signingkey",
                "GIT_CONFIG_VALUE_0": self.email}


def test_only_commits_signed_by_the_listed_keys_run(infra: Infra, tmp_path: Path) -> None:
    alice, mallory = Signer(tmp_path, "alice"), Signer(tmp_path, "mallory")
    config_dir = tmp_path / "gitops-etc"
    config_dir.mkdir()  # made by the role's main tasks before these
    # The role's own tasks keep the keyring (roles/gitops/tasks/signers.yml), exactly the listed keys.
    keep = {"gitops_verify_commit": True, "gitops_config_dir": str(config_dir)}
    assert role_run("gitops", "signers", gitops_signing_keys=[alice.public_key], **keep)["failures"] == 0
    assert role_run("gitops", "signers", gitops_signing_keys=[alice.public_key], **keep)["changed"] == 0
    infra.config.update(verify_commit=True, gnupg_home=str(config_dir / "gnupg"))

    unsigned = infra.run("run", "--mode", "poll")  # the repository's first commit is not signed
    assert unsigned.returncode == 1 and not (infra.target / "setting.txt").exists(), "the playbook must not run"
    run = infra.status()["last_run"]
    assert run["result"] == "failed" and "no play recap" in run["message"]

    signed = infra.commit(setting="signed", sign_env=alice.commit_env())
    assert infra.run("run", "--mode", "poll").returncode == 0 and infra.setting() == "signed"
    assert infra.status()["last_run"]["commit"] == signed

    infra.commit(setting="by mallory", sign_env=mallory.commit_env())
    assert infra.run("run", "--mode", "poll").returncode == 1 and infra.setting() == "signed"

    # Mallory's key listed instead of Alice's: the keyring is rebuilt with it alone.
    assert role_run("gitops", "signers", gitops_signing_keys=[mallory.public_key], **keep)["changed"] > 0
    assert infra.run("run", "--mode", "poll").returncode == 0 and infra.setting() == "by mallory"
    infra.commit(setting="by alice again", sign_env=alice.commit_env())
    assert infra.run("run", "--mode", "poll").returncode == 1 and infra.setting() == "by mallory"


def test_an_unreachable_repository_is_reported_and_the_last_run_kept(infra: Infra) -> None:
    assert infra.run("run", "--mode", "poll").returncode == 0
    applied = infra.status()["last_run"]
    infra.config["branch"] = "no-such-branch"
    result = infra.run("run", "--mode", "poll")
    assert result.returncode == 1 and "no branch no-such-branch" in result.stdout
    status = infra.status()
    assert status["last_run"] == applied and status["last_check"]["action"] == "error"


def test_status_says_what_happened(infra: Infra) -> None:
    assert infra.run("status").returncode == 1
    infra.run("run", "--mode", "poll")
    head = git(infra.work, "rev-parse", "HEAD")
    words = infra.run("status")
    assert words.returncode == 0
    assert "last run:     poll ok at commit %s" % head[:12] in words.stdout and "failures in a row: 0" in words.stdout


def test_the_host_installs_the_same_python_packages_as_the_project() -> None:
    """roles/gitops puts Ansible on the host from the same requirements as this repository's own venv."""
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    defaults = yaml.safe_load((REPO / "roles" / "gitops" / "defaults" / "main.yml").read_text())
    assert defaults["gitops_pip_packages"] == declared


class GitHttpServer:
    """`git http-backend` behind HTTP Basic authentication on 127.0.0.1: a private repository with a token."""

    def __init__(self, project_root: Path, user: str, token: str) -> None:
        expected = "Basic " + base64.b64encode(("%s:%s" % (user, token)).encode()).decode()
        self.requests: list[tuple[str, bool]] = []
        requests = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                self.serve()

            def do_POST(self) -> None:  # noqa: N802
                self.serve()

            def serve(self) -> None:
                authorised = self.headers.get("Authorization") == expected
                requests.append((self.path, authorised))
                if not authorised:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="git"')
                    self.end_headers()
                    return
                path, _, query = self.path.partition("?")
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                cgi = subprocess.run(["git", "http-backend"], input=body, capture_output=True, check=True, env={
                    "GIT_PROJECT_ROOT": str(project_root), "GIT_HTTP_EXPORT_ALL": "1", "PATH_INFO": path,
                    "QUERY_STRING": query, "REQUEST_METHOD": self.command, "REMOTE_USER": user,
                    "CONTENT_TYPE": self.headers.get("Content-Type", ""), "PATH": os.environ["PATH"]})
                head, _, payload = cgi.stdout.partition(b"\r\n\r\n")
                headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
                self.send_response(int(headers.pop("Status", "200").split()[0]))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.origin = "http://127.0.0.1:%d" % self.server.server_port


def test_a_private_repository_over_http_with_a_token_kept_out_of_sight(infra: Infra) -> None:
    token = "ghp_TokenOfTheTest77"
    server = GitHttpServer(infra.root, "x-access-token", token)
    try:
        # As roles/gitops writes it: git's credential store, one line, 0600; the URL itself carries nothing.
        credentials = infra.etc / "git-credentials"
        credentials.write_text(server.origin.replace("://", "://x-access-token:%s@" % token) + "\n")
        credentials.chmod(0o600)
        infra.config.update(repo_url=server.origin + "/infra.git", https_credentials_file=str(credentials))
        result = infra.run("run", "--mode", "poll")
        assert result.returncode == 0, result.stdout
        assert infra.setting() == "one" and infra.status()["last_run"]["result"] == "ok"
        assert any(authorised for _, authorised in server.requests), "git authenticated with the stored token"
        assert token not in infra.everything_written(result)
        assert token not in (infra.state / "checkout" / ".git" / "config").read_text()
    finally:
        server.server.shutdown()
