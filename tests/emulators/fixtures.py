"""pytest fixtures: a fresh emulator (Radarr, Prowlarr, Jellyfin, Seerr) per test; the test fails if any exchange broke
the OpenAPI document."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from tests.emulators.jellyfin import JellyfinEmulator
from tests.emulators.seerr import SeerrEmulator
from tests.emulators.server import ArrEmulator, Emulator
from tests.emulators.spec import SpecMissing, SpecViolation

E = TypeVar("E", bound=Emulator)


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
def jellyfin_emulator() -> Iterator[JellyfinEmulator]:
    yield from started(JellyfinEmulator)


@pytest.fixture
def seerr_emulator() -> Iterator[SeerrEmulator]:
    yield from started(SeerrEmulator)
