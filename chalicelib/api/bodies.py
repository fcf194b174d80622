"""The request bodies as pydantic v2 models: the one statement of each body's shape in the API's document.

The OpenAPI components of the request bodies are generated from these models (``openapi.body_components``); the
document is generated from them and the route table at build time (``python -m chalicelib.api.openapi`` writes
``api/openapi.json``; a test fails when the stored file differs). The models state each field's JSON type, which
fields are required, and the value rules (``rule(...)``: enums, patterns, bounds) that the domain's readers
enforce with the API's error codes and field paths; tests/unit/test_openapi.py checks both agree (bodies the
readers accept match the models' schemas, bodies they refuse do not). Unknown fields are listed as refused
(``additionalProperties: false``); rule bodies refuse them (422 UNKNOWN_FIELD), the others ignore them.

Not imported by the running API: pydantic is a build and test dependency, not part of the Lambda package.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, create_model

from ..domain.cases.applications import (
    AGENT_RELATIONSHIPS,
    ALLOWED_CONTENT_TYPES,
    CIRCUMSTANCE_KEYS,
    NOTIFICATION_METHODS,
    SUBSIDY_TYPES,
)
from ..domain.cases.review_chain import CHINESE_LABEL, MAX_PUBLICITY_DAYS, MAX_STEPS, OPINIONS, STEP_ROLES
from ..domain.cases.sms_receipts import RECEIPT_STATUSES
from ..domain.payments.entitlements import STATUSES as ENTITLEMENT_STATUSES
from ..domain.rules.amounts import AREAS, LOW_INCOME_TYPES
from ..domain.rules.contacts import MAX_UNIT_NAME
from ..domain.rules.contacts import PHONE as CONTACT_PHONE
from ..domain.rules.jurisdiction import EXCLUSION_KEYS, MAX_LOCAL_ITEMS, MAX_LOCAL_NAME, MAX_LOCAL_PURPOSE
from ..domain.rules.jurisdiction import LOW_INCOME_KEYS as LIVING_KEYS
from ..domain.rules.registers import KINDS as ROSTER_KINDS
from ..domain.rules.rules import CATALOGUE
from ..domain.rules.rules import MATERIAL_CODE as LOCAL_CODE
from ..domain.supervision.comparison import KINDS as COMPARISON_KINDS
from ..domain.supervision.monitoring import OUTCOMES, RESULTS, REVIEW_METHODS
from ..domain.supervision.reports import CHANGES, NOTE_MAX, REPORTERS
from ..domain.supervision.survival import METHODS as SURVIVAL_METHODS
from ..domain.supervision.survival import NOTE_MAX as SURVIVAL_NOTE_MAX
from ..domain.supervision.survival import RESULTS as SURVIVAL_RESULTS
from .schema import AMOUNT, COMMITTEE, DATE, ID_NUMBER, MATERIAL_CODE, MONTH_2000_2100, PERCENT, TOWNSHIP

MATERIAL_CODES = [kind.code for kind in CATALOGUE]
CHINESE = "[\u3400-\u4dbf\u4e00-\u9fff]"  # at least one Chinese character (domain.rules.jurisdiction)


def rule(schema: dict[str, Any] | None = None, **more: Any) -> Any:
    """What the document says of a value beyond its type; the domain's reader checks it (with its own code)."""
    return Field(json_schema_extra={**(schema or {}), **more})


def one_of(values: Any, description: str = "") -> Any:
    listed = sorted(values) if isinstance(values, (set, frozenset)) else list(values)
    return rule({"enum": listed}, **({"description": description} if description else {}))


def text(max_length: int, description: str = "") -> Any:
    """A required text: at least one non-blank character (blank counts as missing)."""
    return rule({"minLength": 1, "maxLength": max_length, "pattern": r"\S"},
                **({"description": description} if description else {}))


def codes(values: Any, description: str = "") -> Any:
    return rule({"items": {"type": "string", "enum": list(values)}, "uniqueItems": True},
                **({"description": description} if description else {}))


