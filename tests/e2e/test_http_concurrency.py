"""Concurrent requests on the embedded default (``make run``): what was acknowledged is what is stored.

moto's ``transact_write_items`` snapshots the tables it touches and restores them when a transaction is cancelled;
the local server answers requests on several threads, so without ``tools.local``'s lock one request's rollback
could erase another's commit (issue 17.2). Each round races requests on one case and then counts: every material
answered 201 is on the case, exactly one of two decisions wins with its event and entitlements, and the case's
hash chain verifies.
"""
from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.test_http_case import Side, upload
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, application, id_number, pdf_bytes

pytestmark = pytest.mark.e2e

DAY = "2026-10-12T10:00:00+08:00"
RACERS = 10


def _race(calls: list) -> list[requests.Response]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def _declared(code: str, n: int) -> dict:
    content = pdf_bytes(f"{code}-{n}")
    return {"code": code, "filename": f"{code}-{n}.pdf", "content_type": "application/pdf", "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest()}


@pytest.mark.parametrize("round_", range(3))
def test_parallel_materials_on_one_case_are_all_stored_when_acknowledged(server, round_):
    window = Side(server, "window", SHANGHAI_WINDOW)
    case = window.call("POST", "/cases", application(id_number(sequence=f"8{round_}1")), DAY, expect=201)
    code = case["notice"]["materials"][0]["code"]
    url = f"{server}/cases/{case['case_id']}/materials"
    headers = {**window.headers, "X-Clock-Now": DAY}

    answers = _race([lambda n=n: requests.post(url, json=_declared(code, n), headers=headers, timeout=60)
                     for n in range(RACERS)])

    acknowledged = {a.json()["material_id"] for a in answers if a.status_code == 201}
    assert {a.status_code for a in answers} <= {201, 409}, [a.text for a in answers if a.status_code not in (201, 409)]
    assert acknowledged, "at least one registration must win"
    stored = window.call("GET", f"/cases/{case['case_id']}", day=DAY)
    assert acknowledged <= {m["material_id"] for m in stored["materials"]}
    assert len(stored["materials"]) == len(acknowledged)
    supervisor = Side(server, "supervisor", "31")
    assert supervisor.call("GET", f"/cases/{case['case_id']}/audit", day=DAY)["valid"] is True


def test_of_two_parallel_decisions_one_wins_with_its_event_and_entitlements(server):
    window = Side(server, "window", SHANGHAI_WINDOW)
    reviewer = Side(server, "reviewer", HARBIN_TOWNSHIP)
    case = window.call("POST", "/cases", application(id_number(sequence="891")), DAY, expect=201)
    case_id = case["case_id"]
    for item in case["notice"]["materials"]:
        upload(window, case_id, item["code"], pdf_bytes(item["code"] + case_id), DAY)
    window.call("POST", f"/cases/{case_id}/complete", day=DAY)
    window.call("POST", f"/cases/{case_id}/push", day=DAY)
    decision = {"outcome": "approved", "reason": "低保户，一级肢体残疾",
                "subsidies": [{"type": t} for t in case["subsidies"]]}
    url = f"{server}/cases/{case_id}/decision"
    headers = {**reviewer.headers, "X-Clock-Now": DAY}

    answers = _race([lambda: requests.post(url, json=decision, headers=headers, timeout=60) for _ in range(4)])

    assert sorted(a.status_code for a in answers)[0] == 200
    assert [a.status_code for a in answers].count(200) == 1, [a.text for a in answers]
    assert {a.status_code for a in answers} <= {200, 409}
    stored = reviewer.call("GET", f"/cases/{case_id}", day=DAY)
    assert stored["status"] == "result_returned"
    assert [e["event"] for e in stored["timeline"]].count("decided") == 1
    for subsidy in case["subsidies"]:
        entitlement = reviewer.call("GET", f"/entitlements/{case_id}-{subsidy}", day=DAY)
        assert entitlement["status"] == "active"
    assert reviewer.call("GET", f"/cases/{case_id}/audit", day=DAY)["valid"] is True
