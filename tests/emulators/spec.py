"""The official OpenAPI documents of Radarr, Prowlarr, Jellyfin and Seerr (JSON or YAML), read at run time, as
request and response checkers.

The documents are never copied into this repository: they are found in $MEDIASTACK_SPECS_DIR, else in
<repo>/../shared/specs. openapi-core checks every exchange against them.
"""
from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.validation.request.validators import V30RequestBodyValidator, V30RequestParametersValidator
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPECS_ENV = "MEDIASTACK_SPECS_DIR"
SPEC_FILES = {"radarr": "radarr-v3.openapi.json", "prowlarr": "prowlarr-v1.openapi.json",
              "jellyfin": "jellyfin.openapi.json", "seerr": "seerr.openapi.yml"}
Query = Mapping[str, str] | list[tuple[str, str]]
REPO = Path(__file__).resolve().parents[2]
# Swashbuckle documents list "200" only; the *arr apps answer 201 (create) and 202 (update) with the same body.
DOCUMENTED_AS_200 = (200, 201, 202)
MAX_DETAILS = 5
_DOCUMENT = "urn:mediastack:openapi-document"


class SpecMissing(FileNotFoundError):
    """The OpenAPI document an emulator checks against is not where it is looked for."""


class SpecViolation(AssertionError):
    """Requests or responses that broke the official OpenAPI document (one message per failure)."""

    def __init__(self, app: str, violations: list[str]) -> None:
        self.violations = list(violations)
        listed = "\n  ".join(violations)
        super().__init__(f"{app} emulator: {len(violations)} OpenAPI violation(s):\n  {listed}")


def specs_dir() -> Path:
    return Path(os.environ.get(SPECS_ENV) or REPO.parent / "shared" / "specs")


@dataclass
class _Request:
    """An exchange as openapi-core's Request protocol wants it."""

    host_url: str
    path: str
    method: str
    body: bytes | None
    content_type: str
    parameters: RequestParameters


@dataclass
class _Response:
    status_code: int
    data: bytes | None
    content_type: str
    headers: Headers = field(default_factory=Headers)


@dataclass(frozen=True)
class RequestCheck:
    """What the document says about one request: the failures, and whether the body would not deserialize."""

    problems: list[str]
    body_unreadable: bool


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in seen:
        seen.append(link)
        yield link
        link = link.__cause__ or link.__context__


def _schema_errors(exc: BaseException) -> list[Any]:
    return next((list(link.schema_errors) for link in _chain(exc) if getattr(link, "schema_errors", None)), [])


def describe(exc: BaseException) -> str:
    """One line per failure: the JSON path and the schema's complaint, else the chain of causes."""
    details = _schema_errors(exc)
    if details:
        shown = "; ".join(f"{e.json_path}: {e.message}" for e in details[:MAX_DETAILS])
        more = f" (and {len(details) - MAX_DETAILS} more)" if len(details) > MAX_DETAILS else ""
        return f"{type(exc).__name__}: {shown}{more}"
    causes = " / ".join(str(link) for link in _chain(exc))
    return f"{type(exc).__name__}: {causes}"


