from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.adapters.calendar import OfficialCalendar, YearSchedule
from chalicelib.domain.workdays import (
    STATUTORY_RULE,
    CountingRule,
    DueDate,
    add_working_days,
    application_month,
    working_days_between,
)

CALENDAR = OfficialCalendar()

# 国务院办公厅 2026 notice (issued 2025-11-04), as listed in DOMAIN.md section 4.
MAKE_UP_2026 = ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"]
REST_2026 = [
    ("01-01", "01-03"),
    ("02-15", "02-23"),
    ("04-04", "04-06"),
    ("05-01", "05-05"),
    ("06-19", "06-21"),
    ("09-25", "09-27"),
    ("10-01", "10-07"),
]


def d(text: str) -> date:
    return date.fromisoformat(text)


def due(start: str, n: int, calendar: OfficialCalendar = CALENDAR, rule: CountingRule = STATUTORY_RULE) -> date:
    result = add_working_days(d(start), n, calendar, rule)
    assert not result.provisional
    return result.due_on


def test_every_2026_make_up_day_is_a_working_day():
    for month_day in MAKE_UP_2026:
        day = d(f"2026-{month_day}")
        assert day.weekday() >= 5, day
        assert CALENDAR.is_workday(day), day


def test_every_2026_rest_day_is_not_a_working_day():
    for first, last in REST_2026:
        day = d(f"2026-{first}")
        while day <= d(f"2026-{last}"):
            assert not CALENDAR.is_workday(day), day
            day += timedelta(days=1)


def test_the_statutory_rule_starts_counting_the_day_after():
    assert STATUTORY_RULE.first_day_offset == 1


def test_national_day_three_working_days_end_on_the_make_up_saturday():
    # 10-01..07 rest, 10-08 Thu (1), 10-09 Fri (2), 10-10 Sat make-up (3).
    assert due("2026-09-30", 3) == d("2026-10-10")


def test_a_sunday_make_up_day_counts_as_the_first_working_day():
    # 09-19 Sat rest, 09-20 Sun make-up.
    assert due("2026-09-18", 1) == d("2026-09-20")


def test_spring_festival_saturday_make_up_day_is_the_next_working_day():
    assert due("2026-02-13", 1) == d("2026-02-14")


def test_ten_working_days_across_spring_festival():
    # 02-14 Sat (1); 02-15..23 rest; 02-24..27 (2-5); 02-28 Sat (6); 03-01 Sun rest;
    # 03-02..05 (7-10).
    assert due("2026-02-13", 10) == d("2026-03-05")


def test_a_start_on_a_holiday_counts_from_the_first_working_day_after():
    assert due("2026-10-03", 1) == d("2026-10-08")
    assert due("2026-02-17", 1) == d("2026-02-24")


def test_an_ordinary_week_skips_the_weekend():
    # 2026-03-06 is a Friday.
    assert due("2026-03-06", 1) == d("2026-03-09")
    assert due("2026-03-06", 5) == d("2026-03-13")


def test_offset_zero_counts_a_working_start_day_itself():
    rule = CountingRule(first_day_offset=0)
    assert due("2026-10-09", 1, rule=rule) == d("2026-10-09")
    assert due("2026-10-09", 2, rule=rule) == d("2026-10-10")
    assert due("2026-10-09", 1) == d("2026-10-10")


def test_offset_zero_on_a_holiday_still_waits_for_the_next_working_day():
    assert due("2026-10-01", 1, rule=CountingRule(first_day_offset=0)) == d("2026-10-08")


def test_a_deadline_inside_2026_is_not_provisional():
    assert add_working_days(d("2026-12-01"), 10, CALENDAR) == DueDate(
        due_on=d("2026-12-15"), provisional=False, uncovered_years=()
    )


def test_a_deadline_crossing_into_2027_is_provisional_and_names_the_year():
    # 12-25 (1), 12-28..31 (2-5), 2027-01-01 Fri guessed working (6), 01-04..07 (7-10).
    result = add_working_days(d("2026-12-24"), 10, CALENDAR)
    assert result == DueDate(due_on=d("2027-01-07"), provisional=True, uncovered_years=(2027,))


def test_a_loaded_2027_schedule_makes_the_deadline_final():
    schedule = YearSchedule(
        year=2027,
        holidays=frozenset({d("2027-01-01"), d("2027-01-02"), d("2027-01-03")}),
        workdays=frozenset(),
        source="test notice",
        loaded_by="operator-1",
        loaded_at="2026-11-10T09:00:00+08:00",
    )
    calendar = OfficialCalendar({2027: schedule})
    result = add_working_days(d("2026-12-24"), 10, calendar)
    assert result == DueDate(due_on=d("2027-01-08"), provisional=False, uncovered_years=())


