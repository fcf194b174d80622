"""GET /cases/{id}/materials/{mid}: the console shows a material in the page, for the two sides only."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import requests

from tests.support.people import declaration, fresh_application, pdf_bytes


def test_the_window_opens_a_received_material_and_the_link_serves_the_checked_bytes(api):
    api.now = "2026-09-24T10:00:00+08:00"
    case = api.window("POST", "/cases", fresh_application()).data
    content = pdf_bytes("身份证 of the applicant")
    received = api.upload(case["case_id"], "id_card", content)
    opened = api.window("GET", f"/cases/{case['case_id']}/materials/{received['material_id']}")
    assert opened.status_code == 200, opened.data
    assert (opened.data["code"], opened.data["status"]) == ("id_card", "received")
    query = parse_qs(urlparse(opened.data["download"]["url"]).query)
    assert query["versionId"] == [received["object_version"]]
    assert query["response-content-disposition"][0].startswith("inline;")
    assert requests.get(opened.data["download"]["url"], timeout=10).content == content
    assert "object_key" not in opened.data


def test_each_opening_is_recorded_on_the_timeline_with_who_and_which_material(api):
    api.now = "2026-09-24T10:00:00+08:00"
    case = api.ready_case(fresh_application())
    case_id = case["case_id"]
    material = api.window("GET", f"/cases/{case_id}").data["materials"][0]
    api.window("GET", f"/cases/{case_id}/materials/{material['material_id']}")
    last = api.window("GET", f"/cases/{case_id}").data["timeline"][-1]
    assert (last["event"], last["actor"], last["unit"]) == ("material_viewed", "window-310101002", "310101002")
    assert last["detail"] == {"role": "window", "material_id": material["material_id"], "code": material["code"]}
    assert api.window("GET", f"/cases/{case_id}/audit").data["valid"] is True


def test_the_reviewer_opens_materials_only_once_the_case_is_pushed_and_supervisors_never(api):
    api.now = "2026-09-24T10:00:00+08:00"
    case = api.ready_case(fresh_application())
    case_id = case["case_id"]
    mid = api.window("GET", f"/cases/{case_id}").data["materials"][0]["material_id"]
    path = f"/cases/{case_id}/materials/{mid}"
    assert api.reviewer("GET", path).data["error"]["code"] == "CASE_OUT_OF_REACH"
    api.window("POST", f"/cases/{case_id}/complete")
    api.window("POST", f"/cases/{case_id}/push")
    assert api.reviewer("GET", path).status_code == 200
    assert api.call("GET", path, "supervisor", "23").data["error"]["code"] == "ROLE_NOT_ALLOWED"
    assert api.call("GET", path, "window", "310101003").data["error"]["code"] == "CASE_OUT_OF_REACH"
    assert api.call("GET", path, "reviewer", "230103001").status_code == 403


def test_a_material_not_received_cannot_be_opened_and_an_unknown_one_is_404(api):
    api.now = "2026-09-24T10:00:00+08:00"
    case = api.window("POST", "/cases", fresh_application()).data
    case_id = case["case_id"]
    registered = api.window("POST", f"/cases/{case_id}/materials", declaration("photo", pdf_bytes("photo"))).data
    pending = api.window("GET", f"/cases/{case_id}/materials/{registered['material_id']}")
    assert (pending.status_code, pending.data["error"]["code"]) == (409, "MATERIAL_NOT_RECEIVED")
    missing = api.window("GET", f"/cases/{case_id}/materials/0000000000000000")
    assert (missing.status_code, missing.data["error"]["code"]) == (404, "MATERIAL_NOT_FOUND")
