#!/usr/bin/python
# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: radarr_media_management
short_description: Set Radarr's media management settings (hardlinks, extra files, permissions, ...)
description:
  - Reads C(/api/v3/config/mediamanagement), compares only the declared settings and, when one differs,
    writes the whole object back with the declared values merged in (C(PUT /api/v3/config/mediamanagement/1)).
    Radarr would reset every setting left out of the write, so the module always sends the merged whole.
  - Setting names are checked against what the server returns before anything is written; an unknown name
    fails and lists the valid ones.
version_added: "0.1.0"
author: mediastack contributors (@mediastack)
extends_documentation_fragment:
  - mediastack_arr.radarr
  - mediastack_connection
options:
  settings:
    description:
      - Any media management setting by its API name, for example C(copyUsingHardlinks),
        C(autoUnmonitorPreviouslyDownloadedMovies), C(fileDate).
      - Values are converted to the type of the server's value (V("true") for a boolean, V("100") for a number).
      - The typed options below are shortcuts for the same keys; when both are given they must agree.
    type: dict
    default: {}
  copy_using_hardlinks:
    description:
      - Import by hardlink instead of copying (C(copyUsingHardlinks)); works only when downloads and the
        library are on one file system and one container mount.
    type: bool
  import_extra_files:
    description: Import extra files (subtitles, .nfo) found next to the movie (C(importExtraFiles)).
    type: bool
  extra_file_extensions:
    description: Comma-separated extensions of extra files to import, for example V(srt,nfo) (C(extraFileExtensions)).
    type: str
  create_empty_movie_folders:
    description: Create a movie's folder when it is added, before any file exists (C(createEmptyMovieFolders)).
    type: bool
  delete_empty_folders:
    description: Delete movie folders left empty (C(deleteEmptyFolders)).
    type: bool
  recycle_bin:
    description: Folder deleted files go to instead of being deleted; empty to delete at once (C(recycleBin)).
    type: str
  recycle_bin_cleanup_days:
    description: Days after which the recycle bin is emptied; 0 never (C(recycleBinCleanupDays)).
    type: int
  set_permissions_linux:
    description: Apply O(chmod_folder) and O(chown_group) to imported files and folders (C(setPermissionsLinux)).
    type: bool
  chmod_folder:
    description: Octal mode for folders, as a string, for example V("775") (C(chmodFolder)).
    type: str
  chown_group:
    description: Group name or gid for imported files (C(chownGroup)).
    type: str
  download_propers_and_repacks:
    description: How propers and repacks are preferred (C(downloadPropersAndRepacks)).
    type: str
    choices: [preferAndUpgrade, doNotUpgrade, doNotPrefer]
  rescan_after_refresh:
    description: When to rescan a movie's folder after a refresh (C(rescanAfterRefresh)).
    type: str
    choices: [always, afterManual, never]
  minimum_free_space_when_importing:
    description: Refuse an import that would leave less than this many MB free (C(minimumFreeSpaceWhenImporting)).
    type: int
attributes:
  check_mode:
    support: full
    description: Reads and compares, sends no write.
  diff_mode:
    support: full
    description: Before and after of the declared settings.
  idempotent:
    support: full
    description: A second run with the same settings only reads (one GET).
seealso:
  - module: radarr_root_folder
  - module: radarr_host_config
"""

EXAMPLES = r"""
- name: Radarr imports by hardlink and brings subtitles along
  radarr_media_management:
    url: http://radarr:7878
    api_key: "{{ vault_radarr_api_key }}"
    copy_using_hardlinks: true
    import_extra_files: true
    extra_file_extensions: srt,nfo
    settings:
      autoUnmonitorPreviouslyDownloadedMovies: true
"""

RETURN = r"""
changed_keys:
  description: The declared settings that differed (and were written, unless in check mode).
  returned: always
  type: list
  elements: str
  sample: [copyUsingHardlinks]
api_requests:
  description: HTTP requests this run sent, by method and path.
  returned: always
  type: dict
  sample: {"GET /api/v3/config/mediamanagement": 1, "PUT /api/v3/config/mediamanagement/1": 1}
"""

from ansible.module_utils.mediastack.arr import RADARR, ConfigKind, run_config, top

KIND = ConfigKind(
    app=RADARR, name="mediamanagement", noun="media management",
    options=dict(
        copy_using_hardlinks=top("copyUsingHardlinks", type="bool"),
        import_extra_files=top("importExtraFiles", type="bool"),
        extra_file_extensions=top("extraFileExtensions", type="str"),
        create_empty_movie_folders=top("createEmptyMovieFolders", type="bool"),
        delete_empty_folders=top("deleteEmptyFolders", type="bool"),
        recycle_bin=top("recycleBin", type="str"),
        recycle_bin_cleanup_days=top("recycleBinCleanupDays", type="int"),
        set_permissions_linux=top("setPermissionsLinux", type="bool"),
        chmod_folder=top("chmodFolder", type="str"),
        chown_group=top("chownGroup", type="str"),
        download_propers_and_repacks=top("downloadPropersAndRepacks", type="str",
                                         choices=["preferAndUpgrade", "doNotUpgrade", "doNotPrefer"]),
        rescan_after_refresh=top("rescanAfterRefresh", type="str", choices=["always", "afterManual", "never"]),
        minimum_free_space_when_importing=top("minimumFreeSpaceWhenImporting", type="int"),
    ),
)


def main() -> None:
    run_config(KIND)


if __name__ == "__main__":
    main()
