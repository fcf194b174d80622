"""The OpenAPI vocabulary: schema builders, the patterns of days, months, units and numbers, and the path and
query parameters, shared by the route table (``api/routes.py``) and the component schemas."""

from __future__ import annotations

from typing import Any

from ..domain.cases.case import Status
from ..domain.rules.rules import CATALOGUE
from ..domain.rules.rules import MATERIAL_CODE as MATERIAL_CODE_PATTERN

# --- small schema builders ---------------------------------------------------------------------


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.0 ``nullable``; an enum lists null too (OAS 3.0.3 clarification). A ``$ref`` cannot be
    made nullable in 3.0 (its siblings are ignored): pass the component's schema itself."""
    assert "$ref" not in schema, "3.0 ignores nullable beside a $ref: inline the schema"
    result = dict(schema, nullable=True)
    if "enum" in result:
        result["enum"] = [*result["enum"], None]
    return result


def text(max_length: int, description: str = "") -> dict[str, Any]:
    """A required text: at least one non-blank character (blank counts as missing)."""
    schema: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": r"\S"}
    return dict(schema, description=description) if description else schema


def enum(values: Any, description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "string",
        "enum": sorted(values) if isinstance(values, (set, frozenset)) else list(values),
    }
    return dict(schema, description=description) if description else schema


def codes(values: Any, description: str = "") -> dict[str, Any]:
    """A list of distinct codes out of ``values``."""
    schema: dict[str, Any] = {"type": "array", "items": enum(values), "uniqueItems": True}
    return dict(schema, description=description) if description else schema


def whole_numbers(low: int, high: int, description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "array",
        "uniqueItems": True,
        "items": {"type": "integer", "minimum": low, "maximum": high},
    }
    return dict(schema, description=description) if description else schema


def obj(
    properties: dict[str, Any], required: tuple[str, ...] = (), closed: bool = False, description: str = ""
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    return dict(schema, description=description) if description else schema


# --- patterns ----------------------------------------------------------------------------------

DATE = {
    "type": "string",
    "format": "date",
    "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
    "example": "2026-09-30",
    "description": "a date YYYY-MM-DD (ASCII digits, a real day)",
}
MONTH = {
    "type": "string",
    "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])$",
    "example": "2026-10",
    "description": "a month YYYY-MM",
}
MONTH_2000_2100 = dict(
    MONTH, pattern=r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", description="a month YYYY-MM of 2000..2100"
)
YEAR = {"type": "string", "pattern": r"^(20[0-9]{2}|2100)$", "example": "2026", "description": "a year 2000..2100"}
TOWNSHIP = {
    "type": "string",
    "pattern": r"^[0-9]{9}$",
    "example": "230102001",
    "description": "a 9-digit township/street unit (乡镇街道) under a current county (GB/T 2260)",
}
COMMITTEE = {
    "type": "string",
    "pattern": r"^[0-9]{12}$",
    "example": "230102001001",
    "description": "a 12-digit village or residents committee (村/居委会)",
}
ID_NUMBER = {
    "type": "string",
    "pattern": r"^[0-9]{17}[0-9Xx]$",
    "example": "230102198001011236",
    "description": "公民身份号码 (GB 11643): 18 characters, MOD 11-2 check character, a real birth date "
    "1900-01-01..today, an address code that existed in GB/T 2260",
}
AMOUNT = {
    "type": "string",
    "pattern": r"^[0-9]{1,6}(\.[0-9]{1,2})?$",
    "example": "99.00",
    "description": "yuan as a decimal string, above zero",
}
PERCENT = {
    "type": "string",
    "pattern": r"^[0-9]{1,3}(\.[0-9]{1,4})?$",
    "example": "30",
    "description": "per cent of the 低保 line, above zero and at most 100",
}
MATERIAL_CODE = {
    "type": "string",
    "pattern": f"^{MATERIAL_CODE_PATTERN.pattern}$",
    "example": "id_card",
    "description": "a material code: one of the catalogue's (" + ", ".join(kind.code for kind in CATALOGUE) + ") or a "
    "local item's that the 户籍地's list defines",
}


def scope_code(lengths: tuple[int, ...]) -> dict[str, Any]:
    """A division code of 2, 4 or 6 digits (省/市/县), or a 9-digit township unit."""
    alternatives = "|".join(f"[0-9]{{{n}}}" for n in lengths)
    names = {2: "province", 4: "city", 6: "county", 9: "township"}
    return {
        "type": "string",
        "pattern": f"^({alternatives})$",
        "example": "230102001"[: lengths[0]],
        "description": "a division code: " + " or ".join(f"{n} digits ({names[n]})" for n in lengths),
    }


# --- component schemas -------------------------------------------------------------------------


# --- path parameters ---------------------------------------------------------------------------

ID_TEXT = {"type": "string", "minLength": 1, "maxLength": 100}
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "case_id": dict(ID_TEXT, example="C20260924A1B2C3D4E5", description="the case id (C + date + 10 hex)"),
    "material_id": dict(ID_TEXT, example="0123456789abcdef", description="the material id"),
    "entitlement_id": dict(ID_TEXT, example="C20260924A1B2C3D4E5-living", description="<case id>-<subsidy>"),
    "proposal_id": dict(ID_TEXT, description="the proposal id"),
    "message_id": dict(
        ID_TEXT,
        example="C20260924A1B2C3D4E5-pushed",
        description="a milestone SMS: <case id>-<milestone>, as in the outbox message",
    ),
    "year": YEAR,
    "effective_from": dict(DATE, description="the day the rule takes effect; one in force never changes"),
    "month": MONTH_2000_2100,
    "unit": TOWNSHIP,
    "scope": scope_code((2, 4, 6)),
}

