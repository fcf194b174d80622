"""One month of a province's scheduled jobs, measured at a small scale, per recipient.

    .venv/bin/python -m bench.jobs_month [--recipients 1000]

``--recipients`` entitlements of one 业务属地 (the payroll bench's generator: living and nursing,
mostly active, some suspended, stopped, approved or corrected this month, each at a village
committee) are batch-written on moto; then each job of January 2027 runs once through the same
service functions the schedules call, with every AWS call recorded (``bench.recorder``):

- ``monthly_checks`` (1st): one 查询登记 check per entitlement;
- ``monthly_checks_escalation`` (daily, acting from the 25th: one acting run measured, 7 assumed);
- ``yearly_reviews`` (1 January: one task per entitlement; amortised over 12 months);
- ``certificate_reminders`` (1st: tops up the year's tasks, then reminds of expiring certificates);
- the payment roster (``POST /payroll/{unit}/{month}``, monthly): 16 shards, one CSV.

The reads and writes grow with the recipients and with nothing else (each job walks the unit's
entitlements shard by shard), so per-recipient figures scale linearly to 1,000,000; the daily
sweep and the data comparison do not depend on recipients (see ``bench.cost``). The seeded cases
do not exist, so the review task's certificate lookup reads a missing case (1 RRU); a real case
item is larger (see the case's own GetItem in ``bench.calls_per_case``).
"""
from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta, timezone
from typing import Any

from bench.world import quiet

CHINA = timezone(timedelta(hours=8))
MONTH = "2027-01"
ESCALATION_RUNS = 7  # the 25th to the 31st
JOBS = ("monthly_checks", "monthly_checks_escalation (one acting day)", "yearly_reviews (1 January)",
        "certificate_reminders", "payroll roster (draft + finalize)")


def measure(recipients: int) -> dict[str, Any]:
    from moto import mock_aws

    from bench import capacity
    from bench.payroll import UNIT, entitlements, finalized_roster, moto_payroll, write_entitlements
    from bench.recorder import Recorder, recording
    from chalicelib.config import load
    from chalicelib.services import monitoring as jobs
    from chalicelib.wiring import monitoring
    from tools.provision import provision

    with mock_aws():
        capacity.forget_tables()
        provision(load())
        write_entitlements(entitlements(recipients, MONTH), datetime(2026, 12, 1, tzinfo=CHINA))
        services = monitoring()
        rec = Recorder()
        results: dict[str, Any] = {}
        with recording(rec):
            with rec.step(JOBS[0]):
                results[JOBS[0]] = jobs.issue_monthly_checks(services, [UNIT], MONTH)["issued"]
            with rec.step(JOBS[1]):
                results[JOBS[1]] = jobs.escalate_unrecorded(services, MONTH,
                                                            datetime(2027, 1, 25, 9, tzinfo=CHINA))["unrecorded"]
            with rec.step(JOBS[2]):
                results[JOBS[2]] = jobs.yearly_review_tasks(services, [UNIT], 2027)["created"]
            with rec.step(JOBS[3]):
                jobs.yearly_review_tasks(services, [UNIT], 2027)
                results[JOBS[3]] = jobs.certificate_expiry_reminders(services, [UNIT], date(2027, 1, 1))["reminded"]
            with rec.step(JOBS[4]):
                results[JOBS[4]] = finalized_roster(moto_payroll(), MONTH)  # drafted, then finalized
        rows = {}
        for job in JOBS:
            counts = rec.counts(job)
            read, write = rec.units(job)
            rows[job] = {"calls": dict(counts), "rru": read, "wru": write, "result": results[job]}
        return {"recipients": recipients, "rows": rows}


def per_month(found: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per recipient per month: the escalation runs 7 times, yearly reviews count 1/12."""
    weights = {JOBS[1]: ESCALATION_RUNS, JOBS[2]: 1 / 12}
    n = found["recipients"]
    out = {}
    for job, row in found["rows"].items():
        w = weights.get(job, 1)
        by_service: dict[str, float] = {}
        for (service, operation), count in row["calls"].items():
            key = "s3_put" if service == "s3" and operation in ("PutObject", "UploadPartCopy", "UploadPart",
                                                                 "CreateMultipartUpload", "CompleteMultipartUpload",
                                                                 "CopyObject") else \
                "s3_get" if service == "s3" else "sns_publish" if (service, operation) == ("sns", "Publish") \
                else "calls"
            by_service[key] = by_service.get(key, 0.0) + w * count / n
            if key != "calls":
                by_service["calls"] = by_service.get("calls", 0.0) + w * count / n
        out[job] = {"rru": w * row["rru"] / n, "wru": w * row["wru"] / n, **by_service}
    return out


def report(found: dict[str, Any]) -> list[str]:
    lines = [f"Scheduled jobs at {found['recipients']:,} recipients (one 业务属地), January 2027: calls and "
             "request units",
             f"{'job':<44} {'result':>7} {'calls':>6} {'RRU':>8} {'WRU':>8}  operations"]
    for job, row in found["rows"].items():
        ops = ", ".join(f"{s}:{o}×{n}" for (s, o), n in sorted(row["calls"].items()))
        lines.append(f"{job:<44} {row['result']:>7} {sum(row['calls'].values()):>6} {row['rru']:>8.1f} "
                     f"{row['wru']:>8.1f}  {ops}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=1000)
    args = parser.parse_args(argv)
    with quiet():
        found = measure(args.recipients)
    print("\n".join(report(found)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