class SpecValidator:
    """Checks requests and responses of one app against its OpenAPI document."""

    def __init__(self, path: Path) -> None:
        self.path = path
        text = path.read_text(encoding="utf-8")
        self.document: dict[str, Any] = yaml.safe_load(text) if path.suffix in (".yml", ".yaml") else json.loads(text)
        # The documents have a path parameter the spec validator rejects, so the document itself is not checked.
        self._api = OpenAPI.from_dict(self.document, config=Config(spec_validator_cls=None))
        # The security check is separate: anonymous and Bearer requests are legal but not in the document.
        self._unsecured = (V30RequestParametersValidator(self._api.spec), V30RequestBodyValidator(self._api.spec))
        self._lock = threading.Lock()
        self._registry = Registry().with_resource(_DOCUMENT, Resource.from_contents(self.document, DRAFT4))

    @staticmethod
    def _request(method: str, path: str, query: Query, headers: Mapping[str, str], body: bytes,
                 content_type: str) -> _Request:
        pairs = list(query.items()) if isinstance(query, Mapping) else list(query)
        cookies = SimpleCookie(dict(headers).get("Cookie") or "")
        parameters = RequestParameters(query=ImmutableMultiDict(pairs), header=Headers(dict(headers)),
                                       cookie=ImmutableMultiDict([(k, m.value) for k, m in cookies.items()]))
        return _Request("http://localhost", path, method.lower(), body or None, content_type.lower(), parameters)

    def check_request(self, method: str, path: str, query: Query, headers: Mapping[str, str],
                      body: bytes, content_type: str, check_security: bool) -> RequestCheck:
        request = self._request(method, path, query, headers, body, content_type)
        with self._lock:
            if check_security:
                errors = list(self._api.request_validator.iter_errors(request))
            else:
                errors = [e for validator in self._unsecured for e in validator.iter_errors(request)]
        problems = list(dict.fromkeys(describe(e) for e in errors))
        unreadable = any(e.validator == "type" for exc in errors for e in _schema_errors(exc))
        return RequestCheck(problems, unreadable)

    def check_response(self, method: str, path: str, query: Mapping[str, str], status: int, body: bytes,
                       content_type: str) -> list[str]:
        if status not in DOCUMENTED_AS_200:
            return []
        request = self._request(method, path, query, {}, b"", "")
        with self._lock:
            # Documented with its own status (Seerr's 201), else as 200 (Swashbuckle).
            errors = list(self._api.response_validator.iter_errors(
                request, _Response(status, body or None, content_type.lower())))
            if status != 200 and any(isinstance(e, ResponseNotFound) for e in errors):
                errors = list(self._api.response_validator.iter_errors(
                    request, _Response(200, body or None, content_type.lower())))
        return list(dict.fromkeys(describe(e) for e in errors))

    def check_component(self, schema: str, body: bytes, request: bool) -> list[str]:
        """Check a JSON body against a component schema, for operations the document types only loosely
        (Jellyfin's /System/Configuration/{key}: "any" in, "binary string" out). A request may not carry a
        readOnly property, a response not a writeOnly one."""
        try:
            data = json.loads(body)
        except ValueError as exc:
            return [f"not JSON: {exc}"]
        validator_cls = OAS30WriteValidator if request else OAS30ReadValidator
        validator = validator_cls({"$ref": f"{_DOCUMENT}#/components/schemas/{schema}"}, registry=self._registry)
        errors = sorted(validator.iter_errors(data), key=lambda e: e.json_path)
        return [f"{schema}: {e.json_path}: {e.message}" for e in errors[:MAX_DETAILS]]

    def zero_values(self, schema: str) -> dict[str, Any]:
        """What .NET gives each property of a resource left out of a JSON body: false, 0, the first enum
        member; None (skipped when saving) for strings and other nullables."""
        schemas = self.document["components"]["schemas"]
        zeros: dict[str, Any] = {}
        for name, prop in schemas[schema]["properties"].items():
            if "$ref" in prop:
                enum = schemas[prop["$ref"].rsplit("/", 1)[-1]].get("enum")
                zeros[name] = enum[0] if enum else None
            else:
                zeros[name] = {"boolean": False, "integer": 0, "number": 0}.get(prop.get("type", ""))
        return zeros


class NoDocument:
    """The checker of an app that publishes no OpenAPI document (Profilarr): no check finds anything; such an
    emulator checks its answers itself."""

    def check_request(self, *args: Any, **kwargs: Any) -> RequestCheck:
        return RequestCheck([], False)

    def check_response(self, *args: Any, **kwargs: Any) -> list[str]:
        return []

    def check_component(self, *args: Any, **kwargs: Any) -> list[str]:
        return []


@functools.cache
def _load(path: Path) -> SpecValidator:
    return SpecValidator(path)


def load_spec_validator(app: str, directory: Path | None = None) -> SpecValidator:
    """The checker for app ("radarr", "prowlarr", "jellyfin" or "seerr"); SpecMissing names the file and how to
    point at it."""
    path = (directory or specs_dir()) / SPEC_FILES[app]
    if not path.is_file():
        raise SpecMissing(f"OpenAPI document for the {app} emulator not found: {path} "
                          f"(set {SPECS_ENV} to the directory holding {SPEC_FILES[app]})")
    return _load(path.resolve())
