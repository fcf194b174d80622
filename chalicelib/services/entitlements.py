"""Recipients after approval: entitlements, duplicate-receipt locks, status moves, corrections and what is owed.

Person locks are keyed by the keyed hash of the ID number (never the number itself) and written in the same
DynamoDB transaction as the change they guard. What an entitlement shows — its status, this month's amount, the
months owed, paid, due or over-paid — is computed from its history, the amount tables and its ledger
(domain.payments), never stored twice.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Callable

from msgspec.structs import replace

from ..domain.cases.applications import mask_account
from ..domain.cases.case import Actor, Case, Status
from ..domain.cases.writes import (
    APPLICATION,
    ENTITLEMENT,
    NO_WRITES,
    LockCheck,
    LockClaim,
    LockRelease,
    Writes,
    entitlement_claim,
    lock_key,
)
from ..domain.errors import Conflict, Forbidden, Invalid
from ..domain.identity import birth_date, mask_id_number
from ..domain.payments.entitlements import (
    Entitlement,
    allowed_moves,
    correct,
    from_decision,
    move,
    read_facts,
)
from ..domain.payments.ledger import Ledger, balances, debt
from ..domain.payments.owed import Standards, owed, total
from ..domain.persons import person_key
from ..domain.refusals import LockHeld, LockTaken, StaleEntitlement
from ..domain.rules.amounts import money
from ..domain.units import within
from ..domain.values import months_from, parse_month
from ..domain.workdays import application_month
from .payroll import Payroll
from .rules import facts_of


def _person(case: Case, secret: bytes) -> str:
    return person_key(str(case.applicant["id_number"]), secret)


def on_accept(case: Case, secret: bytes, now: datetime) -> Writes:
    """One open application per person and subsidy (its lock taken only if nobody holds it), none while an
    entitlement pays the application month (its lock checked free for that month)."""
    person = _person(case, secret)
    month = application_month(case.applied_on)
    masked = mask_id_number(str(case.applicant["id_number"]))
    return Writes(claims=tuple(LockClaim(lock_key(person, s, APPLICATION), case.case_id, masked, now.isoformat())
                               for s in case.subsidies),
                  checks=tuple(LockCheck(lock_key(person, s, ENTITLEMENT), month) for s in case.subsidies),
                  holder_month=month)


def entitlements_of(case: Case, secret: bytes, by: str, now: datetime) -> list[Entitlement]:
    """The entitlements an approval creates, priced as decided, with the facts the standard depends on."""
    assert case.decision is not None
    applicant = case.applicant
    id_number = str(applicant["id_number"])
    return [from_decision(case.case_id, granted, _person(case, secret), mask_id_number(id_number),
                          str(applicant["name"]), case.business_unit, case.accepting_unit,
                          applicant.get("committee_unit"), by, now.isoformat(),
                          facts=facts_of(case.certificate, case.low_income, applicant),
                          birth=birth_date(id_number).isoformat(), account=applicant.get("bank_account"),
                          id_number=id_number)
            for granted in case.decision["subsidies"]]


def on_move(before: Case, after: Case, secret: bytes, by: str, now: datetime) -> Writes:
    """Locks and entitlements that follow a transition: an approval puts its entitlements and takes their locks
    (free, or released by each start month) and registers its 业务属地 for the monthly and yearly supervision jobs,
    closing or withdrawing releases the application locks."""
    person = _person(after, secret)
    if after.status == Status.RESULT_RETURNED and after.decision and after.decision["outcome"] == "approved":
        entitlements = tuple(entitlements_of(after, secret, by, now))
        return Writes(claims=tuple(entitlement_claim(e, now) for e in entitlements), entitlements=entitlements,
                      holder_month=application_month(after.applied_on), supervised=(after.business_unit,))
    if after.status in (Status.CLOSED, Status.WITHDRAWN) and before.status != after.status:
        return Writes(releases=tuple(LockRelease(lock_key(person, s, APPLICATION)) for s in after.subsidies))
    return NO_WRITES


def held_conflict(error: LockHeld) -> Conflict:
    kind = "an active entitlement" if error.key.endswith(f"#{ENTITLEMENT}") else "an open application"
    subsidy = error.key.split("#")[1]
    return Conflict("DUPLICATE_RECEIPT" if kind.startswith("an active") else "DUPLICATE_APPLICATION",
                    f"{error.masked_id} already has {kind} for the {subsidy} subsidy: case {error.case_id}",
                    "applicant.id_number")


# --- after approval ------------------------------------------------------------------------------

def _months_view(ent: Entitlement, ledger: Ledger, through: str, standards: Standards) -> list[dict[str, Any]]:
    return [{"month": b.month, "status": b.owed.status,
             "owed": None if b.owed.amount is None else money(b.owed.amount), "paid": money(b.paid),
             "due": money(b.due), "over": money(b.over), "basis": b.owed.basis, "problem": b.owed.problem}
            for b in balances(ent, ledger, through, standards)]


def view(ent: Entitlement, ledger: Ledger, standards: Standards, month: str) -> dict[str, Any]:
    """The entitlement as of ``month`` (the current one): the status and amount in force, the history, and the
    ledger month by month. Never the full ID or account number."""
    this = owed(ent, month, standards)
    months = _months_view(ent, ledger, month, standards)
    account = dict(ent.account or {})
    if account.get("number"):
        account["number"] = mask_account(account["number"])
    return {
        "entitlement_id": ent.entitlement_id, "case_id": ent.case_id, "subsidy": ent.subsidy,
        "masked_id": ent.masked_id, "name": ent.name, "business_unit": ent.business_unit,
        "accepting_unit": ent.accepting_unit, "committee_unit": ent.committee_unit,
        "committee_in_force": ent.committee_in(month), "account": account or None,
        "start_month": ent.start_month, "as_of": month, "status": ent.status_in(month),
        "monthly_amount": None if this.amount is None else money(this.amount), "amount_basis": this.basis,
        "pricing": ent.pricing_in(month).basis, "facts": ent.facts_in(month),
        "released_from": ent.release_month(), "allowed_moves": allowed_moves(ent, month),
        "history": [change.as_dict() for change in ent.history], "version": ent.version,
        "ledger": {
            "owed": money(sum((Decimal(m["owed"]) for m in months if m["owed"] is not None), Decimal(0))),
            "paid": money(sum((Decimal(m["paid"]) for m in months), Decimal(0))),
            "due": money(sum((Decimal(m["due"]) for m in months), Decimal(0))),
            "debt": money(sum((Decimal(m["over"]) for m in months), Decimal(0))),
            "months": months,
            "payments": [{"roster": p.roster, "seq": p.seq, "months": {m: money(a) for m, a in p.months}}
                         for p in ledger.payments],
            "recoveries": [{"recovery_id": r.recovery_id, "amount": money(r.amount), "received_on": r.received_on,
                            "reason": r.reason, "by": r.by, "at": r.at, "months": {m: money(a) for m, a in r.months}}
                           for r in ledger.recoveries],
        },
    }


def reach(actor: Actor, ent: Entitlement, acting: bool) -> None:
    """The 业务属地's reviewers act and read; its admins and supervisors over either side read; the 受理地's window
    reads what it accepted. A window of the 业务属地, or anybody else, reads nothing (role *and* unit)."""
    reviewer = actor.role == "reviewer" and actor.unit == ent.business_unit
    if acting:
        if not reviewer:
            raise out_of_reach()
        return
    readers = (
        reviewer,
        actor.role == "admin" and within(actor.unit, ent.business_unit),
        actor.role == "window" and actor.unit == ent.accepting_unit,
        actor.role == "supervisor" and (within(actor.unit, ent.business_unit) or within(actor.unit, ent.accepting_unit)),
    )
    if not any(readers):
        raise out_of_reach()


def out_of_reach() -> Forbidden:
    """One answer for an entitlement out of the caller's reach and one that does not exist: neither tells whether
    it exists (only the 业务属地's reviewers change one; its readers are listed in ``reach``)."""
    return Forbidden("ENTITLEMENT_OUT_OF_REACH", "no entitlement of this number is within your unit's reach",
                     "entitlement_id")


def entitlement_or_404(payroll: Payroll, entitlement_id: str) -> Entitlement:
    """The entitlement; an unknown one is answered as one out of reach (403), never 404."""
    ent = payroll.entitlements.get(entitlement_id)
    if ent is None:
        raise out_of_reach()
    return ent


def show(payroll: Payroll, entitlement_id: str, actor: Actor, now: datetime) -> dict[str, Any]:
    ent = entitlement_or_404(payroll, entitlement_id)
    reach(actor, ent, acting=False)
    return view(ent, payroll.ledgers.get(ent.entitlement_id), payroll.pricing.standards(ent.business_unit),
                f"{now:%Y-%m}")


def _correction(ent: Entitlement, body: dict[str, Any], month: str, actor: Actor, now: datetime) -> Entitlement:
    amount = body.get("monthly_amount")
    if amount is not None and not isinstance(amount, str):
        raise Invalid("AMOUNT_FORMAT", "monthly_amount is a decimal string such as \"99.00\"", "monthly_amount")
    status, pricing = body.get("status"), body.get("pricing")
    if status is not None and not isinstance(status, str):
        raise Invalid("UNKNOWN_STATUS", "status must be active, suspended or stopped", "status")
    if pricing is not None and not isinstance(pricing, str):
        raise Invalid("UNKNOWN_PRICING", "pricing must be table or stated", "pricing")
    facts = read_facts(body["facts"], "facts") if body.get("facts") is not None else None
    reason = body.get("reason") if isinstance(body.get("reason"), str) else ""
    return correct(ent, month, str(reason), actor.sub, now.isoformat(), status=status, monthly_amount=amount,
                   pricing=pricing, facts=facts)


def change(payroll: Payroll, entitlement_id: str, action: str | None, read_body: Callable[[], Any], actor: Actor,
           now: datetime) -> dict[str, Any]:
    """Suspend, stop, resume (a person confirms it, 应退则退 with the reason kept), or correct (纠错): the
    entitlement afterwards, and for a correction what it changes over the months owed so far. ``action`` None:
    the body's ``action`` (suspend, stop, resume)."""
    ent = entitlement_or_404(payroll, entitlement_id)
    reach(actor, ent, acting=True)  # deny first: the body is read only within reach
    body = read_body()
    if not isinstance(body, dict):
        raise Invalid("WRONG_TYPE", "the body must be an object", "body")
    if action is None:
        action = str(body.get("action"))
    month = parse_month(body.get("effective_month"), "effective_month")
    if action == "correct":
        updated = _correction(ent, body, month, actor, now)
    else:
        raw_reason = body.get("reason")
        updated = move(ent, action, month, raw_reason if isinstance(raw_reason, str) else "", actor.sub,
                       now.isoformat())
    stored, ledger, standards = save(payroll, ent, updated, now)
    result = view(stored, ledger, standards, f"{now:%Y-%m}")
    if action == "correct":
        through = parse_month(body.get("paid_through", f"{now:%Y-%m}"), "paid_through")
        result["correction"] = difference(ent, stored, through, standards)
    return result


def save(payroll: Payroll, before: Entitlement, after: Entitlement, now: datetime
         ) -> tuple[Entitlement, Ledger, Standards]:
    """Store a change (its lock with it); a debt it creates is put on the unit's list for recovery. The entitlement
    as stored (its new version), its ledger and the unit's standards, read once for the answer too."""
    try:
        payroll.entitlements.save(before, after, now)
    except LockTaken as taken:
        raise duplicate_receipt(taken) from None
    except StaleEntitlement:
        raise Conflict("CONCURRENT_UPDATE", "the entitlement changed meanwhile; read it again", "version") from None
    ledger, standards = note_debt(payroll, after, now)
    return replace(after, version=before.version + 1), ledger, standards


def duplicate_receipt(taken: LockTaken) -> Conflict:
    """The refusal of a change that would pay months another entitlement of the person pays (重复领取)."""
    return Conflict("DUPLICATE_RECEIPT", f"{taken.masked_id} holds another entitlement of this subsidy from "
                    f"{taken.held_from} (case {taken.case_id}): this change would pay those months twice",
                    "effective_month")


def note_debt(payroll: Payroll, ent: Entitlement, now: datetime) -> tuple[Ledger, Standards]:
    """An entitlement as stored after a change: on its unit's list of debts to recover when its ledger paid more
    than it now owes (应退则退). Its ledger and the unit's standards, as read for that."""
    standards = payroll.pricing.standards(ent.business_unit)
    ledger = payroll.ledgers.get(ent.entitlement_id)
    if debt(ent, ledger, now.strftime("%Y-%m"), standards):
        payroll.records.add_debt_candidate(ent.business_unit, ent.entitlement_id)
    return ledger, standards


def difference(before: Entitlement, after: Entitlement, through: str, standards: Standards) -> dict[str, Any]:
    """What a correction changes in what is owed from the application month through ``through``: positive owed
    to the person, negative over-paid (应退则退), month by month. The ledger (not this) says what is paid."""
    detail = []
    for month in months_from(before.start_month, through):
        was, now = owed(before, month, standards), owed(after, month, standards)
        if was.amount != now.amount:
            detail.append({"month": month, "was": None if was.amount is None else money(was.amount),
                           "now": None if now.amount is None else money(now.amount),
                           "difference": money((now.amount or Decimal(0)) - (was.amount or Decimal(0)))})
    changed = total([owed(after, m, standards) for m in months_from(before.start_month, through)]) - total(
        [owed(before, m, standards) for m in months_from(before.start_month, through)])
    return {"difference": money(changed), "through": through, "months": detail,
            "meaning": "positive: owed to the person; negative: overpaid (应退则退); the next roster settles "
                       "what is due, a debt is listed for recovery"}
