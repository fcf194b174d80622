"""The OpenAPI 3.0.3 document of every route in ``app.py`` (served at ``GET /openapi.json``).

Data-driven: ``ROUTES`` holds one dict per route (method, path, success status, summary, body,
query, response), ``SCHEMAS`` the shared component schemas. The request body schemas follow the
readers in ``domain/applications.py``, ``domain/jurisdiction.py``, ``domain/amounts.py``,
``domain/monitoring.py``, ``domain/comparison.py`` and the services: required fields, types,
enums, and the patterns of dates, units and months. What a schema cannot say (cross-field rules,
check digits, calendars) is in the descriptions, and the API answers it with a 422.

Who may call a route comes from ``domain.access.ROUTE_RULES`` (the same table the routes use),
shown as ``x-roles`` on each operation.
"""
from __future__ import annotations

import copy
import re
from typing import Any

from .domain.access import ROUTE_RULES
from .domain.amounts import AREAS, LOW_INCOME_TYPES
from .domain.applications import (
    AGENT_RELATIONSHIPS,
    ALLOWED_CONTENT_TYPES,
    CIRCUMSTANCE_KEYS,
    NOTIFICATION_METHODS,
    SUBSIDY_TYPES,
)
from .domain.case import Status
from .domain.comparison import KINDS as COMPARISON_KINDS
from .domain.jurisdiction import EXCLUSION_KEYS
from .domain.jurisdiction import LOW_INCOME_KEYS as LIVING_KEYS
from .domain.messages import MILESTONES
from .domain.monitoring import OUTCOMES, RESULTS
from .domain.payments.entitlements import STATUSES as ENTITLEMENT_STATUSES
from .domain.rosters import KINDS as ROSTER_KINDS
from .domain.rules import CATALOGUE
from .domain.sms_receipts import RECEIPT_STATUSES

OPENAPI_VERSION = "3.0.3"
API_VERSION = "1.0.0"
ERROR_SCHEMA = "#/components/schemas/Error"

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
    schema: dict[str, Any] = {"type": "string", "enum": sorted(values) if isinstance(values, (set, frozenset))
                              else list(values)}
    return dict(schema, description=description) if description else schema


def codes(values: Any, description: str = "") -> dict[str, Any]:
    """A list of distinct codes out of ``values``."""
    schema: dict[str, Any] = {"type": "array", "items": enum(values), "uniqueItems": True}
    return dict(schema, description=description) if description else schema


def whole_numbers(low: int, high: int, description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "uniqueItems": True,
                              "items": {"type": "integer", "minimum": low, "maximum": high}}
    return dict(schema, description=description) if description else schema


