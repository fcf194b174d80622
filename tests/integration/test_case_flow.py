"""The Heilongjiang-in-Shanghai case through the Chalice handlers on moto."""
from __future__ import annotations

from tests.integration.conftest import subscribe, topic, wait_messages
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, application


def test_a_cross_province_case_travels_from_acceptance_to_closing(api, aws):
    queue = subscribe(topic(aws, "case-results"), "window-feed")

    api.now = "2026-09-24T09:30:00+08:00"
    accepted = api.window("POST", "/cases", application())
    assert accepted.status_code == 201, accepted.data
    case = accepted.data
    case_id = case["case_id"]
    assert case["status"] == "awaiting_materials"
    assert case["accepting_unit"] == SHANGHAI_WINDOW
    assert case["business_unit"] == HARBIN_TOWNSHIP
    assert case["scope"] == "cross_province"
    assert case["applied_on"] == "2026-09-24"
    assert case["application_month"] == "2026-09"
    assert "1980" not in case["applicant"]["id_number"]
    assert [item["code"] for item in case["notice"]["materials"]] == [
        "application_form", "id_card", "household_register", "disability_certificate", "photo", "bank_account"]

    api.now = "2026-09-30T16:00:00+08:00"  # the materials arrive on 09-30: complete that day, D1 starts
    for item in case["notice"]["materials"]:
        confirmed = api.upload(case_id, item["code"])
        assert confirmed["status"] == "received"

    api.now = "2026-10-08T09:00:00+08:00"  # a later click changes nothing
    completed = api.window("POST", f"/cases/{case_id}/complete")
    assert completed.status_code == 200, completed.data
    push_deadline = completed.data["deadlines"][1]
    assert push_deadline == {"kind": "push", "starts_on": "2026-09-30", "working_days": 3,
                             "due_on": "2026-10-10", "state": "open", "provisional": False,
                             "calendar_version": "chinesecalendar-1.11.0", "closed_on": None,
                             "paused_on": None, "remaining_working_days": None,
                             "counted_from": None, "counted_days": None,
                             "reminded_on": None, "overdue_recorded_on": None,
                             "working_days_left": 2, "working_days_overdue": None}  # 10-09 and 10-10

    api.now = "2026-10-09T11:00:00+08:00"
    pushed = api.window("POST", f"/cases/{case_id}/push")
    assert pushed.data["status"] == "under_review"
    assert pushed.data["deadlines"][1]["state"] == "met"
    # pushed on Fri 10-09: day 1 is the make-up Saturday 10-10, day 10 is Thu 10-22
    assert pushed.data["deadlines"][2]["due_on"] == "2026-10-22"

    api.now = "2026-10-20T15:00:00+08:00"
    decided = api.reviewer("POST", f"/cases/{case_id}/decision", {
        "outcome": "approved", "reason": "符合条件",
        "subsidies": [{"type": "living", "monthly_amount": "99"}, {"type": "nursing", "monthly_amount": "120.5"}]})
    assert decided.status_code == 200, decided.data
    assert decided.data["status"] == "result_returned"
    granted = decided.data["decision"]["subsidies"]
    assert [(g["type"], g["monthly_amount"], g["start_month"], g["pricing"]) for g in granted] == [
        ("living", "99.00", "2026-09", "stated"), ("nursing", "120.50", "2026-09", "stated")]  # 23: no table here
    assert [g["back_pay"]["total"] for g in granted] == ["198.00", "241.00"]  # September and October

    messages = wait_messages(queue, 1)
    assert len(messages) == 1
    feed = messages[0]
    assert feed["case_id"] == case_id and feed["accepting_unit"] == SHANGHAI_WINDOW
    assert feed["outcome"] == "approved" and feed["notify_due_on"] == "2026-10-23"

    api.now = "2026-10-21T10:00:00+08:00"
    notified = api.window("POST", f"/cases/{case_id}/notification", {"method": "sms", "note": "已短信告知"})
    assert notified.data["status"] == "closed"
    assert [d["state"] for d in notified.data["deadlines"]] == ["met", "met", "met", "met"]  # 收件时限 D0, D1, D2, D3

    seen_by_window = api.window("GET", f"/cases/{case_id}").data["timeline"]
    seen_by_reviewer = api.reviewer("GET", f"/cases/{case_id}").data["timeline"]
    assert seen_by_window == seen_by_reviewer
    assert [e["event"] for e in seen_by_window] == (  # each milestone followed by its SMS record
        ["accepted", "message_sent"] + ["material_received"] * 5
        + ["materials_completed", "pushed", "message_sent", "decided", "message_sent",
           "applicant_notified", "message_sent"])
