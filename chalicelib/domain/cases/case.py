"""The case (跨省通办 application, 民办发〔2021〕2号) and its transition table.

Transitions are data: ``TRANSITIONS`` says, for every action, which statuses allow it, the status it leads to,
which role performs it, and which statutory deadline it ends and starts; the statuses, deadlines and their
working days are the phase table's (domain.phases).

Implements: 民办发〔2021〕2号 (DOMAIN.md §2, steps 1–5): 受理, materials complete (申请材料收齐), push (D1, 3 working
days), 资格认定 (D2, 10), result returned, 告知 (D3, 3). Withdrawal (撤回) and the pause of D2 during a 补正 are not in
DOMAIN.md: no statute, engineering rules of this project (docs/decisions.md).
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any, Iterable, Mapping, Protocol

from msgspec import Struct, field
from msgspec.structs import replace

from ..errors import Conflict, Invalid, NotFound
from ..rules.rules import NoticeItem, outstanding
from ..structs import compared
from .phases import (  # noqa: F401 - here for callers too
    CLOCK_PHASE,
    STATUTORY_WORKING_DAYS,
    WORKING_DAYS,
    DeadlineKind,
    Status,
)

OPEN_STATUSES: frozenset[Status] = frozenset(
    {Status.AWAITING_MATERIALS, Status.AWAITING_PUSH, Status.UNDER_REVIEW, Status.SUPPLEMENT_REQUESTED,
     Status.RESULT_RETURNED}
)


# materials are added while gathering, after completion until the push (what is not required: the window may still
# attach it), and for a 补正
MATERIAL_STATUSES: frozenset[Status] = frozenset(
    {Status.AWAITING_MATERIALS, Status.AWAITING_PUSH, Status.SUPPLEMENT_REQUESTED})


# the 业务属地's review chain (domain.cases.review_chain): whoever holds the step a case is at may ask for a 补正, and
# the last step's holder decides; which of them holds it, the service checks against the case's chain
CHAIN_ROLES: frozenset[str] = frozenset({"reviewer", "dpf_reviewer", "approver"})


class Transition(Struct, frozen=True):
    action: str
    sources: frozenset[Status]
    target: Status
    role: str
    event: str
    ends: DeadlineKind | None = None
    starts: DeadlineKind | None = None
    pauses: DeadlineKind | None = None  # the clock stops with the working days left recorded
    resumes: DeadlineKind | None = None  # ... and restarts with those days from today
    also: frozenset[str] = frozenset()  # other roles that may make the move (the review chain's)

    @property
    def roles(self) -> frozenset[str]:
        return self.also | {self.role}


TRANSITIONS: Mapping[str, Transition] = {
    t.action: t
    for t in (
        Transition("complete", frozenset({Status.AWAITING_MATERIALS}), Status.AWAITING_PUSH,
                   "window", "materials_completed", ends=DeadlineKind.MATERIALS, starts=DeadlineKind.PUSH),
        Transition("push", frozenset({Status.AWAITING_PUSH}), Status.UNDER_REVIEW,
                   "window", "pushed", ends=DeadlineKind.PUSH, starts=DeadlineKind.REVIEW),
        Transition("request_supplement", frozenset({Status.UNDER_REVIEW}), Status.SUPPLEMENT_REQUESTED,
                   "reviewer", "supplement_requested", pauses=DeadlineKind.REVIEW, starts=DeadlineKind.SUPPLEMENT,
                   also=CHAIN_ROLES),
        Transition("supplement", frozenset({Status.SUPPLEMENT_REQUESTED}), Status.UNDER_REVIEW,
                   "window", "supplement_sent", ends=DeadlineKind.SUPPLEMENT, resumes=DeadlineKind.REVIEW),
        Transition("decide", frozenset({Status.UNDER_REVIEW}), Status.RESULT_RETURNED,
                   "reviewer", "decided", ends=DeadlineKind.REVIEW, starts=DeadlineKind.NOTIFY, also=CHAIN_ROLES),
        Transition("notify", frozenset({Status.RESULT_RETURNED}), Status.CLOSED,
                   "window", "applicant_notified", ends=DeadlineKind.NOTIFY),
        Transition("withdraw", OPEN_STATUSES, Status.WITHDRAWN, "window", "withdrawn"),
    )
}


class Actor(Struct, frozen=True):
    """The caller, from a verified token: user id, name, role and unit (scope) code."""

    sub: str
    name: str
    role: str
    unit: str


class Event(Struct, frozen=True):
    """One line of the case timeline, the same for both sides."""

    at: str
    event: str
    actor: str
    unit: str
    detail: Mapping[str, Any] = field(default_factory=dict)


class Deadline(Struct, frozen=True):
    kind: DeadlineKind
    starts_on: date
    working_days: int
    due_on: date
    provisional: bool
    calendar_version: str
    state: str = "open"  # open | paused | met | overdue (missed) | cancelled
    closed_on: date | None = None
    paused_on: date | None = None
    remaining_working_days: int | None = None  # while paused: what was left when the clock stopped
    counted_from: date | None = None  # after a resume: the day the remaining days count from
    counted_days: int | None = None  # ... and how many
    reminded_on: date | None = None  # the sweep's reminder on the last working day before
    overdue_recorded_on: date | None = None  # the sweep recorded the miss on the timeline

    def recount(self, clock: "DeadlineClock") -> "Deadline":
        """The same deadline counted again (a holiday year was loaded since it was computed)."""
        start = self.counted_from or self.starts_on
        due_on, provisional, version = clock.plan(start, self.counted_days or self.working_days)
        return replace(self, due_on=due_on, provisional=provisional, calendar_version=version)

    def state_on(self, today: date) -> str:
        """The state as of ``today``: an open deadline past its due day reads as overdue."""
        if self.state == "open" and today > self.due_on:
            return "overdue"
        return self.state


class Material(Struct, frozen=True):
    material_id: str
    code: str
    filename: str
    content_type: str
    size: int
    sha256: str
    object_key: str
    registered_at: str
    status: str = "registered"  # registered | received
    received_at: str | None = None
    object_version: str | None = None
    # who received it and where, and the case's version then (its chained event current): a receipt that changes the
    # case no further is no event of the chain (``receipt_only``); the shown timeline places it by these
    # (domain.cases.timeline.with_lines). None for a receipt made before 2026-12-06 (each has its chained event)
    received_by: str | None = None
    received_unit: str | None = None
    received_seq: int | None = None


STORE_OWN = frozenset({"last_day", "stored_parts", "part_versions"})  # the store's bookkeeping: never compared


class Case(Struct, frozen=True):
    case_id: str
    status: Status
    accepting_unit: str
    business_unit: str
    scope: str
    applied_on: date
    applied_at: str
    applicant: Mapping[str, Any]
    certificate: Mapping[str, Any]
    subsidies: tuple[str, ...]
    notice: tuple[NoticeItem, ...]
    agent: Mapping[str, Any] | None = None
    low_income: Mapping[str, Any] = field(default_factory=dict)
    materials: tuple[Material, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    decision: Mapping[str, Any] | None = None
    notification: Mapping[str, Any] | None = None
    withdrawal: Mapping[str, Any] | None = None
    supplements: tuple[Mapping[str, Any], ...] = ()  # 补正 requests, oldest first
    data_checks: tuple[Mapping[str, Any], ...] = ()  # waivers and confirmations by data comparison
    pushed_on: date | None = None
    review: Mapping[str, Any] | None = None  # the review chain kept at the push and the step it is at
    correction: Mapping[str, Any] | None = None  # a correction of the decision being signed off (纠错)
    decisions_before: tuple[Mapping[str, Any], ...] = ()  # decisions a correction replaced, oldest first
    version: int = 0
    chain_head: str = ""  # the hash of the newest timeline event (kept by the store, domain.audit)
    # the store's own: the local day of the newest timeline event, so that the events' day index holds only a case's
    # first event of each day (adapters/store.py, heads_of_day); never compared, empty for a case not read from the store
    last_day: str = ""
    # the store's own: a digest of each separately stored part of the case as read, so a change rewrites only the
    # parts it changed (adapters/case_tables.py); never compared, empty for a case not read from the store
    stored_parts: Mapping[str, str] = field(default_factory=dict)
    # the store's own: the version of each part as read (a part changed apart from the case item, the materials by a
    # registration, is written back only on the version it was read at); never compared
    part_versions: Mapping[str, int] = field(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        """Every field but the store's own three (domain.structs); unhashable, as its mappings are."""
        return type(other) is Case and compared(self, STORE_OWN) == compared(other, STORE_OWN)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def open_deadline(self) -> Deadline | None:
        return next((d for d in self.deadlines if d.state == "open"), None)

    def material(self, material_id: str) -> Material:
        for item in self.materials:
            if item.material_id == material_id:
                return item
        raise NotFound("MATERIAL_NOT_FOUND", f"no material {material_id} on this case", "material_id")

    def received_codes(self) -> frozenset[str]:
        return frozenset(m.code for m in self.materials if m.status == "received")


