"""The Docker engine the stand-in images need: Debian's docker.io and debootstrap, and a running dockerd.

There is no systemd on these machines, so when `docker info` fails the daemon is started in the background
(its log goes to DOCKERD_LOG) and waited for, bounded. Usable from pytest (`ensure_engine()`) and from the CLI.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import docker
from docker.errors import DockerException

APT_PACKAGES = ("docker.io", "debootstrap")
DOCKERD_LOG = Path(os.environ.get("MEDIASTACK_DOCKERD_LOG", "/var/log/mediastack-dockerd.log"))
DAEMON_TIMEOUT = 60.0


class EngineError(RuntimeError):
    """Docker or debootstrap is missing and cannot be provided here."""


def missing_packages(packages: tuple[str, ...] = APT_PACKAGES) -> list[str]:
    return [pkg for pkg in packages
            if subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True,
                              text=True).stdout.strip() != "install ok installed"]


def ensure_packages(packages: tuple[str, ...] = APT_PACKAGES) -> list[str]:
    """apt-get install what is missing (as root, non-interactive); return what was installed."""
    missing = missing_packages(packages)
    if not missing:
        return []
    if os.geteuid() != 0:
        raise EngineError(f"missing Debian packages {' '.join(missing)}: install them as root "
                          f"(apt-get install {' '.join(missing)})")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *missing]):
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise EngineError(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return missing


def _ping() -> docker.DockerClient | None:
    try:
        client = docker.from_env(version="auto", timeout=300)
        client.ping()
    except DockerException:
        return None
    return client


def ensure_daemon(timeout: float = DAEMON_TIMEOUT) -> docker.DockerClient:
    """A client for a running dockerd; start one in the background if none answers."""
    client = _ping()
    if client is not None:
        return client
    dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
    if not Path(dockerd).exists():
        raise EngineError("dockerd not found: install docker.io")
    DOCKERD_LOG.parent.mkdir(parents=True, exist_ok=True)
    with DOCKERD_LOG.open("ab") as log:
        proc = subprocess.Popen([dockerd], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        client = _ping()
        if client is not None:
            return client
        if proc.poll() is not None:
            raise EngineError(f"dockerd exited with {proc.returncode}; see {DOCKERD_LOG}")
        time.sleep(0.5)
    raise EngineError(f"dockerd did not answer within {timeout:.0f} s; see {DOCKERD_LOG}")


def ensure_engine(timeout: float = DAEMON_TIMEOUT) -> docker.DockerClient:
    """Packages installed and the daemon running: the one call pytest and the CLI make."""
    ensure_packages()
    return ensure_daemon(timeout)
