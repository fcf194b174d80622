"""Entitlements (补贴对象): what an approved subsidy becomes at the 业务属地, and its life after (DOMAIN.md §3).

An entitlement is one person and one subsidy, paid from the month of application (补贴资格审定合格的，自递交申请当月
由业务属地计发补贴, 黑民发〔2021〕6号 四(二)). Everything else about it is a history of changes, each recorded at a time
and taking effect from its effective month: the decision, suspensions, stops and resumptions (民发〔2022〕79号:
暂停, 终止, 恢复), corrections (纠错) of the status, the amount or the facts a province's standard depends on, and
changes of the village or residents committee that checks the recipient each month (每月查询登记).

What holds for a month is *in force*: for each kind of fact (status, pricing, the person's facts) the latest change
of that kind effective on or before the month, a later recording winning within one month. Never the last change
recorded: a correction back-dated to before a stop does not undo the stop (correct from the stop's month to do
that). What is owed for a month follows from this history and the amount tables alone (``owed.owed``).

Implements: 黑民发〔2021〕6号 四(二) (paid from the application month) and the supervision of DOMAIN.md §3
(黑民发〔2021〕6号 四(三); 民发〔2022〕79号: 暂停, 终止, 恢复, 纠错容错), each change effective from a month.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal
from functools import cached_property
from typing import Any, Mapping

from msgspec import Struct
from msgspec.structs import replace

from ..errors import Conflict, Invalid
from ..values import add_months, parse_month

STATUSES = ("active", "suspended", "stopped")
PRICINGS = ("table", "stated")  # the 业务属地's amount table, or an amount a reviewer stated with a reason
FACT_KEYS = ("category", "grade", "low_income", "area")  # what a standard may be graded by (domain.rules.amounts.Person)
LOW_INCOME = ("dibao", "dibao_edge")
AREAS = ("urban", "rural")
# status moves a person may confirm, by the status in force in their effective month: 暂停, 终止 (应退则退), 恢复
MOVES: Mapping[str, tuple[frozenset[str], str]] = {
    "suspend": (frozenset({"active"}), "suspended"),
    "stop": (frozenset({"active", "suspended"}), "stopped"),
    "resume": (frozenset({"suspended"}), "active"),
}
_AMOUNT = re.compile(r"[0-9]{1,6}(\.[0-9]{1,2})?")
COMMITTEE_CHANGE = "committee"
SURVIVAL_CHECK = "survival_check"  # 生存验证 (domain/supervision/survival.py): a record, nothing in force changes
MAX_REASON = 1000


class Change(Struct, frozen=True):
    """One line of the history. ``status``, ``pricing`` and ``facts`` are None where this change leaves them."""

    kind: str  # approved | suspend | stop | resume | corrected | committee
    effective_month: str
    reason: str
    by: str
    at: str
    status: str | None = None
    pricing: str | None = None
    monthly_amount: str | None = None  # with pricing "stated": yuan a month
    facts: Mapping[str, Any] | None = None
    committee: str | None = None  # kind "committee": the committee from effective_month on
    previous_committee: str | None = None  # kind "committee": the one it replaces (None: there was none)
    check: Mapping[str, Any] | None = None  # kind "survival_check": {method, on, result, note, unit}

    def as_dict(self) -> dict[str, Any]:
        shown = {"kind": self.kind, "effective_month": self.effective_month, "reason": self.reason, "by": self.by,
                 "at": self.at, "status": self.status, "pricing": self.pricing, "monthly_amount": self.monthly_amount,
                 "facts": dict(self.facts) if self.facts is not None else None}
        if self.kind == COMMITTEE_CHANGE:
            shown.update(committee=self.committee, previous_committee=self.previous_committee)
        if self.kind == SURVIVAL_CHECK:
            shown.update(check=dict(self.check or {}))
        return shown


class Pricing(Struct, frozen=True):
    """How a month is priced: the table (``amount`` None) or an amount a reviewer stated (with why and who)."""

    basis: str
    amount: Decimal | None
    change: Change


class InForce(Struct, frozen=True):
    """What holds from one effective month on: the status, the change that prices it, the person's facts."""

    status: str
    pricing: Change | None
    facts: Mapping[str, Any]


