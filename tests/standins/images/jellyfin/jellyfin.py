"""Jellyfin 10.11 stand-in: tests.emulators.jellyfin.JellyfinEmulator on 0.0.0.0:8096 (the wizard, users, API
keys, libraries, network configuration, GET /health -> "Healthy"), every exchange checked against the OpenAPI
document mounted at $MEDIASTACK_SPECS_DIR (violations printed to the log).

State lives in the volume, so a new container on it finds everything the last one had, as with Jellyfin:
- $JELLYFIN_DATA_DIR/data/standin-state.json: the emulator's whole state, written after every change;
- $JELLYFIN_CONFIG_DIR/system.xml (<ServerName>, <IsStartupWizardCompleted>): Jellyfin's own file, written with
  defaults on first start and after every change; what it says wins at start.
Runs as the container's user (the upstream image has no PUID switch): the volume must be writable by it.
"""
from __future__ import annotations

import os
import socket
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from standin import exit_on_sigterm, log

from tests.emulators.container import make_or_exit, serve
from tests.emulators.jellyfin import JellyfinEmulator

APP = "jellyfin"
CONFIG_DIR = Path(os.environ.get("JELLYFIN_CONFIG_DIR", "/config/config"))
DATA_DIR = Path(os.environ.get("JELLYFIN_DATA_DIR", "/config"))
STATE = DATA_DIR / "data" / "standin-state.json"
SYSTEM_XML = CONFIG_DIR / "system.xml"


class StandInJellyfin(JellyfinEmulator):
    """The emulator whose server configuration is mirrored in system.xml."""

    def restore(self, state: Mapping[str, Any]) -> None:
        super().restore(state)
        self.read_system_xml()

    def _save_state(self) -> None:
        before = self._saved
        super()._save_state()
        if self._saved != before:
            self.write_system_xml()

    def write_system_xml(self) -> None:
        root = ET.Element("ServerConfiguration")
        ET.SubElement(root, "IsStartupWizardCompleted").text = str(self.completed).lower()
        ET.SubElement(root, "ServerName").text = str(self.server["ServerName"] or "")
        data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        if not SYSTEM_XML.exists() or SYSTEM_XML.read_bytes() != data:
            SYSTEM_XML.parent.mkdir(parents=True, exist_ok=True)
            SYSTEM_XML.write_bytes(data)

    def read_system_xml(self) -> None:
        if not SYSTEM_XML.exists():
            return
        values = {child.tag: (child.text or "") for child in ET.parse(SYSTEM_XML).getroot()}
        if "IsStartupWizardCompleted" in values:
            self.server["IsStartupWizardCompleted"] = values["IsStartupWizardCompleted"].lower() == "true"
        if "ServerName" in values:
            self.server["ServerName"] = values["ServerName"]


def main() -> None:
    exit_on_sigterm()
    emulator = make_or_exit(APP, StandInJellyfin, log)
    assert isinstance(emulator, StandInJellyfin)
    address = socket.gethostbyname(socket.gethostname())
    published = os.environ.get("JELLYFIN_PublishedServerUrl")  # noqa: SIM112 - the upstream variable's name
    emulator.local_address = published or f"http://{address}:8096"
    emulator.read_system_xml()              # a volume with system.xml only (an older stand-in, or by hand)
    serve(APP, emulator, 8096, "0.0.0.0", log, STATE)


if __name__ == "__main__":
    main()
