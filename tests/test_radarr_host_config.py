"""radarr_host_config (config singleton with a write-only password) against the Radarr emulator."""
from __future__ import annotations

from tests.arr_helpers import run, visible

MODULE = "radarr_host_config"
GET = "GET /api/v3/config/host"
PUT = "PUT /api/v3/config/host/1"
PASSWORD = "Ui-Pass-Word-93"
FORMS = dict(authentication_method="forms", authentication_required="disabledForLocalAddresses",
             username="Admin", password=PASSWORD)


def test_forms_login_check_apply_repeat(radarr_emulator) -> None:
    emu = radarr_emulator
    untouched = emu.config("host")
    check = run(MODULE, emu, check=True, **FORMS)
    assert check["changed"] and emu.writes == [] and emu.config("host") == untouched
    result = run(MODULE, emu, **FORMS)
    assert result["changed"] and result["diff"] == check["diff"]
    assert result["api_requests"] == {GET: 1, PUT: 1}
    assert "password" in result["changed_keys"] and "authenticationMethod" in result["changed_keys"]
    assert result["diff"]["after"]["password"] == "********"
    now = emu.config("host")
    assert now["authenticationMethod"] == "forms" and now["username"].lower() == "admin"
    assert now["apiKey"] == untouched["apiKey"]

    emu.reset_log()
    again = run(MODULE, emu, **FORMS)
    assert not again["changed"] and again["api_requests"] == {GET: 1} and emu.writes == []
    for run_result in (check, result, again):
        assert PASSWORD not in visible(run_result)


def test_password_is_write_only(radarr_emulator) -> None:
    emu = radarr_emulator
    run(MODULE, emu, **FORMS)
    emu.reset_log()
    # Another password is not detectable (the server keeps a hash) ...
    other = run(MODULE, emu, **dict(FORMS, password="Another-Pass-5"))
    assert not other["changed"] and emu.writes == []
    # ... until asked for, or until the user it belongs to changes.
    pushed = run(MODULE, emu, update_secrets="always", **dict(FORMS, password="Another-Pass-5"))
    assert pushed["changed"] and pushed["changed_keys"] == ["password"] and pushed["api_requests"][PUT] == 1
    renamed = run(MODULE, emu, **dict(FORMS, username="boss"))
    assert renamed["changed"] and renamed["changed_keys"] == ["username", "password"]
    assert emu.config("host")["username"] == "boss"
    for result in (other, pushed, renamed):
        assert "Another-Pass-5" not in visible(result) and PASSWORD not in visible(result)


def test_api_key_is_refused(radarr_emulator) -> None:
    emu = radarr_emulator
    result = run(MODULE, emu, settings={"apiKey": "f" * 32, "logLevel": "debug"})
    assert result["failed"] and emu.requests == []
    assert result["msg"].startswith("Radarr at %s: config/host: apiKey: Radarr ignores the API key" % emu.url)
    assert "f" * 32 not in visible(dict(result, _output=""))


def test_settings_and_typed_options(radarr_emulator) -> None:
    emu = radarr_emulator
    args = dict(url_base="/radarr", instance_name="Radarr (home)", settings={"logLevel": "debug"})
    result = run(MODULE, emu, **args)
    assert result["changed"] and sorted(result["changed_keys"]) == ["instanceName", "logLevel", "urlBase"]
    now = emu.config("host")
    assert (now["urlBase"], now["instanceName"], now["logLevel"]) == ("/radarr", "Radarr (home)", "debug")
    emu.reset_log()
    assert not run(MODULE, emu, **args)["changed"] and emu.writes == []


def test_server_validation_is_reported(radarr_emulator) -> None:
    emu = radarr_emulator
    result = run(MODULE, emu, instance_name="My movies")
    assert result["failed"] and result["status"] == 400
    assert "PUT %s/api/v3/config/host/1" % emu.url in result["msg"] and "Radarr" in result["msg"]
    assert result["details"], "the server's validation messages"
