from __future__ import annotations

from datetime import date
from importlib import metadata

from chalicelib.adapters.calendar import (
    OfficialCalendar,
    YearSchedule,
    schedule_from_library,
)

LOADED_2027 = YearSchedule(
    year=2027,
    holidays=frozenset({date(2027, 1, 1)}),
    workdays=frozenset(),
    source="国务院办公厅 notice",
    loaded_by="operator-1",
    loaded_at="2026-11-10T09:00:00+08:00",
)


def test_the_library_covers_2004_to_2026_only():
    calendar = OfficialCalendar()
    assert calendar.covers(2004)
    assert calendar.covers(2026)
    assert not calendar.covers(2003)
    assert not calendar.covers(2027)


def test_a_loaded_year_is_covered():
    assert OfficialCalendar({2027: LOADED_2027}).covers(2027)


def test_a_loaded_year_overrides_the_library():
    loaded_2026 = YearSchedule(
        year=2026,
        holidays=frozenset(),
        workdays=frozenset(),
        source="test",
        loaded_by="operator-1",
        loaded_at="2026-01-01T00:00:00+08:00",
    )
    calendar = OfficialCalendar({2026: loaded_2026})
    assert calendar.is_workday(date(2026, 10, 1))
    assert not calendar.is_workday(date(2026, 10, 10))


def test_version_of_names_the_calendar_that_answers():
    calendar = OfficialCalendar({2027: LOADED_2027})
    assert calendar.version_of(2026) == f"chinesecalendar-{metadata.version('chinesecalendar')}"
    assert calendar.version_of(2026) == "chinesecalendar-1.11.0"
    assert calendar.version_of(2027) == "loaded:2027:2026-11-10T09:00:00+08:00"
    assert calendar.version_of(2028) == "uncovered"


def test_schedule_from_library_for_2026_lists_rest_and_make_up_days():
    schedule = schedule_from_library(2026)
    assert schedule is not None
    assert schedule.year == 2026
    assert date(2026, 10, 10) in schedule.workdays
    assert date(2026, 9, 20) in schedule.workdays
    assert date(2026, 10, 1) in schedule.holidays
    assert date(2026, 1, 3) in schedule.holidays  # a Saturday declared holiday
    assert date(2026, 10, 8) not in schedule.holidays
    assert all(day.weekday() >= 5 for day in schedule.workdays)
    assert schedule.source == "chinesecalendar 1.11.0"


def test_schedule_from_library_round_trips_through_a_loaded_calendar():
    schedule = schedule_from_library(2026)
    assert schedule is not None
    from_library, from_schedule = OfficialCalendar(), OfficialCalendar({2026: schedule})
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert from_library.is_workday(day) == from_schedule.is_workday(day), day
        day = date.fromordinal(day.toordinal() + 1)


def test_schedule_from_library_is_none_for_an_uncovered_year():
    assert schedule_from_library(2027) is None
    assert schedule_from_library(2003) is None
