"""The request bodies' schemas (OpenAPI components), one per body a route reads.

They follow the readers in ``domain/applications.py``, ``domain/jurisdiction.py``, ``domain/amounts.py``,
``domain/monitoring.py``, ``domain/comparison.py`` and the services: required fields, types, enums, and the
patterns of dates, units and months. What a schema cannot say (cross-field rules, check digits, calendars) is in
the descriptions, and the API answers it with a 422."""
from __future__ import annotations

from typing import Any

from ..domain.amounts import AREAS, LOW_INCOME_TYPES
from ..domain.applications import (
    AGENT_RELATIONSHIPS,
    ALLOWED_CONTENT_TYPES,
    CIRCUMSTANCE_KEYS,
    NOTIFICATION_METHODS,
    SUBSIDY_TYPES,
)
from ..domain.comparison import KINDS as COMPARISON_KINDS
from ..domain.jurisdiction import EXCLUSION_KEYS
from ..domain.jurisdiction import LOW_INCOME_KEYS as LIVING_KEYS
from ..domain.monitoring import OUTCOMES, RESULTS
from ..domain.payments.entitlements import STATUSES as ENTITLEMENT_STATUSES
from ..domain.rosters import KINDS as ROSTER_KINDS
from ..domain.rules import CATALOGUE
from ..domain.sms_receipts import RECEIPT_STATUSES
from .schema import (
    AMOUNT,
    COMMITTEE,
    DATE,
    ID_NUMBER,
    MATERIAL_CODE,
    MONTH_2000_2100,
    PERCENT,
    TOWNSHIP,
    codes,
    enum,
    nullable,
    obj,
    ref,
    text,
    whole_numbers,
)

NOTE = nullable({"type": "string", "maxLength": 500})
AGENT = obj({
    "name": text(50),
    "id_number": dict(ID_NUMBER, description="the agent's 公民身份号码, not the applicant's"),
    "relationship": enum(AGENT_RELATIONSHIPS),
}, closed=True, required=("name", "id_number", "relationship"), description="委托办理: who files for the applicant")
LOW_INCOME = obj({key: {"type": "boolean"} for key in CIRCUMSTANCE_KEYS}, closed=True,
                 description="what the applicant declares; loaded rosters confirm or contradict it")

REQUESTS: dict[str, Any] = {
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
    "ProgressLookup": obj({
        "case_id": {"type": "string", "pattern": "^[A-Za-z0-9]{1,64}$", "example": "C20260924A1B2C3D4E5",
                    "description": "the case number on the receipt (受理编号)"},
        "id_suffix": {"type": "string", "pattern": "^[0-9]{5}[0-9Xx]$", "example": "011236",
                      "description": "the last six characters of the applicant's ID number"},
    }, required=("case_id", "id_suffix")),
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
}
