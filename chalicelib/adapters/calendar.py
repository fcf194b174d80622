"""The official working-day calendar: 国务院办公厅《关于YYYY年部分节假日安排的通知》.

Years an operator has loaded win; otherwise the ``chinesecalendar`` package answers for
the years it knows (2004-2026 in 1.11.0). Any other year is not covered, and the domain
counts it provisionally (see ``chalicelib.domain.workdays``).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from functools import lru_cache

import chinese_calendar  # type: ignore[import-untyped]
from msgspec import Struct


class YearSchedule(Struct, frozen=True):
    """One year's official schedule.

    ``holidays``: declared rest days (法定节假日 and 调休 rest days, on weekdays or weekends).
    ``workdays``: 调休 make-up working days falling on Saturdays or Sundays.
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str
    loaded_by: str
    loaded_at: str


@lru_cache(maxsize=1)
def library_version() -> str:
    """The installed chinesecalendar version, e.g. ``"1.11.0"``."""
    from importlib import (
        metadata,  # here only: with zipfile and email ~5 ms of import app (issue 18)
    )

    try:
        return metadata.version("chinesecalendar")
    except metadata.PackageNotFoundError:
        return str(getattr(chinese_calendar, "__version__", "unknown"))


@lru_cache(maxsize=1)
def library_years() -> tuple[int, int]:
    """The (first, last) year the installed chinesecalendar has data for."""
    years = [day.year for day in chinese_calendar.holidays]
    first, last = min(years), max(years)
    # Confirm by probing, so a change in the library's internals cannot widen the range.
    while last >= first and not _library_answers(date(last, 12, 31)):
        last -= 1
    while first <= last and not _library_answers(date(first, 1, 1)):
        first += 1
    return first, last


def _library_answers(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=4096)
def _library_workday(day: date) -> bool:
    """chinesecalendar's answer, remembered: its data is fixed for the process, and each of its answers checks the
    day against the min and max of its whole table (~30 µs: a worklist page of 50 counted ~20 days each)."""
    return bool(chinese_calendar.is_workday(day))


def _library_covers(year: int) -> bool:
    first, last = library_years()
    return first <= year <= last


class OfficialCalendar:
    """A ``WorkdayCalendar``: operator-loaded years first, then chinesecalendar."""

    def __init__(
        self,
        loaded: Mapping[int, YearSchedule] | None = None,
        loader: Callable[[int], YearSchedule | None] | None = None,
    ) -> None:
        self._loaded: dict[int, YearSchedule] = dict(loaded or {})
        self._loader = loader  # operator-loaded years, looked up when first needed

    def _schedule(self, year: int) -> YearSchedule | None:
        schedule = self._loaded.get(year)
        if schedule is None and self._loader is not None:
            schedule = self._loader(year)
        return schedule

    def covers(self, year: int) -> bool:
        return _library_covers(year) or self._schedule(year) is not None

    def is_workday(self, day: date) -> bool:
        schedule = self._schedule(day.year)
        if schedule is not None:
            return day in schedule.workdays or (
                day.weekday() < 5 and day not in schedule.holidays
            )
        if not _library_covers(day.year):
            raise ValueError(f"no working-day calendar for {day.year}")
        try:
            return _library_workday(day)
        except NotImplementedError as exc:
            raise ValueError(f"no working-day calendar for {day.year}") from exc

    def version_of(self, year: int) -> str:
        """Which calendar answers for ``year``, to record alongside a computed deadline."""
        schedule = self._schedule(year)
        if schedule is not None:
            return f"loaded:{year}:{schedule.loaded_at}"
        if _library_covers(year):
            return f"chinesecalendar-{library_version()}"
        return "uncovered"


def schedule_from_library(year: int) -> YearSchedule | None:
    """The year's holidays and weekend make-up working days as chinesecalendar knows them."""
    if not _library_covers(year):
        return None
    start, end = date(year, 1, 1), date(year, 12, 31)
    try:
        holidays = chinese_calendar.get_holidays(start, end, include_weekends=False)
        workdays = [
            day
            for day in chinese_calendar.get_workdays(start, end, include_weekends=True)
            if day.weekday() >= 5
        ]
    except NotImplementedError:
        return None
    return YearSchedule(
        year=year,
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        source=f"chinesecalendar {library_version()}",
        loaded_by="library",
        loaded_at="",
    )

