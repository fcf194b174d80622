"""The scheduled jobs, in one table: app.py registers an EventBridge schedule for each (``schedule``, in UTC) and the
local job runner (``tools/jobs.py``, ``make job``, ``make run``'s loops) runs the same ``run`` by its ``command``
name — each at ``chalicelib.clock.now()``, so the local stage's stated moment holds for jobs as for routes.

The monthly and yearly supervision jobs only queue one message per registered 业务属地 (``fanned_out``); the
``unit_jobs`` SQS worker does one township at a time.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable, Mapping

from msgspec import Struct

Result = dict[str, Any]


class Job(Struct, frozen=True):
    name: str  # the Lambda function (Chalice handler) and the log's job name
    command: str  # tools/jobs.py and make job JOB=...
    schedule: str | None  # an EventBridge expression (UTC); None: run by hand only
    run: Callable[[datetime], Result]
    doc: str
    fanned_out: bool = False  # queues one message per township for the unit_jobs worker


def _sweep(now: datetime) -> Result:
    from .services import jobs
    from .wiring import deps, notifier

    return jobs.daily_sweep(deps(), notifier(), now)


def _calendar_check(now: datetime) -> Result:
    from .services import jobs
    from .wiring import deps, notifier

    return jobs.calendar_check(deps(), notifier(), now)


def _repair(now: datetime) -> Result:
    from .services import jobs
    from .wiring import deps

    return {"clocks_repaired": jobs.repair_clocks(deps(), now)}


def _audit_digest(now: datetime) -> Result:
    from .adapters.files import MaterialFiles
    from .config import load
    from .services import audit
    from .wiring import deps

    yesterday = (now - timedelta(days=1)).date().isoformat()
    return audit.daily_digest(deps().repo, MaterialFiles(load().audit_bucket), yesterday)


def _fan_out(job: str) -> Callable[[datetime], Result]:
    def run(now: datetime) -> Result:
        from . import observability
        from .services import unit_jobs
        from .wiring import monitoring, unit_job_queue

        return unit_jobs.dispatch(monitoring().units.all(), unit_job_queue(), job, now,
                                  observability.current_correlation_id())

    return run


def _checks_escalation(now: datetime) -> Result:
    from .services import monitoring as monitoring_jobs
    from .wiring import monitoring

    return monitoring_jobs.escalate_unrecorded(monitoring(), f"{now:%Y-%m}", now)


def _comparison(now: datetime) -> Result:
    from .services import comparison
    from .wiring import comparisons

    return comparison.run_pending(comparisons(), "schedule", now)


def _message_retries(now: datetime) -> Result:
    from .services.messages import retry_due
    from .wiring import messaging

    return retry_due(messaging(), now)


# EventBridge cron runs in UTC: 17:00 UTC on the last day of a month is 01:00 Asia/Shanghai on the 1st.
JOBS: tuple[Job, ...] = (
    Job("daily_sweep", "sweep", "cron(0 17 * * ? *)", _sweep,
        "01:00 Asia/Shanghai: reminders, overdue records and clock repair, from the sparse due-day index"),
    Job("calendar_check", "calendar-check", "cron(0 1 * 12 ? *)", _calendar_check,
        "09:00 every day of December: next year's holiday calendar must be loaded before it is needed"),
    Job("clock_repair", "repair", None, _repair, "restart every clock flagged pending (the sweep does it daily)"),
    Job("audit_digest", "audit-digest", "cron(30 16 * * ? *)", _audit_digest,
        "00:30 Asia/Shanghai: yesterday's chain heads, written where they cannot change"),
    Job("monthly_checks", "monthly-checks", "cron(0 17 L * ? *)", _fan_out("monthly_checks"),
        "01:00 on the 1st: queue this month's 查询登记 for every registered 业务属地", fanned_out=True),
    Job("monthly_checks_escalation", "checks-escalation", "cron(0 1 * * ? *)", _checks_escalation,
        "09:00 daily, acting from the 25th: each township hears how many checks are still unrecorded"),
    Job("yearly_reviews", "yearly-reviews", "cron(0 17 31 12 ? *)", _fan_out("yearly_reviews"),
        "01:00 on 1 January: queue the year's review tasks (定期复核) for every registered 业务属地", fanned_out=True),
    Job("certificate_reminders", "certificate-reminders", "cron(30 17 L * ? *)", _fan_out("certificate_reminders"),
        "01:30 on the 1st: per 业务属地, top up the year's review tasks, then remind of certificates expiring in "
        "six months", fanned_out=True),
    Job("monthly_comparison", "comparison", "cron(0 18 L * ? *)", _comparison,
        "02:00 on the 1st: every file under comparisons/ not processed yet (each file runs once)"),
    Job("message_retries", "messages", "rate(5 minutes)", _message_retries,
        "milestone SMS due for a retry (5, 10, 20, 40 min), then failed, recorded, reported and counted"),
)
BY_COMMAND: Mapping[str, Job] = {job.command: job for job in JOBS}
BY_NAME: Mapping[str, Job] = {job.name: job for job in JOBS}
