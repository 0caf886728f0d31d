"""Transport: ping, API key, status codes of routes, the request log, slow start and injected faults."""
from __future__ import annotations

import time
import urllib.error

import pytest

from tests.emulators import ArrEmulator, RequestRecord
from tests.emulators_selftest.client import call


def test_ping_needs_no_key_and_every_answer_names_the_version(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    ping = call(emu, "GET", "/ping", key=None, api=False)
    assert (ping.status, ping.json) == (200, {"status": "OK"})
    head = call(emu, "HEAD", "/ping", key=None, api=False)
    assert head.status == 200 and head.raw == b""
    refused = call(emu, "GET", "/tag", key=None)
    for answer in (ping, head, refused):
        assert answer.headers["X-Application-Version"] == "6.0.3.10276"


@pytest.mark.parametrize("key", ["header", "query", "bearer"])
def test_api_key_ways(radarr_emulator: ArrEmulator, key: str) -> None:
    answer = call(radarr_emulator, "GET", "/system/status", key=key)
    assert answer.status == 200 and answer.json["appName"] == "Radarr" and answer.json["version"] == "6.0.3.10276"


def test_missing_or_wrong_key_is_401_with_an_empty_body(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    for answer in (call(emu, "GET", "/tag", key=None),
                   call(emu, "GET", "/tag", headers={"X-Api-Key": "0" * 32}, key=None),
                   call(emu, "GET", "/tag?apikey=" + "0" * 32, headers={"X-Api-Key": emu.api_key}, key=None),
                   call(emu, "GET", "/tag", headers={"Authorization": "Bearer nope"}, key=None)):
        assert (answer.status, answer.raw) == (401, b"")
    # The query wins over a wrong header.
    assert call(emu, "GET", "/tag?apikey=" + emu.api_key, headers={"X-Api-Key": "0" * 32}, key=None).status == 200


def test_prowlarr_status_and_version(prowlarr_emulator: ArrEmulator) -> None:
    answer = call(prowlarr_emulator, "GET", "/system/status")
    assert answer.json["appName"] == "Prowlarr" and answer.headers["X-Application-Version"] == "2.3.5.5327"
    assert call(prowlarr_emulator, "GET", "/tag", key=None).status == 401


def test_unknown_route_404_wrong_method_405_invalid_id_400(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    assert call(emu, "GET", "/tag/7").status == 404
    assert call(emu, "PUT", "/rootfolder/1", {"id": 1, "path": "/x"}).status == 405
    invalid = call(emu, "DELETE", "/downloadclient/0")
    assert invalid.status == 400 and invalid.json["message"] == "0 is not a valid ID"
    # Radarr has no PUT for root folders, and the document has no such operation either.
    assert [v for v in emu.violations if "PUT /api/v3/rootfolder/1" in v]
    emu.violations.clear()


def test_request_log_and_write_log(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    call(emu, "GET", "/tag")
    call(emu, "POST", "/tag?x=1", {"label": "a"})
    call(emu, "GET", "/ping", key=None, api=False)
    assert emu.requests == [RequestRecord("GET", "/api/v3/tag", {}, 200),
                            RequestRecord("POST", "/api/v3/tag", {"x": "1"}, 201),
                            RequestRecord("GET", "/ping", {}, 200)]
    assert emu.writes == [RequestRecord("POST", "/api/v3/tag", {"x": "1"}, 201)]
    emu.reset_log()
    assert emu.requests == [] and emu.writes == []


def _wait_until_up(emu: ArrEmulator, limit: float = 5.0) -> int:
    deadline = time.monotonic() + limit
    while True:
        try:
            answer = call(emu, "GET", "/ping", key=None, api=False)
            if answer.status == 200:
                return answer.status
        except urllib.error.URLError:
            pass
        assert time.monotonic() < deadline, "the emulator did not come back"
        time.sleep(0.05)


def test_slow_start_refuses_then_listens_on_the_same_port(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    url = emu.url
    began = time.monotonic()
    emu.slow_start(1.0)
    with pytest.raises(urllib.error.URLError) as refused:
        call(emu, "GET", "/ping", key=None, api=False)
    assert isinstance(refused.value.reason, ConnectionRefusedError)
    _wait_until_up(emu)
    assert time.monotonic() - began >= 0.9 and emu.url == url
    assert call(emu, "GET", "/tag").status == 200


def test_slow_start_503_answers_everything_then_recovers(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    began = time.monotonic()
    emu.slow_start(1.0, mode="503")
    assert call(emu, "GET", "/ping", key=None, api=False).status == 503
    assert call(emu, "GET", "/system/status").status == 503
    _wait_until_up(emu)
    assert time.monotonic() - began >= 0.9
    assert call(emu, "GET", "/system/status").status == 200


def test_fail_next_injects_a_fault_a_number_of_times(radarr_emulator: ArrEmulator) -> None:
    emu = radarr_emulator
    emu.fail_next("post", r"/tag$", 500, body={"message": "database is locked"}, times=2)
    first, second = call(emu, "POST", "/tag", {"label": "a"}), call(emu, "POST", "/tag", {"label": "a"})
    assert (first.status, first.json) == (500, {"message": "database is locked"}) and second.status == 500
    assert emu.items("tag") == []
    assert call(emu, "POST", "/tag", {"label": "a"}).status == 201
    emu.fail_next("GET", r"/config/host", 503)
    assert (call(emu, "GET", "/config/host").status, call(emu, "GET", "/config/host").status) == (503, 200)
    assert [r.status for r in emu.requests] == [500, 500, 201, 503, 200]
