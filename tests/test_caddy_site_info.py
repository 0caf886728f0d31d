"""caddy_site_info against a real TLS server on 127.0.0.1 whose certificate a throw-away lab CA signed: the name
goes out as SNI and Host, the certificate is checked against the given roots and the name, and every failure
is reported, never raised."""
from __future__ import annotations

import http.server
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509

from tests.ansible_run import run_module
from tests.lab.certs import lab_certificate

SITE = "requests.media.example.org"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 -- the http.server API
        body = json.dumps({"commitTag": "v3.1.0", "host": self.headers["Host"], "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """An HTTPS server for SITE (and nothing else: another SNI gets a certificate without that name)."""
    state = tmp_path_factory.mktemp("edge")
    made = lab_certificate([x509.DNSName(SITE), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))], SITE, days=10)
    for name, pem in (("ca.pem", made.ca), ("cert.pem", made.certificate), ("key.pem", made.key)):
        (state / name).write_bytes(pem)
    other = lab_certificate([x509.DNSName(SITE)], SITE)           # same name, another CA
    (state / "other-ca.pem").write_bytes(other.ca)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(state / "cert.pem", state / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"port": server.server_address[1], "ca": str(state / "ca.pem"), "other_ca": str(state / "other-ca.pem")}
    server.shutdown()


def probe(edge: dict, **args: object) -> dict:
    return run_module("caddy_site_info", {"address": "127.0.0.1", "port": edge["port"], "host": SITE,
                                          "path": "/api/v1/status", "ca_path": edge["ca"], **args})


def test_a_trusted_site_reports_its_certificate_and_answer(edge: dict) -> None:
    result = probe(edge)
    assert not result["failed"] and not result["changed"], result
    assert result["reachable"] and result["tls_valid"] and result["error"] == ""
    assert result["certificate"]["names"] == [SITE]
    assert result["certificate"]["issuer"] == "mediastack lab CA"
    assert result["certificate"]["days_left"] in (9, 10)
    assert result["status"] == 200
    # The name went out as Host (and SNI: the certificate verified for it)
    assert result["json"] == {"commitTag": "v3.1.0", "host": SITE, "path": "/api/v1/status"}


def test_an_untrusted_root_is_reported_with_the_answer_behind_it(edge: dict) -> None:
    result = probe(edge, ca_path=edge["other_ca"])
    assert not result["failed"], result
    assert result["reachable"] and not result["tls_valid"]
    assert result["error"].startswith("certificate: ")      # another CA of the same name: a bad signature
    assert result["certificate"] == {}
    assert result["status"] == 200 and result["json"]["host"] == SITE


def test_a_name_the_certificate_does_not_hold_is_reported(edge: dict) -> None:
    result = probe(edge, host="jellyfin.media.example.org")
    assert not result["failed"] and not result["tls_valid"], result
    assert "Hostname mismatch" in result["error"] or "hostname" in result["error"].lower()


def test_nothing_listening_is_reported_not_raised(edge: dict, tmp_path: Path) -> None:
    result = probe(edge, port=1)
    assert not result["failed"], result
    assert not result["reachable"] and not result["tls_valid"] and result["status"] == 0
    assert "127.0.0.1:1" in result["error"]


def test_check_mode_asks_the_same(edge: dict) -> None:
    result = run_module("caddy_site_info", {"address": "127.0.0.1", "port": edge["port"], "host": SITE,
                                            "ca_path": edge["ca"]}, check=True)
    assert not result["failed"] and not result["changed"] and result["tls_valid"], result


def test_a_path_without_slash_is_refused(edge: dict) -> None:
    result = probe(edge, path="api")
    assert result["failed"] and "path must start with '/'" in result["msg"], result
