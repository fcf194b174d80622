"""发放名册: the monthly payment roster of one 业务属地 (DOMAIN.md §1, §3).

One line per entitlement that is paid this month (``amount_in(month)`` > 0) or that settles back
pay this month. Back pay (补发 / 应退则退) follows from the history *as recorded*:

- the roster of month M sees only the changes recorded (``Change.at``) by the end of M, so running
  an old month again later gives the same bytes, and a correction recorded in November is settled
  in November's roster, never also in a rerun of October's;
- the back pay of M is, over the months from the start month up to M-1, what is owed under the
  history recorded through M minus what was owed under the history recorded before M.

That one rule gives (a) the arrears of an entitlement approved in M (nothing was owed before, so
every month from the application month, 自递交申请当月计发, is owed now) and (b) the difference a
correction (纠错) recorded in M makes to earlier months — negative when overpaid (应退则退), kept
negative. It also settles a status move recorded in M with an earlier effective month (a stop
back-dated to a death month, a resume back-dated after a suspension cleared). It assumes every
month's roster was paid as built.

Nothing here holds an ID number: a line carries the entitlement's ``masked_id`` only.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from .entitlements import Entitlement, difference
from .errors import Invalid

HEADER = ("entitlement_id", "case_id", "masked_id", "name", "subsidy", "committee_unit",
          "monthly_amount", "back_pay", "total")
ALL = "all"
ZERO = Decimal("0.00")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_UNIT = re.compile(r"[0-9]{9}")

Totals = dict[str, dict[str, str | int]]


@dataclass(frozen=True, slots=True)
class RosterLine:
    """One payee line of the 发放名册 (slots: a shard's ~62,500 lines stay small in memory)."""

    entitlement_id: str
    case_id: str
    masked_id: str
    name: str
    subsidy: str
    committee_unit: str | None
    monthly_amount: Decimal
    back_pay: Decimal
    total: Decimal


def roster_month(value: object, field: str = "month") -> str:
    """An ASCII ``YYYY-MM`` month in 2000..2100, else 422 MONTH_FORMAT."""
    match = _MONTH.fullmatch(value) if isinstance(value, str) else None
    if match is None or not 2000 <= int(match.group(1)) <= 2100 or not 1 <= int(match.group(2)) <= 12:
        raise Invalid("MONTH_FORMAT", f"{field} must be a month YYYY-MM", field)
    return str(value)


def roster_unit(value: object, field: str = "business_unit") -> str:
    """A 9-digit 业务属地 (township/street unit), else 422 UNIT_FORMAT."""
    if not isinstance(value, str) or not _UNIT.fullmatch(value):
        raise Invalid("UNIT_FORMAT", f"{field} must be a string of exactly 9 digits", field)
    return value


def months_before(start: str, month: str) -> list[str]:
    """Every month from ``start`` up to, not including, ``month`` (across year ends)."""
    months, year, number = [], int(start[:4]), int(start[5:])
    while f"{year:04d}-{number:02d}" < month:
        months.append(f"{year:04d}-{number:02d}")
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return months


def recorded_in(at: str) -> str:
    """The month a change was recorded in: the ``YYYY-MM`` of its ISO time, in the time zone the
    app recorded it in (Asia/Shanghai)."""
    return at[:7]


def as_recorded(ent: Entitlement, month: str) -> Entitlement | None:
    """The entitlement as known at the end of ``month``; None if it was not yet approved then."""
    history = tuple(change for change in ent.history if recorded_in(change.at) <= month)
    return replace(ent, history=history) if history else None


def back_pay(ent: Entitlement, month: str) -> Decimal:
    """补发 (positive) or 应退 (negative) settled in the roster of ``month``; ``ent`` as recorded
    through ``month``."""
    recorded = [change.effective_month for change in ent.history if recorded_in(change.at) == month]
    if not recorded:
        return ZERO
    before = replace(ent, history=tuple(c for c in ent.history if recorded_in(c.at) < month))
    # months before the earliest of this month's changes owe the same either way
    owed, _ = difference(before, ent, months_before(max(ent.start_month, min(recorded)), month))
    return owed


def _money(amount: Decimal) -> Decimal:
    """Two places, and never a negative zero (which would print as "-0.00")."""
    return ZERO if amount == 0 else amount.quantize(ZERO)


def roster_line(ent: Entitlement, month: str) -> RosterLine | None:
    """The line of one entitlement in the roster of ``month``, or None if nothing is due."""
    known = as_recorded(ent, month)
    if known is None:
        return None
    monthly, owed = _money(known.amount_in(month)), _money(back_pay(known, month))
    if monthly <= 0 and owed == 0:
        return None
    return RosterLine(known.entitlement_id, known.case_id, known.masked_id, known.name, known.subsidy,
                      known.committee_unit, monthly, owed, _money(monthly + owed))


def roster_lines(entitlements: Iterable[Entitlement], month: str) -> list[RosterLine]:
    """The lines of ``month`` for these entitlements (one 业务属地, or one shard of it), by id."""
    lines = (roster_line(ent, month) for ent in entitlements)
    return sorted((line for line in lines if line is not None), key=lambda line: line.entitlement_id)


def _row(count: int, monthly: Decimal, owed: Decimal) -> dict[str, str | int]:
    return {"count": count, "monthly": f"{_money(monthly):.2f}", "back_pay": f"{_money(owed):.2f}",
            "total": f"{_money(monthly + owed):.2f}"}


def totals(lines: Iterable[RosterLine]) -> Totals:
    """Count, monthly, back pay and total per subsidy, and over all (``"all"``), as decimal strings."""
    sums: dict[str, list[Decimal]] = {}
    for line in lines:
        for key in (line.subsidy, ALL):
            row = sums.setdefault(key, [ZERO, ZERO, ZERO])
            row[0] += 1
            row[1] += line.monthly_amount
            row[2] += line.back_pay
    return _ordered({key: _row(int(count), monthly, owed) for key, (count, monthly, owed) in sums.items()})


def merge_totals(parts: Iterable[Mapping[str, Mapping[str, str | int]]]) -> Totals:
    """The totals of several shards' totals (a shard's totals are small and JSON-safe)."""
    sums: dict[str, list[Decimal]] = {}
    for part in parts:
        for key, row in part.items():
            acc = sums.setdefault(key, [ZERO, ZERO, ZERO])
            acc[0] += Decimal(row["count"])
            acc[1] += Decimal(row["monthly"])
            acc[2] += Decimal(row["back_pay"])
    return _ordered({key: _row(int(count), monthly, owed) for key, (count, monthly, owed) in sums.items()})


def _ordered(rows: Totals) -> Totals:
    """Subsidies in name order, ``"all"`` last and always present."""
    result = {key: rows[key] for key in sorted(rows) if key != ALL}
    result[ALL] = rows.get(ALL, _row(0, ZERO, ZERO))
    return result


def _cell(text: str) -> str:
    """A name as a spreadsheet will not run it: a leading =, +, - or @ is quoted (CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def csv_text(lines: Iterable[RosterLine], header: bool = True) -> str:
    """The roster as CSV (UTF-8 text, "\\n" line ends, amounts "99.00"); no timestamp, so the same
    month built twice is the same bytes. ``header=False`` for every shard's part but the first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(HEADER)
    for line in lines:
        writer.writerow((line.entitlement_id, line.case_id, line.masked_id, _cell(line.name), line.subsidy,
                         line.committee_unit or "", f"{line.monthly_amount:.2f}", f"{line.back_pay:.2f}",
                         f"{line.total:.2f}"))
    return buffer.getvalue()
