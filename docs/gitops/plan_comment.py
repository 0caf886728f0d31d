#!/usr/bin/env python3
"""Put a mediastack plan on its pull request as one comment, updated in place on every new plan.

Run by docs/gitops/workflow.yml after `sudo mediastack-gitops plan --ref <sha>` wrote its output to a file:

    python3 mediastack/docs/gitops/plan_comment.py --plan plan.txt --outcome success --pr 7 --commit <sha>

Reads GITHUB_API_URL, GITHUB_REPOSITORY and GITHUB_TOKEN (the job's token, with `pull-requests: write`); the
pull request's number comes from --pr or from the event file (GITHUB_EVENT_PATH). Before anything leaves this
machine the output loses its ANSI colours and its secrets: every line of MEDIASTACK_PLAN_MASK (one value a
line), Ansible Vault blobs and private-key blocks become ***. What does not fit in a comment (65536
characters) is cut from the start, so the play recap and the errors at the end stay. The masked output goes
to stdout as well (the job log), whole. --dry-run prints the comment and sends nothing.

Standard library only, Python 3.9 or newer: it runs on whatever runner the plan job has, the home server too.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional, Tuple

MARKER = "<!-- mediastack-plan -->"
COMMENT_LIMIT = 65536  # GitHub refuses a longer comment body (422)
API_VERSION = "2022-11-28"
ACCEPT = "application/vnd.github+json"
PER_PAGE = 100
MASK = "***"
DEFAULT_AUTHOR = "github-actions[bot]"  # who posts with the job's GITHUB_TOKEN
SUMMARY = re.compile(r"^mediastack-gitops: plan result=(?P<result>\S+) commit=(?P<commit>\S+)"
                     r" changed=(?P<changed>\d+) failed=(?P<failed>\d+)\s*$", re.MULTILINE)
# CSI (colours, cursor), OSC (titles, links) and the two-byte escapes; then the other control characters.
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A vault blob: its header, then hex lines, as YAML shows it (indented, maybe a diff's +/-) or as JSON
# does (on one line, joined by \n escapes).
VAULT = re.compile(r"\$ANSIBLE_VAULT;[0-9.]+;[A-Za-z0-9_]+(?:;[^\s\\\"']+)?"
                   r"(?:(?:\s|\\[nr])+[+-]?\s*[0-9a-fA-F]+(?=[\s\\\"',]|$))*(?:\\[nr])*")
# A private key (PEM, OpenSSH, PGP), to its END line or, cut short, to the end of the output.
PRIVATE_KEY = re.compile(r"-----BEGIN (?P<kind>[A-Z0-9 ]*PRIVATE KEY[A-Z ]*)-----.*?"
                         r"(?:-----END (?P=kind)-----(?:\\[nr])*|\Z)", re.DOTALL)
LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
HINTS = {
    401: "the token is missing, expired or wrong (GITHUB_TOKEN)",
    403: "the token may not write there: the plan job needs `permissions: pull-requests: write`, and pull "
         "requests from forks get a read-only token (or the API rate limit was hit)",
    404: "no such repository, pull request or comment, or the token cannot see it",
    422: "GitHub refused the comment (validation failed)",
}


class ApiError(Exception):
    """A GitHub API call that failed; the message names the method, URL and status, never the token."""


# --- the text ---------------------------------------------------------------------------------------------

def mask_values(environ: Dict[str, str], name: str) -> List[str]:
    """The values to mask: the variable's non-blank lines, longest first (so a value inside another goes too)."""
    values = {line.rstrip("\r") for line in environ.get(name, "").split("\n") if line.strip()}
    return sorted(values, key=len, reverse=True)


