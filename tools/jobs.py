"""Run a scheduled job now against the embedded default (or any endpoint):

    .venv/bin/python -m tools.jobs sweep [--now 2026-10-12T01:00:00+08:00]
    .venv/bin/python -m tools.jobs calendar-check [--now 2026-12-01T09:00:00+08:00]
    .venv/bin/python -m tools.jobs repair
    .venv/bin/python -m tools.jobs messages [--now ...]   # milestone SMS due for a retry

The same functions the deployed schedules call (``app.daily_sweep``, ``app.calendar_check``).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
JOBS = ("sweep", "calendar-check", "repair", "messages")
JOB_NAMES = {"sweep": "daily_sweep", "calendar-check": "calendar_check", "repair": "clock_repair"}  # as in app.py


def run(job: str, now: datetime) -> dict[str, Any]:
    """The job in the same observability scope as a deployed schedule (job_done line, metrics flushed once)."""
    from chalicelib import observability

    return observability.run_job(JOB_NAMES[job], lambda: _run(job, now))


def _run(job: str, now: datetime) -> dict[str, Any]:
    from chalicelib.services import jobs
    from chalicelib.wiring import deps, notifier

    if job == "sweep":
        return jobs.daily_sweep(deps(), notifier(), now)
    if job == "calendar-check":
        return jobs.calendar_check(deps(), notifier(), now)
    if job == "repair":
        return {"clocks_repaired": jobs.repair_clocks(deps(), now)}
    if job == "messages":
        from chalicelib.services.messages import retry_due
        from chalicelib.wiring import messaging

        return retry_due(messaging(), now)
    raise ValueError(job)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("job", choices=JOBS)
    parser.add_argument("--now", help="ISO 8601 time to run as (default: now, Asia/Shanghai)")
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
                        help="the moto server of `make run` (default http://127.0.0.1:5000)")
    args = parser.parse_args(argv)
    os.environ.setdefault("STAGE", "local")
    os.environ["AWS_ENDPOINT_URL"] = args.endpoint
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "cn-north-1")
    now = datetime.fromisoformat(args.now) if args.now else datetime.now(CHINA)
    if now.tzinfo is None:
        now = now.replace(tzinfo=CHINA)
    print(json.dumps({"job": args.job, "now": now.isoformat(), **run(args.job, now)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
