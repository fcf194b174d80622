"""Strict readers for the simple values the API takes as text: dates and counts.

``date.fromisoformat`` in Python 3.11 also takes "20260930" and week dates, and ``str.isdigit``
takes "²" and full-width digits; the API's contract is ASCII ``YYYY-MM-DD`` and ASCII digits.

Implements: no statute — an engineering rule (one strict reading of dates and counts), so that the days the statutory
rules count from (the application month, DOMAIN.md §1; 民法典 第二百零一条 periods, DOMAIN.md §4) are read one way.
"""
from __future__ import annotations

import re
from datetime import date

from .errors import Invalid

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_COUNT = re.compile(r"[0-9]{1,9}")


def day_or_none(value: object) -> date | None:
    """The date for an ASCII ``YYYY-MM-DD`` string naming a real day, else None."""
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_day(value: object, field: str) -> date:
    day = day_or_none(value)
    if day is None:
        raise Invalid("DATE_FORMAT", f"{field} must be a date YYYY-MM-DD", field)
    return day


def parse_count(value: object, field: str, low: int, high: int, code: str) -> int:
    """An ASCII-digit integer within ``low..high``, else 422 ``code``."""
    if not isinstance(value, str) or not _COUNT.fullmatch(value) or not low <= int(value) <= high:
        raise Invalid(code, f"{field} must be a whole number {low}..{high}", field)
    return int(value)


def uploaded_text(body: bytes, field: str = "key") -> tuple[str, str]:
    """An uploaded CSV (a roster, a comparison file) as text, and the encoding it was in: UTF-8 (with or without
    the byte-order mark Excel writes), else GB18030 — what Excel saves as "CSV" on Chinese Windows (GB2312 and GBK
    are subsets of it). Anything neither decodes is refused with 422 UPLOAD_ENCODING."""
    try:
        return body.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise Invalid("UPLOAD_ENCODING", "the file must be CSV text in UTF-8 or GB18030 (GBK)", field) from None


# --- months: the one reader and the arithmetic every module uses ----------------------------------------------

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def parse_month(value: object, field: str = "month") -> str:
    """An ASCII ``YYYY-MM`` month of 2000..2100, else 422 MONTH_FORMAT naming ``field``."""
    match = _MONTH.fullmatch(value) if isinstance(value, str) else None
    if match is None or not 2000 <= int(match.group(1)) <= 2100 or not 1 <= int(match.group(2)) <= 12:
        raise Invalid("MONTH_FORMAT", f"{field} must be a month YYYY-MM", field)
    return str(value)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def first_day(month: str) -> date:
    """The 1st of a ``YYYY-MM`` month."""
    return date(int(month[:4]), int(month[5:7]), 1)


def add_months(month: str, count: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_from(start: str, through: str) -> list[str]:
    """Every ``YYYY-MM`` from ``start`` through ``through`` inclusive (empty when ``through`` is earlier)."""
    months: list[str] = []
    while start <= through:
        months.append(start)
        start = add_months(start, 1)
    return months


# Characters a person's name never holds: C0/C1 controls, and the bidirectional marks and overrides that make a
# name display as another (Unicode TR #9: LRM, RLM, ALM, LRE..RLO, LRI..PDI). The middle dot of minority names
# (·, U+00B7) and every letter are allowed.
# A set, not a compiled character class (~0.5 ms of every cold start).
_NOT_IN_NAMES = frozenset(map(chr, (*range(0x00, 0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F,
                                    *range(0x202A, 0x202F), *range(0x2066, 0x206A))))


def check_name(value: str, field: str) -> str:
    """A person's name as written on the ID card: 422 NAME_CHARACTERS for a control or bidi character."""
    found = next((char for char in value if char in _NOT_IN_NAMES), None)
    if found is not None:
        raise Invalid("NAME_CHARACTERS", f"{field} holds the character U+{ord(found):04X}, which no name has",
                      field)
    return value


def first_not_unicode(value: object, field: str = "body") -> str | None:
    """The path of the first string (or object key) in a JSON value that is not valid Unicode (a lone UTF-16
    surrogate, which JSON's \\u escapes can carry), or None."""
    if isinstance(value, str):
        return None if _is_unicode(value) else field
    if isinstance(value, list):
        return next((found for index, item in enumerate(value)
                     if (found := first_not_unicode(item, f"{field}[{index}]")) is not None), None)
    if isinstance(value, dict):
        for key, item in value.items():
            path = key if field == "body" else f"{field}.{key}"
            if not _is_unicode(key):
                return path.encode("utf-8", "replace").decode("utf-8")
            found = first_not_unicode(item, path)
            if found is not None:
                return found
    return None


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