def test_a_loaded_make_up_saturday_is_a_working_day():
    schedule = YearSchedule(
        year=2027,
        holidays=frozenset(),
        workdays=frozenset({d("2027-01-09")}),
        source="test notice",
        loaded_by="operator-1",
        loaded_at="2026-11-10T09:00:00+08:00",
    )
    calendar = OfficialCalendar({2027: schedule})
    assert due("2027-01-08", 1, calendar) == d("2027-01-09")
    assert due("2027-01-15", 1, calendar) == d("2027-01-18")


def test_fewer_than_one_working_day_is_an_error():
    with pytest.raises(ValueError):
        add_working_days(d("2026-03-02"), 0, CALENDAR)


class _NeverWorking:
    def covers(self, year: int) -> bool:
        return True

    def is_workday(self, day: date) -> bool:
        return False


def test_a_calendar_without_working_days_cannot_loop_forever():
    with pytest.raises(ValueError):
        add_working_days(d("2026-03-02"), 1, _NeverWorking())


def test_working_days_between_counts_after_exclusive_until_inclusive():
    assert working_days_between(d("2026-09-30"), d("2026-10-10"), CALENDAR) == (3, False)
    assert working_days_between(d("2026-10-09"), d("2026-10-10"), CALENDAR) == (1, False)


def test_working_days_between_is_zero_when_until_is_not_after():
    assert working_days_between(d("2026-10-10"), d("2026-10-10"), CALENDAR) == (0, False)
    assert working_days_between(d("2026-10-10"), d("2026-09-30"), CALENDAR) == (0, False)


def test_working_days_between_flags_an_uncovered_year():
    # 12-31 Thu (1), 2027-01-01 Fri guessed working (2), 01-04 Mon (3), 01-05 Tue (4).
    assert working_days_between(d("2026-12-30"), d("2027-01-05"), CALENDAR) == (4, True)


def test_working_days_between_agrees_with_add_working_days():
    result = add_working_days(d("2026-02-13"), 10, CALENDAR)
    assert working_days_between(d("2026-02-13"), result.due_on, CALENDAR) == (10, False)


def test_application_month_is_the_month_of_submission():
    assert application_month(d("2026-03-31")) == "2026-03"
    assert application_month(d("2026-12-01")) == "2026-12"


# --- 2025 (国办发明电〔2024〕12号): Spring Festival 01-28..02-04 with make-up 01-26 (Sun) and 02-08 (Sat);
# Labour Day 05-01..05 with make-up 04-27 (Sun); National Day and Mid-Autumn 10-01..08 with make-up
# 09-28 (Sun) and 10-11 (Sat).

def test_2025_make_up_days_count_and_rest_days_do_not():
    calendar = OfficialCalendar()
    for day in ("2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"):
        assert calendar.is_workday(date.fromisoformat(day)), day
    for day in ("2025-01-28", "2025-02-04", "2025-05-05", "2025-10-08"):
        assert not calendar.is_workday(date.fromisoformat(day)), day


def test_2025_spring_festival_ten_working_days_use_both_make_up_days():
    # after Fri 01-24: Sun 01-26 (1), Mon 01-27 (2), rest 01-28..02-04, 02-05..07 (3-5), Sat 02-08 (6),
    # 02-10..13 (7-10)
    due = add_working_days(date(2025, 1, 24), 10, OfficialCalendar())
    assert (due.due_on, due.provisional) == (date(2025, 2, 13), False)


def test_2025_national_day_three_working_days_from_the_eve_end_on_the_make_up_saturday():
    # after Tue 09-30: rest 10-01..08, Thu 10-09 (1), Fri 10-10 (2), Sat 10-11 (3)
    assert add_working_days(date(2025, 9, 30), 3, OfficialCalendar()).due_on == date(2025, 10, 11)


def test_a_start_on_a_make_up_saturday_counts_from_the_next_working_day():
    # the Saturday 2026-10-10 is itself a working day; day 1 is still the day after: Mon 10-12
    assert add_working_days(date(2026, 10, 10), 1, OfficialCalendar()).due_on == date(2026, 10, 12)
    assert add_working_days(date(2026, 10, 10), 3, OfficialCalendar()).due_on == date(2026, 10, 14)


def test_a_start_on_a_holiday_of_2025_counts_from_the_first_working_day_after():
    # started on Labour Day 05-01: 05-02..05 rest, Tue 05-06 is day 1
    assert add_working_days(date(2025, 5, 1), 1, OfficialCalendar()).due_on == date(2025, 5, 6)
