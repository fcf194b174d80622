"""Jurisdiction rules through the API: the notice, waivers by data comparison, the decision's checks and amounts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest

from chalicelib.config import load
from chalicelib.wiring import jurisdiction_rules
from tests.support.people import HARBIN_TOWNSHIP, application, fresh_application, id_number
from tools.demo import load_demo_rules

CHINA = timezone(timedelta(hours=8))


@pytest.fixture()
def demo(api):
    """The demo rules of 黑龙江, 上海, 吉林 and 湖北 (demo/rules.json), loaded as an admin would."""
    return load_demo_rules(jurisdiction_rules(), datetime(2026, 1, 1, tzinfo=CHINA))


def codes(notice):
    return {item["code"]: item for item in notice["materials"]}


def test_the_notice_follows_province_city_and_county_rules_in_force_on_the_day(api, demo):
    api.now = "2026-02-10T10:00:00+08:00"  # before the 道里区 override of 2026-03-01
    before = api.window("POST", "/cases", fresh_application()).data["notice"]
    api.now = "2026-09-24T10:00:00+08:00"
    after = api.window("POST", "/cases", fresh_application()).data["notice"]
    assert "household_register" in codes(before) and "household_register" not in codes(after)
    assert codes(after)["photo"]["required"] is False  # 哈尔滨市 marks the photo optional (demo)
    with_agent = api.window("POST", "/cases", fresh_application(
        agent={"name": "李四", "id_number": id_number(region="230103", birth="19900101", sequence="222"),
               "relationship": "child"})).data["notice"]
    assert {"agent_id_card", "agent_relationship_proof", "pledge"} <= set(codes(with_agent))

    shown = api.window("GET", "/rules/230102001?on=2026-09-24&agent=true").data
    assert shown["materials"]["versions"] == ["23@2021-04-22", "2301@2026-01-01", "230102@2026-03-01"]


def test_a_case_keeps_the_notice_it_was_accepted_under(api, demo):
    api.now = "2026-09-24T10:00:00+08:00"
    case = api.window("POST", "/cases", fresh_application()).data
    admin = {"add": ["household_register"]}
    api.now = "2026-09-25T10:00:00+08:00"
    assert api.call("PUT", "/rules/230102/materials/2026-10-01", "admin", "23", admin).status_code == 200
    api.now = "2026-10-02T10:00:00+08:00"
    assert "household_register" in codes(api.window("POST", "/cases", fresh_application()).data["notice"])
    kept = api.window("GET", f"/cases/{case['case_id']}/notice").data
    assert "household_register" not in codes(kept)


def test_admins_set_rules_for_their_own_scope_only_and_history_does_not_change(api, demo):
    api.now = "2026-09-24T10:00:00+08:00"
    outside = api.call("PUT", "/rules/23/eligibility/2027-01-01", "admin", "31", {})
    assert (outside.status_code, outside.data["error"]["code"]) == (403, "SCOPE_OUT_OF_REACH")
    upward = api.call("PUT", "/rules/23/materials/2027-01-01", "admin", "2301", {"require": ["id_card"]})
    assert upward.status_code == 403
    in_force = api.call("PUT", "/rules/2301/materials/2026-01-01", "admin", "23", {"optional": []})
    assert (in_force.status_code, in_force.data["error"]["code"]) == (409, "RULE_IN_FORCE")
    window = api.call("PUT", "/rules/23/amounts", "window", "310101002", {"rows": []})
    assert window.status_code == 403


def test_a_rule_set_that_requires_nothing_and_an_amount_table_with_gaps_or_overlaps_are_refused(api, demo):
    api.now = "2026-09-24T10:00:00+08:00"
    empty = api.call("PUT", "/rules/230103/materials/2027-01-01", "admin", "23", {
        "drop": ["application_form", "id_card", "household_register", "disability_certificate", "photo",
                 "bank_account"]})
    assert (empty.status_code, empty.data["error"]["code"]) == (422, "RULES_REFUSED")
    assert "230103@2027-01-01" in empty.data["error"]["message"]
    overlapping = api.call("PUT", "/rules/2302/amounts", "admin", "23", {"rows": [
        {"subsidy": "living", "effective_from": "2026-01-01", "effective_to": None, "amount": "80.00"},
        {"subsidy": "living", "effective_from": "2026-07-01", "effective_to": None, "amount": "90.00"}]})
    assert (overlapping.status_code, overlapping.data["error"]["code"]) == (422, "AMOUNT_TABLE_REFUSED")
    assert "rows[1]" in overlapping.data["error"]["message"]
    gap = api.call("PUT", "/rules/2302/amounts", "admin", "23", {"rows": [
        {"subsidy": "living", "effective_from": "2026-01-01", "effective_to": "2026-03-31", "amount": "80.00"},
        {"subsidy": "living", "effective_from": "2026-05-01", "effective_to": None, "amount": "90.00"}]})
    assert (gap.status_code, gap.data["error"]["code"]) == (422, "AMOUNT_TABLE_REFUSED")


def _roster(api, kind: str, key: str, text: str) -> dict:
    boto3.client("s3").put_object(Bucket=load().materials_bucket, Key=key, Body=text.encode("utf-8"))
    response = api.call("POST", "/rosters", "admin", "23", {"kind": kind, "key": key})
    assert response.status_code == 201, response.data
    return response.data


def test_a_valid_certificate_on_the_dpf_roster_is_waived_and_a_mismatch_is_shown(api, demo):
    api.now = "2026-09-24T10:00:00+08:00"
    same, other = id_number(sequence="931"), id_number(sequence="933")
    _roster(api, "disability_certificates", "rosters/disability_certificates/2026-09.csv",
            "id_number,certificate_number,category,grade,valid_until,status\n"
            f"{same},{same}41,4,1,2031-05-01,valid\n"
            f"{other},{other}42,4,2,2031-05-01,valid\n")
    waived = api.window("POST", "/cases", application(same)).data
    item = codes(waived["notice"])["disability_certificate"]
    assert item["waived"] is True and "disability_certificates" in item["waiver"]
    [check] = [c for c in waived["notice"]["data_checks"] if c["source"] == "disability_certificates"]
    assert check["waived"] is True and check["match"]["grade"] in (1, "1")

    mismatched = api.window("POST", "/cases", application(other)).data  # declares grade 1, roster says 2
    assert codes(mismatched["notice"])["disability_certificate"]["waived"] is False
    [check] = [c for c in mismatched["notice"]["data_checks"] if c["source"] == "disability_certificates"]
    assert check["waived"] is False and any("grade" in line for line in check["mismatch"])
    assert "1980" not in str(mismatched["notice"]["data_checks"])


def test_the_decision_checks_eligibility_and_computes_amounts_and_back_pay_across_a_change_of_standard(api, demo):
    api.now = "2026-05-20T10:00:00+08:00"
    body = fresh_application()
    body["certificate"]["number"] = body["applicant"]["id_number"] + "43"  # 肢体 三级: no nursing subsidy
    case = api.ready_case(body)
    case_id = case["case_id"]
    api.window("POST", f"/cases/{case_id}/complete")
    api.window("POST", f"/cases/{case_id}/push")

    api.now = "2026-10-15T10:00:00+08:00"
    checks = {c["subsidy"]: c for c in api.reviewer("GET", f"/cases/{case_id}").data["rule_checks"]}
    assert checks["living"]["eligible"] is True and checks["nursing"]["eligible"] is False
    assert checks["nursing"]["reasons_zh"][0].startswith("护理补贴须为残疾等级")  # beside the English reasons
    assert len(checks["nursing"]["reasons_zh"]) == len(checks["nursing"]["reasons"])
    refused = api.reviewer("POST", f"/cases/{case_id}/decision", {
        "outcome": "approved", "subsidies": [{"type": "living"}, {"type": "nursing"}]})
    assert (refused.status_code, refused.data["error"]["code"], refused.data["error"]["field"]) == (
        422, "RULE_CHECK_FAILED", "subsidies[1].type")
    wrong = api.reviewer("POST", f"/cases/{case_id}/decision", {
        "outcome": "approved", "reason": "低保户", "subsidies": [{"type": "living", "monthly_amount": "99.00"}]})
    assert wrong.data["error"]["code"] == "AMOUNT_MISMATCH"

    decided = api.reviewer("POST", f"/cases/{case_id}/decision", {
        "outcome": "approved", "reason": "低保户", "subsidies": [{"type": "living"}]})
    assert decided.status_code == 200, decided.data
    [living] = decided.data["decision"]["subsidies"]
    # demo 黑龙江 standard: 80.00 until 2026-06, 90.00 from 2026-07; May..October = 2*80 + 4*90
    assert (living["start_month"], living["monthly_amount"]) == ("2026-05", "90.00")
    assert living["back_pay"]["total"] == "520.00"
    assert [m["amount"] for m in living["back_pay"]["months"]] == ["80.00", "80.00", "90.00", "90.00", "90.00",
                                                                   "90.00"]
    assert {c["subsidy"] for c in decided.data["decision"]["rule_checks"]} == {"living", "nursing"}


def test_approving_against_the_rule_check_needs_a_recorded_reason(api, demo):
    api.now = "2026-09-24T10:00:00+08:00"
    body = fresh_application(low_income={})  # no 低保: the living subsidy's rule check fails
    case = api.ready_case(body)
    api.window("POST", f"/cases/{case['case_id']}/complete")
    api.window("POST", f"/cases/{case['case_id']}/push")
    decided = api.reviewer("POST", f"/cases/{case['case_id']}/decision", {
        "outcome": "approved", "override_reason": "低保审批中，经县民政局确认", "reason": "非重度残疾，护理补贴不予认定",
        "subsidies": [{"type": "living"}]})
    assert decided.status_code == 200, decided.data
    assert decided.data["decision"]["override_reason"] == "低保审批中，经县民政局确认"
    assert decided.data["business_unit"] == HARBIN_TOWNSHIP
