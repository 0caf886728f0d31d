"""The Profilarr v2 emulator: the hook's order (the first-run redirect, public paths, 401 for /api), SvelteKit's
CSRF check and its answers to form actions (JSON with devalue data, or HTML and 303), the instance list without
secrets, update keeping the key on a blank one, delete; and its own check of the list answers."""
from __future__ import annotations

import http.client
import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.emulators.profilarr import DEFAULT_API_KEY, UNDEFINED, ProfilarrEmulator, devalue_stringify, negotiate
from tests.emulators_selftest.client import Answer

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FORM = "application/x-www-form-urlencoded"
RADARR = {"name": "Radarr", "type": "radarr", "url": "http://radarr:7878", "external_url": "",
          "api_key": "a" * 32, "tags": '["movies"]'}


def send(emu: ProfilarrEmulator, method: str, path: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> Answer:
    """One request, redirects not followed."""
    connection = http.client.HTTPConnection(emu.host, emu.port, timeout=5)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return Answer(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read())
    finally:
        connection.close()


def post(emu: ProfilarrEmulator, path: str, fields: dict[str, str] | None = None, accept: str = "application/json",
         key: str | None = DEFAULT_API_KEY, origin: str | None = "self", content_type: str = FORM) -> Answer:
    headers = {"Content-Type": content_type, "Accept": accept}
    if key:
        headers["X-Api-Key"] = key
    if origin:
        headers["Origin"] = emu.url if origin == "self" else origin
    return send(emu, "POST", path, urlencode(fields or {}).encode(), headers)


def get(emu: ProfilarrEmulator, path: str, key: str | None = DEFAULT_API_KEY) -> Answer:
    return send(emu, "GET", path, headers={"X-Api-Key": key} if key else {})


def devalue_parse(text: str) -> Any:
    """devalue's `parse` for what the emulator writes (objects, arrays, primitives, undefined)."""
    values = json.loads(text)
    if isinstance(values, int):
        return UNDEFINED if values == -1 else values

    def hydrate(index: int) -> Any:
        if index == -1:
            return UNDEFINED
        value = values[index]
        if isinstance(value, dict):
            return {k: hydrate(i) for k, i in value.items()}
        return [hydrate(i) for i in value] if isinstance(value, list) else value
    return hydrate(0)


def action_data(answer: Answer) -> tuple[str, int, Any]:
    """(type, status, data) of an action's JSON answer (always HTTP 200); a redirect's data is its location."""
    assert answer.status == 200 and answer.headers["content-type"] == "application/json", answer
    body = answer.json
    return body["type"], body["status"], body["location"] if "location" in body else devalue_parse(body["data"])


def test_the_hook_redirects_to_setup_until_a_user_exists_then_refuses_anonymous_api_calls(profilarr_emulator):
    emu = profilarr_emulator
    for path in ("/api/v1/health", "/api/v1/arr", "/arr", "/auth/login"):
        answer = get(emu, path, key=None)
        assert (answer.status, answer.headers.get("location")) == (303, "/auth/setup"), path
    assert get(emu, "/api/v1/arr", key="wrong-" + DEFAULT_API_KEY).status == 303        # a wrong key is ignored
    assert get(emu, "/auth/setup", key=None).status == 200
    health = get(emu, "/api/v1/health")                                                # the key skips the setup
    assert health.status == 200 and health.json["status"] == "healthy"
    assert health.json["timestamp"].endswith("Z")
    assert get(emu, "/api/v1/arr").raw == b"[]"

    emu.create_admin()
    assert get(emu, "/api/v1/health", key=None).status == 200                          # public
    refused = get(emu, "/api/v1/arr", key=None)
    assert (refused.status, refused.json) == (401, {"error": "Unauthorized"})
    assert get(emu, "/api/v1/arr", key="x" * 32).status == 401
    page = get(emu, "/arr", key=None)
    assert (page.status, page.headers["location"]) == (303, "/auth/login")
    assert get(emu, "/arr").status == 200 and get(emu, "/arr").headers["content-type"] == "text/html"


def test_csrf_refuses_cross_site_form_posts_before_the_hook(profilarr_emulator):
    emu = profilarr_emulator
    text = post(emu, "/arr/new", RADARR, accept=BROWSER, key=None, origin=None)        # before the setup redirect
    assert (text.status, text.raw) == (403, b"Cross-site POST form submissions are forbidden")
    assert text.headers["content-type"].startswith("text/plain")
    as_json = post(emu, "/arr/new", RADARR, origin="http://evil.example")
    assert (as_json.status, as_json.json) == (403, {"message": "Cross-site POST form submissions are forbidden"})
    assert post(emu, "/arr/new", RADARR, content_type="multipart/form-data; boundary=x", origin=None).status == 403
    assert emu.instances == []
    # A JSON body is no form: no CSRF check, but an action wants a form (415).
    answer = post(emu, "/arr/new", RADARR, content_type="application/json", origin=None)
    assert (answer.status, answer.json) == (415, {"type": "error", "error": {"message": "Unsupported Media Type"}})


def test_origin_setting_replaces_the_host_header():
    with ProfilarrEmulator(origin="https://Profilarr.example.org:443/") as emu:
        assert post(emu, "/arr/new", RADARR).status == 403                                 # http://127.0.0.1:port
        kind, status, _ = action_data(post(emu, "/arr/new", RADARR, origin="https://profilarr.example.org"))
        assert (kind, status) == ("redirect", 303)
        assert not emu.violations


def test_create_answers_json_failures_in_devalue_and_redirects_on_success(profilarr_emulator):
    emu = profilarr_emulator
    missing = post(emu, "/arr/new", {"name": " Radarr "})
    assert missing.json == {"type": "failure", "status": 400, "data": (
        '[{"error":1,"values":2},"Name, type, URL, and API key are required",{"name":3,"type":-1,"url":-1},'
        '"Radarr"]')}
    assert action_data(post(emu, "/arr/new", {**RADARR, "type": "lidarr"}))[2] == {
        "error": "Invalid arr type", "values": {"name": "Radarr", "type": "lidarr", "url": "http://radarr:7878"}}

    assert post(emu, "/arr/new", RADARR).json == {"type": "redirect", "status": 303, "location": "/arr"}
    assert emu.delay_profiles_applied == ["Radarr"]
    for change, error in [({"url": "http://other:7878"}, "An instance with this name already exists"),
                          ({"name": "radarr"}, "This instance target is already configured")]:
        kind, status, data = action_data(post(emu, "/arr/new", {**RADARR, **change}))
        assert (kind, status, data["error"]) == ("failure", 400, error)
    kind, _, _ = action_data(post(emu, "/arr/new", {**RADARR, "name": "radarr", "url": "http://other:7878"}))
    assert kind == "redirect"                                                          # names are case-sensitive
    assert [i["id"] for i in emu.instances] == [1, 2]
    assert [(r.method, r.path, r.status) for r in emu.writes][-1] == ("POST", "/arr/new", 200)


def test_a_browser_form_post_gets_the_failure_status_or_the_redirect(profilarr_emulator):
    emu = profilarr_emulator
    failed = post(emu, "/arr/new", {"name": "x"}, accept=BROWSER)
    assert failed.status == 400 and failed.headers["content-type"] == "text/html"
    assert b"Name, type, URL, and API key are required" in failed.raw
    created = post(emu, "/arr/new", RADARR, accept=BROWSER)
    assert (created.status, created.headers["location"], created.raw) == (303, "/arr", b"")
    # Without Accept SvelteKit negotiates */* to JSON.
    assert negotiate("*/*", ("application/json", "text/html")) == "application/json"
    assert negotiate(BROWSER, ("application/json", "text/html")) == "text/html"


def test_the_list_strips_the_secrets_and_checks_itself(profilarr_emulator):
    emu = profilarr_emulator
    assert post(emu, "/arr/new", {**RADARR, "external_url": "https://radarr.example"}).status == 200
    emu.add_instance("Sonarr", "sonarr", "http://sonarr:8989", "b" * 32, tags=None, enabled=False)
    rows = get(emu, "/api/v1/arr").json
    assert [sorted(r) for r in rows] == [sorted(["id", "name", "type", "url", "tags", "enabled", "created_at",
                                                 "updated_at", "library_refresh_interval",
                                                 "library_last_refreshed_at"])] * 2
    assert [(r["id"], r["tags"], r["enabled"], r["library_refresh_interval"]) for r in rows] == [
        (1, '["movies"]', 1, 0), (2, None, 0, 0)]
    assert emu.instances[0]["external_url"] == "https://radarr.example"
    assert len(rows[0]["created_at"]) == len("2026-01-01 00:00:00")
    emu.add_instance("Broken", "lidarr", "http://lidarr:8686")
    get(emu, "/api/v1/arr")
    assert emu.violations == ["GET /api/v1/arr: response 200 (docs/api/v1/schemas/arr.yaml): [2].type: 'lidarr' "
                              "is not one of ('radarr', 'sonarr')"]
    emu.violations.clear()


def test_update_keeps_the_key_when_blank_and_delete_redirects(profilarr_emulator):
    emu = profilarr_emulator
    first = emu.add_instance("Radarr", api_key="a" * 32, tags=["x"])
    emu.add_instance("Radarr 4K", url="http://radarr4k:7878", api_key="c" * 32)
    update = {"name": "Radarr", "url": "http://radarr:7878", "api_key": "", "tags": "",
              "library_refresh_interval": "60"}
    assert action_data(post(emu, "/arr/1/settings?/update", update)) == ("success", 200, {"success": True})
    row = emu.instances[0]
    assert (row["api_key"], row["tags"], row["enabled"], row["library_refresh_interval"], row["type"]) == (
        "a" * 32, [], 0, 60, "radarr")
    assert row["created_at"] == first["created_at"]
    for path, fields, status, error in [
            ("/arr/abc/settings?/update", update, 400, "Invalid instance ID"),
            ("/arr/9/settings?/update", update, 404, "Instance not found"),
            ("/arr/1/settings?/update", {**update, "name": " "}, 400, "Name is required"),
            ("/arr/1/settings?/update", {**update, "url": ""}, 400, "URL is required"),
            ("/arr/1/settings?/update", {**update, "name": "Radarr 4K"}, 400,
             "An instance with this name already exists"),
            ("/arr/1/settings?/update", {**update, "api_key": "c" * 32}, 400, "This instance is already connected"),
            ("/arr/9/settings?/delete", {}, 404, "Instance not found")]:
        assert action_data(post(emu, path, fields)) == ("failure", status, {"error": error}), path
    missing = post(emu, "/arr/1/settings", update)                                     # no default action here
    assert (missing.status, missing.json["type"]) == (404, "error")
    assert post(emu, "/arr/1/settings?/update", {**update, "enabled": "1"}, accept=BROWSER).status == 200
    assert emu.instances[0]["enabled"] == 1
    assert post(emu, "/arr/1/settings?/delete").json == {"type": "redirect", "status": 303, "location": "/arr"}
    assert [i["name"] for i in emu.instances] == ["Radarr 4K"]
    assert [(r.path, r.query) for r in emu.writes][-1] == ("/arr/1/settings", {"/delete": ""})


def test_state_survives_snapshot_and_restore_and_base_faults_apply(profilarr_emulator):
    emu = profilarr_emulator
    emu.create_admin()
    post(emu, "/arr/new", RADARR)
    with ProfilarrEmulator() as again:
        again.restore(json.loads(json.dumps(emu.snapshot())))
        assert get(again, "/api/v1/arr").json == get(emu, "/api/v1/arr").json
        assert again.admin_created and again.delay_profiles_applied == ["Radarr"]
        assert again.add_instance("Next", url="http://next:7878")["id"] == 2
    emu.fail_next("GET", r"^/api/v1/arr$", 500, {"error": "boom"})
    assert get(emu, "/api/v1/arr").status == 500
    emu.slow_start(0.3, mode="503")
    assert get(emu, "/api/v1/health").status == 503
    time.sleep(0.35)
    assert get(emu, "/api/v1/health").status == 200


def test_devalue_stringify_matches_the_library():
    assert devalue_stringify({"a": "x", "b": "x", "c": [1, 1.0, True, None]}) == (
        '[{"a":1,"b":1,"c":2},"x",[3,3,4,5],1,true,null]')
    assert devalue_stringify({"b": 1, "2": 2, "1": UNDEFINED}) == '[{"1":-1,"2":1,"b":2},2,1]'
    assert devalue_stringify(['<a "q">\n']) == r'[[1],"\u003Ca \"q\">\n"]'
    assert devalue_stringify(UNDEFINED) == "-1"
    assert devalue_stringify([float("nan"), float("inf"), -0.0, 0.5]) == "[[-3,-4,-6,1],0.5]"
    with pytest.raises(ValueError):
        ProfilarrEmulator(api_key="short")
