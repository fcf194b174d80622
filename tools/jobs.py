"""Run a scheduled job now against the embedded default (or any endpoint):

    .venv/bin/python -m tools.jobs sweep [--now 2026-10-12T01:00:00+08:00]
    .venv/bin/python -m tools.jobs calendar-check [--now 2026-12-01T09:00:00+08:00]
    .venv/bin/python -m tools.jobs repair
    .venv/bin/python -m tools.jobs messages [--now ...]   # milestone SMS due for a retry
    .venv/bin/python -m tools.jobs monthly-checks [--now 2026-10-01T01:00:00+08:00]
    .venv/bin/python -m tools.jobs yearly-reviews | certificate-reminders [--now ...]

The same functions the deployed schedules call (``app.daily_sweep``, ``app.calendar_check``). The
monthly and yearly supervision jobs queue one message per registered 业务属地 (the dispatch, as the
schedule does), then this process hands the queue to the ``unit_jobs`` worker as Lambda's event source
would (``drain``): the output has the dispatch's counts and, under ``worker``, each township's.
A ``make run`` polls the same queue: a township it took first is printed there, not here.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from typing import Any

FANNED_OUT = {"monthly-checks": "monthly_checks", "yearly-reviews": "yearly_reviews",
              "certificate-reminders": "certificate_reminders"}  # dispatch, then the unit_jobs worker
JOBS = ("sweep", "calendar-check", "repair", "messages", *FANNED_OUT)
JOB_NAMES = {"sweep": "daily_sweep", "calendar-check": "calendar_check", "repair": "clock_repair",
             "messages": "message_retries", **FANNED_OUT}  # as in app.py


def run(job: str, now: datetime) -> dict[str, Any]:
    """The job in the same observability scope as a deployed schedule (job_done line, metrics flushed once)."""
    from chalicelib import observability

    result = observability.run_job(JOB_NAMES[job], lambda: _run(job, now))
    if job in FANNED_OUT:
        result["worker"] = drain()
    return result


def drain() -> dict[str, Any]:
    """What Lambda's event source mapping does with the unit jobs' queue: each message, one at a time, to the
    ``unit_jobs`` worker of the app; deleted when the worker returns. A message whose run raised stays: SQS
    shows it again after its visibility timeout and dead-letters it after its third receive."""
    from app import app
    from chalicelib.wiring import unit_job_queue

    worker, queue = app.handler_map["unit_jobs"], unit_job_queue()
    stats: dict[str, Any] = {"done": 0, "dropped": 0, "failed": 0, "units": {}}
    while records := queue.receive():
        for record in records:
            try:
                [result] = worker({"Records": [record]}, None)["records"]
            except Exception:  # noqa: BLE001 - logged by the worker's scope (job_done never written); SQS retries
                stats["failed"] += 1
                continue
            queue.delete(record)
            if result.get("dropped"):
                stats["dropped"] += 1
                continue
            stats["done"] += 1
            stats["units"][result["unit"]] = {k: v for k, v in result.items() if k not in ("job", "unit", "period")}
    stats["dead_letters"] = queue.dead_letters()
    return stats


def _run(job: str, now: datetime) -> dict[str, Any]:
    from chalicelib.services import jobs
    from chalicelib.wiring import deps, notifier

    if job == "sweep":
        return jobs.daily_sweep(deps(), notifier(), now)
    if job == "calendar-check":
        return jobs.calendar_check(deps(), notifier(), now)
    if job == "repair":
        return {"clocks_repaired": jobs.repair_clocks(deps(), now)}
    if job in FANNED_OUT:
        from chalicelib import observability
        from chalicelib.services import unit_jobs
        from chalicelib.wiring import monitoring, unit_job_queue

        return unit_jobs.dispatch(monitoring().units.all(), unit_job_queue(), FANNED_OUT[job], now,
                                  observability.current_correlation_id())
    if job == "messages":
        from chalicelib.services.messages import retry_due
        from chalicelib.wiring import messaging

        return retry_due(messaging(), now)
    raise ValueError(job)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("job", choices=JOBS, type=lambda name: name.replace("_", "-"))  # monthly_checks too
    parser.add_argument("--now", help="ISO 8601 time to run as (default: CLOCK_NOW in the local stage, else now)")
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
                        help="the moto server of `make run` (default http://127.0.0.1:5000)")
    args = parser.parse_args(argv)
    os.environ.setdefault("STAGE", "local")
    os.environ["AWS_ENDPOINT_URL"] = args.endpoint
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "cn-north-1")
    from chalicelib import clock

    now = clock.stated(args.now) if args.now else clock.now()  # CLOCK_NOW in the local stage, else the real time
    print(json.dumps({"job": args.job, "now": now.isoformat(), **run(args.job, now)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
