"""How the monthly roster (发放名册) scales: one 业务属地's entitlements, 16 shards, one file.

    .venv/bin/python -m bench.payroll [--entitlements 100000] [--month 2027-01] [--page-size 1000]

moto in-process, as the tests: ``--entitlements`` entitlements of one unit are batch-written (mostly
active; some suspended or stopped; some approved this month with arrears; some corrected this month
up or down), then ``build_roster`` runs once, timed.

Peak Python memory (tracemalloc) is taken over build_roster's two kinds of step, run again after
the timed run (between them build_roster holds only 16 small part results): the largest shard's
``build_part`` over that shard's entitlements read beforehand (tracing moto's reads would take
~5x their ~2 ms per item, and measure moto), and ``finish_roster``, whose re-join must give the
same sha256. moto shares the process, so the time is mostly moto's (a generic response serializer
and a GSI query that scans the whole table on every page) and the finish step's memory includes
moto's copies of the objects (it joins a multipart upload in memory): upper bounds.

The projection for 1,000,000 entitlements runs one shard's share (62,500) through the domain and
the CSV alone (entitlements generated lazily, as pages would arrive; the part kept in memory).
"""
from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from typing import Any

from bench import world  # noqa: E402,F401 - the benches' environment (left alone under pytest)

UNIT = "230102001"
PROVINCE = 1_000_000
SHARDS = 16
LIVING_AMOUNTS = ("99.00", "93.00", "217.00")
NURSING_AMOUNTS = ("93.00", "125.00", "180.00", "350.00")
MIB = 1024 * 1024


def _month_before(month: str, back: int) -> str:
    year, number = int(month[:4]), int(month[5:]) - back
    while number < 1:
        year, number = year - 1, number + 12
    return f"{year:04d}-{number:02d}"


def entitlements(total: int, month: str) -> Iterator[Any]:
    """Deterministic, varied entitlements of one unit for the roster of ``month``."""
    from chalicelib.domain.entitlements import correct, from_decision, move

    for i in range(total):
        subsidy = "living" if i % 2 == 0 else "nursing"
        amounts = LIVING_AMOUNTS if subsidy == "living" else NURSING_AMOUNTS
        amount, kind = amounts[i % len(amounts)], i % 100
        start = _month_before(month, 1 + i % 24)
        approved_at = f"{start}-10T10:00:00+08:00"
        if 82 <= kind <= 86:  # approved this month, applied 1..3 months ago: arrears
            start, approved_at = _month_before(month, 1 + i % 3), f"{month}-05T10:00:00+08:00"
        granted = {"type": subsidy, "start_month": start, "monthly_amount": amount}
        ent = from_decision(f"C2026BENCH{i:08d}", granted, f"pk{i:08d}", f"230***********{i % 10000:04d}",
                            f"受助人{i:06d}", UNIT, "310101002", f"{UNIT}{i % 50:03d}", "reviewer-1", approved_at)
        earlier = _month_before(month, 1)
        if 70 <= kind <= 76:
            ent = move(ent, "suspend", max(earlier, start), "未按月查询登记", "r", f"{earlier}-20T10:00:00+08:00")
        elif 77 <= kind <= 81:
            ent = move(ent, "stop", max(earlier, start), "退出低保", "r", f"{earlier}-20T10:00:00+08:00")
        elif 87 <= kind <= 90:  # raised this month, from up to 3 months back: positive back pay
            ent = correct(ent, max(_month_before(month, 3), start), f"{float(amount) + 10:.2f}", None,
                          "标准适用错误", "r", f"{month}-12T10:00:00+08:00")
        elif 91 <= kind <= 93:  # lowered this month: negative back pay (应退则退)
            ent = correct(ent, max(_month_before(month, 2), start), f"{float(amount) - 5:.2f}", None,
                          "等级认定错误", "r", f"{month}-12T10:00:00+08:00")
        yield ent


def _write(ents: Iterator[Any]) -> None:
    from bench.world import no_gc
    from chalicelib.adapters.entitlements_table import EntitlementModel, to_model

    with no_gc(), EntitlementModel.batch_write() as batch:
        for ent in ents:
            batch.save(to_model(ent))


class _PartsInMemory:
    def __init__(self) -> None:
        self.size = 0

    def put_part(self, key: str, text: str) -> object:
        self.size += len(text.encode("utf-8"))
        return None


def one_province_shard(month: str) -> dict[str, Any]:
    """One shard of a 1,000,000-entitlement province through the domain and the CSV: timed, then traced."""
    from chalicelib.services.payroll import build_part

    class Lazy:
        def shard(self, business_unit: str, shard: int, page_size: int = 500) -> Iterator[Any]:
            return entitlements(PROVINCE // SHARDS, month)

    files = _PartsInMemory()
    started = time.perf_counter()
    part = build_part(Lazy(), files, UNIT, month, 0)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    tracemalloc.start()
    build_part(Lazy(), _PartsInMemory(), UNIT, month, 0)  # type: ignore[arg-type]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"items": PROVINCE // SHARDS, "lines": part.lines, "seconds": seconds, "peak_mib": peak / MIB,
            "bytes": files.size}


