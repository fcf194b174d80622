"""生存验证 over HTTP on moto (issue 16.7): POST /entitlements/{id}/survival-checks by the 业务属地's reviewer and the
recipient's committee, listed on GET /entitlements/{id}'s history; another township's reviewer is answered as for an
unknown entitlement. The rules on the fakes: tests/unit/test_survival_checks.py."""
from __future__ import annotations

from tests.integration.test_entitlements import approved_case
from tests.support.people import fresh_application


def test_the_reviewer_and_the_committee_record_checks_listed_on_the_history(api):
    case_id = approved_case(api, fresh_application())
    entitlement = f"{case_id}-living"
    api.now = "2026-11-20T10:00:00+08:00"
    committee = api.reviewer("GET", f"/entitlements/{entitlement}").data["committee_unit"]

    by_reviewer = api.reviewer("POST", f"/entitlements/{entitlement}/survival-checks",
                               {"method": "face", "on": "2026-11-20", "result": "alive"})
    by_committee = api.call("POST", f"/entitlements/{entitlement}/survival-checks", "committee", committee,
                            {"method": "home_visit", "on": "2026-11-19", "result": "alive", "note": "本人在家"})
    outsider = api.call("POST", f"/entitlements/{entitlement}/survival-checks", "reviewer", "230102002",
                        {"method": "face", "on": "2026-11-20", "result": "alive"})
    future = api.reviewer("POST", f"/entitlements/{entitlement}/survival-checks",
                          {"method": "phone", "on": "2026-11-21", "result": "alive"})

    assert by_reviewer.status_code == 201 and by_reviewer.data["recorded"] is True, by_reviewer.data
    assert by_committee.status_code == 201 and by_committee.data["check"]["unit"] == committee, by_committee.data
    assert (outsider.status_code, outsider.data["error"]["code"]) == (403, "ENTITLEMENT_OUT_OF_REACH")
    assert (future.status_code, future.data["error"]["code"]) == (422, "DATE_IN_FUTURE")
    history = api.reviewer("GET", f"/entitlements/{entitlement}").data["history"]
    checks = [line["check"] for line in history if line["kind"] == "survival_check"]
    assert [(c["method"], c["on"]) for c in checks] == [("face", "2026-11-20"), ("home_visit", "2026-11-19")]


def test_a_check_that_found_the_person_deceased_proposes_stopping_each_entitlement_and_stops_none(api):
    """A death found by a survival check becomes proposals for the 业务属地 (as a reported death), never a stop by
    itself; the same check recorded again proposes nothing more."""
    case_id = approved_case(api, fresh_application())
    entitlement = f"{case_id}-living"
    api.now = "2026-11-20T10:00:00+08:00"
    committee = api.reviewer("GET", f"/entitlements/{entitlement}").data["committee_unit"]
    body = {"method": "home_visit", "on": "2026-11-19", "result": "deceased", "note": "家属告知11月18日去世"}

    found = api.call("POST", f"/entitlements/{entitlement}/survival-checks", "committee", committee, body)
    again = api.call("POST", f"/entitlements/{entitlement}/survival-checks", "committee", committee, body)

    assert found.status_code == 201 and found.data["proposals"] == 2, found.data
    assert again.data["proposals"] == 0 and again.data["recorded"] is False, again.data
    open_ones = [p for p in api.reviewer("GET", "/proposals?status=proposed").data["proposals"]
                 if p["case_id"] == case_id]
    assert sorted(p["entitlement_id"] for p in open_ones) == [f"{case_id}-living", f"{case_id}-nursing"]
    assert {(p["action"], p["source"], p["kind"]) for p in open_ones} == {("stop", "survival_check",
                                                                             "survival_check_death")}
    assert api.reviewer("GET", f"/entitlements/{entitlement}").data["status"] == "active"  # nothing stopped yet
