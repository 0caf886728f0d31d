"""The PBKDF2 filters against qBittorrent's own published value and their own round trip."""
from __future__ import annotations

import re
import sys

import pytest

from tests.ansible_run import REPO

sys.path.insert(0, str(REPO / "filter_plugins"))
from qbittorrent_password import (  # noqa: E402
    FilterModule,
    qbittorrent_password_hash,
    qbittorrent_password_matches,
)

# qBittorrent 4.5.2's built-in default for "adminadmin" (Preferences::getWebUIPassword).
UPSTREAM_DEFAULT = ("ARQ77eY1NUZaQsuDHbIMCA==:0WMRkYTUWVT9wVvdDtHAjU9b3b7uB8NR1Gur2hmQCvCDpm39Q+PsJRJPaCU51dEiz+dTzh8q"
                    "bPsL8WkFljQYFQ==")


def test_reproduces_qbittorrents_own_hash() -> None:
    hashed = qbittorrent_password_hash("adminadmin", salt="ARQ77eY1NUZaQsuDHbIMCA==")
    assert hashed == "@ByteArray(%s)" % UPSTREAM_DEFAULT


@pytest.mark.parametrize("stored", [UPSTREAM_DEFAULT, "@ByteArray(%s)" % UPSTREAM_DEFAULT,
                                    '"@ByteArray(%s)"' % UPSTREAM_DEFAULT])
def test_matches_accepts_every_written_form(stored: str) -> None:
    assert qbittorrent_password_matches(stored, "adminadmin")
    assert not qbittorrent_password_matches(stored, "adminadmin2")


def test_fresh_salt_each_time_and_format() -> None:
    first, second = qbittorrent_password_hash("pw-123456"), qbittorrent_password_hash("pw-123456")
    assert first != second
    for value in (first, second):
        match = re.fullmatch(r"@ByteArray\(([A-Za-z0-9+/=]{24}):([A-Za-z0-9+/=]{88})\)", value)
        assert match, value
        assert qbittorrent_password_matches(value, "pw-123456")


@pytest.mark.parametrize("stored", [None, "", "garbage", "@ByteArray(x:y)", "AAAA:AAAA"])
def test_unreadable_values_do_not_match(stored: str) -> None:
    assert not qbittorrent_password_matches(stored, "adminadmin")


def test_rejects_empty_password_and_bad_salt() -> None:
    from ansible.errors import AnsibleFilterError
    with pytest.raises(AnsibleFilterError, match="non-empty"):
        qbittorrent_password_hash("")
    with pytest.raises(AnsibleFilterError, match="base64"):
        qbittorrent_password_hash("x", salt="not base64!")


def test_filters_are_registered() -> None:
    assert set(FilterModule().filters()) == {"qbittorrent_password_hash", "qbittorrent_password_matches"}