def obj(properties: dict[str, Any], required: tuple[str, ...] = (), closed: bool = False,
        description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    return dict(schema, description=description) if description else schema


# --- patterns ----------------------------------------------------------------------------------

DATE = {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        "example": "2026-09-30", "description": "a date YYYY-MM-DD (ASCII digits, a real day)"}
MONTH = {"type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])$", "example": "2026-10",
         "description": "a month YYYY-MM"}
MONTH_2000_2100 = dict(MONTH, pattern=r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$",
                       description="a month YYYY-MM of 2000..2100")
YEAR = {"type": "string", "pattern": r"^(20[0-9]{2}|2100)$", "example": "2026", "description": "a year 2000..2100"}
TOWNSHIP = {"type": "string", "pattern": r"^[0-9]{9}$", "example": "230102001",
            "description": "a 9-digit township/street unit (乡镇街道) under a current county (GB/T 2260)"}
COMMITTEE = {"type": "string", "pattern": r"^[0-9]{12}$", "example": "230102001001",
             "description": "a 12-digit village or residents committee (村/居委会)"}
ID_NUMBER = {"type": "string", "pattern": r"^[0-9]{17}[0-9Xx]$", "example": "230102198001011236",
             "description": "公民身份号码 (GB 11643): 18 characters, MOD 11-2 check character, a real birth date "
                            "1900-01-01..today, an address code that existed in GB/T 2260"}
AMOUNT = {"type": "string", "pattern": r"^[0-9]{1,6}(\.[0-9]{1,2})?$", "example": "99.00",
          "description": "yuan as a decimal string, above zero"}
PERCENT = {"type": "string", "pattern": r"^[0-9]{1,3}(\.[0-9]{1,4})?$", "example": "30",
           "description": "per cent of the 低保 line, above zero and at most 100"}
MATERIAL_CODE = enum([kind.code for kind in CATALOGUE], "a material code of the catalogue")


def scope_code(lengths: tuple[int, ...]) -> dict[str, Any]:
    """A division code of 2, 4 or 6 digits (省/市/县), or a 9-digit township unit."""
    alternatives = "|".join(f"[0-9]{{{n}}}" for n in lengths)
    names = {2: "province", 4: "city", 6: "county", 9: "township"}
    return {"type": "string", "pattern": f"^({alternatives})$", "example": "230102001"[: lengths[0]],
            "description": "a division code: " + " or ".join(f"{n} digits ({names[n]})" for n in lengths)}


# --- component schemas -------------------------------------------------------------------------

NOTE = nullable({"type": "string", "maxLength": 500})
AGENT = obj({
    "name": text(50),
    "id_number": dict(ID_NUMBER, description="the agent's 公民身份号码, not the applicant's"),
    "relationship": enum(AGENT_RELATIONSHIPS),
}, closed=True, required=("name", "id_number", "relationship"), description="委托办理: who files for the applicant")
LOW_INCOME = obj({key: {"type": "boolean"} for key in CIRCUMSTANCE_KEYS}, closed=True,
                 description="what the applicant declares; loaded rosters confirm or contradict it")
AUDIT_VERDICT = obj({
    "case_id": {"type": "string"}, "events": {"type": "integer"}, "valid": {"type": "boolean"},
    "first_broken_seq": nullable({"type": "integer"}), "reason": nullable({"type": "string"}),
    "head": {"type": "string"},
}, closed=True, required=("case_id", "events", "valid"))

SCHEMAS: dict[str, Any] = {
    "Error": obj({
        "error": obj({
            "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$", "example": "MISSING_FIELD"},
            "message": {"type": "string", "example": "applicant.id_number is required"},
            "field": nullable({"type": "string", "example": "applicant.id_number"}),
        }, closed=True, required=("code", "message", "field")),
    }, closed=True, required=("error",),
        description="Every error: a stable UPPER_SNAKE code, a message, the field at fault"),

    # --- cases (domain/applications.py) ---
    "Applicant": obj({
        "name": text(50),
        "id_number": ID_NUMBER,
        "phone": nullable({"type": "string", "maxLength": 20,
                           "pattern": r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$", "example": "13800000000"}),
        "hukou_unit": dict(TOWNSHIP, description="户籍地: the 9-digit 业务属地 unit"),
        "hukou_address": nullable({"type": "string", "maxLength": 200}),
        "area": nullable(enum(AREAS, "城市 or 农村, where the 业务属地 grades its standard by it")),
        "committee_unit": nullable(dict(COMMITTEE, description="the committee that checks the recipient each "
                                                               "month; must lie within hukou_unit")),
        "bank_account": nullable(obj({
            "bank": text(60, "开户银行 or 信用社 and branch"),
            "number": {"type": "string", "maxLength": 40, "pattern": r"^[0-9][0-9 -]{6,38}[0-9]$",
                       "description": "8 to 30 digits once spaces and hyphens are dropped"},
        }, closed=True, required=("bank", "number"), description="where the subsidy is paid (社会化发放)")),
    }, closed=True, required=("name", "id_number", "hukou_unit")),
    "Certificate": obj({
        "number": {"type": "string", "pattern": r"^[0-9]{17}[0-9Xx][1-7][1-4]$",
                   "example": "23010219800101123641",
                   "description": "残疾人证号: the holder's 18-character ID number, category 1-7, grade 1-4"},
        "valid_until": dict(DATE, description="有效期至 YYYY-MM-DD, not in the past", example="2031-05-01"),
    }, closed=True, required=("number", "valid_until")),
    "Agent": AGENT,
    "LowIncome": LOW_INCOME,
    "Application": obj({
        "applicant": ref("Applicant"),
        "certificate": ref("Certificate"),
        "subsidies": {"type": "array", "minItems": 1, "maxItems": len(SUBSIDY_TYPES), "uniqueItems": True,
                      "items": enum(SUBSIDY_TYPES)},
        "agent": nullable(AGENT),
        "low_income": nullable(LOW_INCOME),
    }, closed=True, required=("applicant", "certificate", "subsidies"),
        description="受理: the accepting unit is the caller's; the 业务属地 is applicant.hukou_unit"),
    "MaterialDeclaration": obj({
        "code": MATERIAL_CODE,
        "filename": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"^[^/\\.\s][^/\\]*$",
                     "description": "a plain file name: no slash or backslash, not starting with a dot"},
        "content_type": enum(ALLOWED_CONTENT_TYPES),
        "size": {"type": "integer", "minimum": 1, "description": "bytes; above the configured maximum: 413"},
        "sha256": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"},
    }, closed=True, required=("code", "filename", "content_type", "size", "sha256")),
    "GrantedSubsidy": obj({
        "type": enum(SUBSIDY_TYPES, "one of the subsidies the applicant applied for"),
        "monthly_amount": nullable(dict(AMOUNT, description="left out where the 业务属地 has an amount table "
                                                            "(computed then), checked against it when given")),
    }, closed=True, required=("type",)),
    "Decision": {
        "description": "资格认定: an approval grants at least one subsidy; a rejection grants none and gives a "
                       "reason. Approving against a failed rule check needs override_reason.",
        "oneOf": [
            obj({"outcome": enum(["approved"]),
                 "subsidies": {"type": "array", "minItems": 1, "maxItems": len(SUBSIDY_TYPES),
                               "items": ref("GrantedSubsidy")},
                 "reason": nullable({"type": "string", "maxLength": 1000}),
                 "override_reason": nullable({"type": "string", "maxLength": 1000})},
                closed=True, required=("outcome", "subsidies")),
            obj({"outcome": enum(["rejected"]),
                 "subsidies": {"type": "array", "maxItems": 0, "items": ref("GrantedSubsidy")},
                 "reason": text(1000),
                 "override_reason": nullable({"type": "string", "maxLength": 1000})},
                closed=True, required=("outcome", "reason")),
        ],
    },
    "Notification": obj({"method": enum(NOTIFICATION_METHODS), "note": NOTE}, closed=True, required=("method",)),
    "Withdrawal": obj({"reason": text(500)}, closed=True, required=("reason",)),
    "SupplementRequest": obj({
        "items": {"type": "array", "minItems": 1, "maxItems": 20, "items": obj({
            "code": nullable(MATERIAL_CODE),
            "description": text(300),
        }, closed=True, required=("description",))},
        "note": NOTE,
    }, closed=True, required=("items",), description="补正: what the 业务属地 still needs; D2 pauses"),
    "Supplement": obj({"note": NOTE}, closed=True, description="the supplement was sent; the body may be left out"),

    # --- calendar (services/calendar.py) ---
    "CalendarYearLoad": obj({
        "holidays": {"type": "array", "uniqueItems": True, "items": DATE,
                     "description": "rest days of the year (all within {year})"},
        "workdays": {"type": "array", "uniqueItems": True, "items": DATE,
                     "description": "make-up working days (调休上班): weekends of {year}, none also a holiday"},
        "source": text(300, "the 国务院办公厅 notice, e.g. 国办发明电〔2026〕x号"),
    }, closed=True, required=("holidays", "workdays", "source")),

    # --- jurisdiction rules (domain/jurisdiction.py, domain/amounts.py, domain/comparison.py) ---
    "MaterialRule": obj({
        "require": codes([kind.code for kind in CATALOGUE], "province only: the full list (at least one)"),
        "add": codes([kind.code for kind in CATALOGUE], "city or county only"),
        "drop": codes([kind.code for kind in CATALOGUE], "city or county only; none also in add or optional"),
        "optional": codes([kind.code for kind in CATALOGUE], "codes marked not required"),
    }, closed=True, description="a province (2-digit scope) sends require (and optional); a city or county "
                                "(4 or 6 digits) sends add, drop, optional"),
    "NursingExtension": obj({
        "categories": dict(whole_numbers(1, 7), minItems=1),
        "grades": dict(whole_numbers(1, 4), minItems=1),
    }, required=("categories", "grades"), closed=True),
    "EligibilityRule": obj({
        "living_requires_any": codes(LIVING_KEYS, "must include dibao (国发〔2015〕52号)"),
        "nursing_grades": whole_numbers(1, 4, "must include 1 and 2 (国发〔2015〕52号)"),
        "nursing_extensions": {"type": "array", "items": ref("NursingExtension")},
        "excludes_both": codes(EXCLUSION_KEYS),
        "excludes_living": codes(EXCLUSION_KEYS, "none also in excludes_both"),
    }, closed=True, description="each field optional: the national default where absent"),
    "AmountRow": obj({
        "subsidy": enum(SUBSIDY_TYPES),
        "effective_from": DATE,
        "effective_to": nullable(dict(DATE, description="not before effective_from")),
        "amount": nullable(AMOUNT),
        "percent_of_dibao_line": nullable(PERCENT),
        "grades": nullable(whole_numbers(1, 4)),
        "categories": nullable(whole_numbers(1, 7)),
        "low_income": nullable(enum(LOW_INCOME_TYPES)),
        "area": nullable(enum(AREAS)),
        "min_age": nullable({"type": "integer", "minimum": 0, "maximum": 150}),
        "max_age": nullable({"type": "integer", "minimum": 0, "maximum": 150, "description": "not below min_age"}),
    }, required=("subsidy", "effective_from"), closed=True,
        description="exactly one of amount, percent_of_dibao_line; empty or null conditions mean any"),
    "DibaoLine": obj({
        "effective_from": DATE,
        "effective_to": nullable(DATE),
        "area": nullable(enum(AREAS)),
        "monthly": AMOUNT,
    }, required=("effective_from", "monthly"), closed=True),
    "AmountTable": obj({
        "rows": {"type": "array", "minItems": 1, "items": ref("AmountRow")},
        "dibao_lines": nullable({"type": "array", "items": ref("DibaoLine")}),
    }, required=("rows",), closed=True, description="no two rows for one person on one day, no gaps"),
    "ComparisonRule": obj({kind: {"type": "integer", "enum": [0, 1]} for kind in COMPARISON_KINDS}, closed=True,
                          description="per kind: 0 = from the event's month, 1 = from the month after the event"),

    # --- rosters, comparisons, entitlements, proposals (services) ---
    "RosterLoad": obj({
        "kind": enum(ROSTER_KINDS),
        "key": {"type": "string", "pattern": "^rosters/.+", "description": "an object under rosters/"},
    }, closed=True, required=("kind", "key")),
    "ComparisonRun": obj({
        "kind": enum(COMPARISON_KINDS),
        "key": {"type": "string", "pattern": "^comparisons/.+", "description": "an object under comparisons/"},
    }, closed=True, required=("kind", "key")),
    "EntitlementStatusChange": obj({
        "action": enum(["suspend", "stop", "resume"]),
        "effective_month": dict(MONTH_2000_2100, description="not before the month payment started"),
        "reason": text(1000),
    }, closed=True, required=("action", "effective_month", "reason")),
    "EntitlementCorrection": obj({
        "effective_month": MONTH_2000_2100,
        "monthly_amount": nullable(dict(AMOUNT, description="a stated amount from effective_month on")),
        "pricing": nullable(enum(["table", "stated"], "table: priced by the amount table again")),
        "status": nullable(enum(ENTITLEMENT_STATUSES)),
        "facts": nullable(obj({
            "category": {"type": "integer", "minimum": 1, "maximum": 7},
            "grade": {"type": "integer", "minimum": 1, "maximum": 4},
            "low_income": nullable(enum(["dibao", "dibao_edge"])), "area": nullable(enum(AREAS)),
        }, closed=True, description="the facts the standard depends on, from effective_month on")),
        "reason": text(1000),
        "paid_through": dict(MONTH_2000_2100, description="show the difference through this month (default: this "
                                                          "month)"),
    }, closed=True, required=("effective_month", "reason"),
        description="纠错: give status, monthly_amount, pricing or facts (any together)"),
    "RecoveryRecording": obj({
        "amount": {"type": "string", "pattern": r"^[0-9]{1,7}(\.[0-9]{1,2})?$", "example": "90.00"},
        "received_on": DATE, "reason": text(500, "what the money is and how it came back"),
    }, closed=True, required=("amount", "received_on", "reason")),
    "RosterFinalization": obj({"draft_sha256": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$",
                                                "description": "the sha256 of the draft that was checked"}},
                              closed=True, required=("draft_sha256",)),
    "PaymentSetting": obj({"roster_id_number": enum(["masked", "full"], "what the roster shows of the ID number")},
                          closed=True, required=("roster_id_number",)),
    "ProposalDecision": obj({"note": text(1000, "what was checked")}, closed=True, required=("note",)),
    "CheckRecording": obj({"result": enum(RESULTS), "note": NOTE}, closed=True, required=("result",),
                          description="a result other than present needs a note"),
    "ReviewRecording": obj({"outcome": enum(OUTCOMES), "note": NOTE}, closed=True, required=("outcome",),
                           description="change_needed needs a note"),

    # --- responses ---
    "Health": obj({"status": enum(["ok"]), "stage": {"type": "string"}}, required=("status", "stage")),
    "Deadline": obj({
        "kind": enum(["push", "review", "notify"]), "starts_on": DATE, "working_days": {"type": "integer"},
        "due_on": DATE, "state": enum(["open", "met", "overdue"]), "provisional": {"type": "boolean"},
    }),
    "Case": obj({
        "case_id": {"type": "string"}, "status": enum([s.value for s in Status]),
        "accepting_unit": TOWNSHIP, "business_unit": TOWNSHIP,
        "scope": enum(["cross_province", "cross_city", "cross_county", "local"]),
        "applied_on": DATE, "materials": {"type": "array", "items": ref("Material")},
        "notice": ref("Notice"),  # the one-time notice: the same object on every answer
        "deadlines": {"type": "array", "items": ref("Deadline")},
        "decision": nullable({"type": "object"}),
        "timeline": {"type": "array", "items": {"type": "object"}},
        "rule_checks": {"type": "array", "items": ref("RuleCheck"),
                        "description": "eligibility per requested subsidy under the 业务属地's rule on the application day"},
    }, required=("case_id", "status", "accepting_unit", "business_unit", "scope")),
    "RuleCheck": obj({
        "subsidy": enum(list(SUBSIDY_TYPES)), "eligible": {"type": "boolean"},
        "result": dict(enum(["met", "not_met", "contradicted"]), description=(
            "met; not_met (the application itself fails); contradicted (the application would pass, the "
            "roster data of data_checks does not). eligible is true only for met; approving against "
            "not_met or contradicted needs override_reason")),
        "basis": {"type": "array", "description": "the facts the check used: from a roster load or claimed",
                  "items": obj({"fact": {"type": "string"}, "basis": enum(["roster", "claim"]),
                                "agrees": nullable({"type": "boolean"}), "source": nullable({"type": "string"}),
                                "load_id": nullable({"type": "string"}), "loaded_at": nullable({"type": "string"}),
                                "detail": {"type": "string"}})},
        "reasons": {"type": "array", "items": {"type": "string"}, "description": "the rules applied (English)"},
        "reasons_zh": {"type": "array", "items": {"type": "string"},
                       "description": "the same reasons in Chinese, one for one, for the console"},
        "rule_version": {"type": "string", "example": "23@2026-01-01"},
    }, required=("subsidy", "eligible", "reasons", "reasons_zh", "rule_version")),
    "NoticeItem": obj({
        "code": MATERIAL_CODE, "name": {"type": "string"}, "required": {"type": "boolean"},
        "waived": {"type": "boolean"}, "waiver": nullable({"type": "string"}), "purpose": {"type": "string"},
    }),
    "Notice": obj({"materials": {"type": "array", "items": ref("NoticeItem")}}, required=("materials",),
                  description="一次性告知: every item the 业务属地 requires of this applicant, once"),
    "AcceptedCase": {"allOf": [ref("Case"), obj({"notice": ref("Notice")}, required=("notice",))]},
    "Material": obj({
        "material_id": {"type": "string"}, "code": MATERIAL_CODE,
        "status": enum(["registered", "received", "rejected"]),
    }),
    "MaterialRegistered": obj({
        "material_id": {"type": "string"}, "code": MATERIAL_CODE, "status": {"type": "string"},
        "upload": obj({"url": {"type": "string"}, "fields": {"type": "object"}}, required=("url", "fields"),
                      description="a presigned POST for exactly the declared size and type"),
    }, required=("material_id", "upload")),
    "Worklist": obj({"cases": {"type": "array", "items": ref("Case")},
                     "next_token": nullable({"type": "string"})}, required=("cases", "next_token")),
    "DeadlineAnswer": obj({
        "start": DATE, "working_days": {"type": "integer"}, "due_on": DATE, "provisional": {"type": "boolean"},
        "calendar_version": {"type": "string"}, "counting": {"type": "string"},
    }, required=("due_on", "provisional")),
    "CalendarYear": obj({
        "year": {"type": "integer"}, "origin": enum(["loaded", "library"]),
        "holidays": {"type": "array", "items": DATE}, "workdays": {"type": "array", "items": DATE},
        "source": {"type": "string"}, "loaded_by": nullable({"type": "string"}),
        "loaded_at": nullable({"type": "string"}),
        "recomputed": {"type": "object", "description": "PUT only: provisional deadlines recomputed"},
    }, required=("year", "holidays", "workdays", "source")),
    "RuleStored": obj({"scope": {"type": "string"}, "kind": {"type": "string"}},
                      required=("scope", "kind")),
    "RulesInForce": obj({
        "unit": TOWNSHIP, "on": DATE, "materials": {"type": "object"}, "eligibility": {"type": "object"},
        "amount_tables": {"type": "array", "items": {"type": "object"}},
    }, required=("unit", "on", "materials", "eligibility", "amount_tables")),
    "RosterLoaded": obj({
        "load_id": {"type": "string"}, "kind": {"type": "string"}, "rows": {"type": "integer"},
        "error_count": {"type": "integer"}, "already_loaded": {"type": "boolean"},
    }, required=("load_id", "kind", "already_loaded")),
    "Entitlement": obj({
        "entitlement_id": {"type": "string"}, "case_id": {"type": "string"}, "subsidy": enum(SUBSIDY_TYPES),
        "status": dict(enum([*ENTITLEMENT_STATUSES, "none"]), description="in force in as_of's month"),
        "as_of": MONTH, "monthly_amount": nullable(AMOUNT), "amount_basis": {"type": "string"},
        "start_month": MONTH, "released_from": nullable(MONTH),
        "allowed_moves": {"type": "array", "items": enum(["suspend", "stop", "resume"])},
        "history": {"type": "array", "items": {"type": "object"}}, "version": {"type": "integer"},
        "ledger": {"type": "object", "description": "owed, paid, due and over-paid, month by month"},
        "correction": {"type": "object", "description": "corrections only: owed (+) or overpaid (-)"},
        "recovery": {"type": "object", "description": "recoveries only: what the money settled"},
    }, required=("entitlement_id", "status", "ledger")),
    "Recoveries": obj({"business_unit": TOWNSHIP, "count": {"type": "integer"}, "total": AMOUNT,
                       "debts": {"type": "array", "items": {"type": "object"}}},
                      required=("business_unit", "count", "total", "debts")),
    "PayrollList": obj({"business_unit": TOWNSHIP, "rosters": {"type": "array", "items": {"type": "object"}}},
                       required=("business_unit", "rosters")),
    "ComparisonResult": obj({
        "load_id": {"type": "string"}, "kind": {"type": "string"}, "already_done": {"type": "boolean"},
        "rows": {"type": "integer"}, "errors": {"type": "integer"}, "proposals": {"type": "integer"},
    }, required=("load_id", "kind", "already_done")),
    "Proposal": obj({
        "proposal_id": {"type": "string"}, "entitlement_id": {"type": "string"}, "kind": {"type": "string"},
        "action": enum(["stop", "suspend"]), "effective_month": MONTH,
        "status": enum(["proposed", "confirmed", "rejected"]),
    }, required=("proposal_id", "status")),
    "ProposalList": obj({"unit": {"type": "string"}, "side": enum(["business", "accepting"]),
                         "proposals": {"type": "array", "items": ref("Proposal")}},
                        required=("unit", "side", "proposals")),
    "Check": obj({
        "entitlement_id": {"type": "string"}, "committee_unit": COMMITTEE, "month": MONTH,
        "result": nullable(enum(RESULTS)), "note": nullable({"type": "string"}),
    }, required=("entitlement_id", "committee_unit", "month")),
    "CheckList": obj({"committee_unit": COMMITTEE, "month": MONTH, "counts": {"type": "object"},
                      "checks": {"type": "array", "items": ref("Check")}},
                     required=("committee_unit", "month", "counts", "checks")),
    "ChangeList": obj({"business_unit": TOWNSHIP, "month": MONTH,
                       "changes": {"type": "array", "items": ref("Check")}},
                      required=("business_unit", "month", "changes")),
    "ReviewTask": obj({
        "entitlement_id": {"type": "string"}, "business_unit": TOWNSHIP, "year": {"type": "integer"},
        "status": enum(["open", "done"]), "outcome": nullable(enum(OUTCOMES)),
    }, required=("entitlement_id", "status")),
    "ReviewList": obj({"business_unit": TOWNSHIP, "year": {"type": "integer"},
                       "tasks": {"type": "array", "items": ref("ReviewTask")},
                       "next_token": nullable({"type": "string"})},
                      required=("business_unit", "year", "tasks", "next_token")),
    "PayrollRoster": obj({
        "business_unit": TOWNSHIP, "month": MONTH, "status": enum(["draft", "finalized"]),
        "key": {"type": "string"}, "sha256": {"type": "string"}, "lines": {"type": "integer"},
        "totals": {"type": "object"}, "held": {"type": "array", "items": {"type": "object"}},
        "missing_accounts": {"type": "integer"}, "download_url": {"type": "string"},
        "finalized_at": {"type": "string"}, "finalized_by": {"type": "string"},
    }, required=("business_unit", "month", "status", "key", "sha256", "lines", "download_url")),
    "MaterialDownload": obj({
        "material_id": {"type": "string"}, "code": MATERIAL_CODE, "status": enum(["received"]),
        "filename": {"type": "string"}, "content_type": {"type": "string"},
        "download": obj({"url": {"type": "string"}, "expires_in": {"type": "integer"}}, required=("url",),
                        description="a presigned GET of the checked object version, inline"),
    }, required=("material_id", "download")),
    "Identity": obj({
        "case_id": {"type": "string"},
        "applicant": obj({"name": {"type": "string"}, "id_number": {"type": "string"},
                          "phone": nullable({"type": "string"})}),
        "agent": nullable(obj({"name": {"type": "string"}, "id_number": {"type": "string"}})),
    }, required=("case_id", "applicant", "agent")),
    "AuditVerdict": AUDIT_VERDICT,
    "AuditOfUnit": obj({
        "unit": {"type": "string"}, "cases": {"type": "integer"}, "valid": {"type": "boolean"},
        "first_broken": nullable(AUDIT_VERDICT), "broken": {"type": "integer"},
    }, required=("unit", "cases", "valid", "broken")),
    "OpenAPIDocument": {"type": "object", "description": "this document"},
    "DocumentLink": obj({"url": {"type": "string"}, "expires_in": {"type": "integer"},
                         "sha256": {"type": "string"}, "size": {"type": "integer"}, "filename": {"type": "string"},
                         "missing_characters": {"type": "integer"}},
                        required=("url", "expires_in", "sha256"), description="a presigned GET of the stored PDF"),
    "Document": obj({"document": enum(["notice", "receipt", "result_notice"]), "case_id": {"type": "string"},
                     "title": {"type": "string"}, "issuer": {"type": "string"}, "issued_at": {"type": "string"},
                     "version": {"type": "integer"}, "filename": {"type": "string"},
                     "blocks": {"type": "array", "items": {"type": "object", "description":
                                "rows | table | heading | paragraph | qr, as the PDF prints them"}}},
                    required=("document", "case_id", "title", "blocks")),
    "DocumentOrLink": {"anyOf": [ref("Document"), ref("DocumentLink")]},
    "NoticeOrLink": {"anyOf": [ref("Notice"), ref("DocumentLink")]},
    "ProgressLookup": obj({
        "case_id": {"type": "string", "pattern": "^[A-Za-z0-9]{1,64}$", "example": "C20260924A1B2C3D4E5",
                    "description": "the case number on the receipt (受理编号)"},
        "id_suffix": {"type": "string", "pattern": "^[0-9]{5}[0-9Xx]$", "example": "011236",
                      "description": "the last six characters of the applicant's ID number"},
    }, required=("case_id", "id_suffix")),
    "Progress": obj({
        "case_id": {"type": "string"},
        "status": obj({"code": enum([s.value for s in Status]), "label": {"type": "string"}},
                      required=("code", "label"), closed=True),
        "milestones": {"type": "array", "items": obj({
            "code": enum(["accepted", "pushed", "supplement_requested", "supplement_sent", "decided", "notified",
                          "withdrawn"]),
            "label": {"type": "string"}, "on": DATE,
            "outcome": obj({"code": enum(["approved", "rejected"]), "label": {"type": "string"}},
                           required=("code", "label"), closed=True),
        }, required=("code", "label", "on"), closed=True)},
    }, required=("case_id", "status", "milestones"), closed=True,
        description="the status and the dated milestones, nothing more (no names, amounts, reasons or numbers)"),
    "SmsReceipt": obj({
        "status": enum(RECEIPT_STATUSES),
        "at": {"type": "string", "format": "date-time", "example": "2026-09-24T10:00:05+08:00",
               "description": "when the gateway saw the outcome, with its offset"},
        "error_code": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{1,64}$",
                       "description": "the gateway's or carrier's code for a failure"},
        "attempt": {"type": "integer", "minimum": 1,
                    "description": "the outbox message's attempt number (default: the message's latest attempt)"},
    }, required=("status", "at"), closed=True,
        description="a delivery receipt from the province's SMS gateway for one outbox message"),
    "SmsReceiptResult": obj({
        "message_id": {"type": "string"}, "milestone": enum(MILESTONES),
        "status": enum(["pending", "sent", "delivered", "failed", "skipped"]),
        "attempts": {"type": "integer"},
        "changed": {"type": "boolean", "description": "false: a receipt seen before, or one that changes nothing"},
    }, required=("message_id", "milestone", "status", "attempts", "changed"), closed=True),
}

