"""Statutory deadlines over the official calendar: the one place the count is done."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..adapters.calendar import OfficialCalendar
from ..domain.errors import Malformed
from ..domain.values import parse_count, parse_day
from ..domain.workdays import STATUTORY_RULE, CountingRule, add_working_days, working_days_between

MAX_WORKING_DAYS = 250


@dataclass(frozen=True)
class DeadlineService:
    calendar: OfficialCalendar
    rule: CountingRule = STATUTORY_RULE

    def plan(self, start: date, working_days: int) -> tuple[date, bool, str]:
        """(due day, provisional, calendar version) for a deadline starting on ``start``."""
        due = add_working_days(start, working_days, self.calendar, self.rule)
        versions = sorted({self.calendar.version_of(year) for year in range(start.year, due.due_on.year + 1)})
        return due.due_on, due.provisional, "+".join(versions)

    def count(self, after: date, until: date) -> int:
        """Working days d with after < d <= until (the days left on a paused deadline)."""
        return working_days_between(after, until, self.calendar)[0]

    def answer(self, start: Any, working_days: Any) -> dict[str, Any]:
        """GET /calendar/deadline: the query string checked, then the statutory count."""
        if not start:
            raise Malformed("MISSING_FIELD", "start is required (YYYY-MM-DD)", "start")
        day = parse_day(start, "start")
        if working_days is None:
            raise Malformed("MISSING_FIELD", "working_days is required", "working_days")
        count = parse_count(working_days, "working_days", 1, MAX_WORKING_DAYS, "WORKING_DAYS_RANGE")
        due_on, provisional, version = self.plan(day, count)
        return {
            "start": day.isoformat(), "working_days": count, "due_on": due_on.isoformat(),
            "provisional": provisional, "calendar_version": version,
            "counting": "day 1 is the first working day after start (民法典 art. 201)"
            if self.rule.first_day_offset == 1 else "day 1 is the start day when it is a working day",
        }
