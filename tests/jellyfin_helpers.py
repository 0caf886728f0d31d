"""What the jellyfin_* module tests share: an emulator with its wizard done, module arguments, the run."""
from __future__ import annotations

from typing import Any

from tests.ansible_run import run_module
from tests.emulators.jellyfin import JellyfinEmulator

ADMIN = "admin"
PASSWORD = "Jf-Admin-Pass-77"
LOGIN = "POST /Users/AuthenticateByName"


def module_args(emu: JellyfinEmulator, **options: Any) -> dict[str, Any]:
    """Arguments that point a module at the emulator as its administrator (a short wait: it is up already)."""
    return dict(dict(url=emu.url, username=ADMIN, password=PASSWORD, wait_timeout=5), **options)


def run(module: str, emu: JellyfinEmulator, check: bool = False, verbosity: int = 0, **options: Any) -> dict[str, Any]:
    return run_module(module, module_args(emu, **options), check=check, verbosity=verbosity)


def ready(emu: JellyfinEmulator) -> JellyfinEmulator:
    """The emulator with the wizard completed by ADMIN, and an empty request log."""
    emu.complete_wizard(ADMIN, PASSWORD, ServerName="media")
    emu.reset_log()
    return emu
