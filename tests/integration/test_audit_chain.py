"""The hash-chained timeline: verified per case and per unit, a tamper detected, daily digests."""
from __future__ import annotations

import json

import boto3

from chalicelib.adapters.case_tables import EventModel
from chalicelib.adapters.files import MaterialFiles
from chalicelib.config import load
from chalicelib.services import audit
from chalicelib.wiring import deps
from tests.support.people import fresh_application


def pushed_case(api) -> str:
    api.now = "2026-09-24T10:00:00+08:00"
    case = api.ready_case(fresh_application())
    api.window("POST", f"/cases/{case['case_id']}/complete")
    api.window("POST", f"/cases/{case['case_id']}/push")
    return case["case_id"]


def test_an_untouched_timeline_verifies_and_each_event_links_to_the_one_before(api):
    case_id = pushed_case(api)
    verdict = api.window("GET", f"/cases/{case_id}/audit").data
    # 15 case events and two milestone SMS records (accepted, pushed)
    assert verdict["valid"] is True and verdict["events"] == 17 and verdict["first_broken_seq"] is None
    events = list(EventModel.query(case_id))
    assert events[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.chain_hash for earlier, later in zip(events, events[1:], strict=False))


def test_a_rewritten_event_is_detected_at_its_link(api):
    case_id = pushed_case(api)
    table = boto3.client("dynamodb")
    table.update_item(TableName=EventModel.Meta.table_name, Key={"case_id": {"S": case_id}, "seq": {"N": "14"}},
                      UpdateExpression="SET #u = :u", ExpressionAttributeNames={"#u": "unit"},
                      ExpressionAttributeValues={":u": {"S": "999999999"}})
    verdict = api.window("GET", f"/cases/{case_id}/audit").data
    assert (verdict["valid"], verdict["first_broken_seq"]) == (False, 14)
    assert "content" in verdict["reason"]


def test_a_removed_event_is_detected(api):
    case_id = pushed_case(api)
    boto3.client("dynamodb").delete_item(TableName=EventModel.Meta.table_name,
                                         Key={"case_id": {"S": case_id}, "seq": {"N": "17"}})
    verdict = audit.verify_case(deps().repo, case_id)
    assert verdict["valid"] is False and verdict["first_broken_seq"] == 17


def test_a_unit_is_verified_as_a_whole_and_reports_the_first_broken_case(api):
    good, bad = pushed_case(api), pushed_case(api)
    boto3.client("dynamodb").delete_item(TableName=EventModel.Meta.table_name,
                                         Key={"case_id": {"S": bad}, "seq": {"N": "3"}})
    report = api.call("GET", "/audit?unit=23", "supervisor", "23").data
    assert (report["cases"], report["valid"], report["broken"]) == (2, False, 1)
    assert report["first_broken"]["case_id"] == bad and good != bad
    assert api.call("GET", "/audit?unit=31", "supervisor", "23").status_code == 403


def test_the_daily_digest_holds_the_chain_head_of_every_case_changed_that_day(api):
    case_id = pushed_case(api)
    result = audit.daily_digest(deps().repo, MaterialFiles(load().audit_bucket), "2026-09-24")
    body = boto3.client("s3").get_object(Bucket=load().audit_bucket, Key=result["key"])["Body"].read()
    digest = json.loads(body)
    head = api.window("GET", f"/cases/{case_id}/audit").data["head"]
    assert digest["cases"][case_id] == {"seq": 17, "hash": head}
    assert result["cases"] == 1
