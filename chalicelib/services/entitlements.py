"""Recipients after approval: entitlements, duplicate-receipt locks, status moves and corrections.

Person locks are keyed by the keyed hash of the ID number (never the number itself) and written in
the same DynamoDB transaction as the change they guard.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..adapters.entitlements_table import Entitlements, LockModel, StaleEntitlement, lock_key, to_model
from ..adapters.store import Extra, Held
from ..domain.amounts import months_between
from ..domain.case import Actor, Case, Status
from ..domain.entitlements import Entitlement, correct, difference, from_decision, move
from ..domain.errors import Conflict, Forbidden, Invalid, NotFound
from ..domain.identity import mask_id_number
from ..domain.monitoring import parse_month
from ..domain.persons import person_key
from ..domain.units import within

APPLICATION, ENTITLEMENT = "application", "entitlement"


def _person(case: Case, secret: bytes) -> str:
    return person_key(str(case.applicant["id_number"]), secret)


def _lock(key: str, case: Case, now: datetime) -> LockModel:
    return LockModel(key, case_id=case.case_id, masked_id=mask_id_number(str(case.applicant["id_number"])),
                     created_at=now.isoformat())


def on_accept(case: Case, secret: bytes, now: datetime) -> Extra:
    """One open application per person and subsidy, none while an entitlement is active."""
    person = _person(case, secret)
    opened = [lock_key(person, s, APPLICATION) for s in case.subsidies]
    held = [lock_key(person, s, ENTITLEMENT) for s in case.subsidies]
    return Extra(puts=tuple((_lock(key, case, now), LockModel.lock_key.does_not_exist()) for key in opened),
                 absent=tuple((LockModel, key) for key in held), guards=tuple(opened + held))


def on_move(before: Case, after: Case, secret: bytes, by: str, now: datetime) -> Extra | None:
    """Locks and entitlements that follow a transition: approval grants, closing releases."""
    person = _person(after, secret)
    if after.status == Status.RESULT_RETURNED and after.decision and after.decision["outcome"] == "approved":
        entitlements = [from_decision(after.case_id, granted, person, mask_id_number(str(after.applicant["id_number"])),
                                      str(after.applicant["name"]), after.business_unit, after.accepting_unit,
                                      after.applicant.get("committee_unit"), by, now.isoformat())
                        for granted in after.decision["subsidies"]]
        locks = [lock_key(person, e.subsidy, ENTITLEMENT) for e in entitlements]
        return Extra(
            puts=tuple((to_model(e), None) for e in entitlements)
            + tuple((_lock(key, after, now), LockModel.lock_key.does_not_exist()) for key in locks),
            guards=tuple(locks))
    if after.status in (Status.CLOSED, Status.WITHDRAWN) and before.status != after.status:
        return Extra(deletes=tuple(LockModel(lock_key(person, s, APPLICATION)) for s in after.subsidies))
    return None


def held_conflict(error: Held) -> Conflict:
    kind = "an active entitlement" if error.key.endswith(f"#{ENTITLEMENT}") else "an open application"
    subsidy = error.key.split("#")[1]
    return Conflict("DUPLICATE_RECEIPT" if kind.startswith("an active") else "DUPLICATE_APPLICATION",
                    f"{error.masked_id} already has {kind} for the {subsidy} subsidy: case {error.case_id}",
                    "applicant.id_number")


# --- after approval ------------------------------------------------------------------------------

def view(ent: Entitlement) -> dict[str, Any]:
    return {
        "entitlement_id": ent.entitlement_id, "case_id": ent.case_id, "subsidy": ent.subsidy,
        "masked_id": ent.masked_id, "name": ent.name, "business_unit": ent.business_unit,
        "accepting_unit": ent.accepting_unit, "committee_unit": ent.committee_unit,
        "start_month": ent.start_month, "status": ent.status, "monthly_amount": ent.monthly_amount,
        "history": [vars(change) for change in ent.history], "version": ent.version,
    }


def _reach(actor: Actor, ent: Entitlement, acting: bool) -> None:
    """The 业务属地 acts; the 受理地's window and supervisors over either side may read."""
    business = actor.unit == ent.business_unit or (actor.role == "supervisor" and within(actor.unit, ent.business_unit))
    accepting = actor.role == "window" and actor.unit == ent.accepting_unit
    supervising = actor.role == "supervisor" and within(actor.unit, ent.accepting_unit)
    if acting and not (actor.role == "reviewer" and actor.unit == ent.business_unit):
        raise Forbidden("ENTITLEMENT_OUT_OF_REACH", "only the 业务属地's reviewers change an entitlement")
    if not (business or accepting or supervising):
        raise Forbidden("ENTITLEMENT_OUT_OF_REACH", "this entitlement is not within your unit's reach")


def read(store: Entitlements, entitlement_id: str, actor: Actor) -> dict[str, Any]:
    ent = store.get(entitlement_id)
    if ent is None:
        raise NotFound("ENTITLEMENT_NOT_FOUND", f"no entitlement {entitlement_id[:60]}", "entitlement_id")
    _reach(actor, ent, acting=False)
    return view(ent)


def change(store: Entitlements, entitlement_id: str, action: str, body: Any, actor: Actor,
           now: datetime) -> dict[str, Any]:
    """Suspend, stop, resume (a person confirms it, 应退则退 with the reason kept), or correct (纠错)."""
    if not isinstance(body, dict):
        raise Invalid("WRONG_TYPE", "the body must be an object", "body")
    ent = store.get(entitlement_id)
    if ent is None:
        raise NotFound("ENTITLEMENT_NOT_FOUND", f"no entitlement {entitlement_id[:60]}", "entitlement_id")
    _reach(actor, ent, acting=True)
    month = parse_month(body.get("effective_month"), "effective_month")
    raw_reason = body.get("reason")
    reason: str = raw_reason if isinstance(raw_reason, str) else ""
    if action == "correct":
        amount = body.get("monthly_amount")
        if amount is not None and not isinstance(amount, str):
            raise Invalid("AMOUNT_FORMAT", "monthly_amount is a decimal string such as \"99.00\"", "monthly_amount")
        updated = correct(ent, month, amount, body.get("status"), reason, actor.sub, now.isoformat())
        paid_through = parse_month(body.get("paid_through", f"{now:%Y-%m}"), "paid_through")
        months = months_between(ent.start_month, paid_through) if paid_through >= ent.start_month else []
        owed, detail = difference(ent, updated, months)
    else:
        updated = move(ent, action, month, reason, actor.sub, now.isoformat())
        owed, detail = None, []
    try:
        store.save(ent, updated, now)
    except StaleEntitlement:
        raise Conflict("CONCURRENT_UPDATE", "the entitlement changed meanwhile (or the person holds another "
                       "active entitlement of this subsidy); read it again", "version") from None
    result = view(store.get(entitlement_id) or updated)
    if owed is not None:
        result["correction"] = {"difference": f"{owed:.2f}", "months": detail,
                                "meaning": "positive: owed to the person; negative: overpaid (应退则退)"}
    return result
