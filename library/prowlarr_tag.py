#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: prowlarr_tag
short_description: Manage one Prowlarr tag
description:
  - Creates or removes a tag through the Prowlarr API v1 (C(/api/v1/tag)).
  - Prowlarr stores labels in lower case, so labels are matched ignoring case; a tag has nothing else to update.
  - In Prowlarr tags decide what applies to what; for example an indexer proxy applies only to the indexers
    that share one of its tags.
  - Other prowlarr_* modules create the tags they reference themselves; this module is for tags that exist on
    their own and for removing tags.
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_arr.prowlarr
  - mediastack_connection
options:
  label:
    description: The tag's label; letters, digits and C(-) only.
    type: str
    required: true
  state:
    description: Whether the tag should exist.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
    description: Reads and compares, sends no write.
  diff_mode:
    support: full
    description: Before and after of the tag's label.
  idempotent:
    support: full
    description: A second run with the same arguments only reads (one GET).
notes:
  - Prowlarr refuses to delete a tag that is still in use (HTTP 409); the module fails with Prowlarr's message.
seealso:
  - module: prowlarr_indexer_proxy
  - module: prowlarr_download_client
"""

EXAMPLES = r"""
- name: Indexers behind Cloudflare get the tag that the FlareSolverr proxy carries
  prowlarr_tag:
    url: http://prowlarr:9696
    api_key: "{{ vault_prowlarr_api_key }}"
    label: flaresolverr

- name: An old tag goes away
  prowlarr_tag:
    api_key: "{{ vault_prowlarr_api_key }}"
    label: obsolete
    state: absent
"""

RETURN = r"""
id:
  description: The tag's id; null when it was removed, or would be created in check mode.
  returned: always
  type: int
  sample: 3
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"GET /api/v1/tag": 1, "POST /api/v1/tag": 1}
"""

from ansible.module_utils.mediastack.arr import PROWLARR, TAG_LABEL, CollectionKind, run_collection

KIND = CollectionKind(
    app=PROWLARR, path="tag", noun="tag", key="label", option="label",
    validate=lambda label: None if TAG_LABEL.match(label) else "not a valid label (letters, digits and '-' only)",
)


def main() -> None:
    run_collection(KIND)


if __name__ == "__main__":
    main()