class Entitlement(Struct, frozen=True, dict=True):  # dict: room for the cached _timeline
    entitlement_id: str
    case_id: str
    subsidy: str
    person_key: str
    masked_id: str
    name: str
    business_unit: str
    accepting_unit: str
    committee_unit: str | None  # the committee set last (the approval's, or the latest change's): see committee_in
    start_month: str
    history: tuple[Change, ...]
    version: int = 0
    birth: str | None = None  # YYYY-MM-DD, for age bands (from the ID number at approval)
    account: Mapping[str, str] | None = None  # {bank, number}: where the subsidy is paid (社会化发放)
    id_number: str | None = None  # full: printed on a roster only where the province asks; never in a view or log

    def in_effect_order(self) -> list[Change]:
        """The history by effective month, then by the time each change was recorded."""
        return list(self._timeline[0])

    @cached_property
    def _timeline(self) -> tuple[tuple[Change, ...], list[str], list[InForce]]:
        """The ordered history, and what is in force from each effective month on (computed once: a roster asks
        every month of every entitlement)."""
        ordered = tuple(sorted(self.history, key=lambda change: (change.effective_month, change.at)))
        months: list[str] = []
        states: list[InForce] = []
        state = InForce("none", None, {})
        for change in ordered:
            state = InForce(change.status if change.status is not None else state.status,
                            change if change.pricing is not None else state.pricing,
                            {**state.facts, **(change.facts or {})})
            if months and months[-1] == change.effective_month:
                states[-1] = state
            else:
                months.append(change.effective_month)
                states.append(state)
        return ordered, months, states

    def _in_force(self, month: str) -> InForce:
        ordered, months, states = self._timeline
        index = bisect_right(months, month) - 1
        return states[index] if index >= 0 else InForce("none", None, {})

    def status_in(self, month: str) -> str:
        """The status in force in ``month``: ``none`` before payment started."""
        return "none" if month < self.start_month else self._in_force(month).status

    def pricing_in(self, month: str) -> Pricing:
        """The pricing in force in ``month`` (the decision's, or the latest correction's)."""
        found = self._in_force(max(month, self.start_month)).pricing
        assert found is not None, "an entitlement's first change prices it"
        amount = Decimal(found.monthly_amount) if found.pricing == "stated" and found.monthly_amount else None
        return Pricing(found.pricing or "table", amount, found)

    def facts_in(self, month: str) -> dict[str, Any]:
        """The person's facts in force in ``month``: those of the decision, changed by later corrections."""
        return dict(self._in_force(max(month, self.start_month)).facts)

    def committee_in(self, month: str) -> str | None:
        """The committee whose 查询登记 list of ``month`` holds this entitlement: the latest committee change effective
        on or before ``month``; before any, the committee it was approved with (which the first change replaced)."""
        changes = [c for c in self.in_effect_order() if c.kind == COMMITTEE_CHANGE]
        in_force = [c for c in changes if c.effective_month <= month]
        if in_force:
            return in_force[-1].committee
        return changes[0].previous_committee if changes else self.committee_unit

    def release_month(self) -> str | None:
        """The month from which the entitlement is stopped for good (the person may hold another from then on),
        or None while any month from some point on is active or suspended."""
        by_month: dict[str, str] = {}
        for change in self.in_effect_order():
            if change.status is not None:
                by_month[change.effective_month] = change.status
        released = None
        for month in sorted(by_month):
            if by_month[month] == "stopped":
                released = released or month
            else:
                released = None
        return max(released, self.start_month) if released else None


def entitlement_id(case_id: str, subsidy: str) -> str:
    return f"{case_id}-{subsidy}"


