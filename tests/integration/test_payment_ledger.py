"""The payment ledger over the API: the decision, the result notice, the entitlement and the roster say the same
money, whatever the order of events (黑民发〔2021〕6号 四(二): 自递交申请当月由业务属地计发补贴; 应退则退).

The 业务属地 is 哈尔滨市道里区 with the demo amount table of 黑龙江: living 80.00 until 2026-06, 90.00 from 2026-07
(a change of standard between the application and the decision).
"""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import boto3
import pytest

from chalicelib.config import load
from chalicelib.wiring import jurisdiction_rules
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, fresh_application
from tools.demo import load_demo_rules

CHINA = timezone(timedelta(hours=8))
ACCOUNT = {"bank": "中国农业银行哈尔滨道里支行", "number": "6228 4800 1234 5678 901"}


@pytest.fixture()
def demo(api):
    return load_demo_rules(jurisdiction_rules(), datetime(2026, 1, 1, tzinfo=CHINA))


def decided_case(api, applied: str, decided: str, subsidies=("living",), body=None) -> dict:
    """A case accepted on ``applied`` with its bank account, pushed, and approved on ``decided`` by the table."""
    api.now = f"{applied}T10:00:00+08:00"
    body = body or fresh_application()
    body["applicant"]["bank_account"] = ACCOUNT
    body["certificate"]["number"] = body["applicant"]["id_number"] + "43"  # 肢体三级: the living subsidy only
    case = api.ready_case(body)
    for step in ("complete", "push"):
        assert api.window("POST", f"/cases/{case['case_id']}/{step}").status_code == 200
    api.now = f"{decided}T10:00:00+08:00"
    answer = api.reviewer("POST", f"/cases/{case['case_id']}/decision", {
        "outcome": "approved", "reason": "低保户", "subsidies": [{"type": s} for s in subsidies]})
    assert answer.status_code == 200, answer.data
    return answer.data


def draft(api, month: str) -> dict:
    answer = api.reviewer("POST", f"/payroll/{HARBIN_TOWNSHIP}/{month}")
    assert answer.status_code == 201, answer.data
    return answer.data


def finalize(api, month: str) -> dict:
    drafted = draft(api, month)
    answer = api.reviewer("POST", f"/payroll/{HARBIN_TOWNSHIP}/{month}/finalize", {"draft_sha256": drafted["sha256"]})
    assert answer.status_code == 200, answer.data
    return answer.data


def rows(roster: dict) -> dict[str, dict[str, str]]:
    """The roster file, the version the answer names, as a paying agent's spreadsheet reads it, by 案件编号 (moto
    in-process serves no presigned URL: the bytes are read with the client; tests/e2e opens the link over HTTP)."""
    data = boto3.client("s3").get_object(Bucket=load().materials_bucket, Key=roster["key"],
                                         VersionId=roster["version_id"])["Body"].read()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens it as Chinese
    return {row["案件编号"]: row for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}


def test_the_decision_the_result_notice_and_the_roster_pay_the_same_across_a_change_of_standard(api, demo):
    decision = decided_case(api, "2026-05-20", "2026-10-15")
    [living] = decision["decision"]["subsidies"]
    case_id = decision["case_id"]
    assert [m["amount"] for m in living["back_pay"]["months"]] == ["80.00", "80.00", "90.00", "90.00", "90.00",
                                                                   "90.00"]
    notice = api.reviewer("GET", f"/cases/{case_id}/result-notice").data
    assert "520.00" in str(notice)  # the 结果通知书 says the decision's figure
    october = finalize(api, "2026-10")
    line = rows(october)[case_id]
    # May..September at the standard of each month, October at October's: what the decision told the applicant
    assert (line["本月金额"], line["补发金额"], line["合计"]) == ("90.00", "430.00", "520.00")
    assert Decimal(line["合计"]) == Decimal(living["back_pay"]["total"])
    assert (line["补发月份"], line["开户银行"], line["账号"]) == ("2026-05至2026-09", ACCOUNT["bank"], "6228480012345678901")
    assert line["公民身份号码"].count("*") == 11  # masked unless the province asks for the full number
    ent = api.reviewer("GET", f"/entitlements/{case_id}-living").data
    assert (ent["ledger"]["owed"], ent["ledger"]["paid"], ent["ledger"]["due"]) == ("520.00", "520.00", "0.00")
    november = draft(api, "2026-11")
    assert rows(november)[case_id]["合计"] == "90.00"  # no month paid twice


def test_an_approval_after_the_month_s_roster_was_finalized_is_paid_in_full_by_the_next_roster(api, demo):
    api.now = "2026-10-10T10:00:00+08:00"
    first = decided_case(api, "2026-05-20", "2026-10-10")  # someone else, so October's roster has a line
    api.now = "2026-10-12T10:00:00+08:00"
    finalize(api, "2026-10")
    late = decided_case(api, "2026-08-03", "2026-10-20")  # approved after October's roster was paid
    api.now = "2026-11-20T10:00:00+08:00"
    november = rows(finalize(api, "2026-11"))
    line = november[late["case_id"]]
    assert (line["本月金额"], line["补发金额"], line["补发月份"]) == ("90.00", "270.00", "2026-08至2026-10")
    assert november[first["case_id"]]["合计"] == "90.00"
    refused = api.reviewer("POST", f"/payroll/{HARBIN_TOWNSHIP}/2026-11/finalize", {"draft_sha256": "0" * 64})
    assert (refused.status_code, refused.data["error"]["code"]) == (409, "ROSTER_FINALIZED")


