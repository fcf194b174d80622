"""End to end over HTTP: a Heilongjiang applicant at a Shanghai window, the embedded default.

The server is the one ``make run`` starts (moto + chalice local in one process); uploads go to
the presigned POST with real bytes, exactly as a window's client would send them.
"""
from __future__ import annotations

import hashlib
import time
from typing import Any

import pytest
import requests

from tests.e2e.conftest import token
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, application, id_number, pdf_bytes

pytestmark = pytest.mark.e2e


class Side:
    def __init__(self, base: str, role: str, unit: str) -> None:
        self.base = base
        self.headers = {"Authorization": f"Bearer {token(role, unit)}"}

    def call(self, method: str, path: str, body: Any = None, day: str = "2026-09-24T10:00:00+08:00",
             expect: int = 200) -> dict[str, Any]:
        response = requests.request(method, self.base + path, json=body, timeout=30,
                                    headers={**self.headers, "X-Clock-Now": day})
        assert response.status_code == expect, response.text
        assert response.headers["Content-Type"].startswith("application/json")
        return response.json()


def upload(window: Side, case_id: str, code: str, content: bytes, day: str) -> dict[str, Any]:
    declared = {"code": code, "filename": f"{code}.pdf", "content_type": "application/pdf",
                "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
    registered = window.call("POST", f"/cases/{case_id}/materials", declared, day, expect=201)
    post = registered["upload"]
    stored = requests.post(post["url"], data=post["fields"],
                           files={"file": (declared["filename"], content, "application/pdf")}, timeout=30)
    assert stored.status_code in (200, 201, 204), stored.text
    return window.call("POST", f"/cases/{case_id}/materials/{registered['material_id']}/confirm", day=day)


def test_the_heilongjiang_case_accepted_in_shanghai_is_decided_in_harbin_and_the_applicant_told(server):
    window = Side(server, "window", SHANGHAI_WINDOW)
    reviewer = Side(server, "reviewer", HARBIN_TOWNSHIP)
    supervisor = Side(server, "supervisor", "23")

    case = window.call("POST", "/cases", application(id_number(sequence="771")),
                       "2026-09-28T09:00:00+08:00", expect=201)
    case_id = case["case_id"]
    assert (case["scope"], case["business_unit"], case["status"]) == (
        "cross_province", HARBIN_TOWNSHIP, "awaiting_materials")

    # The last material arrives on 09-30: the materials are complete that day and D1 runs from it (the National
    # Day rest runs 10-01..07, 10-10 is a make-up Saturday); the window's click a day later changes nothing.
    for index, item in enumerate(case["notice"]["materials"]):
        day = "2026-09-30T10:00:00+08:00" if index == len(case["notice"]["materials"]) - 1 else \
            "2026-09-28T10:00:00+08:00"
        received = upload(window, case_id, item["code"], pdf_bytes(item["code"] + case_id), day)
        assert received["status"] == "received" and received["object_version"]
    done = window.call("POST", f"/cases/{case_id}/complete", day="2026-10-08T17:00:00+08:00")
    assert (done["status"], done["deadlines"][1]["starts_on"], done["deadlines"][1]["due_on"]) == (
        "awaiting_push", "2026-09-30", "2026-10-10")

    assert reviewer.call("GET", f"/cases/{case_id}", expect=403)["error"]["code"] == "CASE_OUT_OF_REACH"
    window.call("POST", f"/cases/{case_id}/push", day="2026-10-10T09:00:00+08:00")
    inbox = reviewer.call("GET", "/cases?status=under_review", day="2026-10-12T09:00:00+08:00")
    assert case_id in [c["case_id"] for c in inbox["cases"]]

    checks = reviewer.call("GET", f"/cases/{case_id}", day="2026-10-23T14:00:00+08:00")["rule_checks"]
    assert [(c["subsidy"], c["eligible"]) for c in checks] == [("living", True), ("nursing", True)]
    decided = reviewer.call("POST", f"/cases/{case_id}/decision", {
        "outcome": "approved", "reason": "低保户，一级肢体残疾",
        "subsidies": [{"type": "living"}, {"type": "nursing"}]}, day="2026-10-23T15:00:00+08:00")
    assert decided["status"] == "result_returned"
    # the demo standard of 黑龙江 (demo/rules.json) from 2026-07-01: living 90.00, nursing grade 1 120.00
    living, nursing = decided["decision"]["subsidies"]
    assert (living["monthly_amount"], living["back_pay"]["total"]) == ("90.00", "180.00")
    assert (nursing["monthly_amount"], nursing["back_pay"]["total"]) == ("120.00", "240.00")
    assert [m["month"] for m in nursing["back_pay"]["months"]] == ["2026-09", "2026-10"]
    review, notify = decided["deadlines"][2], decided["deadlines"][3]
    # pushed on the make-up Saturday 10-10: day 1 is Mon 10-12, day 10 is Fri 10-23
    assert (review["due_on"], review["state"]) == ("2026-10-23", "met")
    assert notify["due_on"] == "2026-10-28"

    closed = window.call("POST", f"/cases/{case_id}/notification", {"method": "phone", "note": "电话告知本人"},
                         day="2026-10-26T10:00:00+08:00")
    assert closed["status"] == "closed"
    assert [d["state"] for d in closed["deadlines"]] == ["met", "met", "met", "met"]  # 收件时限 D0, D1, D2, D3

    seen = supervisor.call("GET", f"/cases/{case_id}", day="2026-10-26T11:00:00+08:00")
    assert [e["event"] for e in seen["timeline"]][-2:] == ["applicant_notified", "message_sent"]  # then its SMS
    assert seen["timeline"] == window.call("GET", f"/cases/{case_id}")["timeline"]
    assert seen["applicant"]["name"] == "张三"  # Chinese text as is


def test_the_error_paths_answer_401_403_409_and_422_over_http(server):
    window = Side(server, "window", SHANGHAI_WINDOW)
    assert requests.get(server + "/cases", timeout=10).status_code == 401
    assert requests.get(server + "/health", timeout=10).json()["status"] == "ok"

    bad = application(id_number(sequence="772"))
    bad["applicant"]["id_number"] = bad["applicant"]["id_number"][:-1] + ("0" if bad["applicant"]["id_number"][-1] != "0" else "1")
    error = window.call("POST", "/cases", bad, expect=422)["error"]
    assert (error["code"], error["field"]) == ("ID_NUMBER_CHECKSUM", "applicant.id_number")

    case = window.call("POST", "/cases", application(id_number(sequence="773")), expect=201)
    conflict = window.call("POST", f"/cases/{case['case_id']}/push", expect=409)["error"]
    assert conflict["code"] == "INVALID_TRANSITION"
    other_window = Side(server, "window", "310101003")
    assert other_window.call("GET", f"/cases/{case['case_id']}", expect=403)["error"]["code"] == "CASE_OUT_OF_REACH"

    content = pdf_bytes("declared")
    declared = {"code": "photo", "filename": "photo.pdf", "content_type": "application/pdf",
                "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
    registered = window.call("POST", f"/cases/{case['case_id']}/materials", declared, expect=201)
    post = registered["upload"]
    other = pdf_bytes("tampered")[: len(content)].ljust(len(content), b"x")
    requests.post(post["url"], data=post["fields"], files={"file": ("photo.pdf", other, "application/pdf")}, timeout=30)
    refused = window.call("POST", f"/cases/{case['case_id']}/materials/{registered['material_id']}/confirm",
                          expect=422)["error"]
    assert refused["code"] == "UPLOAD_CHECKSUM_MISMATCH"
    after = window.call("GET", f"/cases/{case['case_id']}")
    assert [m["status"] for m in after["materials"]] == ["registered"]

    malformed = requests.post(server + "/cases", data="{not json", timeout=10,
                              headers={**window.headers, "Content-Type": "application/json"})
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "MALFORMED_JSON"


def test_with_a_time_scale_a_person_can_watch_a_case_go_overdue_and_escalate(scaled_server):
    """make run --seconds-per-working-day 0.3: the same state machine, on a watchable clock."""
    window = Side(scaled_server, "window", SHANGHAI_WINDOW)
    day = "2026-09-30T10:00:00+08:00"
    case = window.call("POST", "/cases", application(id_number(sequence="781")), day, expect=201)
    for item in case["notice"]["materials"]:
        upload(window, case["case_id"], item["code"], pdf_bytes(item["code"]), day)
    window.call("POST", f"/cases/{case['case_id']}/complete", day=day)  # D1: 3 working days = ~1.2 s

    deadline = time.monotonic() + 20
    clock = None
    while time.monotonic() < deadline:
        clock = window.call("GET", f"/cases/{case['case_id']}", day=day)["clock"]
        if clock and clock["late"]:
            break
        time.sleep(0.3)
    assert clock and clock["phase"] == "push" and clock["late"] is True and "push" in clock["overdue_at"]
    pushed = window.call("POST", f"/cases/{case['case_id']}/push", day="2026-10-12T10:00:00+08:00")
    assert pushed["deadlines"][1]["state"] == "overdue"
