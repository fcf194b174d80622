"""GET /audit on moto: a unit's or scope's cases verified a page at a time (issue 18), each case once across the
accepting and business streams, the same access rules (supervisors and admins over the unit, deny by default)."""
from __future__ import annotations

from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, fresh_application


def pages(api, unit: str, role: str, caller: str, limit: int) -> list[dict]:
    found, token = [], None
    while True:
        query = f"?unit={unit}&limit={limit}" + (f"&next_token={token}" if token else "")
        answer = api.call("GET", f"/audit{query}", role, caller)
        assert answer.status_code == 200, answer.data
        found.append(answer.data)
        token = answer.data["next_token"]
        if token is None:
            return found


def test_a_province_is_verified_a_page_at_a_time_and_each_case_once(api):
    made = {api.window("POST", "/cases", fresh_application()).data["case_id"] for _ in range(3)}
    whole = api.call("GET", f"/audit?unit={HARBIN_TOWNSHIP[:2]}", "supervisor", HARBIN_TOWNSHIP[:2]).data
    assert whole["cases"] >= 3 and whole["valid"] is True
    for unit, caller in ((HARBIN_TOWNSHIP[:2], HARBIN_TOWNSHIP[:2]), (SHANGHAI_WINDOW[:2], SHANGHAI_WINDOW[:2])):
        paged = pages(api, unit, "supervisor", caller, 2)
        assert all(page["cases"] <= 2 and page["valid"] and page["broken"] == 0 for page in paged)
        assert sum(page["cases"] for page in paged) == whole["cases"] >= len(made)


def test_a_page_size_out_of_range_a_forged_token_and_a_unit_out_of_reach_are_refused(api):
    province = HARBIN_TOWNSHIP[:2]
    assert api.call("GET", f"/audit?unit={province}&limit=101", "supervisor", province).data["error"]["code"] \
        == "LIMIT_RANGE"
    forged = api.call("GET", f"/audit?unit={province}&next_token=z:abc", "supervisor", province)
    assert (forged.status_code, forged.data["error"]["code"]) == (422, "BAD_PAGE_TOKEN")
    other = api.call("GET", f"/audit?unit={SHANGHAI_WINDOW[:2]}", "supervisor", province)
    assert (other.status_code, other.data["error"]["code"]) == (403, "UNIT_OUT_OF_REACH")
    assert api.call("GET", f"/audit?unit={province}", "window", SHANGHAI_WINDOW).status_code == 403
