"""Holiday calendars: the library's years, admin-loaded years, conflicts, and the provisional recount."""
from __future__ import annotations

import json

from tests.integration.conftest import subscribe, topic, wait_messages
from tests.support.people import application, id_number

# A made-up 2027 schedule for the tests (the real one is published by the 国务院办公厅 each year).
YEAR_2027 = {
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "workdays": ["2027-01-09"],
    "source": "测试用 2027 年节假日安排",
}


def test_a_year_the_library_knows_is_served_with_its_source(api):
    response = api.window("GET", "/calendar/2026")
    assert response.status_code == 200
    assert response.data["origin"] == "library"
    assert "2026-10-10" in response.data["workdays"] and "2026-10-01" in response.data["holidays"]
    assert response.data["source"].startswith("chinesecalendar")


def test_a_year_nobody_loaded_is_404_and_the_deadline_route_is_not_taken_for_a_year(api):
    missing = api.window("GET", "/calendar/2027")
    assert (missing.status_code, missing.data["error"]["code"]) == (404, "CALENDAR_YEAR_MISSING")
    deadline = api.window("GET", "/calendar/deadline?start=2026-09-30&working_days=3")
    assert deadline.data["due_on"] == "2026-10-10"


def test_only_an_admin_loads_a_year_and_it_is_kept_with_who_and_when(api):
    refused = api.window("PUT", "/calendar/2027", YEAR_2027)
    assert (refused.status_code, refused.data["error"]["code"]) == (403, "ROLE_NOT_ALLOWED")

    api.now = "2026-12-02T09:00:00+08:00"
    loaded = api.call("PUT", "/calendar/2027", "admin", "00", YEAR_2027)
    assert loaded.status_code == 200, loaded.data
    shown = api.window("GET", "/calendar/2027").data
    assert (shown["origin"], shown["source"], shown["loaded_by"]) == ("loaded", YEAR_2027["source"], "admin-00")
    assert shown["loaded_at"] == "2026-12-02T09:00:00+08:00"
    assert shown["workdays"] == ["2027-01-09"]

    again = api.call("PUT", "/calendar/2027", "admin", "00", YEAR_2027)
    assert again.status_code == 200 and "recomputed" not in again.data  # identical: nothing stored again
    different = dict(YEAR_2027, holidays=["2027-01-01", "2027-01-04"])
    conflict = api.call("PUT", "/calendar/2027", "admin", "00", different)
    assert (conflict.status_code, conflict.data["error"]["code"]) == (409, "CALENDAR_CONFLICT")
    assert conflict.data["error"]["message"].startswith("1 day(s) would change")
    assert "2027-01-04" in conflict.data["error"]["message"]


def test_a_schedule_that_disagrees_with_the_library_is_refused_with_the_dates_listed(api):
    wrong_2026 = {"holidays": ["2026-10-01", "2026-10-02"], "workdays": [], "source": "错误的安排"}
    response = api.call("PUT", "/calendar/2026", "admin", "00", wrong_2026)
    assert (response.status_code, response.data["error"]["code"]) == (409, "CALENDAR_CONFLICT")
    assert "2026-10-10" in response.data["error"]["message"]  # the make-up Saturday would be lost


def test_bad_schedules_name_the_field_and_store_nothing(api):
    cases = [
        ({"holidays": ["2027-13-01"], "workdays": [], "source": "x"}, 422, "DATE_FORMAT", "holidays[0]"),
        ({"holidays": ["2028-01-01"], "workdays": [], "source": "x"}, 422, "DATE_OUTSIDE_YEAR", "holidays[0]"),
        ({"holidays": [], "workdays": ["2027-01-04"], "source": "x"}, 422, "WORKDAY_NOT_WEEKEND", "workdays[0]"),
        ({"holidays": ["2027-01-09"], "workdays": ["2027-01-09"], "source": "x"}, 422, "DATE_IN_BOTH", "workdays"),
        ({"holidays": [], "workdays": []}, 400, "MISSING_FIELD", "source"),
        ({"workdays": [], "source": "x"}, 400, "MISSING_FIELD", "holidays"),
    ]
    for body, status, code, field in cases:
        response = api.call("PUT", "/calendar/2027", "admin", "00", body)
        assert (response.status_code, response.data["error"]["code"], response.data["error"]["field"]) == (
            status, code, field), body
    year = api.call("PUT", "/calendar/1999", "admin", "00", YEAR_2027)
    assert year.data["error"]["code"] == "YEAR_RANGE"
    assert api.window("GET", "/calendar/2027").status_code == 404


