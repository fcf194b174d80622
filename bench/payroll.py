"""How the monthly roster (发放名册) with the payment ledger scales: one 业务属地, 16 shards, one file.

    .venv/bin/python -m bench.payroll [--entitlements 100000] [--moto 3000] [--month 2027-01]

1. ``--entitlements`` varied entitlements of one unit (table-priced by age band and grade, a change of standard
   in 2026-07, approvals this month with arrears, suspensions, stops back-dated, corrections up and down) go
   through the payroll service (chalicelib/services/payroll.py) on the in-memory stores (tests/fakes, held to the
   moto adapters' contract): the roster of the month before is drafted and finalized (everyone's arrears: the
   ledger is empty), changes are recorded, then this month's roster is drafted and finalized. Each step is timed
   (items per second = entitlements read per second); the draft's peak Python memory is traced (tracemalloc)
   on its own run, above what the stores hold.
2. ``--moto`` entitlements of the same world go through the same steps on moto (the real adapters): the AWS
   calls each step makes, per 1,000 entitlements, and the check that moto's roster is byte for byte the
   in-memory one (the same sha256).
3. The projection for a township of 1,000,000 recipients from those counts and rates.
"""
from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from bench import recorder, world  # noqa: F401 - the call recorder before any client; the benches' environment

UNIT = "230102001"
PROVINCE = 1_000_000
SHARDS = 16
MIB = 1024 * 1024
CHINA = timezone(timedelta(hours=8))
CALL_SECONDS = 0.010  # a DynamoDB or S3 call from Lambda in the same region, as bench.cost assumes
# calls a draft and a finalization make whatever the size: 2 Query pages and 2-4 S3 calls per shard, the heads
FIXED_CALLS = 16 * (2 + 3) + 16 * (2 + 5) + 10


def standards() -> Any:
    """A province table: living by age band, changing in 2026-07; nursing by grade."""
    from chalicelib.domain.payments.owed import Standards
    from chalicelib.domain.rules.amounts import AmountRow, AmountTable

    start, cut = date(2020, 1, 1), date(2026, 7, 1)
    rows = (AmountRow("living", start, cut - timedelta(days=1), Decimal("90.00"), None, max_age=59),
            AmountRow("living", start, cut - timedelta(days=1), Decimal("110.00"), None, min_age=60),
            AmountRow("living", cut, None, Decimal("99.00"), None, max_age=59),
            AmountRow("living", cut, None, Decimal("120.00"), None, min_age=60),
            AmountRow("nursing", start, None, Decimal("150.00"), None, grades=(1,)),
            AmountRow("nursing", start, None, Decimal("100.00"), None, grades=(2, 3, 4)))
    return Standards((AmountTable("23", rows),))


def _month_before(month: str, back: int) -> str:
    year, number = int(month[:4]), int(month[5:]) - back
    while number < 1:
        year, number = year - 1, number + 12
    return f"{year:04d}-{number:02d}"


def entitlements(total: int, month: str) -> Iterator[Any]:
    """Deterministic, varied, table-priced entitlements of one unit, all approved before ``month``."""
    from chalicelib.domain.payments.entitlements import from_decision

    for i in range(total):
        subsidy = "living" if i % 2 == 0 else "nursing"
        start = _month_before(month, 2 + i % 24)
        facts = {"category": 1 + i % 7, "grade": 1 + i % 4, "low_income": "dibao", "area": None}
        granted = {"type": subsidy, "start_month": start, "monthly_amount": None, "pricing": "table"}
        yield from_decision(f"C2026BENCH{i:08d}", granted, f"pk{i:08d}", f"230***********{i % 10000:04d}",
                            f"受助人{i:06d}", UNIT, "310101002", f"{UNIT}{i % 50:03d}", "reviewer-1",
                            f"{start}-10T10:00:00+08:00", facts=facts, birth=f"{1950 + i % 50}-{1 + i % 12:02d}-15",
                            account={"bank": "中国农业银行哈尔滨道里支行", "number": f"62284800{i:011d}"})