def whole_numbers(low: int, high: int, description: str = "", **more: Any) -> Any:
    return rule({"uniqueItems": True, "items": {"type": "integer", "minimum": low, "maximum": high}, **more},
                **({"description": description} if description else {}))


class Body(BaseModel):
    """Strict JSON types (no "1" for 1), unknown fields ignored here (the document lists them as refused)."""

    model_config = ConfigDict(strict=True, extra="ignore", json_schema_extra={"additionalProperties": False})


Text = StrictStr
Note = Annotated[StrictStr | None, rule(maxLength=500)]


# --- 受理 and the case ---------------------------------------------------------------------------------------------

class BankAccount(Body):
    """where the subsidy is paid (社会化发放)"""

    bank: Annotated[Text, text(60, "开户银行 or 信用社 and branch")]
    number: Annotated[Text, rule(maxLength=40, pattern=r"^[0-9][0-9 -]{6,38}[0-9]$",
                                 description="8 to 30 digits once spaces and hyphens are dropped")]


class Applicant(Body):
    name: Annotated[Text, text(50)]
    id_number: Annotated[Text, rule(ID_NUMBER)]
    phone: Annotated[Text | None, rule(maxLength=20, pattern=r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$",
                                       example="13800000000")] = None
    hukou_unit: Annotated[Text, rule(TOWNSHIP, description="户籍地: the 9-digit 业务属地 unit")]
    hukou_address: Annotated[Text | None, rule(maxLength=200)] = None
    area: Annotated[Text | None, one_of(AREAS, "城市 or 农村, where the 业务属地 grades its standard by it")] = None
    committee_unit: Annotated[Text, rule(COMMITTEE, description="the village or residents committee (村/居委会) that "
                                                                "checks the recipient each month (每月查询登记); must "
                                                                "lie within hukou_unit (422 COMMITTEE_OUTSIDE_UNIT); "
                                                                "missing or blank: 422 COMMITTEE_REQUIRED")]
    bank_account: BankAccount | None = None


class Certificate(Body):
    number: Annotated[Text, rule(pattern=r"^[0-9]{17}[0-9Xx][1-7][1-4]$", example="23010219800101123641",
                                 description="残疾人证号: the holder's 18-character ID number, category 1-7, "
                                             "grade 1-4")]
    valid_until: Annotated[Text, rule(DATE, description="有效期至 YYYY-MM-DD, not in the past", example="2031-05-01")]


class Agent(Body):
    """委托办理: who files for the applicant"""

    name: Annotated[Text, text(50)]
    id_number: Annotated[Text, rule(ID_NUMBER, description="the agent's 公民身份号码, not the applicant's")]
    relationship: Annotated[Text, one_of(AGENT_RELATIONSHIPS)]


# one optional flag per circumstance the application declares (domain/applications.CIRCUMSTANCE_KEYS)
LowIncome = create_model(
    "LowIncome", __base__=Body, __doc__="what the applicant declares; loaded rosters confirm or contradict it",
    **{key: (StrictBool | None, None) for key in CIRCUMSTANCE_KEYS})  # type: ignore


class Application(Body):
    """受理: the accepting unit is the caller's; the 业务属地 is applicant.hukou_unit"""

    applicant: Applicant
    certificate: Certificate
    subsidies: Annotated[list[Text], rule({"minItems": 1, "maxItems": len(SUBSIDY_TYPES), "uniqueItems": True,
                                           "items": {"type": "string", "enum": list(SUBSIDY_TYPES)}})]
    agent: Agent | None = None
    low_income: LowIncome | None = None  # type: ignore[valid-type]


class MaterialDeclaration(Body):
    code: Annotated[Text, rule(MATERIAL_CODE, description="a code on the case's notice: the catalogue's or a local "
                                                          "item's (422 MATERIAL_NOT_REQUIRED otherwise)")]
    filename: Annotated[Text, rule(minLength=1, maxLength=200, pattern=r"^[^/\\.\s][^/\\]*$",
                                   description="a plain file name: no slash or backslash, not starting with a dot")]
    content_type: Annotated[Text, one_of(ALLOWED_CONTENT_TYPES)]
    size: Annotated[StrictInt, rule(minimum=1, description="bytes; above the configured maximum: 413")]
    sha256: Annotated[Text, rule(pattern="^[0-9a-fA-F]{64}$")]


