"""Correcting a decision (纠错, issue 16.5): proposed by the first step of the case's review chain, signed off by
each later step, in force on the last step's agreement (at once where the chain is the single step). The rules and
prices are the decision's own (``cases._apply_rules``, every subsidy from the application month), and what it
changes in money is the payment ledger's: an entitlement is created, stopped from its start or corrected, never an
amount written by hand (domain/cases/corrections.py).

The case changes in one conditional transaction (the case store's ``save``, retried on a concurrent write), and
so does every entitlement the correction touches: those a refusal → approval creates, as an approval's are, and
the stops and corrections of those that exist, each conditioned on the version read (a concurrent change of an
entitlement refuses the whole transaction, which is made again on what is stored) and marked by the moment the
correction took effect, so applying it again changes nothing. Nothing is half-written: the case is corrected with
its entitlements or not at all.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping

from msgspec.structs import replace

from ..domain.cases import corrections
from ..domain.cases.case import Actor, Case, Event, Status
from ..domain.cases.writes import NO_WRITES, EntitlementUpdate, Writes, entitlement_update
from ..domain.payments.entitlements import Entitlement, correct, entitlement_id
from ..domain.refusals import LockTaken
from ..domain.workdays import application_month
from . import cases, entitlements
from .payroll import Payroll


def _once(read_body: Callable[[], Any]) -> Callable[[], Any]:
    """The body, read the first time it is asked for (after the caller's step was checked), then kept."""
    kept: list[Any] = []

    def body() -> Any:
        if not kept:
            kept.append(read_body())
        return kept[0]

    return body


def propose(deps: cases.Deps, payroll: Payroll, case_id: str, read_body: Callable[[], Any], actor: Actor,
            relation: str, now: datetime) -> dict[str, Any]:
    """``POST /cases/{id}/correction``: the first step's holder proposes the corrected decision with its reason."""
    body = _once(read_body)

    def change(case: Case) -> tuple[Case, Event]:
        corrections.may_propose(actor, case)  # deny first: the body is read after
        proposal = corrections.read_correction(body(), case.subsidies, application_month(case.applied_on))
        priced = _priced(deps, case, proposal, actor, now)
        updated, event, _ = corrections.propose(case, priced, actor, now)
        return updated, event

    return _save(deps, payroll, case_id, actor, relation, now, change)


def review(deps: cases.Deps, payroll: Payroll, case_id: str, read_body: Callable[[], Any], actor: Actor,
           relation: str, now: datetime) -> dict[str, Any]:
    """``POST /cases/{id}/correction/review``: agree (the last step's agreement puts it in force) or send back."""
    body = _once(read_body)

    def change(case: Case) -> tuple[Case, Event]:
        updated, event, _ = corrections.review(
            case, body, actor, now, lambda decision: _priced(deps, case, decision, actor, now))
        return updated, event

    return _save(deps, payroll, case_id, actor, relation, now, change)


def _priced(deps: cases.Deps, case: Case, decision: Mapping[str, Any], actor: Actor, now: datetime
            ) -> dict[str, Any]:
    """The decision's rules and prices, from the application month through this month (its back pay)."""
    unpriced = dict(decision, subsidies=[{"type": s["type"], "start_month": s["start_month"],
                                          "monthly_amount": s["monthly_amount"] if s.get("pricing") != "table"
                                          else None} for s in decision["subsidies"]])
    return cases._apply_rules(deps, case, unpriced, actor, now)  # the decision's one pricing


def _save(deps: cases.Deps, payroll: Payroll, case_id: str, actor: Actor, relation: str, now: datetime,
          change: Callable[[Case], tuple[Case, Event]]) -> dict[str, Any]:
    done: list[dict[str, Any]] = []  # what the last attempt's writes do to the entitlements, for the answer

    def writes(before: Case, after: Case) -> Writes:
        done.clear()
        if not _took_effect(before, after):
            return NO_WRITES
        created = _new_entitlements(deps, payroll, before, after, actor, now)
        try:
            updates, actions = follow(payroll, after, actor, now)
        except LockTaken as taken:
            raise entitlements.duplicate_receipt(taken) from None
        done.extend({"entitlement_id": ent.entitlement_id, "action": "created", "start_month": ent.start_month}
                    for ent in created.entitlements)
        done.extend(actions)
        return created + updates

    before, saved = cases._mutate(deps, case_id, actor, relation, change, writes)  # one transaction
    answer = cases.view(deps, saved, now.date())
    if _took_effect(before, saved):
        units = getattr(deps, "units", None)  # where the registry of supervised 业务属地 is not the case store's
        if units is not None and _granted(saved.decision):
            units.register(saved.business_unit)
        for action in done:
            stored = payroll.entitlements.get(action["entitlement_id"]) if action["action"] != "created" else None
            if stored is not None and action["action"] in ("stopped", "corrected"):
                entitlements.note_debt(payroll, stored, now)  # 应退则退: on the unit's list for recovery
        answer["entitlements"] = sorted(done, key=lambda a: a["entitlement_id"])
        cases._feed_result(deps, saved)  # the corrected result, returned to the 受理地 again
    return answer


def _took_effect(before: Case, after: Case) -> bool:
    return len(after.decisions_before) > len(before.decisions_before)


def _granted(decision: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    if not decision or decision["outcome"] != "approved":
        return {}
    return {str(s["type"]): s for s in decision["subsidies"]}


def _new_entitlements(deps: cases.Deps, payroll: Payroll, before: Case, after: Case, actor: Actor, now: datetime
                      ) -> Writes:
    """The entitlements a correction in force creates (a subsidy granted now that never had one), with their locks
    and whatever else an approval writes with them (``entitlements.on_move``), in the case's own transaction."""
    if not _took_effect(before, after) or not deps.person_key_secret or not _granted(after.decision):
        return NO_WRITES
    approval = entitlements.on_move(before, replace(after, status=Status.RESULT_RETURNED), deps.person_key_secret,
                                    actor.sub, now)
    fresh = [payroll.entitlements.get(ent.entitlement_id) is None for ent in approval.entitlements]
    if not any(fresh):
        return NO_WRITES
    return replace(approval, claims=tuple(c for c, new in zip(approval.claims, fresh, strict=True) if new),
                   entitlements=tuple(e for e, new in zip(approval.entitlements, fresh, strict=True) if new))


def _target(ent: Entitlement, granted: Mapping[str, Any] | None, reason: str, by: str, at: str) -> Entitlement:
    """The entitlement as the corrected decision says, from its start month: stopped where the subsidy is no longer
    granted, active at the decided pricing where it is (a correction line of its history, 纠错)."""
    start = ent.start_month
    if granted is None:
        if ent.status_in(start) == "stopped" and ent.release_month() == start:
            return ent
        return correct(ent, start, reason, by, at, status="stopped")
    stated = granted.get("pricing") == "stated"
    current = ent.pricing_in(start)
    same_price = (current.basis == "stated") == stated and (
        not stated or current.amount is not None and f"{current.amount:.2f}" == str(granted["monthly_amount"]))
    if ent.status_in(start) == "active" and ent.release_month() is None and same_price:
        return ent
    return correct(ent, start, reason, by, at, status="active",
                   monthly_amount=str(granted["monthly_amount"]) if stated else None,
                   pricing=None if stated else "table")


def follow(payroll: Payroll, case: Case, actor: Actor, now: datetime) -> tuple[Writes, list[dict[str, Any]]]:
    """The existing entitlements brought in line with the decision in force, as writes for the case's own
    transaction (each conditioned on the version read: a concurrent change refuses the transaction, which is made
    again on what is stored), and what they do, per subsidy. A correction already applied writes nothing."""
    assert case.decision is not None
    at = str(case.decision["corrected_at"])
    reason = f"纠错: {case.decision['correction_reason']}"
    granted = _granted(case.decision)
    updates: list[EntitlementUpdate] = []
    done: list[dict[str, Any]] = []
    for subsidy in case.subsidies:
        key = entitlement_id(case.case_id, subsidy)
        ent = payroll.entitlements.get(key)
        if ent is None:
            continue  # none yet: a granted subsidy's is created with the case (``_new_entitlements``)
        if any(change.kind == "corrected" and change.at == at and change.reason == reason for change in ent.history):
            done.append({"entitlement_id": key, "action": "already_applied"})  # this correction's own line
            continue
        updated = _target(ent, granted.get(subsidy), reason, actor.sub, at)
        if updated is ent:
            done.append({"entitlement_id": key, "action": "unchanged"})
            continue
        updates.append(entitlement_update(ent, updated, payroll.entitlements.holder, now))
        shown = updated.history[-1]
        done.append({"entitlement_id": key, "action": "stopped" if shown.status == "stopped" else "corrected",
                     "effective_month": shown.effective_month})
    return Writes(updates=tuple(updates)), done
