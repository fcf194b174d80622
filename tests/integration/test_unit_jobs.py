"""The supervision jobs fanned out per township on moto: the schedules queue one message per registered
业务属地 on SQS, the ``unit_jobs`` worker does one township per message (as Lambda's event source would)."""
from __future__ import annotations

import json

import boto3
import pytest

from chalicelib.adapters.job_queue import UnitJobQueue
from chalicelib.config import table_name
from chalicelib.wiring import monitoring
from tests.integration.test_entitlements import approved_case
from tests.support.people import HARBIN_OTHER_TOWNSHIP, HARBIN_TOWNSHIP, fresh_application

MONTH = "2026-10"
THIRD_TOWNSHIP = "230104001"


def scheduled_event(api):
    return api.client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                               resources=[])


def queued(limit=100):
    """Every message waiting on moto's queue, as records of a Lambda SQS event (deleted from the queue)."""
    queue, records = UnitJobQueue(), []
    while len(records) < limit:
        batch = queue.receive()
        if not batch:
            return records
        for record in batch:
            queue.delete(record)
        records += batch
    return records


def worker(api, *bodies):
    """The worker invoked by an SQS event of these bodies (strings sent as they are)."""
    event = api.client.events.generate_sqs_event(
        message_bodies=[b if isinstance(b, str) else json.dumps(b) for b in bodies], queue_name="subsidy-local-unit-jobs")
    return api.invoke("unit_jobs", event).payload["records"]


def recipient(api, township):
    """An approved case (living and nursing) whose 业务属地 is ``township``, at its first committee."""
    body = fresh_application(hukou_unit=township)
    body["applicant"]["committee_unit"] = f"{township}001"
    if township == HARBIN_TOWNSHIP:
        return approved_case(api, body)
    api.now = "2026-05-20T10:00:00+08:00"
    case = api.ready_case(body)
    for step in ("complete", "push"):
        assert api.window("POST", f"/cases/{case['case_id']}/{step}").status_code == 200
    api.now = "2026-10-15T10:00:00+08:00"
    decided = api.reviewer("POST", f"/cases/{case['case_id']}/decision", {
        "outcome": "approved", "reason": "符合条件",
        "subsidies": [{"type": "living", "monthly_amount": "90.00"}, {"type": "nursing", "monthly_amount": "120.00"}]},
        unit=township)
    assert decided.status_code == 200, decided.data
    return case["case_id"]


def checks_of(api, township):
    listed = api.reviewer("GET", f"/checks/{township}001/{MONTH}", unit=township)
    assert listed.status_code == 200, listed.data
    return [c["entitlement_id"] for c in listed.data["checks"]]


def test_each_schedule_queues_one_message_per_registered_township_ten_to_a_call(api):
    townships = [f"2301{n:02d}001" for n in range(2, 14)]  # 12 townships: two SendMessageBatch calls
    for township in townships:
        monitoring().units.register(township)
    api.now = "2026-12-01T01:00:00+08:00"  # the schedules' moment: the period is taken from it
    expected = {"monthly_checks": "2026-12", "yearly_reviews": "2026", "certificate_reminders": "2026-12-01"}
    for job, period in expected.items():
        stats = api.invoke(job).payload
        assert (stats["queued"], stats["send_calls"], stats["period"]) == (12, 2, period), stats
        records = queued()
        assert sorted(json.loads(r["body"])["unit"] for r in records) == townships
        assert {(json.loads(r["body"])["job"], json.loads(r["body"])["period"]) for r in records} == {(job, period)}
        correlation = {r["messageAttributes"]["correlation_id"]["stringValue"] for r in records}
        assert len(correlation) == 1 and None not in correlation  # the dispatcher's run, on every message


def test_the_worker_issues_the_checks_of_its_message_s_township_only(api):
    harbin = recipient(api, HARBIN_TOWNSHIP)
    other = recipient(api, HARBIN_OTHER_TOWNSHIP)
    assert monitoring().units.all() == [HARBIN_TOWNSHIP, HARBIN_OTHER_TOWNSHIP]
    [done] = worker(api, {"job": "monthly_checks", "unit": HARBIN_OTHER_TOWNSHIP, "period": MONTH})
    assert (done["unit"], done["issued"], done["already_issued"]) == (HARBIN_OTHER_TOWNSHIP, 2, 0)
    assert checks_of(api, HARBIN_OTHER_TOWNSHIP) == [f"{other}-living", f"{other}-nursing"]
    assert checks_of(api, HARBIN_TOWNSHIP) == []  # nothing for the township no message named
    [done] = worker(api, {"job": "monthly_checks", "unit": HARBIN_TOWNSHIP, "period": MONTH})
    assert checks_of(api, HARBIN_TOWNSHIP) == [f"{harbin}-living", f"{harbin}-nursing"]


