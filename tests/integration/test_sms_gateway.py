"""The SMS gateway channel (SMS_CHANNEL=gateway) on moto: milestones go to the encrypted outbox topic the
province's SMS gateway subscribes to, and the gateway's delivery receipts reach the timeline and the retries."""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib.config import load
from chalicelib.services import messages as milestone_messages
from chalicelib.wiring import messaging
from tests.integration.conftest import topic, wait_messages
from tests.integration.test_messages import APPROVE, message_events, sms, supervisors_feed, timeline
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, fresh_application

T0 = datetime.fromisoformat("2026-09-24T10:00:00+08:00")


def use_channel(name: str | None) -> None:
    if name is None:
        os.environ.pop("SMS_CHANNEL", None)
    else:
        os.environ["SMS_CHANNEL"] = name
    load.cache_clear()


@pytest.fixture(autouse=True)
def gateway_channel() -> Iterator[None]:
    before = os.environ.get("SMS_CHANNEL")
    use_channel("gateway")
    yield
    use_channel(before)


def gateway_feed(aws: dict[str, Any], name: str, province: str | None = None) -> str:
    """The province's gateway as an SQS subscriber of the outbox topic (SNS envelopes, so the MessageId and
    attributes show), filtered on the accepting province when one is given."""
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    attributes = {"FilterPolicy": json.dumps({"accepting_province": [province]})} if province else {}
    boto3.client("sns").subscribe(TopicArn=topic(aws, "sms-outbox"), Protocol="sqs", Endpoint=arn,
                                  Attributes=attributes)
    return queue


def outbox(queue: str, count: int, seconds: float = 10.0) -> list[dict[str, Any]]:
    """(envelope, message) pairs: the SNS envelope with the JSON message parsed into ``body``."""
    return [dict(envelope, body=json.loads(envelope["Message"])) for envelope in wait_messages(queue, count, seconds)]


def receipt(api: Any, message_id: str, body: Any, unit: str = "31", role: str = "sms_gateway",
            at: datetime | None = None) -> Any:
    api.now = (at or T0).isoformat()
    return api.call("POST", f"/messages/{message_id}/receipt", role, unit, body)


def pushed(api: Any) -> str:
    case_id = str(api.ready_case(fresh_application())["case_id"])
    assert api.window("POST", f"/cases/{case_id}/complete").status_code == 200
    assert api.window("POST", f"/cases/{case_id}/push").status_code == 200
    return case_id


def test_each_milestone_goes_to_the_outbox_topic_with_what_the_gateway_needs_and_no_sms_leaves_sns(api, aws):
    feed = gateway_feed(aws, "gateway-all")
    body = fresh_application()
    case_id = api.ready_case(body)["case_id"]
    api.window("POST", f"/cases/{case_id}/complete")
    api.window("POST", f"/cases/{case_id}/push")
    api.reviewer("POST", f"/cases/{case_id}/decision", APPROVE)
    api.window("POST", f"/cases/{case_id}/notification", {"method": "in_person"})

    published = outbox(feed, 4)
    assert [p["body"]["milestone"] for p in published] == ["accepted", "pushed", "decided", "notified"]
    first = published[0]
    assert first["body"]["message_id"] == f"{case_id}-accepted" and first["body"]["attempt"] == 1
    assert first["body"]["case_id"] == case_id and first["body"]["phone_number"] == "+8613800000000"
    assert first["body"]["text"].startswith("【残疾人两项补贴】") and "受理" in first["body"]["text"]
    assert (first["body"]["accepting_province"], first["body"]["business_province"]) == ("31", "23")
    assert {k: v["Value"] for k, v in first["MessageAttributes"].items()} == {
        "kind": "sms", "milestone": "accepted", "accepting_province": "31", "business_province": "23"}
    for secret in (body["applicant"]["id_number"], body["applicant"]["id_number"][-6:], "张三", "99.00"):
        assert all(secret not in json.dumps(p["body"], ensure_ascii=False) for p in published)
    assert not [s for s in sms() if case_id in s[2]]  # nothing went to a phone number through SNS
    events = message_events(api, case_id)
    assert [(e["event"], e["detail"]["via"]) for e in events] == [("message_sent", "gateway")] * 4
    assert [e["detail"]["sns_message_id"] for e in events] == [p["MessageId"] for p in published]


def test_a_gateways_filtered_subscription_gets_only_the_messages_of_cases_its_province_accepted(api, aws):
    shanghai, guangdong = gateway_feed(aws, "gateway-31", "31"), gateway_feed(aws, "gateway-44", "44")
    case_id = api.window("POST", "/cases", fresh_application()).data["case_id"]

    [message] = outbox(shanghai, 1)
    assert message["body"]["message_id"] == f"{case_id}-accepted"
    assert wait_messages(guangdong, 1, seconds=0.3) == []