# --- errors ------------------------------------------------------------------------------------

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

# --- path parameters ---------------------------------------------------------------------------

ID_TEXT = {"type": "string", "minLength": 1, "maxLength": 100}
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "case_id": dict(ID_TEXT, example="C20260924A1B2C3D4E5", description="the case id (C + date + 10 hex)"),
    "material_id": dict(ID_TEXT, example="0123456789abcdef", description="the material id"),
    "entitlement_id": dict(ID_TEXT, example="C20260924A1B2C3D4E5-living", description="<case id>-<subsidy>"),
    "proposal_id": dict(ID_TEXT, description="the proposal id"),
    "message_id": dict(ID_TEXT, example="C20260924A1B2C3D4E5-pushed",
                       description="a milestone SMS: <case id>-<milestone>, as in the outbox message"),
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
WORKLIST_QUERY = [
    query("status", enum([s.value for s in Status]), "only cases in this status"),
    query("due_before", DATE, "only cases with an open deadline due before this day"),
    query("overdue", BOOLEAN_TEXT, "true: only cases with an open deadline already passed"),
    query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}),
    query("next_token", {"type": "string"}, "the next_token of the previous page"),
]

DELIVERY_QUERY = query("delivery", enum(["inline", "link"]),
                       "link: store the PDF under documents/<case>/ and answer a presigned GET {url, expires_in, "
                       "sha256}; a PDF over 1 MB is always sent as a link")

