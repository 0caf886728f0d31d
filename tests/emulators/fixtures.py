"""pytest fixtures: a fresh emulator per test; the test fails if any exchange broke the OpenAPI document."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulators.server import ArrEmulator, Emulator
from tests.emulators.spec import SpecMissing, SpecViolation


def assert_no_violations(emu: Emulator) -> None:
    """Raise SpecViolation listing every request or response that broke the document (the teardown check)."""
    if emu.violations:
        raise SpecViolation(emu.name, emu.violations)


def running_emulator(app: str) -> Iterator[ArrEmulator]:
    try:
        emu = ArrEmulator(app)
    except SpecMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()
    assert_no_violations(emu)


@pytest.fixture
def radarr_emulator() -> Iterator[ArrEmulator]:
    yield from running_emulator("radarr")


@pytest.fixture
def prowlarr_emulator() -> Iterator[ArrEmulator]:
    yield from running_emulator("prowlarr")
