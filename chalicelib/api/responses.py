"""The answers' schemas (OpenAPI components): what each route returns, and the error body."""
from __future__ import annotations

from typing import Any

from ..domain.cases.applications import SUBSIDY_TYPES
from ..domain.cases.case import Status
from ..domain.cases.messages import MILESTONES
from ..domain.cases.phases import DEADLINE_KINDS
from ..domain.payments.entitlements import STATUSES as ENTITLEMENT_STATUSES
from ..domain.rules.rules import STANDARD_LIST_NOTE
from ..domain.supervision.monitoring import OUTCOMES, RESULTS, REVIEW_METHODS
from .schema import (
    AMOUNT,
    COMMITTEE,
    DATE,
    MATERIAL_CODE,
    MONTH,
    TOWNSHIP,
    enum,
    nullable,
    obj,
    ref,
)

AUDIT_VERDICT = obj({
    "case_id": {"type": "string"}, "events": {"type": "integer"}, "valid": {"type": "boolean"},
    "first_broken_seq": nullable({"type": "integer"}), "reason": nullable({"type": "string"}),
    "head": {"type": "string"},
}, closed=True, required=("case_id", "events", "valid"))

# a sum of money (a unit's debts): yuan with two decimals, zero or more, no bound on the digits
TOTAL = dict(AMOUNT, pattern=r"^[0-9]+\.[0-9]{2}$", example="1234567.00",
             description="yuan as a decimal string with two decimals, zero or more")