class DeadlineClock(Protocol):
    """The statutory working-day count, injected (``services.calendar.DeadlineService``)."""

    def plan(self, start: date, working_days: int) -> tuple[date, bool, str]:
        """(due day, provisional, calendar version) of a deadline starting on ``start``."""

    def count(self, after: date, until: date) -> int:
        """Working days d with after < d <= until."""


def guard(case: Case, action: str, actor: Actor) -> Transition:
    """The transition for ``action`` if the case's status allows it, else 409."""
    transition = TRANSITIONS[action]
    if actor.role not in transition.roles:
        raise Conflict("WRONG_ROLE", f"{action} is done by a {transition.role}, not a {actor.role}")
    if case.status not in transition.sources:
        raise Conflict(
            "INVALID_TRANSITION",
            f"cannot {action} a case that is {case.status.value}",
            "status",
        )
    return transition


def start_deadline(kind: DeadlineKind, today: date, clock: DeadlineClock, limits: Mapping[DeadlineKind, int]
                   ) -> Deadline:
    """A deadline of ``kind`` counted from ``today``: the statute's working days, or the province's setting in
    ``limits`` (else the phase table's default) for a limit no statute sets."""
    working_days = limits.get(kind) if kind not in STATUTORY_WORKING_DAYS else None
    working_days = working_days or WORKING_DAYS[kind]
    due_on, provisional, version = clock.plan(today, working_days)
    return Deadline(kind, today, working_days, due_on, provisional, version)


