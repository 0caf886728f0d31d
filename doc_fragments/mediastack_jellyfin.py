# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by the jellyfin_* modules: `mediastack_jellyfin` (connection) and `mediastack_jellyfin.credentials`
(the administrator the module acts as)."""
from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of Jellyfin, including its base URL path if one is set (for example V(http://jellyfin:8096)).
      - Falls back to E(JELLYFIN_URL).
    type: str
    default: http://127.0.0.1:8096
  device_id:
    description:
      - The device id in the C(Authorization) header (C(MediaBrowser Client="mediastack", Device="ansible",
        DeviceId=..., Version=...)). Jellyfin keeps one session per user and device, so keep it stable.
    type: str
    default: mediastack-ansible
  wait_timeout:
    description:
      - Seconds to keep retrying the first request while Jellyfin is not yet listening (connection refused) or
        answers HTTP 502-504 (it answers 503 while it starts), for example right after its container started.
        V(0) fails at once.
    type: float
    default: 60
"""

    CREDENTIALS = r"""
options:
  api_key:
    description:
      - An API key (from C(/Auth/Keys), see the jellyfin_api_key module); it acts as an administrator, so no login is
        needed. Falls back to E(JELLYFIN_API_KEY). Takes precedence over O(password).
    type: str
  username:
    description: The administrator to log in as (C(POST /Users/AuthenticateByName)) when no O(api_key) is given.
      Falls back to E(JELLYFIN_USERNAME).
    type: str
    default: admin
  password:
    description:
      - The administrator's password, used when no O(api_key) is given. Falls back to E(JELLYFIN_PASSWORD).
      - Never shown in any output; the session token the login returns is hidden as well.
    type: str
"""