def changes(stored: Any, month: str) -> int:
    """This month's events on the stored entitlements: suspensions, stops back-dated two months (debts),
    corrections up and down. Returns how many changed."""
    from chalicelib.domain.payments.entitlements import correct, move

    at, changed = f"{month}-03T10:00:00+08:00", 0
    for ent in [e for shard in range(SHARDS) for e in stored.shard(UNIT, shard)]:
        kind = int(ent.case_id[-2:])
        earlier = max(_month_before(month, 2), ent.start_month)
        if 70 <= kind <= 74:
            updated = move(ent, "suspend", month, "未按月查询登记", "r", at)
        elif 75 <= kind <= 79:
            updated = move(ent, "stop", earlier, "死亡 (数据比对)", "r", at)
        elif 80 <= kind <= 84:
            updated = correct(ent, earlier, "标准适用错误", "r", at, monthly_amount="160.00")
        elif 85 <= kind <= 87:
            updated = correct(ent, earlier, "等级认定错误", "r", at, monthly_amount="60.00")
        else:
            continue
        stored.save(ent, updated, datetime.fromisoformat(at))
        changed += 1
    return changed


def _reviewer() -> Any:
    from chalicelib.domain.cases.case import Actor

    return Actor("reviewer-1", "审核员", "reviewer", UNIT)


def _steps(payroll: Any, month: str, rec: Any = None) -> dict[str, Any]:
    """Draft and finalize last month, record this month's changes, draft and finalize this month: timed (and
    with ``rec``, each step's AWS calls recorded under its name)."""
    from contextlib import nullcontext

    from chalicelib.services import payroll as service

    previous, timings, results = _month_before(month, 1), {}, {}
    for step, run in (
        ("draft_previous", lambda: service.draft(payroll, UNIT, previous, _reviewer(), _at(previous))),
        ("finalize_previous", lambda: service.finalize(payroll, UNIT, previous,
                                                       lambda: {"draft_sha256": results["draft_previous"]["sha256"]},
                                                       _reviewer(), _at(previous))),
        ("changes", lambda: {"changed": changes(payroll.entitlements, month)}),
        ("draft", lambda: service.draft(payroll, UNIT, month, _reviewer(), _at(month))),
        ("finalize", lambda: service.finalize(payroll, UNIT, month,
                                              lambda: {"draft_sha256": results["draft"]["sha256"]},
                                              _reviewer(), _at(month))),
    ):
        started = time.perf_counter()
        with rec.step(step) if rec else nullcontext():
            results[step] = run()
        timings[step] = time.perf_counter() - started
    return {"timings": timings, "results": results}


def _at(month: str) -> datetime:
    return datetime.fromisoformat(f"{month}-25T10:00:00+08:00")


def in_memory(total: int, month: str) -> dict[str, Any]:
    from tests.fakes.payments import fake_payroll

    payroll = fake_payroll(standards())
    for ent in entitlements(total, _month_before(month, 1)):
        payroll.entitlements.add(ent)
    row = _steps(payroll, month)
    draft = row["results"]["draft"]
    # the next month's draft, traced: its peak above what the stores already hold
    from chalicelib.services import payroll as service

    following = _month_before(month, -1)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    service.draft(payroll, UNIT, following, _reviewer(), _at(following))
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    debts = payroll.records.head(UNIT).debt_ids
    return {**row, "peak_mib": peak / MIB, "draft": draft, "debts": len(debts)}


def write_entitlements(ents: Iterator[Any], now: datetime) -> None:
    """Entitlements and their person locks into moto, as approvals would have written them."""
    from bench.world import no_gc
    from chalicelib.adapters.entitlements_table import EntitlementModel, LockModel, entitlement_lock, to_model

    with no_gc(), EntitlementModel.batch_write() as batch, LockModel.batch_write() as locks:
        for ent in ents:
            batch.save(to_model(ent))
            locks.save(entitlement_lock(ent, now))


def moto_payroll() -> Any:
    """The payroll service on the real adapters (the amounts of ``standards()``)."""
    from chalicelib.adapters.entitlements_table import Entitlements
    from chalicelib.adapters.ledger_table import LedgerTable, Payrolls
    from chalicelib.adapters.payroll_files import PayrollFiles
    from chalicelib.services.payroll import Payroll
    from tests.fakes.payments import FakePricing

    return Payroll(Entitlements(), LedgerTable(), Payrolls(), PayrollFiles(), FakePricing(standards()))