def test_a_redelivered_message_creates_nothing_twice_for_any_job(api):
    recipient(api, HARBIN_TOWNSHIP)
    messages = [{"job": "monthly_checks", "unit": HARBIN_TOWNSHIP, "period": MONTH},
                {"job": "yearly_reviews", "unit": HARBIN_TOWNSHIP, "period": "2026"},
                {"job": "certificate_reminders", "unit": HARBIN_TOWNSHIP, "period": "2026-11-01"}]
    first = [worker(api, m)[0] for m in messages]
    again = [worker(api, m)[0] for m in messages]
    assert [first[0]["issued"], first[1]["created"], first[2]["tasks_created"]] == [2, 2, 0]
    assert [again[0]["issued"], again[0]["already_issued"], again[1]["created"], again[1]["already_created"],
            again[2]["tasks_created"]] == [0, 2, 0, 2, 0]
    assert len(api.reviewer("GET", f"/reviews/{HARBIN_TOWNSHIP}/2026").data["tasks"]) == 2


def test_the_certificate_reminders_message_tops_up_the_year_s_tasks_first(api):
    recipient(api, HARBIN_TOWNSHIP)
    [done] = worker(api, {"job": "certificate_reminders", "unit": HARBIN_TOWNSHIP, "period": "2026-11-01"})
    assert (done["tasks_created"], done["reminded"], done["period"]) == (2, 0, "2026-11-01")


@pytest.mark.parametrize(("body", "reason"), [
    ("not json", "NOT_JSON"),
    ("[1, 2]", "NOT_AN_OBJECT"),
    ({"job": "monthly_checks", "unit": HARBIN_TOWNSHIP}, "MISSING_FIELD"),
    ({"job": "weekly_checks", "unit": HARBIN_TOWNSHIP, "period": MONTH}, "UNKNOWN_JOB"),
    ({"job": "monthly_checks", "unit": "2301", "period": MONTH}, "UNIT_FORMAT"),
    ({"job": "monthly_checks", "unit": HARBIN_TOWNSHIP, "period": "2026-13"}, "MONTH_FORMAT"),
    ({"job": "yearly_reviews", "unit": HARBIN_TOWNSHIP, "period": "26"}, "YEAR_FORMAT"),
    ({"job": "certificate_reminders", "unit": HARBIN_TOWNSHIP, "period": "2026-02-30"}, "DAY_FORMAT"),
])
def test_a_malformed_message_is_dropped_with_a_log_line_and_no_exception(api, capsys, body, reason):
    capsys.readouterr()
    [dropped] = worker(api, body)
    assert dropped == {"dropped": 1, "reason": reason}
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    [line] = [line for line in lines if line.get("event") == "unit_job_dropped"]
    assert (line["reason"], line["level"], line["correlation_id"]) == (reason, "WARNING", "message-id")
    assert [line["stats"] for line in lines if line.get("event") == "job_done"] == [
        {"dropped": 1, "reason": reason}]


def test_an_aws_failure_raises_so_sqs_redelivers_the_message_then_dead_letters_it(api):
    recipient(api, HARBIN_TOWNSHIP)
    api.invoke("monthly_checks")
    boto3.client("dynamodb").delete_table(TableName=table_name("monthly-checks"))
    queue = UnitJobQueue()
    for receive in range(1, 4):
        [record] = queue.receive(visibility_seconds=0)
        assert record["attributes"]["ApproximateReceiveCount"] == str(receive)
        with pytest.raises(Exception) as raised:
            api.invoke("unit_jobs", {"Records": [record]})
        assert "ResourceNotFound" in type(raised.value).__name__ + str(raised.value)
    assert queue.receive(visibility_seconds=0) == []
    assert queue.dead_letters() == 1  # after its third receive: operators see the DLQ alarm (docs/runbook.md)
