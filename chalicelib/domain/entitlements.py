"""Entitlements (补贴对象): what an approved subsidy becomes at the 业务属地, and its life after.

An entitlement is one person, one subsidy: the monthly amount (with its history of corrections),
the month payment starts (the application month), and a status — active, suspended or stopped —
each change carrying its reason and effective month (DOMAIN.md §3). The amount owed for any month
is derived from that history, never stored twice.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Mapping

from .errors import Conflict, Invalid

STATUSES = ("active", "suspended", "stopped")
_AMOUNT = re.compile(r"[0-9]{1,6}(\.[0-9]{1,2})?")
# status moves a person may confirm: 暂停, 终止 (应退则退), 恢复
MOVES: Mapping[str, tuple[frozenset[str], str]] = {
    "suspend": (frozenset({"active"}), "suspended"),
    "stop": (frozenset({"active", "suspended"}), "stopped"),
    "resume": (frozenset({"suspended"}), "active"),
}


@dataclass(frozen=True)
class Change:
    """One line of an entitlement's history: a status move or an amount correction."""

    kind: str  # approved | suspend | stop | resume | corrected
    effective_month: str
    reason: str
    by: str
    at: str
    status: str
    monthly_amount: str | None = None


@dataclass(frozen=True)
class Entitlement:
    entitlement_id: str
    case_id: str
    subsidy: str
    person_key: str
    masked_id: str
    name: str
    business_unit: str
    accepting_unit: str
    committee_unit: str | None
    start_month: str
    history: tuple[Change, ...]
    version: int = 0

    @property
    def status(self) -> str:
        return self.history[-1].status

    @property
    def monthly_amount(self) -> str:
        return next(c.monthly_amount for c in reversed(self.history) if c.monthly_amount is not None)

    def status_in(self, month: str) -> str:
        """The status that holds for ``month`` (changes take effect from their effective month)."""
        status = "none"
        for change in sorted(self.history, key=lambda c: (c.effective_month, c.at)):
            if change.effective_month <= month:
                status = change.status
        return status if month >= self.start_month else "none"

    def amount_in(self, month: str) -> Decimal:
        """Yuan owed for ``month``: the amount in force that month if active, else nothing."""
        if self.status_in(month) != "active":
            return Decimal("0.00")
        amount = None
        for change in sorted(self.history, key=lambda c: (c.effective_month, c.at)):
            if change.effective_month <= month and change.monthly_amount is not None:
                amount = change.monthly_amount
        return Decimal(amount or "0.00")


def entitlement_id(case_id: str, subsidy: str) -> str:
    return f"{case_id}-{subsidy}"


def from_decision(case_id: str, granted: Mapping[str, Any], person_key: str, masked_id: str, name: str,
                  business_unit: str, accepting_unit: str, committee_unit: str | None, by: str, at: str
                  ) -> Entitlement:
    """An approved subsidy becomes an active entitlement from the application month."""
    start = str(granted["start_month"])
    first = Change("approved", start, "approved by decision", by, at, "active", str(granted["monthly_amount"]))
    return Entitlement(entitlement_id(case_id, str(granted["type"])), case_id, str(granted["type"]), person_key,
                       masked_id, name, business_unit, accepting_unit, committee_unit, start, (first,))


def move(ent: Entitlement, action: str, effective_month: str, reason: str, by: str, at: str) -> Entitlement:
    """Suspend, stop or resume with a reason, from ``effective_month`` (a person confirms it)."""
    if action not in MOVES:
        raise Invalid("UNKNOWN_ACTION", f"action must be one of {sorted(MOVES)}", "action")
    sources, target = MOVES[action]
    if ent.status not in sources:
        raise Conflict("INVALID_TRANSITION", f"cannot {action} an entitlement that is {ent.status}", "status")
    if effective_month < ent.start_month:
        raise Invalid("MONTH_RANGE", "the effective month is before payment started", "effective_month")
    if not reason.strip():
        raise Invalid("MISSING_FIELD", "a reason is required", "reason")
    return replace(ent, history=ent.history + (Change(action, effective_month, reason, by, at, target),))


def correct(ent: Entitlement, effective_month: str, monthly_amount: str | None, status: str | None, reason: str,
            by: str, at: str) -> Entitlement:
    """纠错: a wrong amount or a wrong stop, corrected from a month, with the reason kept."""
    if not reason.strip():
        raise Invalid("MISSING_FIELD", "a correction needs a reason", "reason")
    if status is not None and status not in STATUSES:
        raise Invalid("UNKNOWN_STATUS", f"status must be one of {STATUSES}", "status")
    if monthly_amount is None and status is None:
        raise Invalid("NOTHING_TO_CORRECT", "give monthly_amount, status or both", "body")
    if monthly_amount is not None and not (_AMOUNT.fullmatch(monthly_amount) and Decimal(monthly_amount) > 0):
        raise Invalid("AMOUNT_FORMAT", "monthly_amount is yuan above zero as a decimal string such as \"99.00\"",
                      "monthly_amount")
    if effective_month < ent.start_month:
        raise Invalid("MONTH_RANGE", "the effective month is before payment started", "effective_month")
    amount = None if monthly_amount is None else f"{Decimal(monthly_amount):.2f}"
    change = Change("corrected", effective_month, reason, by, at, status or ent.status_in(effective_month), amount)
    return replace(ent, history=ent.history + (change,))


def difference(before: Entitlement, after: Entitlement, months: list[str]) -> tuple[Decimal, list[dict[str, str]]]:
    """What a correction changes over ``months`` (already paid): positive = owed to the person,
    negative = overpaid (应退则退), with the month-by-month detail."""
    detail, total = [], Decimal("0.00")
    for month in months:
        was, now = before.amount_in(month), after.amount_in(month)
        if was != now:
            detail.append({"month": month, "paid": f"{was:.2f}", "due": f"{now:.2f}", "difference": f"{now - was:.2f}"})
            total += now - was
    return total, detail
