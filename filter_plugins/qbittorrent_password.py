# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""qBittorrent WebUI password hashes, so qBittorrent.conf can be seeded before first start.

qBittorrent (4.2+, unchanged through 5.x, src/base/utils/password.cpp) stores
WebUI\\Password_PBKDF2 as "@ByteArray(<base64 salt>:<base64 key>)": PBKDF2-HMAC-SHA512,
100000 iterations, a 16-byte random salt and a 64-byte key.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from ansible.errors import AnsibleFilterError

ITERATIONS = 100000
SALT_BYTES = 16
KEY_BYTES = 64
_WRAPPER = ("@ByteArray(", ")")


def _derive(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, ITERATIONS, KEY_BYTES)


def qbittorrent_password_hash(password: str, salt: str | None = None) -> str:
    """The WebUI\\Password_PBKDF2 value for `password`; a fresh random salt unless `salt` (base64) is given."""
    if not isinstance(password, str) or not password:
        raise AnsibleFilterError("qbittorrent_password_hash: the password must be a non-empty string")
    try:
        salt_bytes = base64.b64decode(salt, validate=True) if salt else os.urandom(SALT_BYTES)
    except (binascii.Error, ValueError) as exc:
        raise AnsibleFilterError("qbittorrent_password_hash: salt is not base64: %s" % exc) from exc
    key = _derive(password, salt_bytes)
    return "%s%s:%s%s" % (_WRAPPER[0], base64.b64encode(salt_bytes).decode(), base64.b64encode(key).decode(),
                          _WRAPPER[1])


def qbittorrent_password_matches(stored: str | None, password: str) -> bool:
    """True when `stored` (with or without @ByteArray(...) and quotes) is a hash of `password`.

    Anything unreadable (missing, empty, another format) is simply "does not match", so a seeding task
    writes a fresh hash instead of failing.
    """
    if not stored or not isinstance(stored, str) or not isinstance(password, str):
        return False
    value = stored.strip().strip('"')
    if value.startswith(_WRAPPER[0]) and value.endswith(_WRAPPER[1]):
        value = value[len(_WRAPPER[0]):-len(_WRAPPER[1])]
    salt_b64, sep, key_b64 = value.partition(":")
    if not sep:
        return False
    try:
        salt = base64.b64decode(salt_b64, validate=True)
        key = base64.b64decode(key_b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(key) == KEY_BYTES and hmac.compare_digest(_derive(password, salt), key)


class FilterModule:
    def filters(self) -> dict:
        return {
            "qbittorrent_password_hash": qbittorrent_password_hash,
            "qbittorrent_password_matches": qbittorrent_password_matches,
        }
