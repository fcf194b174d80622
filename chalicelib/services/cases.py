"""Case use cases: one function each; adapters come in through ``Deps``.

Every change is read → checked → written with one conditional transaction. When someone else
wrote first, the change is re-read and re-checked (so two windows adding different materials
both succeed, while two conflicting transitions leave exactly one winner and a 409).
"""
from __future__ import annotations

import logging
import secrets
from datetime import date, datetime
from typing import Any, Callable, Protocol, TypeVar

from msgspec import Struct
from msgspec.structs import replace

from .. import observability as observe
from ..domain import access
from ..domain.cases import review_chain
from ..domain.cases.applications import (
    Application,
    TooLargeMaterial,
    read_application,
    read_decision,
    read_material,
    read_notification,
    read_supplement,
    read_supplement_request,
    read_withdrawal,
)
from ..domain.cases.case import (
    Actor,
    Case,
    DeadlineKind,
    Event,
    Material,
    Status,
    complete_when_ready,
    receipt_only,
    receive_material,
    register_material,
    sealed,
    start_deadline,
    supplement_missing,
    transition,
)
from ..domain.cases.outcomes import deadline_outcomes
from ..domain.cases.records import case_view, decision_message, material_view, notice_view
from ..domain.cases.uploads import check_upload
from ..domain.cases.writes import NO_WRITES, Writes
from ..domain.errors import Conflict, Invalid, TooLarge
from ..domain.identity import Certificate, birth_date
from ..domain.payments.decision import price_grant
from ..domain.payments.owed import Standards
from ..domain.refusals import LockHeld, StaleCase
from ..domain.rules.registers import waivers_for
from ..domain.rules.rules import NoticeItem, outstanding
from ..domain.units import scope_between
from ..domain.workdays import application_month
from . import entitlements
from . import messages as milestone_messages
from .calendar import DeadlineService
from .clocks import Clock
from .registers import RosterStore, lookup
from .retrying import KeptChanging, on_stale
from .rules import (
    Rules,
    RuleStore,
    chain_for,
    check_view,
    decision_contact,
    facts_of,
    notice_for,
    rule_checks,
    rules_for,
    time_limits,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


class Repository(Protocol):
    """``adapters.store.CaseRepository``, or the in-memory one of the tests (tests/fakes/cases.py). ``save``
    writes the case, its event and ``writes`` as one unit: ``StaleCase`` when the case moved on since it was
    read, ``LockHeld`` when another case holds a person lock the change claims (domain.refusals)."""

    def get(self, case_id: str) -> Case: ...
    def save(self, case: Case, event: Event, writes: Writes = ...) -> Case: ...
    def register(self, case: Case, material: Material) -> None: ...
    def receive(self, case: Case, material: Material) -> None: ...
    def timeline(self, case_id: str) -> list[Event]: ...


class Files(Protocol):
    def presigned_upload(self, key: str, content_type: str, size: int) -> dict[str, Any]: ...
    def inspect(self, key: str, field: str) -> Any: ...
    def quarantine(self, key: str, version_id: str | None) -> str: ...
    def presigned_download(
        self, key: str, version_id: str | None, content_type: str, filename: str) -> dict[str, Any]: ...


class ResultFeed(Protocol):
    def publish_result(self, message: dict[str, Any]) -> str: ...


class Deps(Struct, frozen=True):
    repo: Any
    files: Files
    results: ResultFeed
    deadlines: DeadlineService
    max_material_bytes: int
    clock: Clock | None = None  # the case clock (Step Functions); None where no clock runs
    rules: RuleStore | None = None  # the jurisdictions' rules; None: the standard catalogue, no tables
    rosters: RosterStore | None = None  # authoritative rosters for waivers; None: nothing waived
    person_key_secret: bytes = b""
    messages: Any = None  # milestone SMS (services.messages.Messaging); None: no messages
    new_id: Callable[[datetime], str] = lambda now: f"C{now:%Y%m%d}{secrets.token_hex(5).upper()}"


def _mutate(
    deps: Deps, case_id: str, actor: Actor, relation: str,
    change: Callable[[Case], tuple[Case, Event]],
    writes: Callable[[Case, Case], Writes] | None = None, first: Case | None = None,
) -> tuple[Case, Case]:
    """(the case as it was, the case as saved); ``writes`` (of the case before and after) goes into the same
    transaction. ``first``: the case this request already read, for the first attempt (a stale copy only fails
    the conditional write); every retry reads afresh (``retrying.on_stale``)."""
    def attempt(n: int) -> tuple[Case, Case]:
        case = first if n == 0 and first is not None else deps.repo.get(case_id)
        access.check_case(relation, actor, case)
        updated, event = change(case)
        try:
            return case, deps.repo.save(updated, event, writes(case, updated) if writes else NO_WRITES)
        except LockHeld as error:
            raise entitlements.held_conflict(error) from None

    return _retried(attempt, case_id)


def _retried(attempt: Callable[[int], T], case_id: str) -> T:
    """``attempt`` on a fresh read after each ``StaleCase`` (``retrying.on_stale``); 409 when the case kept changing."""
    try:
        return on_stale(attempt, f"case {case_id}")
    except KeptChanging:
        raise Conflict("CONCURRENT_UPDATE", "the case kept changing; read it again and retry") from None


def _move(
    deps: Deps, case_id: str, actor: Actor, relation: str, now: datetime,
    change: Callable[[Case], tuple[Case, Event]], first: Case | None = None,
) -> tuple[Case, bool]:
    """A change that may move the case on: the case change (with the locks and entitlements it implies) first,
    then, if its status changed, the clock follows (True if it did)."""
    def writes(before: Case, after: Case) -> Writes:
        locks = entitlements.on_move(before, after, deps.person_key_secret, actor.sub, now) \
            if deps.person_key_secret else NO_WRITES
        return milestone_messages.queue(deps.messages, locks, before, after, now)  # 推送/决定/告知 SMS

    before, saved = _mutate(deps, case_id, actor, relation, change, writes, first)
    observe.deadlines(deadline_outcomes(before, saved))  # DeadlineMet / DeadlineMissed, for the operators
    moved = deps.clock.moved(before, saved, now) if deps.clock and before.status != saved.status else False
    saved = milestone_messages.after_commit(deps.messages, before, saved, now)  # never undoes the move
    return saved, moved


def view(deps: Deps, case: Case, today: date, with_timeline: bool = True) -> dict[str, Any]:
    events = milestone_messages.timeline(deps.messages, deps.repo, case) if with_timeline else None
    return case_view(case, today, events, deps.deadlines.count)


def accept(deps: Deps, body: Any, actor: Actor, now: datetime) -> dict[str, Any]:
    """受理: record the application at the caller's window and tell the applicant everything once."""
    application: Application = read_application(body, now.date())
    notice = notice_for(deps.rules, application.business_unit, now.date(), application.agent is not None)
    notice, checks = _compare_data(deps, application, notice, now.date())
    case = Case(
        case_id=deps.new_id(now), status=Status.AWAITING_MATERIALS,
        accepting_unit=actor.unit, business_unit=application.business_unit,
        scope=scope_between(actor.unit, application.business_unit).value,
        applied_on=now.date(), applied_at=now.isoformat(),
        applicant=application.applicant, certificate=application.certificate,
        subsidies=application.subsidies, notice=notice, data_checks=checks,
        agent=application.agent, low_income=application.low_income,
        # 收件时限: the 受理地 province's limit for gathering the materials (domain.rules.time_limits)
        deadlines=(start_deadline(DeadlineKind.MATERIALS, now.date(), deps.deadlines,
                                  time_limits(deps.rules, actor.unit[:2], now.date())),),
    )
    detail: dict[str, Any] = {"business_unit": case.business_unit, "scope": case.scope,
                              "subsidies": list(case.subsidies)}
    completed = complete_when_ready(case, actor, now, deps.deadlines)  # data comparison waived every item
    if completed is not None:
        case, detail = completed[0], dict(detail, materials_complete=True)
    event = Event(now.isoformat(), "accepted", actor.sub, actor.unit, detail)
    locks = entitlements.on_accept(case, deps.person_key_secret, now) if deps.person_key_secret else NO_WRITES
    writes = milestone_messages.queue(deps.messages, locks, None, case, now)  # the 受理 SMS, in the same transaction
    try:
        saved = deps.repo.save(case, event, writes)
    except LockHeld as error:  # the same person and subsidy: an open application or an active entitlement
        raise entitlements.held_conflict(error) from None
    except StaleCase:  # a case id collision: astronomically rare, never silently merged
        raise Conflict("CASE_ID_TAKEN", "try again") from None
    observe.about_case(saved.case_id)
    if deps.clock:
        deps.clock.started(saved, now)
    saved = milestone_messages.after_commit(deps.messages, None, saved, now)
    log.info("case %s accepted by %s for %s", saved.case_id, actor.unit, saved.business_unit)
    return view(deps, saved, now.date())


def _compare_data(
    deps: Deps, application: Application, notice: tuple[NoticeItem, ...], today: date
) -> tuple[tuple[NoticeItem, ...], tuple[dict[str, Any], ...]]:
    """Waive what authoritative data proves (最多跑一次), and keep every comparison, mismatches too."""
    if deps.rosters is None:
        return notice, ()
    entries = lookup(deps.rosters, deps.person_key_secret, str(application.applicant["id_number"]))
    cert = application.certificate
    results = waivers_for([item.code for item in notice],
                          Certificate(cert["number"], cert["category"], cert["grade"],
                                      date.fromisoformat(cert["valid_until"])),
                          {k: bool(v) for k, v in application.low_income.items()}, entries, today,
                          deps.rosters.newest_loads())
    waived = {r.code: r for r in results if r.waived and r.code}
    notice = tuple(
        replace(item, waived=True, waiver=f"{waived[item.code].source} roster, load {waived[item.code].loaded_at}")
        if item.code in waived else item for item in notice)
    return notice, tuple(r.as_dict() for r in results)


def read(deps: Deps, case_id: str, actor: Actor, relation: str, today: date) -> dict[str, Any]:
    """The case, its timeline, and where its clock stands (phase, overdue marks)."""
    case = deps.repo.get(case_id)
    access.check_case(relation, actor, case)
    result = view(deps, case, today)
    result["clock"] = deps.clock.describe(case) if deps.clock else None
    rules = rules_for(deps.rules, case.business_unit) if deps.rules else Rules([], [], [])
    result["rule_checks"] = [check_view(c) for c in rule_checks(
        rules, case.business_unit, case.applied_on, case.subsidies, dict(case.certificate), dict(case.low_income),
        case.data_checks)]
    return result


def identity(deps: Deps, case_id: str, actor: Actor, relation: str, now: datetime) -> dict[str, Any]:
    """The full ID and phone numbers, for the one who must check them; every read is itself
    recorded on the timeline (who, unit, when), in the same hash chain as every other event."""
    def change(case: Case) -> tuple[Case, Event]:
        return case, Event(now.isoformat(), "identity_read", actor.sub, actor.unit, {"role": actor.role})

    _, case = _mutate(deps, case_id, actor, relation, change)
    people = {"applicant": case.applicant, "agent": case.agent}
    return {"case_id": case.case_id, **{
        role: None if person is None else {k: person.get(k) for k in ("name", "id_number", "phone") if k in person}
        for role, person in people.items()}}


def notice(deps: Deps, case_id: str, actor: Actor, relation: str) -> dict[str, Any]:
    case = deps.repo.get(case_id)
    access.check_case(relation, actor, case)
    return notice_view(case)


def add_material(deps: Deps, case_id: str, body: Any, actor: Actor, relation: str, now: datetime) -> dict[str, Any]:
    """Register one material and hand back a presigned POST for exactly its size and type."""
    try:
        declared = read_material(body, deps.max_material_bytes)
    except TooLargeMaterial as error:
        raise TooLarge("MATERIAL_TOO_LARGE", f"a material may be at most {error.max_bytes} bytes", "size") from None
    material_id = secrets.token_hex(8)
    material = Material(
        material_id=material_id, code=declared.code, filename=declared.filename,
        content_type=declared.content_type, size=declared.size, sha256=declared.sha256,
        object_key=f"cases/{case_id}/materials/{material_id}", registered_at=now.isoformat(),
    )

    def attempt(n: int) -> None:
        case = deps.repo.get(case_id)
        access.check_case(relation, actor, case)
        register_material(case, material)  # refused unless the case gathers materials and the notice asks for it
        deps.repo.register(case, material)

    _retried(attempt, case_id)
    upload = deps.files.presigned_upload(material.object_key, material.content_type, material.size)
    return {"material_id": material_id, "code": material.code, "status": material.status, "upload": upload}


def confirm_material(
    deps: Deps, case_id: str, material_id: str, actor: Actor, relation: str, now: datetime
) -> dict[str, Any]:
    """Check the stored bytes against the declaration; only then is the material received. A receipt that changes
    the case no further (not the last required material; any during a 补正) is kept in the receipts alone
    (``repo.receive``: one write, no version, no chained event; shown on the timeline from the receipt itself,
    ``messages.timeline``); the receipt that completes the materials is the chained change it always was, and its
    event seals the receipts before it (``domain.cases.case.receipts_sha256``; docs/decisions.md 2026-12-06)."""
    case = deps.repo.get(case_id)
    access.check_case(relation, actor, case)
    declared = case.material(material_id)
    stored = deps.files.inspect(declared.object_key, "material_id")
    try:
        check_upload(declared, stored)
    except Invalid:
        # never served: the refused bytes leave the case's prefix for quarantine (kept for inspection)
        deps.files.quarantine(declared.object_key, stored.version_id)
        log.warning("case %s material %s refused and quarantined", case_id, material_id)
        raise

    def receipt(n: int) -> tuple[Material | None, Case]:
        """The receipt kept alone when it changes the case no further (no version, no chained event: as a
        registration); else (None, the case as read) for the chained save."""
        current = case if n == 0 else deps.repo.get(case_id)
        access.check_case(relation, actor, current)
        updated, _ = receive_material(current, material_id, stored.version_id, actor, now, deps.deadlines)
        if not receipt_only(current, updated):
            return None, current
        received = updated.material(material_id)
        deps.repo.receive(current, received)  # StaleCase when receipts were written since: read again
        return received, current

    received, current = _retried(receipt, case_id)
    if received is not None:
        return material_view(received)
    # it completes the materials (or changes more): one chained save, its event sealing every receipt so far
    saved, _ = _move(deps, case_id, actor, relation, now,
                     lambda current: receive_material(current, material_id, stored.version_id, actor, now,
                                                      deps.deadlines), first=current)
    return material_view(saved.material(material_id))


def complete(deps: Deps, case_id: str, actor: Actor, relation: str, now: datetime) -> dict[str, Any]:
    """申请材料收齐. The case completes itself on the day its last required material is received (or at 受理, when
    data comparison waived everything): D1 runs from that day, and this click changes nothing then. It moves a case
    only if it is complete and still gathering (kept for cases gathered before that rule); else 422 with what is
    missing."""
    case = deps.repo.get(case_id)
    access.check_case(relation, actor, case)
    if case.status == Status.AWAITING_PUSH:
        return view(deps, case, now.date())

    def change(current: Case) -> tuple[Case, Event]:
        missing = outstanding(current.notice, current.received_codes())
        if missing and current.status == Status.AWAITING_MATERIALS:
            raise Invalid("MATERIALS_MISSING", f"still missing: {', '.join(missing)}", "materials")
        return transition(current, "complete", actor, now, deps.deadlines)

    return view(deps, _move(deps, case_id, actor, relation, now, change, first=case)[0], now.date())


def push(deps: Deps, case_id: str, actor: Actor, relation: str, now: datetime) -> dict[str, Any]:
    """推送: hand the complete case to the 业务属地; ends D1, starts D2."""
    def change(case: Case) -> tuple[Case, Event]:
        chain = chain_for(deps.rules, case.business_unit, now.date())  # the case keeps the chain of its push day
        return transition(case, "push", actor, now, deps.deadlines, {"review": review_chain.started(chain, now.date())},
                          {"to": case.business_unit, "review_chain": chain.version})

    return view(deps, _move(deps, case_id, actor, relation, now, change)[0], now.date())


def decide(deps: Deps, case_id: str, body: Any, actor: Actor, relation: str, now: datetime) -> dict[str, Any]:
    """资格认定: record the decision, return it to the 受理地 at once; ends D2, starts D3.

    Each approved subsidy is checked against the province's eligibility rule (approving against
    it needs ``override_reason``); its monthly amount and back pay come from the 业务属地's table."""
    def change(case: Case) -> tuple[Case, Event]:
        review_chain.must_hold(actor, case, "decide")  # deny first: the step's holder, before the body is read
        if not review_chain.is_last_step(case):
            step = review_chain.current_step(case)
            raise Conflict("CHAIN_NOT_DONE", f"the case is at {step['label']}: the last step of the chain decides, "
                           "agree to hand it on (POST /cases/{id}/review)", "status")
        decision = read_decision(body, case.subsidies, application_month(case.applied_on))
        decision = dict(_apply_rules(deps, case, decision, actor, now), decided_on=now.date().isoformat(),
                        decided_by=actor.sub)
        detail = {"outcome": decision["outcome"], "subsidies": decision["subsidies"], "reason": decision["reason"],
                  "not_granted": decision["not_granted"], "override_reason": decision["override_reason"]}
        return transition(case, "decide", actor, now, deps.deadlines, {"decision": decision}, detail)

    saved, _clock_moved = _move(deps, case_id, actor, relation, now, change)
    _feed_result(deps, saved)  # 实时返回: the result to the 受理地 at once
    return view(deps, saved, now.date())


def _apply_rules(deps: Deps, case: Case, decision: dict[str, Any], actor: Actor, now: datetime) -> dict[str, Any]:
    rules = rules_for(deps.rules, case.business_unit) if deps.rules else Rules([], [], [])
    checks = {c.subsidy: c for c in rule_checks(rules, case.business_unit, case.applied_on, case.subsidies,
                                                 dict(case.certificate), dict(case.low_income), case.data_checks)}
    standards = Standards(tuple(rules.amounts))
    facts = facts_of(case.certificate, case.low_income, case.applicant)
    birth = birth_date(str(case.applicant["id_number"])).isoformat()
    granted = []
    for index, item in enumerate(decision["subsidies"]):
        field = f"subsidies[{index}]"
        check = checks[item["type"]]
        if not check.eligible and not decision["override_reason"]:
            raise Invalid("RULE_CHECK_FAILED", f"{item['type']} subsidy check {check.outcome}: "
                          f"{'; '.join(check.reasons)} — approving needs override_reason", f"{field}.type")
        granted.append(price_grant(item, case.business_unit, facts, birth, f"{now:%Y-%m}", standards,
                                   decision["override_reason"], actor.sub, now.isoformat(), field))
    return dict(decision, subsidies=granted, rule_checks=[check_view(c) for c in checks.values()],
                contact=decision_contact(deps.rules, case.business_unit, now.date()))  # who explains the standard


def _feed_result(deps: Deps, case: Case) -> None:
    """Return the result to the 受理地 (its results topic) once the decision is stored. A failed publish never undoes
    the stored decision: it is logged, and the window sees the result in its worklist."""
    try:
        deps.results.publish_result(decision_message(case))
    except Exception:  # noqa: BLE001 - logged; the decision stands and the window sees it in its worklist
        log.exception("result feed for case %s failed", case.case_id)


def notify(deps: Deps, case_id: str, body: Any, actor: Actor, relation: str, now: datetime) -> dict[str, Any]:
    """告知申请人: the window told the applicant; ends D3 and closes the case."""
    notification = dict(read_notification(body), notified_on=now.date().isoformat(), notified_by=actor.sub)

    def change(case: Case) -> tuple[Case, Event]:
        return transition(case, "notify", actor, now, deps.deadlines,
                          {"notification": notification}, {"method": notification["method"]})

    return view(deps, _move(deps, case_id, actor, relation, now, change)[0], now.date())


def give_opinion(deps: Deps, case_id: str, body: Any, actor: Actor, relation: str, now: datetime) -> dict[str, Any]:
    """An opinion at the case's step of the review chain: agree hands it on, send back returns it to the step before
    (with the reason). D2 runs on through the chain; the last step's opinion is the decision (``decide``)."""
    def change(case: Case) -> tuple[Case, Event]:
        review_chain.must_hold(actor, case, "give an opinion on")  # deny first: the body is read after
        return review_chain.give_opinion(case, review_chain.read_opinion(body), actor, now)

    return view(deps, _mutate(deps, case_id, actor, relation, change)[1], now.date())


def request_supplement(
    deps: Deps, case_id: str, body: Any, actor: Actor, relation: str, now: datetime
) -> dict[str, Any]:
    """补正: the 业务属地 returns the case for more materials; D2 pauses with its days left."""
    request = dict(read_supplement_request(body), requested_at=now.isoformat(), requested_by=actor.sub)

    def change(case: Case) -> tuple[Case, Event]:
        review_chain.must_hold(actor, case, "ask for a 补正 on")  # whoever holds the case's step
        limits = time_limits(deps.rules, case.business_unit[:2], now.date())  # 补正时限: the 业务属地 province's
        return transition(case, "request_supplement", actor, now, deps.deadlines,
                          {"supplements": case.supplements + (request,)},
                          {"items": request["items"], "note": request["note"]}, limits)

    return view(deps, _move(deps, case_id, actor, relation, now, change)[0], now.date())


def send_supplement(deps: Deps, case_id: str, body: Any, actor: Actor, relation: str, now: datetime) -> dict[str, Any]:
    """The window sends the supplement; D2 resumes with the working days that were left."""
    sent = read_supplement(body)

    def change(case: Case) -> tuple[Case, Event]:
        if case.supplements:
            missing = supplement_missing(case)
            if missing:
                raise Invalid("SUPPLEMENT_INCOMPLETE", f"no new material received yet for: {', '.join(missing)}",
                              "materials")
        requests = case.supplements[:-1] + (dict(case.supplements[-1], sent_at=now.isoformat(),
                                                 sent_note=sent["note"]),) if case.supplements else ()
        # the 补正's materials were received outside the chain: the event that sends them seals every receipt so far
        return transition(case, "supplement", actor, now, deps.deadlines, {"supplements": requests},
                          sealed(case, {"note": sent["note"]}))

    return view(deps, _move(deps, case_id, actor, relation, now, change)[0], now.date())


def withdraw(deps: Deps, case_id: str, body: Any, actor: Actor, relation: str, now: datetime) -> dict[str, Any]:
    withdrawal = dict(read_withdrawal(body), withdrawn_on=now.date().isoformat())

    def change(case: Case) -> tuple[Case, Event]:
        # it ends the case: it seals the receipts so far (a receipt racing it is refused, the case being withdrawn)
        return transition(case, "withdraw", actor, now, deps.deadlines,
                          {"withdrawal": withdrawal}, sealed(case, {"reason": withdrawal["reason"]}))

    return view(deps, _move(deps, case_id, actor, relation, now, change)[0], now.date())