# --- query parameters --------------------------------------------------------------------------


def query(name: str, schema: dict[str, Any], description: str = "", required: bool = False) -> dict[str, Any]:
    parameter: dict[str, Any] = {"name": name, "in": "query", "required": required, "schema": schema}
    return dict(parameter, description=description) if description else parameter


BOOLEAN_TEXT = enum(["true", "false"])
WORKLIST_QUERY = (
    query("status", enum([s.value for s in Status]), "only cases in this status"),
    query("due_before", DATE, "only cases with an open deadline due before this day"),
    query("overdue", BOOLEAN_TEXT, "true: only cases with an open deadline already passed"),
    query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}),
    query("next_token", {"type": "string"}, "the next_token of the previous page"),
)

DELIVERY_QUERY = query(
    "delivery",
    enum(["inline", "link"]),
    "link: store the PDF under documents/<case>/ and answer a presigned GET {url, expires_in, "
    "sha256}; a PDF over 1 MB is always sent as a link",
)

# the query parameters of one route each (api/routes.py)
PROGRESS_PAGE_QUERY = (
    query("case", {"type": "string", "maxLength": 64}, "the case number (read by the page's script)"),
)
DEADLINE_QUERY = (
    query("start", DATE, "the day the deadline starts from (2000..2100)", required=True),
    query("working_days", {"type": "integer", "minimum": 1, "maximum": 250}, required=True),
)
RULES_QUERY = (
    query("on", DATE, "the day (default: today)"),
    query("agent", BOOLEAN_TEXT, "true: include the agent's materials"),
)
REVIEWS_QUERY = (
    query("limit", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 500}),
    query("next_token", {"type": "string"}),
)
AUDIT_QUERY = (
    query("unit", scope_code((2, 4, 6, 9)), "the unit or scope (default: the caller's unit)"),
    query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}, "cases verified in this page"),
    query("next_token", {"type": "string"}, "the next_token of the previous page"),
)
SETUP_GAPS_QUERY = (
    query("scope", scope_code((2, 4, 6)), "a province, city or county within the caller's unit (default: the "
          "caller's unit)"),
    query("on", DATE, "the day (default: today)"),
)
PROPOSALS_QUERY = (
    query("unit", scope_code((2, 4, 6, 9)), "the 业务属地 (default: the caller's unit)"),
    query("status", enum(["proposed", "confirmed", "rejected"])),
)
PAYROLL_QUERY = (query("stage", enum(["final", "draft"]), "default: final"),)
