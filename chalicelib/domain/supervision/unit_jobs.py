"""One township's share of a supervision job: the message the dispatchers queue and the worker reads.

The monthly 查询登记 (``monthly_checks``), the yearly 定期复核 tasks (``yearly_reviews``) and the
certificate reminders (``certificate_reminders``) each go through every registered 业务属地; at a
province's scale one Lambda run cannot walk them all, so each scheduled run queues one message per
township and a worker does one township at a time. A message is ``{"job", "unit", "period"}``: the
period is fixed by the dispatcher (the month, the year, or the day of the run), never by the
worker's clock, so a message redelivered the next day still does the same month's work.

Implements: no statute — an engineering rule (one message per township, its period fixed by the dispatcher). The jobs
carry the 每月查询登记 and 定期复核 of DOMAIN.md §3 (黑民发〔2021〕6号 四(三); 民发〔2022〕79号).
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime

from msgspec import Struct

from ..errors import Invalid, Malformed
from .monitoring import month_of, parse_month, parse_township, parse_year

MONTHLY_CHECKS, YEARLY_REVIEWS, CERTIFICATE_REMINDERS = "monthly_checks", "yearly_reviews", "certificate_reminders"
JOBS = (MONTHLY_CHECKS, YEARLY_REVIEWS, CERTIFICATE_REMINDERS)
FIELDS = ("job", "unit", "period")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class UnitJob(Struct, frozen=True):
    job: str
    unit: str  # 9-digit 业务属地
    period: str  # YYYY-MM (monthly_checks), YYYY (yearly_reviews), YYYY-MM-DD (certificate_reminders)

    def body(self) -> dict[str, str]:
        return {"job": self.job, "unit": self.unit, "period": self.period}

    @property
    def year(self) -> int:
        return int(self.period[:4])

    @property
    def day(self) -> date:
        return date.fromisoformat(self.period)


def period_of(job: str, now: datetime) -> str:
    """The period a run at ``now`` (Asia/Shanghai) works on."""
    if job == MONTHLY_CHECKS:
        return month_of(now.date())
    if job == YEARLY_REVIEWS:
        return f"{now.year:04d}"
    if job == CERTIFICATE_REMINDERS:
        return now.date().isoformat()
    raise Invalid("UNKNOWN_JOB", f"job must be one of {', '.join(JOBS)}", "job")


def jobs_for(job: str, units: list[str], now: datetime) -> list[UnitJob]:
    """One message per registered township, all with the same period (the worker checks each unit)."""
    period = period_of(job, now)
    return [UnitJob(job, unit, period) for unit in units]


def _parse_day(value: object) -> str:
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise Invalid("DAY_FORMAT", "period must be a day YYYY-MM-DD for certificate_reminders", "period")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Invalid("DAY_FORMAT", "period must be a calendar day YYYY-MM-DD", "period") from None
    if not 2000 <= day.year <= 2100:
        raise Invalid("DAY_FORMAT", "period must be a day of 2000..2100", "period")
    return value


def parse_message(body: str) -> UnitJob:
    """A queued message, checked: 400 NOT_JSON / NOT_AN_OBJECT / MISSING_FIELD, 422 UNKNOWN_JOB,
    UNIT_FORMAT, MONTH_FORMAT, YEAR_FORMAT, DAY_FORMAT (the worker logs the code and drops the message)."""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        raise Malformed("NOT_JSON", "the message body is not JSON") from None
    if not isinstance(data, dict):
        raise Malformed("NOT_AN_OBJECT", "the message body must be an object {job, unit, period}")
    for name in FIELDS:
        if not isinstance(data.get(name), str):
            raise Malformed("MISSING_FIELD", f"{name} is missing or not a string", name)
    job = data["job"]
    if job not in JOBS:
        raise Invalid("UNKNOWN_JOB", f"job must be one of {', '.join(JOBS)}", "job")
    unit = parse_township(data["unit"])
    if job == MONTHLY_CHECKS:
        period = parse_month(data["period"], "period")
    elif job == YEARLY_REVIEWS:
        period = f"{parse_year(data['period'], 'period'):04d}"
    else:
        period = _parse_day(data["period"])
    return UnitJob(job, unit, period)
