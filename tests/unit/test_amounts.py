"""Subsidy standards per province or city and checks on the tables (back pay: tests/unit/test_owed.py)."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.errors import Invalid, Malformed
from chalicelib.domain.rules.amounts import (
    AmountRow,
    AmountTable,
    DibaoLine,
    Person,
    check_amount_table,
    money,
    monthly_amount,
    read_amount_table,
)
from chalicelib.domain.rules.jurisdiction import demo_rules_from

DEMO = Path(__file__).resolve().parents[2] / "demo" / "rules.json"
DAOLI = "230102001"  # 哈尔滨市道里区
QIQIHAR = "230202001"
ADULT = Person(category=4, grade=1, low_income="dibao", area="urban", birth=date(1980, 5, 10))


def row(subsidy: str = "living", start: str = "2026-01-01", end: str | None = None, amount: str | None = "80.00",
        **conditions: Any) -> AmountRow:
    return AmountRow(subsidy, date.fromisoformat(start), None if end is None else date.fromisoformat(end),
                     None if amount is None else Decimal(amount), conditions.pop("percent", None), **conditions)


def table(scope: str, *rows: AmountRow, lines: tuple[DibaoLine, ...] = ()) -> AmountTable:
    return AmountTable(scope, rows, lines)


def demo_tables() -> list[AmountTable]:
    return demo_rules_from(json.loads(DEMO.read_text(encoding="utf-8"))).amounts


def error_of(call, *args):
    with pytest.raises((Invalid, Malformed)) as raised:
        call(*args)
    return type(raised.value).__name__, raised.value.code, raised.value.field


# --- reading -----------------------------------------------------------------------------------

def test_a_table_is_read_with_graded_rows_and_dibao_lines():
    body = {
        "rows": [
            {"subsidy": "nursing", "effective_from": "2025-07-01", "effective_to": None, "amount": "350.00",
             "grades": [1]},
            {"subsidy": "living", "effective_from": "2025-07-01", "effective_to": "2026-06-30",
             "percent_of_dibao_line": "30", "low_income": "dibao", "area": "rural", "min_age": 60},
        ],
        "dibao_lines": [{"effective_from": "2025-01-01", "effective_to": None, "area": "rural", "monthly": "700.00"}],
    }
    read = read_amount_table("31", body)
    assert read.rows[0] == AmountRow("nursing", date(2025, 7, 1), None, Decimal("350.00"), None, grades=(1,))
    assert read.rows[1].percent_of_dibao_line == Decimal("30")
    assert read.rows[1].effective_to == date(2026, 6, 30)
    assert read.rows[1].min_age == 60 and read.rows[1].area == "rural"
    assert read.dibao_lines == (DibaoLine(date(2025, 1, 1), None, "rural", Decimal("700.00")),)


@pytest.mark.parametrize(("change", "expected"), [
    ({"amount": "3.5.0"}, ("Invalid", "AMOUNT_FORMAT", "rows[0].amount")),
    ({"amount": 350}, ("Invalid", "AMOUNT_FORMAT", "rows[0].amount")),
    ({"amount": "0.00"}, ("Invalid", "AMOUNT_NOT_POSITIVE", "rows[0].amount")),
    ({"percent_of_dibao_line": "30"}, ("Invalid", "AMOUNT_OR_PERCENT", "rows[0]")),
    ({"amount": None}, ("Invalid", "AMOUNT_OR_PERCENT", "rows[0]")),
    ({"subsidy": "pension"}, ("Invalid", "UNKNOWN_SUBSIDY", "rows[0].subsidy")),
    ({"effective_from": "2025-7-1"}, ("Invalid", "DATE_FORMAT", "rows[0].effective_from")),
    ({"effective_from": None}, ("Malformed", "MISSING_FIELD", "rows[0].effective_from")),
    ({"effective_to": "2025-06-30"}, ("Invalid", "DATE_RANGE", "rows[0].effective_to")),
    ({"grades": [1, 5]}, ("Invalid", "GRADE_FORMAT", "rows[0].grades[1]")),
    ({"grades": [1, 1]}, ("Invalid", "DUPLICATE_CODE", "rows[0].grades[1]")),
    ({"categories": [0]}, ("Invalid", "CATEGORY_FORMAT", "rows[0].categories[0]")),
    ({"low_income": "poor"}, ("Invalid", "UNKNOWN_LOW_INCOME", "rows[0].low_income")),
    ({"area": "suburb"}, ("Invalid", "UNKNOWN_AREA", "rows[0].area")),
    ({"min_age": 60, "max_age": 16}, ("Invalid", "AGE_RANGE", "rows[0].max_age")),
    ({"min_age": "60"}, ("Invalid", "AGE_FORMAT", "rows[0].min_age")),
    ({"level": 1}, ("Invalid", "UNKNOWN_FIELD", "rows[0].level")),
])
def test_a_bad_row_is_refused_naming_the_field(change, expected):
    good = {"subsidy": "nursing", "effective_from": "2025-07-01", "effective_to": None, "amount": "350.00"}
    assert error_of(read_amount_table, "31", {"rows": [{**good, **change}]}) == expected


def test_a_table_without_rows_or_for_a_county_is_refused():
    assert error_of(read_amount_table, "31", {}) == ("Malformed", "MISSING_FIELD", "rows")
    assert error_of(read_amount_table, "31", {"rows": []}) == ("Invalid", "ROWS_EMPTY", "rows")
    assert error_of(read_amount_table, "310101", {"rows": []}) == ("Invalid", "SCOPE_FORMAT", "scope")


# --- checking ----------------------------------------------------------------------------------

def test_a_change_of_standard_without_gap_or_overlap_passes():
    assert check_amount_table(table("23", row(end="2026-06-30"), row(start="2026-07-01", amount="90.00"))) == []


def test_overlapping_rows_of_one_condition_set_are_named():
    rows = table("23", row(end="2026-06-30"), row(start="2026-06-01", amount="90.00"))
    assert check_amount_table(rows) == ["rows[1] overlaps rows[0] for living from 2026-06-01"]


def test_a_gap_between_versions_is_named():
    rows = table("23", row(end="2026-05-31"), row(start="2026-07-01", amount="90.00"))
    assert check_amount_table(rows) == [
        "rows[1] leaves a gap after rows[0] for living from 2026-06-01 to 2026-06-30"]


def test_a_specific_row_overlapping_an_any_row_is_named():
    rows = table("23", row("nursing", amount="100.00", grades=(1,)), row("nursing", amount="80.00"),
                 row("nursing", amount="60.00", grades=(3, 4), categories=(5, 6), start="2026-03-01"))
    assert check_amount_table(rows) == [
        "rows[1] overlaps rows[0] for nursing from 2026-01-01",
        "rows[2] overlaps rows[1] for nursing from 2026-03-01",
    ]


def test_rows_that_cannot_match_the_same_person_do_not_overlap():
    rows = table("31", row(amount="450.00", low_income="dibao"), row(amount="320.00", low_income="dibao_edge"),
                 row("nursing", amount="100.00", max_age=15), row("nursing", amount="90.00", min_age=16),
                 row(amount="10.00", low_income="dibao", area="rural", start="2027-01-01", end="2027-12-31"))
    assert check_amount_table(rows) == ["rows[4] overlaps rows[0] for living from 2027-01-01"]


def test_two_dibao_lines_for_one_area_on_one_day_are_named():
    lines = (DibaoLine(date(2026, 1, 1), None, "urban", Decimal("875.50")),
             DibaoLine(date(2026, 1, 1), None, None, Decimal("600.00")),
             DibaoLine(date(2026, 7, 1), None, "urban", Decimal("900.00")))
    assert check_amount_table(table("23", row(), lines=lines)) == [
        "dibao_lines[2] overlaps dibao_lines[0] from 2026-07-01"]


def test_null_conditions_mean_any():
    body = {"rows": [{"subsidy": "living", "effective_from": "2026-01-01", "amount": "80.00", "grades": None,
                      "categories": None, "low_income": None}], "dibao_lines": None}
    assert read_amount_table("23", body) == table("23", row())


# --- the standard of a month -------------------------------------------------------------------

def test_a_graded_table_picks_by_grade_and_category():
    tables = demo_tables()
    assert monthly_amount(tables, DAOLI, "nursing", "2026-05", ADULT) == Decimal("100.00")
    grade_two = Person(4, 2, None, None, ADULT.birth)
    assert monthly_amount(tables, DAOLI, "nursing", "2026-05", grade_two) == Decimal("80.00")
    intellectual = Person(5, 3, None, None, ADULT.birth)
    assert monthly_amount(tables, DAOLI, "nursing", "2026-05", intellectual) == Decimal("60.00")
    assert error_of(monthly_amount, tables, DAOLI, "nursing", "2026-05", Person(4, 3, None, None, ADULT.birth)) == (
        "Invalid", "NO_AMOUNT_STANDARD", "subsidies")


def test_shanghai_grades_the_living_subsidy_by_low_income_type():
    tables = demo_tables()
    edge = Person(4, 3, "dibao_edge", "urban", ADULT.birth)
    assert monthly_amount(tables, "310101002", "living", "2025-07", ADULT) == Decimal("450.00")
    assert monthly_amount(tables, "310101002", "living", "2025-07", edge) == Decimal("320.00")


def test_area_and_age_band_select_the_row():
    rows = table("23", row(amount="100.00", area="urban"), row(amount="70.00", area="rural", max_age=59),
                 row(amount="75.00", area="rural", min_age=60))
    rural_young = Person(4, 1, "dibao", "rural", date(1966, 6, 2))  # turns 60 on 2026-06-02
    assert monthly_amount([rows], QIQIHAR, "living", "2026-06", ADULT) == Decimal("100.00")
    assert monthly_amount([rows], QIQIHAR, "living", "2026-06", rural_young) == Decimal("70.00")
    assert monthly_amount([rows], QIQIHAR, "living", "2026-07", rural_young) == Decimal("75.00")


def test_a_percent_row_uses_the_dibao_line_in_force_rounded_half_up():
    lines = (DibaoLine(date(2026, 1, 1), None, "urban", Decimal("875.50")),
             DibaoLine(date(2026, 1, 1), None, None, Decimal("600.00")))
    percent = table("23", row(amount=None, percent=Decimal("15")), lines=lines)
    assert monthly_amount([percent], QIQIHAR, "living", "2026-03", ADULT) == Decimal("131.33")  # 131.325
    rural = Person(4, 1, "dibao", "rural", ADULT.birth)
    assert monthly_amount([percent], QIQIHAR, "living", "2026-03", rural) == Decimal("90.00")
    assert money(Decimal("131.325")) == "131.33" and money(Decimal("99")) == "99.00"


def test_a_percent_row_without_a_dibao_line_is_refused():
    percent = table("23", row(amount=None, percent=Decimal("15")))
    assert error_of(monthly_amount, [percent], QIQIHAR, "living", "2026-03", ADULT)[1] == "NO_DIBAO_LINE"


def test_the_most_specific_matching_row_wins():
    rows = table("23", row("nursing", amount="80.00"), row("nursing", amount="100.00", grades=(1,)))
    assert monthly_amount([rows], QIQIHAR, "nursing", "2026-03", ADULT) == Decimal("100.00")
    assert monthly_amount([rows], QIQIHAR, "nursing", "2026-03", Person(4, 2, None, None, ADULT.birth)) == Decimal(
        "80.00")


def test_the_city_table_is_preferred_over_the_province():
    tables = [*demo_tables(), table("2301", row(amount="95.00"))]
    assert monthly_amount(tables, DAOLI, "living", "2026-03", ADULT) == Decimal("95.00")
    assert monthly_amount(tables, QIQIHAR, "living", "2026-03", ADULT) == Decimal("80.00")
    assert monthly_amount(tables, DAOLI, "nursing", "2026-03", ADULT) == Decimal("100.00")  # no city nursing row


def test_a_row_starting_mid_month_applies_from_the_next_month():
    rows = table("23", row(end="2026-07-14"), row(start="2026-07-15", amount="90.00"))
    assert monthly_amount([rows], QIQIHAR, "living", "2026-07", ADULT) == Decimal("80.00")
    assert monthly_amount([rows], QIQIHAR, "living", "2026-08", ADULT) == Decimal("90.00")


def test_a_month_before_any_standard_is_refused():
    assert error_of(monthly_amount, demo_tables(), DAOLI, "living", "2025-12", ADULT) == (
        "Invalid", "NO_AMOUNT_STANDARD", "subsidies")
    assert error_of(monthly_amount, demo_tables(), DAOLI, "living", "2025-13", ADULT)[1] == "MONTH_FORMAT"
