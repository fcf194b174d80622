"""Reading what the window sends: the application (受理), decisions, notifications.

Each reader takes the decoded JSON and returns clean values, or raises a 400/422 naming the
field and the rule, before anything is stored.

Implements: 民办发〔2021〕2号 (DOMAIN.md §2) step 1 (the 受理地 records the application and its electronic materials),
step 3 (the 业务属地's decision) and step 5 (the applicant is notified "by suitable means": ``NOTIFICATION_METHODS``);
国发〔2015〕52号 (DOMAIN.md §1) for the two subsidies, the declared circumstances and exclusions (低保, 低保边缘, 特困供养,
工伤保险生活护理费, 孤儿基本生活保障), filing by an agent, and payment to the applicant's own account (社会化发放).
The field formats (phone, sizes, SHA-256) and the 补正 request are no statute: engineering rules of this API.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from msgspec import Struct

from ..errors import Invalid, Malformed
from ..identity import parse_certificate, validate_id_number
from ..rules.rules import is_material_code
from ..units import validate_township_unit
from ..values import check_name

SUBSIDY_TYPES = ("living", "nursing")  # 困难残疾人生活补贴, 重度残疾人护理补贴
SUBSIDY_NAMES = {"living": "困难残疾人生活补贴", "nursing": "重度残疾人护理补贴"}
AGENT_RELATIONSHIPS = frozenset(
    {"guardian", "spouse", "parent", "child", "sibling", "other_relative", "committee", "other"}
)
# What the applicant declares (the rosters confirm or contradict it): 低保, 低保边缘, 特困供养,
# 工伤保险生活护理费, 孤儿基本生活保障 (DOMAIN.md §1).
CIRCUMSTANCE_KEYS = ("dibao", "dibao_edge", "tekun", "work_injury_care", "orphan_support")
AREAS = ("urban", "rural")
NOTIFICATION_METHODS = frozenset({"sms", "phone", "in_person", "letter"})
ALLOWED_CONTENT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
# Per-type size limits: a scanned multi-page PDF may be large, a photo of a card need not be.
TYPE_LIMITS = {"application/pdf": 20 * 1024 * 1024, "image/jpeg": 8 * 1024 * 1024, "image/png": 8 * 1024 * 1024}
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_AMOUNT = re.compile(r"^\d{1,6}(\.\d{1,2})?$")


def _object(value: Any, field: str, required: bool = True) -> Mapping[str, Any] | None:
    if value is None and not required:
        return None
    if value is None:
        raise Malformed("MISSING_FIELD", f"{field} is required", field)
    if not isinstance(value, dict):
        raise Malformed("WRONG_TYPE", f"{field} must be an object", field)
    return value


def _text(body: Mapping[str, Any], key: str, field: str, required: bool = True, max_len: int = 200) -> str | None:
    value = body.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Malformed("MISSING_FIELD", f"{field} is required", field)
        return None
    if not isinstance(value, str):
        raise Malformed("WRONG_TYPE", f"{field} must be a string", field)
    if len(value) > max_len:
        raise Invalid("TOO_LONG", f"{field} is longer than {max_len} characters", field)
    return value.strip()


class Application(Struct, frozen=True):
    applicant: Mapping[str, Any]
    certificate: Mapping[str, Any]
    subsidies: tuple[str, ...]
    agent: Mapping[str, Any] | None
    low_income: Mapping[str, Any]

    @property
    def business_unit(self) -> str:
        return str(self.applicant["hukou_unit"])


def read_application(body: Any, today: date) -> Application:
    """The POST /cases body, checked field by field (API.md)."""
    body = _object(body, "body")
    assert body is not None
    person = _object(body.get("applicant"), "applicant")
    assert person is not None
    id_number = validate_id_number(person.get("id_number"), today, "applicant.id_number")
    phone = _text(person, "phone", "applicant.phone", required=False, max_len=20)
    if phone is not None and not _PHONE.match(phone):
        raise Invalid("PHONE_FORMAT", "applicant.phone is not a mobile or landline number", "applicant.phone")
    applicant = {
        "name": check_name(str(_text(person, "name", "applicant.name", max_len=50)), "applicant.name"),
        "id_number": id_number,
        "phone": phone,
        "hukou_unit": validate_township_unit(person.get("hukou_unit"), "applicant.hukou_unit"),
        "hukou_address": _text(person, "hukou_address", "applicant.hukou_address", required=False),
        "area": _area(person.get("area")),
        "committee_unit": _committee(person.get("committee_unit"), person.get("hukou_unit")),
        "bank_account": read_bank_account(person.get("bank_account"), "applicant.bank_account"),
    }
    cert = _object(body.get("certificate"), "certificate")
    assert cert is not None
    parsed = parse_certificate(cert.get("number"), cert.get("valid_until"), id_number, today, "certificate")
    certificate = {
        "number": parsed.number, "category": parsed.category, "grade": parsed.grade,
        "valid_until": parsed.valid_until.isoformat(),
    }
    return Application(
        applicant=applicant,
        certificate=certificate,
        subsidies=_subsidies(body.get("subsidies"), "subsidies"),
        agent=_agent(body.get("agent"), id_number, today),
        low_income=_low_income(body.get("low_income")),
    )


def _committee(value: Any, hukou_unit: Any) -> str:
    """The village or residents committee (12-digit code under the hukou unit) that checks the recipient each month
    (每月查询登记, DOMAIN.md §3): required, since a recipient without one is on no committee's list and never checked.
    A blank or missing one is 422 COMMITTEE_REQUIRED (the body's shape is not at fault: the applicant must say it)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid("COMMITTEE_REQUIRED", "applicant.committee_unit is required: the village or residents committee "
                      "(村/居委会, 12 digits under applicant.hukou_unit) that checks the recipient each month",
                      "applicant.committee_unit")
    if not isinstance(value, str) or len(value) != 12 or not value.isascii() or not value.isdigit():
        raise Invalid("UNIT_FORMAT", "applicant.committee_unit must be a 12-digit code", "applicant.committee_unit")
    if not value.startswith(str(hukou_unit)):
        raise Invalid("COMMITTEE_OUTSIDE_UNIT", "the committee must lie within applicant.hukou_unit",
                      "applicant.committee_unit")
    return value


