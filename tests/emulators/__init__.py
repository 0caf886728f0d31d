"""Stateful Radarr, Prowlarr, Jellyfin, Seerr and Profilarr emulators for the module tests, checked against the
official OpenAPI documents (Profilarr has none: against its API docs' instance schema)."""
from tests.emulators.server import ArrEmulator, RequestRecord
from tests.emulators.spec import SpecMissing, SpecViolation, load_spec_validator

__all__ = ["ArrEmulator", "RequestRecord", "SpecMissing", "SpecViolation", "load_spec_validator"]
