"""The committee of an application and of its entitlements, on moto through the Chalice test client (issue 16.6).

A case accepted with its village or residents committee, approved, reaches that committee's 每月查询登记 list; a
reviewer of the 业务属地 (or an admin over it) changes the committee with a reason, on the entitlement's history, and
the next month's list follows it while this month's stays where it was issued."""
from __future__ import annotations

from chalicelib.services.monitoring import issue_monthly_checks
from chalicelib.wiring import monitoring
from tests.integration.test_entitlements import approved_case
from tests.support.people import HARBIN_OTHER_TOWNSHIP, HARBIN_TOWNSHIP, SHANGHAI_WINDOW, fresh_application

FIRST, SECOND, VILLAGE = (f"{HARBIN_TOWNSHIP}{n}" for n in ("001", "002", "201"))


def at_committee(committee: str) -> dict:
    body = fresh_application()
    body["applicant"]["committee_unit"] = committee
    return body


def listed(api, committee: str, month: str) -> list[str]:
    answer = api.call("GET", f"/checks/{committee}/{month}", "committee", committee)
    assert answer.status_code == 200, answer.data
    return [check["entitlement_id"] for check in answer.data["checks"]]


def put_committee(api, entitlement_id: str, body, role: str = "reviewer", unit: str = HARBIN_TOWNSHIP):
    return api.call("PUT", f"/entitlements/{entitlement_id}/committee", role, unit, body)


def test_a_case_accepted_with_its_committee_reaches_that_committee_s_monthly_list_once_approved(api):
    case_id = approved_case(api, at_committee(VILLAGE))  # accepted 2026-05-20, approved 2026-10-15
    api.now = "2026-11-02T09:00:00+08:00"
    case = api.window("GET", f"/cases/{case_id}").data
    assert case["applicant"]["committee_unit"] == VILLAGE
    living = api.reviewer("GET", f"/entitlements/{case_id}-living").data
    assert (living["committee_unit"], living["committee_in_force"]) == (VILLAGE, VILLAGE)

    stats = issue_monthly_checks(monitoring(), [HARBIN_TOWNSHIP], "2026-11")
    assert (stats["issued"], stats["unassigned"]) == (2, 0)
    assert listed(api, VILLAGE, "2026-11") == [f"{case_id}-living", f"{case_id}-nursing"]
    assert listed(api, FIRST, "2026-11") == []


def test_an_application_without_its_committee_or_with_another_township_s_is_refused_and_nothing_accepted(api):
    missing = fresh_application()
    del missing["applicant"]["committee_unit"]
    refused = api.window("POST", "/cases", missing)
    assert (refused.status_code, refused.data["error"]["code"], refused.data["error"]["field"]) == (
        422, "COMMITTEE_REQUIRED", "applicant.committee_unit")
    elsewhere = api.window("POST", "/cases", at_committee(f"{HARBIN_OTHER_TOWNSHIP}001"))
    assert (elsewhere.status_code, elsewhere.data["error"]["code"], elsewhere.data["error"]["field"]) == (
        422, "COMMITTEE_OUTSIDE_UNIT", "applicant.committee_unit")
    assert api.window("GET", "/cases").data["cases"] == []


