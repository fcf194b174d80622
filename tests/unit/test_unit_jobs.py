"""The unit job message: periods fixed by the dispatcher's run, and every way a message can be unreadable."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import DomainError
from chalicelib.domain.supervision.unit_jobs import JOBS, UnitJob, jobs_for, parse_message, period_of

CHINA = timezone(timedelta(hours=8))
FIRST_OF_MONTH = datetime(2027, 1, 1, 1, 0, tzinfo=CHINA)  # 17:00 UTC on 31 December: the cron's run


def test_each_job_s_period_is_the_china_month_year_or_day_of_the_run():
    assert [period_of(job, FIRST_OF_MONTH) for job in JOBS] == ["2027-01", "2027", "2027-01-01"]


def test_one_message_per_township_each_read_back_as_it_was_sent():
    messages = jobs_for("monthly_checks", ["230102001", "230103001"], FIRST_OF_MONTH)
    assert [m.body() for m in messages] == [{"job": "monthly_checks", "unit": "230102001", "period": "2027-01"},
                                            {"job": "monthly_checks", "unit": "230103001", "period": "2027-01"}]
    assert [parse_message(json.dumps(m.body())) for m in messages] == messages
    reminders = parse_message(json.dumps({"job": "certificate_reminders", "unit": "230102001", "period": "2027-01-01"}))
    assert (reminders.year, reminders.day.isoformat()) == (2027, "2027-01-01")
    assert parse_message(json.dumps({"job": "yearly_reviews", "unit": "230102001", "period": "2027"})) == UnitJob(
        "yearly_reviews", "230102001", "2027")


@pytest.mark.parametrize(("body", "code", "field"), [
    (b"\xff", "NOT_JSON", None),
    ("null", "NOT_AN_OBJECT", None),
    ('{"job": "monthly_checks", "unit": 230102001, "period": "2027-01"}', "MISSING_FIELD", "unit"),
    ('{"job": "payroll", "unit": "230102001", "period": "2027-01"}', "UNKNOWN_JOB", "job"),
    ('{"job": "monthly_checks", "unit": "230102001001", "period": "2027-01"}', "UNIT_FORMAT", "unit"),
    ('{"job": "monthly_checks", "unit": "230102001", "period": "2027-1"}', "MONTH_FORMAT", "period"),
    ('{"job": "yearly_reviews", "unit": "230102001", "period": "1999"}', "YEAR_FORMAT", "period"),
    ('{"job": "certificate_reminders", "unit": "230102001", "period": "2027-01"}', "DAY_FORMAT", "period"),
    ('{"job": "certificate_reminders", "unit": "230102001", "period": "2101-01-01"}', "DAY_FORMAT", "period"),
])
def test_an_unreadable_message_names_its_reason_and_field(body, code, field):
    with pytest.raises(DomainError) as raised:
        parse_message(body)
    assert (raised.value.code, raised.value.field) == (code, field)
