"""roles/router_notes: the page rendered from a sample inventory, idempotent, with and without port 80."""
from __future__ import annotations

from pathlib import Path

from tests.host_helpers import role_run

SAMPLE = {"router_notes_domain": "example.org", "router_notes_public_ip": "203.0.113.7",
          "router_notes_lan_address": "192.168.1.20", "router_notes_vpn_forwarded_port": 47123}


def test_notes_render_the_inventory_and_stay_unchanged(tmp_path: Path) -> None:
    notes = tmp_path / "router-notes-media01.md"
    first = role_run("router_notes", router_notes_path=str(notes), **SAMPLE)
    assert (first["failures"], first["changed"]) == (0, 1), first["failed_msgs"]
    text = notes.read_text()
    lines = text.splitlines()
    assert lines[0] == "<!--" and " - Ansible managed" in lines[:5]  # an HTML comment: not rendered
    for line in [
        "| `requests.example.org` | A | `203.0.113.7` |",
        "| `jellyfin.example.org` | A | `203.0.113.7` |",
        "dig +short A requests.example.org",
        "dig +short AAAA requests.example.org",
        "| 443 | tcp | `192.168.1.20:443` | HTTPS to Caddy, and ACME TLS-ALPN-01 |",
        "| 80 | tcp | `192.168.1.20:80` | ACME HTTP-01 and the redirect to HTTPS |",
        "nc -vz 203.0.113.7 443",
        "nc -vz 203.0.113.7 80",
        "curl -sSI https://requests.example.org",
        "qBittorrent listens on port 47123, reserved at airvpn.org/ports.",
        "nc -vz <VPN exit address from above> 47123",
    ]:
        assert line in lines, line
    assert "**no** rule for it on the router" in text
    assert "{{" not in text and "{%" not in text

    second = role_run("router_notes", router_notes_path=str(notes), **SAMPLE)
    assert (second["failures"], second["changed"]) == (0, 0)
    assert notes.read_text() == text


def test_without_http01_only_443_is_forwarded(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    result = role_run("router_notes", router_notes_path=str(notes),
                      **{**SAMPLE, "router_notes_acme_http01": False, "router_notes_public_ip": "",
                         "router_notes_vpn_forwarded_port": 0})
    assert result["failures"] == 0, result["failed_msgs"]
    text = notes.read_text()
    assert "| 443 | tcp | `192.168.1.20:443`" in text and "| 80 | tcp |" not in text and " 80\n" not in text
    assert "disable_http_challenge" in text
    assert "| `requests.example.org` | A | `<your public IPv4: set router_notes_public_ip>` |" in text
    assert "No port is reserved yet" in text


def test_validation_names_only_the_inputs_that_are_wrong(tmp_path: Path) -> None:
    wrong = dict(SAMPLE, router_notes_lan_address="", router_notes_vpn_forwarded_port=70000)
    result = role_run("router_notes", "validate", router_notes_path=str(tmp_path / "notes.md"), **wrong)
    assert result["failures"] == 1 and result["changed"] == 0
    message = " ".join(result["failed_msgs"])
    assert ("router_notes_lan_address must be an IPv4 address (is empty: the facts show no default IPv4 route"
            in message)
    assert "router_notes_vpn_forwarded_port (from gluetun_forwarded_port) must be 0-65535 (is 70000)" in message
    assert "router_notes_domain" not in message and "router_notes_public_ip" not in message
