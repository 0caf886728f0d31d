"""Every host role's meta/argument_specs.yml stops a wrong type before the role does anything."""
from __future__ import annotations

import pytest

from tests.host_helpers import role_run


@pytest.mark.parametrize(("role", "variable", "value", "expected"), [
    ("base", "base_media_uid", "one thousand", "is of type str and we were unable to convert to int"),
    ("storage", "storage_media_owner", "media", "is of type str and we were unable to convert to int"),
    ("docker", "docker_manage_service", "maybe", "is of type str and we were unable to convert to bool"),
    ("network", "network_service_addresses", ["172.20.0.10"], "is of type list and we were unable to convert to dict"),
    ("router_notes", "router_notes_acme_http01", "perhaps", "is of type str and we were unable to convert to bool"),
    ("gitops", "gitops_run_timeout", "an hour", "is of type str and we were unable to convert to int"),
])
def test_a_wrong_type_is_refused(role: str, variable: str, value: object, expected: str) -> None:
    result = role_run(role, "validate", **{variable: value, "router_notes_lan_address": "192.0.2.10"})
    assert result["failures"] == 1 and result["changed"] == 0
    [message] = result["failed_msgs"]
    assert "Validation of arguments failed" in message and variable in message and expected in message, message
