"""Statutory deadlines over the official calendar: the one place the count is done."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Protocol

from msgspec import Struct

from ..adapters.calendar import OfficialCalendar, YearSchedule, schedule_from_library
from ..domain.errors import Conflict, Invalid, Malformed, NotFound
from ..domain.refusals import YearAlreadyLoaded
from ..domain.values import parse_count, parse_day
from ..domain.workdays import STATUTORY_RULE, CountingRule, add_working_days, working_days_between

MAX_WORKING_DAYS = 250
MIN_YEAR, MAX_YEAR = 2000, 2100


class DeadlineService(Struct, frozen=True):
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
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise Invalid("DATE_RANGE", f"start must fall in {MIN_YEAR}..{MAX_YEAR}", "start")
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


class Years(Protocol):
    def get(self, year: int) -> YearSchedule | None: ...
    def add(self, schedule: YearSchedule) -> None: ...
    def correct(self, loaded: YearSchedule, corrected: YearSchedule, reason: str) -> None: ...


def year_view(schedule: YearSchedule, origin: str) -> dict[str, Any]:
    return {
        "year": schedule.year, "origin": origin,
        "holidays": sorted(d.isoformat() for d in schedule.holidays),
        "workdays": sorted(d.isoformat() for d in schedule.workdays),
        "source": schedule.source, "loaded_by": schedule.loaded_by or None, "loaded_at": schedule.loaded_at or None,
    }


def read_year(years: Years, raw_year: str) -> dict[str, Any]:
    """GET /calendar/{year}: the loaded schedule, else the library's, else 404."""
    year = parse_count(raw_year, "year", MIN_YEAR, MAX_YEAR, "YEAR_RANGE")
    loaded = years.get(year)
    if loaded is not None:
        return year_view(loaded, "loaded")
    known = schedule_from_library(year)
    if known is not None:
        return year_view(known, "library")
    raise NotFound("CALENDAR_YEAR_MISSING", f"no holiday schedule for {year}: load it from the 国务院办公厅 notice",
                   "year")


def load_year(years: Years, raw_year: str, body: Any, loaded_by: str, now: datetime) -> tuple[dict[str, Any], bool]:
    """PUT /calendar/{year}: store a year's schedule once. Nothing is overridden silently: a
    schedule that disagrees with what is known (loaded or from the library) is refused with the
    dates listed. Returns (the year, whether it was newly stored)."""
    year = parse_count(raw_year, "year", MIN_YEAR, MAX_YEAR, "YEAR_RANGE")
    schedule = _read_schedule(year, body, loaded_by, now)
    known = years.get(year) or schedule_from_library(year)
    if known is not None:
        differing = _differences(known, schedule)
        if differing:
            shown = ", ".join(d.isoformat() for d in differing[:100]) + (" …" if len(differing) > 100 else "")
            raise Conflict("CALENDAR_CONFLICT",
                           f"{len(differing)} day(s) would change between working day and rest day against "
                           f"the schedule already known ({known.source}): {shown}",
                           "holidays")
        if years.get(year) is not None:
            return year_view(known, "loaded"), False
    try:
        years.add(schedule)
    except YearAlreadyLoaded:
        raise Conflict("CALENDAR_ALREADY_LOADED", f"{year} was loaded at the same moment by someone else",
                       "year") from None
    return year_view(schedule, "loaded"), True


def correct_year(years: Years, raw_year: str, body: Any, corrected_by: str, now: datetime) -> dict[str, Any]:
    """POST /calendar/{year}/correction: replace a loaded year's schedule (纠错), with a reason; the version it
    replaces is kept with the reason, who and when. A year never loaded is loaded with PUT; a correction that
    changes no day is refused (CALENDAR_UNCHANGED)."""
    year = parse_count(raw_year, "year", MIN_YEAR, MAX_YEAR, "YEAR_RANGE")
    schedule = _read_schedule(year, body, corrected_by, now)
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise Malformed("MISSING_FIELD", "reason (why the loaded schedule was wrong) is required", "reason")
    if len(reason) > 500:
        raise Invalid("TOO_LONG", "reason is longer than 500 characters", "reason")
    loaded = years.get(year)
    if loaded is None:
        raise NotFound("CALENDAR_YEAR_NOT_LOADED", f"{year} was never loaded: load it with PUT /calendar/{year}",
                       "year")
    changed = _differences(loaded, schedule)
    if not changed and loaded.source == schedule.source:
        raise Conflict("CALENDAR_UNCHANGED", f"the correction changes no day of {year}", "holidays")
    try:
        years.correct(loaded, schedule, reason.strip())
    except YearAlreadyLoaded:
        raise Conflict("CONCURRENT_UPDATE", f"{year} was corrected at the same moment by someone else; read it "
                       "again", "year") from None
    view = year_view(schedule, "loaded")
    view["changed_days"] = [day.isoformat() for day in changed]
    return view


def _read_schedule(year: int, body: Any, loaded_by: str, now: datetime) -> YearSchedule:
    if not isinstance(body, dict):
        raise Malformed("WRONG_TYPE", "the body must be an object {holidays, workdays, source}", "body")
    days: dict[str, frozenset[date]] = {}
    for key in ("holidays", "workdays"):
        raw = body.get(key)
        if not isinstance(raw, list):
            raise Malformed("MISSING_FIELD", f"{key} must be a list of dates", key)
        parsed = [parse_day(value, f"{key}[{i}]") for i, value in enumerate(raw)]
        for i, day in enumerate(parsed):
            if day.year != year:
                raise Invalid("DATE_OUTSIDE_YEAR", f"{day.isoformat()} is not in {year}", f"{key}[{i}]")
        if len(set(parsed)) != len(parsed):
            raise Invalid("DUPLICATE_DATE", f"{key} lists a date twice", key)
        days[key] = frozenset(parsed)
    for i, day in enumerate(sorted(days["workdays"])):
        if day.weekday() < 5:
            raise Invalid("WORKDAY_NOT_WEEKEND",
                          f"{day.isoformat()} is a weekday: make-up working days (调休上班) fall on weekends",
                          f"workdays[{i}]")
    both = days["holidays"] & days["workdays"]
    if both:
        raise Invalid("DATE_IN_BOTH", f"{', '.join(sorted(d.isoformat() for d in both))} listed as holiday and workday",
                      "workdays")
    source = body.get("source")
    if not isinstance(source, str) or not source.strip():
        raise Malformed("MISSING_FIELD", "source (the notice, e.g. 国办发明电〔2026〕x号) is required", "source")
    if len(source) > 300:
        raise Invalid("TOO_LONG", "source is longer than 300 characters", "source")
    return YearSchedule(year, days["holidays"], days["workdays"], source.strip(), loaded_by, now.isoformat())


def _differences(known: YearSchedule, proposed: YearSchedule) -> list[date]:
    """Days whose working status the two schedules disagree on."""
    a, b = OfficialCalendar({known.year: known}), OfficialCalendar({proposed.year: proposed})
    day, end, differing = date(known.year, 1, 1), date(known.year, 12, 31), []
    while day <= end:
        if a.is_workday(day) != b.is_workday(day):
            differing.append(day)
        day += timedelta(days=1)
    return differing
