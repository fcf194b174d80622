"""Milestone SMS to the applicant, asserted from moto's SNS records: sent, retried, failed and reported."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from chalicelib.adapters.case_tables import part_key
from chalicelib.config import load
from chalicelib.services import messages as milestone_messages
from chalicelib.wiring import messaging
from tests.integration.conftest import topic, wait_messages
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, fresh_application

T0 = "2026-09-24T10:00:00+08:00"
APPROVE = {"outcome": "approved", "reason": "符合条件",
           "subsidies": [{"type": "living", "monthly_amount": "99.00"}, {"type": "nursing", "monthly_amount": "99.00"}]}
BAD_NUMBER = "138000000001234567"  # stored by an older system: +86 and 18 digits is not E.164, SNS refuses it


def sms() -> list[tuple[str, str, str]]:
    """(SNS message id, phone number, text) of every SMS moto's SNS took, oldest first."""
    backend = sns_backends[DEFAULT_ACCOUNT_ID][load().region]
    return [(key, number, text) for key, (number, text) in backend.sms_messages.items()]


def timeline(api: Any, case_id: str) -> list[dict[str, Any]]:
    return api.window("GET", f"/cases/{case_id}").data["timeline"]


def message_events(api: Any, case_id: str) -> list[dict[str, Any]]:
    return [e for e in timeline(api, case_id) if e["event"].startswith("message_")]


def store_phone(case_id: str, phone: str) -> None:
    """What a record migrated from an older system might hold (the API itself refuses such numbers)."""
    boto3.client("dynamodb").update_item(
        TableName=f"{load().prefix}-cases", Key={"case_id": {"S": part_key(case_id, "person")}},  # the applicant's part
        UpdateExpression="SET body.applicant.phone = :p", ExpressionAttributeValues={":p": {"S": phone}})


def supervisors_feed(aws: dict[str, Any], name: str, unit: str) -> str:
    """An SQS queue subscribed to the escalations topic with the filter a unit's supervisors would use."""
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(
        TopicArn=topic(aws, "escalations"), Protocol="sqs", Endpoint=arn,
        Attributes={"RawMessageDelivery": "true",
                    "FilterPolicy": json.dumps({"kind": ["message_failed"], "accepting_unit": [unit]})})
    return queue


def pushed_case(api: Any, phone_after_acceptance: str | None = None) -> str:
    case = api.ready_case(fresh_application())
    if phone_after_acceptance:
        store_phone(case["case_id"], phone_after_acceptance)
    assert api.window("POST", f"/cases/{case['case_id']}/complete").status_code == 200
    pushed = api.window("POST", f"/cases/{case['case_id']}/push")
    assert pushed.status_code == 200, pushed.data  # a failed SMS never fails or undoes the transition
    assert pushed.data["status"] == "under_review"
    return str(case["case_id"])


def at(minutes: float) -> datetime:
    return datetime.fromisoformat(T0) + timedelta(minutes=minutes)


def test_each_milestone_sends_one_sms_and_records_it_on_the_timeline(api):
    case = api.ready_case(fresh_application())
    case_id = case["case_id"]
    api.window("POST", f"/cases/{case_id}/complete")
    api.window("POST", f"/cases/{case_id}/push")
    api.reviewer("POST", f"/cases/{case_id}/decision", APPROVE)
    api.window("POST", f"/cases/{case_id}/notification", {"method": "in_person"})

    sent = [s for s in sms() if case_id in s[2]]
    assert [number for _, number, _ in sent] == ["+8613800000000"] * 4
    texts = [text for _, _, text in sent]
    assert "受理" in texts[0] and "推送户籍地审核" in texts[1] and "审核通过" in texts[2] and "办理完毕" in texts[3]
    assert all(text.startswith("【残疾人两项补贴】") and "9月24日" in text for text in texts)
    # one segment each, but the approval's: it names who explains the standard (issue 16.8), in two at most
    assert [len(text) <= 70 for text in texts] == [True, True, False, True] and len(texts[2]) <= 2 * 67
    assert "享受补贴政策的类型及标准由" in texts[2] and "受理窗口" not in texts[2]
    events = message_events(api, case_id)
    assert [(e["event"], e["detail"]["milestone"]) for e in events] == [
        ("message_sent", "accepted"), ("message_sent", "pushed"), ("message_sent", "decided"),
        ("message_sent", "notified")]
    assert [e["detail"]["sns_message_id"] for e in events] == [key for key, _, _ in sent]
    assert api.window("GET", f"/cases/{case_id}/audit").data["valid"] is True


