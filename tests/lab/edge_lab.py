"""The internet of the edge lab, on this machine only: network namespaces with TEST-NET (and one private)
addresses, each joined to the host by a veth pair, so that they reach Caddy through its published ports as the
internet would (the host's DNAT keeps their source address), and Pebble, the ACME server, in one of them.
Caddy is published on EDGE_ADDRESS only, a lab address the host carries on its loopback: the home's public
address of the lab (nothing is published on the machine's real interfaces).

No namespace has a route anywhere but to its own veth on the host, and each gets a resolv.conf that points
nowhere, so nothing in the lab can leave the machine. Pebble resolves the site names through its namespace's
hosts file (/etc/netns/<ns>/hosts) to EDGE_ADDRESS, so its HTTP-01 validation comes back in through
the published port 80, as Let's Encrypt's would.

    python -m tests.lab.edge_lab up --state DIR --domain requests.example.org [--domain ...]
    python -m tests.lab.edge_lab down --state DIR
"""
from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography import x509

from tests.lab.certs import lab_certificate
from tests.standins.engine import ensure_packages

PREFIX = "msl-"                 # every namespace and host-side link of the lab starts with it


@dataclass(frozen=True)
class LabHost:
    name: str                   # namespace msl-<name>; links msl-<name>-h (host) and msl-<name>-c (inside)
    address: str                # inside the namespace, /30
    role: str

    @property
    def namespace(self) -> str:
        return PREFIX + self.name

    @property
    def gateway(self) -> str:
        """The host's end of the veth pair: where the namespace reaches Caddy's published ports."""
        return str(ipaddress.ip_address(self.address) - 1)


HOSTS = (
    LabHost("acme", "192.0.2.10", "Pebble, the ACME server"),
    LabHost("sg", "203.0.113.10", "a client in the allowed country (203.0.113.0/24 = SG in the lab database)"),
    LabHost("ru", "198.51.100.10", "a client in a refused country (198.51.100.0/24 = RU)"),
    LabHost("lan", "192.168.77.10", "a client on a private range"),
    LabHost("probe", "203.0.113.18", "a client that probes for missing paths"),
    LabHost("tracker", "192.0.2.42", "the lab's tracker site, a Torznab API behind a Cloudflare-style challenge "
                                     "(tests/lab/tracker_site.py)"),
)
EDGE_ADDRESS = "192.0.2.254"
TRACKER_PORT = 80
REPOSITORY = Path(__file__).resolve().parents[2]
PEBBLE_PORT = 14000
PEBBLE_MANAGEMENT_PORT = 15000