def test_a_death_found_two_months_late_is_a_debt_listed_for_recovery_and_a_recovery_settles_it(api, demo):
    body = fresh_application()
    decision = decided_case(api, "2026-05-20", "2026-08-12", body=body)
    case_id = decision["case_id"]
    for month in ("2026-08", "2026-09", "2026-10"):
        api.now = f"{month}-25T10:00:00+08:00"
        finalize(api, month)
    # the November comparison finds a death on 2026-09-02: under the national default (the month after the
    # event) the subsidy stops from October, so October was paid for nothing
    key = "comparisons/deaths/2026-11.csv"
    text = f"id_number,event_date,姓名\n{body['applicant']['id_number']},2026-09-02,张三\n"
    boto3.client("s3").put_object(Bucket=load().materials_bucket, Key=key, Body=text.encode("gb18030"))
    api.now = "2026-11-05T10:00:00+08:00"
    ran = api.call("POST", "/comparisons", "admin", "23", {"kind": "deaths", "key": key})
    assert (ran.status_code, ran.data["proposals"]) == (201, 1), ran.data
    [proposal] = api.reviewer("GET", "/proposals?status=proposed").data["proposals"]
    assert proposal["effective_month"] == "2026-10"
    assert api.reviewer("POST", f"/proposals/{proposal['proposal_id']}/confirm",
                        {"note": "公安死亡数据已核实"}).status_code == 200
    debts = api.reviewer("GET", f"/recoveries/{HARBIN_TOWNSHIP}").data
    assert (debts["count"], debts["total"]) == (1, "90.00")
    assert debts["debts"][0]["months"] == [{"month": "2026-10", "over": "90.00"}]
    assert case_id not in rows(draft(api, "2026-11"))  # never a negative line, never netted with anyone
    too_much = api.reviewer("POST", f"/entitlements/{case_id}-living/recoveries",
                            {"amount": "100.00", "received_on": "2026-11-20", "reason": "家属退回"})
    assert (too_much.status_code, too_much.data["error"]["code"]) == (409, "RECOVERY_EXCEEDS_DEBT")
    by_window = api.window("POST", f"/entitlements/{case_id}-living/recoveries",
                           {"amount": "90.00", "received_on": "2026-11-20", "reason": "家属退回"})
    assert by_window.status_code == 403
    recovered = api.reviewer("POST", f"/entitlements/{case_id}-living/recoveries",
                             {"amount": "90.00", "received_on": "2026-11-20", "reason": "家属退回"})
    assert recovered.status_code == 201, recovered.data
    assert recovered.data["recovery"]["months"] == {"2026-10": "90.00"}
    assert recovered.data["ledger"]["debt"] == "0.00" and recovered.data["status"] == "stopped"
    assert api.reviewer("GET", f"/recoveries/{HARBIN_TOWNSHIP}").data["count"] == 0


def test_an_override_states_the_amount_where_the_table_has_no_row(api, demo):
    """黑龙江's demo table prices nursing for grades 1 and 2, and grades 3-4 of categories 5-6 only: a 肢体三级
    applicant approved for nursing by override has no row, so the reviewer states the amount, recorded as theirs."""
    api.now = "2026-05-20T10:00:00+08:00"
    body = fresh_application()
    body["certificate"]["number"] = body["applicant"]["id_number"] + "43"  # 肢体三级
    case = api.ready_case(body)
    for step in ("complete", "push"):
        api.window("POST", f"/cases/{case['case_id']}/{step}")
    api.now = "2026-10-15T10:00:00+08:00"
    override = "县民政局批准按特殊情况给予护理补贴"
    refused = api.reviewer("POST", f"/cases/{case['case_id']}/decision", {
        "outcome": "approved", "override_reason": override, "reason": "不在低保范围，生活补贴不予认定",
        "subsidies": [{"type": "nursing"}]})
    assert (refused.status_code, refused.data["error"]["code"], refused.data["error"]["field"]) == (
        422, "NO_AMOUNT_STANDARD", "subsidies[0].monthly_amount")
    stated = api.reviewer("POST", f"/cases/{case['case_id']}/decision", {
        "outcome": "approved", "override_reason": override, "reason": "不在低保范围，生活补贴不予认定",
        "subsidies": [{"type": "nursing", "monthly_amount": "100.00"}]})
    assert stated.status_code == 200, stated.data
    [nursing] = stated.data["decision"]["subsidies"]
    assert (nursing["pricing"], nursing["monthly_amount"], nursing["back_pay"]["total"]) == ("stated", "100.00",
                                                                                            "600.00")
    ent = api.reviewer("GET", f"/entitlements/{case['case_id']}-nursing").data
    assert ent["pricing"] == "stated" and override in ent["amount_basis"]
    assert ent["amount_basis"].startswith("stated by reviewer-230102001 on 2026-10-15")
    assert ent["accepting_unit"] == SHANGHAI_WINDOW
