"""Bencoding (BEP 3), what .torrent files and tracker answers are written in: for the lab's tracker site and for
Radarr's grabs (the stand-in image carries tests/emulators only)."""
from __future__ import annotations

import hashlib
from typing import Any


def bencode(value: Any) -> bytes:
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    if isinstance(value, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, v) for k, v in value.items())
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in items) + b"e"
    raise TypeError(f"cannot bencode {type(value).__name__}")


def bdecode(data: bytes) -> Any:
    """The value a bencoded string holds (byte strings stay bytes)."""
    def value(at: int) -> tuple[Any, int]:
        kind = data[at:at + 1]
        if kind == b"i":
            end = data.index(b"e", at)
            return int(data[at + 1:end]), end + 1
        if kind in (b"l", b"d"):
            at, items = at + 1, []
            while data[at:at + 1] != b"e":
                item, at = value(at)
                items.append(item)
            return (dict(zip(items[::2], items[1::2])) if kind == b"d" else items), at + 1
        colon = data.index(b":", at)
        length = int(data[at:colon])
        return data[colon + 1:colon + 1 + length], colon + 1 + length
    decoded, end = value(0)
    if end != len(data):
        raise ValueError("trailing data after the bencoded value")
    return decoded


def torrent_info_hash(torrent: bytes) -> str:
    """A .torrent file's info hash (hex): the SHA-1 of its bencoded info dictionary, as BitTorrent clients name it."""
    return hashlib.sha1(bencode(bdecode(torrent)[b"info"])).hexdigest()
