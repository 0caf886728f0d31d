"""pytest fixtures: a fresh emulator (Radarr, Prowlarr, Jellyfin, Seerr, Profilarr) per test; the test fails if any
exchange broke the OpenAPI document (Profilarr, which has none: its API docs' instance schema). Also the FlareSolverr
stand-in's own handler, in-process."""
from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pytest

from tests.emulators.jellyfin import JellyfinEmulator
from tests.emulators.profilarr import ProfilarrEmulator
from tests.emulators.seerr import SeerrEmulator
from tests.emulators.server import ArrEmulator, Emulator
from tests.emulators.spec import SpecMissing, SpecViolation
from tests.lab.tracker_site import TrackerSite

E = TypeVar("E", bound=Emulator)
STANDIN_IMAGES = Path(__file__).resolve().parents[1] / "standins" / "images"


def assert_no_violations(emu: Emulator) -> None:
    """Raise SpecViolation listing every request or response that broke the document (the teardown check)."""
    if emu.violations:
        raise SpecViolation(emu.name, emu.violations)


def started(make: Callable[[], E]) -> Iterator[E]:
    """Make (a missing document fails the test loudly), start, yield, stop; then fail on any violation."""
    try:
        emu = make()
    except SpecMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()
    assert_no_violations(emu)


def running_emulator(app: str) -> Iterator[ArrEmulator]:
    yield from started(lambda: ArrEmulator(app))


@pytest.fixture
def radarr_emulator() -> Iterator[ArrEmulator]:
    yield from running_emulator("radarr")


@pytest.fixture
def prowlarr_emulator() -> Iterator[ArrEmulator]:
    yield from running_emulator("prowlarr")


@pytest.fixture
def real_radarr() -> Iterator[ArrEmulator]:
    """Radarr as its stand-in image runs it: connection tests really connect."""
    yield from started(lambda: ArrEmulator("radarr", connect="real"))


@pytest.fixture
def real_prowlarr() -> Iterator[ArrEmulator]:
    """Prowlarr as its stand-in image runs it: connection tests, indexer sites and the application sync."""
    yield from started(lambda: ArrEmulator("prowlarr", connect="real"))


@pytest.fixture
def jellyfin_emulator() -> Iterator[JellyfinEmulator]:
    yield from started(JellyfinEmulator)


@pytest.fixture
def seerr_emulator() -> Iterator[SeerrEmulator]:
    yield from started(SeerrEmulator)


@pytest.fixture
def profilarr_emulator() -> Iterator[ProfilarrEmulator]:
    """A fresh install: PROFILARR_API_KEY is profilarr.DEFAULT_API_KEY, no local user yet, no ORIGIN."""
    yield from started(ProfilarrEmulator)


def load_image_module(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def flaresolverr_standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[Any]]]:
    """The FlareSolverr stand-in's own /v1 handler in-process, on 127.0.0.1, with the commands it received (its
    browser fetches the hosts of FLARESOLVERR_LAB_HOSTS only: a test sets it with monkeypatch)."""
    common = STANDIN_IMAGES / "common" / "standin.py"
    monkeypatch.setitem(sys.modules, "standin", load_image_module("standin", common))
    standin = sys.modules["standin"]
    image = load_image_module("flaresolverr_standin", STANDIN_IMAGES / "flaresolverr" / "flaresolverr.py")
    seen: list[Any] = []

    def v1(query: dict, body: Any, headers: Any, handler: Callable[..., Any] = image.v1) -> Any:
        seen.append(body)
        return handler(query, body, headers)

    server = standin.serve("flaresolverr", {("POST", "/v1"): v1}, 0, "127.0.0.1", block=False)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def tracker() -> Iterator[TrackerSite]:
    """The lab's tracker site, behind its Cloudflare-style challenge."""
    with TrackerSite(protected=True) as site:
        yield site


@pytest.fixture
def flaresolverr(tracker: TrackerSite, flaresolverr_standin, monkeypatch: pytest.MonkeyPatch) -> str:
    """The FlareSolverr stand-in's own handler, allowed to browse the lab site only."""
    monkeypatch.setenv("FLARESOLVERR_LAB_HOSTS", f"127.0.0.1:{tracker.port}")
    return flaresolverr_standin[0].rstrip("/")
