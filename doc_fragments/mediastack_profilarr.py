# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by the profilarr_* modules (connection, the API key and the form posts' origin)."""
from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of Profilarr (for example V(http://profilarr:6868)). Falls back to E(PROFILARR_URL).
    type: str
    default: http://127.0.0.1:6868
  api_key:
    description:
      - Profilarr's full-access key, the E(PROFILARR_API_KEY) its container was started with (at least 32
        characters), sent as the C(X-Api-Key) header. It works before anybody created Profilarr's administrator
        in the web UI. Falls back to E(PROFILARR_API_KEY).
      - Required (given here or in the environment); never shown in any output.
    type: str
  origin:
    description:
      - The C(Origin) header of the form posts. SvelteKit refuses a form post from any other origin than
        Profilarr's own - its E(ORIGIN) when set (behind a reverse proxy, for example
        V(https://profilarr.example.org)), else the address it is reached at.
      - Default is the scheme, host and port of O(url), right when E(ORIGIN) is not set.
    type: str
  wait_timeout:
    description:
      - Seconds to keep retrying the first request (C(GET /api/v1/arr)) while Profilarr is not yet listening
        (connection refused) or answers HTTP 502-504, for example right after its container started. V(0) fails
        at once.
    type: float
    default: 60
"""
