"""Monthly data comparison over the API on moto: run a file, list and confirm. Each kind of file, the province's
effective month, a file processed once, confirm and reject run on the in-memory stores
(tests/unit/test_comparison_service.py), held to their contracts in tests/contract."""
from __future__ import annotations

import boto3
import pytest

from chalicelib.config import load
from tests.integration.test_entitlements import approved_case
from tests.support.people import HARBIN_TOWNSHIP, fresh_application


@pytest.fixture()
def recipient(api):
    body = fresh_application()
    case_id = approved_case(api, body)
    return body["applicant"]["id_number"], case_id


def test_the_comparison_routes_run_a_file_list_and_confirm_over_the_api(api, recipient):
    person, case_id = recipient
    key = "comparisons/deaths/2026-11-api.csv"
    boto3.client("s3").put_object(Bucket=load().materials_bucket, Key=key,
                                  Body=f"id_number,event_date\n{person},2026-10-30\n".encode())
    api.now = "2026-11-05T10:00:00+08:00"
    assert api.call("POST", "/comparisons", "reviewer", HARBIN_TOWNSHIP, {"kind": "deaths", "key": key}
                    ).status_code == 403
    ran = api.call("POST", "/comparisons", "admin", "23", {"kind": "deaths", "key": key})
    assert (ran.status_code, ran.data["proposals"]) == (201, 2)
    listed = api.reviewer("GET", "/proposals?status=proposed").data["proposals"]
    assert len(listed) == 2
    confirmed = api.reviewer("POST", f"/proposals/{listed[0]['proposal_id']}/confirm", {"note": "已核实"})
    assert confirmed.status_code == 200 and confirmed.data["status"] == "confirmed"
    outcome = api.window("GET", "/proposals?status=confirmed").data["proposals"]
    assert [p["case_id"] for p in outcome] == [case_id]
    assert api.call("GET", f"/proposals?unit={HARBIN_TOWNSHIP}", "window", "440103001").status_code == 403
