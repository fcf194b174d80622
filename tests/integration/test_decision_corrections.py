"""Correcting a decision over the API on moto (纠错, issue 16.5): case → correction → entitlement → the payment
ledger and the roster. The 业务属地 is 哈尔滨市道里区 with 黑龙江's demo amount table (living 80.00 until 2026-06, 90.00
from 2026-07); its cases are pushed before the demo's three-step chain (from 2026-12-01), so the township's reviewer
is the single step and a correction takes effect at once."""
from __future__ import annotations

import pytest

from tests.integration.test_payment_ledger import ACCOUNT, decided_case, demo, draft, finalize, rows
from tests.support.people import HARBIN_TOWNSHIP, fresh_application

__all__ = ["demo"]  # the fixture, shared with the ledger's tests


def refused_case(api, applied: str, decided: str) -> str:
    api.now = f"{applied}T10:00:00+08:00"
    body = fresh_application()
    body["applicant"]["bank_account"] = ACCOUNT
    body["certificate"]["number"] = body["applicant"]["id_number"] + "43"  # 肢体三级: the living subsidy only
    case = api.ready_case(body)
    for step in ("complete", "push"):
        assert api.window("POST", f"/cases/{case['case_id']}/{step}").status_code == 200
    api.now = f"{decided}T10:00:00+08:00"
    answer = api.reviewer("POST", f"/cases/{case['case_id']}/decision",
                          {"outcome": "rejected", "reason": "未见低保证明"})
    assert answer.status_code == 200, answer.data
    return str(case["case_id"])


@pytest.mark.usefixtures("demo")
def test_an_approval_corrected_to_a_refusal_after_a_paid_roster_is_a_debt_and_leaves_the_roster(api):
    decision = decided_case(api, "2026-05-20", "2026-10-15")
    case_id = decision["case_id"]
    api.now = "2026-10-25T10:00:00+08:00"
    assert rows(finalize(api, "2026-10"))[case_id]["合计"] == "520.00"  # 2026-05..10 paid

    api.now = "2026-11-10T10:00:00+08:00"
    by_window = api.window("POST", f"/cases/{case_id}/correction",
                           {"outcome": "rejected", "reason": "户籍已迁出本省"})
    assert by_window.status_code == 403  # the 业务属地's, never the 受理地's
    no_reason = api.reviewer("POST", f"/cases/{case_id}/correction", {"outcome": "rejected"})
    assert (no_reason.status_code, no_reason.data["error"]["code"]) == (422, "CORRECTION_REASON_REQUIRED")
    corrected = api.reviewer("POST", f"/cases/{case_id}/correction",
                             {"outcome": "rejected", "reason": "户籍已迁出本省，申请时即不符合条件"})
    assert corrected.status_code == 200, corrected.data
    case = corrected.data
    assert case["decision"]["outcome"] == "rejected" and case["decisions_before"][0]["outcome"] == "approved"
    assert [e["event"] for e in case["timeline"]][-1] == "decision_corrected"
    assert "decided" in [e["event"] for e in case["timeline"]]  # both decisions stay on the timeline

    ent = api.reviewer("GET", f"/entitlements/{case_id}-living").data
    assert ent["status"] == "stopped" and ent["released_from"] == "2026-05"
    assert (ent["ledger"]["owed"], ent["ledger"]["paid"], ent["ledger"]["debt"]) == ("0.00", "520.00", "520.00")
    debts = api.reviewer("GET", f"/recoveries/{HARBIN_TOWNSHIP}").data
    assert [(d["case_id"], d["amount"]) for d in debts["debts"]] == [(case_id, "520.00")]
    assert case_id not in rows(draft(api, "2026-11"))  # never paid again, never a negative line


@pytest.mark.usefixtures("demo")
def test_a_refusal_corrected_to_an_approval_is_paid_from_the_application_month_by_the_next_roster(api):
    case_id = refused_case(api, "2026-05-20", "2026-10-15")
    absent = api.reviewer("GET", f"/entitlements/{case_id}-living")
    assert absent.status_code == 403  # no entitlement: answered as one out of reach

    api.now = "2026-11-10T10:00:00+08:00"
    corrected = api.reviewer("POST", f"/cases/{case_id}/correction", {
        "outcome": "approved", "reason": "低保证明已在材料中，审核遗漏", "subsidies": [{"type": "living"}]})
    assert corrected.status_code == 200, corrected.data
    [living] = corrected.data["decision"]["subsidies"]
    assert (living["start_month"], living["back_pay"]["through_month"], living["back_pay"]["total"]) == (
        "2026-05", "2026-11", "610.00")  # 80 × 2 + 90 × 5: the application month stays
    again = api.reviewer("POST", f"/cases/{case_id}/correction", {
        "outcome": "approved", "reason": "重复", "subsidies": [{"type": "living"}]})
    assert (again.status_code, again.data["error"]["code"]) == (422, "DECISION_UNCHANGED")

    api.now = "2026-11-25T10:00:00+08:00"
    line = rows(finalize(api, "2026-11"))[case_id]
    assert (line["本月金额"], line["补发金额"], line["补发月份"], line["合计"]) == (
        "90.00", "520.00", "2026-05至2026-10", "610.00")
    ent = api.reviewer("GET", f"/entitlements/{case_id}-living").data
    assert (ent["start_month"], ent["ledger"]["paid"], ent["ledger"]["due"]) == ("2026-05", "610.00", "0.00")