def clean(text: str, values: List[str]) -> str:
    """Without ANSI escapes and control characters, then without secrets (escapes could split a secret)."""
    text = CONTROL.sub("", ANSI.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    text = PRIVATE_KEY.sub(MASK, text)
    text = VAULT.sub("$ANSIBLE_VAULT;" + MASK, text)
    for value in values:
        text = text.replace(value, MASK)
    return text


def size(text: str) -> int:
    """Length in UTF-16 units: never less than GitHub's count of characters, whichever way it counts."""
    return len(text.encode("utf-16-le")) // 2


def fence_for(text: str) -> str:
    """A code fence longer than any run of backticks in the text, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def compose(output: str, outcome: str, commit: str, run_url: str, left_out: int) -> str:
    found = list(SUMMARY.finditer(output))
    summary = found[-1] if found else None  # the last one: the output could quote an older run's
    icon, word = ("✅", "succeeded") if outcome == "success" else ("❌", "failed")
    lines = [MARKER, "### %s mediastack plan %s" % (icon, word), ""]
    facts = ["commit `%s`" % (summary["commit"] if summary else commit or "unknown")]
    if summary:
        facts += ["result **%s**" % summary["result"], "changed **%s**" % summary["changed"],
                  "failed **%s**" % summary["failed"]]
    if run_url:
        facts.append("[workflow run](%s)" % run_url)
    lines.append(" · ".join(facts))
    lines.append("")
    if summary:
        lines.append("`%s`" % summary.group(0).strip())
    else:
        lines.append("No `mediastack-gitops: plan result=…` line: the plan did not run to its end.")
    lines.append("")
    shown = len(output.splitlines())
    label = "Ansible output: %d lines" % shown
    if left_out:
        label = "Ansible output: the last %d lines (the first %d left out)" % (shown, left_out)
    lines.append("<details%s><summary>%s</summary>" % ("" if outcome == "success" else " open", label))
    lines.append("")
    if left_out:
        lines.append("*The output is longer than a comment can be: its first %d lines are left out here. The "
                     "job log has all of it, masked the same way.*" % left_out)
        lines.append("")
    fence = fence_for(output)
    lines += [fence + "text", output.rstrip("\n"), fence, "", "</details>", ""]
    return "\n".join(lines)


def render(output: str, outcome: str, commit: str, run_url: str, limit: int = COMMENT_LIMIT) -> str:
    """The comment; when too long, the output's first lines go (the end has the recap and the errors)."""
    body = compose(output, outcome, commit, run_url, 0)
    if size(body) <= limit:
        return body
    total = output.count("\n") + 1
    budget = max(limit - size(compose("", outcome, commit, run_url, total)) - 64, 0)  # 64: a longer fence
    tail = output[len(output) - budget:]
    while size(tail) > budget:  # characters outside the BMP count twice
        tail = tail[len(tail) // 100 + 1:]
    newline = tail.find("\n")
    if 0 <= newline < len(tail) - 1:
        tail = tail[newline + 1:]  # start on a whole line
    left_out = output[:len(output) - len(tail)].count("\n")
    body = compose(tail, outcome, commit, run_url, max(left_out, 1))
    assert size(body) <= limit, size(body)
    return body


# --- the API ----------------------------------------------------------------------------------------------

class GitHub:
    def __init__(self, api_url: str, token: str) -> None:
        self.api_url = api_url.rstrip("/")
        self.token = token

    def call(self, method: str, url: str, payload: Optional[Dict[str, Any]] = None) -> Tuple[Any, Dict[str, str]]:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Authorization": "Bearer " + self.token,
            "Accept": ACCEPT,
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "mediastack-plan-comment",
            **({"Content-Type": "application/json"} if data is not None else {}),
        })
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                headers = {key.lower(): value for key, value in response.headers.items()}
        except urllib.error.HTTPError as error:
            raise ApiError(self.describe(method, url, error)) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ApiError(self.redact("%s %s: no answer (%s)" % (method, url, reason))) from None
        return (json.loads(raw) if raw else None), headers

    def describe(self, method: str, url: str, error: urllib.error.HTTPError) -> str:
        message = ""
        try:
            answer = json.loads(error.read() or b"{}")
            message = str(answer.get("message", ""))
            details = [str(item.get("message") or item.get("code") or item) for item in answer.get("errors", [])]
            if details:
                message += " (%s)" % "; ".join(details)
        except (ValueError, AttributeError, OSError):
            pass
        text = "%s %s: HTTP %d %s" % (method, url, error.code, error.reason)
        if message:
            text += ": " + message
        if error.code in HINTS:
            text += ". Likely: " + HINTS[error.code]
        return self.redact(text)

    def redact(self, text: str) -> str:
        return text.replace(self.token, MASK) if self.token else text

    def comments(self, repository: str, number: int) -> List[Dict[str, Any]]:
        """Every comment of the issue, following the Link header's rel="next" page by page."""
        url: Optional[str] = "%s/repos/%s/issues/%d/comments?per_page=%d" % (
            self.api_url, repository, number, PER_PAGE)
        found: List[Dict[str, Any]] = []
        while url:
            page, headers = self.call("GET", url)
            found += page or []
            following = LINK_NEXT.search(headers.get("link", ""))
            url = following.group(1) if following else None
            if url and not url.startswith(self.api_url + "/"):
                raise ApiError("GET: the next page is %s, outside %s: not following it with the token"
                               % (url, self.api_url))
        return found

    def put_comment(self, repository: str, number: int, body: str, author: str) -> Tuple[str, str]:
        """PATCH our existing comment (the marker, posted by `author`), else POST one; the action and URL."""
        for comment in self.comments(repository, number):
            if (comment.get("body") or "").startswith(MARKER) and (comment.get("user") or {}).get("login") == author:
                url = "%s/repos/%s/issues/comments/%d" % (self.api_url, repository, comment["id"])
                answer, _headers = self.call("PATCH", url, {"body": body})
                return "updated", (answer or {}).get("html_url", url)
        url = "%s/repos/%s/issues/%d/comments" % (self.api_url, repository, number)
        answer, _headers = self.call("POST", url, {"body": body})
        return "created", (answer or {}).get("html_url", url)