def test_loading_a_year_recounts_the_deadlines_that_were_provisional(api):
    api.now = "2026-12-24T10:00:00+08:00"
    case = api.ready_case(application(id_number(sequence="901")))
    completed = api.window("POST", f"/cases/{case['case_id']}/complete").data
    api.window("POST", f"/cases/{case['case_id']}/push")
    review = api.window("GET", f"/cases/{case['case_id']}").data["deadlines"][2]
    # 12-25, 28, 29, 30, 31 in 2026, then Mon-Fri guesses for 2027: 01-01, 04, 05, 06, 07
    assert (review["due_on"], review["provisional"]) == ("2027-01-07", True)
    assert completed["deadlines"][1]["provisional"] is False

    loaded = api.call("PUT", "/calendar/2027", "admin", "00", YEAR_2027)
    assert loaded.data["recomputed"] == 1
    review = api.window("GET", f"/cases/{case['case_id']}").data["deadlines"][2]
    # 01-01 is a holiday, the Saturday 01-09 a make-up day: 12-25, 28..31, 01-04..08 -> due 01-08
    assert (review["due_on"], review["provisional"]) == ("2027-01-08", False)
    assert review["calendar_version"].startswith("chinesecalendar") and "loaded:2027" in review["calendar_version"]
    timeline = api.window("GET", f"/cases/{case['case_id']}").data["timeline"]
    assert timeline[-1]["event"] == "deadline_recounted"
    assert timeline[-1]["detail"]["was_due_on"] == "2027-01-07"


def test_from_december_a_missing_next_year_raises_an_alert(api, aws):
    from datetime import datetime

    from chalicelib.services import jobs
    from chalicelib.wiring import deps, notifier

    alerts = subscribe(topic(aws, "escalations"), "calendar-alerts")
    assert jobs.calendar_check(deps(), notifier(), datetime.fromisoformat("2026-11-30T09:00:00+08:00"))[
        "checked"] is False
    result = jobs.calendar_check(deps(), notifier(), datetime.fromisoformat("2026-12-01T09:00:00+08:00"))
    assert (result["covered"], result["alerted"]) == (False, True)
    [alert] = wait_messages(alerts, 1)
    assert alert["year"] == 2027
    api.call("PUT", "/calendar/2027", "admin", "00", YEAR_2027)
    result = jobs.calendar_check(deps(), notifier(), datetime.fromisoformat("2026-12-02T09:00:00+08:00"))
    assert (result["covered"], result["alerted"]) == (True, False)


def test_the_national_calendar_is_loaded_by_a_national_admin_only(api):
    for unit in ("23", "2301", "230102"):  # a province's, a city's, a county's admin
        refused = api.call("PUT", "/calendar/2027", "admin", unit, YEAR_2027)
        assert (refused.status_code, refused.data["error"]["code"]) == (403, "UNIT_NOT_NATIONAL")
        correction = api.call("POST", "/calendar/2027/correction", "admin", unit, dict(YEAR_2027, reason="x"))
        assert correction.status_code == 403
    assert api.window("GET", "/calendar/2027").status_code == 404  # nothing stored
    assert api.call("PUT", "/calendar/2027", "admin", "00", YEAR_2027).status_code == 200


def test_a_loaded_year_is_corrected_with_a_reason_the_old_version_kept_and_deadlines_recounted(api):
    from chalicelib.adapters.calendar_table import CalendarYearModel

    api.now = "2026-12-24T10:00:00+08:00"
    api.call("PUT", "/calendar/2027", "admin", "00", YEAR_2027)
    case = api.ready_case(application(id_number(sequence="911")))
    api.window("POST", f"/cases/{case['case_id']}/complete")
    api.window("POST", f"/cases/{case['case_id']}/push")
    assert api.window("GET", f"/cases/{case['case_id']}").data["deadlines"][2]["due_on"] == "2027-01-08"

    unreasoned = api.call("POST", "/calendar/2027/correction", "admin", "00", YEAR_2027)
    assert (unreasoned.status_code, unreasoned.data["error"]["field"]) == (400, "reason")
    same = api.call("POST", "/calendar/2027/correction", "admin", "00", dict(YEAR_2027, reason="核对"))
    assert (same.status_code, same.data["error"]["code"]) == (409, "CALENDAR_UNCHANGED")
    # the notice moved the make-up day: 01-09 is a rest day again, 01-04 becomes a holiday
    corrected_year = dict(YEAR_2027, holidays=[*YEAR_2027["holidays"], "2027-01-04"], workdays=[],
                          source="国办发明电〔2026〕更正", reason="通知更正：1月4日放假，1月9日不再调休")
    corrected = api.call("POST", "/calendar/2027/correction", "admin", "00", corrected_year)
    assert corrected.status_code == 200, corrected.data
    assert corrected.data["changed_days"] == ["2027-01-04", "2027-01-09"] and corrected.data["recomputed"] == 1
    shown = api.window("GET", "/calendar/2027").data
    assert (shown["source"], shown["workdays"]) == ("国办发明电〔2026〕更正", [])
    review = api.window("GET", f"/cases/{case['case_id']}").data["deadlines"][2]
    # 12-25, 28..31, then 01-05, 06, 07, 08, 11: 01-04 is now a holiday and 01-09 no longer a working day
    assert review["due_on"] == "2027-01-11"
    history = [json.loads(v) for v in CalendarYearModel.get(2027).corrections]
    assert [(h["source"], h["workdays"], h["reason"]) for h in history] == \
        [(YEAR_2027["source"], ["2027-01-09"], "通知更正：1月4日放假，1月9日不再调休")]
    never = api.call("POST", "/calendar/2028/correction", "admin", "00", dict(YEAR_2027, reason="x"))
    assert never.status_code in (404, 422)