def transition(
    case: Case,
    action: str,
    actor: Actor,
    now: datetime,
    clock: DeadlineClock,
    changes: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
    limits: Mapping[DeadlineKind, int] | None = None,
) -> tuple[Case, Event]:
    """Apply one move of the table: new status, deadlines ended, paused, resumed or started, one event.
    ``limits``: the province's working days for the deadlines no statute sets (the phase table's default else)."""
    move = guard(case, action, actor)
    today = now.date()
    deadlines = tuple(_close(d, today, move) for d in case.deadlines)
    deadlines = tuple(_pause_or_resume(d, today, move, clock) for d in deadlines)
    if move.starts is not None:
        deadlines += (start_deadline(move.starts, today, clock, limits or {}),)
    updated = replace(case, status=move.target, deadlines=deadlines, **dict(changes or {}))
    if action == "push":
        updated = replace(updated, pushed_on=today)
    return updated, Event(now.isoformat(), move.event, actor.sub, actor.unit, dict(detail or {}))


def _close(deadline: Deadline, today: date, move: Transition) -> Deadline:
    if deadline.state not in ("open", "paused"):
        return deadline
    if move.ends == deadline.kind:
        state = "met" if today <= deadline.due_on else "overdue"
        return replace(deadline, state=state, closed_on=today)
    if move.target == Status.WITHDRAWN:
        return replace(deadline, state="cancelled", closed_on=today)
    return deadline


def _pause_or_resume(deadline: Deadline, today: date, move: Transition, clock: DeadlineClock) -> Deadline:
    if move.pauses == deadline.kind and deadline.state == "open":
        left = clock.count(today, deadline.due_on) if today < deadline.due_on else 0
        return replace(deadline, state="paused", paused_on=today, remaining_working_days=left)
    if move.resumes == deadline.kind and deadline.state == "paused":
        left = deadline.remaining_working_days or 0
        if left == 0:  # the time had already run out: no new days, the deadline stays where it was
            return replace(deadline, state="open", paused_on=None, remaining_working_days=None)
        due_on, provisional, version = clock.plan(today, left)
        return replace(deadline, state="open", due_on=due_on, provisional=provisional,
                       calendar_version=version, paused_on=None, remaining_working_days=None,
                       counted_from=today, counted_days=left)
    return deadline