def measure(total: int, month: str, page_size: int) -> dict[str, Any]:
    from moto import mock_aws

    with mock_aws():
        from chalicelib.adapters.entitlements_table import EntitlementModel, Entitlements
        from chalicelib.adapters.files import _s3
        from chalicelib.adapters.payroll_files import PayrollFiles
        from chalicelib.config import load
        from chalicelib.services.payroll import PartResult, build_part, build_roster, finish_roster, part_key
        from tools.provision import provision

        provision(load())
        started = time.perf_counter()
        _write(entitlements(total, month))
        write_seconds = time.perf_counter() - started

        calls: Counter[str] = Counter()
        in_query: list[float] = []

        def before(event_name: str, **_: object) -> None:
            calls[event_name.split(".")[-1]] += 1
            in_query.append(-time.perf_counter())

        def after(**_: object) -> None:
            in_query.append(time.perf_counter())

        events = EntitlementModel._get_connection().connection.client.meta.events
        events.register("before-call.dynamodb.Query", before)
        events.register("after-call.dynamodb.Query", after)
        files = PayrollFiles()
        started = time.perf_counter()
        roster = build_roster(Entitlements(), files, UNIT, month, page_size)
        build_seconds = time.perf_counter() - started
        events.unregister("before-call.dynamodb.Query", before)
        events.unregister("after-call.dynamodb.Query", after)

        parts = []  # the part results build_roster kept (their totals are not needed to re-join)
        for shard in range(SHARDS):
            body = _s3().get_object(Bucket=load().materials_bucket, Key=part_key(UNIT, month, shard))["Body"].read()
            parts.append(PartResult(part_key(UNIT, month, shard), body.count(b"\n") - (shard == 0), {}))
        largest = max(range(SHARDS), key=lambda shard: parts[shard].lines)
        read = list(Entitlements().shard(UNIT, largest, page_size))

        class Read:
            def shard(self, business_unit: str, shard: int, page_size: int = 500) -> Iterator[Any]:
                return iter(read)

        tracemalloc.start()
        build_part(Read(), files, UNIT, month, largest, page_size)  # type: ignore[arg-type]
        shard_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        again = finish_roster(files, UNIT, month, parts)
        finish_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return {"write_seconds": write_seconds, "build_seconds": build_seconds, "roster": roster,
                "largest": largest, "largest_items": len(read), "shard_peak_mib": shard_peak / MIB,
                "finish_peak_mib": finish_peak / MIB, "shard_lines": [part.lines for part in parts],
                "same_sha256": again["sha256"] == roster["sha256"], "queries": calls["Query"],
                "query_seconds": sum(in_query)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entitlements", type=int, default=100_000)
    parser.add_argument("--month", default="2027-01")
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args(argv)

    n, started = args.entitlements, time.perf_counter()
    row = measure(n, args.month, args.page_size)
    roster, built, lines = row["roster"], row["build_seconds"], row["shard_lines"]
    print(f"entitlements={n}  batch_write_seconds={row['write_seconds']:.1f} "
          f"({n / row['write_seconds']:.0f} items/s into moto)")
    print(f"build_roster: lines={roster['lines']}  seconds={built:.1f}  items_per_second={n / built:.0f}  "
          f"query_pages={row['queries']}  output_bytes={roster['size']}")
    print(f"  of which in DynamoDB Query calls (moto + botocore parsing): {row['query_seconds']:.1f} s "
          f"({1000 * row['query_seconds'] / n:.2f} ms per item)")
    print(f"shards: largest={max(lines)} lines (shard {row['largest']:02d}: {row['largest_items']} entitlements)  "
          f"smallest={min(lines)} lines")
    peak = max(row["shard_peak_mib"], row["finish_peak_mib"])
    print(f"peak_python_mib={peak:.1f} (tracemalloc: largest shard's build_part {row['shard_peak_mib']:.1f} "
          f"[its entitlements read beforehand], finish_roster {row['finish_peak_mib']:.1f} [incl. moto's S3])  "
          f"same_sha256_on_rejoin={row['same_sha256']}")
    print(f"totals[all]={roster['totals']['all']}")
    one = one_province_shard(args.month)
    print(f"projection 1,000,000: {SHARDS} shards x {one['items']} items, each in its own Lambda; one shard's "
          f"domain+CSV measured: lines={one['lines']}  seconds={one['seconds']:.1f} "
          f"({one['items'] / one['seconds']:.0f} items/s)  peak_python_mib={one['peak_mib']:.1f}  "
          f"part_bytes={one['bytes']} (roster ~{SHARDS * one['bytes'] / MIB:.0f} MiB; parts >= 5 MiB are "
          f"joined by upload_part_copy, none read); + one page of DynamoDB items being parsed")
    print(f"wall_seconds={time.perf_counter() - started:.0f}")
    return 0 if row["same_sha256"] else 1


if __name__ == "__main__":
    sys.exit(main())
