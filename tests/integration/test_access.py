"""Authentication (401) and authorization (403): who may call which route, on which cases.

The case used throughout is accepted at 上海 黄浦区南京东路街道 (310101002, the 受理地) for an
applicant whose 户籍 is 哈尔滨 道里区 (230102001, the 业务属地). Every refused request is
checked to have left the stored case exactly as it was. The module shares one moto world;
each test that needs a case accepts its own, for an applicant of its own.
"""
from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

import app as chalice_app
from chalicelib.api.routes import PUBLIC_ROUTES, ROUTE_RULES
from chalicelib.auth import LOCAL_AUDIENCE, LOCAL_ISSUER, issue_local_token
from chalicelib.config import load
from tests.integration import conftest as integration
from tests.support.people import (
    HARBIN_OTHER_TOWNSHIP,
    HARBIN_TOWNSHIP,
    SHANGHAI_WINDOW,
    application,
    declaration,
    fresh_application,
    id_number,
    pdf_bytes,
)

OTHER_SHANGHAI_WINDOW = "310101003"
NOW = "2026-09-24T10:00:00+08:00"


@pytest.fixture(scope="module")
def world() -> Any:
    yield from integration.shared_api()


@pytest.fixture()
def api(world: Any) -> Any:
    world.now = NOW
    return world


def fresh(**overrides: Any) -> dict[str, Any]:
    return fresh_application("468", **overrides)


def every_case(api: Any) -> list[str]:
    """Every case id in the world: all are accepted in 上海 (31) or 黑龙江 (23), or are for 23."""
    found = set()
    for scope in ("23", "31"):
        response = api.call("GET", "/cases?limit=100", "supervisor", scope)
        assert response.status_code == 200, response.data
        found |= {case["case_id"] for case in response.data["cases"]}
    return sorted(found)
