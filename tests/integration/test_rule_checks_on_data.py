"""Rule checks through the API use the loaded rosters: a claim a roster contradicts needs override_reason."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest

from chalicelib.config import load
from chalicelib.wiring import jurisdiction_rules
from tests.support.people import fresh_application, id_number
from tools.demo import load_demo_rules

CHINA = timezone(timedelta(hours=8))
STRANGER = id_number(birth="19610203", sequence="111")  # on every roster, never an applicant here


@pytest.fixture()
def demo(api):
    return load_demo_rules(jurisdiction_rules(), datetime(2026, 1, 1, tzinfo=CHINA))


def roster(api, kind: str, key: str, rows: list[str]) -> dict[str, Any]:
    header = {"dibao": "id_number,status,since", "tekun": "id_number,status,since",
              "disability_certificates": "id_number,certificate_number,category,grade,valid_until,status"}[kind]
    text = "\n".join([header, *rows]) + "\n"
    boto3.client("s3").put_object(Bucket=load().materials_bucket, Key=key, Body=text.encode("utf-8"))
    response = api.call("POST", "/rosters", "admin", "23", {"kind": kind, "key": key})
    assert response.status_code == 201, response.data
    return response.data


def pushed(api, body: dict[str, Any]) -> str:
    case_id = api.ready_case(body)["case_id"]
    api.window("POST", f"/cases/{case_id}/complete")
    api.window("POST", f"/cases/{case_id}/push")
    return case_id


def checks(api, case_id: str) -> dict[str, dict[str, Any]]:
    return {c["subsidy"]: c for c in api.reviewer("GET", f"/cases/{case_id}").data["rule_checks"]}


def approve(api, case_id: str, subsidy: str, override: str | None = None) -> Any:
    body: dict[str, Any] = {"outcome": "approved", "reason": "另一项补贴不符合条件", "subsidies": [{"type": subsidy}]}
    if override:
        body["override_reason"] = override
    return api.reviewer("POST", f"/cases/{case_id}/decision", body)


def test_a_dibao_claim_absent_from_the_loaded_roster_is_contradicted_and_needs_an_override(api, demo):
    api.now = "2026-10-09T10:00:00+08:00"
    loaded = roster(api, "dibao", "rosters/dibao/2026-10.csv", [f"{STRANGER},in,2024-01-01"])
    case_id = pushed(api, fresh_application())  # claims 低保

    living = checks(api, case_id)["living"]
    assert (living["eligible"], living["result"]) == (False, "contradicted")
    assert f"load {loaded['load_id'][:12]} of 2026-10-09: no entry" in living["reasons"][1]
    assert living["basis"][0] == {"fact": "dibao", "basis": "roster", "agrees": False, "source": "dibao",
                                  "load_id": loaded["load_id"], "loaded_at": loaded["loaded_at"],
                                  "detail": "no entry"}
    refused = approve(api, case_id, "living")
    assert (refused.status_code, refused.data["error"]["code"], refused.data["error"]["field"]) == (
        422, "RULE_CHECK_FAILED", "subsidies[0].type")
    assert refused.data["error"]["message"].startswith("living subsidy check contradicted: ")
    decided = approve(api, case_id, "living", "低保已于本月纳入，名册尚未更新（县民政局电话确认）")
    assert decided.status_code == 200, decided.data
    [kept] = [c for c in decided.data["decision"]["rule_checks"] if c["subsidy"] == "living"]
    assert kept["result"] == "contradicted"


def test_a_dibao_claim_the_roster_confirms_is_approved_without_an_override(api, demo):
    api.now = "2026-10-09T10:00:00+08:00"
    body = fresh_application()
    roster(api, "dibao", "rosters/dibao/2026-10.csv", [f"{body['applicant']['id_number']},in,2024-01-01"])
    case_id = pushed(api, body)
    living = checks(api, case_id)["living"]
    assert (living["eligible"], living["result"]) == (True, "met")
    assert "confirmed by the dibao roster" in living["reasons"][-1]
    assert approve(api, case_id, "living").status_code == 200


def test_without_any_roster_the_checks_rest_on_the_claims_and_say_so(api, demo):
    api.now = "2026-10-09T10:00:00+08:00"
    case = api.window("POST", "/cases", fresh_application()).data
    assert case["notice"]["data_checks"] == []  # no roster of any kind loaded: nothing contradicts the claim
    found = {c["subsidy"]: c for c in api.window("GET", f"/cases/{case['case_id']}").data["rule_checks"]}
    assert found["living"]["result"] == "met"
    assert found["living"]["reasons_zh"][-1] == "低保：申报，未经数据比对核实"
    assert found["nursing"]["reasons"][-1] == "disability category and grade: claimed, not confirmed by data"


def test_tekun_on_the_roster_though_not_claimed_excludes_both_subsidies(api, demo):
    api.now = "2026-10-09T10:00:00+08:00"
    body = fresh_application()
    roster(api, "tekun", "rosters/tekun/2026-10.csv", [f"{body['applicant']['id_number']},in,2019-05-01"])
    case_id = pushed(api, body)
    found = checks(api, case_id)
    assert {s: (c["eligible"], c["result"]) for s, c in found.items()} == {
        "living": (False, "contradicted"), "nursing": (False, "contradicted")}
    assert "特困供养 (tekun) excludes both subsidies" in found["nursing"]["reasons"]
    refused = approve(api, case_id, "nursing")
    assert (refused.status_code, refused.data["error"]["code"]) == (422, "RULE_CHECK_FAILED")
    assert refused.data["error"]["message"].startswith("nursing subsidy check contradicted")


def test_the_nursing_check_uses_the_roster_grade_when_the_certificate_roster_differs(api, demo):
    api.now = "2026-09-24T10:00:00+08:00"  # the roster was loaded the month before the application
    body = fresh_application()
    person = body["applicant"]["id_number"]  # the application declares 肢体一级 (…41)
    roster(api, "disability_certificates", "rosters/disability_certificates/2026-09.csv",
           [f"{person},{person}43,4,3,2031-05-01,valid"])
    api.now = "2026-10-09T10:00:00+08:00"
    case_id = pushed(api, body)
    found = checks(api, case_id)
    assert (found["nursing"]["eligible"], found["nursing"]["result"]) == (False, "contradicted")
    assert "category 4, grade 3" in found["nursing"]["reasons"][1]
    assert "loaded before the application month 2026-10" in found["nursing"]["reasons"][1]
    assert found["living"]["result"] == "met"  # 低保 rests on the claim: no 低保 roster was loaded
    refused = approve(api, case_id, "nursing")
    assert refused.data["error"]["code"] == "RULE_CHECK_FAILED"
    assert approve(api, case_id, "nursing", "残联复核：等级已调整为二级，名册待更新").status_code == 200
