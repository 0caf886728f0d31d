"""Jellyfin 10.11 stand-in. Answers only:
- GET /health -> 200 "Healthy" (text/plain), what the upstream image's health check reads;
- GET /System/Info/Public -> {LocalAddress, ServerName, Version, ProductName, OperatingSystem, Id,
  StartupWizardCompleted}, anonymous, as in 10.11.
State lives where Jellyfin keeps it: $JELLYFIN_CONFIG_DIR/system.xml (<ServerName>, <IsStartupWizardCompleted>),
written with defaults on first start; the server id is kept in $JELLYFIN_DATA_DIR/data/standin-server-id.
"""
from __future__ import annotations

import os
import socket
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from standin import exit_on_sigterm, serve

VERSION = "10.11.11"
CONFIG_DIR = Path(os.environ.get("JELLYFIN_CONFIG_DIR", "/config/config"))
DATA_DIR = Path(os.environ.get("JELLYFIN_DATA_DIR", "/config"))


def system_xml() -> dict[str, str]:
    path = CONFIG_DIR / "system.xml"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        root = ET.Element("ServerConfiguration")
        ET.SubElement(root, "IsStartupWizardCompleted").text = "false"
        ET.SubElement(root, "ServerName").text = ""
        path.write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
    return {child.tag: (child.text or "") for child in ET.parse(path).getroot()}


def server_id() -> str:
    path = DATA_DIR / "data" / "standin-server-id"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(uuid.uuid4().hex)
    return path.read_text().strip()


def info_public(query: dict, body: object, headers: object) -> tuple[int, dict]:
    system = system_xml()   # read on every request: a role may complete the wizard by editing the file
    address = socket.gethostbyname(socket.gethostname())
    published = os.environ.get("JELLYFIN_PublishedServerUrl")  # noqa: SIM112 - the upstream variable's name
    return 200, {"LocalAddress": published or f"http://{address}:8096",
                 "ServerName": system.get("ServerName") or socket.gethostname(), "Version": VERSION,
                 "ProductName": "Jellyfin Server", "OperatingSystem": "Linux", "Id": server_id(),
                 "StartupWizardCompleted": system.get("IsStartupWizardCompleted", "false").lower() == "true"}


def main() -> None:
    exit_on_sigterm()
    system_xml()
    server_id()
    serve("jellyfin", {("GET", "/health"): lambda q, b, h: (200, "Healthy"),
                       ("GET", "/System/Info/Public"): info_public}, 8096)


if __name__ == "__main__":
    main()
