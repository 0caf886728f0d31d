"""The ProviderControllerBase pattern (download clients, notifications, applications, indexers, proxies), once for
every kind: templates from /schema, masking, fields reset to defaults, validation and test on save."""
from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from tests.emulators.catalog import App, CheckContext, Kind, Template, display_name, property_name, run_checks
from tests.emulators.errors import failure, invalid, not_found
from tests.emulators.store import Store

MASK = "********"
SECRET_PRIVACY = ("password", "apiKey")
# A provider's connection test beyond the tables: (kind, the item as it would be saved) -> failures.
ConnectionTest = Callable[[str, Mapping[str, Any]], list[dict[str, Any]]]


def _blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


def masked(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as the API shows it: non-empty secrets (by privacy, not by name) replaced by the mask."""
    shown = copy.deepcopy(dict(item))
    for f in shown.get("fields") or []:
        if f.get("privacy") in SECRET_PRIVACY and f.get("value") not in (None, ""):
            f["value"] = MASK
    return shown


class Providers:
    def __init__(self, app: App, store: Store, connect: ConnectionTest | None = None) -> None:
        self.app = app
        self.store = store
        self.test_results: dict[str, list[str] | None] = {}
        self.connect = connect

    def kind(self, name: str) -> Kind:
        kind = self.app.kind(name)
        if kind is None:
            known = ", ".join(k.name for k in self.app.kinds)
            raise ValueError(f"{self.app.name} has no provider kind {name!r} (it has: {known})")
        return kind

    # -- reads -------------------------------------------------------------------------------------------------

    def schema(self, kind_name: str) -> list[dict[str, Any]]:
        kind = self.kind(kind_name)
        return [dict(self._skeleton(kind, t, self._defaults(t), kind.writable),
                     id=0, presets=[]) for t in kind.templates]

    def list(self, kind_name: str) -> list[dict[str, Any]]:
        items = self.store.items(self.kind(kind_name).name)
        return [masked(i) for i in sorted(items, key=lambda i: i["name"].casefold())]

    def get(self, kind_name: str, item_id: int) -> dict[str, Any]:
        return masked(self._stored(self.kind(kind_name), item_id))

    # -- writes ------------------------------------------------------------------------------------------------

    def create(self, kind_name: str, body: Any, force_save: bool) -> dict[str, Any]:
        kind = self.kind(kind_name)
        item = self._build(kind, body, None, controller_checks=True)
        if kind.enabled(item) and not force_save:
            self._test(kind, item)
        return masked(self.store.add(kind.name, item))

    def update(self, kind_name: str, route_id: int, body: Any, force_save: bool) -> dict[str, Any]:
        kind = self.kind(kind_name)
        body_id = body.get("id") if isinstance(body, dict) else None
        item_id = body_id if self.app.put_id_from_body and body_id else route_id
        current = self._stored(kind, item_id)
        item = self._build(kind, body, current, controller_checks=True)
        if item == current and not self.app.put_tests_always:
            return masked(current)      # Radarr: a PUT that changes nothing neither tests nor writes
        if kind.enabled(item) and not force_save:
            self._test(kind, item)
        self.store.put(kind.name, item)
        return masked(item)

    def delete(self, kind_name: str, item_id: int) -> None:
        kind = self.kind(kind_name)
        self._stored(kind, item_id)
        self.store.remove(kind.name, item_id)

    def test(self, kind_name: str, body: Any) -> None:
        """POST /<kind>/test: settings validation, then the connection test, whether enabled or not."""
        kind = self.kind(kind_name)
        current = self.store.get(kind.name, body.get("id")) if isinstance(body, dict) else None
        self._test(kind, self._build(kind, body, current, controller_checks=False))

    # -- internals ---------------------------------------------------------------------------------------------

    def _stored(self, kind: Kind, item_id: Any) -> dict[str, Any]:
        item = self.store.get(kind.name, item_id)
        if item is None:
            raise not_found()
        return item

    @staticmethod
    def _skeleton(kind: Kind, template: Template, fields: list[dict[str, Any]],
                  values: Mapping[str, Any]) -> dict[str, Any]:
        return {"fields": fields, "implementationName": template.implementation_name,
                "implementation": template.implementation, "configContract": template.contract,
                "infoLink": template.info_link, **copy.deepcopy(dict(values)), **kind.fixed,
                **copy.deepcopy(dict(template.fixed))}

    def _defaults(self, template: Template) -> list[dict[str, Any]]:
        return [f.to_json(i, self.app.option_defaults) for i, f in enumerate(template.fields)]

    def _build(self, kind: Kind, body: Any, current: dict[str, Any] | None,
               controller_checks: bool) -> dict[str, Any]:
        """The object a POST/PUT body saves: the template's defaults, overlaid with what the body sends."""
        body = body if isinstance(body, dict) else {}
        failures = self._controller_failures(kind, body, current) if controller_checks else []
        wanted = body.get(kind.match_by)
        template = kind.template(wanted)
        if template is None:
            if not failures:
                failures.append(failure(property_name(kind.match_by),
                                        f"Unknown {display_name(kind.match_by).lower()} '{wanted}'", wanted))
            raise invalid(failures)
        if body.get("configContract") not in (None, "", template.contract):
            failures.append(failure("ConfigContract", f"'Config Contract' must be {template.contract}",
                                    body.get("configContract")))
        # Top-level keys left out (or null) go back to their defaults, as do fields left out.
        values = {key: default if body.get(key) is None else body[key] for key, default in kind.writable.items()}
        if isinstance(values.get("tags"), list):
            values["tags"] = sorted(set(values["tags"]))
        item = self._skeleton(kind, template, self._fields(template, body, current), values)
        item = {"id": current["id"] if current else 0, "name": body.get("name"), **item}
        ctx = CheckContext(item, current, self.store.ids)
        if controller_checks:
            failures += run_checks(kind.checks, ctx)
        if failures:
            raise invalid(failures)
        failures = run_checks(template.checks, ctx)
        if template.strict_fields:
            failures += [failure("", f"Unknown {template.implementation} setting '{f.get('name')}'", f.get("name"))
                         for f in self._sent_fields(body) if template.field_def(f.get("name")) is None]
        if failures:
            raise invalid(failures)
        return item

    def _controller_failures(self, kind: Kind, body: dict[str, Any],
                             current: dict[str, Any] | None) -> list[dict[str, Any]]:
        failures = []
        name = body.get("name")
        if _blank(name):
            failures.append(failure("Name", "'Name' must not be empty.", name))
        elif any(other["name"].casefold() == name.casefold() for other in self.store.collections[kind.name].values()
                 if current is None or other["id"] != current["id"]):
            failures.append(failure("Name", "Should be unique", name))
        for key in ("implementation", "configContract"):
            if _blank(body.get(key)):
                failures.append(failure(property_name(key), f"'{display_name(key)}' must not be empty.",
                                        body.get(key)))
        if current is None and body.get("fields") is None:
            failures.append(failure("Fields", "'Fields' must not be empty."))
        return failures

    @staticmethod
    def _sent_fields(body: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [f for f in body.get("fields") or [] if isinstance(f, dict)]

    def _fields(self, template: Template, body: Mapping[str, Any],
                current: dict[str, Any] | None) -> list[dict[str, Any]]:
        sent = {f.get("name"): f.get("value") for f in self._sent_fields(body)}
        stored = {f["name"]: f.get("value") for f in (current or {}).get("fields") or []}
        fields = []
        for order, definition in enumerate(template.fields):
            f = definition.to_json(order, self.app.option_defaults)
            if definition.name in sent:
                value = sent[definition.name]
                if definition.privacy in SECRET_PRIVACY and value == MASK:
                    f["value"] = stored.get(definition.name, f["value"])   # the mask keeps the stored secret
                else:
                    f["value"] = definition.cast(value)
            fields.append(f)
        return fields

    def _test(self, kind: Kind, item: dict[str, Any]) -> None:
        """A result a test set wins; then the real connection test, if this emulator has one."""
        errors = self.test_results.get(kind.name)
        failures = [failure("", message) for message in errors or []]
        if not failures and self.connect is not None:
            failures = self.connect(kind.name, item)
        if failures:
            raise invalid(failures)
