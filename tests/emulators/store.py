"""The emulator's in-memory database: collections of objects by kind, and the config singletons."""
from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any


class Store:
    def __init__(self) -> None:
        self.collections: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        self.configs: dict[str, dict[str, Any]] = {}
        self._last_id: dict[str, int] = defaultdict(int)

    def add(self, kind: str, item: dict[str, Any], item_id: int | None = None) -> dict[str, Any]:
        """Store item under a new id (or the given one) and return it."""
        if item_id is None:
            item_id = self._last_id[kind] + 1
        self._last_id[kind] = max(self._last_id[kind], item_id)
        stored = {"id": item_id, **{k: v for k, v in item.items() if k != "id"}}
        self.collections[kind][item_id] = stored
        return stored

    def snapshot(self) -> dict[str, Any]:
        """Everything as JSON data (ids become strings in JSON; `restore` turns them back)."""
        return {"collections": {kind: list(items.values()) for kind, items in self.collections.items() if items},
                "configs": copy.deepcopy(self.configs), "lastId": dict(self._last_id)}

    def restore(self, state: dict[str, Any]) -> None:
        self.collections.clear()
        for kind, items in state["collections"].items():
            self.collections[kind] = {item["id"]: copy.deepcopy(item) for item in items}
        self.configs.update(copy.deepcopy(state["configs"]))
        self._last_id.update({kind: int(last) for kind, last in state["lastId"].items()})

    def get(self, kind: str, item_id: Any) -> dict[str, Any] | None:
        return self.collections[kind].get(item_id) if isinstance(item_id, int) else None

    def put(self, kind: str, item: dict[str, Any]) -> None:
        self.collections[kind][item["id"]] = item

    def remove(self, kind: str, item_id: int) -> None:
        del self.collections[kind][item_id]

    def ids(self, kind: str) -> set[int]:
        return set(self.collections[kind])

    def items(self, kind: str) -> list[dict[str, Any]]:
        """Copies of the stored objects of a kind, by id; secrets in clear."""
        return [copy.deepcopy(self.collections[kind][i]) for i in sorted(self.collections[kind])]

    def tag_in_use(self, tag_id: int) -> bool:
        return any(tag_id in (item.get("tags") or []) for kind, items in self.collections.items() if kind != "tag"
                   for item in items.values())
