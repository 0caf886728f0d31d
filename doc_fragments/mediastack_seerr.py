# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by the seerr_* modules (connection and the API key)."""
from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of Seerr (for example V(http://seerr:5055)); the API is under C(/api/v1).
      - Falls back to E(SEERR_URL).
    type: str
    default: http://127.0.0.1:5055
  api_key:
    description:
      - Seerr's API key (C(main.apiKey) in C(settings.json), or the E(API_KEY) environment override that Ansible
        seeds), sent as the C(X-Api-Key) header; it acts as Seerr's first user, the administrator. Falls back
        to E(SEERR_API_KEY).
      - Before the first setup (seerr_jellyfin) no user exists and Seerr refuses the key (HTTP 403).
      - Never shown in any output.
    type: str
  wait_timeout:
    description:
      - Seconds to keep retrying the first request (the anonymous C(GET /api/v1/settings/public)) while Seerr is
        not yet listening (connection refused) or answers HTTP 502-504, for example right after its container
        started. V(0) fails at once.
    type: float
    default: 60
"""
