"""The route table: every route's method and path, its handler, who may call it and on what reach, its request
and response schemas, its success status and what the OpenAPI document says of it — one row per route.

The Chalice routes (``api/pipeline.handles``), the access rules (``ROUTE_RULES``, deny by default) and the
OpenAPI document (``api/openapi.py``) all come from this table; ``tests/unit/test_route_table.py`` checks that
every row has exactly one handler and every handler a row.

Reach (``roles``): for each role allowed, the relation its unit must have — to the case named in the path
(``accepting``: the 受理地's window, ``business``: the 业务属地 once pushed, ``in_scope``: a supervisor or gateway
over either side; ``domain/access.py``), or ``township`` (a 9-digit unit) or ``any``. Routes on entitlements,
payrolls, checks and reviews are ``any`` here and the service checks the unit on the resource it reads.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msgspec import Struct, field

from ..domain.access import CASE_READERS, CHAIN_HOLDERS, STAFF_ROLES
from .schema import (
    AUDIT_QUERY,
    COMMITTEE,
    DEADLINE_QUERY,
    DELIVERY_QUERY,
    PAYROLL_QUERY,
    PROGRESS_PAGE_QUERY,
    PROPOSALS_QUERY,
    REVIEWS_QUERY,
    RULES_QUERY,
    SETUP_GAPS_QUERY,
    TOWNSHIP,
    WORKLIST_QUERY,
    scope_code,
)

PUBLIC: Mapping[str, str] = {}  # no token: the public routes
STAFF: Mapping[str, str] = {role: "any" for role in sorted(STAFF_ROLES)}


class Route(Struct, frozen=True):
    key: str  # "METHOD /path"
    operation: str  # the handler's name (operationId)
    roles: Mapping[str, str]  # role -> relation; empty: public, no token
    summary: str
    tag: str
    status: int = 200
    body: str | None = None  # the request body's component
    body_required: bool = True
    response: str | None = None  # the answer's component
    query: tuple[dict[str, Any], ...] = ()
    params: Mapping[str, dict[str, Any]] = field(default_factory=dict)  # path parameters unlike api/schema's
    errors: tuple[int, ...] = ()  # error statuses beyond the defaults (api/openapi.error_statuses)
    pdf: bool = False  # also answers application/pdf
    html: bool = False  # answers text/html

    @property
    def method(self) -> str:
        return self.key.split(" ", 1)[0]

    @property
    def path(self) -> str:
        return self.key.split(" ", 1)[1]

    @property
    def public(self) -> bool:
        return not self.roles


ROUTES: tuple[Route, ...] = (
    # --- public: health, this document, 进度查询 (the applicant's progress, no token) ------------------------------------
    Route("GET /health", "health", PUBLIC, response="Health", tag="meta", summary="Liveness and the stage"),
    Route("GET /openapi.json", "openapi_document", PUBLIC, response="OpenAPIDocument", tag="meta",
        summary="This OpenAPI document"),
    Route("GET /progress", "progress_page", PUBLIC,
          query=PROGRESS_PAGE_QUERY,
          html=True, tag="progress", summary="进度查询: the page the receipt's QR code opens (a form asking for the ID "
                "suffix)"),
    Route("POST /progress", "progress_lookup", PUBLIC, body="ProgressLookup", response="Progress",
          errors=(400, 404, 413, 415, 429), tag="progress", summary="进度查询: the status and dated milestones of a case, "
                "with its number and the ID number's last six characters; a wrong suffix and an unknown case give the same "
                "404; limited per client and per case (429 with Retry-After)"),
    Route("POST /progress/report", "progress_report", PUBLIC, status=202, body="SelfReport",
          response="SelfReportReceived", errors=(400, 404, 413, 415, 422, 429), tag="progress",
          summary="个人主动申报 on the progress page: a death, a move, leaving 低保 or another change, with the case number "
                  "and the ID suffix; it becomes proposals for the 业务属地, never a stop; the lookup's limits and its "
                  "one 404 for a wrong suffix and an unknown case"),
    # --- cases: 受理, materials, push, decision, notification, 补正, withdrawal, full numbers, SMS receipts --------------
    Route("POST /cases", "accept_case", {"window": "township"}, status=201, body="Application",
          response="AcceptedCase", tag="cases", summary="受理: accept an application; the case and its one-time notice"),
    Route("GET /cases", "list_cases", {"window": "township", "reviewer": "township", "dpf_reviewer": "county",
                                        "approver": "county", "supervisor": "any"},
          response="Worklist", query=WORKLIST_QUERY, tag="cases", summary="The caller's worklist, nearest deadline first"),
    Route("GET /cases/{case_id}", "get_case", CASE_READERS, response="Case", tag="cases",
        summary="The case, its materials, deadlines, timeline, clock and rule checks"),
    Route("POST /cases/{case_id}/materials", "add_material", {"window": "accepting"}, status=201,
          body="MaterialDeclaration", response="MaterialRegistered", tag="cases", summary="Register one material; a "
                "presigned POST for its bytes"),
    Route("POST /cases/{case_id}/materials/{material_id}/confirm", "confirm_material", {"window": "accepting"},
          response="Material", tag="cases", summary="Check the stored bytes (size, type, checksum): received or 422"),
    Route("POST /cases/{case_id}/complete", "complete", {"window": "accepting"}, response="Case", tag="cases",
        summary="申请材料收齐: materials complete, starts D1"),
    Route("POST /cases/{case_id}/push", "push", {"window": "accepting"}, response="Case", tag="cases",
        summary="推送 to the 业务属地: ends D1, starts D2"),
    Route("POST /cases/{case_id}/review", "give_opinion", CHAIN_HOLDERS, body="ReviewOpinion", response="Case",
          tag="cases", summary="An opinion at the case's step of the 业务属地's review chain (初审, 审核, 公示…): agree "
                "hands it to the next step, send back returns it to the step before with the reason; D2 runs on"),
    Route("POST /cases/{case_id}/decision", "decide", CHAIN_HOLDERS, body="Decision", response="Case",
          tag="cases", summary="资格认定 by the holder of the chain's last step (审定): ends D2, returns the result, "
                "starts D3"),
    Route("POST /cases/{case_id}/correction", "propose_correction", CHAIN_HOLDERS, body="DecisionCorrection",
          response="Case", tag="cases", summary="纠错: the holder of the review chain's first step proposes the "
                "corrected decision of a decided case with its reason; the later steps sign it off (a single-step "
                "chain: in force at once); the application month stays, both decisions stay on the case"),
    Route("POST /cases/{case_id}/correction/review", "review_correction", CHAIN_HOLDERS, body="ReviewOpinion",
          response="Case", tag="cases", summary="An opinion on the pending correction by the holder of the step it "
                "is at: agree hands it on (the last step's agreement puts it in force: entitlements created, "
                "stopped from their start or corrected, the ledger owing or recovering the difference), send back "
                "returns it to the step before with the reason"),
    Route("POST /cases/{case_id}/notification", "notify", {"window": "accepting"}, body="Notification",
          response="Case", tag="cases", summary="The applicant was told the result: ends D3, closes the case"),
    Route("POST /cases/{case_id}/withdraw", "withdraw", {"window": "accepting"}, body="Withdrawal", response="Case",
          tag="cases", summary="The applicant withdraws"),
    Route("POST /cases/{case_id}/supplement-request", "request_supplement", CHAIN_HOLDERS,
          body="SupplementRequest", response="Case", tag="cases", summary="补正: ask for more materials; D2 pauses"),
    Route("POST /cases/{case_id}/supplement", "send_supplement", {"window": "accepting"}, body="Supplement",
          body_required=False, response="Case", tag="cases", summary="The supplement was sent; D2 resumes with the "
                "days left"),
    Route("GET /cases/{case_id}/materials/{material_id}", "open_material",
          {"window": "accepting", "reviewer": "business"}, response="MaterialDownload", errors=(409,), tag="cases",
        summary="A received material as a short-lived presigned GET (shown in the console); the opening is recorded"),
    Route("GET /cases/{case_id}/identity", "read_identity", {"window": "accepting", "reviewer": "business"},
          response="Identity", errors=(409,), tag="cases", summary="Full ID and phone numbers (masked everywhere "
                "else); the read is recorded"),
    Route("GET /cases/{case_id}/audit", "verify_case_chain", CASE_READERS, response="AuditVerdict", tag="audit",
        summary="Check the case's hash-chained timeline; the first broken link"),
    Route("POST /messages/{message_id}/receipt", "sms_receipt", {"sms_gateway": "in_scope"}, body="SmsReceipt",
          response="SmsReceiptResult", tag="progress", summary="短信回执: the province's SMS gateway reports a milestone "
                "SMS delivered (on the timeline) or failed (retried, then reported); the same receipt twice changes nothing"),
    # --- documents: 一次性告知书, 受理回执, 结果通知书 ------------------------------------------------------------------------------
    Route("GET /cases/{case_id}/notice", "get_notice", {"window": "accepting"}, response="NoticeOrLink",
          query=(DELIVERY_QUERY,), pdf=True, tag="cases", summary="The one-time notice (一次性告知): JSON, or the A4 PDF "
                "with Accept: application/pdf"),
    Route("GET /cases/{case_id}/receipt", "get_receipt", {"window": "accepting", "reviewer": "business"},
          response="DocumentOrLink", query=(DELIVERY_QUERY,), pdf=True, tag="cases", summary="受理回执: case number, "
                "dates, 业务属地, statutory timetable, progress QR code (PDF with Accept)"),
    Route("GET /cases/{case_id}/result-notice", "get_result_notice", {"window": "accepting", "reviewer": "business"},
          response="DocumentOrLink", query=(DELIVERY_QUERY,), errors=(409,), pdf=True, tag="cases",
        summary="结果通知书 (outcome, subsidies, amounts, start month; a refusal's reason and remedies); 409 "
                "RESULT_NOT_DECIDED before the decision"),
    # --- rules: calendar, materials, eligibility, amounts, comparison and payment settings, rosters ------------------
    Route("GET /calendar/deadline", "calendar_deadline", STAFF, response="DeadlineAnswer",
          query=DEADLINE_QUERY,
          errors=(400,), tag="calendar", summary="The due day of N working days from start (statutory count)"),
    Route("GET /calendar/{year}", "calendar_year", STAFF, response="CalendarYear", errors=(404,), tag="calendar",
        summary="The year's holidays and make-up working days, and their source"),
    # the holiday calendar is the nation's (国务院办公厅): loaded and corrected by a national-level admin only
    Route("PUT /calendar/{year}", "load_calendar_year", {"admin": "national"}, body="CalendarYearLoad",
          response="CalendarYear", tag="calendar", summary="Load a year from the 国务院办公厅 notice; a conflict is refused"),
    Route("POST /calendar/{year}/correction", "correct_calendar_year", {"admin": "national"},
          body="CalendarCorrection", response="CalendarYear", errors=(404,), tag="calendar",
          summary="纠错: correct a loaded year (a later notice, a mistake), with the reason; the version it replaces "
                  "is kept, and every running deadline is counted again"),
    # a 市/县 残联's admin keeps its own 户籍地's list (黑民发〔2021〕6号); an admin, its scope's and below
    Route("PUT /rules/{scope}/materials/{effective_from}", "put_material_rule",
          {"admin": "any", "dpf_admin": "city_or_county"}, body="MaterialRule", response="RuleStored", tag="rules",
          summary="Material rule of a province, city or county, local items (code, Chinese name, purpose) included; "
                  "a 残联 admin of a city or county sets its own unit's only"),
    Route("GET /setup-gaps", "list_setup_gaps", {"admin": "any", "dpf_admin": "city_or_county", "supervisor": "any"},
          response="SetupGaps", query=SETUP_GAPS_QUERY, tag="rules",
          summary="The 户籍地 (current counties, GB/T 2260) within the caller's unit with no list of materials of "
                  "their own or above them in force: their notices tell the standard catalogue"),
    Route("PUT /rules/{scope}/eligibility/{effective_from}", "put_eligibility_rule", {"admin": "any"},
          body="EligibilityRule", response="RuleStored", params={"scope": scope_code((2,))}, tag="rules", summary="Eligibility rule of a province"),
    Route("PUT /rules/{scope}/amounts", "put_amount_table", {"admin": "any"}, body="AmountTable",
          response="RuleStored", params={"scope": scope_code((2, 4))}, tag="rules", summary="The whole amount table of a province or city"),
    Route("GET /rules/{scope}", "rules_in_force", STAFF, response="RulesInForce",
          query=RULES_QUERY,
          params={"scope": scope_code((9,))}, tag="rules", summary="What a 业务属地 (a 9-digit unit in the scope position) requires and pays on a day"),
    Route("PUT /rules/{scope}/comparison/{effective_from}", "put_comparison_rule", {"admin": "any"},
          body="ComparisonRule", response="RuleStored", params={"scope": scope_code((2,))}, tag="rules", summary="A province's effective months for stops "
                "found by data comparison"),
    Route("PUT /rules/{scope}/contact/{effective_from}", "put_contact_rule", {"admin": "any"}, body="ContactRule",
          response="RuleStored", params={"scope": scope_code((2, 4, 6, 9))}, tag="rules",
          summary="Who explains the subsidy's type and standard (业务属地's unit and 咨询电话) for a province, city, "
                  "county or one 业务属地, from a day on: printed on the result notice and in the approval SMS"),
    Route("POST /rosters", "load_roster", {"admin": "any"}, status=201, body="RosterLoad", response="RosterLoaded",
          errors=(404,), tag="data", summary="Index an authoritative roster put under rosters/ in the materials "
                "bucket"),
    Route("PUT /rules/{scope}/review-chain/{effective_from}", "put_review_chain", {"admin": "any"},
          body="ReviewChain", response="RuleStored", params={"scope": scope_code((2,))}, tag="rules",
          summary="A province's review chain (初审 → 审核 → 审定, an optional 公示): each step's label and role; a case "
                  "keeps the chain in force on its push day; none set: the township's reviewer checks and decides"),
    Route("PUT /rules/{scope}/time-limits/{effective_from}", "put_time_limits", {"admin": "any"},
          body="TimeLimits", response="RuleStored", params={"scope": scope_code((2,))}, tag="rules",
          summary="A province's time limits where no statute sets one: the acceptance phase until the materials are "
                  "complete (收件时限, its windows) and a 补正 (补正时限, its reviewers' requests), in working days"),
    Route("PUT /rules/{scope}/payment/{effective_from}", "put_payment_setting", {"admin": "any"},
          body="PaymentSetting", response="RuleStored", params={"scope": scope_code((2,))}, tag="rules", summary="A province's payment setting: what the "
                "roster shows of the ID number"),
    # --- supervision: monthly 查询登记, yearly review, audit -------------------------------------------------------------
    Route("POST /comparisons", "run_comparison", {"admin": "any"}, status=201, body="ComparisonRun",
          response="ComparisonResult", errors=(404,), tag="data", summary="Run the monthly data comparison on a file "
                "under comparisons/"),
    Route("GET /checks/{unit}/{month}", "list_checks", {"committee": "any", "reviewer": "any", "supervisor": "any"},
          response="CheckList", params={"unit": COMMITTEE}, tag="supervision", summary="A committee's monthly 查询登记 list"),
    Route("GET /checks/{unit}/{month}/changes", "list_check_changes", {"reviewer": "any"}, response="ChangeList",
          tag="supervision", summary="A township's non-present results of the month (proposals only)"),
    Route("POST /checks/{unit}/{month}/{entitlement_id}", "record_check", {"committee": "any"}, body="CheckRecording",
          response="Check", params={"unit": COMMITTEE}, tag="supervision", summary="The committee records one check (until the month ends)"),
    Route("GET /reviews/{unit}/{year}", "list_reviews", {"reviewer": "any", "supervisor": "any"},
          response="ReviewList",
          query=REVIEWS_QUERY,
          tag="supervision", summary="A township's yearly review tasks (定期复核), a page at a time"),
    Route("POST /reviews/{unit}/{year}/{entitlement_id}", "record_review", {"reviewer": "any"}, body="ReviewRecording",
          response="ReviewTask", tag="supervision", summary="Record the yearly review of a recipient"),
    Route("GET /audit", "verify_unit_chains", {"supervisor": "any", "admin": "any"}, response="AuditOfUnit",
          query=AUDIT_QUERY,
          tag="audit", summary="Verify the timelines of every case of a unit or scope"),
    # --- entitlements and payments: entitlements, proposals, recoveries, 发放名册 ----------------------------------------
    Route("GET /proposals", "list_proposals", {"reviewer": "any", "window": "any", "supervisor": "any"},
          response="ProposalList",
          query=PROPOSALS_QUERY,
          tag="data", summary="Proposals from data comparison of a 业务属地, or the outcome for a window's cases"),
    Route("POST /reports", "record_self_report", {"window": "township"}, status=201, body="SelfReport",
          response="SelfReportRecorded", errors=(404, 429), tag="data",
          summary="个人主动申报 made in person at any window: the case identified by its number and the ID suffix the "
                  "person gives (the progress lookup's 404 otherwise); proposals for the 业务属地, never a stop"),
    Route("POST /proposals/{proposal_id}/confirm", "confirm_proposal", {"reviewer": "any"}, body="ProposalDecision",
          response="Proposal", tag="data", summary="Confirm a proposal: the entitlement stops or is suspended"),
    Route("POST /proposals/{proposal_id}/reject", "reject_proposal", {"reviewer": "any"}, body="ProposalDecision",
          response="Proposal", tag="data", summary="Reject a proposal"),
    Route("GET /entitlements/{entitlement_id}", "get_entitlement",
          {"window": "any", "reviewer": "any", "supervisor": "any", "admin": "any"}, response="Entitlement",
          tag="entitlements", summary="An entitlement: status, amount and history"),
    Route("POST /entitlements/{entitlement_id}/status", "change_entitlement", {"reviewer": "any"},
          body="EntitlementStatusChange", response="Entitlement", tag="entitlements", summary="Suspend, stop or "
                "resume (应退则退, the reason kept)"),
    Route("POST /entitlements/{entitlement_id}/correction", "correct_entitlement", {"reviewer": "any"},
          body="EntitlementCorrection", response="Entitlement", tag="entitlements", summary="纠错: owed or overpaid "
                "computed"),
    Route("PUT /entitlements/{entitlement_id}/committee", "set_entitlement_committee", {"admin": "any", "reviewer": "any"},
          body="EntitlementCommittee", response="Entitlement", tag="entitlements",
          summary="Set or change the village or residents committee that checks the recipient each month (每月查询登记), "
                  "with a reason: on the history, from the next month's list"),
    Route("POST /entitlements/{entitlement_id}/survival-checks", "record_survival_check",
          {"reviewer": "any", "committee": "any"}, status=201, body="SurvivalCheck", response="SurvivalCheckRecorded",
          tag="entitlements", summary="生存验证: the 业务属地's reviewer or the recipient's committee records a check "
                "(face, home visit, phone), its day and result, as a line of the entitlement's history; nothing stops "
                "by itself"),
    Route("POST /payroll/{unit}/{month}", "build_payroll", {"reviewer": "any", "admin": "any"}, status=201,
          response="PayrollRoster", params={"unit": TOWNSHIP}, tag="payroll", summary="发放名册, drafted: owed − paid through the month per "
                "entitlement, as CSV in S3 (free to rebuild)"),
    Route("POST /payroll/{unit}/{month}/finalize", "finalize_payroll", {"reviewer": "any", "admin": "any"},
          body="RosterFinalization", response="PayrollRoster", params={"unit": TOWNSHIP}, tag="payroll", summary="Finalize the roster as "
                "drafted: written into the payment ledger; refused twice"),
    Route("GET /payroll/{unit}/{month}", "download_payroll", {"reviewer": "any", "admin": "any"},
          response="PayrollRoster", query=PAYROLL_QUERY, params={"unit": TOWNSHIP}, errors=(404,), tag="payroll",
        summary="A roster and a 15-minute link to its file; each download is recorded"),
    Route("GET /payroll/{unit}", "list_payrolls", {"reviewer": "any", "admin": "any"}, response="PayrollList",
          params={"unit": TOWNSHIP}, tag="payroll", summary="The 业务属地's rosters, drafted and finalized"),
    Route("GET /recoveries/{unit}", "list_recoveries", {"reviewer": "any", "admin": "any", "supervisor": "any"},
          response="Recoveries", params={"unit": TOWNSHIP}, tag="payroll", summary="应退则退: recipients paid more than is owed, for recovery (追回)"),
    Route("POST /entitlements/{entitlement_id}/recoveries", "record_recovery", {"reviewer": "any"}, status=201,
          body="RecoveryRecording", response="Entitlement", tag="entitlements", summary="追回: money recovered settles "
                "the over-paid months, oldest first"),
)

BY_KEY: Mapping[str, Route] = {route.key: route for route in ROUTES}
assert len(BY_KEY) == len(ROUTES), "one row per route"
PUBLIC_ROUTES: frozenset[str] = frozenset(route.key for route in ROUTES if route.public)
# role -> relation of every guarded route (what tests and tools read; the pipeline reads the route's own row)
ROUTE_RULES: Mapping[str, Mapping[str, str]] = {route.key: route.roles for route in ROUTES if not route.public}
