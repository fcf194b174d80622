"""Answers that tell too much (issue 17.8): an unknown case or entitlement is answered exactly as one out of
reach; tokens live at most 24 hours; no error echoes a 10,000-character parameter. (That a wrong ID suffix and an
unknown case number cost the applicant's page the same time is shown on the fakes: tests/unit/test_progress_service.py.)"""
from __future__ import annotations

import time

import jwt

from chalicelib.auth import LOCAL_AUDIENCE, LOCAL_ISSUER
from chalicelib.config import load
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, fresh_application

UNKNOWN_CASE = "C20260924DEADBEEF00"


def test_an_unknown_case_is_answered_as_another_units_case(api):
    case_id = api.window("POST", "/cases", fresh_application()).data["case_id"]
    other_window = "310101003"
    for path in ("", "/notice", "/receipt", "/identity", "/audit"):
        theirs = api.call("GET", f"/cases/{case_id}{path}", "window", other_window)
        unknown = api.call("GET", f"/cases/{UNKNOWN_CASE}{path}", "window", other_window)
        assert (theirs.status_code, theirs.data) == (unknown.status_code, unknown.data) == \
            (403, {"error": {"code": "CASE_OUT_OF_REACH", "field": None,
                             "message": "no case of this number is within your unit's reach"}}), path
    mine = api.call("GET", f"/cases/{UNKNOWN_CASE}", "window", SHANGHAI_WINDOW)
    assert mine.data == unknown.data  # even for a caller who could have read it


def test_a_self_report_is_answered_as_the_progress_lookup_for_a_wrong_suffix_and_an_unknown_case(api):
    """个人主动申报 (issue 16.7) on the public page: never tells whether a case exists."""
    body = fresh_application()
    case_id = api.window("POST", "/cases", body).data["case_id"]
    person = body["applicant"]["id_number"]
    sent = {"change": "moved", "reporter": "self", "note": "迁往广州"}
    wrong = api.call("POST", "/progress/report", body={"case_id": case_id, "id_suffix": "000000", **sent})
    unknown = api.call("POST", "/progress/report", body={"case_id": UNKNOWN_CASE, "id_suffix": person[-6:], **sent})
    lookup = api.call("POST", "/progress", body={"case_id": UNKNOWN_CASE, "id_suffix": person[-6:]})
    assert (wrong.status_code, wrong.data) == (unknown.status_code, unknown.data) == (lookup.status_code, lookup.data)
    long = api.call("POST", "/progress/report", body={"case_id": "9" * 10_000, "id_suffix": "000000", **sent})
    assert long.status_code == 400 and len(long.body) < 2_000


def test_an_unknown_entitlement_is_answered_as_one_out_of_reach(api):
    from tests.integration.test_entitlements import approved_case

    case_id = approved_case(api, fresh_application())
    existing = f"{case_id}-living"
    outsider = ("reviewer", "230102002")
    for method, suffix, body in (("GET", "", None), ("POST", "/status", {"action": "stop"}),
                                 ("POST", "/recoveries", {"amount": "1.00"})):
        theirs = api.call(method, f"/entitlements/{existing}{suffix}", *outsider, body)
        unknown = api.call(method, f"/entitlements/{case_id}-nothing{suffix}", *outsider, body)
        assert (theirs.status_code, theirs.data) == (unknown.status_code, unknown.data), suffix
        assert theirs.data["error"]["code"] == "ENTITLEMENT_OUT_OF_REACH"
    assert api.call("GET", f"/entitlements/{existing}", "reviewer", HARBIN_TOWNSHIP).status_code == 200


def _token(lifetime: int, **extra) -> str:
    now = int(time.time())
    claims = {"sub": "w1", "role": "window", "unit": SHANGHAI_WINDOW, "iss": LOCAL_ISSUER, "aud": LOCAL_AUDIENCE,
              "iat": now, "exp": now + lifetime, **extra}
    return jwt.encode(claims, load().local_jwt_secret, algorithm="HS256")


def test_a_token_that_lives_longer_than_a_day_or_without_iat_is_refused(api):
    headers = {"Content-Type": "application/json", "X-Clock-Now": api.now}
    for token, code in ((_token(25 * 3600), "TOKEN_LIFETIME"), (_token(3600, iat=None), "TOKEN_INVALID")):
        answer = api.client.http.get("/cases", headers={**headers, "Authorization": f"Bearer {token}"})
        assert answer.status_code == 401 and code in answer.body.decode(), answer.body
    fine = api.client.http.get("/cases", headers={**headers, "Authorization": f"Bearer {_token(8 * 3600)}"})
    assert fine.status_code == 200


def test_a_long_parameter_is_never_echoed_back_whole(api):
    long = "9" * 10_000
    for path in (f"/rules/{long}", f"/checks/{long}/2026-10", f"/cases?due_before={long}"):
        answer = api.call("GET", path, "supervisor", "23")
        assert answer.status_code in (400, 403, 404, 422), path
        assert len(answer.body) < 2_000, (path, len(answer.body))


def test_a_401_says_how_to_authenticate(api):
    answer = api.client.http.get("/cases", headers={"X-Clock-Now": api.now})
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")
