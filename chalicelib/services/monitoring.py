"""Supervision jobs: the monthly 查询登记, its escalation, the yearly review and certificate reminders.

Each job takes the 业务属地 it works on: the ``*_for_unit`` functions do one township (what the
``unit_jobs`` worker in ``app.py`` runs, one queued message per township: ``services/unit_jobs.py``),
the others loop over the units they are given (tools, tests) and register them. Every job can be re-run for the same month, year or day: items are created only
if absent, reminders and escalations are marked before they are sent. Logs carry units, months and
counts: never a name or an ID number.
"""
from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Protocol

from msgspec import Struct

from ..adapters.shards import UNIT_SHARDS
from ..domain.errors import NotFound
from ..domain.payments.entitlements import Entitlement
from ..domain.supervision.monitoring import (
    Check,
    ReviewTask,
    check_for,
    escalation_due,
    expiry_month,
    month_of,
    needs_check,
    needs_review,
    parse_month,
    parse_township,
    reminder_message,
    reminder_month,
    task_for,
)

if TYPE_CHECKING:  # the stores' types only: no AWS library is imported by a service
    from ..adapters.entitlements_table import Entitlements
    from ..adapters.notify import Notifier
    from ..adapters.store import CaseRepository

log = logging.getLogger(__name__)
BATCH = 100


class CheckStore(Protocol):
    """``adapters.checks_table.MonthlyChecks``, or the in-memory one of the tests (tests/fakes/supervision.py)."""

    def issue(self, check: Check) -> bool: ...
    def of_committee(self, committee_unit: str, month: str) -> list[Check]: ...
    def record(self, committee_unit: str, month: str, entitlement_id: str, result: str, note: str, by: str,
               at: str) -> Check | None: ...
    def open_by_committee(self, business_unit: str, month: str) -> dict[str, int]: ...
    def changes(self, business_unit: str, month: str) -> list[Check]: ...


class UnitRegistry(Protocol):
    """``adapters.monitored_units.MonitoredUnits``, or the in-memory one of the tests."""

    def register(self, business_unit: str) -> None: ...
    def all(self) -> list[str]: ...
    def first_escalation_on(self, business_unit: str, day: str) -> bool: ...


class TaskStore(Protocol):
    """``adapters.reviews_table.ReviewTasks``, or the in-memory one of the tests."""

    def existing(self, business_unit: str, year: int, entitlement_ids: list[str]) -> set[str]: ...
    def create(self, task: ReviewTask) -> bool: ...
    def page(self, business_unit: str, year: int, limit: int,
             token: str | None) -> tuple[list[ReviewTask], str | None]: ...
    def record(self, business_unit: str, year: int, entitlement_id: str, outcome: str, note: str, by: str,
               at: str, method: str | None = None) -> ReviewTask | None: ...
    def expiring(self, business_unit: str, month: str) -> list[ReviewTask]: ...
    def mark_reminded(self, task: ReviewTask, at: str) -> bool: ...
    def unmark_reminded(self, task: ReviewTask) -> None: ...


class Monitoring(Struct, frozen=True):
    """What the supervision jobs and routes use (``wiring.monitoring()`` builds the real ones)."""

    entitlements: Entitlements
    checks: CheckStore
    units: UnitRegistry
    tasks: TaskStore
    cases: CaseRepository
    notifier: Notifier


def _entitlements_of(deps: Monitoring, business_unit: str) -> Iterator[Entitlement]:
    """Every entitlement of a 业务属地, shard by shard (16 queries of the by_unit_shard index)."""
    for shard in range(UNIT_SHARDS):
        yield from deps.entitlements.shard(business_unit, shard)


def _townships(business_units: Iterable[str]) -> list[str]:
    return [parse_township(unit) for unit in business_units]


