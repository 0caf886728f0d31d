# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options every mediastack module that talks HTTP shares (module_utils/mediastack/module.py
connection_argument_spec), beside its app's own fragment."""
from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  timeout:
    description: Seconds to wait for each HTTP answer.
    type: float
    default: 30
  validate_certs:
    description: Verify the TLS certificate when O(url) is HTTPS.
    type: bool
    default: true
"""
