"""Radarr / Prowlarr stand-in: tests.emulators.ArrEmulator behind the real apps' start-up rules.

- config file /config/config.xml (linuxserver runs the app with -data=/config);
- the API key is <ApiKey> from that file; when it is empty or missing a new one (32 lower-case hex, like
  Guid.NewGuid().ToString("N")) is generated and written back, with the other missing defaults;
- <APP>__AUTH__APIKEY wins over the file and is not written back; <APP>__SERVER__PORT wins over <Port>;
- it listens on <BindAddress> ("*" = all addresses) and <Port>, as PUID:PGID with UMASK.
Every exchange is still checked against the app's OpenAPI document; violations are printed to the log.
"""
from __future__ import annotations

import os
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from standin import exit_on_sigterm, log, run_as_puid

from tests.emulators import ArrEmulator, SpecMissing

APP = os.environ["STANDIN_APP"]
PREFIX = APP.upper()
CONFIG = Path("/config/config.xml")


def defaults(port: int) -> dict[str, str]:
    return {"BindAddress": "*", "Port": str(port), "SslPort": "9898" if APP == "radarr" else "6969",
            "EnableSsl": "False", "LaunchBrowser": "True", "ApiKey": "", "AuthenticationMethod": "None",
            "AuthenticationRequired": "Enabled", "Branch": "master", "LogLevel": "info", "UrlBase": "",
            "InstanceName": APP.capitalize(), "UpdateMechanism": "Docker"}


def load_config(port: int) -> dict[str, str]:
    """Read config.xml; add the missing settings (a new ApiKey if empty) and persist, like ConfigFileProvider."""
    root = ET.parse(CONFIG).getroot() if CONFIG.exists() and CONFIG.stat().st_size else ET.Element("Config")
    values = {child.tag: (child.text or "") for child in root}
    changed = False
    for key, value in defaults(port).items():
        if key not in values or (key == "ApiKey" and not values[key].strip()):
            value = uuid.uuid4().hex if key == "ApiKey" else value
            element = root.find(key)
            if element is None:
                element = ET.SubElement(root, key)
            element.text = value
            values[key] = value
            changed = True
    if changed:
        ET.indent(root, space="  ")
        CONFIG.write_bytes(ET.tostring(root, encoding="utf-8"))
        log(APP, f"wrote {CONFIG}")
    return values


def main() -> None:
    exit_on_sigterm()
    run_as_puid(911)
    config = load_config(int(os.environ["STANDIN_PORT"]))
    api_key = os.environ.get(f"{PREFIX}__AUTH__APIKEY") or config["ApiKey"].strip()
    port = int(os.environ.get(f"{PREFIX}__SERVER__PORT") or config["Port"])
    host = "0.0.0.0" if config["BindAddress"] in ("*", "") else config["BindAddress"]
    try:
        emulator = ArrEmulator(APP, api_key=api_key)
    except SpecMissing as exc:
        log(APP, f"FATAL: {exc} (mount the OpenAPI documents read-only at {os.environ.get('MEDIASTACK_SPECS_DIR')})")
        sys.exit(2)
    emulator.start(port=port, host=host)
    source = "the environment" if os.environ.get(f"{PREFIX}__AUTH__APIKEY") else str(CONFIG)
    log(APP, f"listening on {host}:{port}, API key from {source}")
    reported = 0
    while True:
        time.sleep(1)
        for violation in emulator.violations[reported:]:
            log(APP, f"OpenAPI violation: {violation}")
        reported = len(emulator.violations)


if __name__ == "__main__":
    main()
