"""Subsidy standards (补贴标准) per province or city: the standard in force for a person and a month.

A province (2-digit scope) or a city (4-digit) sets yuan per person per month, possibly graded by
disability grade, category, 低保 type, urban/rural area, age band, or as a percent of the local
低保 line (DOMAIN.md §1, 国发〔2015〕52号). Rows carry effective dates; the standard of a month is the one in
force on the 1st of that month. What is owed over the months is domain.payments.owed's, and nobody else's.

Implements: 国发〔2015〕52号 (DOMAIN.md §1, "Amount": set by the province, per person per month, possibly graded by
低保 type, grade, category, urban/rural, age or a % of the local 低保 line). The figures are configured data with an
effective date, never hard-coded (DOMAIN.md §7: no published figure is trusted without checking).
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping, Sequence

from msgspec import Struct

from ..cases.applications import SUBSIDY_TYPES
from ..errors import Invalid, Malformed
from ..values import first_day, parse_day, parse_month

LOW_INCOME_TYPES = ("dibao", "dibao_edge")  # 低保, 低保边缘
AREAS = ("urban", "rural")  # 城市, 农村
CENT = Decimal("0.01")
_AMOUNT = re.compile(r"[0-9]{1,6}(\.[0-9]{1,2})?")
_PERCENT = re.compile(r"[0-9]{1,3}(\.[0-9]{1,4})?")
_ROW_KEYS = frozenset({"subsidy", "effective_from", "effective_to", "amount", "percent_of_dibao_line",
                       "grades", "categories", "low_income", "area", "min_age", "max_age"})
_LINE_KEYS = frozenset({"effective_from", "effective_to", "area", "monthly"})


class AmountRow(Struct, frozen=True):
    """One standard: ``amount`` yuan a month, or ``percent_of_dibao_line`` % of the 低保 line.

    Empty tuples and None conditions mean "any"; ages are whole years at the 1st of the month,
    both bounds inclusive (under 16 is ``max_age=15``).
    """

    subsidy: str
    effective_from: date
    effective_to: date | None
    amount: Decimal | None
    percent_of_dibao_line: Decimal | None
    grades: tuple[int, ...] = ()
    categories: tuple[int, ...] = ()
    low_income: str | None = None
    area: str | None = None
    min_age: int | None = None
    max_age: int | None = None


class DibaoLine(Struct, frozen=True):
    """The local 最低生活保障标准 (低保 line), yuan a month; ``area`` None = urban and rural alike."""

    effective_from: date
    effective_to: date | None
    area: str | None
    monthly: Decimal


class AmountTable(Struct, frozen=True):
    scope: str
    rows: tuple[AmountRow, ...]
    dibao_lines: tuple[DibaoLine, ...] = ()


class Person(Struct, frozen=True):
    """What the standard may depend on: 残疾类别 1-7, 残疾等级 1-4, 低保 type, area, birth date."""

    category: int
    grade: int
    low_income: str | None
    area: str | None
    birth: date


class Standard(Struct, frozen=True):
    """The standard applied to one person for one month, and where it came from."""

    amount: Decimal
    scope: str
    row: int
    source: str  # e.g. "23 rows[1] from 2026-07-01"


def money(value: Decimal) -> str:
    """Yuan as shown in the API: two decimals, e.g. ``"99.00"``."""
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


# --- shared readers ----------------------------------------------------------------------------

def read_scope(value: object, lengths: tuple[int, ...], field: str) -> str:
    """A 2/4/6-digit division code (省/市/县) of one of the allowed ``lengths``."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) not in lengths:
        allowed = " or ".join(str(n) for n in lengths)
        raise Invalid("SCOPE_FORMAT", f"{field} must be a division code of {allowed} digits", field)
    return value


