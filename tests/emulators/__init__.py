"""Stateful Radarr, Prowlarr, Jellyfin and Seerr emulators for the module tests, checked against the official OpenAPI
documents."""
from tests.emulators.server import ArrEmulator, RequestRecord
from tests.emulators.spec import SpecMissing, SpecViolation, load_spec_validator

__all__ = ["ArrEmulator", "RequestRecord", "SpecMissing", "SpecViolation", "load_spec_validator"]