def read_bank_account(value: Any, field: str) -> dict[str, str] | None:
    """Where the subsidy is paid (社会化发放: a bank or rural credit union account in the applicant's name):
    ``{bank: "中国农业银行哈尔滨道里支行", number: "6228 4800 1234 5678 901"}``; spaces and hyphens in the number
    are dropped, and it must then be 8 to 30 digits (a card, a passbook or an account number)."""
    account = _object(value, field, required=False)
    if account is None:
        return None
    unknown = set(account) - {"bank", "number"}
    if unknown:
        raise Invalid("UNKNOWN_FIELD", f"{sorted(unknown)[0]!r} is not one of bank, number", f"{field}.{sorted(unknown)[0]}")
    bank = _text(account, "bank", f"{field}.bank", max_len=60)
    raw = account.get("number")
    if not isinstance(raw, str):
        raise Malformed("MISSING_FIELD" if raw is None else "WRONG_TYPE", f"{field}.number is a string of digits",
                        f"{field}.number")
    number = raw.replace(" ", "").replace("-", "")
    if not (number.isascii() and number.isdigit() and 8 <= len(number) <= 30):
        raise Invalid("ACCOUNT_FORMAT", f"{field}.number must be 8 to 30 digits (spaces and hyphens allowed)",
                      f"{field}.number")
    assert bank is not None
    return {"bank": bank, "number": number}


def mask_account(number: str) -> str:
    """Only the last four digits: the full number is for the roster alone."""
    return "*" * max(len(number) - 4, 0) + number[-4:]


def _area(value: Any) -> str | None:
    """城市 or 农村, where the 业务属地 grades its standard by it."""
    if value is None:
        return None
    if not isinstance(value, str) or value not in AREAS:
        raise Invalid("UNKNOWN_AREA", "applicant.area must be urban or rural", "applicant.area")
    return value


def _subsidies(value: Any, field: str) -> tuple[str, ...]:
    if value is None:
        raise Malformed("MISSING_FIELD", f"{field} is required", field)
    if not isinstance(value, list) or not value:
        raise Invalid("SUBSIDIES_EMPTY", f"{field} must list at least one subsidy", field)
    for index, item in enumerate(value):
        if item not in SUBSIDY_TYPES:
            raise Invalid("UNKNOWN_SUBSIDY", f"{item!r} is not one of {', '.join(SUBSIDY_TYPES)}", f"{field}[{index}]")
    if len(set(value)) != len(value):
        raise Invalid("DUPLICATE_SUBSIDY", f"{field} names a subsidy twice", field)
    return tuple(t for t in SUBSIDY_TYPES if t in value)