class GrantedSubsidy(Body):
    type: Annotated[Text, one_of(SUBSIDY_TYPES, "one of the subsidies the applicant applied for")]
    monthly_amount: Annotated[Text | None, rule(AMOUNT, description="left out where the 业务属地 has an amount "
                                                                    "table (computed then), checked against it "
                                                                    "when given")] = None


class Approval(Body):
    outcome: Literal["approved"]
    subsidies: Annotated[list[GrantedSubsidy], rule(minItems=1, maxItems=len(SUBSIDY_TYPES))]
    reason: Annotated[Text | None, rule(maxLength=1000, description=(
        "required when the approval grants fewer subsidies than were applied for: why the others are not granted "
        "(未予认定的理由, printed on the result notice with the remedies and sent in the SMS; 422 "
        "NOT_GRANTED_REASON_MISSING without it); on a full approval an optional note (说明)"))] = None
    override_reason: Annotated[Text | None, rule(maxLength=1000)] = None


class Refusal(Body):
    outcome: Literal["rejected"]
    subsidies: Annotated[list[GrantedSubsidy], rule(maxItems=0)] = []
    reason: Annotated[Text, text(1000)]
    override_reason: Annotated[Text | None, rule(maxLength=1000)] = None


def _one_of_approval_or_refusal(schema: dict[str, Any], _model: Any) -> None:
    """The document shows the two shapes a decision takes; the pipeline checks the fields both share."""
    description = " ".join(str(schema.get("description", "")).split())
    schema.clear()
    schema.update({"description": description, "oneOf": [{"$ref": "#/components/schemas/Approval"},
                                                          {"$ref": "#/components/schemas/Refusal"}]})


class Decision(Body):
    """资格认定: an approval grants at least one subsidy; a rejection grants none and gives a reason. Approving
    against a failed rule check needs override_reason."""

    model_config = ConfigDict(json_schema_extra=_one_of_approval_or_refusal)

    outcome: Text
    subsidies: list[GrantedSubsidy] | None = None
    reason: Text | None = None
    override_reason: Text | None = None


class DecisionCorrection(Body):
    """纠错: the corrected decision (as POST /cases/{id}/decision takes it, every subsidy from the application month)
    with the reason for the correction, required; proposed by the holder of the review chain's first step"""

    outcome: Annotated[Text, one_of(("approved", "rejected"), "the corrected outcome")]
    subsidies: Annotated[list[GrantedSubsidy], rule(maxItems=len(SUBSIDY_TYPES), description=(
        "what the corrected decision grants: at least one on an approval, none on a refusal"))] = []
    reason: Annotated[Text, text(1000, "why the decision is corrected (422 CORRECTION_REASON_REQUIRED without it); "
                                       "on the timeline, and the reason of the entitlements' correction lines")]
    override_reason: Annotated[Text | None, rule(maxLength=1000)] = None


class Notification(Body):
    method: Annotated[Text, one_of(NOTIFICATION_METHODS)]
    note: Note = None


class Withdrawal(Body):
    reason: Annotated[Text, text(500)]


class SupplementItem(Body):
    code: Annotated[Text | None, rule(MATERIAL_CODE, description="a catalogue code or a local item's")] = None
    description: Annotated[Text, text(300)]


class SupplementRequest(Body):
    """补正: what the 业务属地 still needs; D2 pauses"""

    items: Annotated[list[SupplementItem], rule(minItems=1, maxItems=20)]
    note: Note = None


class Supplement(Body):
    """the supplement was sent; the body may be left out"""

    note: Note = None


# --- rules and the calendar ------------------------------------------------------------------------------------

