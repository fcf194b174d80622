"""After approval: entitlements, no duplicate receipt nationwide, status moves and corrections."""
from __future__ import annotations

from chalicelib.adapters.monitored_units import MonitoredUnits
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, fresh_application


def approved_case(api, body, applied="2026-05-20", decided="2026-10-15"):
    api.now = f"{applied}T10:00:00+08:00"
    case = api.ready_case(body)
    api.window("POST", f"/cases/{case['case_id']}/complete")
    api.window("POST", f"/cases/{case['case_id']}/push")
    api.now = f"{decided}T10:00:00+08:00"
    decided = api.reviewer("POST", f"/cases/{case['case_id']}/decision", {
        "outcome": "approved", "reason": "符合条件",
        "subsidies": [{"type": "living", "monthly_amount": "90.00"}, {"type": "nursing", "monthly_amount": "120.00"}]})
    assert decided.status_code == 200, decided.data
    return case["case_id"]


def test_an_approved_subsidy_becomes_an_entitlement_and_blocks_a_new_application(api):
    body = fresh_application()
    case_id = approved_case(api, body)
    living = api.reviewer("GET", f"/entitlements/{case_id}-living").data
    assert (living["status"], living["monthly_amount"], living["start_month"]) == ("active", "90.00", "2026-05")
    assert living["business_unit"] == HARBIN_TOWNSHIP and living["accepting_unit"] == SHANGHAI_WINDOW
    assert HARBIN_TOWNSHIP in MonitoredUnits().all()  # now under the monthly checks and yearly review
    assert api.window("GET", f"/entitlements/{case_id}-living").status_code == 200  # the 受理地 sees it too
    assert api.call("GET", f"/entitlements/{case_id}-living", "window", "440103001").status_code == 403
    # a window of the 业务属地 is not its reviewer: role and unit both count
    assert api.call("GET", f"/entitlements/{case_id}-living", "window", HARBIN_TOWNSHIP).status_code == 403
    assert api.call("GET", f"/entitlements/{case_id}-living", "admin", "2301").status_code == 200

    api.window("POST", f"/cases/{case_id}/notification", {"method": "sms"})
    again = api.call("POST", "/cases", "window", "440103001", body)
    assert (again.status_code, again.data["error"]["code"]) == (409, "DUPLICATE_RECEIPT")


def test_a_stop_needs_a_reviewer_of_the_business_unit_and_a_reason_and_frees_the_person(api):
    body = fresh_application()
    case_id = approved_case(api, body)
    api.window("POST", f"/cases/{case_id}/notification", {"method": "sms"})
    path = f"/entitlements/{case_id}-living/status"
    by_window = api.window("POST", path, {"action": "stop", "effective_month": "2026-11", "reason": "死亡"})
    assert by_window.status_code == 403
    no_reason = api.reviewer("POST", path, {"action": "stop", "effective_month": "2026-11"})
    assert (no_reason.status_code, no_reason.data["error"]["code"]) == (422, "MISSING_FIELD")
    stopped = api.reviewer("POST", path, {"action": "stop", "effective_month": "2026-11", "reason": "户籍迁出"})
    assert stopped.status_code == 200 and stopped.data["history"][-1]["reason"] == "户籍迁出"
    # in force from November: October (today) is still paid; the person is free to apply from November
    assert (stopped.data["status"], stopped.data["released_from"]) == ("active", "2026-11")
    assert stopped.data["allowed_moves"] == ["suspend", "stop"]
    assert [m["status"] for m in stopped.data["ledger"]["months"]][-1] == "active"
    resumed = api.reviewer("POST", path, {"action": "resume", "effective_month": "2026-12", "reason": "x"})
    assert (resumed.status_code, resumed.data["error"]["code"]) == (409, "INVALID_TRANSITION")
    api.now = "2026-11-02T10:00:00+08:00"
    assert api.reviewer("GET", f"/entitlements/{case_id}-living").data["status"] == "stopped"
    api.now = "2026-12-01T10:00:00+08:00"
    body["subsidies"] = ["living"]
    assert api.window("POST", "/cases", body).status_code == 201  # stopped: may apply again


