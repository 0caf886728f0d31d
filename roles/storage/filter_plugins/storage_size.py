"""lvol size arithmetic for the storage role: what a declared size means in bytes, to refuse shrinking."""
from __future__ import annotations

import re
from typing import Optional

from ansible.errors import AnsibleFilterError

# lvol: a number with an optional unit (b, s = 512-byte sectors, k m g t p e = powers of 1024, either case;
# no unit means MiB), or a whole percentage of VG, PVS or FREE.
_ABSOLUTE = re.compile(r"^(?P<number>[0-9]+(\.[0-9]+)?)(?P<unit>[bskmgtpeBSKMGTPE]?)$")
_PERCENT = re.compile(r"^(?P<percent>[0-9]+)%(?P<whole>VG|PVS|FREE)$")
_UNIT_BYTES = {"b": 1, "s": 512, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5, "e": 1024**6}


def storage_size_error(size: object) -> str:
    """Why `size` is not an lvol size this role accepts, or "" when it is."""
    text = str(size)
    absolute = _ABSOLUTE.match(text)
    if absolute:
        return "" if float(absolute.group("number")) > 0 else "a size of zero"
    percent = _PERCENT.match(text)
    if percent:
        return "" if 1 <= int(percent.group("percent")) <= 100 else "a percentage outside 1-100"
    return "neither <number>[bskmgtpe] (like 500G) nor <1-100>%VG|PVS|FREE (like 100%VG)"


def storage_size_bytes(size: object, vg_bytes: int = 0, extent_bytes: int = 1) -> Optional[int]:
    """Bytes the declared size asks for (rounded like LVM), or None for N%FREE, which is relative to free space.

    Absolute sizes are rounded up to whole extents (lvcreate does), percentages of the VG rounded down (lvol does).
    """
    error = storage_size_error(size)
    if error:
        raise AnsibleFilterError("storage_lvm_size %r is %s" % (size, error))
    extent = max(int(extent_bytes), 1)
    absolute = _ABSOLUTE.match(str(size))
    if absolute:
        unit = (absolute.group("unit") or "m").lower()
        wanted = int(float(absolute.group("number")) * _UNIT_BYTES[unit])
        return -(-wanted // extent) * extent
    percent = _PERCENT.match(str(size))
    assert percent is not None
    if percent.group("whole") == "FREE":
        return None
    wanted = int(percent.group("percent")) * int(vg_bytes) // 100
    return wanted - wanted % extent


class FilterModule:
    def filters(self) -> dict:
        return {"storage_size_error": storage_size_error, "storage_size_bytes": storage_size_bytes}
