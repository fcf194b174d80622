"""A province's time limits through the API (PUT /rules/{province}/time-limits/{from}): its own admin only, the
field named when refused, shown in GET /rules/{unit}, and a case accepted after it runs its 收件时限 on them."""
from __future__ import annotations

from tests.support.people import HARBIN_TOWNSHIP, fresh_application


def test_a_province_s_admin_sets_its_limits_and_the_cases_accepted_after_follow_them(api):
    api.now = "2026-09-01T10:00:00+08:00"
    path = "/rules/31/time-limits/2026-09-01"
    refused = api.call("PUT", path, "admin", "23", {"materials_working_days": 5})
    assert (refused.status_code, refused.data["error"]["code"]) == (403, "SCOPE_OUT_OF_REACH")
    window = api.call("PUT", path, "window", "310101002", {"materials_working_days": 5})
    assert (window.status_code, window.data["error"]["code"]) == (403, "ROLE_NOT_ALLOWED")
    bad = api.call("PUT", path, "admin", "31", {"materials_working_days": 0})
    assert (bad.status_code, bad.data["error"]["code"], bad.data["error"]["field"]) == (
        422, "OUT_OF_RANGE", "materials_working_days")

    stored = api.call("PUT", path, "admin", "31", {"materials_working_days": 5})
    assert stored.status_code == 200, stored.data
    assert (stored.data["materials_working_days"], stored.data["supplement_working_days"]) == (5, 10)
    again = api.call("PUT", path, "admin", "31", {"materials_working_days": 6})
    assert again.status_code == 409  # a version in force is history

    api.now = "2026-09-24T10:00:00+08:00"
    case = api.window("POST", "/cases", fresh_application()).data  # accepted in Shanghai (31)
    [limit] = [d for d in case["deadlines"] if d["kind"] == "materials"]
    assert (limit["working_days"], limit["due_on"]) == (5, "2026-10-09")
    shown = api.window("GET", f"/rules/{HARBIN_TOWNSHIP}").data["time_limits"]
    assert shown == {"materials_working_days": 10, "supplement_working_days": 10}  # 黑龙江 set none
