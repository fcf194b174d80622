"""Scheduled jobs: the daily sweep, the next-year calendar check, recounting provisional deadlines.

Each job reads only what is due: the sparse due-day index of running deadlines and the sparse
index of clocks flagged for repair. Nothing here scans a table, and every job can be re-run on
the same day without repeating a reminder or a record.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any, Callable

from msgspec import Struct

from .. import observability as observe
from ..domain.cases.case import Case, Event, note_deadline, recount_provisional
from ..domain.cases.case import recount_running as recount_running_deadline
from ..domain.cases.outcomes import census, deadline_outcomes
from ..domain.refusals import ClockUnavailable
from .cases import Deps
from .retrying import KeptChanging, on_stale

log = logging.getLogger(__name__)
RETRIES = 3  # a job leaves a case that keeps changing for its next run


def _update(deps: Deps, case: Case, change: Callable[[Case], tuple[Case, Event] | None]) -> Case | None:
    """Apply a system change with the same optimistic concurrency as the routes (``case``: as the job read it)."""
    def attempt(n: int) -> Case | None:
        result = change(case if n == 0 else deps.repo.get(case.case_id))
        return None if result is None else deps.repo.save(*result)

    try:
        return on_stale(attempt, f"case {case.case_id}", retries=RETRIES)
    except KeptChanging:
        log.warning("case %s kept changing; the sweep will come back tomorrow", case.case_id,
                    extra={"case_id": case.case_id})
        return None


class Due(Struct, frozen=True):
    """What the sweep reads: deadlines due on the next working day, and those already past."""

    due_next: list[Case]
    overdue: list[Case]
    items_read: int


def due_today(deps: Deps, today: date) -> Due:
    """The sweep's reads: two ranges of the sparse due-day index, nothing else."""
    calendar = deps.deadlines.calendar
    due_next: list[Case] = []
    read = 0
    if not calendar.covers(today.year) or calendar.is_workday(today):
        next_working_day = deps.deadlines.plan(today, 1)[0].isoformat()
        due_next, read = deps.repo.due_through(next_working_day, first_day=next_working_day)
    overdue, read_overdue = deps.repo.due_through((today - timedelta(days=1)).isoformat())
    return Due(due_next, overdue, read + read_overdue)


def daily_sweep(deps: Deps, publisher: Any, now: datetime) -> dict[str, int]:
    """Reminders on the last working day before a deadline, overdue deadlines recorded (and
    escalated if the clock did not), and clocks restarted where they are missing or pending.

    A reminder or escalation is published before the deadline records it: a run that fails in between publishes it
    again when run again (at least once), where the other order would lose it (the record says it was done)."""
    due = due_today(deps, now.date())
    stats = {"items_read": due.items_read, "reminders": 0, "overdue_recorded": 0, "escalated_by_sweep": 0,
             "clocks_repaired": 0}
    for case in due.due_next:
        deadline = case.open_deadline()
        if deadline is None or deadline.reminded_on is not None:
            continue
        publisher.remind(case, deadline)
        if _update(deps, case, lambda c: note_deadline(c, "reminded_on", "deadline_reminder", now)):
            stats["reminders"] += 1
    overdue = due.overdue
    read: list[Case] = []  # each case as last read before the write that recorded its miss

    def record_miss(current: Case) -> tuple[Case, Event] | None:
        read.append(current)
        return note_deadline(current, "overdue_recorded_on", "deadline_overdue", now)

    for case in overdue:
        deadline = case.open_deadline()
        if deadline is None or deadline.overdue_recorded_on is not None:
            continue
        if not _clock_escalated(deps, case, deadline.kind.value):
            publisher.escalate(case, deadline)
            stats["escalated_by_sweep"] += 1
        saved = _update(deps, case, record_miss)
        if saved:
            observe.deadlines(deadline_outcomes(read[-1], saved))  # DeadlineMissed, once per case and phase
            stats["overdue_recorded"] += 1
    stats["clocks_repaired"] = repair_clocks(deps, now, overdue)
    observe.census(census(deps.repo.running_deadlines(), overdue))  # OpenCases, OverdueCases, case_overdue
    return stats


def _clock_escalated(deps: Deps, case: Case, kind: str) -> bool:
    """Whether the case's clock marked the deadline overdue itself (and so escalated it); not when it cannot say."""
    try:
        clock = deps.clock.describe(case) if deps.clock else None
    except ClockUnavailable:
        return False
    return bool(clock and kind in clock["overdue_at"])


def repair_clocks(deps: Deps, now: datetime, also: list[Case] | None = None) -> int:
    """Restart the clock of every case flagged pending, and of ``also`` where it is not running."""
    if deps.clock is None:
        return 0
    repaired = 0
    pending = set(deps.clock.pending_cases())
    candidates = {case.case_id: case for case in also or []}
    for case_id in pending | set(candidates):
        case = deps.repo.get(case_id) if case_id in pending else candidates[case_id]
        try:
            if case_id in pending or not deps.clock.in_step(case):
                deps.clock.repair(case, now)
                repaired += 1
        except ClockUnavailable:
            log.exception("clock of case %s could not be repaired; it stays pending", case_id,
                          extra={"case_id": case_id})
    return repaired


def recompute_provisional(deps: Deps, year: int, now: datetime) -> int:
    """A year's calendar was loaded: recount running deadlines computed provisionally."""
    return _recount(deps, year, now, recount_provisional)


def recount_running(deps: Deps, year: int, now: datetime) -> int:
    """A year's calendar was corrected: recount every running deadline that falls due in it or later."""
    return _recount(deps, year, now, recount_running_deadline)


def _recount(deps: Deps, year: int, now: datetime,
             recount: Callable[[Case, Any, datetime], tuple[Case, Event] | None]) -> int:
    """``recount`` each case whose running deadline falls due in ``year`` or later, then put the changed cases'
    clocks back in step (their timeouts changed); how many changed."""
    cases, _ = deps.repo.due_through("9999-12-31", first_day=f"{year}-01-01")
    changed = [saved for case in cases
               if (saved := _update(deps, case, lambda c: recount(c, deps.deadlines, now))) is not None]
    if deps.clock:
        for case in changed:
            deps.clock.repair(case, now)
    return len(changed)


def calendar_check(deps: Deps, publisher: Any, now: datetime) -> dict[str, Any]:
    """From 1 December: is next year's holiday calendar loaded? Alert the operators if not."""
    next_year = now.year + 1
    if now.month != 12:
        return {"checked": False, "year": next_year}
    covered = deps.deadlines.calendar.covers(next_year)
    if not covered:
        publisher.calendar_missing(next_year)
    return {"checked": True, "year": next_year, "covered": covered, "alerted": not covered}
