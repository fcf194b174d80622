"""Materials set up by the 市/县 残联 (issue 16.2), through the API on moto: a county 残联's admin (dpf_admin) puts its
户籍地's list with a local item → a case whose applicant's 户籍 is there gets the item on its one-time notice (JSON and
PDF) with its Chinese name and purpose, and the window uploads it like a catalogue item; another county's admin is
refused; GET /setup-gaps lists the county before and not after; a county with no list tells the standard list."""
from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from tests.support.people import HARBIN_OTHER_TOWNSHIP, HARBIN_TOWNSHIP, fresh_application

RESIDENCE = {"code": "residence_proof", "name": "居住证明", "purpose": "核实申请人在本县实际居住", "required": True}
DAOLI_LIST = {"drop": ["photo"], "local": [RESIDENCE]}
PUT_DAOLI = "/rules/230102/materials/2026-09-21"
STANDARD_NOTE = "本户籍地尚未制定证明材料清单，按标准清单告知"


def notice_pdf_text(api: Any, case_id: str) -> str:
    sent = {"X-Clock-Now": api.now, "Authorization": f"Bearer {api.token('window', '310101002')}",
            "Accept": "application/pdf"}
    answer = api.client.http.get(f"/cases/{case_id}/notice", headers=sent)
    assert answer.status_code == 200, answer.body
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.body)).pages).split())


def accepted(api: Any, hukou_unit: str) -> dict[str, Any]:
    body = fresh_application()
    body["applicant"]["hukou_unit"] = hukou_unit
    body["applicant"]["committee_unit"] = hukou_unit + "001"  # its committee lies within the 户籍地
    answer = api.window("POST", "/cases", body)
    assert answer.status_code == 201, answer.data
    return answer.data


def gap_counties(api: Any, role: str, unit: str, query: str = "") -> list[str]:
    answer = api.call("GET", f"/setup-gaps{query}", role, unit)
    assert answer.status_code == 200, answer.data
    assert answer.data["gap_count"] == len(answer.data["gaps"])
    return [gap["county"] for gap in answer.data["gaps"]]


def test_a_county_dpf_admin_sets_up_its_list_with_a_local_item_and_the_notice_tells_it(api):
    api.now = "2026-09-20T10:00:00+08:00"
    assert "230102" in gap_counties(api, "dpf_admin", "2301")
    assert len(gap_counties(api, "supervisor", "23")) == 125

    stored = api.call("PUT", PUT_DAOLI, "dpf_admin", "230102", DAOLI_LIST)
    assert stored.status_code == 200, stored.data
    assert stored.data == {"scope": "230102", "kind": "materials", "version": "230102@2026-09-21",
                           "effective_from": "2026-09-21"}
    assert "230102" in gap_counties(api, "dpf_admin", "2301")  # from the 21st
    api.now = "2026-09-24T09:30:00+08:00"
    harbin = gap_counties(api, "dpf_admin", "2301")
    assert "230102" not in harbin and "230103" in harbin and len(harbin) == 17
    assert len(gap_counties(api, "supervisor", "23")) == 124
    assert gap_counties(api, "dpf_admin", "230102") == []
    assert gap_counties(api, "supervisor", "23", "?scope=2301&on=2026-09-20")[0] == "230102"

    case = accepted(api, HARBIN_TOWNSHIP)
    notice = case["notice"]
    items = {item["code"]: item for item in notice["materials"]}
    assert items["residence_proof"] == dict(RESIDENCE, waived=False, waiver=None, source="230102@2026-09-21",
                                            received=False)
    assert "photo" not in items and items["id_card"]["source"] == "230102@2026-09-21"
    assert (notice["standard_list_used"], notice["standard_list_note"]) == (False, None)
    text = notice_pdf_text(api, case["case_id"])
    assert "居住证明必须提交核实申请人在本县实际居住" in text and STANDARD_NOTE not in text
    shown = api.window("GET", f"/rules/{HARBIN_TOWNSHIP}?on=2026-09-24").data["materials"]
    assert shown["versions"] == ["standard", "230102@2026-09-21"] and shown["standard_list_used"] is False
    assert {"code": "residence_proof", "name": "居住证明", "purpose": "核实申请人在本县实际居住", "required": True,
            "source": "230102@2026-09-21"} in shown["items"]

    # the local item is a material like the others: declared, uploaded, confirmed; the last one completes the case
    for code in [item["code"] for item in notice["materials"]]:
        received = api.upload(case["case_id"], code)
        assert received["status"] == "received" and received["code"] == code
    done = api.window("GET", f"/cases/{case['case_id']}").data
    assert done["status"] == "awaiting_push"
    assert done["timeline"][-1]["event"] == "materials_completed"
    assert done["timeline"][-1]["detail"]["code"] == notice["materials"][-1]["code"] == "residence_proof"


