"""What tests of the stand-in containers share: the test network's addresses, host-to-container HTTP, the
wait for Docker's health status, and the recorded build times (imported by tests; fixtures.py is the plugin)."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

NETWORK = "mediastack-standin-test"
SUBNET = "172.31.250.0/24"           # unlikely to clash with Docker's defaults or the media network
GATEWAY = "172.31.250.1"
LABEL = "mediastack.standin.test"
# Fixed addresses in the test subnet, the same last octet as the reference lab where it has one.
ADDRESSES = {"gluetun": "172.31.250.2", "jellyfin": "172.31.250.10", "seerr": "172.31.250.12",
             "radarr": "172.31.250.13", "prowlarr": "172.31.250.20", "flaresolverr": "172.31.250.21",
             "profilarr": "172.31.250.22", "crowdsec": "172.31.250.30", "geoipupdate": "172.31.250.31",
             "geoip-update-server": "172.31.250.32"}   # the lab's stand-in for MaxMind's update server
HEALTH_TIMEOUT = 60.0
TIMINGS: dict[str, float | str] = {}
# Host-to-container requests only: never through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None,
         timeout: float = 10.0) -> tuple[int, str]:
    """(status, text) of one request from the host to a test container; HTTP errors are answers too."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        **({"Content-Type": "application/json"} if data else {}), **(headers or {})})
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_healthy(container: Any, timeout: float = HEALTH_TIMEOUT) -> float:
    """Seconds until Docker reports the container healthy; fails with its log if it exits or stays unhealthy."""
    started = time.monotonic()
    status = "unknown"
    while time.monotonic() - started < timeout:
        container.reload()
        state = container.attrs["State"]
        status = state.get("Health", {}).get("Status", "none")
        if status == "healthy":
            return time.monotonic() - started
        if state["Status"] in ("exited", "dead"):
            break
        time.sleep(0.25)
    logs = container.logs(tail=40).decode(errors="replace")
    pytest.fail(f"{container.name}: not healthy after {time.monotonic() - started:.1f} s "
                f"(state {container.attrs['State']['Status']}, health {status}):\n{logs}", pytrace=False)
