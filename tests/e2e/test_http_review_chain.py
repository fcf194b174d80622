"""End to end over HTTP (issue 16.1): a Heilongjiang applicant at a Shanghai window, through 黑龙江's three steps of
the demo configuration (demo/rules.json: 初审 by the township, 审核 by the county 残联, 审定 by the county 民政, from
2026-12-01), with a send-back and a 补正, against the server ``make run`` starts."""
from __future__ import annotations

import json
import os

import pytest

from tests.e2e.test_http_case import Side, upload
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, application, id_number, pdf_bytes

pytestmark = pytest.mark.e2e
COUNTY = HARBIN_TOWNSHIP[:6]  # 230102 哈尔滨市道里区


def day(date: str, hour: int = 10) -> str:
    return f"{date}T{hour:02d}:00:00+08:00"


def test_a_cross_province_case_goes_through_the_three_steps_with_a_send_back_and_a_supplement(server):
    window = Side(server, "window", SHANGHAI_WINDOW)
    township = Side(server, "reviewer", HARBIN_TOWNSHIP)
    dpf = Side(server, "dpf_reviewer", COUNTY)
    civil = Side(server, "approver", COUNTY)
    other_county = Side(server, "approver", "230103")
    supervisor = Side(server, "supervisor", "23")

    case = window.call("POST", "/cases", application(id_number(sequence="881")), day("2026-12-01", 9), expect=201)
    case_id = case["case_id"]
    for item in case["notice"]["materials"]:
        upload(window, case_id, item["code"], pdf_bytes(item["code"] + case_id), day("2026-12-01"))
    pushed = window.call("POST", f"/cases/{case_id}/push", day=day("2026-12-01", 15))
    assert (pushed["review"]["version"], [s["label"] for s in pushed["review"]["steps"]], pushed["review"]["step"]) \
        == ("23@2026-12-01", ["初审", "审核", "审定"], "初审")
    d2 = [d for d in pushed["deadlines"] if d["kind"] == "review"][0]

    # 初审: the township checks and hands it on; the county's approver cannot skip ahead
    refused = civil.call("POST", f"/cases/{case_id}/decision", {"outcome": "rejected", "reason": "x"},
                         day=day("2026-12-02"), expect=403)
    assert refused["error"]["code"] == "NOT_YOUR_STEP"
    township.call("POST", f"/cases/{case_id}/review", {"opinion": "agree"}, day=day("2026-12-02"))

    # 审核: the county 残联 finds the photo unclear and sends it back with the reason
    assert case_id in [c["case_id"] for c in dpf.call("GET", "/cases", day=day("2026-12-03"))["cases"]]
    back = dpf.call("POST", f"/cases/{case_id}/review", {"opinion": "send_back", "reason": "照片与残疾人证不一致，请核实"},
                    day=day("2026-12-03"))
    assert back["review"]["step"] == "初审"

    # 初审 asks the applicant for a 补正; the window sends a new photo; D2 paused meanwhile
    asked = township.call("POST", f"/cases/{case_id}/supplement-request",
                          {"items": [{"code": "photo", "description": "请补交近期一寸免冠照片"}], "note": "照片不清晰"},
                          day=day("2026-12-03", 14))
    assert asked["status"] == "supplement_requested"
    supplement = [d for d in asked["deadlines"] if d["kind"] == "supplement"][0]
    assert (supplement["state"], supplement["working_days"]) == ("open", 10)  # 黑龙江 set no 补正时限: the default
    upload(window, case_id, "photo", pdf_bytes("a sharper photo " + case_id), day("2026-12-04"))
    resumed = window.call("POST", f"/cases/{case_id}/supplement", {"note": "已补交照片"}, day=day("2026-12-04", 11))
    assert resumed["status"] == "under_review" and resumed["review"]["step"] == "初审"

    township.call("POST", f"/cases/{case_id}/review", {"opinion": "agree"}, day=day("2026-12-07"))
    dpf.call("POST", f"/cases/{case_id}/review", {"opinion": "agree"}, day=day("2026-12-08"))
    assert other_county.call("POST", f"/cases/{case_id}/decision", {"outcome": "approved"}, day=day("2026-12-09"),
                             expect=403)["error"]["code"] == "CASE_OUT_OF_REACH"
    assert [c["case_id"] for c in civil.call("GET", "/cases", day=day("2026-12-09"))["cases"]] == [case_id]

    # 审定: the county 民政 decides; one D2 ran over the whole chain (paused for the 补正)
    decided = civil.call("POST", f"/cases/{case_id}/decision", {
        "outcome": "approved", "reason": "低保户，一级肢体残疾",
        "subsidies": [{"type": "living"}, {"type": "nursing"}]}, day=day("2026-12-09"))
    assert decided["status"] == "result_returned" and decided["decision"]["decided_by"] == f"approver-{COUNTY}"
    review = [d for d in decided["deadlines"] if d["kind"] == "review"][0]
    assert (review["starts_on"], review["state"]) == (d2["starts_on"], "met")
    window.call("POST", f"/cases/{case_id}/notification", {"method": "phone"}, day=day("2026-12-10"))

    timeline = supervisor.call("GET", f"/cases/{case_id}", day=day("2026-12-10", 11))["timeline"]
    steps = [(e["event"], e["detail"].get("step"), e["detail"].get("to_step")) for e in timeline
             if e["event"].startswith("review_")]
    assert steps == [("review_agreed", "初审", "审核"), ("review_sent_back", "审核", "初审"),
                     ("review_agreed", "初审", "审核"), ("review_agreed", "审核", "审定")]
    kinds = [e["event"] for e in timeline if not e["event"].startswith("message_")]
    assert kinds[kinds.index("pushed"):] == [
        "pushed", "review_agreed", "review_sent_back", "supplement_requested", "material_received", "supplement_sent", "review_agreed", "review_agreed", "decided", "applicant_notified"]
    if os.environ.get("SHOW_TIMELINE"):  # the closing note's timeline: SHOW_TIMELINE=1 pytest -s this test
        print(json.dumps([{k: e[k] for k in ("at", "event", "actor", "unit", "detail")} for e in timeline],
                         ensure_ascii=False, indent=1))
