"""The supervision jobs fanned out per 业务属地: each schedule queues one message per registered
township (``dispatch``), the ``unit_jobs`` worker runs one message (``work``) through the per-unit
functions of ``services/monitoring.py``. Both sides are safe to repeat: the jobs create nothing twice.

A message that cannot be read (not JSON, unknown job, malformed unit or period) is logged with its
reason and dropped: retrying it would never help. Anything else that fails (an AWS call) raises,
so SQS delivers the message again and, after its receives run out, moves it to the dead-letter queue.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Mapping, Protocol, Sequence

from ..domain.errors import DomainError
from ..domain.supervision.unit_jobs import MONTHLY_CHECKS, YEARLY_REVIEWS, UnitJob, jobs_for, parse_message, period_of
from .monitoring import (
    Monitoring,
    certificate_reminders_for_unit,
    monthly_checks_for_unit,
    review_tasks_for_unit,
)

log = logging.getLogger(__name__)


class Queue(Protocol):
    def send(self, bodies: Sequence[Mapping[str, str]], correlation_id: str | None = None) -> int: ...


def dispatch(units: list[str], queue: Queue, job: str, now: datetime,
             correlation_id: str | None = None) -> dict[str, Any]:
    """One message per township in ``units`` (the registry), ten to a call: counts, no unit list."""
    messages = jobs_for(job, units, now)
    calls = queue.send([message.body() for message in messages], correlation_id)
    stats = {"job": job, "period": period_of(job, now), "units": len(units), "queued": len(messages),
             "send_calls": calls}
    log.info("unit jobs queued: job=%s period=%s units=%d", job, stats["period"], len(messages))
    return stats


def work(deps: Monitoring, body: str) -> dict[str, Any]:
    """One queued message: the job's counts for its township, or ``dropped`` with the reason's code."""
    try:
        job = parse_message(body)
    except DomainError as error:
        log.warning("unit job dropped: %s", error.message,
                    extra={"event": "unit_job_dropped", "reason": error.code, "field": error.field})
        return {"dropped": 1, "reason": error.code}
    stats = _run(deps, job)
    log.info("unit job done: job=%s unit=%s period=%s", job.job, job.unit, job.period,
             extra={"event": "unit_job_done", "unit_job": job.job, "unit": job.unit, "period": job.period, "stats": stats})
    return {**job.body(), **stats}


def _run(deps: Monitoring, job: UnitJob) -> dict[str, int]:
    if job.job == MONTHLY_CHECKS:
        return monthly_checks_for_unit(deps, job.unit, job.period)
    if job.job == YEARLY_REVIEWS:
        return review_tasks_for_unit(deps, job.unit, job.year)
    return certificate_reminders_for_unit(deps, job.unit, job.day)