def read_facts(value: object, field: str) -> dict[str, Any]:
    """Facts a correction changes: {category?: 1-7, grade?: 1-4, low_income?: dibao|dibao_edge|null, area?}."""
    if not isinstance(value, dict) or not value:
        raise Invalid("WRONG_TYPE", f"{field} must be an object naming at least one of {', '.join(FACT_KEYS)}", field)
    facts: dict[str, Any] = {}
    for key, item in value.items():
        where = f"{field}.{key}"
        if key in ("category", "grade"):
            high = 7 if key == "category" else 4
            if not isinstance(item, int) or isinstance(item, bool) or not 1 <= item <= high:
                raise Invalid(f"{key.upper()}_FORMAT", f"{where} must be a whole number 1..{high}", where)
        elif key == "low_income":
            if item is not None and item not in LOW_INCOME:
                raise Invalid("UNKNOWN_LOW_INCOME", f"{where} must be dibao, dibao_edge or null", where)
        elif key == "area":
            if item is not None and item not in AREAS:
                raise Invalid("UNKNOWN_AREA", f"{where} must be urban, rural or null", where)
        else:
            raise Invalid("UNKNOWN_FIELD", f"{key!r} is not one of {', '.join(FACT_KEYS)}", where)
        facts[key] = item
    return facts


def read_amount(value: object, field: str) -> str:
    """Yuan above zero as a decimal string ("99.00"), normalised to two places."""
    if not isinstance(value, str) or not _AMOUNT.fullmatch(value) or Decimal(value) <= 0:
        raise Invalid("AMOUNT_FORMAT", f"{field} is yuan above zero as a decimal string such as \"99.00\"", field)
    return f"{Decimal(value):.2f}"


def from_decision(case_id: str, granted: Mapping[str, Any], person_key: str, masked_id: str, name: str,
                  business_unit: str, accepting_unit: str, committee_unit: str | None, by: str, at: str,
                  facts: Mapping[str, Any] | None = None, birth: str | None = None,
                  account: Mapping[str, str] | None = None, id_number: str | None = None) -> Entitlement:
    """An approved subsidy becomes an active entitlement from the application month, priced as decided: by the
    table, or at the amount the reviewer stated (``granted["pricing"] == "stated"``, with the override's reason)."""
    start = str(granted["start_month"])
    stated = granted.get("pricing") == "stated"
    reason = str(granted.get("stated_reason") or "approved by decision") if stated else "approved by decision"
    first = Change("approved", start, reason, by, at, status="active", pricing="stated" if stated else "table",
                   monthly_amount=str(granted["monthly_amount"]) if stated else None, facts=dict(facts or {}))
    return Entitlement(entitlement_id(case_id, str(granted["type"])), case_id, str(granted["type"]), person_key,
                       masked_id, name, business_unit, accepting_unit, committee_unit, start, (first,),
                       birth=birth, account=dict(account) if account else None, id_number=id_number)


def _check_month(ent: Entitlement, month: str) -> None:
    parse_month(month, "effective_month")
    if month < ent.start_month:
        raise Invalid("MONTH_RANGE", f"the effective month is before payment started ({ent.start_month})",
                      "effective_month")


def _reason(reason: str) -> str:
    if not reason.strip():
        raise Invalid("MISSING_FIELD", "a reason is required", "reason")
    return reason.strip()


def allowed_moves(ent: Entitlement, month: str) -> list[str]:
    """The status moves allowed from ``month`` on, by the status in force in that month."""
    return [action for action, (sources, _) in MOVES.items() if ent.status_in(month) in sources]


def move(ent: Entitlement, action: str, effective_month: str, reason: str, by: str, at: str) -> Entitlement:
    """Suspend, stop or resume with a reason, from ``effective_month`` (a person confirms it)."""
    if action not in MOVES:
        raise Invalid("UNKNOWN_ACTION", f"action must be one of {sorted(MOVES)}", "action")
    _check_month(ent, effective_month)
    sources, target = MOVES[action]
    status = ent.status_in(effective_month)
    if status not in sources:
        raise Conflict("INVALID_TRANSITION", f"cannot {action} an entitlement that is {status} in {effective_month}",
                       "status")
    change = Change(action, effective_month, _reason(reason), by, at, status=target)
    return replace(ent, history=ent.history + (change,))


