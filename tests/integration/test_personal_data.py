"""Personal data: masked everywhere but one recorded read, and never in the logs."""
from __future__ import annotations

import logging

from tests.support.people import fresh_application


def test_a_full_case_writes_no_id_number_phone_or_birth_date_to_the_logs(api, caplog):
    caplog.set_level(logging.INFO)  # the deployed level for every library
    for name in ("app", "chalicelib", "subsidy-cross-province"):
        caplog.set_level(logging.DEBUG, logger=name)  # and everything of ours
    body = fresh_application()
    person, phone = body["applicant"]["id_number"], body["applicant"]["phone"]
    api.now = "2026-09-24T10:00:00+08:00"
    case = api.ready_case(body)
    case_id = case["case_id"]
    api.window("POST", f"/cases/{case_id}/complete")
    api.window("POST", f"/cases/{case_id}/push")
    api.reviewer("POST", f"/cases/{case_id}/decision", {
        "outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "90.00"}]})
    api.window("POST", f"/cases/{case_id}/notification", {"method": "sms"})
    api.reviewer("GET", f"/cases/{case_id}/identity")
    api.window("POST", "/cases", body)  # a refused duplicate logs too
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records, "nothing was logged: the capture is not working"
    assert person not in text and phone not in text and person[6:14] not in text
    assert person.lower() not in text


def test_responses_mask_the_numbers_and_a_full_read_is_recorded_on_the_timeline(api):
    body = fresh_application()
    person = body["applicant"]["id_number"]
    api.now = "2026-09-24T10:00:00+08:00"
    case = api.ready_case(body)
    case_id = case["case_id"]
    seen = api.window("GET", f"/cases/{case_id}").data
    assert person not in str(seen) and seen["applicant"]["phone"].count("*") == 4
    assert api.reviewer("GET", f"/cases/{case_id}/identity").status_code == 403  # not pushed yet
    full = api.window("GET", f"/cases/{case_id}/identity").data
    assert full["applicant"]["id_number"] == person
    timeline = api.window("GET", f"/cases/{case_id}").data["timeline"]
    assert timeline[-1]["event"] == "identity_read" and timeline[-1]["actor"] == "window-310101002"
    assert api.call("GET", f"/cases/{case_id}/identity", "supervisor", "23").status_code == 403
    assert api.window("GET", f"/cases/{case_id}/audit").data["valid"] is True
