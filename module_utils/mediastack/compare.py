# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare what the user declared with what the server holds, and nothing more."""
from __future__ import annotations

import json
from difflib import get_close_matches
from typing import Any, Iterable

from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

MASK = "********"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def same(declared: Any, current: Any, unordered: bool = False) -> bool:
    """True when `current` already satisfies `declared`.

    Dicts are compared on the declared keys only; numbers by value (2 == 2.0, but a bool is not a
    number); lists in order, or as multisets when `unordered` (tags, categories).
    """
    if isinstance(declared, dict):
        return isinstance(current, dict) and all(
            k in current and same(v, current[k], unordered) for k, v in declared.items())
    if isinstance(declared, (list, tuple)):
        if not isinstance(current, (list, tuple)) or len(declared) != len(current):
            return False
        if unordered:
            return sorted(map(_canonical, declared)) == sorted(map(_canonical, current))
        return all(same(d, c) for d, c in zip(declared, current))
    if isinstance(declared, bool) or isinstance(current, bool):
        return declared is current
    if isinstance(declared, (int, float)) and isinstance(current, (int, float)):
        return float(declared) == float(current)
    return declared == current


def differing_keys(declared: dict, current: dict, unordered_keys: Iterable[str] = ()) -> list[str]:
    """The declared keys whose value on the server differs, in declaration order."""
    unordered = set(unordered_keys)
    return [k for k, v in declared.items() if k not in current or not same(v, current[k], k in unordered)]


def masked(values: dict, secret_keys: Iterable[str]) -> dict:
    """A copy with every secret that has a value replaced by the mask, for diffs and results."""
    secrets = set(secret_keys)
    return {k: (MASK if k in secrets and v not in (None, "") else v) for k, v in values.items()}


def suggestions(unknown: str, valid: Iterable[str]) -> str:
    valid = sorted(valid)
    close = get_close_matches(unknown, valid, n=2)
    hint = " (did you mean %s?)" % " or ".join(repr(c) for c in close) if close else ""
    return "%s; valid: %s" % (hint, ", ".join(valid)) if valid else hint


JSON_KINDS = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list"}


def conform(value: Any, like: Any) -> Any:
    """`value` in the JSON type of `like` (the server's current or default value); ValueError if it cannot be."""
    if value is None or like is None:
        return value
    if isinstance(like, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in BOOLEANS_TRUE | BOOLEANS_FALSE:
            return value.lower() in BOOLEANS_TRUE
    elif isinstance(like, (int, float)):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(like, float) or float(value).is_integer():
                return value if isinstance(like, float) else int(value)
        elif isinstance(value, str):
            try:
                return float(value) if isinstance(like, float) else int(value, 10)
            except ValueError:
                pass
    elif isinstance(like, str):
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
    elif isinstance(like, list):
        if isinstance(value, (list, tuple)):
            return list(value)
    else:
        return value
    kind = JSON_KINDS.get(type(like), type(like).__name__)
    raise ValueError("must be %s like %r, got %r" % (kind, like, value))
