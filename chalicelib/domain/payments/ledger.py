"""The ledger of what was paid: owed − paid, month by month, whatever the order of events.

A finalized roster records, for every entitlement it paid, the months it settled and how much for each (a
``Payment``). A recovery (追回) records money that came back and the overpaid months it settles. For an
entitlement and a month, ``paid`` is what rosters paid for that month less what was recovered for it; the
month's balance against ``owed`` (domain.payments.owed) is then:

- ``due`` = owed − paid when positive: the next roster pays it (arrears of a late approval, a roster built before
  the approval, a correction upwards, a resumption back-dated, a month the table did not cover yet);
- ``over`` = paid − owed when positive: a debt (应退则退, 民发〔2022〕79号), never netted against anything; it is
  listed for the 业务属地 to recover, and recording the recovery settles it.

So for every month m: paid(m) + due(m) − over(m) = owed(m), and a roster never pays a month twice: it pays only
what is due, and what it pays is then paid.

Implements: 黑民发〔2021〕6号 四(二) (owed from the application month, via domain.payments.owed) and 民发〔2022〕79号
(应退则退: an overpaid month is a debt to recover). That a month is never paid twice is no statute: an engineering rule.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from msgspec import Struct
from msgspec.structs import replace

from ..errors import Conflict, Invalid
from ..values import months_from
from .entitlements import Entitlement
from .owed import ZERO, Owed, Standards, owed

_AMOUNT = re.compile(r"[0-9]{1,7}(\.[0-9]{1,2})?")
Months = tuple[tuple[str, Decimal], ...]


class Payment(Struct, frozen=True):
    """What one finalized roster (``roster``: its month, ``seq``: the unit's finalization number) paid."""

    roster: str
    seq: int
    months: Months


class Recovery(Struct, frozen=True):
    """Money recovered (追回) from the person, and the overpaid months it settles, oldest first."""

    recovery_id: str
    amount: Decimal
    received_on: str
    reason: str
    by: str
    at: str
    months: Months


class Ledger(Struct, frozen=True):
    entitlement_id: str
    payments: tuple[Payment, ...] = ()
    recoveries: tuple[Recovery, ...] = ()
    version: int = 0

    @property
    def applied_seq(self) -> int:
        """The unit's last finalization applied to this ledger (0: none)."""
        return max((payment.seq for payment in self.payments), default=0)

    def paid(self) -> dict[str, Decimal]:
        """Net paid per month: paid by rosters, less recovered."""
        net: dict[str, Decimal] = {}
        for payment in self.payments:
            for month, amount in payment.months:
                net[month] = net.get(month, ZERO) + amount
        for recovery in self.recoveries:
            for month, amount in recovery.months:
                net[month] = net.get(month, ZERO) - amount
        return net

    def paid_total(self, through: str) -> Decimal:
        return sum((amount for month, amount in self.paid().items() if month <= through), ZERO)


class Balance(Struct, frozen=True):
    """One month: owed (None: unknown yet), paid, and what is due to the person or over-paid."""

    month: str
    owed: Owed
    paid: Decimal

    @property
    def due(self) -> Decimal:
        if self.owed.amount is None:
            return ZERO
        return max(ZERO, self.owed.amount - self.paid)

    @property
    def over(self) -> Decimal:
        owed_amount = self.owed.amount if self.owed.amount is not None else self.paid  # unknown: not a debt yet
        return max(ZERO, self.paid - owed_amount)


def balances(ent: Entitlement, ledger: Ledger, through: str, standards: Standards) -> list[Balance]:
    """Every month from the application month through ``through``, and any later month already paid."""
    paid = ledger.paid()
    last = max([through, *(month for month, amount in paid.items() if amount)])
    return [Balance(month, owed(ent, month, standards), paid.get(month, ZERO))
            for month in months_from(ent.start_month, last)]


class Settlement(Struct, frozen=True):
    """What the roster of ``month`` pays one entitlement: the month itself and the arrears before it."""

    month: str
    months: Months  # every month settled, with what is paid for it
    held: tuple[tuple[str, str], ...] = ()  # (month, problem): owed an amount the table does not give yet

    @property
    def monthly(self) -> Decimal:
        return sum((amount for month, amount in self.months if month == self.month), ZERO)

    @property
    def back_pay(self) -> Decimal:
        return sum((amount for month, amount in self.months if month < self.month), ZERO)

    @property
    def total(self) -> Decimal:
        return self.monthly + self.back_pay


def settle(ent: Entitlement, ledger: Ledger, month: str, standards: Standards) -> Settlement:
    """The roster of ``month``: everything due for the months up to and including ``month``."""
    return account(ent, ledger, month, standards)[0]


def debt(ent: Entitlement, ledger: Ledger, through: str, standards: Standards) -> Months:
    """The overpaid months (应退则退), oldest first, with how much was over-paid for each."""
    return account(ent, ledger, through, standards)[1]


def account(ent: Entitlement, ledger: Ledger, month: str, standards: Standards) -> tuple[Settlement, Months]:
    """Both sides of the balance in one pass: what the roster of ``month`` settles, and the over-paid months."""
    due: list[tuple[str, Decimal]] = []
    held: list[tuple[str, str]] = []
    over: list[tuple[str, Decimal]] = []
    for balance in balances(ent, ledger, month, standards):
        if balance.over > 0:
            over.append((balance.month, balance.over))
        if balance.month > month:
            continue
        if balance.owed.amount is None:
            held.append((balance.month, balance.owed.problem or "NO_AMOUNT_STANDARD"))
        elif balance.due > 0:
            due.append((balance.month, balance.due))
    return Settlement(month, tuple(due), tuple(held)), tuple(over)


def apply_payment(ledger: Ledger, roster: str, seq: int, months: Months) -> Ledger:
    """The ledger after a finalized roster paid ``months``; the same finalization applied twice changes nothing."""
    if seq <= ledger.applied_seq:
        return ledger
    return Ledger(ledger.entitlement_id, ledger.payments + (Payment(roster, seq, months),), ledger.recoveries,
                  ledger.version)


def read_recovery(body: object) -> tuple[Decimal, str, str]:
    """``{amount: "90.00", received_on: "2026-12-03", reason}`` → (amount, day, reason), else 422 naming the field."""
    if not isinstance(body, dict):
        raise Invalid("WRONG_TYPE", "the body must be an object", "body")
    amount = body.get("amount")
    if not isinstance(amount, str) or not _AMOUNT.fullmatch(amount) or Decimal(amount) <= 0:
        raise Invalid("AMOUNT_FORMAT", "amount is yuan above zero as a decimal string such as \"90.00\"", "amount")
    received = body.get("received_on")
    try:
        day = date.fromisoformat(received) if isinstance(received, str) and len(received) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise Invalid("DATE_FORMAT", "received_on must be a date YYYY-MM-DD", "received_on")
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise Invalid("MISSING_FIELD", "a reason is required (what the money is and how it came back)", "reason")
    if len(reason) > 500:
        raise Invalid("TOO_LONG", "reason is longer than 500 characters", "reason")
    return Decimal(amount).quantize(ZERO), day.isoformat(), reason.strip()


def record_recovery(ent: Entitlement, ledger: Ledger, recovery: Recovery, through: str,
                    standards: Standards) -> Ledger:
    """Settle overpaid months, oldest first, with money recovered (``recovery.months`` is filled in here); more
    than the debt is refused (409)."""
    remaining = recovery.amount
    settled: list[tuple[str, Decimal]] = []
    owing = debt(ent, ledger, through, standards)
    total_debt = sum((amount for _, amount in owing), ZERO)
    if remaining > total_debt:
        raise Conflict("RECOVERY_EXCEEDS_DEBT", f"the debt is {total_debt:.2f} yuan; {remaining:.2f} is more",
                       "amount")
    for month, amount in owing:
        if remaining <= 0:
            break
        part = min(amount, remaining)
        settled.append((month, part))
        remaining -= part
    entry = replace(recovery, months=tuple(settled))
    return Ledger(ledger.entitlement_id, ledger.payments, ledger.recoveries + (entry,), ledger.version)