def _total(per_unit: dict[str, dict[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for stats in per_unit.values():
        total.update(stats)
    return dict(total)


# --- 每月查询登记 ------------------------------------------------------------------------------------

def issue_monthly_checks(deps: Monitoring, business_units: list[str], month: str) -> dict[str, Any]:
    """One check per entitlement active or suspended in ``month`` at its committee in force that month (a change
    takes effect from the month after it is made); entitlements without one are counted as ``unassigned`` for
    their township. The units are registered."""
    month = parse_month(month)
    per_unit = {}
    for unit in _townships(business_units):
        deps.units.register(unit)
        per_unit[unit] = _issue_unit(deps, unit, month)
        log.info("monthly checks issued: unit=%s month=%s %s", unit, month, per_unit[unit])
    return {"month": month, "units": per_unit, **_total(per_unit)}


def monthly_checks_for_unit(deps: Monitoring, unit: str, month: str) -> dict[str, int]:
    """One township's checks of ``month`` (the unit comes from the registry: not registered again)."""
    return _issue_unit(deps, parse_township(unit), parse_month(month))


def _issue_unit(deps: Monitoring, unit: str, month: str) -> dict[str, int]:
    stats = dict.fromkeys(("issued", "already_issued", "unassigned", "committee_outside_unit", "not_checked"), 0)
    for ent in _entitlements_of(deps, unit):
        committee = ent.committee_in(month)
        if not needs_check(ent, month):
            stats["not_checked"] += 1
        elif committee is None:
            stats["unassigned"] += 1
        elif not committee.startswith(unit):  # intake and the committee route refuse this; never hand it to a stranger
            stats["committee_outside_unit"] += 1
        elif deps.checks.issue(check_for(ent, month)):
            stats["issued"] += 1
        else:
            stats["already_issued"] += 1
    return stats


def escalate_unrecorded(deps: Monitoring, month: str, now: datetime) -> dict[str, Any]:
    """From the 25th: one message per township with checks of ``month`` still unrecorded (the sparse
    ``by_open`` index of each registered unit), at most once per township and day."""
    month = parse_month(month)
    today = now.date()
    if not escalation_due(month, today):
        return {"month": month, "due": False, "escalated": 0, "unrecorded": 0}
    stats: dict[str, Any] = {"month": month, "due": True, "units_read": 0, "escalated": 0, "unrecorded": 0,
                             "already_today": 0}
    for unit in deps.units.all():
        stats["units_read"] += 1
        committees = deps.checks.open_by_committee(unit, month)
        unrecorded = sum(committees.values())
        if not unrecorded:
            continue
        if not deps.units.first_escalation_on(unit, today.isoformat()):
            stats["already_today"] += 1
            continue
        deps.notifier.checks_overdue(unit, month, unrecorded, committees)
        stats["escalated"] += 1
        stats["unrecorded"] += unrecorded
    log.info("monthly checks escalation %s", stats)
    return stats


# --- 定期复核 and certificate reminders ---------------------------------------------------------------

def yearly_review_tasks(deps: Monitoring, business_units: list[str], year: int) -> dict[str, Any]:
    """One open task per entitlement active or suspended, with its certificate's expiry month (read from
    the case only for tasks not created yet). Re-runs, e.g. monthly, add the year's new recipients."""
    per_unit = {}
    for unit in _townships(business_units):
        deps.units.register(unit)
        per_unit[unit] = _tasks_for_unit(deps, unit, year)
        log.info("review tasks: unit=%s year=%d %s", unit, year, per_unit[unit])
    return {"year": year, "units": per_unit, **_total(per_unit)}


def review_tasks_for_unit(deps: Monitoring, unit: str, year: int) -> dict[str, int]:
    """One township's review tasks of ``year`` (the unit comes from the registry: not registered again)."""
    return _tasks_for_unit(deps, parse_township(unit), year)


def _tasks_for_unit(deps: Monitoring, unit: str, year: int) -> dict[str, int]:
    stats = dict.fromkeys(("created", "already_created", "not_reviewed", "no_certificate_date"), 0)
    expiries: dict[str, str | None] = {}  # case id -> expiry month: both subsidies share one case
    batch: list[Entitlement] = []

    def flush() -> None:
        existing = deps.tasks.existing(unit, year, [ent.entitlement_id for ent in batch])
        stats["already_created"] += len(existing)
        for ent in (e for e in batch if e.entitlement_id not in existing):
            if ent.case_id not in expiries:
                expiries[ent.case_id] = _certificate_expiry(deps, ent.case_id)
            stats["no_certificate_date"] += int(expiries[ent.case_id] is None)
            created = deps.tasks.create(task_for(ent, year, expiries[ent.case_id]))
            stats["created" if created else "already_created"] += 1
        batch.clear()

    for ent in _entitlements_of(deps, unit):
        if not needs_review(ent, year):
            stats["not_reviewed"] += 1
            continue
        batch.append(ent)
        if len(batch) == BATCH:
            flush()
    flush()
    return stats


def _certificate_expiry(deps: Monitoring, case_id: str) -> str | None:
    try:
        case = deps.cases.get(case_id)
    except NotFound:
        return None
    return expiry_month(case.certificate.get("valid_until"))


def certificate_expiry_reminders(deps: Monitoring, business_units: list[str], today: date) -> dict[str, Any]:
    """Remind each township of the certificates that expire exactly six months after this month,
    once per entitlement (marked on its review task before the message is sent)."""
    expiring = reminder_month(today)
    per_unit = {unit: _remind_unit(deps, unit, expiring, today) for unit in _townships(business_units)}
    stats = {"month": month_of(today), "certificate_expiry": expiring, "units": per_unit, **_total(per_unit)}
    log.info("certificate reminders month=%s expiring=%s %s", stats["month"], expiring, _total(per_unit))
    return stats


def certificate_reminders_for_unit(deps: Monitoring, unit: str, today: date) -> dict[str, int]:
    """One township's monthly run: top up ``today``'s year of review tasks (recipients approved since),
    then remind of the certificates expiring six months from now. ``tasks_created`` counts the top-up."""
    unit = parse_township(unit)
    topped_up = _tasks_for_unit(deps, unit, today.year)
    return {**_remind_unit(deps, unit, reminder_month(today), today), "tasks_created": topped_up["created"]}


def _remind_unit(deps: Monitoring, unit: str, expiring: str, today: date) -> dict[str, int]:
    stats = dict.fromkeys(("reminded", "already_reminded", "not_active", "failed"), 0)
    by_entitlement: dict[str, list[ReviewTask]] = {}
    for task in deps.tasks.expiring(unit, expiring):  # the same entitlement may have tasks of several years
        by_entitlement.setdefault(task.entitlement_id, []).append(task)
    for entitlement_id, tasks in sorted(by_entitlement.items()):
        if any(task.reminded_at for task in tasks):
            stats["already_reminded"] += 1
            continue
        ent = deps.entitlements.get(entitlement_id)
        if ent is None or not needs_check(ent, month_of(today)):  # paid or suspended this month
            stats["not_active"] += 1
            continue
        task = max(tasks, key=lambda t: t.year)
        if not deps.tasks.mark_reminded(task, today.isoformat()):
            stats["already_reminded"] += 1
            continue
        try:
            deps.notifier.certificate_expiring(task.business_unit, reminder_message(task))
        except Exception:  # noqa: BLE001 - one failed publish must not stop the others; the next run retries
            log.exception("certificate reminder for entitlement %s not sent", entitlement_id)
            deps.tasks.unmark_reminded(task)
            stats["failed"] += 1
            continue
        stats["reminded"] += 1
    return stats