def test_a_delivered_receipt_adds_message_delivered_to_the_timeline_once(api, aws):
    case_id = api.window("POST", "/cases", fresh_application()).data["case_id"]
    report = {"status": "delivered", "at": "2026-09-24T10:00:04+08:00"}

    first = receipt(api, f"{case_id}-accepted", report)
    events_after_first = timeline(api, case_id)
    again = receipt(api, f"{case_id}-accepted", report)
    by_business_province = receipt(api, f"{case_id}-accepted", report, unit="23")

    assert first.status_code == 200, first.data
    assert first.data == {"message_id": f"{case_id}-accepted", "milestone": "accepted", "status": "delivered",
                          "attempts": 1, "changed": True}
    assert again.status_code == by_business_province.status_code == 200
    assert again.data["changed"] is False and again.data["status"] == "delivered"
    assert timeline(api, case_id) == events_after_first  # the same receipt twice changes nothing
    [sent, delivered] = message_events(api, case_id)
    assert (sent["event"], delivered["event"]) == ("message_sent", "message_delivered")
    assert delivered["actor"] == "sms_gateway-31" and delivered["unit"] == "31"
    assert delivered["detail"] == {"milestone": "accepted", "channel": "sms", "via": "gateway", "attempt": 1,
                                   "reported_at": "2026-09-24T10:00:04+08:00"}
    assert api.window("GET", f"/cases/{case_id}/audit").data["valid"] is True


def test_failed_receipts_send_the_message_again_after_each_back_off_and_after_the_last_the_supervisors_hear(
        api, aws, capsys):
    feed = gateway_feed(aws, "gateway-retries")
    supervisors = supervisors_feed(aws, "gateway-failures", SHANGHAI_WINDOW)
    case_id = pushed(api)
    message_id = f"{case_id}-pushed"
    outbox(feed, 2)  # accepted, pushed: attempt 1
    minute = 0.0
    runs = []
    for attempt, delay in enumerate((5, 10, 20, 40), start=1):
        minute += 1
        failed = receipt(api, message_id, {"status": "failed", "error_code": "MK:0012", "at": T0.isoformat()},
                         at=T0 + timedelta(minutes=minute))
        assert failed.status_code == 200 and failed.data["status"] == "pending", failed.data
        runs.append(milestone_messages.retry_due(messaging(), T0 + timedelta(minutes=minute + delay - 0.5)))
        minute += delay
        runs.append(milestone_messages.retry_due(messaging(), T0 + timedelta(minutes=minute)))
        [again] = outbox(feed, 1)
        assert (again["body"]["message_id"], again["body"]["attempt"]) == (message_id, attempt + 1)
    last = receipt(api, message_id, {"status": "failed", "error_code": "MK:0012", "at": T0.isoformat()},
                   at=T0 + timedelta(minutes=minute + 1))

    assert runs == [{"due": 0}, {"due": 1, "sent": 1}] * 4  # never before its back-off step
    assert last.status_code == 200 and last.data["status"] == "failed" and last.data["attempts"] == 5
    events = [e for e in message_events(api, case_id) if e["detail"]["milestone"] == "pushed"]
    assert [e["event"] for e in events] == ["message_sent", "message_undelivered"] * 4 + [
        "message_sent", "message_failed"]
    assert events[1]["detail"]["error"] == "MK:0012"
    assert events[1]["detail"]["retry_at"] == (T0 + timedelta(minutes=6)).isoformat()
    assert events[-1]["detail"]["attempts"] == 5 and events[-1]["detail"]["error"] == "MK:0012"
    [report] = wait_messages(supervisors, 1)
    assert (report["case_id"], report["milestone"], report["attempts"], report["error"]) == (
        case_id, "pushed", 5, "MK:0012")
    assert report["accepting_unit"] == SHANGHAI_WINDOW and report["business_unit"] == HARBIN_TOWNSHIP
    assert "MessageSendFailed" in capsys.readouterr().out
    assert milestone_messages.retry_due(messaging(), T0 + timedelta(days=1)) == {"due": 0}
    assert api.window("GET", f"/cases/{case_id}/audit").data["valid"] is True


