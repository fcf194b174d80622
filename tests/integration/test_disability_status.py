"""残疾状态 over HTTP on moto (issue 16.7): a DPF certificate roster loaded with POST /rosters that shows a recipient's
grade changed proposes the nursing subsidy's stop (below grade 2) and the living subsidy's facts corrected; the
reviewer sees them in GET /proposals and confirms; nothing changes before. The rules run on the fakes:
tests/unit/test_disability_status.py."""
from __future__ import annotations

import json

import boto3

from chalicelib.config import load
from tests.integration.test_entitlements import approved_case
from tests.support.people import fresh_application


def test_a_certificate_roster_with_a_lower_grade_proposes_and_the_reviewer_confirms(api):
    body = fresh_application()  # 肢体一级, living and nursing
    case_id = approved_case(api, body)
    person = body["applicant"]["id_number"]
    key = "rosters/disability_certificates/grade-change.csv"
    boto3.client("s3").put_object(Bucket=load().materials_bucket, Key=key, Body=(
        "id_number,certificate_number,category,grade,valid_until,status\n"
        f"{person},{person}43,4,3,2031-05-01,valid\n").encode())
    api.now = "2026-11-20T10:00:00+08:00"

    loaded = api.call("POST", "/rosters", "admin", "23", {"kind": "disability_certificates", "key": key})

    assert loaded.status_code == 201 and loaded.data["proposals"] == 2, loaded.data
    found = {p["subsidy"]: p for p in api.reviewer("GET", "/proposals?status=proposed").data["proposals"]
             if p["case_id"] == case_id}
    assert (found["nursing"]["action"], found["living"]["action"]) == ("stop", "correct")
    assert json.loads(found["living"]["new_facts"]) == {"category": 4, "grade": 3}
    assert api.reviewer("GET", f"/entitlements/{case_id}-nursing").data["status"] == "active"
    for proposal in found.values():
        confirmed = api.reviewer("POST", f"/proposals/{proposal['proposal_id']}/confirm", {"note": "残联核实换证"})
        assert confirmed.status_code == 200 and confirmed.data["status"] == "confirmed", confirmed.data
    api.now = "2026-12-02T10:00:00+08:00"
    assert api.reviewer("GET", f"/entitlements/{case_id}-nursing").data["status"] == "stopped"