def read_object(value: object, field: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    """A JSON object with no keys outside ``allowed``."""
    if value is None:
        raise Malformed("MISSING_FIELD", f"{field} is required", field)
    if not isinstance(value, dict):
        raise Malformed("WRONG_TYPE", f"{field} must be an object", field)
    for key in value:
        if key not in allowed:
            where = f"{field}.{key}" if field != "body" else str(key)
            raise Invalid("UNKNOWN_FIELD", f"{key!r} is not one of {sorted(allowed)}", where)
    return value


def _or_empty(value: object) -> object:
    """An absent or null list means "any" (conditions) or "none" (dibao lines)."""
    return [] if value is None else value


def read_list(value: object, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise Malformed("WRONG_TYPE", f"{field} must be a list", field)
    return value


def read_int_list(value: object, field: str, low: int, high: int, code: str) -> tuple[int, ...]:
    """Distinct whole numbers ``low..high`` (grades 1-4, categories 1-7), returned sorted."""
    items = read_list(value, field)
    for index, item in enumerate(items):
        if not isinstance(item, int) or isinstance(item, bool) or not low <= item <= high:
            raise Invalid(code, f"{field} items must be whole numbers {low}..{high}", f"{field}[{index}]")
        if item in items[:index]:
            raise Invalid("DUPLICATE_CODE", f"{field} names {item} twice", f"{field}[{index}]")
    return tuple(sorted(items))


def _decimal(value: object, pattern: re.Pattern[str], field: str, code: str, hint: str) -> Decimal:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise Invalid(code, f"{field} must be a decimal string such as {hint}", field)
    number = Decimal(value)
    if number <= 0:
        raise Invalid("AMOUNT_NOT_POSITIVE", f"{field} must be above zero", field)
    return number


def _choice(value: object, choices: tuple[str, ...], field: str, code: str) -> str | None:
    if value is None:
        return None
    if value not in choices:
        raise Invalid(code, f"{field} must be one of {', '.join(choices)} or null", field)
    return str(value)


def _age(value: object, field: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 150:
        raise Invalid("AGE_FORMAT", f"{field} must be a whole number of years 0..150", field)
    return value


def _period(body: Mapping[str, Any], field: str) -> tuple[date, date | None]:
    if body.get("effective_from") is None:
        raise Malformed("MISSING_FIELD", f"{field}.effective_from is required", f"{field}.effective_from")
    start = parse_day(body["effective_from"], f"{field}.effective_from")
    end = None if body.get("effective_to") is None else parse_day(body["effective_to"], f"{field}.effective_to")
    if end is not None and end < start:
        raise Invalid("DATE_RANGE", "effective_to is before effective_from", f"{field}.effective_to")
    return start, end


# --- reading a table ---------------------------------------------------------------------------

def read_amount_table(scope: str, body: object) -> AmountTable:
    """``{"rows": [row, ...], "dibao_lines": [line, ...]}`` for a province or city (2 or 4 digits)."""
    scope = read_scope(scope, (2, 4), "scope")
    table = read_object(body, "body", frozenset({"rows", "dibao_lines"}))
    if table.get("rows") is None:
        raise Malformed("MISSING_FIELD", "rows is required", "rows")
    rows = read_list(table["rows"], "rows")
    if not rows:
        raise Invalid("ROWS_EMPTY", "rows must hold at least one standard", "rows")
    lines = read_list(_or_empty(table.get("dibao_lines")), "dibao_lines")
    return AmountTable(
        scope=scope,
        rows=tuple(_read_row(row, f"rows[{i}]") for i, row in enumerate(rows)),
        dibao_lines=tuple(_read_line(line, f"dibao_lines[{i}]") for i, line in enumerate(lines)),
    )


def _read_row(value: object, field: str) -> AmountRow:
    row = read_object(value, field, _ROW_KEYS)
    subsidy = row.get("subsidy")
    if subsidy not in SUBSIDY_TYPES:
        raise Invalid("UNKNOWN_SUBSIDY", f"{subsidy!r} is not one of {', '.join(SUBSIDY_TYPES)}", f"{field}.subsidy")
    start, end = _period(row, field)
    if (row.get("amount") is None) == (row.get("percent_of_dibao_line") is None):
        raise Invalid("AMOUNT_OR_PERCENT", "give exactly one of amount, percent_of_dibao_line", field)
    amount = percent = None
    if row.get("amount") is not None:
        amount = _decimal(row["amount"], _AMOUNT, f"{field}.amount", "AMOUNT_FORMAT", '"99.00"')
    else:
        percent = _decimal(row["percent_of_dibao_line"], _PERCENT, f"{field}.percent_of_dibao_line",
                           "PERCENT_FORMAT", '"30" (per cent)')
        if percent > 100:
            raise Invalid("PERCENT_FORMAT", "percent_of_dibao_line must be at most 100",
                          f"{field}.percent_of_dibao_line")
    min_age, max_age = _age(row.get("min_age"), f"{field}.min_age"), _age(row.get("max_age"), f"{field}.max_age")
    if min_age is not None and max_age is not None and max_age < min_age:
        raise Invalid("AGE_RANGE", "max_age is below min_age", f"{field}.max_age")
    return AmountRow(
        subsidy=str(subsidy), effective_from=start, effective_to=end, amount=amount, percent_of_dibao_line=percent,
        grades=read_int_list(_or_empty(row.get("grades")), f"{field}.grades", 1, 4, "GRADE_FORMAT"),
        categories=read_int_list(_or_empty(row.get("categories")), f"{field}.categories", 1, 7, "CATEGORY_FORMAT"),
        low_income=_choice(row.get("low_income"), LOW_INCOME_TYPES, f"{field}.low_income", "UNKNOWN_LOW_INCOME"),
        area=_choice(row.get("area"), AREAS, f"{field}.area", "UNKNOWN_AREA"),
        min_age=min_age, max_age=max_age,
    )


def _read_line(value: object, field: str) -> DibaoLine:
    line = read_object(value, field, _LINE_KEYS)
    start, end = _period(line, field)
    return DibaoLine(
        effective_from=start, effective_to=end,
        area=_choice(line.get("area"), AREAS, f"{field}.area", "UNKNOWN_AREA"),
        monthly=_decimal(line.get("monthly"), _AMOUNT, f"{field}.monthly", "AMOUNT_FORMAT", '"1000.00"'),
    )


# --- checking a table --------------------------------------------------------------------------

def _conditions(row: AmountRow) -> tuple[object, ...]:
    return (row.grades, row.categories, row.low_income, row.area, row.min_age, row.max_age)


def _sets_meet(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return not a or not b or bool(set(a) & set(b))


def _can_match_same_person(a: AmountRow, b: AmountRow) -> bool:
    low = max(a.min_age or 0, b.min_age or 0)
    high = min(150 if a.max_age is None else a.max_age, 150 if b.max_age is None else b.max_age)
    return (
        a.subsidy == b.subsidy
        and _sets_meet(a.grades, b.grades)
        and _sets_meet(a.categories, b.categories)
        and (a.low_income is None or b.low_income is None or a.low_income == b.low_income)
        and (a.area is None or b.area is None or a.area == b.area)
        and low <= high
    )


def _dates_meet(a: AmountRow | DibaoLine, b: AmountRow | DibaoLine) -> bool:
    return (a.effective_to is None or b.effective_from <= a.effective_to) and (
        b.effective_to is None or a.effective_from <= b.effective_to
    )


def check_amount_table(table: AmountTable) -> list[str]:
    """The offending rows: overlaps (one person, one day, two standards), gaps within a condition set,
    and two 低保 lines for the same area on the same day."""
    rows = table.rows
    problems: list[str] = []
    for j, later in enumerate(rows):
        for i in range(j):
            if _can_match_same_person(rows[i], later) and _dates_meet(rows[i], later):
                start = max(rows[i].effective_from, later.effective_from)
                problems.append(f"rows[{j}] overlaps rows[{i}] for {later.subsidy} from {start.isoformat()}")
    for j, line in enumerate(table.dibao_lines):
        for i in range(j):
            earlier = table.dibao_lines[i]
            if earlier.area == line.area and _dates_meet(earlier, line):
                start = max(earlier.effective_from, line.effective_from)
                problems.append(f"dibao_lines[{j}] overlaps dibao_lines[{i}] from {start.isoformat()}")
    groups: dict[tuple[object, ...], list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault((row.subsidy, *_conditions(row)), []).append(index)
    for indexes in groups.values():
        ordered = sorted(indexes, key=lambda k: rows[k].effective_from)
        covered_to, last = rows[ordered[0]].effective_to, ordered[0]
        for k in ordered[1:]:
            if covered_to is None:
                break
            if rows[k].effective_from > covered_to + timedelta(days=1):
                problems.append(
                    f"rows[{k}] leaves a gap after rows[{last}] for {rows[k].subsidy} "
                    f"from {(covered_to + timedelta(days=1)).isoformat()} "
                    f"to {(rows[k].effective_from - timedelta(days=1)).isoformat()}"
                )
            end = rows[k].effective_to
            covered_to, last = (None if end is None else max(covered_to, end)), k
    return problems


# --- the standard of a month, and back pay -----------------------------------------------------

def age_on(birth: date, day: date) -> int:
    """Whole years of age (周岁) on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _in_force(start: date, end: date | None, day: date) -> bool:
    return start <= day and (end is None or day <= end)


def _matches(row: AmountRow, subsidy: str, person: Person, day: date) -> bool:
    age = age_on(person.birth, day)
    return (
        row.subsidy == subsidy
        and _in_force(row.effective_from, row.effective_to, day)
        and (not row.grades or person.grade in row.grades)
        and (not row.categories or person.category in row.categories)
        and (row.low_income is None or row.low_income == person.low_income)
        and (row.area is None or row.area == person.area)
        and (row.min_age is None or age >= row.min_age)
        and (row.max_age is None or age <= row.max_age)
    )


def _specificity(row: AmountRow) -> int:
    return sum(1 for condition in _conditions(row) if condition not in ((), None))


def _amount(table: AmountTable, row: AmountRow, person: Person, day: date, month: str) -> Decimal:
    if row.amount is not None:
        return row.amount.quantize(CENT, rounding=ROUND_HALF_UP)
    assert row.percent_of_dibao_line is not None
    lines = [line for line in table.dibao_lines if _in_force(line.effective_from, line.effective_to, day)
             and line.area in (None, person.area)]
    lines.sort(key=lambda line: line.area is None)  # the person's own area first
    if not lines:
        raise Invalid("NO_DIBAO_LINE", f"no 低保 line in {table.scope} for {month}", "subsidies")
    return (lines[0].monthly * row.percent_of_dibao_line / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def standard_in_force(
    tables: Sequence[AmountTable], business_unit: str, subsidy: str, month: str, person: Person
) -> Standard:
    """The standard for ``month``: the city's table if one of its rows matches, else the province's.

    Among matching rows the most specific (most conditions set) wins; two equally specific
    matches are refused, as is a month with no matching row (NO_AMOUNT_STANDARD).
    """
    if subsidy not in SUBSIDY_TYPES:
        raise Invalid("UNKNOWN_SUBSIDY", f"{subsidy!r} is not one of {', '.join(SUBSIDY_TYPES)}", "subsidy")
    day = first_day(parse_month(month, "month"))
    for scope in (business_unit[:4], business_unit[:2]):
        found = [(table, index, row) for table in tables if table.scope == scope
                 for index, row in enumerate(table.rows) if _matches(row, subsidy, person, day)]
        if not found:
            continue
        found.sort(key=lambda item: -_specificity(item[2]))
        if len(found) > 1 and _specificity(found[0][2]) == _specificity(found[1][2]):
            raise Invalid("AMBIGUOUS_AMOUNT_STANDARD",
                          f"{scope} has two {subsidy} standards for {month}: check the table", "subsidies")
        table, index, row = found[0]
        source = f"{scope} rows[{index}] from {row.effective_from.isoformat()}"
        return Standard(_amount(table, row, person, day, month), scope, index, source)
    raise Invalid("NO_AMOUNT_STANDARD", f"no {subsidy} standard for {month}", "subsidies")


def monthly_amount(
    tables: Sequence[AmountTable], business_unit: str, subsidy: str, month: str, person: Person
) -> Decimal:
    """Yuan for one month (see ``standard_in_force``)."""
    return standard_in_force(tables, business_unit, subsidy, month, person).amount