def test_another_provinces_gateway_and_staff_tokens_are_refused_on_the_receipt_route(api, aws):
    case_id = api.window("POST", "/cases", fresh_application()).data["case_id"]
    report = {"status": "delivered", "at": T0.isoformat()}

    other_province = receipt(api, f"{case_id}-accepted", report, unit="44")
    window = receipt(api, f"{case_id}-accepted", report, role="window", unit=SHANGHAI_WINDOW)
    reviewer = receipt(api, f"{case_id}-accepted", report, role="reviewer", unit=HARBIN_TOWNSHIP)
    supervisor = receipt(api, f"{case_id}-accepted", report, role="supervisor", unit="31")
    township_gateway = receipt(api, f"{case_id}-accepted", report, unit=SHANGHAI_WINDOW)
    gateway_on_a_case = api.call("GET", f"/cases/{case_id}", "sms_gateway", "31")

    assert (other_province.status_code, other_province.data["error"]["code"]) == (403, "CASE_OUT_OF_REACH")
    for refused in (window, reviewer, supervisor, gateway_on_a_case):
        assert (refused.status_code, refused.data["error"]["code"]) == (403, "ROLE_NOT_ALLOWED")
    assert (township_gateway.status_code, township_gateway.data["error"]["code"]) == (401, "TOKEN_UNIT")
    assert [e["event"] for e in message_events(api, case_id)] == ["message_sent"]


@pytest.mark.parametrize("body, status, code, field", [
    (["delivered"], 400, "WRONG_TYPE", "body"),
    ({"at": "2026-09-24T10:00:04+08:00"}, 422, "RECEIPT_STATUS", "status"),
    ({"status": "read", "at": "2026-09-24T10:00:04+08:00"}, 422, "RECEIPT_STATUS", "status"),
    ({"status": "delivered"}, 422, "RECEIPT_AT", "at"),
    ({"status": "delivered", "at": "yesterday"}, 422, "RECEIPT_AT", "at"),
    ({"status": "delivered", "at": "2026-09-24T10:00:04"}, 422, "RECEIPT_AT", "at"),
    ({"status": "failed", "at": "2026-09-24T10:00:04+08:00", "error_code": "no such number"}, 422,
     "RECEIPT_ERROR_CODE", "error_code"),
    ({"status": "failed", "at": "2026-09-24T10:00:04+08:00", "attempt": 0}, 422, "RECEIPT_ATTEMPT", "attempt"),
    ({"status": "failed", "at": "2026-09-24T10:00:04+08:00", "attempt": 2}, 422, "RECEIPT_ATTEMPT", "attempt"),
    ({"status": "delivered", "at": "2026-09-24T10:00:04+08:00", "phone": "13800000000"}, 422, "UNKNOWN_FIELD",
     "phone"),
], ids=["not-an-object", "no-status", "unknown-status", "no-time", "not-a-time", "no-offset", "bad-error-code",
        "attempt-zero", "attempt-never-made", "unknown-field"])
def test_a_bad_receipt_body_gets_a_specific_error_and_changes_nothing(api, aws, body, status, code, field):
    case_id = api.window("POST", "/cases", fresh_application()).data["case_id"]

    answer = receipt(api, f"{case_id}-accepted", body)

    assert (answer.status_code, answer.data["error"]["code"], answer.data["error"]["field"]) == (status, code, field)
    assert [e["event"] for e in message_events(api, case_id)] == ["message_sent"]


def test_receipts_for_no_such_message_or_one_no_gateway_had_are_refused(api, aws):
    landline = fresh_application()
    landline["applicant"]["phone"] = "0451-87654321"
    skipped = api.window("POST", "/cases", landline).data["case_id"]
    use_channel("direct")
    direct = api.window("POST", "/cases", fresh_application(sequence="457")).data["case_id"]
    use_channel("gateway")
    report = {"status": "delivered", "at": T0.isoformat()}

    answers = {
        "not-json": api.call("POST", f"/messages/{skipped}-accepted/receipt", "sms_gateway", "31", raw="{not json"),
        "malformed-id": receipt(api, "not-a-message", report),
        "no-such-case": receipt(api, "C20260924AAAAAAAAAA-accepted", report),
        "not-sent-yet": receipt(api, f"{skipped}-pushed", report),
        "skipped": receipt(api, f"{skipped}-accepted", report),
        "direct": receipt(api, f"{direct}-accepted", report),
    }

    assert {name: (a.status_code, a.data["error"]["code"]) for name, a in answers.items()} == {
        "not-json": (400, "MALFORMED_JSON"), "malformed-id": (404, "MESSAGE_NOT_FOUND"),
        "no-such-case": (403, "CASE_OUT_OF_REACH"), "not-sent-yet": (404, "MESSAGE_NOT_FOUND"),
        "skipped": (409, "NOT_A_GATEWAY_MESSAGE"), "direct": (409, "NOT_A_GATEWAY_MESSAGE")}
