"""What the radarr_*/prowlarr_* module tests share: module arguments for an emulator, seeding, request counts."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Optional

from tests.ansible_run import run_module


def module_args(emu: Any, **options: Any) -> dict[str, Any]:
    """Arguments that point a module at the emulator (a short wait: the emulator is up already)."""
    return dict(url=emu.url, api_key=emu.api_key, wait_timeout=5, **options)


def run(module: str, emu: Any, check: bool = False, **options: Any) -> dict[str, Any]:
    return run_module(module, module_args(emu, **options), check=check)


def api(emu: Any, method: str, path: str, body: Any = None, api_prefix: str = "/api/v3") -> Any:
    """One call straight to the emulator (to set up a state the module then finds)."""
    request = urllib.request.Request(emu.url + api_prefix + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"X-Api-Key": emu.api_key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            data = response.read()
    except urllib.error.HTTPError as exc:
        raise AssertionError("%s %s answered %s: %s" % (method, path, exc.code, exc.read().decode())) from exc
    return json.loads(data) if data.strip() else None


def seed(emu: Any, kind: str, implementation: str, name: str, api_prefix: str = "/api/v3",
         match_by: str = "implementation", **values: Any) -> dict[str, Any]:
    """Create a provider item from its schema template (forceSave), as the web UI would; then clear the log.

    The template is the one whose `match_by` key (Prowlarr indexers: "definitionName") is `implementation`.
    """
    template = next(t for t in api(emu, "GET", "/%s/schema" % kind, api_prefix=api_prefix)
                    if t.get(match_by) == implementation)
    template.pop("presets", None)
    template["name"] = name
    for f in template["fields"]:
        if f["name"] in values:
            f["value"] = values.pop(f["name"])
    template.update(values)
    created = api(emu, "POST", "/%s?forceSave=true" % kind, template, api_prefix=api_prefix)
    emu.reset_log()
    return created


def field_values(item: dict[str, Any]) -> dict[str, Any]:
    return {f["name"]: f.get("value") for f in item.get("fields") or []}


def stored(emu: Any, kind: str, name: Optional[str] = None) -> Any:
    """The emulator's stored items of a kind (real secrets), or the one with that name (None if absent)."""
    items = emu.items(kind)
    if name is None:
        return items
    return next((i for i in items if i["name"].lower() == name.lower()), None)


def gets(result: dict[str, Any]) -> dict[str, int]:
    return {k: v for k, v in result["api_requests"].items() if k.startswith("GET ")}


def writes(result: dict[str, Any]) -> dict[str, int]:
    return {k: v for k, v in result["api_requests"].items() if not k.startswith("GET ")}


def visible(result: dict[str, Any]) -> str:
    """Everything a user could see of a run: Ansible's whole output plus the result."""
    return result["_output"] + json.dumps({k: v for k, v in result.items() if k != "_output"})