# --- the command ------------------------------------------------------------------------------------------

def parse(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", required=True, help="the file with the plan's output")
    parser.add_argument("--outcome", required=True, choices=["success", "failure"])
    parser.add_argument("--pr", type=int, help="the pull request's number (default: from GITHUB_EVENT_PATH)")
    parser.add_argument("--commit", default="", help="the planned commit (the summary line's wins)")
    parser.add_argument("--mask-env", default="MEDIASTACK_PLAN_MASK",
                        help="the variable with the values to mask, one a line (default %(default)s)")
    parser.add_argument("--author", default=DEFAULT_AUTHOR,
                        help="whose comment to update: the token's account (default %(default)s)")
    parser.add_argument("--dry-run", action="store_true", help="print the comment, send nothing")
    return parser.parse_args(argv)


def event_number(path: str) -> Optional[int]:
    if not path:
        return None
    with open(path, encoding="utf-8") as handle:
        event = json.load(handle)
    number = (event.get("pull_request") or {}).get("number") or event.get("number")
    return int(number) if number else None


def log_output(text: str, environ: Dict[str, str]) -> None:
    """The whole masked output in the job log; in Actions, with workflow commands off for its length."""
    if environ.get("GITHUB_ACTIONS") == "true":
        token = secrets.token_hex(16)
        print("::group::The plan's output (masked)\n::stop-commands::%s" % token)
        print(text.rstrip("\n"))
        print("::%s::\n::endgroup::" % token)
    else:
        print(text.rstrip("\n"))


def main(argv: Optional[List[str]] = None, environ: Optional[Dict[str, str]] = None) -> int:
    args = parse(argv)
    env = dict(os.environ if environ is None else environ)
    with open(args.plan, encoding="utf-8", errors="replace") as handle:
        output = clean(handle.read(), mask_values(env, args.mask_env))
    run_url = ""
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        run_url = "%s/%s/actions/runs/%s" % (env.get("GITHUB_SERVER_URL", "").rstrip("/"),
                                             env["GITHUB_REPOSITORY"], env["GITHUB_RUN_ID"])
    body = render(output, args.outcome, args.commit, run_url)
    if args.dry_run:
        print(body)
        return 0
    missing = [name for name in ("GITHUB_API_URL", "GITHUB_REPOSITORY", "GITHUB_TOKEN") if not env.get(name)]
    number = args.pr or event_number(env.get("GITHUB_EVENT_PATH", ""))
    if number is None:
        missing.append("--pr (or a pull_request event in GITHUB_EVENT_PATH)")
    if missing:
        print("plan_comment.py: missing %s" % ", ".join(missing), file=sys.stderr)
        return 2
    log_output(output, env)
    github = GitHub(env["GITHUB_API_URL"], env["GITHUB_TOKEN"])
    try:
        action, url = github.put_comment(env["GITHUB_REPOSITORY"], number, body, args.author)
    except ApiError as error:
        print("plan_comment.py: %s" % error, file=sys.stderr)
        return 1
    print("plan_comment.py: %s the plan comment: %s" % (action, url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
