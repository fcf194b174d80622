"""发放名册: the monthly payment roster of one 业务属地, as a paying agent (bank or credit union) opens it.

Every line is what is owed through the roster's month minus what finalized rosters paid (domain.payments.ledger):
the month itself, and the arrears of any earlier month not yet paid (a late approval, a roster built before the
approval, a correction, a resumption back-dated). Overpaid months are debts for recovery, never a negative line.
A month the amount table does not cover is *held*: named in the build's answer, paid once the table covers it.

The file: Chinese column headers, UTF-8 with a byte-order mark (so that Excel on Chinese Windows opens it as
Chinese), the account recorded at acceptance, the ID number masked unless the province's payment setting asks for
the full number. No timestamp inside: the same lines are the same bytes.

Implements: 国发〔2015〕52号 (DOMAIN.md §1: paid monthly by transfer to the disabled person's bank or credit-union
account, 社会化发放) and 黑民发〔2021〕6号 四(二) (arrears back to the application month). The file's layout (Chinese
headers, BOM, masked ID numbers) is no statute: an engineering rule for the paying agents.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from msgspec import Struct

from ..cases.applications import SUBSIDY_NAMES
from ..errors import Invalid
from ..values import add_months
from .entitlements import Entitlement
from .ledger import Ledger, Months, account
from .owed import ZERO, Standards

HEADER = ("补贴对象编号", "案件编号", "姓名", "公民身份号码", "补贴类别", "村(居)委会", "开户银行", "账号",
          "本月金额", "补发金额", "补发月份", "合计")
BOM = "\ufeff"
ALL = "all"
ID_POLICIES = ("masked", "full")  # the province's payment setting: what the roster shows of the ID number
_UNIT = re.compile(r"[0-9]{9}")

Totals = dict[str, dict[str, str | int]]


class RosterLine(Struct, frozen=True):
    """One payee line (slots: a shard's ~62,500 lines stay small in memory)."""

    entitlement_id: str
    case_id: str
    name: str
    id_shown: str
    subsidy: str
    committee_unit: str | None
    bank: str
    account_number: str
    months: Months  # every month this line settles, with its amount (the ledger's payment)
    monthly_amount: Decimal
    back_pay: Decimal
    total: Decimal


class Held(Struct, frozen=True):
    """An entitlement with months owed an amount the table does not give yet."""

    entitlement_id: str
    months: tuple[tuple[str, str], ...]


def roster_unit(value: object, field: str = "business_unit") -> str:
    """A 9-digit 业务属地 (township/street unit), else 422 UNIT_FORMAT."""
    if not isinstance(value, str) or not _UNIT.fullmatch(value):
        raise Invalid("UNIT_FORMAT", f"{field} must be a string of exactly 9 digits", field)
    return value


def _money(amount: Decimal) -> Decimal:
    """Two places, and never a negative zero (which would print as "-0.00")."""
    return ZERO if amount == 0 else amount.quantize(ZERO)


def roster_line(ent: Entitlement, ledger: Ledger, month: str, standards: Standards,
                id_policy: str = "masked") -> tuple[RosterLine | None, Held | None, Months]:
    """The line of one entitlement in the roster of ``month`` (None if nothing is due), its held months, and
    its over-paid months (a debt for recovery, never on the roster)."""
    settlement, over = account(ent, ledger, month, standards)
    held = Held(ent.entitlement_id, settlement.held) if settlement.held else None
    if not settlement.months:
        return None, held, over
    bank = ent.account or {}
    shown = ent.id_number if id_policy == "full" and ent.id_number else ent.masked_id
    line = RosterLine(ent.entitlement_id, ent.case_id, ent.name, shown, ent.subsidy, ent.committee_unit,
                      bank.get("bank", ""), bank.get("number", ""), settlement.months,
                      _money(settlement.monthly), _money(settlement.back_pay), _money(settlement.total))
    return line, held, over


class Built(Struct, frozen=True):
    lines: list[RosterLine]
    held: list[Held]
    debts: list[str]  # the entitlements with over-paid months


def roster_lines(pairs: Iterable[tuple[Entitlement, Ledger]], month: str, standards: Standards,
                 id_policy: str = "masked") -> Built:
    """The lines of ``month`` for these entitlements (one 业务属地, or one shard of it), by id."""
    lines, held, debts = [], [], []
    for ent, ledger in pairs:
        line, waiting, over = roster_line(ent, ledger, month, standards, id_policy)
        if line is not None:
            lines.append(line)
        if waiting is not None:
            held.append(waiting)
        if over:
            debts.append(ent.entitlement_id)
    return Built(sorted(lines, key=lambda line: line.entitlement_id), sorted(held, key=lambda h: h.entitlement_id),
                 sorted(debts))


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
    """Text as a spreadsheet will not run it: a leading =, +, - or @ is quoted (CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def month_ranges(months: Iterable[str]) -> str:
    """Months as runs a person reads: ``2026-05至2026-09；2026-11``."""
    runs: list[list[str]] = []
    for month in sorted(months):
        if runs and runs[-1][-1] == add_months(month, -1):
            runs[-1].append(month)
        else:
            runs.append([month])
    return "；".join(run[0] if len(run) == 1 else f"{run[0]}至{run[-1]}" for run in runs)


def csv_text(lines: Iterable[RosterLine], month: str, header: bool = True) -> str:
    """The roster as CSV text ("\\r\\n" line ends as Excel writes them, amounts "99.00"); with ``header`` it starts
    with the byte-order mark and the Chinese headers (``header=False`` for every shard's part but the first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        buffer.write(BOM)
        writer.writerow(HEADER)
    for line in lines:
        arrears = month_ranges(m for m, _ in line.months if m < month)
        writer.writerow((line.entitlement_id, line.case_id, _cell(line.name), line.id_shown,
                         SUBSIDY_NAMES[line.subsidy], line.committee_unit or "", _cell(line.bank),
                         line.account_number, f"{line.monthly_amount:.2f}", f"{line.back_pay:.2f}", arrears,
                         f"{line.total:.2f}"))
    return buffer.getvalue()


def plan_text(lines: Iterable[RosterLine]) -> str:
    """What a finalized roster pays, for the ledger: one line per entitlement, ``id<TAB>month=amount,...``."""
    return "".join(f"{line.entitlement_id}\t{','.join(f'{m}={a:.2f}' for m, a in line.months)}\n" for line in lines)


def read_plan(text: str) -> dict[str, Months]:
    """``plan_text`` read back."""
    plan: dict[str, Months] = {}
    for row in text.splitlines():
        if not row:
            continue
        entitlement, _, months = row.partition("\t")
        plan[entitlement] = tuple((m, Decimal(a)) for m, _, a in (p.partition("=") for p in months.split(",")))
    return plan
