"""Flat jobs: what the daily sweep and the worklists read as the country's caseload grows.

    .venv/bin/python -m bench.flat_jobs [--sizes 1000 10000 100000] [--due 50]

For each size the case table holds that many cases. The same ``--due``-sized set sits at one
window (310101002, 上海 黄浦区) and one 业务属地 (230102001, 哈尔滨 道里区): ``due`` cases whose push
deadline falls on the next working day (the sweep's reminders), ``due`` already overdue, ``due``
pushed and under review, all real cases (``case_tables.to_model`` of a domain ``Case``). The rest are
background cases of other townships and counties (in the same two provinces and fifteen others),
with deadlines weeks away, none, or closed: written through the same ``CaseModel`` with the
attributes the indexes and filters read and a one-key body (no measured query returns them, and
a full body for 100,000 items would only slow moto). Seeding is ``CaseModel.batch_write``.

Measured, once per size, through the services the routes and the schedule call:
the sweep's reads (``jobs.due_today``, exactly what ``daily_sweep`` reads before it writes);
the window's worklist, the reviewer's inbox, the window's ``overdue=true`` filter and a county
supervisor's view (``worklists.worklist``, first page). Figures: items read (DynamoDB's
``ScannedCount``: items evaluated before any filter), Query and Scan calls, read request units, and
the ratio largest/smallest size. Timings are not figures (moto evaluates a GSI query by walking the
whole table).
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

from msgspec.structs import replace

from bench.world import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, no_gc, quiet

CHINA = timezone(timedelta(hours=8))
SWEEP_AT = datetime(2026, 10, 13, 1, 0, tzinfo=CHINA)  # Tue; the next working day is Wed 10-14
PROVINCES = ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42")
QUERIES = ("daily sweep (jobs.due_today)", "window worklist", "reviewer inbox", "window overdue=true",
           "county supervisor (230102)")


def measured_cases(due: int) -> Iterator[Any]:
    """The constant set: real cases at the measured window and 业务属地."""
    from chalicelib.domain.cases.case import Case, Deadline, DeadlineKind, Status
    from chalicelib.domain.rules.rules import one_time_notice

    base = Case(case_id="", status=Status.AWAITING_PUSH, accepting_unit=SHANGHAI_WINDOW,
                business_unit=HARBIN_TOWNSHIP, scope="cross_province", applied_on=date(2026, 9, 1),
                applied_at="2026-09-01T10:00:00+08:00", applicant={"name": "测试", "id_number": "230102198001011236"},
                certificate={"number": "x" * 20}, subsidies=("living",), notice=one_time_notice(False))

    def running(kind: DeadlineKind, due_on: date, days: int) -> Deadline:
        return Deadline(kind, due_on - timedelta(days=5), days, due_on, False, "bench")

    push_met = replace(running(DeadlineKind.PUSH, date(2026, 10, 9), 3), state="met", closed_on=date(2026, 10, 9))
    for i in range(3 * due):
        case_id = f"C2026MEASURE{i:06d}"
        if i < due:  # due tomorrow: a reminder
            yield replace(base, case_id=case_id, deadlines=(running(DeadlineKind.PUSH, date(2026, 10, 14), 3),))
        elif i < 2 * due:  # due last week: overdue
            yield replace(base, case_id=case_id, deadlines=(running(DeadlineKind.PUSH, date(2026, 10, 9), 3),))
        else:  # pushed, in review for weeks yet
            yield replace(base, case_id=case_id, status=Status.UNDER_REVIEW, pushed_on=date(2026, 10, 9),
                          deadlines=(push_met, running(DeadlineKind.REVIEW, date(2026, 11, 20), 10)))


def background(count: int) -> Iterator[Any]:
    """Cases of other units: weeks from due, not yet complete, or closed (none due, none measured)."""
    from chalicelib.adapters.case_tables import NO_DUE, CaseModel, due_shard

    for i in range(count):
        province = PROVINCES[i % len(PROVINCES)]
        accepting = f"{province}{1 + i % 9:02d}{3 + i % 20:02d}{i % 200:03d}"  # counties 03..22: never 01/02
        business = f"{PROVINCES[(i + 5) % len(PROVINCES)]}{1 + i % 7:02d}{3 + i % 15:02d}{i % 100:03d}"
        case_id = f"C2026BG{i:09d}"
        kind = i % 3
        due = "2026-11-20" if kind == 0 else NO_DUE
        status = ("awaiting_push", "awaiting_materials", "closed")[kind]
        item = CaseModel(case_id=case_id, status=status, accepting_unit=accepting, business_unit=business,
                         accepting_area=accepting[:2], accepting_sort=f"{accepting}#{due}#{case_id}",
                         business_area=business[:2], business_sort=f"{business}#{due}#{case_id}",
                         next_due=due, pushed=False, body={"bench": "background"}, version=1)
        if kind == 0:
            item.due_key, item.census_key = f"{due}#{case_id}", f"push#{due_shard(case_id)}"
        yield item


def seed(total: int, due: int) -> float:
    from chalicelib.adapters.case_tables import CaseModel, to_model

    started = time.perf_counter()
    with no_gc(), CaseModel.batch_write() as batch:
        measured = 0
        for case in measured_cases(due):
            batch.save(to_model(replace(case, version=0)))
            measured += 1
        for item in background(total - measured):
            batch.save(item)
    return time.perf_counter() - started


def run_queries(rec: Any) -> dict[str, Any]:
    from chalicelib.domain.cases.case import Actor
    from chalicelib.services import jobs, worklists
    from chalicelib.wiring import deps

    today = SWEEP_AT.date()
    d = deps()
    answers: dict[str, Any] = {}
    asks = {
        "window worklist": (Actor("w", "w", "window", SHANGHAI_WINDOW), {}),
        "reviewer inbox": (Actor("r", "r", "reviewer", HARBIN_TOWNSHIP), {}),
        "window overdue=true": (Actor("w", "w", "window", SHANGHAI_WINDOW), {"overdue": "true"}),
        "county supervisor (230102)": (Actor("s", "s", "supervisor", "230102"), {}),
    }
    with rec.step(QUERIES[0]):
        found = jobs.due_today(d, today)
        answers[QUERIES[0]] = len(found.due_next) + len(found.overdue)
    for label, (actor, query) in asks.items():
        with rec.step(label):
            answers[label] = len(worklists.worklist(d.repo, d.deadlines.count, actor, query, today)["cases"])
    return answers


def measure(total: int, due: int) -> dict[str, Any]:
    from moto import mock_aws

    from bench import capacity
    from bench.recorder import Recorder, recording
    from chalicelib.config import load
    from chalicelib.wiring import calendar_years
    from tools.provision import provision

    with mock_aws():
        capacity.forget_tables()
        provision(load())
        calendar_years().forget()
        seconds = seed(total, due)
        rec = Recorder()
        with recording(rec):
            answers = run_queries(rec)
        rows = {}
        for label in QUERIES:
            calls = [c for c in rec.of(label) if c.service == "dynamodb"]
            rows[label] = {"returned": answers[label], "items_read": sum(c.items_read for c in calls
                                                                         if c.operation in ("Query", "Scan")),
                           "queries": sum(c.operation == "Query" for c in calls),
                           "scans": sum(c.operation == "Scan" for c in calls),
                           "rru": sum(c.read_units for c in calls if c.operation in ("Query", "Scan"))}
        return {"cases": total, "due": due, "seed_seconds": seconds, "rows": rows}


def summarize(sizes: list[dict[str, Any]]) -> dict[str, Any]:
    smallest, largest = sizes[0], sizes[-1]
    ratios = {label: largest["rows"][label]["items_read"] / max(1, smallest["rows"][label]["items_read"])
              for label in QUERIES}
    scans = sum(row["scans"] for size in sizes for row in size["rows"].values())
    return {"ratios": ratios, "scans": scans, "growth": largest["cases"] / smallest["cases"]}


def report(sizes: list[dict[str, Any]]) -> list[str]:
    summary = summarize(sizes)
    lines = [f"Flat jobs: items read (evaluated) / Query calls / read request units, same {sizes[0]['due']}-case "
             f"sets due at every size"]
    head = f"{'query':<30}" + "".join(f" {size['cases']:>22,}" for size in sizes) + f" {'largest/smallest':>17}"
    lines.append(head)
    for label in QUERIES:
        cells = "".join(f" {r['items_read']:>8} {r['queries']:>3}q {r['rru']:>6.1f}RRU"
                        for r in (size["rows"][label] for size in sizes))
        lines.append(f"{label:<30}{cells} {summary['ratios'][label]:>17.2f}")
    lines.append("returned: " + "; ".join(f"{label} {sizes[-1]['rows'][label]['returned']}" for label in QUERIES))
    lines.append(f"cases grew {summary['growth']:.0f}x; Scan calls: {summary['scans']}; seeding (batch_write into "
                 "moto): " + ", ".join(f"{size['cases']:,} in {size['seed_seconds']:.1f} s" for size in sizes))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--due", type=int, default=50)
    args = parser.parse_args(argv)
    with quiet():
        sizes = [measure(size, args.due) for size in args.sizes]
    print("\n".join(report(sizes)))
    return 0 if summarize(sizes)["scans"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