class CalendarYearLoad(Body):
    holidays: Annotated[list[Text], rule(uniqueItems=True, items=DATE,
                                         description="rest days of the year (all within {year})")]
    workdays: Annotated[list[Text], rule(uniqueItems=True, items=DATE, description="make-up working days (调休上班): "
                                         "weekends of {year}, none also a holiday")]
    source: Annotated[Text, text(300, "the 国务院办公厅 notice, e.g. 国办发明电〔2026〕x号")]


class CalendarCorrection(CalendarYearLoad):
    """纠错 of a loaded year: the whole corrected schedule and why"""

    reason: Annotated[Text, text(500, "why the loaded schedule was wrong (a later notice, a typing mistake)")]


class LocalItem(Body):
    """an item of the 户籍地's own beyond the catalogue, printed on the one-time notice as it is"""

    code: Annotated[Text, rule(pattern=f"^{LOCAL_CODE.pattern}$", example="residence_proof",
                               description="2 to 40 of a-z, 0-9 and _, starting with a letter; not a catalogue code "
                                           "(422 LOCAL_CODE_FORMAT, LOCAL_CODE_IS_STANDARD)")]
    name: Annotated[Text, rule({"minLength": 1, "maxLength": MAX_LOCAL_NAME, "pattern": CHINESE},
                               example="居住证明", description="材料名称 in Chinese (422 NOT_CHINESE), not a "
                                                              "catalogue item's name")]
    purpose: Annotated[Text, rule({"minLength": 1, "maxLength": MAX_LOCAL_PURPOSE, "pattern": CHINESE},
                                  example="核实申请人在本县实际居住", description="用途 in Chinese, printed beside it")]
    required: Annotated[StrictBool, rule(description="true: 必须提交 (counts for 申请材料收齐); false: 可选提交")]


class MaterialRule(Body):
    """a province (2-digit scope) sends require (and optional); a city or county (4 or 6 digits) sends add, drop,
    optional; either may define local items"""

    require: Annotated[list[Text] | None, codes(MATERIAL_CODES, "province only: the full list (at least one)")] = None
    add: Annotated[list[Text] | None, codes(MATERIAL_CODES, "city or county only")] = None
    drop: Annotated[list[Text] | None, rule(
        {"items": MATERIAL_CODE, "uniqueItems": True},
        description="city or county only: catalogue codes, or local items of a list above; none also in add or "
                    "optional")] = None
    optional: Annotated[list[Text] | None, rule(
        {"items": MATERIAL_CODE, "uniqueItems": True},
        description="codes marked not required (a city or county may name a local item of a list above)")] = None
    local: Annotated[list[LocalItem] | None, rule(
        maxItems=MAX_LOCAL_ITEMS, description="items beyond the catalogue (黑民发〔2021〕6号: the 市/县 残联 sets up the "
                                              "户籍地's own list)")] = None


class NursingExtension(Body):
    categories: Annotated[list[StrictInt], whole_numbers(1, 7, minItems=1)]
    grades: Annotated[list[StrictInt], whole_numbers(1, 4, minItems=1)]


class EligibilityRule(Body):
    """each field optional: the national default where absent"""

    living_requires_any: Annotated[list[Text] | None, codes(LIVING_KEYS, "must include dibao (国发〔2015〕52号)")] \
        = None
    nursing_grades: Annotated[list[StrictInt] | None, whole_numbers(1, 4, "must include 1 and 2 (国发〔2015〕52号)")] \
        = None
    nursing_extensions: list[NursingExtension] | None = None
    excludes_both: Annotated[list[Text] | None, codes(EXCLUSION_KEYS)] = None
    excludes_living: Annotated[list[Text] | None, codes(EXCLUSION_KEYS, "none also in excludes_both")] = None


