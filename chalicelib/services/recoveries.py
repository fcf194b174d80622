"""应退则退 (民发〔2022〕79号): what recipients owe back, per 业务属地, and recording what was recovered (追回).

A debt is a month paid more than is owed (a death or an exit back-dated, a correction downwards). It is never
netted against another person's payment, nor silently against the person's own: it is listed for the 业务属地,
whose reviewer records the money when it comes back (amount, the day, the reason, who), which settles the
overpaid months oldest first.

The list is every entitlement that the last roster build found in debt, and every one a change has put in debt
since (the unit's ``debt_candidates``), each checked again from its history and ledger when the list is read.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable

from ..domain.cases.case import Actor
from ..domain.errors import Conflict, Forbidden
from ..domain.payments.ledger import Recovery, debt, read_recovery, record_recovery
from ..domain.payments.roster import roster_unit
from ..domain.refusals import LedgerBusy, StaleLedger
from ..domain.rules.amounts import money
from ..domain.units import within
from .entitlements import entitlement_or_404, reach, view
from .payroll import Payroll


def _may_read(actor: Actor, unit: str) -> None:
    allowed = ((actor.role == "reviewer" and actor.unit == unit) or (actor.role in ("admin", "supervisor")
                                                                     and within(actor.unit, unit)))
    if not allowed:
        raise Forbidden("UNIT_OUT_OF_REACH", "only the 业务属地's reviewers, its admins and supervisors see its debts")


def listing(payroll: Payroll, business_unit: str, actor: Actor, now: datetime) -> dict[str, Any]:
    """The 业务属地's debts for recovery (追回), each checked now: person (masked), months, amounts."""
    unit = roster_unit(business_unit, "unit")
    _may_read(actor, unit)
    head = payroll.records.head(unit)
    month = f"{now:%Y-%m}"
    standards = payroll.pricing.standards(unit)
    candidates = sorted(head.debt_ids | head.debt_candidates)
    ledgers = payroll.ledgers.many(candidates) if candidates else {}
    debts, grand = [], Decimal(0)
    for entitlement_id in candidates:
        ent = payroll.entitlements.get(entitlement_id)
        if ent is None or ent.business_unit != unit:
            continue
        owing = debt(ent, ledgers[entitlement_id], month, standards)
        if not owing:
            continue
        amount = sum((a for _, a in owing), Decimal(0))
        grand += amount
        debts.append({"entitlement_id": ent.entitlement_id, "case_id": ent.case_id, "name": ent.name,
                      "masked_id": ent.masked_id, "subsidy": ent.subsidy, "status": ent.status_in(month),
                      "amount": money(amount), "months": [{"month": m, "over": money(a)} for m, a in owing],
                      "recovered": money(sum((r.amount for r in ledgers[entitlement_id].recoveries), Decimal(0)))})
    return {"business_unit": unit, "as_of": now.isoformat(), "last_build": head.debts_built_at,
            "count": len(debts), "total": money(grand), "debts": debts}


def recover(payroll: Payroll, entitlement_id: str, read_body: Callable[[], Any], actor: Actor, now: datetime) -> dict[str, Any]:
    """Record money recovered from the person: it settles the overpaid months, oldest first; more than the
    debt is refused (409 RECOVERY_EXCEEDS_DEBT), as is a recovery while the unit's roster is being finalized."""
    ent = entitlement_or_404(payroll, entitlement_id)
    reach(actor, ent, acting=True)  # deny first: nothing of the body is read for a caller out of reach
    amount, received_on, reason = read_recovery(read_body())
    month = f"{now:%Y-%m}"
    standards = payroll.pricing.standards(ent.business_unit)
    before = payroll.ledgers.get(entitlement_id)
    recovery = Recovery(f"R{now:%Y%m%d}{secrets.token_hex(4).upper()}", amount, received_on, reason, actor.sub,
                        now.isoformat(), ())
    after = record_recovery(ent, before, recovery, month, standards)
    try:
        payroll.ledgers.save_recovery(ent.business_unit, before, after, now)
    except LedgerBusy as busy:
        raise Conflict("LEDGER_BUSY", f"the roster of {busy.month} is being finalized; try again in a few minutes",
                       "entitlement_id") from None
    except StaleLedger:
        raise Conflict("CONCURRENT_UPDATE", "the ledger changed meanwhile; read the entitlement again",
                       "entitlement_id") from None
    result = view(ent, payroll.ledgers.get(entitlement_id), standards, month)
    result["recovery"] = {"recovery_id": recovery.recovery_id, "amount": money(amount), "received_on": received_on,
                          "months": {m: money(a) for m, a in after.recoveries[-1].months}}
    return result
