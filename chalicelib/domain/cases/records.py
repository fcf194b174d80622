"""Plain-dict forms of a case: the stored record, and the view a caller sees.

The record is JSON-compatible (strings, ints, bools, lists, dicts) so the store can keep it as a
DynamoDB map that operators can read in the console. The view masks personal numbers.

Implements: no statute — an engineering rule (the stored and shown shapes of a case). It keeps the record the 受理地
makes of the application and its electronic materials (民办发〔2021〕2号 step 1, DOMAIN.md §2) and the result returned
to the 受理地 in real time (step 4, ``decision_message``).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable, Mapping

from msgspec.structs import asdict

from ..identity import mask_id_number
from ..rules.rules import STANDARD_LIST_NOTE, NoticeItem, standard_list_used
from ..workdays import application_month
from .applications import mask_account
from .case import Case, Deadline, DeadlineKind, Event, Material, Status
from .review_chain import review_view


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _parse_day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def deadline_record(d: Deadline) -> dict[str, Any]:
    return {
        "kind": d.kind.value, "starts_on": d.starts_on.isoformat(), "working_days": d.working_days,
        "due_on": d.due_on.isoformat(), "state": d.state, "provisional": d.provisional,
        "calendar_version": d.calendar_version, "closed_on": _day(d.closed_on),
        "paused_on": _day(d.paused_on), "remaining_working_days": d.remaining_working_days,
        "counted_from": _day(d.counted_from), "counted_days": d.counted_days,
        "reminded_on": _day(d.reminded_on), "overdue_recorded_on": _day(d.overdue_recorded_on),
    }


def deadline_from(r: Mapping[str, Any]) -> Deadline:
    return Deadline(
        kind=DeadlineKind(r["kind"]), starts_on=date.fromisoformat(r["starts_on"]),
        working_days=int(r["working_days"]), due_on=date.fromisoformat(r["due_on"]),
        provisional=bool(r["provisional"]), calendar_version=r["calendar_version"],
        state=r["state"], closed_on=_parse_day(r.get("closed_on")),
        paused_on=_parse_day(r.get("paused_on")),
        remaining_working_days=_int(r.get("remaining_working_days")),
        counted_from=_parse_day(r.get("counted_from")), counted_days=_int(r.get("counted_days")),
        reminded_on=_parse_day(r.get("reminded_on")), overdue_recorded_on=_parse_day(r.get("overdue_recorded_on")),
    )


def to_record(case: Case) -> dict[str, Any]:
    """The whole case as a JSON-compatible dict (without its version, which the store owns)."""
    return {
        "case_id": case.case_id, "status": case.status.value,
        "accepting_unit": case.accepting_unit, "business_unit": case.business_unit,
        "scope": case.scope, "applied_on": case.applied_on.isoformat(), "applied_at": case.applied_at,
        "applicant": dict(case.applicant), "certificate": dict(case.certificate),
        "subsidies": list(case.subsidies), "notice": [asdict(item) for item in case.notice],
        "agent": dict(case.agent) if case.agent else None, "low_income": dict(case.low_income),
        "materials": [material_record(m) for m in case.materials],
        "deadlines": [deadline_record(d) for d in case.deadlines],
        "decision": dict(case.decision) if case.decision else None,
        "notification": dict(case.notification) if case.notification else None,
        "withdrawal": dict(case.withdrawal) if case.withdrawal else None,
        "supplements": [dict(s) for s in case.supplements],
        "data_checks": [dict(c) for c in case.data_checks],
        "pushed_on": _day(case.pushed_on),
        "review": dict(case.review) if case.review else None,
        "correction": dict(case.correction) if case.correction else None,
        "decisions_before": [dict(d) for d in case.decisions_before],
    }


def from_record(r: Mapping[str, Any], version: int) -> Case:
    return Case(
        case_id=r["case_id"], status=Status(r["status"]),
        accepting_unit=r["accepting_unit"], business_unit=r["business_unit"], scope=r["scope"],
        applied_on=date.fromisoformat(r["applied_on"]), applied_at=r["applied_at"],
        applicant=dict(r["applicant"]), certificate=dict(r["certificate"]),
        subsidies=tuple(r["subsidies"]), notice=tuple(NoticeItem(**item) for item in r["notice"]),
        agent=dict(r["agent"]) if r.get("agent") else None, low_income=dict(r.get("low_income") or {}),
        materials=tuple(Material(**m) for m in r.get("materials") or []),
        deadlines=tuple(deadline_from(d) for d in r.get("deadlines") or []),
        decision=r.get("decision"), notification=r.get("notification"), withdrawal=r.get("withdrawal"),
        supplements=tuple(r.get("supplements") or ()),
        data_checks=tuple(r.get("data_checks") or ()),
        pushed_on=_parse_day(r.get("pushed_on")), review=r.get("review"), version=version,
        correction=r.get("correction"), decisions_before=tuple(r.get("decisions_before") or ()),
    )


def event_record(e: Event) -> dict[str, Any]:
    return {"at": e.at, "event": e.event, "actor": e.actor, "unit": e.unit, "detail": dict(e.detail)}


def _masked_person(person: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not person:
        return None
    shown = dict(person)
    if shown.get("id_number"):
        shown["id_number"] = mask_id_number(shown["id_number"])
    if shown.get("bank_account"):
        shown["bank_account"] = dict(shown["bank_account"], number=mask_account(str(shown["bank_account"]["number"])))
    if shown.get("phone"):
        phone = str(shown["phone"])
        shown["phone"] = phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:] if len(phone) > 7 else "****"
    return shown


def material_record(material: Material) -> dict[str, Any]:
    """A material as stored."""
    return asdict(material)


def material_view(material: Material) -> dict[str, Any]:
    """A material as callers see it: the storage key stays inside."""
    return _shown(material_record(material))


def _shown(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "object_key"}


def notice_view(case: Case) -> dict[str, Any]:
    received = case.received_codes()
    standard = standard_list_used(case.notice)
    return {
        "case_id": case.case_id,
        "business_unit": case.business_unit,
        "materials": [dict(asdict(item), received=item.code in received) for item in case.notice],
        "data_checks": [dict(c) for c in case.data_checks],
        # no list of the 户籍地 or above it was in force on the day: the notice says the standard list was told
        "standard_list_used": standard,
        "standard_list_note": STANDARD_LIST_NOTE if standard else None,
    }


def deadline_view(d: Deadline, today: date, count: Callable[[date, date], int] | None) -> dict[str, Any]:
    """A deadline as of ``today``; with a working-day counter, the days left or overdue too
    ("剩 N 个工作日 / 已超期 N 个工作日")."""
    shown = dict(deadline_record(d), state=d.state_on(today))
    if count is None:
        return shown
    left = overdue = None
    if d.state == "paused":
        left = d.remaining_working_days
    elif d.state == "open" and today <= d.due_on:
        left = count(today, d.due_on)
    elif d.state == "open":
        overdue = count(d.due_on, today)
    return dict(shown, working_days_left=left, working_days_overdue=overdue)


def case_view(
    case: Case, today: date, events: list[Event] | None = None,
    count: Callable[[date, date], int] | None = None,
) -> dict[str, Any]:
    """What a caller sees: ID and phone numbers masked, deadline states as of ``today``."""
    record = to_record(case)
    record["applicant"] = _masked_person(case.applicant)
    record["agent"] = _masked_person(case.agent)
    certificate = dict(case.certificate)
    certificate["number"] = mask_id_number(certificate["number"][:18]) + certificate["number"][18:]
    record["certificate"] = certificate
    record["application_month"] = application_month(case.applied_on)
    record["deadlines"] = [deadline_view(d, today, count) for d in case.deadlines]
    record["materials"] = [_shown(m) for m in record["materials"]]  # as material_view, from the record made once
    record["notice"] = notice_view(case)  # one shape wherever the notice appears (POST /cases, GET /cases/{id})
    record["review"] = review_view(case)  # the chain and the step that holds the case (None before the push)
    record["version"] = case.version
    if events is not None:
        record["timeline"] = [event_record(e) for e in events]
    return record


def decision_message(case: Case) -> dict[str, Any]:
    """The result returned to the 受理地 (实时返回): what the window needs to tell the applicant."""
    assert case.decision is not None
    notify = case.open_deadline()
    return {
        "case_id": case.case_id, "accepting_unit": case.accepting_unit, "business_unit": case.business_unit,
        "outcome": case.decision["outcome"], "subsidies": case.decision["subsidies"],
        "reason": case.decision["reason"], "decided_on": case.decision["decided_on"],
        "notify_due_on": notify.due_on.isoformat() if notify else None,
    }