class AmountRow(Body):
    """exactly one of amount, percent_of_dibao_line; empty or null conditions mean any"""

    subsidy: Annotated[Text, one_of(SUBSIDY_TYPES)]
    effective_from: Annotated[Text, rule(DATE)]
    effective_to: Annotated[Text | None, rule(DATE, description="not before effective_from")] = None
    amount: Annotated[Text | None, rule(AMOUNT)] = None
    percent_of_dibao_line: Annotated[Text | None, rule(PERCENT)] = None
    grades: Annotated[list[StrictInt] | None, whole_numbers(1, 4)] = None
    categories: Annotated[list[StrictInt] | None, whole_numbers(1, 7)] = None
    low_income: Annotated[Text | None, one_of(LOW_INCOME_TYPES)] = None
    area: Annotated[Text | None, one_of(AREAS)] = None
    min_age: Annotated[StrictInt | None, rule(minimum=0, maximum=150)] = None
    max_age: Annotated[StrictInt | None, rule(minimum=0, maximum=150, description="not below min_age")] = None


class DibaoLine(Body):
    effective_from: Annotated[Text, rule(DATE)]
    effective_to: Annotated[Text | None, rule(DATE)] = None
    area: Annotated[Text | None, one_of(AREAS)] = None
    monthly: Annotated[Text, rule(AMOUNT)]


class AmountTable(Body):
    """no two rows for one person on one day, no gaps"""

    rows: Annotated[list[AmountRow], rule(minItems=1)]
    dibao_lines: list[DibaoLine] | None = None


# one optional field per kind of comparison file the domain knows (domain/comparison.KINDS)
ComparisonRule = create_model(
    "ComparisonRule", __base__=Body, __doc__="per kind: 0 = from the event's month, 1 = from the month after the event",
    **{kind: (Annotated[StrictInt | None, rule(enum=[0, 1])], None) for kind in COMPARISON_KINDS})  # type: ignore


class ReviewOpinion(Body):
    """An opinion at the step of the review chain the case is at (初审, 审核, 公示…); the last step decides instead"""

    opinion: Annotated[Text, one_of(OPINIONS, "agree: hand it to the next step; send_back: to the step before")]
    reason: Annotated[StrictStr | None, rule(maxLength=500, description="required to send back (422 REASON_REQUIRED)"
                                             "; on the shared timeline")] = None


class ReviewStep(Body):
    label: Annotated[Text, rule(pattern=CHINESE_LABEL, example="审核",
                                description="what staff read: 初审, 审核, 审定, 公示 (2 to 8 Chinese characters)")]
    role: Annotated[Text, one_of(list(STEP_ROLES), "reviewer: the township (9 digits); dpf_reviewer (county 残联) and "
                                                   "approver (county 民政): 6-digit county units")]
    publicity_days: Annotated[StrictInt | None, rule(minimum=1, maximum=MAX_PUBLICITY_DAYS,
                                                     description="a 公示 step: the days it holds the case")] = None


class ReviewChain(Body):
    """A province's review chain from a day on (国发〔2015〕52号; 黑民发〔2020〕26号): the steps in order, the deciding one
    last (no 公示 last); a case keeps the chain in force on its push day"""

    steps: Annotated[list[ReviewStep], rule(minItems=1, maxItems=MAX_STEPS)]


class PaymentSetting(Body):
    roster_id_number: Annotated[Text, one_of(["masked", "full"], "what the roster shows of the ID number")]


class TimeLimits(Body):
    """A province's working days where no statute sets a limit (either may be left out: the default, 10, stays)"""

    materials_working_days: Annotated[StrictInt | None, rule(
        minimum=1, maximum=60, description="收件时限: from 受理 until the materials are complete, for this province's "
                                           "windows; a reminder the working day before, an escalation after")] = None
    supplement_working_days: Annotated[StrictInt | None, rule(
        minimum=1, maximum=60, description="补正时限: how long a 补正 this province's reviewers ask for may stay out "
                                           "(审核时限 paused meanwhile)")] = None


class ContactRule(Body):
    """享受补贴政策的类型及标准由业务属地负责解释: the unit and its consultation phone the result notice and the approval
    SMS name; the most specific scope in force wins"""

    unit_name: Annotated[Text, text(MAX_UNIT_NAME, "the unit that explains the standard, e.g. 哈尔滨市道里区民政局")]
    phone: Annotated[Text, rule(pattern=CONTACT_PHONE.pattern, example="0451-84600000",
                                description="咨询电话: a landline with its area code (an extension after a second -), "
                                            "a mobile number or a 5-digit service number such as 12345")]


