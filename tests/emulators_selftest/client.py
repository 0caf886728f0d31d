"""Plain urllib calls to an emulator, returning every answer (errors included) for the self-tests."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from tests.emulators import ArrEmulator


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw) if self.raw else None


def call(emu: ArrEmulator, method: str, path: str, body: Any = None, key: str | None = "header",
         api: bool = True, headers: dict[str, str] | None = None) -> Answer:
    """One request; `path` is under the API prefix unless api=False. key: "header", "query", "bearer" or None."""
    url = emu.url + (emu.app.api_prefix if api else "") + path
    sent = dict(headers or {})
    if key == "header":
        sent["X-Api-Key"] = emu.api_key
    elif key == "query":
        url += ("&" if "?" in url else "?") + "apikey=" + emu.api_key
    elif key == "bearer":
        sent["Authorization"] = "Bearer " + emu.api_key
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return Answer(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, dict(exc.headers.items()), exc.read())


def template(emu: ArrEmulator, kind: str, implementation: str, name: str, **values: Any) -> dict[str, Any]:
    """A /schema template made into a body: named, with field and top-level values set."""
    body = next(t for t in call(emu, "GET", f"/{kind}/schema").json
                if implementation in (t["implementation"], t.get("definitionName")))
    body["name"] = name
    for f in body["fields"]:
        if f["name"] in values:
            f["value"] = values.pop(f["name"])
    body.update(values)
    return body


def fields(item: dict[str, Any]) -> dict[str, Any]:
    return {f["name"]: f.get("value") for f in item["fields"]}


def messages(answer: Answer) -> list[tuple[str, str]]:
    """(propertyName, errorMessage) of a 400 validation array."""
    return [(f["propertyName"], f["errorMessage"]) for f in answer.json]
