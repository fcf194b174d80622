"""What a decision grants, priced by the one owed function (黑民发〔2021〕6号 四(二): 自递交申请当月计发).

The decision tells the applicant, for each subsidy granted, the monthly amount in the decision month and what is
owed from the application month through the decision month (``back_pay``). Both come from ``owed.owed_through``
on the entitlement the approval creates, so the result notice, the entitlement and the first roster that pays
those months say the same figures.

Pricing: the 业务属地's amount table where its province or city has one. A reviewer states the amount where there
is no table at all, or — with ``override_reason`` — where the table has no standard for one of the months (then
the stated amount is recorded as the reviewer's, with the reason, and holds until corrected). A stated amount
that contradicts a standard the table gives is refused.

Implements: 黑民发〔2021〕6号 四(二) (自递交申请当月计发; DOMAIN.md §1) and 民办发〔2021〕2号 step 6 (DOMAIN.md §2: the
业务属地 explains the subsidy type and standard); the standard is the province's (国发〔2015〕52号, DOMAIN.md §1).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

from ..errors import Invalid
from ..rules.amounts import money
from .entitlements import from_decision
from .owed import Owed, Standards, owed_through, total


def _priced(item: Mapping[str, Any], business_unit: str, facts: Mapping[str, Any], birth: str, through: str,
            standards: Standards, stated_reason: str | None, by: str, at: str) -> list[Owed]:
    """What the entitlement this grant would create owes, month by month."""
    granted = dict(item, pricing="stated" if stated_reason else "table", stated_reason=stated_reason)
    ent = from_decision("decision", granted, "", "", "", business_unit, "", None, by, at, facts=facts, birth=birth)
    return owed_through(ent, through, standards)


def price_grant(item: Mapping[str, Any], business_unit: str, facts: Mapping[str, Any], birth: str,
                decided_month: str, standards: Standards, override_reason: str | None, by: str, at: str,
                field: str) -> dict[str, Any]:
    """One granted subsidy ``{type, start_month, monthly_amount?}`` priced: its pricing, the decision month's
    amount and what is owed from the application month through the decision month, month by month."""
    stated: str | None = item.get("monthly_amount")
    stated_reason = None
    if not standards.has_table(business_unit):
        if stated is None:
            raise Invalid("AMOUNT_REQUIRED", f"{business_unit[:2]} has no amount table: state monthly_amount",
                          f"{field}.monthly_amount")
        stated_reason = f"{business_unit[:2]} has no amount table"
    else:
        by_table = _priced(item, business_unit, facts, birth, decided_month, standards, None, by, at)
        missing = [month for month in by_table if month.amount is None]
        if missing and (stated is None or not override_reason):
            raise Invalid("NO_AMOUNT_STANDARD", f"no {item['type']} standard for {missing[0].month} "
                          f"({missing[0].basis}): state monthly_amount with override_reason",
                          f"{field}.monthly_amount")
        if missing:
            stated_reason = f"no standard for {missing[0].month}: {override_reason}"
        elif stated is not None and Decimal(stated) != by_table[-1].amount:
            raise Invalid("AMOUNT_MISMATCH", f"the standard in force is {money(by_table[-1].amount or Decimal(0))} "
                          "yuan a month", f"{field}.monthly_amount")
    months = _priced(item, business_unit, facts, birth, decided_month, standards, stated_reason, by, at)
    last = months[-1].amount
    assert last is not None
    granted = {"type": item["type"], "start_month": item["start_month"],
               "pricing": "stated" if stated_reason else "table", "monthly_amount": money(last),
               "back_pay": {"from_month": item["start_month"], "through_month": decided_month,
                            "total": money(total(months)),
                            "months": [{"month": m.month, "amount": money(m.amount or Decimal(0)),
                                        "standard": m.basis} for m in months]}}
    if stated_reason:
        granted["stated_reason"] = stated_reason
    return granted
