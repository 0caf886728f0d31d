# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""qBittorrent WebUI API v2 session: login with the checks qBittorrent makes, works on 4.x and 5.x."""
from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule, env_fallback
from ansible.module_utils.mediastack.http import ApiClient, ApiError
from ansible.module_utils.mediastack.module import client_for, connection_argument_spec

APP = "qBittorrent"


def qbittorrent_argument_spec(**module_options: Any) -> dict[str, dict[str, Any]]:
    spec = connection_argument_spec("QBITTORRENT", "http://127.0.0.1:8080")
    spec.update(
        username=dict(type="str", default="admin", fallback=(env_fallback, ["QBITTORRENT_USERNAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["QBITTORRENT_PASSWORD"])),
    )
    spec.update(module_options)
    return spec


def connect(module: AnsibleModule) -> ApiClient:
    """A logged-in client. Without a password, rely on qBittorrent's localhost/subnet bypass."""
    parts = urlsplit(module.params["url"])
    if parts.scheme not in ("http", "https") or not parts.netloc:
        module.fail_json(msg="%s: url must be http(s)://host:port, got %r" % (APP, module.params["url"]))
    origin = "%s://%s" % (parts.scheme, parts.netloc)
    # CSRF protection compares Origin/Referer with Host; send both so a proxy that adds one still passes.
    client = client_for(module, APP, headers={"Origin": origin, "Referer": origin + "/"})
    if module.params["password"] is not None:
        login(client, module.params["username"], module.params["password"])
    return client


def login(client: ApiClient, username: str, password: str) -> None:
    """One login attempt, never repeated: every failure counts toward qBittorrent's IP ban."""
    path = "/api/v2/auth/login"
    response = client.request("POST", path, form={"username": username, "password": password},
                              expect=(200, 204, 401, 403))
    if response.status == 403:
        raise ApiError(APP, "POST", client.url(path), 403,
                       "this address is banned after too many failed logins (WebUI\\BanDuration); "
                       "no further login was attempted")
    # 4.x/5.0/5.1 answer 200 "Ok." or 200 "Fails."; 5.2+ answer 204 or 401.
    if response.status == 401 or response.text.strip() not in ("Ok.", ""):
        raise ApiError(APP, "POST", client.url(path), response.status,
                       "login refused for user %r: wrong username or password" % username)


def clean_path(path: str) -> str:
    """A path the way qBittorrent stores it (Path: QDir::cleanPath when it holds a separator)."""
    if "/" not in path:
        return path
    cleaned = posixpath.normpath(path)
    # normpath keeps a leading '//' (POSIX allows it); Qt does not.
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned
