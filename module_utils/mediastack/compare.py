# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare what the user declared with what the server holds, and nothing more."""
from __future__ import annotations

import json
from typing import Any, Iterable

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
