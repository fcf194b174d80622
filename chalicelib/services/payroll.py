"""The monthly payment roster (发放名册) of one 业务属地, built shard by shard.

The 业务属地's entitlements are spread over ``UNIT_SHARDS`` hash shards of the ``by_unit_shard``
index. ``build_part`` reads one shard page by page and writes its lines as one part file, so no
process holds more than one shard's lines (for a million entitlements, about 62,500);
``finish_roster`` joins the parts server-side, in shard order, into ``roster.csv`` and merges the
shards' totals. ``build_roster`` runs both in one call; a Step Functions Map state (or 16 Lambda
invocations) can run the ``build_part`` calls in parallel and hand their ``PartResult.as_dict()``
to ``finish_roster``.

The roster is in shard order, each part sorted by entitlement id. Logs carry the unit, the month,
the shard and counts: never a name or an ID number.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..adapters.entitlements_table import UNIT_SHARDS
from ..adapters.payroll_files import StoredPart
from ..domain.entitlements import Entitlement
from ..domain.errors import Invalid
from ..domain.payroll import Totals, csv_text, merge_totals, roster_lines, roster_month, roster_unit, totals

log = logging.getLogger(__name__)
PAYROLL_PREFIX = "payroll/"
PAGE_SIZE = 1000


class ShardReader(Protocol):
    """``adapters.entitlements_table.Entitlements``, or a fake."""

    def shard(self, business_unit: str, shard: int, page_size: int = ...) -> Iterable[Entitlement]: ...


class RosterFiles(Protocol):
    """``adapters.payroll_files.PayrollFiles``, or a fake."""

    def put_part(self, key: str, text: str) -> StoredPart: ...
    def combine(self, parts: list[str], key: str) -> tuple[str | None, int]: ...
    def presigned_get(self, key: str, seconds: int = ..., version_id: str | None = None) -> str: ...
    def sha256_of(self, key: str, version_id: str | None = None) -> str: ...


@dataclass(frozen=True)
class PartResult:
    key: str
    lines: int
    totals: Totals

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe, for a Step Functions state's output."""
        return {"key": self.key, "lines": self.lines, "totals": self.totals}


def roster_prefix(business_unit: str, month: str) -> str:
    return f"{PAYROLL_PREFIX}{business_unit}/{month}/"


def part_key(business_unit: str, month: str, shard: int) -> str:
    return f"{roster_prefix(business_unit, month)}part-{shard:02d}.csv"


def roster_key(business_unit: str, month: str) -> str:
    return f"{roster_prefix(business_unit, month)}roster.csv"


def _shard(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < UNIT_SHARDS:
        raise Invalid("SHARD_RANGE", f"shard must be a whole number 0..{UNIT_SHARDS - 1}", "shard")
    return value


def build_part(store: ShardReader, files: RosterFiles, business_unit: str, month: str, shard: int,
               page_size: int = PAGE_SIZE) -> PartResult:
    """One shard's lines as ``part-XX.csv`` (the header only in part 00) and its totals."""
    unit, month, shard = roster_unit(business_unit), roster_month(month), _shard(shard)
    lines = roster_lines(store.shard(unit, shard, page_size=page_size), month)
    key = part_key(unit, month, shard)
    files.put_part(key, csv_text(lines, header=shard == 0))
    log.info("payroll part written: unit=%s month=%s shard=%02d lines=%d", unit, month, shard, len(lines))
    return PartResult(key, len(lines), totals(lines))


def finish_roster(files: RosterFiles, business_unit: str, month: str,
                  parts: Sequence[PartResult | Mapping[str, Any]]) -> dict[str, Any]:
    """Join the shards' parts in shard order into ``roster.csv``; its checksum, totals and a link."""
    unit, month = roster_unit(business_unit), roster_month(month)
    results = [part if isinstance(part, PartResult) else PartResult(str(part["key"]), int(part["lines"]),
                                                                    dict(part["totals"])) for part in parts]
    expected = [part_key(unit, month, shard) for shard in range(UNIT_SHARDS)]
    if sorted(result.key for result in results) != expected:
        raise Invalid("PARTS_INCOMPLETE", f"a roster needs exactly the {UNIT_SHARDS} parts of {unit} {month}", "parts")
    key = roster_key(unit, month)
    version, size = files.combine(expected, key)
    lines = sum(result.lines for result in results)
    log.info("payroll roster combined: unit=%s month=%s lines=%d bytes=%d", unit, month, lines, size)
    return {
        "business_unit": unit, "month": month, "key": key, "version_id": version, "size": size,
        "sha256": files.sha256_of(key, version), "lines": lines,
        "totals": merge_totals(result.totals for result in results),
        "download_url": files.presigned_get(key, version_id=version),
    }


def build_roster(store: ShardReader, files: RosterFiles, business_unit: str, month: str,
                 page_size: int = PAGE_SIZE) -> dict[str, Any]:
    """The whole roster in one call: every shard in turn, then the join (a small 业务属地, or tests)."""
    unit, month = roster_unit(business_unit), roster_month(month)
    parts = [build_part(store, files, unit, month, shard, page_size) for shard in range(UNIT_SHARDS)]
    return finish_roster(files, unit, month, parts)
