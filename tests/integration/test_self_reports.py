"""个人主动申报 over HTTP on moto (issue 16.7): POST /progress/report (no token) and POST /reports (a window of any
unit) become proposals the 业务属地's reviewer sees in GET /proposals and confirms; the page tells nothing more
than the lookup: one 404 for a wrong suffix and an unknown case, the answer's keys only, the lookup's limits."""
from __future__ import annotations

import json
from typing import Any

from tests.integration.test_entitlements import approved_case
from tests.integration.test_progress import keys_and_strings
from tests.support.people import HARBIN_TOWNSHIP, fresh_application

UNKNOWN_CASE = "C20260924DEADBEEF00"
LATER = "2026-11-12T10:00:00+08:00"


def report(case_id: str, person: str, **more: Any) -> dict[str, Any]:
    return {"case_id": case_id, "id_suffix": person[-6:], "change": "death", "reporter": "family",
            "note": "11月10日去世", "contact": "13800000001", **more}


def recipient(api: Any) -> tuple[str, str]:
    body = fresh_application()
    case_id = approved_case(api, body)
    api.now = LATER
    return case_id, body["applicant"]["id_number"]


def test_a_report_on_the_page_becomes_proposals_the_reviewer_confirms(api):
    case_id, person = recipient(api)

    answer = api.call("POST", "/progress/report", body=report(case_id, person))

    assert answer.status_code == 202, answer.data
    assert set(answer.data) == {"case_id", "change", "received_on", "report_id"}
    proposals = [p for p in api.reviewer("GET", "/proposals?status=proposed").data["proposals"]
                 if p["case_id"] == case_id]
    assert {(p["subsidy"], p["action"], p["source"], p["reporter"]) for p in proposals} == {
        ("living", "stop", "self_report", "family"), ("nursing", "stop", "self_report", "family")}
    entitlement = api.reviewer("GET", f"/entitlements/{case_id}-living").data
    assert entitlement["status"] == "active"  # never a stop by itself
    assert {p["report_contact"] for p in proposals} == {"13800000001"}  # the 业务属地 may call the family back
    window = api.call("GET", "/proposals", "window", "310101002").data["proposals"]
    assert [p for p in window if p["case_id"] == case_id] and not any("report_contact" in p for p in window)
    confirmed = api.reviewer("POST", f"/proposals/{proposals[0]['proposal_id']}/confirm", {"note": "公安数据核实"})
    assert confirmed.status_code == 200 and confirmed.data["status"] == "confirmed", confirmed.data


def test_a_window_of_any_unit_records_a_report_made_in_person(api):
    case_id, person = recipient(api)

    recorded = api.call("POST", "/reports", "window", "440103001",
                        report(case_id, person, change="dibao_exit", reporter="self", note=None))

    assert recorded.status_code == 201, recorded.data
    assert recorded.data["proposals"] == 1
    [proposal] = [p for p in api.reviewer("GET", "/proposals").data["proposals"] if p["case_id"] == case_id]
    assert (proposal["subsidy"], proposal["report_channel"], proposal["source"]) == ("living", "window",
                                                                                     "self_report")
    wrong = api.call("POST", "/reports", "window", "440103001", report(case_id, person, id_suffix="000000"))
    assert (wrong.status_code, wrong.data["error"]["code"]) == (404, "PROGRESS_NOT_FOUND")
    assert api.call("POST", "/reports", "reviewer", HARBIN_TOWNSHIP, report(case_id, person)).status_code == 403


def test_the_page_tells_no_more_than_the_lookup(api):
    case_id, person = recipient(api)
    wrong = api.call("POST", "/progress/report", body=report(case_id, person, id_suffix="000000"))
    unknown = api.call("POST", "/progress/report", body=report(UNKNOWN_CASE, person))
    lookup = api.call("POST", "/progress", body={"case_id": UNKNOWN_CASE, "id_suffix": person[-6:]})
    assert (wrong.status_code, wrong.data) == (unknown.status_code, unknown.data) == (lookup.status_code, lookup.data)
    assert wrong.status_code == 404

    right = api.call("POST", "/progress/report", body=report(case_id, person)).data
    keys, _strings = keys_and_strings(right)
    assert keys == {"case_id", "change", "received_on", "report_id"}
    text = json.dumps(right, ensure_ascii=False)
    for secret in (person, person[-6:], "张三", "13800000001", "90.00", "living", "nursing", HARBIN_TOWNSHIP):
        assert secret not in text, secret
