"""Statutory working-day counting (工作日) for the 跨省通办 deadlines D1, D2, D3.

"自…之日起N个工作日内": by default (民法典 第二百零一条) a period counted in days starts the
next day, so working day 1 is the first working day AFTER the start event. That reading
lives in ``STATUTORY_RULE`` and nowhere else.

A year the calendar does not cover (no 国务院办公厅 notice loaded yet) never raises: its
Monday-Friday are guessed as working days and the result is flagged ``provisional``.

Implements: 民法典 第二百零一条 (DOMAIN.md §4: day 1 is the day after the start event) for the "自…之日起N个工作日内"
limits of 民办发〔2021〕2号 (DOMAIN.md §2); working days as each year's 国务院办公厅《关于YYYY年部分节假日安排的通知》
publishes them (DOMAIN.md §4); ``application_month``: 自递交申请当月计发 (DOMAIN.md §1).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from msgspec import Struct

MAX_WALK_DAYS = 400
_ONE_DAY = timedelta(days=1)


class WorkdayCalendar(Protocol):
    """A source of 工作日: Monday-Friday minus holidays and 调休 rest days, plus make-up days."""

    def covers(self, year: int) -> bool:
        """Whether the year's official schedule is known."""
        ...

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day; only called for covered years."""
        ...


class CountingRule(Struct, frozen=True):
    """How a period of N working days is counted.

    ``first_day_offset=1``: day 1 is the first working day after the start date (民法典
    art. 201). ``0`` counts the start date itself when it is a working day.
    """

    first_day_offset: int = 1


STATUTORY_RULE = CountingRule()


class DueDate(Struct, frozen=True):
    """The end of the Nth working day; ``provisional`` if a year on the way was guessed."""

    due_on: date
    provisional: bool
    uncovered_years: tuple[int, ...]


def _is_working(day: date, calendar: WorkdayCalendar, uncovered: set[int]) -> bool:
    if calendar.covers(day.year):
        return calendar.is_workday(day)
    uncovered.add(day.year)
    return day.weekday() < 5


def add_working_days(
    start: date,
    working_days: int,
    calendar: WorkdayCalendar,
    rule: CountingRule = STATUTORY_RULE,
) -> DueDate:
    """The date on which a period of ``working_days`` working days from ``start`` ends."""
    if working_days < 1:
        raise ValueError(f"working_days must be at least 1, got {working_days}")
    if rule.first_day_offset < 0:
        raise ValueError(f"first_day_offset must not be negative, got {rule.first_day_offset}")
    uncovered: set[int] = set()
    day = start + timedelta(days=rule.first_day_offset)
    counted = 0
    for _ in range(MAX_WALK_DAYS):
        if _is_working(day, calendar, uncovered):
            counted += 1
            if counted == working_days:
                years = tuple(sorted(uncovered))
                return DueDate(due_on=day, provisional=bool(years), uncovered_years=years)
        day += _ONE_DAY
    raise ValueError(
        f"no {working_days} working days found within {MAX_WALK_DAYS} days after {start}"
    )


def working_days_between(after: date, until: date, calendar: WorkdayCalendar) -> tuple[int, bool]:
    """Count working days d with ``after < d <= until``, and whether any year was guessed.

    For "剩 N 个工作日" (after=today, until=due) and "已超期 N 个工作日" (after=due,
    until=today). 0 when ``until <= after``.
    """
    uncovered: set[int] = set()
    count = 0
    day = after + _ONE_DAY
    while day <= until:
        if _is_working(day, calendar, uncovered):
            count += 1
        day += _ONE_DAY
    return count, bool(uncovered)


def application_month(applied_on: date) -> str:
    """The first paid month "YYYY-MM": 自递交申请当月计发."""
    return f"{applied_on.year:04d}-{applied_on.month:02d}"
