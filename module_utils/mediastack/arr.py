# Copyright: mediastack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The *arr engine (Radarr API v3, Prowlarr API v1): providers, tags, simple collections, config singletons.

A module declares what it manages (an `ArrApp`, a `ProviderKind`, `CollectionKind` or `ConfigKind`) and calls
`run_provider`, `run_collection` or `run_config`. Everything else lives here, once:

- one GET of the list, items matched by `name` ignoring case;
- a new provider is built from the implementation's `/schema` template (fetched only when needed) with the
  user's values on top; an update merges the user's values into the whole current object, because the
  server resets every field left out of a PUT;
- only what the user declared is compared (tags and list values as sets), and nothing is written unless
  something differs; check mode plans the same and writes nothing;
- secret fields are known by their `privacy` (`password`, `apiKey`), never by their name; the mask
  `********` the server answers with means "unknown", not "different" (`update_secrets`), unless a secrets
  ledger remembers what was last sent (`secrets_ledger`, ledger.py);
- tags are given by label, resolved with one GET of `/tag` and created when missing;
- ids of other items (an indexer's app profile) are given by name, resolved with one GET of their list, and
  only when declared (or needed to create);
- every failure names the app, its URL, the item and, for server refusals, the server's own messages.
"""
from __future__ import annotations

import contextlib
import copy
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, Callable, Iterable, Mapping, Optional

from ansible.module_utils.basic import AnsibleModule, env_fallback
from ansible.module_utils.mediastack.compare import MASK, conform, differing_keys, same, suggestions
from ansible.module_utils.mediastack.http import ApiClient, ApiError, Response
from ansible.module_utils.mediastack.ledger import LedgerError, SecretLedger
from ansible.module_utils.mediastack.module import Outcome, client_for, connection_argument_spec, run

SECRET_PRIVACY = frozenset(("password", "apiKey"))
TAG_LABEL = re.compile(r"^[a-z0-9-]+$", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------------------------
# Apps and connections

@dataclass(frozen=True)
class ArrApp:
    """One *arr application: its name in messages, API prefix, environment prefix and default URL."""

    name: str
    api: str
    env: str
    default_url: str


RADARR = ArrApp("Radarr", "/api/v3", "RADARR", "http://127.0.0.1:7878")
PROWLARR = ArrApp("Prowlarr", "/api/v1", "PROWLARR", "http://127.0.0.1:9696")


def arr_argument_spec(app: ArrApp, **module_options: Any) -> dict[str, dict[str, Any]]:
    """Connection options (url, api_key, timeout, validate_certs, wait_timeout) plus the module's own."""
    spec = connection_argument_spec(app.env, app.default_url)
    spec["api_key"] = dict(type="str", required=True, no_log=True, fallback=(env_fallback, [app.env + "_API_KEY"]))
    spec.update(module_options)
    return spec


class ArrClient:
    """HTTP to one *arr app: paths relative to its API prefix; a refused API key said in plain words."""

    def __init__(self, app: ArrApp, http: ApiClient) -> None:
        self.app = app
        self.http = http
        self.base_url = http.base_url

    def call(self, method: str, path: str, query: Optional[dict[str, Any]] = None, body: Any = None,
             expect: Iterable[int] = (200,)) -> Response:
        """`path` relative to the API prefix, e.g. "downloadclient/3"."""
        try:
            return self.http.request(method, self.app.api + "/" + path, query=query, json_body=body, expect=expect)
        except ApiError as exc:
            if exc.status == 401:
                raise ApiError(exc.app, exc.method, exc.url, 401,
                               "the API key was refused (check api_key or $%s_API_KEY)" % self.app.env) from exc
            raise

    def get(self, path: str) -> Any:
        return self.call("GET", path).json()


def connect(module: AnsibleModule, app: ArrApp) -> ArrClient:
    return ArrClient(app, client_for(module, app.name, headers={"X-Api-Key": module.params["api_key"]}))


class Context:
    """What one module run shares: the module, the client, check mode and failures worded with app and URL."""

    def __init__(self, module: AnsibleModule, app: ArrApp) -> None:
        self.module = module
        self.app = app
        self.client = connect(module, app)
        self.check_mode = module.check_mode
        self._tags: Optional[Tags] = None

    @property
    def where(self) -> str:
        return "%s at %s" % (self.app.name, self.client.base_url)

    def fail(self, message: str) -> None:
        self.module.fail_json(msg="%s: %s" % (self.where, message))

    def hide(self, value: Any) -> None:
        """Keep a secret value out of everything Ansible prints or logs."""
        if isinstance(value, str) and value:
            self.module.no_log_values.add(value)

    @property
    def tags(self) -> Tags:
        if self._tags is None:
            self._tags = Tags(self)
        return self._tags


# ---------------------------------------------------------------------------------------------------------------
# Tags

class Tags:
    """The app's tags, read once per run; labels are matched ignoring case (the server stores lower case)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.by_label: dict[str, int] = {t["label"].lower(): t["id"] for t in ctx.client.get("tag")}
        self.by_id: dict[int, str] = {i: label for label, i in self.by_label.items()}
        self.created: list[int] = []

    def labels(self, ids: Iterable[int]) -> list[str]:
        return sorted(self.by_id.get(i, str(i)) for i in ids or ())

    def missing(self, labels: Iterable[str]) -> list[str]:
        return sorted({label.lower() for label in labels} - set(self.by_label))

    def resolve(self, labels: Iterable[str], create: bool = False) -> Optional[list[int]]:
        """Tag ids for the labels; None while a tag is missing, unless `create` (not in check mode) makes it."""
        labels = [label.lower() for label in labels]
        for label in labels:
            if not TAG_LABEL.match(label):
                self.ctx.fail("tag %r is not a valid label (letters, digits and '-' only)" % label)
        missing = self.missing(labels)
        if missing and (self.ctx.check_mode or not create):
            return None
        for label in missing:
            created = self.ctx.client.call("POST", "tag", body={"label": label}, expect=(200, 201)).json()
            self.by_label[label] = created["id"]
            self.by_id[created["id"]] = label
            self.created.append(created["id"])
        return sorted({self.by_label[label] for label in labels})

    def rollback(self) -> None:
        """Delete the tags this run created (the write they were for failed): a failed run changes nothing."""
        for tag_id in self.created:
            with contextlib.suppress(ApiError):  # the write's own error is the one to report
                self.ctx.client.call("DELETE", "tag/%s" % tag_id, expect=(200, 202, 204))
        self.created = []


# ---------------------------------------------------------------------------------------------------------------
# Typed module options mapped onto the API

@dataclass(frozen=True)
class Opt:
    """A module option mapped onto the API: a top-level key, or (in_fields) a provider field by name."""

    key: str
    in_fields: bool
    spec: Mapping[str, Any]


def top(key: str, **spec: Any) -> Opt:
    """A module option that sets the top-level key `key` (argument spec in `spec`, e.g. type="bool")."""
    return Opt(key, False, spec)


def field(name: str, **spec: Any) -> Opt:
    """A module option that sets the provider field `name` in `fields[]`."""
    return Opt(name, True, spec)


def declared_values(ctx: Context, options: Mapping[str, Opt], extra_fields: Optional[Mapping[str, Any]],
                    extra_keys: Optional[Mapping[str, Any]] = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(top-level keys, fields) the user declared: typed options that are set, plus the generic dicts.

    A value given both through a typed option and a generic dict must agree.
    """
    keys: dict[str, Any] = dict(extra_keys or {})
    fields: dict[str, Any] = dict(extra_fields or {})
    for option, opt in options.items():
        value = ctx.module.params.get(option)
        if value is None:
            continue
        target, generic = (fields, "fields") if opt.in_fields else (keys, "settings")
        if opt.key in target and not same(value, target[opt.key]) and not same(target[opt.key], value):
            # No values in the message: either side may be a secret (a password given twice).
            ctx.fail("option %s and %s.%s disagree; give one of them" % (option, generic, opt.key))
        target[opt.key] = value
    return keys, fields


# ---------------------------------------------------------------------------------------------------------------
# Providers: download clients, notifications, indexers, applications, indexer proxies

@dataclass(frozen=True)
class Reference:
    """A top-level id (e.g. `appProfileId`) that the user gives as the name of an item of another collection.

    key: the top-level key; path: the collection it refers to (read once, only when the option is set or the
    item is created with `on_create`); noun: for messages; shown: the key's name in diffs and changed_keys,
    where names stand for ids; none_id: an id that means "none" or "any" (e.g. 0), set by an empty name;
    on_create: when creating and the option is omitted, refer to the item of this name, else to the first
    one (None: keep the template's value).
    """

    key: str
    path: str
    noun: str
    shown: str
    none_id: Optional[int] = None
    on_create: Optional[str] = None


class Named:
    """The items of a collection by name, read once, for a Reference."""

    def __init__(self, ctx: Context, ref: Reference) -> None:
        self.ref = ref
        items = sorted(ctx.client.get(ref.path), key=lambda i: i["id"])
        self.first: Optional[int] = items[0]["id"] if items else None
        self.by_name: dict[str, int] = {}
        for item in items:
            self.by_name.setdefault(str(item.get("name") or "").lower(), item["id"])
        self.by_id: dict[int, str] = {i["id"]: str(i.get("name") or "") for i in items}

    def id(self, name: Optional[str]) -> Optional[int]:
        """The id for a name (the default on create for None); None when there is no such item."""
        if name is None:
            return self.by_name.get(str(self.ref.on_create).lower(), self.first)
        if name == "" and self.ref.none_id is not None:
            return self.ref.none_id
        return self.by_name.get(name.lower())

    def name(self, item_id: Any) -> Any:
        if item_id == self.ref.none_id and self.ref.none_id is not None:
            return ""
        return self.by_id.get(item_id, str(item_id))


@dataclass(frozen=True)
class ProviderKind:
    """What a provider module manages.

    app: the *arr app; path: the API collection, e.g. "downloadclient"; noun: for messages;
    options: typed module options (top() or field()); default_implementation: used when creating and the
    user gave none; create_defaults: top-level values a new item starts with before the user's own (what
    the web UI would preset, e.g. enable=true); template_key: the schema key that `implementation` names
    (Prowlarr indexers: "definitionName"; the diff shows the item's value under this key);
    unordered_keys: top-level lists compared as sets; implementation_option: the module option that names
    the implementation (Prowlarr indexers: "definition"); implementation_fixed: an existing item's
    implementation cannot change (asking for another one fails); references: module options that set a
    top-level id by the name of an item of another collection (option -> Reference).
    """

    app: ArrApp
    path: str
    noun: str
    options: Mapping[str, Opt] = dataclass_field(default_factory=dict)
    default_implementation: Optional[str] = None
    create_defaults: Mapping[str, Any] = dataclass_field(default_factory=dict)
    template_key: str = "implementation"
    unordered_keys: frozenset = frozenset(("tags",))
    implementation_option: str = "implementation"
    implementation_fixed: bool = False
    references: Mapping[str, Reference] = dataclass_field(default_factory=dict)


# When to send a secret the server does not show (shared by provider modules and radarr_host_config).
UPDATE_SECRETS: Mapping[str, Any] = dict(type="str", choices=["on_create", "always"], default="on_create",
                                         no_log=False)


def provider_argument_spec(kind: ProviderKind) -> dict[str, dict[str, Any]]:
    spec = arr_argument_spec(
        kind.app,
        name=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        fields=dict(type="dict"),
        settings=dict(type="dict", default={}),
        tags=dict(type="list", elements="str"),
        update_secrets=dict(UPDATE_SECRETS),
        secrets_ledger=dict(type="path"),
        force_save=dict(type="bool", default=False),
        purge=dict(type="bool", default=False),
        managed_names=dict(type="list", elements="str", default=[]),
        purge_ignore=dict(type="list", elements="str", default=[]),
    )
    spec[kind.implementation_option] = dict(type="str")
    for option, opt in kind.options.items():
        spec[option] = dict(opt.spec)
    for option in kind.references:
        spec[option] = dict(type="str")
    return spec


def run_provider(kind: ProviderKind) -> None:
    """The whole module: argument parsing, planning, writing (not in check mode), result."""
    module = AnsibleModule(argument_spec=provider_argument_spec(kind), supports_check_mode=True)
    if module.params["name"] is None and not module.params["purge"]:
        module.fail_json(msg="%s %s: name is required unless purge is true" % (kind.app.name, kind.noun))
    run(module, lambda: Provider(Context(module, kind.app), kind).converge())


# Keys that belong to an implementation, not to the item: not carried over when the implementation changes.
IMPLEMENTATION_KEYS = frozenset(("fields", "implementation", "implementationName", "configContract", "infoLink",
                                 "protocol", "message", "presets", "definitionName", "link", "testCommand"))


# Top-level keys that `settings` may not set, and what to use instead.
NOT_SETTINGS: Mapping[str, str] = dict(
    dict.fromkeys(IMPLEMENTATION_KEYS, "it belongs to the implementation"),
    id="the server assigns it", name="use name", tags="use tags (labels)", fields="use fields")


def settable(item: Mapping[str, Any]) -> set[str]:
    """The top-level keys `settings` may set (not the server's `supports*` facts)."""
    return {k for k in item if k not in NOT_SETTINGS and not k.startswith("supports")}


def field_map(item: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in item.get("fields") or [] if f.get("name")}


def is_secret(f: Mapping[str, Any]) -> bool:
    return f.get("privacy") in SECRET_PRIVACY


def shown(f: Mapping[str, Any], value: Any) -> Any:
    """A field value as it may appear in a diff or result."""
    return MASK if is_secret(f) and value not in (None, "") else value


class Provider:
    """Plans and applies one provider item (and the purge of undeclared ones) for a ProviderKind."""

    def __init__(self, ctx: Context, kind: ProviderKind) -> None:
        self.ctx = ctx
        self.kind = kind
        self.params = ctx.module.params
        self.client = ctx.client
        self.outcome = Outcome(ctx.module)
        self._schema: Optional[list[dict[str, Any]]] = None
        self.ledger: Optional[SecretLedger] = None
        if self.params["secrets_ledger"]:
            try:
                self.ledger = SecretLedger(self.params["secrets_ledger"])
            except LedgerError as exc:
                ctx.fail("%s; nothing was changed" % exc)

    def label(self, name: Optional[str] = None) -> str:
        return "%s %r" % (self.kind.path, name or self.params["name"])

    def fail(self, message: str) -> None:
        self.ctx.fail("%s: %s; nothing was changed" % (self.label(), message))

    def converge(self) -> dict[str, Any]:
        items: list[dict[str, Any]] = self.client.get(self.kind.path)
        name = self.params["name"]
        existing = next((i for i in items if name and (i.get("name") or "").lower() == name.lower()), None)
        extra: dict[str, Any] = dict(id=existing["id"] if existing else None, changed_keys=[])
        if name is not None:
            if self.params["state"] == "absent":
                self.remove(existing)
                extra["id"] = None
            else:
                extra.update(self.present(existing))
        extra["purged"] = self.purge(items) if self.params["purge"] else []
        return self.outcome.result([self.client.http], **extra)

    # -- state: absent, purge

    def remove(self, existing: Optional[dict[str, Any]]) -> None:
        if existing is None:
            return
        key = self.kind.template_key
        before = {"name": existing["name"], key: existing.get(key)}
        self.outcome.record(before, {}, True)
        self.delete(existing)

    def delete(self, item: dict[str, Any]) -> None:
        if not self.ctx.check_mode:
            self.client.call("DELETE", "%s/%s" % (self.kind.path, item["id"]), expect=(200, 202, 204))
            if self.ledger is not None:
                self.ledger.forget(self.ledger_key(item["name"]))
                self.save_ledger()

    # -- the secrets ledger

    def ledger_key(self, name: str, field_name: str = "") -> str:
        """Entries of one item start with the server, the collection and the item's name."""
        return "%s %s %s %s" % (self.client.base_url, self.kind.path, name.lower(), field_name)

    def save_ledger(self) -> None:
        try:
            self.ledger.save()  # type: ignore[union-attr]
        except LedgerError as exc:
            # The server already holds the write: say so, and that the next run sends the secret once more.
            self.fail("saved, but %s; the next run sends its secrets again" % exc)

    def purge(self, items: list[dict[str, Any]]) -> list[str]:
        keep = {n.lower() for n in self.params["managed_names"] + self.params["purge_ignore"]}
        if self.params["name"] and self.params["state"] == "present":
            keep.add(self.params["name"].lower())
        doomed = [i for i in items if (i.get("name") or "").lower() not in keep]
        if self.params["state"] == "absent" and self.params["name"]:
            doomed = [i for i in doomed if i["name"].lower() != self.params["name"].lower()]
        names = [i["name"] for i in doomed]
        if doomed:
            self.outcome.record({"unmanaged": names}, {"unmanaged": []}, True)
        for item in doomed:
            self.delete(item)
        return names

    # -- state: present

    def schema(self) -> list[dict[str, Any]]:
        if self._schema is None:
            self._schema = self.client.get(self.kind.path + "/schema")
        return self._schema

    def identity_keys(self) -> tuple[str, ...]:
        """The keys an implementation is known by: `implementationName` too, unless the template key is another
        one (Prowlarr's Cardigann indexers share one implementationName across hundreds of definitions)."""
        key = self.kind.template_key
        return (key, "implementationName") if key == "implementation" else (key,)

    def template(self, implementation: str) -> dict[str, Any]:
        key = self.kind.template_key
        wanted = implementation.lower()
        templates = self.schema()
        for by in self.identity_keys():
            match = next((t for t in templates if str(t.get(by) or "").lower() == wanted), None)
            if match is not None:
                template = copy.deepcopy(match)
                template.pop("presets", None)
                return template
        self.fail("unknown %s %r%s" % (self.kind.implementation_option, implementation, suggestions(
            implementation, {str(t.get(key)) for t in templates if t.get(key)})))
        raise AssertionError("unreachable")

    def present(self, existing: Optional[dict[str, Any]]) -> dict[str, Any]:
        option = self.kind.implementation_option
        implementation = self.params[option]
        key = self.kind.template_key
        if existing is None:
            implementation = implementation or self.kind.default_implementation
            if not implementation:
                self.fail("%s is required to create it" % option)
            base = self.template(implementation)
            base.update(copy.deepcopy(dict(self.kind.create_defaults)))
        elif implementation and implementation.lower() not in (
                str(existing.get(k) or "").lower() for k in self.identity_keys()):
            if self.kind.implementation_fixed:
                self.fail("its %s is %s and cannot change to %r; remove it (state=absent) or use another name"
                          % (option, existing.get(key), implementation))
            # Another implementation: its settings are another class, so start from its template.
            base = self.template(implementation)
            base.update({k: v for k, v in existing.items() if k in base and k not in IMPLEMENTATION_KEYS
                         and not k.startswith("supports")})
        else:
            base = copy.deepcopy(existing)
        base["name"] = self.params["name"]

        keys, fields = declared_values(self.ctx, self.kind.options, self.params["fields"], self.params["settings"])
        fields = self.checked_fields(base, fields)
        keys = self.checked_keys(base, keys)
        named = self.resolve_references(existing, keys)
        # Missing tags are created only once a write is certain, and deleted again if that write fails.
        tag_ids: Optional[list[int]] = None
        if self.params["tags"] is not None:
            tag_ids = self.ctx.tags.resolve(self.params["tags"])

        before, after, changed_keys = self.plan(existing, base, keys, fields, tag_ids)
        for ref_key, names in named.items():
            show_by_name(names, ref_key, before, after, changed_keys)
        changed = existing is None or bool(changed_keys)
        self.outcome.record(before, after if changed else before, changed)

        item_id = existing["id"] if existing else None
        if changed and not self.ctx.check_mode:
            if self.params["tags"] is not None and tag_ids is None:
                tag_ids = self.ctx.tags.resolve(self.params["tags"], create=True)
            body = self.merged(base, keys, fields, tag_ids)
            query = {"forceSave": "true"} if self.params["force_save"] else None
            try:
                if existing is None:
                    saved = self.client.call("POST", self.kind.path, query=query, body=body,
                                             expect=(200, 201)).json()
                    item_id = saved.get("id") if isinstance(saved, dict) else None
                else:
                    self.client.call("PUT", "%s/%s" % (self.kind.path, existing["id"]), query=query, body=body,
                                     expect=(200, 202))
            except ApiError:
                self.ctx.tags.rollback()
                raise
            if self.ledger is not None:
                # Every declared field went with the write: the server now holds these secrets.
                secret_fields = {n for n, f in field_map(body).items() if is_secret(f)}
                for n in secret_fields & set(fields):
                    self.ledger.remember(self.ledger_key(self.params["name"], n), fields[n])
                self.save_ledger()
        return dict(id=item_id, changed_keys=changed_keys)

    def resolve_references(self, existing: Optional[dict[str, Any]], keys: dict[str, Any]) -> dict[str, Named]:
        """Set the ids of the declared references in `keys` (and on create the defaults); the names read."""
        named: dict[str, Named] = {}
        for option, ref in self.kind.references.items():
            name = self.params[option]
            if name is None and (existing is not None or ref.on_create is None):
                continue
            names = named[ref.key] = Named(self.ctx, ref)
            item_id = names.id(name)
            if item_id is None and name is None:
                self.fail("%s: there is no %s to refer to; create one first" % (option, ref.noun))
            if item_id is None:
                self.fail("%s: unknown %s %r%s" % (option, ref.noun, name, suggestions(name, names.by_id.values())))
            keys[ref.key] = item_id
        return named

    def checked_fields(self, base: dict[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
        """The declared field values, after checking their names and converting their types."""
        fields = field_map(base)
        implementation = base.get(self.kind.template_key) or base.get("implementation")
        options = {opt.key: option for option, opt in self.kind.options.items() if opt.in_fields}
        checked = {}
        for name, value in declared.items():
            f = fields.get(name)
            if f is None:
                origin = " (from option %s)" % options[name] if name in options else ""
                self.fail("unknown field %r%s for %s %s%s" % (
                    name, origin, self.kind.implementation_option, implementation, suggestions(name, fields)))
            if is_secret(f):
                self.ctx.hide(value)
            try:
                checked[name] = conform(self.select_value(f, value), f.get("value"))
            except ValueError as exc:
                self.fail("field %r %s" % (name, exc))
        return checked

    @classmethod
    def select_value(cls, f: Mapping[str, Any], value: Any) -> Any:
        """For a select field, accept an option's name in place of its value; a list (a multi-select, e.g.
        Prowlarr's syncCategories) element by element, each checked against the options, duplicates dropped."""
        options = f.get("selectOptions") or []
        if options and isinstance(value, (list, tuple)) and f.get("type") in ("select",):
            values = [cls.select_value(f, str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                      for v in value]
            return [v for i, v in enumerate(values) if v not in values[:i]]
        if not options or not isinstance(value, str) or f.get("type") not in ("select",):
            return value
        if any(str(o.get("value")) == value for o in options):
            return next(o["value"] for o in options if str(o.get("value")) == value)
        match = [o["value"] for o in options if str(o.get("name") or "").lower() == value.lower()]
        if not match:
            raise ValueError("must be one of: %s; got %r" % (
                ", ".join("%s (%s)" % (o.get("value"), o.get("name")) for o in options), value))
        return match[0]

    def checked_keys(self, base: dict[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
        implementation = base.get(self.kind.template_key) or base.get("implementation")
        for key, value in declared.items():
            if key in NOT_SETTINGS:
                self.fail("%r is not a setting: %s" % (key, NOT_SETTINGS[key]))
            if key not in base:
                self.fail("%s %s has no setting %r%s" % (self.kind.implementation_option, implementation, key,
                                                         suggestions(key, settable(base))))
            try:
                value = declared[key] = conform(value, base[key])
            except ValueError as exc:
                self.fail("setting %r %s" % (key, exc))
            supports = "supports" + key[:1].upper() + key[1:]
            if value is True and base.get(supports) is False:
                self.fail("%s %s does not support %s" % (self.kind.implementation_option, implementation, key))
        return declared

    def plan(self, existing: Optional[dict[str, Any]], base: dict[str, Any], keys: dict[str, Any],
             fields: dict[str, Any], tag_ids: Optional[list[int]]) -> tuple[dict, dict, list[str]]:
        """(before, after, changed keys) over the declared keys only; secrets masked."""
        key = self.kind.template_key
        current = existing or {}
        current_fields = field_map(current)
        base_fields = field_map(base)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {"name": base["name"], key: base.get(key)}
        changed: list[str] = []
        if existing is not None:
            before = {"name": existing["name"], key: existing.get(key)}
            changed += [k for k in ("name", key) if before[k] != after[k]]
        for k, value in keys.items():
            if existing is not None:
                before[k] = current.get(k)
            after[k] = value
        if existing is not None:
            changed += differing_keys(keys, current, self.kind.unordered_keys)

        if self.params["tags"] is not None:
            wanted = sorted({t.lower() for t in self.params["tags"]})
            after["tags"] = wanted
            if existing is not None:
                before["tags"] = self.ctx.tags.labels(current.get("tags") or [])
                if tag_ids is None or sorted(set(current.get("tags") or [])) != tag_ids:
                    changed.append("tags")

        if fields:
            after["fields"] = {n: shown(base_fields[n], v) for n, v in fields.items()}
            if existing is not None:
                before["fields"] = {n: shown(base_fields[n], current_fields[n].get("value"))
                                    if n in current_fields else None for n in fields}
                changed += ["fields." + n for n, v in fields.items()
                            if self.field_differs(n, current_fields.get(n), v)]
        if existing is None:
            changed = [k for k in after if k != "fields"] + ["fields." + n for n in fields]
        return before, after, changed

    def field_differs(self, name: str, current: Optional[Mapping[str, Any]], value: Any) -> bool:
        if current is None:
            return True
        stored = current.get("value")
        if is_secret(current):
            if value in (None, ""):
                return stored not in (None, "")
            if stored in (None, ""):
                return True
            if stored == MASK:
                # Unknown: the server does not tell. The ledger knows what was last sent; else push only when
                # asked to.
                if self.params["update_secrets"] == "always" or self.ledger is None:
                    return self.params["update_secrets"] == "always"
                return self.ledger.differs(self.ledger_key(self.params["name"], name), str(value))
            # Servers before masking (Radarr v4, Prowlarr < 1.13.2) answer in plain text.
            return stored != value or self.params["update_secrets"] == "always"
        return not same(value, stored, unordered=True)

    @staticmethod
    def merged(base: dict[str, Any], keys: dict[str, Any], fields: dict[str, Any],
               tag_ids: Optional[list[int]]) -> dict[str, Any]:
        """The whole object to send: the base (current or template) with the declared values on top."""
        body = copy.deepcopy(base)
        body.update(keys)
        if tag_ids is not None:
            body["tags"] = tag_ids
        for f in body.get("fields") or []:
            if f.get("name") in fields:
                f["value"] = fields[f["name"]]
        return body


def show_by_name(names: Named, key: str, before: dict[str, Any], after: dict[str, Any], changed: list[str]) -> None:
    """In a diff and changed keys, a reference's id (`key`) becomes the referred item's name (`shown`)."""
    shown = names.ref.shown
    for side in (before, after):
        if key in side:
            side[shown] = names.name(side.pop(key))
    changed[:] = [shown if k == key else k for k in changed]


# ---------------------------------------------------------------------------------------------------------------
# Simple collections: tags (by label), root folders (by path). No update: the identity is all there is.

@dataclass(frozen=True)
class CollectionKind:
    """A collection whose items are only their identity: `key` (e.g. "label", "path") given by `option`."""

    app: ArrApp
    path: str
    noun: str
    key: str
    option: str
    normalise: Callable[[str], str] = str.lower
    validate: Optional[Callable[[str], Optional[str]]] = None


def run_collection(kind: CollectionKind) -> None:
    module = AnsibleModule(
        argument_spec=arr_argument_spec(kind.app, **{
            kind.option: dict(type="str", required=True),
            "state": dict(type="str", choices=["present", "absent"], default="present"),
        }),
        supports_check_mode=True,
    )
    value: str = module.params[kind.option]

    def work() -> dict[str, Any]:
        ctx = Context(module, kind.app)
        problem = kind.validate(value) if kind.validate else None
        if problem:
            ctx.fail("%s %r: %s; nothing was changed" % (kind.path, value, problem))
        items = ctx.client.get(kind.path)
        existing = next((i for i in items if kind.normalise(i.get(kind.key) or "") == kind.normalise(value)), None)
        outcome = Outcome(module)
        before = {kind.key: existing[kind.key]} if existing else {}
        item_id = existing["id"] if existing else None
        if module.params["state"] == "absent":
            outcome.record(before, {}, existing is not None)
            if existing and not ctx.check_mode:
                ctx.client.call("DELETE", "%s/%s" % (kind.path, existing["id"]), expect=(200, 202, 204))
            return outcome.result([ctx.client.http], id=None)
        outcome.record(before, before or {kind.key: value}, existing is None)
        if existing is None and not ctx.check_mode:
            created = ctx.client.call("POST", kind.path, body={kind.key: value}, expect=(200, 201)).json()
            item_id = created.get("id")
        return outcome.result([ctx.client.http], id=item_id)

    run(module, work)


# ---------------------------------------------------------------------------------------------------------------
# Config singletons: config/mediamanagement, config/host, ...

@dataclass(frozen=True)
class ConfigKind:
    """A config singleton at `config/<name>`.

    options: typed module options (top()); refused: keys the module will not manage, with the reason;
    secret_keys: masked in diff and output; write_only: keys the server never returns as set (it keeps a
    hash), left out of the comparison and sent only when `send_write_only` says so; extra_options: more
    module options (argument spec) that map to no key, for the module's own hooks; casefold_keys: values
    the server stores in another case (compared ignoring case).
    """

    app: ArrApp
    name: str
    noun: str
    options: Mapping[str, Opt] = dataclass_field(default_factory=dict)
    refused: Mapping[str, str] = dataclass_field(default_factory=dict)
    secret_keys: frozenset = frozenset()
    write_only: frozenset = frozenset()
    # (module params, write-only values declared, current object, keys that differ) -> values to send
    send_write_only: Optional[Callable[[Mapping[str, Any], dict[str, Any], dict[str, Any], list[str]],
                                       dict[str, Any]]] = None
    extra_options: Mapping[str, Mapping[str, Any]] = dataclass_field(default_factory=dict)
    casefold_keys: frozenset = frozenset()


def config_argument_spec(kind: ConfigKind) -> dict[str, dict[str, Any]]:
    spec = arr_argument_spec(kind.app, settings=dict(type="dict", default={}))
    for option, opt in kind.options.items():
        spec[option] = dict(opt.spec)
    for option, option_spec in kind.extra_options.items():
        spec[option] = dict(option_spec)
    return spec


def run_config(kind: ConfigKind) -> None:
    module = AnsibleModule(argument_spec=config_argument_spec(kind), supports_check_mode=True)
    run(module, lambda: Config(Context(module, kind.app), kind).converge())


class Config:
    def __init__(self, ctx: Context, kind: ConfigKind) -> None:
        self.ctx = ctx
        self.kind = kind

    def fail(self, message: str) -> None:
        self.ctx.fail("config/%s: %s; nothing was changed" % (self.kind.name, message))

    def converge(self) -> dict[str, Any]:
        ctx, kind = self.ctx, self.kind
        keys = declared_values(ctx, kind.options, None, ctx.module.params["settings"])[0]
        for key in set(keys) & (kind.secret_keys | kind.write_only):
            ctx.hide(keys[key])
        refused = sorted(set(keys) & set(kind.refused))
        if refused:
            self.fail("; ".join("%s: %s" % (k, kind.refused[k]) for k in refused))
        if not keys:
            self.fail("declare at least one setting")
        current: dict[str, Any] = ctx.client.get("config/" + kind.name)
        write_only = {k: keys.pop(k) for k in list(keys) if k in kind.write_only}
        for key in keys:
            if key not in current or key == "id":
                self.fail("unknown setting %r%s" % (key, suggestions(key, set(current) - {"id"} - set(kind.refused))))
        try:
            wanted = {}
            for key, value in keys.items():
                wanted[key] = conform(value, current[key])
        except ValueError as exc:
            self.fail("setting %r %s" % (key, exc))
        for key in kind.casefold_keys & set(wanted):
            if isinstance(wanted[key], str) and str(current.get(key) or "").lower() == wanted[key].lower():
                wanted[key] = current[key]
        changed = differing_keys(wanted, current)
        send = {k: v for k, v in wanted.items() if k in changed}
        before: dict[str, Any] = {}
        if write_only and kind.send_write_only:
            extra = kind.send_write_only(ctx.module.params, write_only, current, changed)
            send.update(extra)
            for k in extra:
                if k in write_only:
                    before[k] = MASK if current.get(k) else current.get(k)
                    changed.append(k)
        outcome = Outcome(ctx.module, kind.secret_keys | kind.write_only)
        before = dict({k: current.get(k) for k in wanted}, **before)
        after = dict(wanted, **{k: send[k] for k in changed})
        outcome.record(before, after, bool(changed))
        if send and not ctx.check_mode:
            body = dict(current)
            body.update(send)
            ctx.client.call("PUT", "config/%s/%s" % (kind.name, current.get("id", 1)), body=body,
                            expect=(200, 202))
        return outcome.result([ctx.client.http], changed_keys=changed)
