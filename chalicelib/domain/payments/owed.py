"""What is owed: the one function that says, for an entitlement and a month, what the 业务属地 owes for that month.

From the application month on (自递交申请当月计发, 黑民发〔2021〕6号 四(二)), a month is owed when the entitlement is
active in it (the status in force, ``Entitlement.status_in``); the amount is the one a reviewer stated, or the
standard of the province's or city's table in force on the 1st of that month for the person's facts in force then
(grade, category, 低保 or 低保边缘, area) and their age that month (``domain.rules.amounts.standard_in_force``). Nothing
else enters: the decision's back pay, the result notice, the entitlement's view, corrections and every roster line
are computed here.

A month for which the table has no standard (a gap, or a row ending with nothing after it) is owed an unknown
amount: ``amount`` None with the problem named. It is never paid as zero; the roster holds it until the table
covers it, then pays it as arrears.

Implements: 黑民发〔2021〕6号 四(二) (自递交申请当月计发; DOMAIN.md §1, §2 step 6) and the province's graded standard of
国发〔2015〕52号 (DOMAIN.md §1). Holding a month the table does not cover, never paying it as zero, is no statute: an
engineering rule (DOMAIN.md §7: the figures are configured data).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Sequence

from msgspec import Struct

from ..errors import Invalid
from ..rules.amounts import AmountTable, Person, Standard, age_on, standard_in_force
from ..values import months_from
from .entitlements import Entitlement

ZERO = Decimal("0.00")


class Owed(Struct, frozen=True):
    month: str
    status: str  # in force that month: active | suspended | stopped | none (before the start)
    amount: Decimal | None  # None: active, but no standard in force (``problem`` says why)
    basis: str  # the table row, or who stated the amount and why, or the status
    problem: str | None = None


class Standards:
    """The amount tables of one 业务属地's province and city, with each (subsidy, month, person) looked up once:
    a roster asks the same question for thousands of recipients. Pure: the cache only remembers answers."""

    __slots__ = ("tables", "_memo")

    def __init__(self, tables: Sequence[AmountTable]) -> None:
        self.tables = tables
        self._memo: dict[tuple[object, ...], Standard | Invalid] = {}

    def __repr__(self) -> str:
        return f"Standards(tables={self.tables!r})"

    def has_table(self, business_unit: str) -> bool:
        return any(table.scope in (business_unit[:2], business_unit[:4]) for table in self.tables)

    def standard(self, business_unit: str, subsidy: str, month: str, person: Person) -> Standard | Invalid:
        # a standard depends on the person's age that month, not on the birth date itself
        age = age_on(person.birth, date(int(month[:4]), int(month[5:7]), 1)) if len(month) == 7 else -1
        key = (business_unit[:4], subsidy, month, person.category, person.grade, person.low_income, person.area, age)
        found = self._memo.get(key)
        if found is None:
            try:
                found = standard_in_force(self.tables, business_unit, subsidy, month, person)
            except Invalid as error:
                found = error
            self._memo[key] = found
        return found


def person_in(ent: Entitlement, month: str) -> Person | None:
    """The facts the standard depends on, in force in ``month``; None when the entitlement lacks them."""
    facts = ent.facts_in(month)
    if ent.birth is None or facts.get("category") is None or facts.get("grade") is None:
        return None
    return Person(category=int(facts["category"]), grade=int(facts["grade"]), low_income=facts.get("low_income"),
                  area=facts.get("area"), birth=date.fromisoformat(ent.birth))


def owed(ent: Entitlement, month: str, standards: Standards) -> Owed:
    """What is owed for ``month`` (see the module's docstring)."""
    status = ent.status_in(month)
    if status != "active":
        return Owed(month, status, ZERO, "not paid: before the application month" if status == "none"
                    else f"not paid: {status}")
    pricing = ent.pricing_in(month)
    if pricing.amount is not None:
        change = pricing.change
        return Owed(month, status, pricing.amount, f"stated by {change.by} on {change.at[:10]}: {change.reason}")
    person = person_in(ent, month)
    if person is None:
        return Owed(month, status, None, "no standard", "NO_PERSON_FACTS")
    found = standards.standard(ent.business_unit, ent.subsidy, month, person)
    if isinstance(found, Invalid):
        return Owed(month, status, None, found.message, found.code)
    return Owed(month, status, found.amount, f"table {found.source}")


def owed_through(ent: Entitlement, through: str, standards: Standards) -> list[Owed]:
    """Every month from the application month through ``through``."""
    return [owed(ent, month, standards) for month in months_from(ent.start_month, through)]


def total(months: Sequence[Owed]) -> Decimal:
    """The sum of the known amounts (an unknown amount adds nothing until the table covers it)."""
    return sum((m.amount for m in months if m.amount is not None), ZERO)
