"""The OpenAPI 3.0.3 document of every route, generated from the route table (``api/routes.py``: paths, methods,
who may call, success status, bodies, answers, query parameters) and the components: the request bodies from
their pydantic models (``api/bodies.py``), the answers (``api/responses.py``). ``x-roles`` on each operation is the
route's row.

``python -m chalicelib.api.openapi`` writes it to ``api/openapi.json``, which ``GET /openapi.json`` serves as
stored (the running API needs neither pydantic nor the work of building it); tests/unit/test_openapi.py fails when
the stored file is not the generated one."""
from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from .bodies import MODELS
from .responses import RESPONSES
from .routes import ROUTES, Route
from .schema import PATH_PARAMETERS, ref

STORED = Path(__file__).with_name("openapi.json")
OPENAPI_VERSION = "3.0.3"
API_VERSION = "1.0.0"
ERROR_SCHEMA = "#/components/schemas/Error"

ERRORS: dict[int, tuple[str, str]] = {
    400: ("Malformed", "the request cannot be read: no body, not JSON, a missing field or a wrong type"),
    401: ("Unauthenticated", "no token, or a token that does not verify (TOKEN_MISSING, TOKEN_INVALID, ...)"),
    403: ("Forbidden", "the caller's role or unit does not reach this route, case or unit"),
    404: ("NotFound", "no such case, material, entitlement, proposal, check, task or calendar year"),
    409: ("Conflict", "the state does not allow it, a duplicate, or someone else changed it first"),
    413: ("TooLarge", "the body (256 KiB) or a declared material is too large"),
    415: ("UnsupportedMedia", "a body that is not application/json (UNSUPPORTED_MEDIA_TYPE)"),
    422: ("Invalid", "valid JSON whose meaning is wrong: the code and field say which rule"),
    429: ("TooManyRequests", "a limit against guessing was reached (TOO_MANY_LOOKUPS, CASE_LOCKED); the "
                             "Retry-After header gives the seconds to wait"),
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "pattern": r'^"?[A-Za-z0-9_\-:.]{8,128}"?$', "example": "3f6c2a1e-7d0b-4f4e-9a51"},
    "description": "one key per user action: a repeat of a finished action gets its first answer "
                   "(Idempotent-Replayed: true) and changes nothing; bare or as the IETF draft's quoted form",
}
_PATH_VARIABLE = re.compile(r"{([^}]+)}")
RESOURCE_IDS = frozenset({"case_id", "material_id", "entitlement_id", "proposal_id", "message_id"})
TAGS = ("cases", "calendar", "rules", "data", "entitlements", "supervision", "payroll", "audit", "progress", "meta")


def error_statuses(route: Route) -> list[int]:
    """The error statuses an operation declares: 401/403/422 on every guarded route; 400 and 413 where a
    body is read; 404 where the path names a resource; 409 on every change; plus the route's own."""
    if route.public:
        return sorted(route.errors)
    statuses = {401, 403, 422, *route.errors}
    if route.body or route.method in ("POST", "PUT"):  # a body, or an Idempotency-Key, may be malformed
        statuses |= {400}
    if route.body:
        statuses |= {413}
    if RESOURCE_IDS & set(_PATH_VARIABLE.findall(route.path)):
        statuses.add(404)
    if route.method != "GET":
        statuses |= {409, 415}
    return sorted(statuses)


def _success(route: Route) -> dict[str, Any]:
    if route.html:
        content: dict[str, Any] = {"text/html": {"schema": {"type": "string"}}}
    else:
        content = {"application/json": {"schema": ref(route.response or "")}}
    if route.pdf:  # the same content as a PDF when the request accepts it
        content["application/pdf"] = {"schema": {"type": "string", "format": "binary"}}
    return {"description": "success", "content": content}