def _run(*cmd: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def in_namespace(host: LabHost, *cmd: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run a command inside a lab host's namespace (its own hosts and resolv.conf)."""
    return subprocess.run(["ip", "netns", "exec", host.namespace, *cmd], capture_output=True, text=True,
                          timeout=timeout)


def host(name: str) -> LabHost:
    return next(h for h in HOSTS if h.name == name)


def _add_namespace(lab: LabHost, names: list[str]) -> None:
    etc = Path("/etc/netns") / lab.namespace
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "resolv.conf").write_text("# the lab resolves nothing: no name may lead off this machine\n"
                                     "nameserver 127.0.0.1\n")
    (etc / "hosts").write_text("127.0.0.1 localhost\n" + "".join(f"{EDGE_ADDRESS} {name}\n" for name in names))
    outside, inside = f"{lab.namespace}-h", f"{lab.namespace}-c"
    _run("ip", "netns", "add", lab.namespace)
    _run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
    _run("ip", "link", "set", inside, "netns", lab.namespace)
    _run("ip", "addr", "add", f"{lab.gateway}/30", "dev", outside)
    _run("ip", "link", "set", outside, "up")
    for cmd in (["ip", "addr", "add", f"{lab.address}/30", "dev", inside], ["ip", "link", "set", inside, "up"],
                ["ip", "link", "set", "lo", "up"], ["ip", "route", "add", "default", "via", lab.gateway]):
        _run("ip", "netns", "exec", lab.namespace, *cmd)


def _remove_namespace(lab: LabHost) -> None:
    _run("ip", "netns", "delete", lab.namespace, check=False)       # takes its end of the veth pair along
    _run("ip", "link", "delete", f"{lab.namespace}-h", check=False)
    for item in ("resolv.conf", "hosts"):
        (Path("/etc/netns") / lab.namespace / item).unlink(missing_ok=True)
    with contextlib.suppress(FileNotFoundError):
        (Path("/etc/netns") / lab.namespace).rmdir()


def _certificates(state: Path, pebble: LabHost) -> None:
    """A lab CA and, signed by it, the certificate of Pebble's API (for its address): Caddy trusts the CA."""
    made = lab_certificate([x509.IPAddress(ipaddress.ip_address(pebble.address))], "pebble")
    for name, pem in (("lab-ca.pem", made.ca), ("pebble-cert.pem", made.certificate), ("pebble-key.pem", made.key)):
        path = state / name
        path.write_bytes(pem)
        path.chmod(0o600 if name.endswith("key.pem") else 0o644)


def pebble_url(path: str = "/dir", management: bool = False) -> str:
    port = PEBBLE_MANAGEMENT_PORT if management else PEBBLE_PORT
    return f"https://{host('acme').address}:{port}{path}"


def _https(url: str, ca: Path) -> bytes:
    context = ssl.create_default_context(cafile=str(ca))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    with opener.open(url, timeout=5) as answer:
        return answer.read()


def _start_pebble(state: Path) -> int:
    config = {"pebble": {"listenAddress": f"0.0.0.0:{PEBBLE_PORT}",
                         "managementListenAddress": f"0.0.0.0:{PEBBLE_MANAGEMENT_PORT}",
                         "certificate": str(state / "pebble-cert.pem"), "privateKey": str(state / "pebble-key.pem"),
                         "httpPort": 80, "tlsPort": 443, "ocspResponderURL": "",
                         "externalAccountBindingRequired": False}}
    (state / "pebble.json").write_text(json.dumps(config, indent=2))
    log = (state / "pebble.log").open("ab")
    # No sleeps between validation attempts and no nonce rejections: the lab is deterministic and quick.
    env = {**os.environ, "PEBBLE_VA_NOSLEEP": "1", "PEBBLE_WFE_NONCEREJECT": "0"}
    process = subprocess.Popen(["ip", "netns", "exec", host("acme").namespace, "pebble", "-config",
                                str(state / "pebble.json")], stdout=log, stderr=log, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while True:
        try:
            _https(pebble_url(), state / "lab-ca.pem")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Pebble did not start: {(state / 'pebble.log').read_text()[-2000:]}") from None
            time.sleep(0.2)
    return process.pid


def tracker_url() -> str:
    return f"http://{host('tracker').address}" + ("" if TRACKER_PORT == 80 else f":{TRACKER_PORT}")


def _start_tracker(state: Path) -> int:
    """The tracker site in its namespace, as an indexer on the internet would be: Prowlarr reaches it through the
    host, its challenge passed only by the FlareSolverr stand-in (allowed to browse this one address)."""
    log = (state / "tracker.log").open("ab")
    command = ["ip", "netns", "exec", host("tracker").namespace, sys.executable, "-m", "tests.lab.tracker_site",
               "--host", "0.0.0.0", "--port", str(TRACKER_PORT), "--public-url", tracker_url(), "--protected"]
    process = subprocess.Popen(command, stdout=log, stderr=log, cwd=REPOSITORY, start_new_session=True)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
                    tracker_url() + "/api?t=caps", timeout=5):
                break
        except urllib.error.HTTPError:
            break                           # the challenge: the site is up
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the tracker did not start: {(state / 'tracker.log').read_text()[-2000:]}") \
                    from None
            time.sleep(0.2)
    return process.pid


def pebble_root(state: Path) -> bytes:
    """The root Pebble issues under (made anew at each start), as PEM: what the lab's clients trust."""
    return _https(pebble_url("/roots/0", management=True), state / "lab-ca.pem")


@dataclass(frozen=True)
class Answer:
    status: int                 # 0 when no HTTP answer came (curl's exit code says why)
    headers: dict[str, str]     # lower-case names, the last value of each
    body: str
    curl_exit: int
    error: str


def fetch(client: str, url: str, ca: Path, headers: dict[str, str] | None = None, timeout: float = 10,
          json_body: Any = None) -> Answer:
    """One HTTPS request from a lab client's namespace to Caddy at EDGE_ADDRESS (the name in `url` resolved there,
    as the record would), trusting only `ca`; a GET, or a POST of `json_body`."""
    split = urllib.parse.urlsplit(url)
    cmd = ["curl", "-sS", "--max-time", str(timeout), "--noproxy", "*", "--cacert", str(ca),
           "--resolve", f"{split.hostname}:{split.port or 443}:{EDGE_ADDRESS}", "-D", "/dev/stdout",
           "-w", "\n%{http_code}"]
    if json_body is not None:
        cmd += ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", json.dumps(json_body)]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    result = in_namespace(host(client), *cmd, url, timeout=timeout + 5)
    head, _, body = result.stdout.partition("\n\n")          # text mode: CRLF reads as LF
    body, _, code = body.rpartition("\n")
    fields = dict(line.split(":", 1) for line in head.split("\n")[1:] if ":" in line)
    return Answer(int(code or 0) if code.isdigit() else 0, {k.strip().lower(): v.strip() for k, v in fields.items()},
                  body, result.returncode, result.stderr.strip())


def up(state: Path, domains: list[str]) -> dict:
    down(state)
    ensure_packages(("pebble", "curl"))
    state.mkdir(parents=True, exist_ok=True)
    _run("ip", "addr", "add", f"{EDGE_ADDRESS}/32", "dev", "lo")
    for lab in HOSTS:
        _add_namespace(lab, domains if lab.name == "acme" else [])
    _certificates(state, host("acme"))
    record = {"edge_address": EDGE_ADDRESS,
              "hosts": [asdict(lab) | {"namespace": lab.namespace, "gateway": lab.gateway} for lab in HOSTS],
              "pebble_pid": _start_pebble(state), "acme_ca": pebble_url(), "acme_ca_root": str(state / "lab-ca.pem"),
              "tracker_pid": _start_tracker(state), "tracker_url": tracker_url()}
    # The root Pebble issues under, for clients that check the sites' certificates (the self-test's
    # verify_edge_ca_file).
    (state / "pebble-root.pem").write_bytes(pebble_root(state))
    (state / "lab.json").write_text(json.dumps(record, indent=2))
    return record


def down(state: Path) -> None:
    record = state / "lab.json"
    if record.is_file():
        recorded = json.loads(record.read_text())
        for pid in (recorded.get("pebble_pid"), recorded.get("tracker_pid")):
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGTERM)
        record.unlink()
    for lab in HOSTS:
        _remove_namespace(lab)
    _run("ip", "addr", "delete", f"{EDGE_ADDRESS}/32", "dev", "lo", check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.lab.edge_lab", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down"])
    parser.add_argument("--state", type=Path, required=True, help="directory for the CA, Pebble's files, lab.json")
    parser.add_argument("--domain", action="append", default=[], help="a site name Pebble validates (repeatable)")
    args = parser.parse_args(argv)
    if args.command == "up":
        print(json.dumps(up(args.state, args.domain), indent=2))
    else:
        down(args.state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