def register_material(case: Case, material: Material) -> Case:
    """The case with a material the window is about to upload: while gathering, or for a supplement (补正). A
    registration reserves an upload slot; it is not a fact of the case (受理 records the materials received): the
    store adds it to the case's materials without a new version or a timeline event (``register`` in the
    repositories), and ``receive_material`` is the change that records it."""
    if case.status not in MATERIAL_STATUSES:
        raise Conflict(
            "INVALID_TRANSITION",
            f"materials can be added only while awaiting materials or a supplement, not when {case.status.value}",
            "status",
        )
    if material.code not in {item.code for item in case.notice}:
        raise Invalid("MATERIAL_NOT_REQUIRED", f"{material.code} is not on this case's notice", "code")
    return replace(case, materials=case.materials + (material,))


def receive_material(
    case: Case, material_id: str, object_version: str | None, actor: Actor, now: datetime, clock: DeadlineClock
) -> tuple[Case, Event]:
    """Mark a material received once its stored bytes matched the declaration. When it is the last required one,
    the materials are complete that day (申请材料收齐): the same change moves the case on and starts D1, and its
    one event is ``materials_completed`` naming that material."""
    current = case.material(material_id)
    if current.status == "received":
        raise Conflict("MATERIAL_ALREADY_RECEIVED", "this material was already confirmed", "material_id")
    if case.status not in MATERIAL_STATUSES:
        raise Conflict("INVALID_TRANSITION", f"case is {case.status.value}", "status")
    received = replace(current, status="received", received_at=now.isoformat(), object_version=object_version,
                       received_by=actor.sub, received_unit=actor.unit, received_seq=case.version)
    materials = tuple(received if m.material_id == material_id else m for m in case.materials)
    updated = replace(case, materials=materials)
    event = received_event(received)
    completed = complete_when_ready(updated, actor, now, clock, sealed(updated, event.detail))
    if completed is not None:
        return completed
    return updated, event


def received_event(material: Material) -> Event:
    """A receipt on the timeline, from the received material itself: the chained event of a receipt that changes the
    case, and the line of one kept outside the chain (``timeline.receipt_lines``) say the same."""
    return Event(material.received_at or "", "material_received", material.received_by or "",
                 material.received_unit or "", {"material_id": material.material_id, "code": material.code})


def receipt_only(before: Case, after: Case) -> bool:
    """Whether ``after`` differs from ``before`` by its materials' receipts alone (a receipt that neither completes
    the materials nor moves anything else): no change of the case, as a registration is none — no version, no
    chained event; the receipt is kept in the receipts part alone (docs/decisions.md 2026-12-06)."""
    return replace(after, materials=before.materials) == before and [m.material_id for m in after.materials] == [
        m.material_id for m in before.materials]


