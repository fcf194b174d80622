"""Identity numbers: 公民身份号码 (GB 11643) and 残疾人证号 (2nd/3rd generation).

The address code of a 公民身份号码 is where the number was first issued, not the current
户籍地, and it is often younger than its holder: it is checked against the whole GB/T 2260
history, never against the birth year (which is what ``stdnum.cn.ric.validate`` does).

Implements: GB 11643 (公民身份号码: address code, birth date, sequence, ISO 7064 MOD 11-2 check character) and
GB/T 2260 (the address code's whole history), DOMAIN.md §5; the 残疾人证号 layout (ID number + category digit + grade
digit, DOMAIN.md §5) has no standard number in DOMAIN.md.
"""
from __future__ import annotations

import re
from datetime import date

from msgspec import Struct

from .errors import Invalid, Malformed
from .units import is_known_region_code, region_code_abolished_before
from .values import day_or_none

ID_LENGTH = 18
EARLIEST_BIRTH = date(1900, 1, 1)

CATEGORY_NAMES: dict[int, str] = {
    1: "视力",
    2: "听力",
    3: "言语",
    4: "肢体",
    5: "智力",
    6: "精神",
    7: "多重",
}
GRADE_NAMES: dict[int, str] = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}

_ID_RE = re.compile(r"[0-9]{17}[0-9X]")


def validate_id_number(value: object, today: date, field: str) -> str:
    """Validate a 公民身份号码 and return it normalized (no spaces, uppercase ``X``).

    Checks, in order: type, length, characters, ISO 7064 MOD 11-2 check character,
    birth date (real, 1900-01-01..today), and address code (known in GB/T 2260, and not abolished more than a
    year before the holder's birth).
    """
    if value is None or value == "":
        raise Malformed("MISSING_FIELD", f"{field} is required", field)
    if not isinstance(value, str):
        raise Invalid("ID_NUMBER_FORMAT", "ID number must be a string", field)
    number = value.replace(" ", "").upper()
    if len(number) != ID_LENGTH:
        raise Invalid(
            "ID_NUMBER_LENGTH", f"ID number must have 18 characters, got {len(number)}", field
        )
    if not _ID_RE.fullmatch(number):
        raise Invalid(
            "ID_NUMBER_FORMAT", "ID number must be 17 digits followed by a digit or X", field
        )
    from stdnum.cn.ric import (
        calc_check_digit,  # here: stdnum's package loads pydoc (issue 18)
    )

    if number[-1] != calc_check_digit(number):
        raise Invalid(
            "ID_NUMBER_CHECKSUM", "ID number check character does not match (MOD 11-2)", field
        )
    born = _birth_date_or_none(number)
    if born is None:
        raise Invalid("ID_NUMBER_BIRTH_DATE", "ID number birth date is not a real date", field)
    if born > today:
        raise Invalid("ID_NUMBER_BIRTH_DATE", "ID number birth date is in the future", field)
    if born < EARLIEST_BIRTH:
        raise Invalid("ID_NUMBER_BIRTH_DATE", "ID number birth date is before 1900-01-01", field)
    if not is_known_region_code(number[:6]):
        raise Invalid(
            "ID_NUMBER_REGION",
            f"ID number address code {number[:6]} never existed in GB/T 2260",
            field,
        )
    abolished = region_code_abolished_before(number[:6], born.year)
    if abolished is not None:
        raise Invalid("ID_NUMBER_REGION", f"ID number address code {number[:6]} was abolished in {abolished}, "
                      f"before its holder was born ({born.year})", field)
    return number


def _birth_date_or_none(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def birth_date(id_number: str) -> date:
    """The birth date (出生日期码) of a validated ID number."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def mask_id_number(id_number: str) -> str:
    """Show only the first 3 and last 4 characters; never reveals the birth date."""
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def id_tail(id_number: str) -> str:
    """The last 6 characters, e.g. for matching at a window."""
    return id_number[-6:]


class Certificate(Struct, frozen=True):
    """A 残疾人证: number, 残疾类别 (1-7), 残疾等级 (1-4, 1 most severe), 有效期至."""

    number: str
    category: int
    grade: int
    valid_until: date

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES[self.category]

    @property
    def grade_name(self) -> str:
        return GRADE_NAMES[self.grade]


def parse_certificate(
    number: object, valid_until: object, holder_id: str, today: date, field: str
) -> Certificate:
    """Parse a 残疾人证号 (holder's 18-character ID + category digit + grade digit).

    ``holder_id`` is the already validated ID number of the applicant; ``field`` is the
    certificate object's path, e.g. ``"applicant.certificate"``.
    """
    number_field = f"{field}.number"
    if not isinstance(number, str):
        raise Invalid("CERTIFICATE_FORMAT", "certificate number must be a string", number_field)
    normalized = number.replace(" ", "").upper()
    if len(normalized) != ID_LENGTH + 2:
        raise Invalid(
            "CERTIFICATE_FORMAT",
            f"certificate number must have 20 characters, got {len(normalized)}",
            number_field,
        )
    if normalized[:ID_LENGTH] != holder_id:
        raise Invalid(
            "CERTIFICATE_HOLDER_MISMATCH",
            "certificate number does not start with the holder's ID number",
            number_field,
        )
    category_char, grade_char = normalized[ID_LENGTH], normalized[ID_LENGTH + 1]
    if category_char not in "1234567":
        raise Invalid(
            "CERTIFICATE_CATEGORY", "certificate category digit must be 1 to 7", number_field
        )
    if grade_char not in "1234":
        raise Invalid("CERTIFICATE_GRADE", "certificate grade digit must be 1 to 4", number_field)
    expiry = day_or_none(valid_until)
    valid_field = f"{field}.valid_until"
    if expiry is None:
        raise Invalid(
            "CERTIFICATE_VALID_UNTIL", "valid_until must be a date YYYY-MM-DD", valid_field
        )
    if expiry < today:
        raise Invalid(
            "CERTIFICATE_EXPIRED", f"certificate expired on {expiry.isoformat()}", valid_field
        )
    return Certificate(
        number=normalized,
        category=int(category_char),
        grade=int(grade_char),
        valid_until=expiry,
    )
