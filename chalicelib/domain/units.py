"""Administrative units: GB/T 2260 division codes and their 9-digit statistical extension.

A window (受理地) or a business jurisdiction (业务属地) is a 9-digit township/street unit:
province 2 + prefecture 2 + county 2 (the GB/T 2260 县级行政区划代码) + township 3.
County names come from python-stdnum's ``cn/loc`` table, whose values carry the years a
name was in use, e.g. ``"[1983-2004]太平区"`` or ``"[-1991]东郊区,[1992-]东丽区"``.

Implements: GB/T 2260 (6-digit division codes, with their history) and the 9-/12-digit statistical extension
(DOMAIN.md §5); the scopes 跨省 / 跨市 / 跨县 of 民办发〔2021〕2号 (DOMAIN.md §2: the same procedure across provinces,
cities and counties).
"""
from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import Invalid, Malformed

if TYPE_CHECKING:
    from stdnum.numdb import NumDB

_TOWNSHIP_RE = re.compile(r"[0-9]{9}")
_SCOPE_RE = re.compile(r"[0-9]+")
_SCOPE_LENGTHS = frozenset({2, 4, 6, 9})
_CODE6_RE = re.compile(r"[0-9]{6}")
_ERA_RE = re.compile(r"\[(?P<start>[0-9]*)-(?P<end>[0-9]*)\](?P<name>.*)")
_PLACEHOLDER = "市辖区"


class Scope(str, Enum):
    """How far apart the 受理地 and the 业务属地 are (跨省 / 跨市 / 跨县 / 本地)."""

    CROSS_PROVINCE = "cross_province"
    CROSS_CITY = "cross_city"
    CROSS_COUNTY = "cross_county"
    LOCAL = "local"


def _loc() -> NumDB:
    """python-stdnum's GB/T 2260 table (``cn/loc``, read once by ``numdb.get``), imported with its first use: any
    stdnum module runs ``stdnum/__init__``, whose ``stdnum.util`` loads pydoc and sysconfig (issue 18)."""
    from stdnum import numdb

    return numdb.get("cn/loc")


def _county_value(code6: str) -> str | None:
    """The raw ``county`` value of a 6-digit code in stdnum's table (all eras), or None."""
    if not _CODE6_RE.fullmatch(code6):
        return None
    parts = _loc().info(code6)
    # A known code splits into province (2) + rest (4); an unknown one stays whole or
    # leaves the second part without properties.
    if len(parts) != 2:
        return None
    value = parts[1][1].get("county")
    return value or None


def _eras(value: str) -> list[tuple[str, str]]:
    """Split a ``county`` value into (end year, name) pairs; an empty end means current."""
    eras: list[tuple[str, str]] = []
    for part in value.split(","):
        match = _ERA_RE.fullmatch(part.strip())
        if match is None:
            eras.append(("", part.strip()))
        else:
            eras.append((match.group("end"), match.group("name")))
    return eras


def is_known_region_code(code6: str) -> bool:
    """Whether a 6-digit 行政区划代码 appears in the GB/T 2260 history at any time.

    Used for the address code of a 公民身份号码, which is where the number was first
    issued and may have been abolished or renamed since.
    """
    return _county_value(code6) is not None


def region_code_abolished_before(code6: str, year: int, grace: int = 1) -> int | None:
    """The year a known code was abolished, when that was before ``year`` (less ``grace`` years), else None.

    A 公民身份号码 gets its address code when it is first issued, at 16 or at the 1984-85 first issuance, so a code
    created after its holder's birth is common (房山区 from 1986 for a holder born in 1970); a code abolished before
    the holder was born can never have been issued to them."""
    value = _county_value(code6)
    if value is None:
        return None
    ends: list[int] = []
    for part in value.split(","):
        match = _ERA_RE.fullmatch(part.strip())
        if match is None or not match.group("end"):
            return None  # an era without an end: the code is current
        ends.append(int(match.group("end")))
    last = max(ends)
    return last if last < year - grace else None


