"""pytest plugin: the stand-in images (built once per machine, reused), a test bridge network with fixed
addresses, and a factory that starts stand-in containers and removes them afterwards.

Load it from tests/conftest.py (`pytest_plugins = [..., "tests.standins.fixtures"]`). Every test that uses
the images gets the `standins` marker, so `-m standins` / `-m "not standins"` select them.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import docker
import pytest
from docker.errors import APIError, NotFound

from tests.standins.builder import STANDINS, BuildResult, build, specs_mount
from tests.standins.engine import EngineError, ensure_engine
from tests.standins.harness import ADDRESSES, GATEWAY, LABEL, NETWORK, SUBNET, TIMINGS

MARKER = "standins"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: needs Docker and the stand-in images (tests/standins)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "standin_images" in getattr(item, "fixturenames", ()):
            item.add_marker(MARKER)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TIMINGS:
        terminalreporter.write_line("stand-in images: " + ", ".join(f"{k} {v}" for k, v in TIMINGS.items()))


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    try:
        return ensure_engine()
    except EngineError as exc:
        pytest.fail(f"Docker engine unavailable: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def standin_images(docker_client: docker.DockerClient) -> BuildResult:
    """{app: image} of every stand-in, built on first use on this machine, reused afterwards."""
    result = build(docker_client, log=lambda line: None)
    kind = "cold" if "base" in result.built else ("partial" if result.built else "warm")
    TIMINGS[f"first build this session ({kind})"] = f"{result.seconds:.1f} s"
    return result


def _remove_leftovers(client: docker.DockerClient) -> None:
    """Containers and the network of an earlier run that died before its finalizers ran."""
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        container.remove(force=True, v=True)
    for network in client.networks.list(names=[NETWORK]):
        network.remove()


@pytest.fixture(scope="session")
def standin_network(docker_client: docker.DockerClient) -> Iterator[Any]:
    """A user-defined bridge, SUBNET, removed afterwards (the containers on it first)."""
    _remove_leftovers(docker_client)
    ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=SUBNET, gateway=GATEWAY)])
    network = docker_client.networks.create(NETWORK, driver="bridge", ipam=ipam, labels={LABEL: "1"})
    try:
        yield network
    finally:
        _remove_leftovers(docker_client)


@pytest.fixture
def run_standin(docker_client: docker.DockerClient, standin_images: BuildResult,
                standin_network: Any) -> Iterator[Callable[..., Any]]:
    """start(app, name=None, address=None, network_mode=None, **docker_run_kwargs) -> container.

    By default the container joins the test network at ADDRESSES[app]; `network_mode="container:<id>"`
    joins another container's namespace instead. The emulator stand-ins (radarr, prowlarr, jellyfin, seerr) get
    the OpenAPI documents mounted read-only.
    Every container started here is removed (with its anonymous volumes) when the test ends."""
    started: list[Any] = []

    def start(app: str, name: str | None = None, address: str | None = None, network_mode: str | None = None,
              **kwargs: Any) -> Any:
        kwargs.setdefault("labels", {})[LABEL] = "1"
        if STANDINS[app].emulator:
            kwargs["volumes"] = {**specs_mount(), **kwargs.get("volumes", {})}
        if network_mode:
            kwargs["network_mode"] = network_mode
        else:
            kwargs["network"] = standin_network.name
            kwargs["networking_config"] = {standin_network.name: docker_client.api.create_endpoint_config(
                ipv4_address=address or ADDRESSES[app])}
        container = docker_client.containers.create(standin_images.images[app], name=name, detach=True, **kwargs)
        started.append(container)
        container.start()
        return container

    yield start
    for container in reversed(started):
        with contextlib.suppress(NotFound, APIError):
            container.remove(force=True, v=True)
