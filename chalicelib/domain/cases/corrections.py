"""Correcting a decision (纠错): the 业务属地 corrects a wrong approval or refusal with a reason, signed off by the
case's own review chain.

A correction is proposed by the holder of the chain's first step (初审; the one reviewer where the chain is the
single step) on a decided case, and each later step's holder agrees or sends it back, as with the case itself; the
last step's agreement makes it take effect. Where the chain is the single step the proposal takes effect at once
(its reason is still required). Until then the correction waits on the case (``case.correction``) and the
decision in force is untouched; when it takes effect the decision it replaces is kept (``case.decisions_before``),
so both decisions stay on the case and on the timeline. The application month never moves: the corrected decision
is priced from ``application_month(case.applied_on)``, as the first one was; what it changes in money is the
payment ledger's (services/corrections.py applies it to the entitlements).

Implements: 民发〔2022〕79号 纠错容错 (DOMAIN.md §3: a wrong decision corrected, 应退则退), the chain of certification of
国发〔2015〕52号 (DOMAIN.md §1) for its sign-off, and 黑民发〔2021〕6号 四(二) (paid from the application month).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping

from msgspec.structs import replace

from ..errors import Conflict, Forbidden, Invalid
from .applications import read_decision
from .case import Actor, Case, Event, Status
from .review_chain import holds_step, read_opinion, review_of

DECIDED: frozenset[Status] = frozenset({Status.RESULT_RETURNED, Status.CLOSED})
FIELDS = frozenset({"outcome", "subsidies", "reason", "override_reason"})
MAX_REASON = 1000


def read_correction(body: object, requested: tuple[str, ...], start_month: str) -> dict[str, Any]:
    """``{outcome, subsidies, reason, override_reason?}``: a decision (as ``POST /cases/{id}/decision`` takes it,
    every subsidy from the application month) with the reason for the correction, required."""
    if not isinstance(body, dict):
        raise Invalid("WRONG_TYPE", "the body must be an object {outcome, subsidies, reason}", "body")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise Invalid("UNKNOWN_FIELD", f"{unknown[0]!r} is not a field of a correction", unknown[0])
    raw = body.get("reason")
    if raw is not None and not isinstance(raw, str):
        raise Invalid("WRONG_TYPE", "reason must be text", "reason")
    reason = (raw or "").strip()
    if not reason:
        raise Invalid("CORRECTION_REASON_REQUIRED", "a correction needs its reason: what was wrong in the decision", "reason")
    if len(reason) > MAX_REASON:
        raise Invalid("TOO_LONG", f"reason: at most {MAX_REASON} characters", "reason")
    return read_decision(dict(body, reason=reason), requested, start_month)


def _not_your_step(case: Case, index: int) -> Forbidden:
    step = review_of(case)["steps"][index]
    return Forbidden("NOT_YOUR_STEP", f"the correction is at {step['label']}, held by a {step['role']} of the "
                                      f"{'township' if step['level'] == 'township' else 'county'}")


def steps_of(case: Case) -> int:
    return len(review_of(case)["steps"])


def may_propose(actor: Actor, case: Case) -> None:
    """403 unless the caller holds the chain's first step; 409 unless the case is decided and no correction is past
    its proposer (one sent back to the first step is proposed afresh)."""
    if not holds_step(actor, case, 0):
        raise _not_your_step(case, 0)
    if case.status not in DECIDED or case.decision is None:
        raise Conflict("NOT_DECIDED", f"only a decided case is corrected; this one is {case.status.value}", "status")
    if case.correction and case.correction["at"] != 0:
        raise Conflict("CORRECTION_PENDING", "a correction of this case is being signed off: agree or send it back "
                       "first (POST /cases/{id}/correction/review)", "correction")


def _same(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    def granted(decision: Mapping[str, Any]) -> set[tuple[str, str, str]]:
        return {(s["type"], str(s["monthly_amount"]), str(s.get("pricing"))) for s in decision["subsidies"]}

    return before["outcome"] == after["outcome"] and granted(before) == granted(after)


def propose(case: Case, decision: Mapping[str, Any], actor: Actor, now: datetime) -> tuple[Case, Event, bool]:
    """The proposal by the first step's holder: pending at the next step, or (a single-step chain) in force at once.
    ``decision``: read and priced (read_correction, then the decision's rules and prices). True if it took effect."""
    may_propose(actor, case)
    assert case.decision is not None
    if _same(case.decision, decision):
        raise Invalid("DECISION_UNCHANGED", "the correction grants what the decision in force grants", "subsidies")
    correction = {"decision": dict(decision), "reason": decision["reason"], "proposed_by": actor.sub,
                  "proposed_unit": actor.unit, "proposed_at": now.isoformat(), "at": 1, "opinions": []}
    detail = {"outcome": decision["outcome"], "subsidies": [s["type"] for s in decision["subsidies"]],
              "was_outcome": case.decision["outcome"], "reason": decision["reason"]}
    if steps_of(case) == 1:
        corrected = take_effect(case, correction, actor, now)
        return corrected, Event(now.isoformat(), "decision_corrected", actor.sub, actor.unit,
                                dict(detail, signed_off_by=[actor.sub])), True
    step = review_of(case)["steps"][1]
    detail["to_step"] = step["label"]
    return (replace(case, correction=correction),
            Event(now.isoformat(), "correction_proposed", actor.sub, actor.unit, detail), False)


def take_effect(case: Case, correction: Mapping[str, Any], actor: Actor, now: datetime) -> Case:
    """The corrected decision in force; the one it replaces kept, with when and why it was replaced."""
    assert case.decision is not None
    decision = dict(correction["decision"], decided_on=now.date().isoformat(), decided_by=actor.sub,
                    corrects=case.decision.get("decided_on"), correction_reason=correction["reason"],
                    corrected_at=now.isoformat(), proposed_by=correction["proposed_by"],
                    signed_off=[*correction.get("opinions", ()), {"by": actor.sub, "unit": actor.unit}])
    replaced = dict(case.decision, replaced_at=now.isoformat(), replaced_because=correction["reason"])
    return replace(case, decision=decision, decisions_before=case.decisions_before + (replaced,), correction=None)


def review(case: Case, read_body: Callable[[], object], actor: Actor, now: datetime,
           reprice: Callable[[Mapping[str, Any]], Mapping[str, Any]]) -> tuple[Case, Event, bool]:
    """An opinion on the pending correction by the holder of the step it is at: agree hands it on (the last step's
    agreement puts it in force, priced again by ``reprice(decision)`` as of that day), send back returns it to the
    step before with the reason. ``read_body`` is called once the caller is known to hold the step. True if it took
    effect."""
    correction = case.correction
    if not correction:
        raise Conflict("NO_CORRECTION", "no correction of this case waits for an opinion", "correction")
    index = int(correction["at"])
    if not holds_step(actor, case, index):
        raise _not_your_step(case, index)
    opinion = read_opinion(read_body())
    steps = review_of(case)["steps"]
    entry = {"step": steps[index]["label"], "role": actor.role, "by": actor.sub, "unit": actor.unit,
             "opinion": opinion["opinion"], "reason": opinion["reason"], "at": now.isoformat()}
    detail: dict[str, Any] = {"step": steps[index]["label"], "role": actor.role, "opinion": opinion["opinion"],
                              "reason": opinion["reason"], "outcome": correction["decision"]["outcome"]}
    if opinion["opinion"] == "send_back":
        if index == 0:
            raise Conflict("FIRST_STEP", "the proposer's step has no step before it: propose again instead",
                           "opinion")
        moved = dict(correction, at=index - 1, opinions=[*correction["opinions"], entry])
        detail["to_step"] = steps[index - 1]["label"]
        return (replace(case, correction=moved),
                Event(now.isoformat(), "correction_sent_back", actor.sub, actor.unit, detail), False)
    if index == len(steps) - 1:
        assert case.decision is not None
        priced = dict(correction, decision=reprice(correction["decision"]), opinions=correction["opinions"])
        corrected = take_effect(case, priced, actor, now)
        detail.update(was_outcome=case.decision["outcome"], reason=correction["reason"],
                      subsidies=[s["type"] for s in priced["decision"]["subsidies"]],
                      proposed_by=correction["proposed_by"])
        return corrected, Event(now.isoformat(), "decision_corrected", actor.sub, actor.unit, detail), True
    moved = dict(correction, at=index + 1, opinions=[*correction["opinions"], entry])
    detail["to_step"] = steps[index + 1]["label"]
    return (replace(case, correction=moved),
            Event(now.isoformat(), "correction_agreed", actor.sub, actor.unit, detail), False)