def county_name(code6: str) -> str | None:
    """The current name of a county-level unit (县级行政区), or None.

    None for unknown codes, province or prefecture lines (codes ending in ``00``), the
    ``市辖区`` placeholder, and counties abolished or recoded (no era without an end year).
    """
    if code6.endswith("00"):
        return None
    value = _county_value(code6)
    if value is None:
        return None
    for end, name in _eras(value):
        if not end and name and name != _PLACEHOLDER:
            return name
    return None


@lru_cache(maxsize=64)
def _current_counties(province: str) -> tuple[str, ...]:
    for _, code, _, _, children in _loc().prefixes:
        if code == province:
            return tuple(code6 for _, rest, _, _, _ in children if county_name(code6 := province + rest))
    return ()


def counties_within(scope: str) -> tuple[str, ...]:
    """The current county-level divisions (县级行政区, GB/T 2260 as python-stdnum's table has them: no 市辖区
    placeholder, none abolished) within a 2-, 4- or 6-digit scope, in code order; () for anything else."""
    if not (isinstance(scope, str) and len(scope) in (2, 4, 6) and scope.isascii() and scope.isdigit()):
        return ()
    return tuple(code for code in _current_counties(scope[:2]) if code.startswith(scope))


def validate_township_unit(value: object, field: str) -> str:
    """Check a 9-digit township/street unit (乡镇街道统计用区划代码) under a current county."""
    if value is None or value == "":
        raise Malformed("MISSING_FIELD", f"{field} is required", field)
    if not isinstance(value, str) or not _TOWNSHIP_RE.fullmatch(value):
        raise Invalid("UNIT_FORMAT", "unit must be a string of exactly 9 digits", field)
    if county_name(value[:6]) is None:
        raise Invalid(
            "UNIT_UNKNOWN_COUNTY",
            f"first 6 digits {value[:6]} are not a current county-level division code (GB/T 2260)",
            field,
        )
    return value


def province_of(unit: str) -> str:
    """The 2-digit province code (省级)."""
    return unit[:2]


def city_of(unit: str) -> str:
    """The 4-digit prefecture code (地级)."""
    return unit[:4]


def county_of(unit: str) -> str:
    """The 6-digit county code (县级)."""
    return unit[:6]


def scope_between(accepting_unit: str, business_unit: str) -> Scope:
    """The 通办 scope between the 受理地 and the 业务属地."""
    if province_of(accepting_unit) != province_of(business_unit):
        return Scope.CROSS_PROVINCE
    if city_of(accepting_unit) != city_of(business_unit):
        return Scope.CROSS_CITY
    if county_of(accepting_unit) != county_of(business_unit):
        return Scope.CROSS_COUNTY
    return Scope.LOCAL


def is_scope_code(code: object) -> bool:
    """Whether ``code`` is a str of 2, 4, 6 or 9 digits (province, city, county, township)."""
    return (
        isinstance(code, str)
        and len(code) in _SCOPE_LENGTHS
        and _SCOPE_RE.fullmatch(code) is not None
    )


def is_township(code: object) -> bool:
    """Whether ``code`` is a str of exactly 9 ASCII digits (a township or street unit)."""
    return isinstance(code, str) and _TOWNSHIP_RE.fullmatch(code) is not None


def is_committee(code: object) -> bool:
    """Whether ``code`` is a 12-digit village or residents committee (村/居委会) code."""
    return isinstance(code, str) and len(code) == 12 and code.isascii() and code.isdigit()


def within(scope_code: str, unit: str) -> bool:
    """Whether a 9-digit unit lies inside a scope of 2, 4, 6 or 9 digits (prefix match)."""
    if not is_scope_code(scope_code) or not _TOWNSHIP_RE.fullmatch(unit):
        return False
    return unit.startswith(scope_code)


def place_name(unit: str) -> str:
    """The province and county names of a unit, for documents, e.g. ``黑龙江省道里区`` for 230102001.

    The GB/T 2260 table names provinces and counties; township names have no table here, so the
    9-digit code itself identifies the township. Falls back to the code for an unknown county.
    """
    parts = _loc().info(unit[:6]) if _CODE6_RE.fullmatch(unit[:6]) else []
    province = parts[0][1].get("province", "") if parts else ""
    county = county_name(unit[:6]) or ""
    return f"{province}{county}" if county else unit