# --- the routes --------------------------------------------------------------------------------
# One dict per route: method, path, operation (the handler's name in app.py), status, summary,
# body (a component name), query, response (a component name), params (path parameter schemas
# that differ from PATH_PARAMETERS), public, errors (extra error statuses beyond the defaults).

ROUTES: list[dict[str, Any]] = [
    {"method": "GET", "path": "/health", "operation": "health", "public": True, "response": "Health",
     "summary": "Liveness and the stage", "tags": ["meta"]},
    {"method": "GET", "path": "/openapi.json", "operation": "openapi_document", "public": True,
     "response": "OpenAPIDocument", "summary": "This OpenAPI document", "tags": ["meta"]},
    {"method": "GET", "path": "/progress", "operation": "progress_page", "public": True, "html": True,
     "query": [query("case", {"type": "string", "maxLength": 64}, "the case number (read by the page's script)")],
     "summary": "进度查询: the page the receipt's QR code opens (a form asking for the ID suffix)",
     "tags": ["progress"]},
    {"method": "POST", "path": "/progress", "operation": "progress_lookup", "public": True,
     "body": "ProgressLookup", "response": "Progress", "errors": [400, 404, 413, 415, 429],
     "summary": "进度查询: the status and dated milestones of a case, with its number and the ID number's last six "
                "characters; a wrong suffix and an unknown case give the same 404; limited per client and per case "
                "(429 with Retry-After)", "tags": ["progress"]},

    {"method": "POST", "path": "/cases", "operation": "accept_case", "status": 201, "body": "Application",
     "response": "AcceptedCase", "summary": "受理: accept an application; the case and its one-time notice",
     "tags": ["cases"]},
    {"method": "GET", "path": "/cases", "operation": "list_cases", "query": WORKLIST_QUERY, "response": "Worklist",
     "summary": "The caller's worklist, nearest deadline first", "tags": ["cases"]},
    {"method": "GET", "path": "/cases/{case_id}", "operation": "get_case", "response": "Case",
     "summary": "The case, its materials, deadlines, timeline, clock and rule checks", "tags": ["cases"]},
    {"method": "GET", "path": "/cases/{case_id}/notice", "operation": "get_notice", "response": "NoticeOrLink",
     "pdf": True, "query": [DELIVERY_QUERY],
     "summary": "The one-time notice (一次性告知): JSON, or the A4 PDF with Accept: application/pdf",
     "tags": ["cases"]},
    {"method": "GET", "path": "/cases/{case_id}/receipt", "operation": "get_receipt", "response": "DocumentOrLink",
     "pdf": True, "query": [DELIVERY_QUERY],
     "summary": "受理回执: case number, dates, 业务属地, statutory timetable, progress QR code (PDF with Accept)",
     "tags": ["cases"]},
    {"method": "GET", "path": "/cases/{case_id}/result-notice", "operation": "get_result_notice",
     "response": "DocumentOrLink", "pdf": True, "query": [DELIVERY_QUERY], "errors": [409],
     "summary": "结果通知书 (outcome, subsidies, amounts, start month; a refusal's reason and remedies); "
                "409 RESULT_NOT_DECIDED before the decision", "tags": ["cases"]},
    {"method": "POST", "path": "/cases/{case_id}/materials", "operation": "add_material", "status": 201,
     "body": "MaterialDeclaration", "response": "MaterialRegistered",
     "summary": "Register one material; a presigned POST for its bytes", "tags": ["cases"]},
    {"method": "POST", "path": "/cases/{case_id}/materials/{material_id}/confirm", "operation": "confirm_material",
     "response": "Material", "summary": "Check the stored bytes (size, type, checksum): received or 422",
     "tags": ["cases"]},
    {"method": "POST", "path": "/cases/{case_id}/complete", "operation": "complete", "response": "Case",
     "summary": "申请材料收齐: materials complete, starts D1", "tags": ["cases"]},
    {"method": "POST", "path": "/cases/{case_id}/push", "operation": "push", "response": "Case",
     "summary": "推送 to the 业务属地: ends D1, starts D2", "tags": ["cases"]},
    {"method": "POST", "path": "/cases/{case_id}/decision", "operation": "decide", "body": "Decision",
     "response": "Case", "summary": "资格认定: ends D2, returns the result, starts D3", "tags": ["cases"]},
    {"method": "POST", "path": "/cases/{case_id}/notification", "operation": "notify", "body": "Notification",
     "response": "Case", "summary": "The applicant was told the result: ends D3, closes the case",
     "tags": ["cases"]},
    {"method": "POST", "path": "/cases/{case_id}/withdraw", "operation": "withdraw", "body": "Withdrawal",
     "response": "Case", "summary": "The applicant withdraws", "tags": ["cases"]},
    {"method": "POST", "path": "/cases/{case_id}/supplement-request", "operation": "request_supplement",
     "body": "SupplementRequest", "response": "Case", "summary": "补正: ask for more materials; D2 pauses",
     "tags": ["cases"]},
    {"method": "POST", "path": "/cases/{case_id}/supplement", "operation": "send_supplement",
     "body": "Supplement", "body_required": False, "response": "Case",
     "summary": "The supplement was sent; D2 resumes with the days left", "tags": ["cases"]},

    {"method": "GET", "path": "/calendar/deadline", "operation": "calendar_deadline", "response": "DeadlineAnswer",
     "query": [query("start", DATE, "the day the deadline starts from (2000..2100)", required=True),
               query("working_days", {"type": "integer", "minimum": 1, "maximum": 250}, required=True)],
     "errors": [400], "summary": "The due day of N working days from start (statutory count)",
     "tags": ["calendar"]},
    {"method": "GET", "path": "/calendar/{year}", "operation": "calendar_year", "response": "CalendarYear",
     "errors": [404], "summary": "The year's holidays and make-up working days, and their source",
     "tags": ["calendar"]},
    {"method": "PUT", "path": "/calendar/{year}", "operation": "load_calendar_year", "body": "CalendarYearLoad",
     "response": "CalendarYear", "summary": "Load a year from the 国务院办公厅 notice; a conflict is refused",
     "tags": ["calendar"]},

    {"method": "PUT", "path": "/rules/{scope}/materials/{effective_from}", "operation": "put_material_rule",
     "body": "MaterialRule", "response": "RuleStored", "summary": "Material rule of a province, city or county",
     "tags": ["rules"]},
    {"method": "PUT", "path": "/rules/{scope}/eligibility/{effective_from}", "operation": "put_eligibility_rule",
     "body": "EligibilityRule", "response": "RuleStored", "params": {"scope": scope_code((2,))},
     "summary": "Eligibility rule of a province", "tags": ["rules"]},
    {"method": "PUT", "path": "/rules/{scope}/amounts", "operation": "put_amount_table", "body": "AmountTable",
     "response": "RuleStored", "params": {"scope": scope_code((2, 4))},
     "summary": "The whole amount table of a province or city", "tags": ["rules"]},
    {"method": "GET", "path": "/rules/{scope}", "operation": "rules_in_force", "response": "RulesInForce",
     "params": {"scope": scope_code((9,))},
     "query": [query("on", DATE, "the day (default: today)"),
               query("agent", BOOLEAN_TEXT, "true: include the agent's materials")],
     "summary": "What a 业务属地 (a 9-digit unit in the scope position) requires and pays on a day",
     "tags": ["rules"]},
    {"method": "PUT", "path": "/rules/{scope}/comparison/{effective_from}", "operation": "put_comparison_rule",
     "body": "ComparisonRule", "response": "RuleStored", "params": {"scope": scope_code((2,))},
     "summary": "A province's effective months for stops found by data comparison", "tags": ["rules"]},

    {"method": "POST", "path": "/rosters", "operation": "load_roster", "status": 201, "body": "RosterLoad",
     "response": "RosterLoaded", "errors": [404],
     "summary": "Index an authoritative roster put under rosters/ in the materials bucket", "tags": ["data"]},
    {"method": "POST", "path": "/comparisons", "operation": "run_comparison", "status": 201,
     "body": "ComparisonRun", "response": "ComparisonResult", "errors": [404],
     "summary": "Run the monthly data comparison on a file under comparisons/", "tags": ["data"]},
    {"method": "GET", "path": "/proposals", "operation": "list_proposals", "response": "ProposalList",
     "query": [query("unit", scope_code((2, 4, 6, 9)), "the 业务属地 (default: the caller's unit)"),
               query("status", enum(["proposed", "confirmed", "rejected"]))],
     "summary": "Proposals from data comparison of a 业务属地, or the outcome for a window's cases",
     "tags": ["data"]},
    {"method": "POST", "path": "/proposals/{proposal_id}/confirm", "operation": "confirm_proposal",
     "body": "ProposalDecision", "response": "Proposal",
     "summary": "Confirm a proposal: the entitlement stops or is suspended", "tags": ["data"]},
    {"method": "POST", "path": "/proposals/{proposal_id}/reject", "operation": "reject_proposal",
     "body": "ProposalDecision", "response": "Proposal", "summary": "Reject a proposal", "tags": ["data"]},

    {"method": "GET", "path": "/entitlements/{entitlement_id}", "operation": "get_entitlement",
     "response": "Entitlement", "summary": "An entitlement: status, amount and history", "tags": ["entitlements"]},
    {"method": "POST", "path": "/entitlements/{entitlement_id}/status", "operation": "change_entitlement",
     "body": "EntitlementStatusChange", "response": "Entitlement",
     "summary": "Suspend, stop or resume (应退则退, the reason kept)", "tags": ["entitlements"]},
    {"method": "POST", "path": "/entitlements/{entitlement_id}/correction", "operation": "correct_entitlement",
     "body": "EntitlementCorrection", "response": "Entitlement",
     "summary": "纠错: owed or overpaid computed", "tags": ["entitlements"]},

    {"method": "GET", "path": "/checks/{unit}/{month}", "operation": "list_checks", "response": "CheckList",
     "params": {"unit": COMMITTEE}, "summary": "A committee's monthly 查询登记 list", "tags": ["supervision"]},
    {"method": "GET", "path": "/checks/{unit}/{month}/changes", "operation": "list_check_changes",
     "response": "ChangeList", "summary": "A township's non-present results of the month (proposals only)",
     "tags": ["supervision"]},
    {"method": "POST", "path": "/checks/{unit}/{month}/{entitlement_id}", "operation": "record_check",
     "body": "CheckRecording", "response": "Check", "params": {"unit": COMMITTEE},
     "summary": "The committee records one check (until the month ends)", "tags": ["supervision"]},
    {"method": "GET", "path": "/reviews/{unit}/{year}", "operation": "list_reviews", "response": "ReviewList",
     "query": [query("limit", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 500}),
               query("next_token", {"type": "string"})],
     "summary": "A township's yearly review tasks (定期复核), a page at a time", "tags": ["supervision"]},
    {"method": "POST", "path": "/reviews/{unit}/{year}/{entitlement_id}", "operation": "record_review",
     "body": "ReviewRecording", "response": "ReviewTask", "summary": "Record the yearly review of a recipient",
     "tags": ["supervision"]},

    {"method": "GET", "path": "/cases/{case_id}/materials/{material_id}", "operation": "open_material",
     "response": "MaterialDownload", "errors": [409],
     "summary": "A received material as a short-lived presigned GET (shown in the console); the opening is recorded",
     "tags": ["cases"]},
    {"method": "GET", "path": "/cases/{case_id}/identity", "operation": "read_identity", "response": "Identity",
     "errors": [409], "summary": "Full ID and phone numbers (masked everywhere else); the read is recorded",
     "tags": ["cases"]},
    {"method": "GET", "path": "/cases/{case_id}/audit", "operation": "verify_case_chain",
     "response": "AuditVerdict", "summary": "Check the case's hash-chained timeline; the first broken link",
     "tags": ["audit"]},
    {"method": "GET", "path": "/audit", "operation": "verify_unit_chains", "response": "AuditOfUnit",
     "query": [query("unit", scope_code((2, 4, 6, 9)), "the unit or scope (default: the caller's unit)")],
     "summary": "Verify the timelines of every case of a unit or scope", "tags": ["audit"]},

    {"method": "POST", "path": "/payroll/{unit}/{month}", "operation": "build_payroll", "status": 201,
     "response": "PayrollRoster", "params": {"unit": TOWNSHIP},
     "summary": "发放名册, drafted: owed − paid through the month per entitlement, as CSV in S3 (free to rebuild)",
     "tags": ["payroll"]},
    {"method": "POST", "path": "/payroll/{unit}/{month}/finalize", "operation": "finalize_payroll",
     "body": "RosterFinalization", "response": "PayrollRoster", "params": {"unit": TOWNSHIP},
     "summary": "Finalize the roster as drafted: written into the payment ledger; refused twice", "tags": ["payroll"]},
    {"method": "GET", "path": "/payroll/{unit}/{month}", "operation": "download_payroll", "response": "PayrollRoster",
     "params": {"unit": TOWNSHIP}, "query": [query("stage", enum(["final", "draft"]), "default: final")],
     "summary": "A roster and a 15-minute link to its file; each download is recorded", "tags": ["payroll"]},
    {"method": "GET", "path": "/payroll/{unit}", "operation": "list_payrolls", "response": "PayrollList",
     "params": {"unit": TOWNSHIP}, "summary": "The 业务属地's rosters, drafted and finalized", "tags": ["payroll"]},
    {"method": "GET", "path": "/recoveries/{unit}", "operation": "list_recoveries", "response": "Recoveries",
     "params": {"unit": TOWNSHIP}, "summary": "应退则退: recipients paid more than is owed, for recovery (追回)",
     "tags": ["payroll"]},
    {"method": "POST", "path": "/entitlements/{entitlement_id}/recoveries", "operation": "record_recovery",
     "status": 201, "body": "RecoveryRecording", "response": "Entitlement",
     "summary": "追回: money recovered settles the over-paid months, oldest first", "tags": ["entitlements"]},
    {"method": "PUT", "path": "/rules/{scope}/payment/{effective_from}", "operation": "put_payment_setting",
     "body": "PaymentSetting", "response": "RuleStored", "params": {"scope": scope_code((2,))},
     "summary": "A province's payment setting: what the roster shows of the ID number", "tags": ["rules"]},
    {"method": "POST", "path": "/messages/{message_id}/receipt", "operation": "sms_receipt", "body": "SmsReceipt",
     "response": "SmsReceiptResult", "tags": ["progress"],
     "summary": "短信回执: the province's SMS gateway reports a milestone SMS delivered (on the timeline) or failed "
                "(retried, then reported); the same receipt twice changes nothing"},
]

