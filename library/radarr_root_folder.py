#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: radarr_root_folder
short_description: Manage one Radarr root folder
description:
  - Adds or removes a root folder (where Radarr keeps movies) through the Radarr API v3 (C(/api/v3/rootfolder)).
  - A root folder is only its path. Radarr has no way to edit one, so there is nothing to update; to move
    movies elsewhere, add the new path and remove the old one.
  - Paths are compared without a trailing C(/).
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_arr.radarr
  - mediastack_connection
options:
  path:
    description:
      - Absolute path as Radarr sees it (inside its container), for example V(/media/movies).
      - Radarr checks that it exists, is writable and is not a system, startup or recycle-bin folder; a
        refusal fails the module with Radarr's own message.
    type: str
    required: true
  state:
    description: Whether the root folder should exist. Removing one leaves the files on disk alone.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
    description: Reads and compares, sends no write (so Radarr's path checks do not run).
  diff_mode:
    support: full
    description: Before and after of the path.
  idempotent:
    support: full
    description: A second run with the same arguments only reads (one GET).
seealso:
  - module: radarr_media_management
"""

EXAMPLES = r"""
- name: Movies live in the shared media tree
  radarr_root_folder:
    url: http://radarr:7878
    api_key: "{{ vault_radarr_api_key }}"
    path: /media/movies
"""

RETURN = r"""
id:
  description: The root folder's id; null when it was removed, or would be created in check mode.
  returned: always
  type: int
  sample: 1
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"GET /api/v3/rootfolder": 1}
"""

from ansible.module_utils.mediastack.arr import RADARR, CollectionKind, run_collection

KIND = CollectionKind(
    app=RADARR, path="rootfolder", noun="root folder", key="path", option="path",
    normalise=lambda path: path.rstrip("/") or path,
    validate=lambda path: None if path.startswith("/") else "must be an absolute path",
)


def main() -> None:
    run_collection(KIND)


if __name__ == "__main__":
    main()