def test_the_reviewer_changes_the_committee_and_the_next_monthly_list_follows_it(api):
    case_id = approved_case(api, at_committee(FIRST))
    living = f"{case_id}-living"
    api.now = "2026-11-02T09:00:00+08:00"
    issue_monthly_checks(monitoring(), [HARBIN_TOWNSHIP], "2026-11")
    assert listed(api, FIRST, "2026-11") == [living, f"{case_id}-nursing"]
    version = api.reviewer("GET", f"/entitlements/{living}").data["version"]

    api.now = "2026-11-10T15:00:00+08:00"
    changed = put_committee(api, living, {"committee": SECOND, "reason": "户籍迁至本镇另一社区", "version": version})
    assert changed.status_code == 200, changed.data
    assert (changed.data["committee_unit"], changed.data["committee_in_force"]) == (SECOND, FIRST)
    assert changed.data["version"] == version + 1
    assert changed.data["history"][-1] == {
        "kind": "committee", "effective_month": "2026-12", "reason": "户籍迁至本镇另一社区",
        "by": f"reviewer-{HARBIN_TOWNSHIP}", "at": "2026-11-10T15:00:00+08:00", "status": None, "pricing": None,
        "monthly_amount": None, "facts": None, "committee": SECOND, "previous_committee": FIRST}
    assert changed.data["status"] == "active" and changed.data["monthly_amount"] == "90.00"  # nothing else moved

    # November's list stays where it was issued, even when the month is run again
    rerun = issue_monthly_checks(monitoring(), [HARBIN_TOWNSHIP], "2026-11")
    assert (rerun["issued"], rerun["already_issued"]) == (0, 2)
    assert living in listed(api, FIRST, "2026-11") and listed(api, SECOND, "2026-11") == []
    # December's follows the change; the nursing subsidy, not changed, stays at the first committee
    api.now = "2026-12-01T09:00:00+08:00"
    issue_monthly_checks(monitoring(), [HARBIN_TOWNSHIP], "2026-12")
    assert listed(api, SECOND, "2026-12") == [living]
    assert listed(api, FIRST, "2026-12") == [f"{case_id}-nursing"]
    assert api.reviewer("GET", f"/entitlements/{living}").data["committee_in_force"] == SECOND


def test_only_the_business_unit_s_reviewers_and_the_admins_over_it_may_change_it(api):
    case_id = approved_case(api, at_committee(FIRST))
    living = f"{case_id}-living"
    body = {"committee": SECOND, "reason": "迁居"}
    for role, unit, code in (
        ("window", SHANGHAI_WINDOW, "ROLE_NOT_ALLOWED"),  # the 受理地 reads it, never changes it
        ("window", HARBIN_TOWNSHIP, "ROLE_NOT_ALLOWED"),  # the 业务属地's window is not its reviewer
        ("reviewer", HARBIN_OTHER_TOWNSHIP, "ENTITLEMENT_OUT_OF_REACH"),
        ("reviewer", SHANGHAI_WINDOW, "ENTITLEMENT_OUT_OF_REACH"),
        ("admin", "31", "ENTITLEMENT_OUT_OF_REACH"), ("admin", "230103", "ENTITLEMENT_OUT_OF_REACH"),
        ("supervisor", "23", "ROLE_NOT_ALLOWED"), ("committee", FIRST, "ROLE_NOT_ALLOWED"),
    ):
        answer = put_committee(api, living, body, role, unit)
        assert (answer.status_code, answer.data["error"]["code"]) == (403, code), (role, unit)
    assert api.reviewer("GET", f"/entitlements/{living}").data["committee_unit"] == FIRST
    unknown = put_committee(api, "C20260101NOPE-living", body)
    assert (unknown.status_code, unknown.data["error"]["code"]) == (403, "ENTITLEMENT_OUT_OF_REACH")
    by_admin = put_committee(api, living, body, "admin", "2301")
    assert by_admin.status_code == 200 and by_admin.data["history"][-1]["by"] == "admin-2301"


def test_bad_bodies_a_stale_version_and_the_same_committee_again(api):
    case_id = approved_case(api, at_committee(FIRST))
    living = f"{case_id}-living"
    for body, status, code, field in (
        ({"committee": f"{HARBIN_OTHER_TOWNSHIP}001", "reason": "迁居"}, 422, "COMMITTEE_OUTSIDE_UNIT", "committee"),
        ({"committee": "2301020010", "reason": "迁居"}, 422, "UNIT_FORMAT", "committee"),
        ({"committee": SECOND}, 422, "MISSING_FIELD", "reason"),
        ({"committee": SECOND, "reason": "迁居", "version": 99}, 409, "CONCURRENT_UPDATE", "version"),
    ):
        answer = put_committee(api, living, body)
        assert (answer.status_code, answer.data["error"]["code"], answer.data["error"]["field"]) == (
            status, code, field), body
    malformed = api.call("PUT", f"/entitlements/{living}/committee", "reviewer", HARBIN_TOWNSHIP, raw="{")
    assert malformed.status_code == 400
    before = api.reviewer("GET", f"/entitlements/{living}").data
    same = put_committee(api, living, {"committee": FIRST, "reason": "核对无误"})
    assert same.status_code == 200 and (same.data["version"], same.data["history"]) == (
        before["version"], before["history"])  # PUT: the committee it has already changes nothing