_PATH_VARIABLE = re.compile(r"{([^}]+)}")
RESOURCE_IDS = frozenset({"case_id", "material_id", "entitlement_id", "proposal_id", "message_id"})


def error_statuses(route: dict[str, Any]) -> list[int]:
    """The error statuses an operation declares: 401/403/422 on every guarded route; 400 and 413 where a
    body is read; 404 where the path names a resource; 409 on every change; plus the route's own."""
    if route.get("public"):
        return sorted(route.get("errors", ()))
    statuses = {401, 403, 422, *route.get("errors", ())}
    if route.get("body"):
        statuses |= {400, 413}
    if RESOURCE_IDS & set(_PATH_VARIABLE.findall(route["path"])):
        statuses.add(404)
    if route["method"] != "GET":
        statuses |= {409, 415}
    return sorted(statuses)


def _operation(route: dict[str, Any]) -> dict[str, Any]:
    status = str(route.get("status", 200))
    roles = sorted(ROUTE_RULES[f"{route['method']} {route['path']}"].roles) if not route.get("public") else []
    who = "anyone, no token" if route.get("public") else ", ".join(roles)
    operation: dict[str, Any] = {
        "operationId": route["operation"],
        "summary": route["summary"],
        "description": f"Who: {who}.",
        "tags": route.get("tags", []),
        "x-roles": roles,
        "parameters": [
            {"name": name, "in": "path", "required": True,
             "schema": route.get("params", {}).get(name, PATH_PARAMETERS[name])}
            for name in _PATH_VARIABLE.findall(route["path"])
        ] + list(route.get("query", [])),
        "responses": {status: {"description": "success", "content": (
            {"text/html": {"schema": {"type": "string"}}} if route.get("html")
            else {"application/json": {"schema": ref(route["response"])}})}},
    }
    if route.get("pdf"):  # the same content as a PDF when the request accepts it
        operation["responses"][status]["content"]["application/pdf"] = {"schema": {"type": "string",
                                                                                   "format": "binary"}}
    if route.get("public"):
        operation["security"] = []
    if route.get("body"):
        operation["requestBody"] = {"required": route.get("body_required", True),
                                    "content": {"application/json": {"schema": ref(route["body"])}}}
    for code in error_statuses(route):
        operation["responses"][str(code)] = {"$ref": f"#/components/responses/{ERRORS[code][0]}"}
    return operation


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.0.3 document, built from ``ROUTES`` and ``SCHEMAS``."""
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route["path"], {})[route["method"].lower()] = _operation(route)
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
        "tags": [{"name": name} for name in
                 ("cases", "calendar", "rules", "data", "entitlements", "supervision", "payroll", "audit", "progress",
                  "meta")],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": copy.deepcopy(SCHEMAS),
            "responses": {
                name: {"description": f"{code}: {meaning}",
                       "content": {"application/json": {"schema": {"$ref": ERROR_SCHEMA}}}}
                for code, (name, meaning) in ERRORS.items()
            },
        },
    }