def _operation(route: Route) -> dict[str, Any]:
    roles = sorted(route.roles)
    operation: dict[str, Any] = {
        "operationId": route.operation,
        "summary": route.summary,
        "description": f"Who: {'anyone, no token' if route.public else ', '.join(roles)}.",
        "tags": [route.tag],
        "x-roles": roles,
        "parameters": [
            {"name": name, "in": "path", "required": True,
             "schema": route.params.get(name, PATH_PARAMETERS[name])}
            for name in _PATH_VARIABLE.findall(route.path)
        ] + list(route.query) + ([IDEMPOTENCY_KEY] if route.method in ("POST", "PUT") and not route.public else []),
        "responses": {str(route.status): _success(route)},
    }
    if route.public:
        operation["security"] = []
    if route.body:
        operation["requestBody"] = {"required": route.body_required,
                                    "content": {"application/json": {"schema": ref(route.body)}}}
    for code in error_statuses(route):
        operation["responses"][str(code)] = {"$ref": f"#/components/responses/{ERRORS[code][0]}"}
    return operation


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.0.3 document, built from the route table and the components."""
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "残疾人两项补贴 跨省通办 API",
            "version": API_VERSION,
            "description": "Cross-province handling of the two disability subsidies. JSON in and out, UTF-8; "
                           "dates YYYY-MM-DD, money in yuan as decimal strings. Every request but GET /health "
                           "and GET /openapi.json carries Authorization: Bearer <JWT> (claims sub, name, role, "
                           "unit). Errors are {\"error\": {\"code\", \"message\", \"field\"}}; never a 500 for "
                           "bad input. Request bodies list every field the API reads (additionalProperties: false): "
                           "rule bodies refuse any other field, the others ignore it.",
        },
        "tags": [{"name": name} for name in TAGS],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": {**body_components(), **copy.deepcopy(RESPONSES)},
            "responses": {
                name: {"description": f"{code}: {meaning}",
                       "content": {"application/json": {"schema": {"$ref": ERROR_SCHEMA}}}}
                for code, (name, meaning) in ERRORS.items()
            },
        },
    }


# --- the request bodies' components, from their models ------------------------------------------------------

class _OpenApi30(GenerateJsonSchema):
    """pydantic writes JSON Schema 2020-12; OpenAPI 3.0 wants ``nullable`` rather than a null type, no titles."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def body_components() -> dict[str, Any]:
    """The request bodies' component schemas, OpenAPI 3.0.3, generated from the models."""
    from pydantic.json_schema import models_json_schema

    _, generated = models_json_schema([(model, "validation") for model in MODELS],
                                      ref_template="#/components/schemas/{model}", schema_generator=_OpenApi30)
    return {name: _openapi30(schema, generated["$defs"]) for name, schema in generated["$defs"].items()}


def _openapi30(schema: Any, defs: dict[str, Any]) -> Any:
    if isinstance(schema, list):
        return [_openapi30(item, defs) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {key: value for key, value in schema.items() if key not in ("title", "default")}
    options = schema.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options and len(options) == 2:
        inner = next(option for option in options if option != {"type": "null"})
        if "$ref" in inner:  # 3.0 ignores nullable beside a $ref: the component's schema itself
            inner = defs[inner["$ref"].rsplit("/", 1)[1]]
        merged = {**_openapi30(inner, defs), **{k: v for k, v in schema.items() if k != "anyOf"}, "nullable": True}
        if "enum" in merged:
            merged["enum"] = [*merged["enum"], None]
        return _openapi30(merged, defs) if "anyOf" in merged else merged
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
    return {key: _openapi30(value, defs) for key, value in schema.items()}


def stored_text() -> str:
    """The document as ``api/openapi.json`` holds it: UTF-8 JSON, Chinese as is, keys in order, one newline."""
    return json.dumps(document(), ensure_ascii=False, indent=1) + "\n"


if __name__ == "__main__":
    STORED.write_text(stored_text(), encoding="utf-8")
    sys.stdout.write(f"wrote {STORED}\n")
