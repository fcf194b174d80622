"""Run a scheduled job now against the embedded default (or any endpoint):

    .venv/bin/python -m tools.jobs sweep [--now 2026-10-12T01:00:00+08:00]
    .venv/bin/python -m tools.jobs calendar-check [--now 2026-12-01T09:00:00+08:00]
    .venv/bin/python -m tools.jobs repair
    .venv/bin/python -m tools.jobs messages [--now ...]   # milestone SMS due for a retry
    .venv/bin/python -m tools.jobs monthly-checks [--now 2026-10-01T01:00:00+08:00]
    .venv/bin/python -m tools.jobs yearly-reviews | certificate-reminders | checks-escalation | comparison
    .venv/bin/python -m tools.jobs audit-digest [--now ...]

The same table and functions the deployed schedules use (``chalicelib/jobs.py``). The
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


def _table() -> Any:
    from chalicelib import jobs

    return jobs


def run(command: str, now: datetime) -> dict[str, Any]:
    """The job of ``command`` (chalicelib/jobs.py, the table the schedules come from) in the same observability
    scope as a deployed schedule (job_done line, metrics flushed once); a fanned-out job's queue is then drained."""
    from chalicelib import observability

    job = _table().BY_COMMAND[command]
    result = observability.run_job(job.name, lambda: job.run(now))
    if job.fanned_out:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = [job.command for job in _table().JOBS]
    names = {job.name: job.command for job in _table().JOBS}
    parser.add_argument("job", choices=commands, type=lambda given: names.get(given, given.replace("_", "-")),
                        help="a command of chalicelib/jobs.py (its function name works too, e.g. monthly_checks)")
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
