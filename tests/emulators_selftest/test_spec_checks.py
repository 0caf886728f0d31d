"""The OpenAPI checks bite: bad requests and bad responses are recorded, and the fixture fails the test."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.emulators import ArrEmulator, SpecViolation, load_spec_validator
from tests.emulators.fixtures import assert_no_violations, running_emulator
from tests.emulators.spec import SPECS_ENV
from tests.emulators_selftest.client import call, template


def test_a_request_of_the_wrong_type_is_answered_400_and_recorded(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    assert call(emu, "POST", "/tag", {"label": {"text": "x"}}).status == 400
    body = template(emu, "downloadclient", "QBittorrent", "qbt", priority="high")
    assert call(emu, "POST", "/downloadclient", body).status == 400
    assert emu.items("tag") == [] and emu.items("downloadclient") == []
    assert len(emu.violations) == 2
    assert emu.violations[0].startswith("POST /api/v3/tag: request: InvalidRequestBody: $.label: ")
    assert "is not of type 'string'" in emu.violations[0]
    assert "$.priority: 'high' is not of type 'integer'" in emu.violations[1]
    emu.violations.clear()


def test_a_bad_query_parameter_is_recorded(prowlarr_emulator: ArrEmulator) -> None:
    emu = prowlarr_emulator
    call(emu, "GET", "/system/status?x=1")
    call(emu, "POST", "/indexerproxy?forceSave=maybe", template(emu, "indexerproxy", "FlareSolverr", "fs"))
    assert len(emu.violations) == 1 and "Query parameter error: forceSave" in emu.violations[0]
    emu.violations.clear()


def test_a_response_of_the_wrong_type_is_recorded(radarr_emulator: ArrEmulator,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    emu = radarr_emulator
    monkeypatch.setitem(emu.state.collections["tag"], 1, {"id": "1", "label": "x"})
    assert call(emu, "GET", "/tag").status == 200
    assert emu.violations == [
        "GET /api/v3/tag: response 200: InvalidData: $[0].id: '1' is not of type 'integer'"]
    # 201 and 202 bodies are held to the document's "200" answer.
    monkeypatch.setattr(emu.state, "add", lambda kind, item, item_id=None: {"id": "7", **item})
    assert call(emu, "POST", "/tag", {"label": "new"}).status == 201
    assert emu.violations[1] == "POST /api/v3/tag: response 201: InvalidData: $.id: '7' is not of type 'integer'"
    emu.violations.clear()


def test_anonymous_and_bearer_requests_are_not_security_violations(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    call(emu, "GET", "/ping", key=None, api=False)
    call(emu, "GET", "/tag", key=None)
    call(emu, "GET", "/tag", key="bearer")
    assert emu.violations == []


def test_the_teardown_check_fails_on_violations() -> None:
    emu = ArrEmulator("prowlarr")
    assert_no_violations(emu)
    emu.violations.append("GET /api/v1/tag: response 200: InvalidData: $[0].id: '1' is not of type 'integer'")
    with pytest.raises(SpecViolation, match=r"Prowlarr emulator: 1 OpenAPI violation\(s\):\n  GET /api/v1/tag"):
        assert_no_violations(emu)


def test_a_missing_document_fails_the_fixture_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SPECS_ENV, str(tmp_path))
    with pytest.raises(pytest.fail.Exception) as failed:
        next(running_emulator("radarr"))
    message = str(failed.value)
    assert str(tmp_path / "radarr-v3.openapi.json") in message and SPECS_ENV in message


def test_the_document_is_read_from_the_environment_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = load_spec_validator("prowlarr").path
    (tmp_path / shipped.name).write_bytes(shipped.read_bytes())
    monkeypatch.setenv(SPECS_ENV, str(tmp_path))
    assert load_spec_validator("prowlarr").path == (tmp_path / shipped.name).resolve()