def _agent(value: Any, applicant_id: str, today: date) -> Mapping[str, Any] | None:
    agent = _object(value, "agent", required=False)
    if agent is None:
        return None
    agent_id = validate_id_number(agent.get("id_number"), today, "agent.id_number")
    if agent_id == applicant_id:
        raise Invalid("AGENT_IS_APPLICANT", "the agent cannot be the applicant", "agent.id_number")
    relationship = agent.get("relationship")
    if not isinstance(relationship, str) or relationship not in AGENT_RELATIONSHIPS:
        raise Invalid("UNKNOWN_RELATIONSHIP", f"agent.relationship must be one of {sorted(AGENT_RELATIONSHIPS)}",
                      "agent.relationship")
    name = check_name(str(_text(agent, "name", "agent.name", max_len=50)), "agent.name")
    return {"name": name, "id_number": agent_id, "relationship": relationship}


def _low_income(value: Any) -> Mapping[str, Any]:
    low = _object(value, "low_income", required=False) or {}
    result: dict[str, bool] = {}
    for key in CIRCUMSTANCE_KEYS:
        if key in low:
            if not isinstance(low[key], bool):
                raise Malformed("WRONG_TYPE", f"low_income.{key} must be true or false", f"low_income.{key}")
            result[key] = low[key]
    unknown = set(low) - set(CIRCUMSTANCE_KEYS)
    if unknown:
        raise Invalid("UNKNOWN_FIELD", f"low_income has unknown keys {sorted(unknown)}", "low_income")
    return result


class MaterialDeclaration(Struct, frozen=True):
    code: str
    filename: str
    content_type: str
    size: int
    sha256: str


def read_material(body: Any, max_bytes: int) -> MaterialDeclaration:
    body = _object(body, "body")
    assert body is not None
    code = _text(body, "code", "code", max_len=40)
    if code is None or not is_material_code(code):  # or a local item's: register_material checks the notice
        raise Invalid("UNKNOWN_MATERIAL", f"{code!r} is not a material code", "code")
    filename = _text(body, "filename", "filename", max_len=200)
    assert filename is not None
    if "/" in filename or "\\" in filename or filename.startswith("."):
        raise Invalid("FILENAME", "filename must be a plain file name", "filename")
    content_type = _text(body, "content_type", "content_type", max_len=100)
    if content_type not in ALLOWED_CONTENT_TYPES:
        raise Invalid("CONTENT_TYPE_NOT_ALLOWED", f"content_type must be one of {sorted(ALLOWED_CONTENT_TYPES)}",
                      "content_type")
    size = body.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise Invalid("SIZE", "size must be a positive number of bytes", "size")
    limit = min(max_bytes, TYPE_LIMITS[content_type])
    if size > limit:
        raise TooLargeMaterial(limit)
    sha256 = _text(body, "sha256", "sha256", max_len=64)
    if sha256 is None or not _SHA256.match(sha256.lower()):
        raise Invalid("SHA256_FORMAT", "sha256 must be 64 hex characters", "sha256")
    return MaterialDeclaration(code, filename, content_type, size, sha256.lower())


class TooLargeMaterial(Exception):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes)
        self.max_bytes = max_bytes


def read_decision(body: Any, requested: tuple[str, ...], start_month: str) -> dict[str, Any]:
    """资格认定. ``reason``: on a rejection why; on an approval that grants fewer subsidies than were applied for,
    required, why the others are not granted (``not_granted``: each such subsidy with that reason); on a full
    approval an optional note (说明)."""
    body = _object(body, "body")
    assert body is not None
    outcome = body.get("outcome")
    if outcome not in ("approved", "rejected"):
        raise Invalid("UNKNOWN_OUTCOME", "outcome must be approved or rejected", "outcome")
    reason = _text(body, "reason", "reason", required=outcome == "rejected", max_len=1000)
    raw = body.get("subsidies", [])
    if not isinstance(raw, list):
        raise Malformed("WRONG_TYPE", "subsidies must be a list", "subsidies")
    if outcome == "rejected" and raw:
        raise Invalid("SUBSIDIES_ON_REJECTION", "a rejection grants no subsidies", "subsidies")
    if outcome == "approved" and not raw:
        raise Invalid("SUBSIDIES_EMPTY", "an approval names at least one subsidy", "subsidies")
    granted = [_granted(item, f"subsidies[{i}]", requested, start_month) for i, item in enumerate(raw)]
    if len({g["type"] for g in granted}) != len(granted):
        raise Invalid("DUPLICATE_SUBSIDY", "subsidies names a subsidy twice", "subsidies")
    override = _text(body, "override_reason", "override_reason", required=False, max_len=1000)
    # a partial approval is a partial refusal: what was applied for and not granted needs its reason (notice, SMS)
    left_out = [kind for kind in requested if kind not in {g["type"] for g in granted}]
    if outcome == "approved" and left_out and reason is None:
        raise Invalid("NOT_GRANTED_REASON_MISSING", f"the approval leaves out {', '.join(left_out)}, applied for: "
                      "reason must say why it is not granted", "reason")
    return {"outcome": outcome, "subsidies": granted, "reason": reason, "override_reason": override,
            "not_granted": [{"type": kind, "reason": reason} for kind in left_out]}


