"""Radarr / Prowlarr stand-in: tests.emulators.ArrEmulator behind the real apps' start-up rules.

- config file /config/config.xml (linuxserver runs the app with -data=/config);
- the API key is <ApiKey> from that file; when it is empty or missing a new one (32 lower-case hex, like
  Guid.NewGuid().ToString("N")) is generated and written back, with the other missing defaults;
- <APP>__AUTH__APIKEY wins over the file and is not written back; <APP>__SERVER__PORT wins over <Port>;
- it listens on <BindAddress> ("*" = all addresses) and <Port>, as PUID:PGID with UMASK;
- what the real app keeps in its database (providers, root folders, tags, settings) is kept in
  /config/standin-state.json, so a new container on the same volume finds it;
- a provider's connection test really connects, as the real app's does (STANDIN_CONNECT=real, the image's
  default: tests/emulators/connectors.py); STANDIN_CONNECT=table keeps the in-process tests' tables.
Every exchange is still checked against the app's OpenAPI document; violations are printed to the log.
"""
from __future__ import annotations

import os
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from standin import exit_on_sigterm, log, run_as_puid

from tests.emulators import ArrEmulator
from tests.emulators.container import make_or_exit, serve

APP = os.environ["STANDIN_APP"]
PREFIX = APP.upper()
CONFIG = Path("/config/config.xml")
# What the real app keeps in its database (radarr.db): a new container on the same volume finds it.
STATE = Path("/config/standin-state.json")


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
    emulator = make_or_exit(APP, lambda: ArrEmulator(APP, api_key=api_key,
                                                     connect=os.environ.get("STANDIN_CONNECT", "real")), log)
    source = "the environment" if os.environ.get(f"{PREFIX}__AUTH__APIKEY") else str(CONFIG)
    log(APP, f"API key from {source}")
    serve(APP, emulator, port, host, log, STATE)


if __name__ == "__main__":
    main()