def test_a_correction_keeps_both_in_the_history_and_computes_what_is_owed_or_overpaid(api):
    case_id = approved_case(api, fresh_application())
    path = f"/entitlements/{case_id}-nursing/correction"
    api.now = "2026-11-10T10:00:00+08:00"
    raised = api.reviewer("POST", path, {"effective_month": "2026-07", "monthly_amount": "150.00",
                                         "reason": "等级认定错误，应为一级标准", "paid_through": "2026-10"})
    assert raised.status_code == 200, raised.data
    assert raised.data["correction"]["difference"] == "120.00"  # 4 months (07..10) x 30.00 owed
    assert [c["kind"] for c in raised.data["history"]] == ["approved", "corrected"]
    assert raised.data["monthly_amount"] == "150.00"
    lowered = api.reviewer("POST", path, {"effective_month": "2026-10", "monthly_amount": "100.00",
                                          "reason": "复核后调整", "paid_through": "2026-10"})
    assert lowered.data["correction"]["difference"] == "-50.00"  # 2026-10 overpaid by 50.00 (应退则退)
    no_reason = api.reviewer("POST", path, {"effective_month": "2026-10", "monthly_amount": "100.00"})
    assert no_reason.data["error"]["code"] == "MISSING_FIELD"


def test_a_wrong_stop_is_corrected_back_with_the_months_owed_and_both_in_the_history(api):
    case_id = approved_case(api, fresh_application())
    api.now = "2026-11-02T10:00:00+08:00"
    api.reviewer("POST", f"/entitlements/{case_id}-living/status",
                 {"action": "stop", "effective_month": "2026-09", "reason": "误认为已死亡"})
    corrected = api.reviewer("POST", f"/entitlements/{case_id}-living/correction", {
        "effective_month": "2026-09", "status": "active", "reason": "比对数据错误，本人健在", "paid_through": "2026-10"})
    assert corrected.status_code == 200, corrected.data
    assert corrected.data["status"] == "active"
    assert [c["kind"] for c in corrected.data["history"]] == ["approved", "stop", "corrected"]
    assert corrected.data["correction"]["difference"] == "180.00"  # 2026-09 and 2026-10 at 90.00 owed


def test_the_monthly_payment_roster_lists_the_active_entitlements_with_back_pay_and_totals(api):
    approved_case(api, fresh_application())  # applied 2026-05, approved 2026-10: arrears 05..09
    api.now = "2026-10-20T10:00:00+08:00"
    other = api.call("POST", f"/payroll/{HARBIN_TOWNSHIP}/2026-10", "reviewer", "230103001")
    assert other.status_code == 403
    built = api.reviewer("POST", f"/payroll/{HARBIN_TOWNSHIP}/2026-10")
    assert built.status_code == 201, built.data
    totals = built.data["totals"]
    # living 90.00 + nursing 120.00 this month; back pay for 2026-05..09: 5 x 90 + 5 x 120
    assert (totals["all"]["count"], totals["all"]["monthly"], totals["all"]["back_pay"]) == (2, "210.00", "1050.00")
    again = api.reviewer("POST", f"/payroll/{HARBIN_TOWNSHIP}/2026-10")
    assert again.data["sha256"] == built.data["sha256"]
    assert built.data["lines"] == 2 and built.data["key"].endswith("/2026-10/draft/roster.csv")


def test_a_correction_with_an_amount_that_is_not_money_is_refused(api):
    case_id = approved_case(api, fresh_application())
    for amount in ("AAA", "0", "1.234", "-5"):
        refused = api.reviewer("POST", f"/entitlements/{case_id}-living/correction",
                               {"effective_month": "2026-07", "monthly_amount": amount, "reason": "x"})
        assert (refused.status_code, refused.data["error"]["field"]) == (422, "monthly_amount"), amount