def finalized_roster(payroll: Any, month: str) -> int:
    """A month's roster drafted and finalized: its lines."""
    from chalicelib.services import payroll as service

    draft = service.draft(payroll, UNIT, month, _reviewer(), _at(month))
    return int(service.finalize(payroll, UNIT, month, lambda: {"draft_sha256": draft["sha256"]}, _reviewer(),
                                _at(month))["lines"])


def on_moto(total: int, month: str) -> dict[str, Any]:
    """The same world and steps on moto through the real adapters, every AWS call recorded per step."""
    from moto import mock_aws

    with mock_aws():
        from chalicelib.config import load
        from tools.provision import provision

        provision(load())
        write_entitlements(entitlements(total, _month_before(month, 1)), datetime(2026, 12, 1, tzinfo=CHINA))
        payroll = moto_payroll()
        with recorder.recording(recorder.Recorder(capacity=True)) as rec:
            row = _steps(payroll, month, rec)
        return {**row, "recorder": rec}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entitlements", type=int, default=100_000)
    parser.add_argument("--moto", type=int, default=3_000)
    parser.add_argument("--month", default="2027-01")
    args = parser.parse_args(argv)
    n, started = args.entitlements, time.perf_counter()

    memory = in_memory(n, args.month)
    t, draft = memory["timings"], memory["draft"]
    print(f"in-memory stores, {n:,} entitlements of one 业务属地 (the payroll service, domain, CSV and ledger):")
    for step in ("draft_previous", "finalize_previous", "draft", "finalize"):
        print(f"  {step:<18} {t[step]:6.1f} s  {n / t[step]:8,.0f} items/s  lines={memory['results'][step]['lines']:,}")
    print(f"  changes recorded this month: {memory['results']['changes']['changed']:,} "
          f"({t['changes']:.1f} s); debts listed for recovery: {memory['debts']:,}")
    print(f"  draft of {args.month}: {draft['lines']:,} lines, {draft['size']:,} bytes, "
          f"totals[all]={draft['totals']['all']}")
    print(f"  peak_python_mib over one draft (tracemalloc, above the stores): {memory['peak_mib']:.1f}")

    if args.moto:
        moto, fake = on_moto(args.moto, args.month), in_memory(args.moto, args.month)
        same = fake["results"]["finalize"]["sha256"] == moto["results"]["finalize"]["sha256"]
        rec = moto["recorder"]
        print(f"moto, {args.moto:,} entitlements: the same roster as the in-memory stores (sha256): {same}")
        total_calls = 0
        for step in ("draft", "finalize"):
            counted = rec.counts(step)
            read, write = rec.units(step)
            total_calls += sum(counted.values())
            print(f"  {step:<9} {sum(counted.values()):5d} AWS calls ({read:,.1f} RRU, {write:,.1f} WRU): "
                  + ", ".join(f"{s}:{o}×{c}" for (s, o), c in sorted(counted.items())))
        per_item = (total_calls - FIXED_CALLS) / args.moto
        calls_m = FIXED_CALLS + per_item * PROVINCE
        cpu_m = PROVINCE / (n / t["draft"]) + PROVINCE / (n / t["finalize"])
        print(f"projection 1,000,000 in one 业务属地: draft + finalize ≈ {calls_m:,.0f} AWS calls "
              f"(≈ {calls_m * CALL_SECONDS:,.0f} s at {CALL_SECONDS * 1000:.0f} ms a call) + ≈ {cpu_m:,.0f} s of "
              f"Python at these rates; shard by shard, so memory stays one shard's (~"
              f"{memory['peak_mib'] * PROVINCE / n / SHARDS:.0f} MiB at 62,500 a shard)")
    else:
        same = None
    print(f"wall_seconds={time.perf_counter() - started:.0f}")
    return 0 if same in (None, True) else 1  # a roster moto and the fakes disagree on fails make bench


if __name__ == "__main__":
    sys.exit(main())