def correct(ent: Entitlement, effective_month: str, reason: str, by: str, at: str, *, status: str | None = None,
            monthly_amount: str | None = None, pricing: str | None = None,
            facts: Mapping[str, Any] | None = None) -> Entitlement:
    """纠错 (民发〔2022〕79号 纠错容错): a wrong status, amount or fact corrected from a month, the reason kept.
    ``monthly_amount`` states an amount from that month on; ``pricing="table"`` returns to the table."""
    _check_month(ent, effective_month)
    reason = _reason(reason)
    if status is not None and status not in STATUSES:
        raise Invalid("UNKNOWN_STATUS", f"status must be one of {', '.join(STATUSES)}", "status")
    if pricing is not None and pricing not in PRICINGS:
        raise Invalid("UNKNOWN_PRICING", f"pricing must be one of {', '.join(PRICINGS)}", "pricing")
    if monthly_amount is not None and pricing == "table":
        raise Invalid("AMOUNT_OR_TABLE", "give monthly_amount or pricing \"table\", not both", "pricing")
    if pricing == "stated" and monthly_amount is None:
        raise Invalid("MISSING_FIELD", "a stated pricing needs monthly_amount", "monthly_amount")
    if status is None and monthly_amount is None and pricing is None and not facts:
        raise Invalid("NOTHING_TO_CORRECT", "give status, monthly_amount, pricing or facts", "body")
    amount = None if monthly_amount is None else read_amount(monthly_amount, "monthly_amount")
    change = Change("corrected", effective_month, reason, by, at, status=status,
                    pricing="stated" if amount is not None else pricing, monthly_amount=amount,
                    facts=dict(facts) if facts else None)
    return replace(ent, history=ent.history + (change,))


# --- the committee (每月查询登记) ---------------------------------------------------------------------------------

class CommitteeChange(Struct, frozen=True):
    """What a reviewer asks: the committee, why, and (optionally) the version of the entitlement they read."""

    committee: str
    reason: str
    version: int | None


def read_committee_change(body: object, business_unit: str) -> CommitteeChange:
    """``{committee, reason, version?}``: a 12-digit committee within the entitlement's 业务属地, the reason, and the
    version the reviewer saw (a later one is refused: the change was made against what is no longer so)."""
    if not isinstance(body, dict):
        raise Invalid("WRONG_TYPE", "the body must be an object {committee, reason, version?}", "body")
    committee = body.get("committee")
    if committee is None:
        raise Invalid("MISSING_FIELD", "committee is required", "committee")
    if not isinstance(committee, str) or len(committee) != 12 or not committee.isascii() or not committee.isdigit():
        raise Invalid("UNIT_FORMAT", "committee must be a 12-digit village or residents committee code", "committee")
    if not committee.startswith(business_unit):
        raise Invalid("COMMITTEE_OUTSIDE_UNIT", f"the committee must lie within the 业务属地 {business_unit}",
                      "committee")
    raw = body.get("reason")
    if raw is not None and not isinstance(raw, str):
        raise Invalid("WRONG_TYPE", "reason must be text", "reason")
    reason = _reason(raw or "")
    if len(reason) > MAX_REASON:
        raise Invalid("TOO_LONG", f"reason is longer than {MAX_REASON} characters", "reason")
    version = body.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool) or version < 0):
        raise Invalid("WRONG_TYPE", "version must be the whole number GET /entitlements/{id} answered", "version")
    return CommitteeChange(committee, reason, version)


def change_committee(ent: Entitlement, committee: str, reason: str, by: str, at: str, this_month: str) -> Entitlement:
    """Set or change the committee that checks the recipient, from the month after ``this_month`` (the month of
    ``at``): this month's list was issued at the committee in force (or may be, by a re-run of the month), so a change
    never puts one recipient on two lists of one month; the next monthly list follows it. The committee set last
    again changes nothing."""
    if committee == ent.committee_unit:
        return ent
    effective = max(add_months(parse_month(this_month), 1), ent.start_month)
    change = Change(COMMITTEE_CHANGE, effective, _reason(reason), by, at, committee=committee,
                    previous_committee=ent.committee_unit)
    return replace(ent, committee_unit=committee, history=ent.history + (change,))
