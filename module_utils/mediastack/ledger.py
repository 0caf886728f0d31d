# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The secrets a module sent, remembered as salted hashes in a file on the managed host.

The *arr servers answer `********` for a stored secret, so a module cannot tell whether the server holds the
secret it declares. Without a ledger it sends one only when it creates the item (a password changed in the
vault never arrives) or on every run (never a no-op). With a ledger it sends a secret exactly when it differs
from the one it last sent there successfully: after a rotation, a new key made by another app, or when the
ledger has no entry yet (once). The file is JSON, mode 0600; each entry is a PBKDF2 hash with its own salt,
so the file does not reveal the secrets, not even whether two of them are equal.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import tempfile
from typing import Any, Optional

FORMAT = 1
ITERATIONS = 100_000


class LedgerError(Exception):
    """The ledger file cannot be read or written; the message names the file and what to do."""


def digest(value: str, salt: bytes, iterations: int = ITERATIONS) -> str:
    return hashlib.pbkdf2_hmac("sha256", value.encode("utf-8"), salt, iterations).hex()


class SecretLedger:
    """Entries keyed by a string the caller builds (server, item, field); loaded once, saved after writes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = self._load()

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            with open(self.path, encoding="utf-8") as handle:
                text = handle.read()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise LedgerError("cannot read the secrets ledger %s: %s" % (self.path, exc.strerror)) from exc
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not (isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("sent"), dict)):
            raise LedgerError("%s is not a secrets ledger of this version (format %d); move it away and every "
                              "declared secret is sent once more" % (self.path, FORMAT))
        return data["sent"]

    def differs(self, key: str, value: str) -> bool:
        """True unless `value` is the secret last sent under `key`."""
        entry = self.entries.get(key)
        try:
            salt = bytes.fromhex(entry["salt"])
            return not hmac.compare_digest(entry["hash"], digest(value, salt, int(entry["iterations"])))
        except (TypeError, KeyError, ValueError):  # no entry, or one this version cannot read: send it
            return True

    def remember(self, key: str, value: Optional[str]) -> None:
        """`value` was sent under `key` (an empty one: nothing is held there any more)."""
        if value in (None, ""):
            self.entries.pop(key, None)
            return
        salt = os.urandom(16)
        self.entries[key] = dict(salt=salt.hex(), iterations=ITERATIONS, hash=digest(str(value), salt))

    def forget(self, prefix: str) -> None:
        """Drop every entry whose key starts with `prefix` (an item that was deleted)."""
        for key in [k for k in self.entries if k.startswith(prefix)]:
            del self.entries[key]

    def save(self) -> None:
        """Write the whole file atomically, mode 0600, its directory made 0700 when missing."""
        directory = os.path.dirname(os.path.abspath(self.path))
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".ledger-", dir=directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(dict(format=FORMAT, sent=self.entries), handle, indent=1, sort_keys=True)
                    handle.write("\n")
                os.chmod(temporary, 0o600)
                os.replace(temporary, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as exc:
            raise LedgerError("cannot write the secrets ledger %s: %s" % (self.path, exc.strerror)) from exc