RESPONSES: dict[str, Any] = {
    "Error": obj({
        "error": obj({
            "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$", "example": "MISSING_FIELD"},
            "message": {"type": "string", "example": "applicant.id_number is required"},
            "field": nullable({"type": "string", "example": "applicant.id_number"}),
        }, closed=True, required=("code", "message", "field")),
    }, closed=True, required=("error",),
        description="Every error: a stable UPPER_SNAKE code, a message, the field at fault"),

    # --- cases (domain/cases/applications.py) ---
    "Health": obj({"status": enum(["ok"]), "stage": {"type": "string"}}, required=("status", "stage")),
    "Deadline": obj({
        "kind": dict(enum(list(DEADLINE_KINDS)),
                     description="the phase table's (D0 收件时限, D1 推送, D2 审核, DS 补正, D3 告知)"),
        "starts_on": DATE, "working_days": {"type": "integer"},
        "due_on": DATE, "provisional": {"type": "boolean"}, "calendar_version": {"type": "string"},
        "state": enum(["open", "paused", "met", "overdue", "cancelled"], "as of today: open (past its due day it "
                      "reads overdue), paused while a 补正 is out, met or overdue once ended, cancelled by a "
                      "withdrawal"),
        "closed_on": nullable(DATE), "paused_on": nullable(DATE),
        "working_days_left": nullable({"type": "integer"}), "working_days_overdue": nullable({"type": "integer"}),
    }),
    "Case": obj({
        "case_id": {"type": "string"}, "status": enum([s.value for s in Status]),
        "accepting_unit": TOWNSHIP, "business_unit": TOWNSHIP,
        "scope": enum(["cross_province", "cross_city", "cross_county", "local"]),
        "applied_on": DATE, "materials": {"type": "array", "items": ref("Material")},
        "notice": ref("Notice"),  # the one-time notice: the same object on every answer
        "deadlines": {"type": "array", "items": ref("Deadline")},
        "decision": nullable({"type": "object", "description": (
            "the decision in force; a corrected one adds corrects, correction_reason, corrected_at, proposed_by "
            "and signed_off")}),
        "correction": dict(nullable(obj({
            "decision": {"type": "object", "description": "the corrected decision proposed, priced as a decision"},
            "reason": {"type": "string"}, "proposed_by": {"type": "string"}, "proposed_unit": {"type": "string"},
            "proposed_at": {"type": "string"},
            "at": {"type": "integer", "minimum": 0, "description": "the step of the case's chain it waits at"},
            "opinions": {"type": "array", "items": {"type": "object"}}})),
            description="纠错: a correction of the decision being signed off by the review chain; null when none"),
        "decisions_before": {"type": "array", "items": {"type": "object"},
                             "description": "the decisions a correction replaced, oldest first (replaced_at, "
                                            "replaced_because)"},
        "review": dict(nullable(obj({
            "version": {"type": "string", "description": "the province's chain kept at the push (<province>@<day>)"},
            "steps": {"type": "array", "items": obj({
                "label": {"type": "string"}, "role": enum(["reviewer", "dpf_reviewer", "approver"]),
                "level": enum(["township", "county"]), "publicity_days": nullable({"type": "integer"})})},
            "at": {"type": "integer", "minimum": 0}, "step": {"type": "string", "description": "who holds it now"},
            "since": DATE, "publicity_ends": nullable(DATE)})),
            description="the 业务属地's review chain and the step that holds the case; null before the push"),
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
        "source": {"type": "string", "example": "230102@2026-03-01",
                   "description": "the version of the list that put the item there as it is; standard: the "
                                  "standard catalogue (no list in force); empty on notices made before it was kept"},
    }),
    "Notice": obj({
        "materials": {"type": "array", "items": ref("NoticeItem")},
        "standard_list_used": {"type": "boolean", "description": "no list of the 户籍地 or above it was in force: "
                                                                 "the standard catalogue was told"},
        "standard_list_note": nullable({"type": "string", "example": STANDARD_LIST_NOTE,
                                        "description": "what the notice says when standard_list_used"}),
    }, required=("materials",), description="一次性告知: every item the 业务属地 requires of this applicant, once"),
    "SetupGaps": obj({
        "scope": {"type": "string"}, "on": DATE, "kind": enum(["materials"]),
        "counties": {"type": "integer", "minimum": 0, "description": "current counties (GB/T 2260) in the scope"},
        "gap_count": {"type": "integer", "minimum": 0},
        "gaps": {"type": "array", "items": obj({
            "county": {"type": "string", "pattern": "^[0-9]{6}$"}, "name": {"type": "string"},
            "place": {"type": "string"}}, required=("county", "name", "place"))},
        "notice_says": {"type": "string", "example": STANDARD_LIST_NOTE},
    }, required=("scope", "on", "kind", "counties", "gap_count", "gaps"),
        description="户籍地 with no list of materials of their own, their city's or their province's in force"),
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
        "recomputed": {"type": "integer", "minimum": 0,
                       "description": "PUT only, when the year was stored: how many cases' provisional deadlines "
                                      "were counted again"},
    }, required=("year", "holidays", "workdays", "source")),
    "RuleStored": obj({"scope": {"type": "string"}, "kind": {"type": "string"}},
                      required=("scope", "kind")),
    "RulesInForce": obj({
        "unit": TOWNSHIP, "on": DATE, "materials": {"type": "object"}, "eligibility": {"type": "object"},
        "amount_tables": {"type": "array", "items": {"type": "object"}},
        "contact": dict(obj({
            "unit": TOWNSHIP, "configured": {"type": "boolean"}, "unit_name": nullable({"type": "string"}),
            "phone": nullable({"type": "string"}), "scope": nullable({"type": "string"}),
            "effective_from": nullable(DATE)}, required=("unit", "configured", "unit_name", "phone")),
            description="who explains the standard; configured false is a set-up gap (the notice says no phone "
                        "is set up)"),
        "time_limits": obj({"materials_working_days": {"type": "integer", "minimum": 1},
                            "supplement_working_days": {"type": "integer", "minimum": 1}},
                           required=("materials_working_days", "supplement_working_days")),
    }, required=("unit", "on", "materials", "eligibility", "amount_tables", "contact", "time_limits")),
    "RosterLoaded": obj({
        "load_id": {"type": "string"}, "kind": {"type": "string"}, "rows": {"type": "integer"},
        "error_count": {"type": "integer"}, "already_loaded": {"type": "boolean"},
        "proposals": dict({"type": "integer"}, description="a certificate roster: the proposals of a recipient's "
                                                           "changed category or grade (残疾状态)"),
    }, required=("load_id", "kind", "already_loaded")),
    "Entitlement": obj({
        "entitlement_id": {"type": "string"}, "case_id": {"type": "string"}, "subsidy": enum(SUBSIDY_TYPES),
        "status": dict(enum([*ENTITLEMENT_STATUSES, "none"]), description="in force in as_of's month"),
        "as_of": MONTH, "monthly_amount": nullable(AMOUNT), "amount_basis": {"type": "string"},
        "start_month": MONTH, "released_from": nullable(MONTH),
        "committee_unit": dict(nullable(COMMITTEE), description="the committee set last (the approval's or the "
                                                                "latest change's): the lists from its month on"),
        "committee_in_force": dict(nullable(COMMITTEE), description="the committee whose list of as_of's month "
                                                                    "holds the recipient"),
        "allowed_moves": {"type": "array", "items": enum(["suspend", "stop", "resume"])},
        "history": {"type": "array", "items": {"type": "object"}}, "version": {"type": "integer"},
        "ledger": {"type": "object", "description": "owed, paid, due and over-paid, month by month"},
        "correction": {"type": "object", "description": "corrections only: owed (+) or overpaid (-)"},
        "recovery": {"type": "object", "description": "recoveries only: what the money settled"},
    }, required=("entitlement_id", "status", "ledger")),
    "Recoveries": obj({"business_unit": TOWNSHIP, "count": {"type": "integer"}, "total": TOTAL,
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
        "action": dict(enum(["stop", "suspend", "correct"]), description="correct: the facts new_facts (a "
                       "certificate roster's category and grade) from effective_month, the amount by the standard"),
        "effective_month": MONTH, "new_facts": nullable({"type": "string", "description": "JSON {category, grade}"}),
        "status": enum(["proposed", "confirmed", "rejected"]),
        "source": nullable(enum(["comparison", "self_report", "roster"])),
        "reporter": nullable(enum(["self", "family"])), "report_channel": nullable(enum(["public", "window"])),
    }, required=("proposal_id", "status")),
    "SurvivalCheckRecorded": obj({
        "entitlement_id": {"type": "string"},
        "check": obj({"method": {"type": "string"}, "on": DATE, "result": {"type": "string"},
                      "note": {"type": "string"}, "unit": {"type": "string"}},
                     required=("method", "on", "result", "note", "unit")),
        "recorded": dict({"type": "boolean"}, description="false: the same check was recorded before"),
    }, required=("entitlement_id", "check", "recorded")),
    "SelfReportReceived": obj({
        "case_id": {"type": "string"}, "change": {"type": "string"}, "received_on": DATE,
        "report_id": {"type": "string"},
    }, required=("case_id", "change", "received_on", "report_id"), closed=True,
        description="the report arrived; nothing of the entitlements or the proposals it made"),
    "SelfReportRecorded": obj({
        "case_id": {"type": "string"}, "change": {"type": "string"}, "received_on": DATE,
        "report_id": {"type": "string"}, "proposals": {"type": "integer"},
    }, required=("case_id", "change", "received_on", "report_id", "proposals")),
    "ProposalList": obj({"unit": {"type": "string"}, "side": enum(["business", "accepting"]),
                         "proposals": {"type": "array", "items": ref("Proposal")}},
                        required=("unit", "side", "proposals")),
    "Check": obj({
        "entitlement_id": {"type": "string"}, "committee_unit": COMMITTEE, "month": MONTH,
        "result": nullable(enum(RESULTS)), "note": nullable({"type": "string"}),
    }, required=("entitlement_id", "committee_unit", "month")),
    "CheckList": obj({"committee_unit": COMMITTEE, "month": MONTH,
                      "due_on": dict(DATE, description="from this day what is still unrecorded is reported to the "
                                     "township (the 25th)"),
                      "closes_on": dict(DATE, description="the month's last day: recordings close after it"),
                      "counts": {"type": "object"},
                      "checks": {"type": "array", "items": ref("Check")}},
                     required=("committee_unit", "month", "counts", "checks")),
    "ChangeList": obj({"business_unit": TOWNSHIP, "month": MONTH,
                       "changes": {"type": "array", "items": ref("Check")}},
                      required=("business_unit", "month", "changes")),
    "ReviewTask": obj({
        "entitlement_id": {"type": "string"}, "business_unit": TOWNSHIP, "year": {"type": "integer"},
        "status": enum(["open", "done"]), "outcome": nullable(enum(OUTCOMES)),
        "method": dict(nullable(enum(list(REVIEW_METHODS))), description="how the latest recording's review was made "
                       "(null: recorded before the method was asked)"),
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
        "next_token": nullable({"type": "string"}),
    }, required=("unit", "cases", "valid", "broken", "next_token"),
        description="one page: cases, valid, first_broken and broken are of this page's cases; next_token null after "
                    "the last page"),
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
    "SmsReceiptResult": obj({
        "message_id": {"type": "string"}, "milestone": enum(MILESTONES),
        "status": enum(["pending", "sent", "delivered", "failed", "skipped"]),
        "attempts": {"type": "integer"},
        "changed": {"type": "boolean", "description": "false: a receipt seen before, or one that changes nothing"},
    }, required=("message_id", "milestone", "status", "attempts", "changed"), closed=True),
}
