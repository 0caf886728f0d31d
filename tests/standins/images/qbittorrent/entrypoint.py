"""linuxserver/qbittorrent's start, reproduced: seed the default qBittorrent.conf when there is none, apply
UMASK and PUID/PGID, then exec the real qbittorrent-nox with the WebUI on WEBUI_PORT.

As in the upstream image, a conf seeded by the user is used as it is: without `[LegalNotice] Accepted=true`
qBittorrent 4.5.2 waits for a "y" on stdin and the WebUI never comes up.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, "/standin")
from standin import log, run_as_puid  # noqa: E402

CONF = Path("/config/qBittorrent/qBittorrent.conf")
# linuxserver's root/defaults/qBittorrent.conf
DEFAULT_CONF = """[AutoRun]
enabled=false
program=

[BitTorrent]
Session\\AddTorrentStopped=false
Session\\DefaultSavePath=/downloads/
Session\\TempPath=/downloads/incomplete/

[LegalNotice]
Accepted=true

[Preferences]
Connection\\PortRangeMin=6881
Connection\\UPnP=false
Downloads\\SavePath=/downloads/
Downloads\\TempPath=/downloads/incomplete/
WebUI\\Address=*
WebUI\\ServerDomains=*
"""


def set_ini(path: Path, section: str, key: str, value: str) -> None:
    """Set one QSettings key in place (qBittorrent 4.5 has no --torrenting-port flag; 5.x images pass one)."""
    lines = path.read_text().splitlines()
    header = f"[{section}]"
    if header not in lines:
        lines += ["", header, f"{key}={value}"]
    else:
        start = lines.index(header) + 1
        end = next((i for i in range(start, len(lines)) if lines[i].startswith("[")), len(lines))
        found = next((i for i in range(start, end) if lines[i].split("=", 1)[0] == key), None)
        if found is None:
            lines.insert(end, f"{key}={value}")
        else:
            lines[found] = f"{key}={value}"
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    if not CONF.exists():
        CONF.parent.mkdir(parents=True, exist_ok=True)
        CONF.write_text(DEFAULT_CONF)
        log("qbittorrent", f"seeded the default {CONF}")
    torrenting_port = os.environ.get("TORRENTING_PORT", "").strip()
    if torrenting_port:
        set_ini(CONF, "BitTorrent", "Session\\Port", torrenting_port)
    run_as_puid(911, dirs=("/config",))
    port = os.environ.get("WEBUI_PORT") or "8080"
    log("qbittorrent", f"qbittorrent-nox --webui-port={port} as {os.getuid()}:{os.getgid()}")
    os.execv("/usr/bin/qbittorrent-nox", ["qbittorrent-nox", f"--webui-port={port}"])


if __name__ == "__main__":
    main()
