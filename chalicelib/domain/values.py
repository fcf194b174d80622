"""Strict readers for the simple values the API takes as text: dates and counts.

``date.fromisoformat`` in Python 3.11 also takes "20260930" and week dates, and ``str.isdigit``
takes "²" and full-width digits; the API's contract is ASCII ``YYYY-MM-DD`` and ASCII digits.
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