# --- rosters, comparisons, entitlements, payments, supervision ---------------------------------------------------

class RosterLoad(Body):
    kind: Annotated[Text, one_of(ROSTER_KINDS)]
    key: Annotated[Text, rule(pattern="^rosters/.+", description="an object under rosters/")]


class ComparisonRun(Body):
    kind: Annotated[Text, one_of(COMPARISON_KINDS)]
    key: Annotated[Text, rule(pattern="^comparisons/.+", description="an object under comparisons/")]


class EntitlementStatusChange(Body):
    action: Annotated[Text, one_of(["suspend", "stop", "resume"])]
    effective_month: Annotated[Text, rule(MONTH_2000_2100, description="not before the month payment started")]
    reason: Annotated[Text, text(1000)]


class Facts(Body):
    """the facts the standard depends on, from effective_month on"""

    category: Annotated[StrictInt | None, rule(minimum=1, maximum=7)] = None
    grade: Annotated[StrictInt | None, rule(minimum=1, maximum=4)] = None
    low_income: Annotated[Text | None, one_of(["dibao", "dibao_edge"])] = None
    area: Annotated[Text | None, one_of(AREAS)] = None


class EntitlementCorrection(Body):
    """纠错: give status, monthly_amount, pricing or facts (any together)"""

    effective_month: Annotated[Text, rule(MONTH_2000_2100)]
    monthly_amount: Annotated[Text | None, rule(AMOUNT, description="a stated amount from effective_month on")] \
        = None
    pricing: Annotated[Text | None, one_of(["table", "stated"], "table: priced by the amount table again")] = None
    status: Annotated[Text | None, one_of(ENTITLEMENT_STATUSES)] = None
    facts: Facts | None = None
    reason: Annotated[Text, text(1000)]
    paid_through: Annotated[Text | None, rule(MONTH_2000_2100, description="show the difference through this month "
                                                                           "(default: this month)")] = None


class EntitlementCommittee(Body):
    """每月查询登记: the committee that checks the recipient, from the month after this one (this month's list stays
    where it was issued); the committee set last, sent again, changes nothing"""

    committee: Annotated[Text, rule(COMMITTEE, description="a committee within the entitlement's 业务属地 "
                                                           "(422 COMMITTEE_OUTSIDE_UNIT)")]
    reason: Annotated[Text, text(1000, "why: kept on the entitlement's history")]
    version: Annotated[StrictInt | None, rule(minimum=0, description="the version GET /entitlements/{id} answered; "
                                                                      "another: 409 CONCURRENT_UPDATE")] = None


class RecoveryRecording(Body):
    amount: Annotated[Text, rule(pattern=r"^[0-9]{1,7}(\.[0-9]{1,2})?$", example="90.00")]
    received_on: Annotated[Text, rule(DATE)]
    reason: Annotated[Text, text(500, "what the money is and how it came back")]


class RosterFinalization(Body):
    draft_sha256: Annotated[Text, rule(pattern="^[0-9a-fA-F]{64}$",
                                       description="the sha256 of the draft that was checked")]


class ProposalDecision(Body):
    note: Annotated[Text, text(1000, "what was checked")]


class CheckRecording(Body):
    """a result other than present needs a note"""

    result: Annotated[Text, one_of(RESULTS)]
    note: Note = None


class ReviewRecording(Body):
    """change_needed needs a note"""

    outcome: Annotated[Text, one_of(OUTCOMES)]
    method: Annotated[Text, one_of(REVIEW_METHODS, "how the review was made: data_comparison 数据比对, home_visit "
                                                   "入户走访, self_report 个人主动申报 (422 MISSING_FIELD, UNKNOWN_METHOD)")]
    note: Note = None


# --- the applicant's progress, the SMS gateway -------------------------------------------------------------------