def test_a_case_of_a_county_without_a_list_tells_the_standard_list_and_says_so(api):
    api.now = "2026-09-20T10:00:00+08:00"
    assert api.call("PUT", PUT_DAOLI, "dpf_admin", "230102", DAOLI_LIST).status_code == 200
    api.now = "2026-09-24T09:30:00+08:00"
    case = accepted(api, HARBIN_OTHER_TOWNSHIP)  # 南岗区: no list of its own, its city's or its province's
    notice = case["notice"]
    assert [item["code"] for item in notice["materials"]] == [
        "application_form", "id_card", "household_register", "disability_certificate", "photo", "bank_account"]
    assert {item["source"] for item in notice["materials"]} == {"standard"}
    assert (notice["standard_list_used"], notice["standard_list_note"]) == (True, STANDARD_NOTE)
    assert api.window("GET", f"/cases/{case['case_id']}/notice").data["standard_list_note"] == STANDARD_NOTE
    assert STANDARD_NOTE + "。" in notice_pdf_text(api, case["case_id"])
    assert "230103" in gap_counties(api, "dpf_admin", "2301")
    # a local item of another county's list is not on this notice: the window cannot register it
    refused = api.window("POST", f"/cases/{case['case_id']}/materials", {
        "code": "residence_proof", "filename": "居住证明.pdf", "content_type": "application/pdf", "size": 10,
        "sha256": "a" * 64})
    assert (refused.status_code, refused.data["error"]["code"], refused.data["error"]["field"]) == (
        422, "MATERIAL_NOT_REQUIRED", "code")


def test_only_the_countys_own_dpf_admin_or_an_admin_over_it_puts_its_list(api):
    api.now = "2026-09-20T10:00:00+08:00"
    refusals = [
        ("dpf_admin", "230103", "SCOPE_OUT_OF_REACH"),  # another county's 残联
        ("dpf_admin", "2301", "SCOPE_OUT_OF_REACH"),  # its city's 残联 keeps the city's list only
        ("dpf_admin", "230102001", "UNIT_NOT_CITY_OR_COUNTY"),
        ("dpf_admin", "23", "UNIT_NOT_CITY_OR_COUNTY"),
        ("admin", "31", "SCOPE_OUT_OF_REACH"),
        ("supervisor", "23", "ROLE_NOT_ALLOWED"),
        ("reviewer", HARBIN_TOWNSHIP, "ROLE_NOT_ALLOWED"),
    ]
    for role, unit, code in refusals:
        answer = api.call("PUT", PUT_DAOLI, role, unit, DAOLI_LIST)
        assert (answer.status_code, answer.data["error"]["code"]) == (403, code), (role, unit)
    assert "230102" in gap_counties(api, "supervisor", "23", "?on=2026-09-24")  # nothing was stored
    assert api.call("PUT", "/rules/2301/materials/2026-09-21", "dpf_admin", "2301", {"local": [
        dict(RESIDENCE, code="hukou_move_record", name="户籍迁移记录")]}).status_code == 200
    assert api.call("PUT", "/rules/230102/materials/2026-09-22", "admin", "23", DAOLI_LIST).status_code == 200
    api.now = "2026-09-24T09:30:00+08:00"
    assert gap_counties(api, "dpf_admin", "2301") == []  # the city's list covers every county of it


def test_a_local_item_is_refused_naming_the_field_and_why(api):
    api.now = "2026-09-20T10:00:00+08:00"
    cases = [
        (dict(RESIDENCE, name="residence"), 422, "NOT_CHINESE", "local[0].name"),
        (dict(RESIDENCE, code="Residence"), 422, "LOCAL_CODE_FORMAT", "local[0].code"),
        (dict(RESIDENCE, code="id_card"), 422, "LOCAL_CODE_IS_STANDARD", "local[0].code"),
        ({k: v for k, v in RESIDENCE.items() if k != "purpose"}, 400, "MISSING_FIELD", "local[0].purpose"),
        (dict(RESIDENCE, required="yes"), 400, "WRONG_TYPE", "local[0].required"),
    ]
    for item, status, code, field in cases:
        answer = api.call("PUT", PUT_DAOLI, "dpf_admin", "230102", {"local": [item]})
        assert (answer.status_code, answer.data["error"]["code"], answer.data["error"]["field"]) == (
            status, code, field), item
    dropped = api.call("PUT", PUT_DAOLI, "dpf_admin", "230102", {"drop": ["care_plan"]})
    assert (dropped.status_code, dropped.data["error"]["code"]) == (422, "RULES_REFUSED")
    assert "drops care_plan, which no list above it defines" in dropped.data["error"]["message"]


def test_the_setup_gaps_listing_is_refused_outside_the_callers_unit(api):
    api.now = "2026-09-24T09:30:00+08:00"
    for role, unit, query, status, code in [
        ("dpf_admin", "230102", "?scope=230103", 403, "SCOPE_OUT_OF_REACH"),
        ("dpf_admin", "2301", "?scope=23", 403, "SCOPE_OUT_OF_REACH"),
        ("supervisor", "31", "?scope=23", 403, "SCOPE_OUT_OF_REACH"),
        ("window", "310101002", "", 403, "ROLE_NOT_ALLOWED"),
        ("supervisor", "23", "?scope=230102001", 422, "SCOPE_FORMAT"),
        ("supervisor", "23", "?on=2026-02-30", 422, None),
    ]:
        answer = api.call("GET", f"/setup-gaps{query}", role, unit)
        assert answer.status_code == status, (role, unit, query, answer.data)
        assert code is None or answer.data["error"]["code"] == code