def receipts_canonical(case: Case) -> str:
    """The case's receipts as a sealing event seals them (``sealed``): canonical JSON (keys sorted, no spaces, UTF-8 as is)
    of material id -> received_at, object_version, received_by, unit, for every received material."""
    return json.dumps({m.material_id: {"received_at": m.received_at, "object_version": m.object_version,
                                       "received_by": m.received_by, "unit": m.received_unit}
                       for m in case.materials if m.status == "received"},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def receipts_sha256(case: Case) -> str:
    """The seal of the receipts made until an event (its detail ``receipts_sha256``: ``sealed``).

    Receipts that change nothing else are kept outside the hash chain (``receipt_only``). The chained events that
    follow such receipts carry this digest: the one that completes the materials, the one that sends a 补正 (whose
    materials are received outside the chain too) and a withdrawal, so the chain covers every receipt made until
    each. To verify (GET /cases/{id}/audit does, ``broken_seal``): check the chain (``domain.cases.audit``), take the
    case's materials as stored (GET /cases/{id}: each received material's ``material_id``, ``received_at``,
    ``object_version``, ``received_by``, ``received_unit``, ``received_seq``), keep those whose ``received_seq`` is
    below the sealing event's sequence number (None: received before 2026-12-06, each with its own chained event),
    and compare the SHA-256 (hex) of their ``receipts_canonical`` with the event's ``receipts_sha256``: a receipt
    changed, added or dropped since gives another digest."""
    return hashlib.sha256(receipts_canonical(case).encode("utf-8")).hexdigest()


SEAL = "receipts_sha256"  # the detail key of a sealing event


def sealed(case: Case, detail: Mapping[str, Any]) -> dict[str, Any]:
    """An event's detail with the seal of every receipt ``case`` holds. The store writes a sealing event on the
    receipts as read (``seals_receipts``): a receipt kept since refuses the save, so the seal never leaves one out."""
    return {**detail, SEAL: receipts_sha256(case)}


def seals_receipts(event: Event) -> bool:
    return SEAL in event.detail


def receipts_as_of(case: Case, seq: int) -> Case:
    """The case with the receipts a seal in event ``seq`` covers: those made on a version before it."""
    return replace(case, materials=tuple(m for m in case.materials if m.status == "received" and (
        m.received_seq is None or m.received_seq < seq)))


def broken_seal(case: Case, seals: Iterable[tuple[int, str]]) -> int | None:
    """The first sealing event, of (sequence number, ``receipts_sha256``), whose digest the receipts stored now no
    longer give: a receipt covered by it was changed, added or removed outside the chain."""
    for seq, digest in sorted(seals):
        if receipts_sha256(receipts_as_of(case, seq)) != digest:
            return seq
    return None


def materials_complete(case: Case) -> bool:
    """申请材料收齐: every required item of the notice received or waived by data comparison."""
    return not outstanding(case.notice, case.received_codes())


def complete_when_ready(
    case: Case, actor: Actor, now: datetime, clock: DeadlineClock, detail: Mapping[str, Any] | None = None
) -> tuple[Case, Event] | None:
    """The ``complete`` move, made on the day the materials are complete (民办发〔2021〕2号: D1 counts
    自申请材料收齐之日起), whoever's action completed them; None while something required is missing or the case is
    past gathering."""
    if case.status != Status.AWAITING_MATERIALS or not materials_complete(case):
        return None
    return transition(case, "complete", actor, now, clock, detail=detail)


def supplement_missing(case: Case) -> tuple[str, ...]:
    """What the latest 补正 request asked for that has not arrived since: material codes named
    in the request with no material received after it, or "any material" if none came at all."""
    request = case.supplements[-1]
    since = request["requested_at"]
    fresh = {m.code for m in case.materials if m.status == "received" and (m.received_at or "") >= since}
    named = [item["code"] for item in request["items"] if item.get("code")]
    if named:
        return tuple(code for code in named if code not in fresh)
    return () if fresh else ("any material",)


SYSTEM = Actor("system", "scheduled job", "system", "system")


def recount_provisional(case: Case, clock: DeadlineClock, now: datetime) -> tuple[Case, Event] | None:
    """Recount the running deadline if it was provisional (its year's calendar was missing); None when nothing
    changes."""
    deadline = case.open_deadline()
    if deadline is None or not deadline.provisional:
        return None
    return recount_running(case, clock, now)


def recount_running(case: Case, clock: DeadlineClock, now: datetime) -> tuple[Case, Event] | None:
    """Recount the running deadline over the calendar as it now stands (a year was corrected); None when nothing
    changes."""
    deadline = case.open_deadline()
    if deadline is None:
        return None
    recounted = deadline.recount(clock)
    if recounted == deadline:
        return None
    deadlines = tuple(recounted if d is deadline else d for d in case.deadlines)
    detail = {"kind": deadline.kind.value, "was_due_on": deadline.due_on.isoformat(),
              "due_on": recounted.due_on.isoformat(), "provisional": recounted.provisional,
              "calendar_version": recounted.calendar_version}
    return replace(case, deadlines=deadlines), Event(now.isoformat(), "deadline_recounted", SYSTEM.sub,
                                                      SYSTEM.unit, detail)


def note_deadline(case: Case, mark: str, event: str, now: datetime) -> tuple[Case, Event] | None:
    """Record a reminder ("reminded_on") or a miss ("overdue_recorded_on") on the running deadline,
    once; None if it was already recorded (so a repeated sweep changes nothing)."""
    deadline = case.open_deadline()
    if deadline is None or getattr(deadline, mark) is not None:
        return None
    if mark == "reminded_on":
        marked = replace(deadline, reminded_on=now.date())
    elif mark == "overdue_recorded_on":
        marked = replace(deadline, overdue_recorded_on=now.date())
    else:
        raise ValueError(f"unknown deadline mark {mark}")
    deadlines = tuple(marked if d is deadline else d for d in case.deadlines)
    detail = {"kind": deadline.kind.value, "due_on": deadline.due_on.isoformat()}
    return replace(case, deadlines=deadlines), Event(now.isoformat(), event, SYSTEM.sub, SYSTEM.unit, detail)