def _granted(item: Any, field: str, requested: tuple[str, ...], start_month: str) -> dict[str, Any]:
    """One granted subsidy; ``monthly_amount`` may be left out where the 业务属地 has an amount
    table (the decision then computes it), and is checked against the table when given."""
    item = _object(item, field)
    assert item is not None
    kind = item.get("type")
    if kind not in SUBSIDY_TYPES:
        raise Invalid("UNKNOWN_SUBSIDY", f"{kind!r} is not one of {', '.join(SUBSIDY_TYPES)}", f"{field}.type")
    if kind not in requested:
        raise Invalid("SUBSIDY_NOT_REQUESTED", f"the applicant did not apply for {kind}", f"{field}.type")
    amount = item.get("monthly_amount")
    if amount is None:
        return {"type": kind, "monthly_amount": None, "start_month": start_month}
    if not isinstance(amount, str) or not _AMOUNT.match(amount):
        raise Invalid("AMOUNT_FORMAT", "monthly_amount is yuan as a decimal string such as \"99.00\"",
                      f"{field}.monthly_amount")
    try:
        value = Decimal(amount)
    except InvalidOperation:  # pragma: no cover - the pattern already guarantees a number
        raise Invalid("AMOUNT_FORMAT", "monthly_amount is not a number", f"{field}.monthly_amount") from None
    if value <= 0:
        raise Invalid("AMOUNT_NOT_POSITIVE", "monthly_amount must be above zero", f"{field}.monthly_amount")
    return {"type": kind, "monthly_amount": f"{value:.2f}", "start_month": start_month}


def read_notification(body: Any) -> dict[str, Any]:
    body = _object(body, "body")
    assert body is not None
    method = body.get("method")
    if not isinstance(method, str) or method not in NOTIFICATION_METHODS:
        raise Invalid("UNKNOWN_METHOD", f"method must be one of {sorted(NOTIFICATION_METHODS)}", "method")
    return {"method": method, "note": _text(body, "note", "note", required=False, max_len=500)}


def read_withdrawal(body: Any) -> dict[str, Any]:
    body = _object(body, "body")
    assert body is not None
    return {"reason": _text(body, "reason", "reason", max_len=500)}


def read_supplement_request(body: Any) -> dict[str, Any]:
    """补正: what the 业务属地 still needs, item by item (a material code where one applies)."""
    body = _object(body, "body")
    assert body is not None
    raw = body.get("items")
    if not isinstance(raw, list) or not raw:
        raise Invalid("SUPPLEMENT_ITEMS_EMPTY", "items must list at least one missing item", "items")
    if len(raw) > 20:
        raise Invalid("TOO_MANY_ITEMS", "at most 20 items per supplement request", "items")
    items = []
    for index, entry in enumerate(raw):
        field = f"items[{index}]"
        entry = _object(entry, field)
        assert entry is not None
        code = entry.get("code")
        if code is not None and not is_material_code(code):
            raise Invalid("UNKNOWN_MATERIAL", f"{code!r} is not a material code", f"{field}.code")
        items.append({"code": code, "description": _text(entry, "description", f"{field}.description", max_len=300)})
    return {"items": items, "note": _text(body, "note", "note", required=False, max_len=500)}


def read_supplement(body: Any) -> dict[str, Any]:
    body = _object(body, "body") if body is not None else {}
    assert body is not None
    return {"note": _text(body, "note", "note", required=False, max_len=500)}
