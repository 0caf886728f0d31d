#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: caddy_site_info
short_description: Ask the edge for one site as a browser would, and report its certificate and answer
description:
  - Opens a TLS connection to O(address) (Caddy's, not what the site's DNS name resolves to, so it works on the
    server itself and without DNS), sends O(host) as SNI and as the C(Host) header, verifies the certificate
    against O(ca_path) (or the system's trusted roots) and the name, and sends one C(GET) of O(path).
  - Reports what it saw and never fails on what the edge answers (a bad certificate, an error status, no
    answer); the caller decides. It fails only on invalid arguments.
  - Read-only; used by C(playbooks/verify.yml) to prove chapter 1 (the right certificate and the right upstream
    behind each site).
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
options:
  address:
    description: Where the edge listens, an IP address or a name, for example V(127.0.0.1).
    type: str
    required: true
  port:
    description: The edge's HTTPS port.
    type: int
    default: 443
  host:
    description: The site's name, for example V(requests.example.org) (SNI and C(Host)).
    type: str
    required: true
  path:
    description: The path to request, for example an upstream's status route.
    type: str
    default: /
  ca_path:
    description:
      - A PEM file of the roots to trust (for a private ACME CA); the system's trusted roots when omitted.
    type: path
  timeout:
    description: Seconds for the connection and for the answer.
    type: float
    default: 10
attributes:
  check_mode:
    support: full
    description: Only reads; runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
  idempotent:
    support: full
    description: Changes nothing.
seealso:
  - module: ansible.builtin.uri
"""

EXAMPLES = r"""
- name: Caddy serves requests.example.org with a certificate the system trusts, Seerr behind it
  caddy_site_info:
    address: 127.0.0.1
    host: requests.example.org
    path: /api/v1/status
  register: site

- name: The certificate is valid and Seerr answered
  ansible.builtin.assert:
    that:
      - site.tls_valid
      - site.status == 200
      - site.json.version is defined
"""

RETURN = r"""
reachable:
  description: Whether a TLS session could be set up at all (false also gives RV(error)).
  returned: always
  type: bool
tls_valid:
  description: Whether the certificate chains to a trusted root and names O(host).
  returned: always
  type: bool
error:
  description: Why the connection, the certificate or the request failed; empty when all went well.
  returned: always
  type: str
certificate:
  description: The verified certificate (empty when it could not be verified).
  returned: always
  type: dict
  contains:
    names:
      description: Its subject alternative names.
      type: list
      elements: str
    issuer:
      description: Its issuer's common name and organisation.
      type: str
    not_after:
      description: When it expires (ISO 8601, UTC).
      type: str
    days_left:
      description: Whole days until it expires.
      type: int
status:
  description: The HTTP status of the answer (0 without an answer).
  returned: always
  type: int
headers:
  description: The answer's headers, names in lower case.
  returned: always
  type: dict
body:
  description: The first 4096 characters of the answer's body.
  returned: always
  type: str
json:
  description: The body parsed as JSON, when it is JSON.
  returned: when the body is JSON
  type: raw
"""

import contextlib
import http.client
import json
import socket
import ssl
from datetime import UTC, datetime
from typing import Any, Optional

from ansible.module_utils.basic import AnsibleModule

_BODY_LIMIT = 4096


class _SiteConnection(http.client.HTTPSConnection):
    """HTTPS to one address with another name for SNI and certificate checks (what a browser sends)."""

    def __init__(self, address: str, port: int, server_name: str, context: ssl.SSLContext, timeout: float) -> None:
        super().__init__(address, port, timeout=timeout, context=context)
        self._server_name = server_name
        self._tls_context = context

    def connect(self) -> None:
        raw = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._tls_context.wrap_socket(raw, server_hostname=self._server_name)


def _context(ca_path: Optional[str], verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_path)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _certificate(peer: dict[str, Any]) -> dict[str, Any]:
    issuer = dict(item for part in peer.get("issuer", ()) for item in part)
    expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(peer["notAfter"]), tz=UTC)
    return {"names": [value for kind, value in peer.get("subjectAltName", ()) if kind == "DNS"],
            "issuer": ", ".join(v for v in (issuer.get("commonName"), issuer.get("organizationName")) if v),
            "not_after": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "days_left": (expires - datetime.now(UTC)).days}


def probe(params: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"reachable": False, "tls_valid": False, "error": "", "certificate": {}, "status": 0,
                              "headers": {}, "body": ""}
    errors = []
    for verify in (True, False):          # unverified only to still see the answer behind a bad certificate
        connection = _SiteConnection(params["address"], params["port"], params["host"],
                                     _context(params["ca_path"], verify), params["timeout"])
        try:
            headers = {"Host": params["host"], "Accept": "*/*", "User-Agent": "mediastack-verify"}
            connection.request("GET", params["path"], headers=headers)
            result["reachable"] = True
            if verify:
                result["tls_valid"] = True
                result["certificate"] = _certificate(connection.sock.getpeercert())
            answer = connection.getresponse()
            body = answer.read().decode("utf-8", errors="replace")
            result.update(status=answer.status, headers={k.lower(): v for k, v in answer.getheaders()},
                          body=body[:_BODY_LIMIT])
            with contextlib.suppress(ValueError):
                result["json"] = json.loads(body)
            break
        except ssl.SSLCertVerificationError as exc:
            result["reachable"] = True
            errors.append("certificate: %s" % (exc.verify_message or exc))
        except (OSError, http.client.HTTPException) as exc:
            errors.append("%s:%s: %s" % (params["address"], params["port"], exc))
            if not result["reachable"]:
                break
        finally:
            connection.close()
    result["error"] = "; ".join(errors)
    return result


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            address=dict(type="str", required=True),
            port=dict(type="int", default=443),
            host=dict(type="str", required=True),
            path=dict(type="str", default="/"),
            ca_path=dict(type="path"),
            timeout=dict(type="float", default=10),
        ),
        supports_check_mode=True,
    )
    if not module.params["path"].startswith("/"):
        module.fail_json(msg="path must start with '/' (is %r)" % module.params["path"])
    module.exit_json(changed=False, **probe(module.params))


if __name__ == "__main__":
    main()