DECISION = {"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "99.00"}]}


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, (response.status_code, response.data)
    assert set(response.data) == {"error"}, response.data
    error = response.data["error"]
    assert set(error) == {"code", "message", "field"}, error
    assert error["code"] == code, error
    assert error["field"] == field, error
    assert error["message"], error


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def signed(claims: dict[str, Any], secret: str | None = None, algorithm: str = "HS256") -> str:
    now = int(time.time())
    full = {"sub": "someone", "name": "someone", "role": "window", "unit": SHANGHAI_WINDOW,
            "iat": now, "exp": now + 600, "iss": LOCAL_ISSUER, "aud": LOCAL_AUDIENCE}
    full.update(claims)
    full = {k: v for k, v in full.items() if v is not None}
    key = secret if secret is not None else load().local_jwt_secret
    return jwt.encode(full, key, algorithm=algorithm)


def snapshot(api: Any, case_id: str) -> dict[str, Any]:
    read = api.window("GET", f"/cases/{case_id}")
    assert read.status_code == 200, read.data
    return {k: read.data[k] for k in ("status", "version", "timeline", "materials", "deadlines", "decision",
                                       "notification", "withdrawal")}


def pushed(api: Any, body: dict[str, Any] | None = None) -> str:
    case_id = api.ready_case(body or fresh())["case_id"]
    assert api.window("POST", f"/cases/{case_id}/complete").status_code == 200
    assert api.window("POST", f"/cases/{case_id}/push").status_code == 200
    return case_id


# --- authentication ---------------------------------------------------------------------------


def test_a_request_without_an_authorization_header_is_refused_with_token_missing(api):
    response = api.call("GET", "/cases")
    assert_error(response, 401, "TOKEN_MISSING", "Authorization")


def test_an_application_without_a_token_is_refused_and_nothing_is_stored(api):
    before = every_case(api)
    response = api.call("POST", "/cases", body=fresh())
    assert_error(response, 401, "TOKEN_MISSING", "Authorization")
    assert every_case(api) == before


@pytest.mark.parametrize("header", ["Basic x", "Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "Token abc", "abc"])
def test_an_authorization_header_that_is_not_a_bearer_token_is_refused(api, header):
    response = api.call("GET", "/cases", headers={"Authorization": header})
    assert_error(response, 401, "TOKEN_MALFORMED", "Authorization")


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.", "x" * 4000])
def test_a_garbage_token_is_refused(api, token):
    response = api.call("GET", "/cases", headers=bearer(token))
    assert_error(response, 401, "TOKEN_INVALID", "Authorization")


def test_a_token_signed_with_another_secret_is_refused(api):
    token = issue_local_token("another-secret-that-is-long-enough-for-hs256", "intruder", "window", SHANGHAI_WINDOW)
    response = api.call("GET", "/cases", headers=bearer(token))
    assert_error(response, 401, "TOKEN_INVALID", "Authorization")


def test_an_expired_token_is_refused(api):
    token = issue_local_token(load().local_jwt_secret, "window-1", "window", SHANGHAI_WINDOW, ttl=-3600)
    response = api.call("GET", "/cases", headers=bearer(token))
    assert_error(response, 401, "TOKEN_EXPIRED", "Authorization")


@pytest.mark.parametrize("claims", [
    {"aud": "another-api"},
    {"iss": "someone-else"},
    {"sub": None},
    {"exp": None},
])
def test_a_token_with_a_wrong_audience_or_issuer_or_without_sub_or_expiry_is_refused(api, claims):
    response = api.call("GET", "/cases", headers=bearer(signed(claims)))
    assert_error(response, 401, "TOKEN_INVALID", "Authorization")


def test_an_unsigned_token_is_refused(api):
    token = signed({}, secret="", algorithm="none")
    response = api.call("GET", "/cases", headers=bearer(token))
    assert_error(response, 401, "TOKEN_INVALID", "Authorization")


@pytest.mark.parametrize("role", ["clerk", "WINDOW", "", None])
def test_a_token_with_an_unknown_role_is_refused(api, role):
    response = api.call("GET", "/cases", headers=bearer(signed({"role": role})))
    assert_error(response, 401, "TOKEN_ROLE", "Authorization")


@pytest.mark.parametrize("unit", ["12345", "3101010021", "31010100a", "", "3", 310101002, None])
def test_a_token_with_a_unit_that_is_not_a_2_4_6_or_9_digit_code_is_refused(api, unit):
    response = api.call("GET", "/cases", headers=bearer(signed({"unit": unit})))
    assert_error(response, 401, "TOKEN_UNIT", "Authorization")


def test_health_needs_no_token(api):
    response = api.call("GET", "/health")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "ok"


def test_every_route_but_health_is_in_the_access_table():
    routes = {f"{method} {path}" for path, methods in chalice_app.app.routes.items() for method in methods}
    assert PUBLIC_ROUTES == {"GET /health", "GET /openapi.json", "GET /progress", "POST /progress",
                             "POST /progress/report"}
    guarded = routes - PUBLIC_ROUTES
    assert guarded, routes
    assert guarded <= set(ROUTE_RULES), sorted(guarded - set(ROUTE_RULES))
    assert set(ROUTE_RULES) <= routes, sorted(set(ROUTE_RULES) - routes)  # no stale rules either


# --- the caller's unit and role -----------------------------------------------------------------


def test_the_accepting_unit_is_the_callers_whatever_the_body_says(api):
    body = fresh(accepting_unit="999999999", business_unit=OTHER_SHANGHAI_WINDOW, scope="local",
                 status="closed", case_id="C-CHOSEN-BY-CLIENT", version=99)
    response = api.window("POST", "/cases", body)
    assert response.status_code == 201, response.data
    case = response.data
    assert case["accepting_unit"] == SHANGHAI_WINDOW
    assert case["business_unit"] == HARBIN_TOWNSHIP
    assert case["scope"] == "cross_province"
    assert case["status"] == "awaiting_materials"
    assert case["case_id"] != "C-CHOSEN-BY-CLIENT"
    stored = api.window("GET", f"/cases/{case['case_id']}").data
    assert stored["accepting_unit"] == SHANGHAI_WINDOW and stored["version"] == 1  # accepted (the SMS: its message's)
    assert stored["timeline"][0]["unit"] == SHANGHAI_WINDOW
    assert api.call("GET", "/cases", "window", "999999999").data["cases"] == []


@pytest.mark.parametrize("unit", ["310101", "3101", "31"])
def test_a_window_token_without_a_township_unit_cannot_accept_an_application(api, unit):
    before = every_case(api)
    response = api.call("POST", "/cases", "window", unit, fresh())
    assert_error(response, 403, "UNIT_NOT_TOWNSHIP")
    assert every_case(api) == before


@pytest.mark.parametrize("role, unit", [("window", "310101"), ("reviewer", "230102")])
def test_a_worklist_for_a_window_or_reviewer_needs_a_township_unit(api, role, unit):
    assert_error(api.call("GET", "/cases", role, unit), 403, "UNIT_NOT_TOWNSHIP")


@pytest.mark.parametrize("role", ["reviewer", "supervisor", "admin"])
def test_only_a_window_can_accept_an_application(api, role):
    before = every_case(api)
    response = api.call("POST", "/cases", role, HARBIN_TOWNSHIP, fresh())
    assert_error(response, 403, "ROLE_NOT_ALLOWED")
    assert every_case(api) == before


def test_an_admin_cannot_read_worklists(api):
    assert_error(api.call("GET", "/cases", "admin", "23"), 403, "ROLE_NOT_ALLOWED")


def test_a_missing_case_is_answered_as_one_out_of_reach_for_its_would_be_readers(api):
    for role, unit in (("window", SHANGHAI_WINDOW), ("reviewer", HARBIN_TOWNSHIP), ("supervisor", "23")):
        response = api.call("GET", "/cases/C20260924DEADBEEF00", role, unit)
        assert_error(response, 403, "CASE_OUT_OF_REACH", None)


def test_an_existing_case_of_another_unit_and_an_unknown_one_are_answered_alike(api):
    """403 CASE_OUT_OF_REACH for both (issue 17.8): a caller learns nothing of whether a case number exists."""
    case_id = api.window("POST", "/cases", fresh()).data["case_id"]
    theirs = api.call("GET", f"/cases/{case_id}", "window", OTHER_SHANGHAI_WINDOW)
    unknown = api.call("GET", "/cases/C20260924DEADBEEF00", "window", OTHER_SHANGHAI_WINDOW)
    assert_error(theirs, 403, "CASE_OUT_OF_REACH", None)
    assert theirs.data == unknown.data


def test_a_reviewer_cannot_see_a_case_before_it_is_pushed_to_its_unit(api):
    case = api.window("POST", "/cases", fresh()).data
    case_id = case["case_id"]
    before = snapshot(api, case_id)
    assert_error(api.reviewer("GET", f"/cases/{case_id}"), 403, "CASE_OUT_OF_REACH")
    assert_error(api.reviewer("POST", f"/cases/{case_id}/decision", DECISION), 403, "CASE_OUT_OF_REACH")
    assert case_id not in [c["case_id"] for c in api.reviewer("GET", "/cases").data["cases"]]
    assert snapshot(api, case_id) == before


# --- one pushed case, many callers ------------------------------------------------------------


@pytest.fixture(scope="class")
def pushed_case(world: Any) -> Any:
    """One pushed case for a class whose every request must leave it as it was."""
    world.now = NOW
    case_id = pushed(world)
    material_id = world.window("GET", f"/cases/{case_id}").data["materials"][0]["material_id"]
    return world, case_id, material_id, snapshot(world, case_id)


def _window_requests(case_id: str, material_id: str) -> list[tuple[str, str, Any]]:
    return [
        ("GET", f"/cases/{case_id}", None),
        ("GET", f"/cases/{case_id}/notice", None),
        ("POST", f"/cases/{case_id}/materials", declaration("photo", pdf_bytes("photo"))),
        ("POST", f"/cases/{case_id}/materials/{material_id}/confirm", None),
        ("POST", f"/cases/{case_id}/complete", None),
        ("POST", f"/cases/{case_id}/push", None),
        ("POST", f"/cases/{case_id}/notification", {"method": "sms"}),
        ("POST", f"/cases/{case_id}/withdraw", {"reason": "冒名撤回"}),
    ]


WINDOW_ROUTES = ["read", "notice", "register", "confirm", "complete", "push", "notify", "withdraw"]


class TestAPushedCase:
    """Accepted at 310101002, pushed to 230102001."""

    def test_its_own_window_and_reviewer_can_read_it(self, pushed_case):
        api, case_id, _, before = pushed_case
        assert api.window("GET", f"/cases/{case_id}").status_code == 200
        assert api.reviewer("GET", f"/cases/{case_id}").status_code == 200

    @pytest.mark.parametrize("index", range(len(WINDOW_ROUTES)), ids=WINDOW_ROUTES)
    def test_a_window_of_another_unit_can_neither_read_nor_act_on_it(self, pushed_case, index):
        api, case_id, material_id, before = pushed_case
        method, path, body = _window_requests(case_id, material_id)[index]
        response = api.call(method, path, "window", OTHER_SHANGHAI_WINDOW, body)
        assert_error(response, 403, "CASE_OUT_OF_REACH")
        assert snapshot(api, case_id) == before

    @pytest.mark.parametrize("method, suffix, body", [("GET", "", None), ("POST", "/decision", DECISION)])
    def test_a_reviewer_of_another_township_can_neither_read_nor_decide_it(self, pushed_case, method, suffix, body):
        api, case_id, _, before = pushed_case
        response = api.call(method, f"/cases/{case_id}{suffix}", "reviewer", HARBIN_OTHER_TOWNSHIP, body)
        assert_error(response, 403, "CASE_OUT_OF_REACH")
        assert snapshot(api, case_id) == before

    @pytest.mark.parametrize("index", range(1, len(WINDOW_ROUTES)), ids=WINDOW_ROUTES[1:])
    def test_its_reviewer_cannot_call_window_routes(self, pushed_case, index):
        api, case_id, material_id, before = pushed_case
        method, path, body = _window_requests(case_id, material_id)[index]
        response = api.call(method, path, "reviewer", HARBIN_TOWNSHIP, body)
        assert_error(response, 403, "ROLE_NOT_ALLOWED")
        assert snapshot(api, case_id) == before

    def test_its_window_cannot_decide_it(self, pushed_case):
        api, case_id, _, before = pushed_case
        assert_error(api.window("POST", f"/cases/{case_id}/decision", DECISION), 403, "ROLE_NOT_ALLOWED")
        assert snapshot(api, case_id) == before

    @pytest.mark.parametrize("unit", ["23", "31", HARBIN_TOWNSHIP])
    def test_an_admin_cannot_read_it(self, pushed_case, unit):
        api, case_id, _, before = pushed_case
        assert_error(api.call("GET", f"/cases/{case_id}", "admin", unit), 403, "ROLE_NOT_ALLOWED")
        assert_error(api.call("GET", f"/cases/{case_id}/notice", "admin", unit), 403, "ROLE_NOT_ALLOWED")

    @pytest.mark.parametrize("scope", ["23", "2301", "230102", HARBIN_TOWNSHIP, "31", "3101", "310101",
                                       SHANGHAI_WINDOW])
    def test_a_supervisor_over_either_side_can_read_it(self, pushed_case, scope):
        api, case_id, _, before = pushed_case
        response = api.call("GET", f"/cases/{case_id}", "supervisor", scope)
        assert response.status_code == 200, response.data
        assert response.data["case_id"] == case_id
        assert response.data["timeline"] == api.window("GET", f"/cases/{case_id}").data["timeline"]

    @pytest.mark.parametrize("scope", ["44", "2302", "230103", HARBIN_OTHER_TOWNSHIP, "32", "3102", "310104",
                                       OTHER_SHANGHAI_WINDOW])
    def test_a_supervisor_over_neither_side_cannot_read_it(self, pushed_case, scope):
        api, case_id, _, before = pushed_case
        assert_error(api.call("GET", f"/cases/{case_id}", "supervisor", scope), 403, "CASE_OUT_OF_REACH")

    @pytest.mark.parametrize("method, suffix, body", [
        ("POST", "/push", None),
        ("POST", "/decision", DECISION),
        ("POST", "/withdraw", {"reason": "督查撤回"}),
        ("POST", "/notification", {"method": "sms"}),
        ("POST", "/materials", declaration("photo", pdf_bytes("photo"))),
        ("GET", "/notice", None),
    ])
    def test_a_supervisor_can_read_it_but_not_act_on_it(self, pushed_case, method, suffix, body):
        api, case_id, _, before = pushed_case
        response = api.call(method, f"/cases/{case_id}{suffix}", "supervisor", "23", body)
        assert_error(response, 403, "ROLE_NOT_ALLOWED")
        assert snapshot(api, case_id) == before

    def test_nothing_above_changed_the_case(self, pushed_case):
        api, case_id, _, before = pushed_case
        case = api.window("GET", f"/cases/{case_id}").data
        assert case["status"] == "under_review"
        assert [e["event"] for e in case["timeline"]] == (
            ["accepted", "message_sent"] + ["material_received"] * 5
            + ["materials_completed", "pushed", "message_sent"])
        # the case's version counts its chained events; the SMS lines are their messages' and (since 2026-12-06) the
        # receipts that completed nothing are the receipts' own lines (outside the chain): accepted, completed, pushed
        assert case["version"] == len([e for e in case["timeline"] if not e["event"].startswith("message_")
                                       and e["event"] != "material_received"]) == 3


def test_the_province_that_issued_the_id_number_has_no_reach_over_the_case(api):
    """Reach follows the 受理地 and the 业务属地, never the address code of the ID number."""
    person = id_number(region="440103", sequence="333")  # issued in 广州 荔湾区
    case_id = api.window("POST", "/cases", application(person_id=person)).data["case_id"]
    assert_error(api.call("GET", f"/cases/{case_id}", "supervisor", "44"), 403, "CASE_OUT_OF_REACH")
    assert api.call("GET", "/cases", "supervisor", "44").data["cases"] == []