def test_a_repeated_request_and_repeated_retry_runs_never_send_a_milestone_twice(api):
    case = api.ready_case(fresh_application())
    case_id = case["case_id"]
    api.window("POST", f"/cases/{case_id}/complete")
    key = {"Idempotency-Key": "push-once-0001"}
    first = api.call("POST", f"/cases/{case_id}/push", "window", SHANGHAI_WINDOW, headers=key)
    again = api.call("POST", f"/cases/{case_id}/push", "window", SHANGHAI_WINDOW, headers=key)
    runs = [milestone_messages.retry_due(messaging(), at(minutes)) for minutes in (0, 5, 60, 600)]

    assert first.status_code == again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert len([t for _, _, t in sms() if case_id in t and "推送户籍地审核" in t]) == 1
    assert all(run == {"due": 0} for run in runs)
    assert [e["detail"]["milestone"] for e in message_events(api, case_id)] == ["accepted", "pushed"]


def test_a_failed_send_is_retried_with_backoff_and_sent_once_the_number_is_right(api):
    case_id = pushed_case(api, phone_after_acceptance=BAD_NUMBER)
    assert [e["detail"]["milestone"] for e in message_events(api, case_id)] == ["accepted"]  # push: pending
    stored = boto3.client("dynamodb").get_item(TableName=f"{load().prefix}-messages",
                                               Key={"message_id": {"S": f"{case_id}#pushed"}})["Item"]
    assert stored["status"]["S"] == "pending" and stored["attempts"]["N"] == "1"
    assert stored["last_error"]["S"] == "InvalidParameter"

    not_yet = milestone_messages.retry_due(messaging(), at(4))
    store_phone(case_id, "13900000000")  # the window corrected the number
    retried = milestone_messages.retry_due(messaging(), at(5))

    assert not_yet == {"due": 0} and retried == {"due": 1, "sent": 1}
    [(key, number, text)] = [s for s in sms() if case_id in s[2] and "推送户籍地审核" in s[2]]
    assert number == "+8613900000000"
    [event] = [e for e in message_events(api, case_id) if e["detail"]["milestone"] == "pushed"]
    assert event["event"] == "message_sent" and event["detail"]["attempts"] == 2
    assert event["detail"]["sns_message_id"] == key
    assert "13900000000" not in json.dumps(timeline(api, case_id))


def test_after_the_last_retry_the_message_fails_and_the_supervisors_get_a_report(api, aws, capsys):
    feed = supervisors_feed(aws, "accepting-supervisors", SHANGHAI_WINDOW)
    other = supervisors_feed(aws, "other-supervisors", "440105001")
    case_id = pushed_case(api, phone_after_acceptance=BAD_NUMBER)

    runs = [milestone_messages.retry_due(messaging(), at(minutes)) for minutes in (5, 15, 35, 74, 75, 200)]

    assert runs == [{"due": 1, "pending": 1}, {"due": 1, "pending": 1}, {"due": 1, "pending": 1},
                    {"due": 0}, {"due": 1, "failed": 1}, {"due": 0}]
    assert not [s for s in sms() if case_id in s[2] and "推送户籍地审核" in s[2]]
    [event] = [e for e in message_events(api, case_id) if e["detail"]["milestone"] == "pushed"]
    assert event["event"] == "message_failed"
    assert event["detail"] == {"milestone": "pushed", "channel": "sms", "attempts": 5, "error": "InvalidParameter"}
    [report] = wait_messages(feed, 1)
    assert report["case_id"] == case_id and report["milestone"] == "pushed" and report["attempts"] == 5
    assert report["accepting_unit"] == SHANGHAI_WINDOW and report["business_unit"] == HARBIN_TOWNSHIP
    assert BAD_NUMBER not in json.dumps(report)
    assert wait_messages(other, 1, seconds=0.3) == []
    assert api.window("GET", f"/cases/{case_id}/audit").data["valid"] is True
    assert "MessageSendFailed" in capsys.readouterr().out  # the EMF metric line


def test_the_result_feed_reaches_only_the_accepting_windows_filtered_subscription(api, aws):
    sqs, sns = boto3.client("sqs"), boto3.client("sns")
    queues = {}
    for unit in (SHANGHAI_WINDOW, "440105001"):
        url = sqs.create_queue(QueueName=f"results-{unit}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic(aws, "case-results"), Protocol="sqs", Endpoint=arn,
                      Attributes={"RawMessageDelivery": "true",
                                  "FilterPolicy": json.dumps({"accepting_unit": [unit]})})
        queues[unit] = url
    case_id = pushed_case(api)
    api.reviewer("POST", f"/cases/{case_id}/decision", APPROVE)

    [result] = wait_messages(queues[SHANGHAI_WINDOW], 1)
    assert {k: result[k] for k in ("case_id", "accepting_unit", "outcome", "decided_on")} == {
        "case_id": case_id, "accepting_unit": SHANGHAI_WINDOW, "outcome": "approved", "decided_on": "2026-09-24"}
    assert result["notify_due_on"]  # the window's D3
    assert wait_messages(queues["440105001"], 1, seconds=0.5) == []