class SurvivalCheck(Body):
    """生存验证: one verification that the recipient is alive; a note is required unless found alive"""

    method: Annotated[Text, one_of(SURVIVAL_METHODS, "face 人脸识别, home_visit 入户走访, phone 电话核实")]
    on: Annotated[Text, rule(DATE, description="the day of the check, not after today (422 DATE_IN_FUTURE)")]
    result: Annotated[Text, one_of(SURVIVAL_RESULTS, "alive 在世, deceased 已死亡, not_verified 未能核实")]
    note: Annotated[Text | None, rule(maxLength=SURVIVAL_NOTE_MAX, description="what was found")] = None


class ProgressLookup(Body):
    model_config = ConfigDict(json_schema_extra={})  # the lookup ignores other fields and says so

    case_id: Annotated[Text, rule(pattern="^[A-Za-z0-9]{1,64}$", example="C20260924A1B2C3D4E5",
                                  description="the case number on the receipt (受理编号)")]
    id_suffix: Annotated[Text, rule(pattern="^[0-9]{5}[0-9Xx]$", example="011236",
                                    description="the last six characters of the applicant's ID number")]


class SelfReport(Body):
    """个人主动申报: a change reported by the recipient or the family; it becomes proposals for the 业务属地's
    reviewer, never a stop by itself ("other" needs a note)"""

    model_config = ConfigDict(json_schema_extra={})  # like the lookup, other fields are ignored

    case_id: Annotated[Text, rule(pattern="^[A-Za-z0-9]{1,64}$", example="C20260924A1B2C3D4E5",
                                  description="the case number on the receipt (受理编号)")]
    id_suffix: Annotated[Text, rule(pattern="^[0-9]{5}[0-9Xx]$", example="011236",
                                    description="the last six characters of the applicant's ID number")]
    change: Annotated[Text, one_of(CHANGES, "death 死亡, moved 户籍迁出, dibao_exit 退出低保, other 其他变化")]
    reporter: Annotated[Text, one_of(REPORTERS, "self 本人, family 家属")]
    note: Annotated[Text | None, rule(maxLength=NOTE_MAX, description="what changed and when (required for other)")] \
        = None
    contact: Annotated[Text | None, rule(pattern="^[0-9][0-9-]{4,19}$",
                                         description="a phone number the 业务属地 may call back")] = None


class SmsReceipt(Body):
    """a delivery receipt from the province's SMS gateway for one outbox message"""

    status: Annotated[Text, one_of(RECEIPT_STATUSES)]
    at: Annotated[Text, rule(format="date-time", example="2026-09-24T10:00:05+08:00",
                             description="when the gateway saw the outcome, with its offset")]
    error_code: Annotated[Text | None, rule(pattern="^[A-Za-z0-9_.:-]{1,64}$",
                                            description="the gateway's or carrier's code for a failure")] = None
    attempt: Annotated[StrictInt | None, rule(minimum=1, description="the outbox message's attempt number "
                                                                     "(default: the message's latest attempt)")] = None


MODELS: tuple[type[Body], ...] = (
    Applicant, Certificate, Agent, LowIncome, Application, MaterialDeclaration, GrantedSubsidy, Approval, Refusal,
    Decision, DecisionCorrection, Notification, Withdrawal, SupplementRequest, Supplement, CalendarYearLoad,
    CalendarCorrection,
    LocalItem, MaterialRule,
    NursingExtension, EligibilityRule, AmountRow, DibaoLine, AmountTable, ComparisonRule, RosterLoad, ComparisonRun,
    EntitlementStatusChange, EntitlementCorrection, RecoveryRecording, RosterFinalization, PaymentSetting, TimeLimits,
    ReviewOpinion, ReviewStep, ReviewChain,
    ContactRule,
    ProposalDecision, CheckRecording, ReviewRecording, ProgressLookup, SmsReceipt, EntitlementCommittee,
    SelfReport, SurvivalCheck,
)
BY_NAME: dict[str, type[Body]] = {model.__name__: model for model in MODELS}
