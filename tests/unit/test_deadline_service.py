"""DeadlineService over the official calendar: plan() for the domain, answer() for GET /calendar/deadline."""
from __future__ import annotations

from datetime import date

import pytest

from chalicelib.adapters.calendar import OfficialCalendar, library_version
from chalicelib.domain.errors import Invalid, Malformed
from chalicelib.services.calendar import MAX_WORKING_DAYS, DeadlineService

SERVICE = DeadlineService(OfficialCalendar())
LIBRARY = f"chinesecalendar-{library_version()}"


def test_plan_counts_three_working_days_across_national_day_to_the_make_up_saturday():
    assert SERVICE.plan(date(2026, 9, 30), 3) == (date(2026, 10, 10), False, LIBRARY)


def test_plan_into_an_uncovered_year_is_provisional_and_its_version_names_the_uncovered_year():
    due_on, provisional, version = SERVICE.plan(date(2026, 12, 24), 10)

    assert due_on.year == 2027
    assert provisional is True
    assert "uncovered" in version
    assert version == f"{LIBRARY}+uncovered"


def test_answer_gives_the_due_day_of_a_covered_count_as_not_provisional():
    answer = SERVICE.answer("2026-09-30", "3")

    assert answer["start"] == "2026-09-30"
    assert answer["working_days"] == 3
    assert answer["due_on"] == "2026-10-10"
    assert answer["provisional"] is False
    assert answer["calendar_version"] == LIBRARY
    assert "after start" in answer["counting"]


def test_answer_for_a_count_reaching_an_uncovered_year_is_provisional():
    answer = SERVICE.answer("2026-12-24", "10")

    assert answer["provisional"] is True
    assert "uncovered" in answer["calendar_version"]
    assert answer["due_on"].startswith("2027-")


def test_answer_accepts_working_days_at_the_bounds():
    assert SERVICE.answer("2026-09-30", "3")["due_on"] == "2026-10-10"
    assert SERVICE.answer("2026-09-30", "1")["working_days"] == 1
    assert SERVICE.answer("2026-01-05", str(MAX_WORKING_DAYS))["working_days"] == MAX_WORKING_DAYS


@pytest.mark.parametrize("start", [None, ""])
def test_answer_without_a_start_is_malformed(start):
    with pytest.raises(Malformed) as raised:
        SERVICE.answer(start, "3")

    assert (raised.value.code, raised.value.field) == ("MISSING_FIELD", "start")


@pytest.mark.parametrize("start", ["2026/09/30", "30-09-2026", "2026-9-30", "2026-02-30", "tomorrow", "2026-13-01"])
def test_answer_with_a_start_that_is_not_a_yyyy_mm_dd_date_is_invalid_date_format(start):
    with pytest.raises(Invalid) as raised:
        SERVICE.answer(start, "3")

    assert (raised.value.code, raised.value.field) == ("DATE_FORMAT", "start")


@pytest.mark.parametrize("start", ["20260930", "2026-W40-3"], ids=["basic", "week-date"])
def test_answer_with_a_start_in_another_iso_form_is_invalid_date_format(start):
    with pytest.raises(Invalid) as raised:
        SERVICE.answer(start, "3")

    assert raised.value.code == "DATE_FORMAT"


def test_answer_without_working_days_is_malformed():
    with pytest.raises(Malformed) as raised:
        SERVICE.answer("2026-09-30", None)

    assert (raised.value.code, raised.value.field) == ("MISSING_FIELD", "working_days")


@pytest.mark.parametrize("working_days", [0, "0", 251, "251", "x", "", "-1", "3.0", " 3", "1e2", -3])
def test_answer_with_working_days_outside_1_to_250_or_not_a_number_is_invalid(working_days):
    with pytest.raises(Invalid) as raised:
        SERVICE.answer("2026-09-30", working_days)

    assert (raised.value.code, raised.value.field) == ("WORKING_DAYS_RANGE", "working_days")


def test_answer_with_a_superscript_digit_as_working_days_is_invalid():
    with pytest.raises(Invalid) as raised:
        SERVICE.answer("2026-09-30", "²")

    assert raised.value.code == "WORKING_DAYS_RANGE"
