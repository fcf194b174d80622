"""How the daily sweep's reads grow: with the deadlines due, not with the cases stored.

    .venv/bin/python -m bench.sweep_reads [--sizes 1000 20000] [--due 50]

For each size, the moto-backed tables hold that many cases: ``--due`` of them with a push deadline
falling due on the next working day (reminder) and as many overdue, the rest with deadlines weeks
away, awaiting materials (not indexed) or closed. The sweep's reads (``jobs.due_today``, which
``daily_sweep`` calls before it writes) run once; the figures are items read, DynamoDB calls by
operation (botocore event hooks), and the ratio largest/smallest. (The sweep's writes are left
out: moto copies every table on each transaction, which says nothing about DynamoDB.)
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

os.environ.update({"STAGE": "local", "RESOURCE_PREFIX": "subsidy-bench", "AWS_ACCESS_KEY_ID": "bench",
                   "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "cn-north-1"})
os.environ.pop("AWS_ENDPOINT_URL", None)

CHINA = timezone(timedelta(hours=8))
SWEEP_AT = datetime(2026, 10, 13, 1, 0, tzinfo=CHINA)  # Tue; next working day Wed 10-14


def _cases(total: int, due: int):
    from chalicelib.domain.case import Case, Deadline, DeadlineKind, Status
    from chalicelib.domain.rules import one_time_notice

    base = Case(case_id="", status=Status.AWAITING_PUSH, accepting_unit="310101002", business_unit="230102001",
                scope="cross_province", applied_on=date(2026, 9, 1), applied_at="2026-09-01T10:00:00+08:00",
                applicant={"name": "测试", "id_number": "230102198001011236"}, certificate={"number": "x" * 20},
                subsidies=("living",), notice=one_time_notice(False))

    def running(due_on: date) -> tuple[Deadline, ...]:
        return (Deadline(DeadlineKind.PUSH, due_on - timedelta(days=5), 3, due_on, False, "bench"),)

    for i in range(total):
        case_id = f"C2026BENCH{i:08d}"
        if i < due:  # due tomorrow: a reminder
            yield replace(base, case_id=case_id, deadlines=running(date(2026, 10, 14)))
        elif i < 2 * due:  # due last week: overdue
            yield replace(base, case_id=case_id, deadlines=running(date(2026, 10, 9)))
        elif i % 3 == 0:  # due weeks away
            yield replace(base, case_id=case_id, deadlines=running(date(2026, 11, 20)))
        elif i % 3 == 1:
            yield replace(base, case_id=case_id, status=Status.AWAITING_MATERIALS)
        else:
            yield replace(base, case_id=case_id, status=Status.CLOSED)


def measure(total: int, due: int) -> dict[str, object]:
    from moto import mock_aws

    with mock_aws():
        from chalicelib.adapters.store import CaseModel, _to_model
        from chalicelib.config import load
        from chalicelib.services import jobs
        from chalicelib.wiring import deps
        from tools.provision import provision

        provision(load())
        with CaseModel.batch_write() as batch:
            for case in _cases(total, due):
                batch.save(_to_model(replace(case, version=0)))

        calls: Counter[str] = Counter()
        def count(event_name: str, **_: object) -> None:
            calls[event_name.split(".")[-1]] += 1

        connection = CaseModel._get_connection().connection
        connection.client.meta.events.register("before-call.dynamodb", count)
        found = jobs.due_today(deps(), SWEEP_AT.date())  # exactly the reads daily_sweep makes
        connection.client.meta.events.unregister("before-call.dynamodb", count)
        return {"cases": total, "due": due, "items_read": found.items_read,
                "reminders": len(found.due_next), "overdue": len(found.overdue), "calls": dict(calls)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--due", type=int, default=50)
    args = parser.parse_args(argv)
    rows = [measure(size, args.due) for size in args.sizes]
    for row in rows:
        print(f"cases={row['cases']:>7}  due={row['due']}  items_read={row['items_read']}  "
              f"reminders={row['reminders']}  overdue={row['overdue']}  dynamodb_calls={row['calls']}")
    smallest, largest = rows[0], rows[-1]
    ratio = largest["items_read"] / max(1, smallest["items_read"])  # type: ignore[operator]
    print(f"items read, largest/smallest: {ratio:.2f} (cases grew {largest['cases'] / smallest['cases']:.0f}x)")
    scans = sum(row["calls"].get("Scan", 0) for row in rows)  # type: ignore[union-attr]
    print(f"Scan calls: {scans}")
    return 0 if scans == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
