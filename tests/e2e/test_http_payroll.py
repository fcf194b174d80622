"""The payment roster over HTTP against the embedded default, opened as a paying agent would: the decision's figure,
the roster drafted and finalized by the 业务属地, the file fetched from its presigned link (UTF-8 with BOM,
Chinese headers, the bank account from acceptance), and the ledger on the entitlement afterwards."""
from __future__ import annotations

import csv
import io

import pytest
import requests

from tests.e2e.test_http_case import Side, upload
from tests.support.people import SHANGHAI_WINDOW, application, id_number, pdf_bytes

pytestmark = pytest.mark.e2e
TOWNSHIP = "230104001"  # 哈尔滨 (no other end-to-end test pays here)


def test_a_roster_is_drafted_finalized_and_downloaded_as_the_paying_agent_opens_it(server):
    window = Side(server, "window", SHANGHAI_WINDOW)
    reviewer = Side(server, "reviewer", TOWNSHIP)
    body = application(id_number(birth="19580317", sequence="735"), hukou_unit=TOWNSHIP)
    body["applicant"]["bank_account"] = {"bank": "黑龙江省农村信用社道外信用社", "number": "6229 1100 0000 7731"}
    case = window.call("POST", "/cases", body, "2026-06-10T09:00:00+08:00", expect=201)
    case_id = case["case_id"]
    assert case["applicant"]["bank_account"]["number"].endswith("7731") and "*" in case["applicant"]["bank_account"][
        "number"]  # masked outside the roster
    for item in case["notice"]["materials"]:
        upload(window, case_id, item["code"], pdf_bytes(item["code"] + case_id), "2026-06-10T10:00:00+08:00")
    window.call("POST", f"/cases/{case_id}/complete", day="2026-06-10T11:00:00+08:00")
    window.call("POST", f"/cases/{case_id}/push", day="2026-06-11T09:00:00+08:00")
    decided = reviewer.call("POST", f"/cases/{case_id}/decision", {
        "outcome": "approved", "reason": "低保户", "subsidies": [{"type": "living"}]},
        day="2026-08-10T15:00:00+08:00")
    [living] = decided["decision"]["subsidies"]
    assert living["back_pay"]["total"] == "260.00"  # June 80.00, July and August 90.00 (the demo table)

    draft = reviewer.call("POST", f"/payroll/{TOWNSHIP}/2026-08", day="2026-08-25T10:00:00+08:00", expect=201)
    final = reviewer.call("POST", f"/payroll/{TOWNSHIP}/2026-08/finalize", {"draft_sha256": draft["sha256"]},
                          day="2026-08-25T10:05:00+08:00")
    assert final["status"] == "finalized" and final["sha256"] == draft["sha256"]
    link = reviewer.call("GET", f"/payroll/{TOWNSHIP}/2026-08", day="2026-08-26T09:00:00+08:00")
    assert link["downloads"] == 1 and link["sha256"] == final["sha256"]
    data = requests.get(link["download_url"], timeout=30).content
    assert data.startswith(b"\xef\xbb\xbf")
    [row] = [r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))) if r["案件编号"] == case_id]
    assert (row["补贴类别"], row["本月金额"], row["补发金额"], row["补发月份"], row["合计"]) == (
        "困难残疾人生活补贴", "90.00", "170.00", "2026-06至2026-07", "260.00")
    assert (row["开户银行"], row["账号"]) == ("黑龙江省农村信用社道外信用社", "6229110000007731")
    again = reviewer.call("POST", f"/payroll/{TOWNSHIP}/2026-08/finalize", {"draft_sha256": draft["sha256"]},
                          day="2026-08-26T10:00:00+08:00", expect=409)
    assert again["error"]["code"] == "ROSTER_FINALIZED"
    window.call("GET", f"/payroll/{TOWNSHIP}/2026-08", day="2026-08-26T09:00:00+08:00", expect=403)

    ent = reviewer.call("GET", f"/entitlements/{case_id}-living", day="2026-08-26T09:00:00+08:00")
    assert (ent["ledger"]["owed"], ent["ledger"]["paid"], ent["ledger"]["due"]) == ("260.00", "260.00", "0.00")
