"""The environment of a container as Docker wants it: every value a string (docker_container refuses others)."""
from __future__ import annotations

from typing import Any, Mapping


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def container_env_strings(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, str]:
    """`base` overlaid with `extra`, values as strings (booleans as true/false, None as empty)."""
    merged = {**dict(base), **dict(extra)}
    return {str(name): _text(value) for name, value in merged.items()}


class FilterModule:
    def filters(self) -> dict:
        return {"container_env_strings": container_env_strings}
