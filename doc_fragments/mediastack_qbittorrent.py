# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options shared by the qbittorrent_* modules."""
from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  url:
    description: Base URL of the qBittorrent WebUI. Falls back to E(QBITTORRENT_URL).
    type: str
    default: http://127.0.0.1:8080
  username:
    description: WebUI user name. Falls back to E(QBITTORRENT_USERNAME).
    type: str
    default: admin
  password:
    description:
      - WebUI password. Falls back to E(QBITTORRENT_PASSWORD).
      - Leave unset only when qBittorrent lets this client in without login (localhost or subnet bypass).
      - Exactly one login is attempted per run; a wrong password or a banned address fails at once, so a
        mistake never spends the attempts that lead to qBittorrent's IP ban.
    type: str
  wait_timeout:
    description:
      - Seconds to keep retrying while qBittorrent is not yet listening (connection refused, HTTP 502-504),
        for example right after its container started. V(0) fails at the first refused connection.
    type: float
    default: 60
"""
