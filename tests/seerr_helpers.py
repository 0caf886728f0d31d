"""What the seerr_* module tests share: an emulator whose Jellyfin and Radarr are known, module arguments, the run."""
from __future__ import annotations

from typing import Any

from tests.ansible_run import run_module
from tests.arr_helpers import visible
from tests.emulators.seerr import SeerrEmulator

ADMIN = "admin"
PASSWORD = "Jf-Admin-Pass-77"
RADARR_KEY = "feedfacefeedfacefeedfacefeedface"
PROFILES = ["Any", "HD-1080p", "Ultra-HD"]
FOLDERS = ["/media/movies", "/media/kids"]
TAGS = ("vpn", "seerr")
LIBRARIES = [{"id": "a1", "name": "Movies", "type": "movie"}, {"id": "b2", "name": "Shows", "type": "show"},
             {"id": "c3", "name": "Kids", "type": "movie"}]
PUBLIC = "GET /api/v1/settings/public"


def known(emu: SeerrEmulator) -> SeerrEmulator:
    """The emulator with its Jellyfin (an administrator, three libraries) and its Radarr known; not set up."""
    emu.tables.jellyfin_users[ADMIN] = (PASSWORD, True)
    emu.tables.jellyfin_libraries = [dict(lib) for lib in LIBRARIES]
    emu.tables.add_radarr("radarr", 7878, RADARR_KEY, PROFILES, FOLDERS, TAGS)
    return emu


def ready(emu: SeerrEmulator, libraries: tuple[str, ...] = ()) -> SeerrEmulator:
    """The emulator after the first setup by ADMIN (these libraries enabled), with an empty request log."""
    known(emu).set_up(ADMIN, PASSWORD, libraries)
    emu.reset_log()
    return emu


def module_args(emu: SeerrEmulator, **options: Any) -> dict[str, Any]:
    """Arguments that point a module at the emulator with its API key (a short wait: it is up already)."""
    return dict(dict(url=emu.url, api_key=emu.api_key, wait_timeout=5), **options)


def run(module: str, emu: SeerrEmulator, check: bool = False, verbosity: int = 0, **options: Any) -> dict[str, Any]:
    return run_module(module, module_args(emu, **options), check=check, verbosity=verbosity)


def secrets(emu: SeerrEmulator) -> list[str]:
    """Every secret a run could leak: the passwords and keys, the sessions, Jellyfin's key for Seerr."""
    return [PASSWORD, RADARR_KEY, emu.api_key, *emu.sessions, *emu.tables.jellyfin_keys]


def assert_no_secret_shows(emu: SeerrEmulator, *results: dict[str, Any]) -> None:
    for result in results:
        assert not [s for s in secrets(emu) if s in visible(result)]


def assert_slow_start(module: str, emu: SeerrEmulator, probe: str, **options: Any) -> dict[str, Any]:
    """A Seerr that starts within wait_timeout (nobody listening) is waited for; one that answers 503 past it
    fails on the first request, `probe`. The result of the run that waited."""
    emu.slow_start(1.5)
    within = run(module, emu, wait_timeout=20, **options)
    assert within["changed"] and not within["failed"]
    emu.slow_start(30, mode="503")
    past = run(module, emu, wait_timeout=1, **options)
    assert past["failed"] and past["msg"].startswith(
        "Seerr: GET %s%s failed: not ready within wait_timeout=1.0s" % (emu.url, probe))
    return within
