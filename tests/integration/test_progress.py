"""The public progress route (进度查询): milestones only, one answer for wrong and unknown, limits against guessing."""
from __future__ import annotations

import json
from typing import Any

from chalicelib.config import load
from tests.support.people import fresh_application

DECISION = {"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "99.00"},
                                                 {"type": "nursing", "monthly_amount": "99.00"}],
            "reason": "符合条件"}
ALLOWED_KEYS = {"case_id", "status", "milestones", "code", "label", "on", "outcome"}


def lookup(api: Any, case_id: str, suffix: str, now: str | None = None) -> Any:
    headers = {"X-Clock-Now": now} if now else None
    return api.call("POST", "/progress", body={"case_id": case_id, "id_suffix": suffix}, headers=headers)


def decided_case(api: Any) -> tuple[dict[str, Any], str]:
    body = fresh_application()
    case = api.ready_case(body)
    case_id = case["case_id"]
    assert api.window("POST", f"/cases/{case_id}/complete").status_code == 200
    assert api.window("POST", f"/cases/{case_id}/push").status_code == 200
    decided = api.reviewer("POST", f"/cases/{case_id}/decision", DECISION)
    assert decided.status_code == 200, decided.data
    return decided.data, body["applicant"]["id_number"]


def keys_and_strings(value: Any) -> tuple[set[str], list[str]]:
    """Every key and every string anywhere in a JSON value."""
    if isinstance(value, dict):
        keys, strings = set(value), []
        for item in value.values():
            more_keys, more_strings = keys_and_strings(item)
            keys |= more_keys
            strings += more_strings
        return keys, strings
    if isinstance(value, list):
        keys, strings = set(), []
        for item in value:
            more_keys, more_strings = keys_and_strings(item)
            keys |= more_keys
            strings += more_strings
        return keys, strings
    return set(), [value] if isinstance(value, str) else []


def test_the_right_suffix_shows_the_status_and_the_dated_milestones_with_no_token(api):
    case, person_id = decided_case(api)

    response = lookup(api, case["case_id"], person_id[-6:])

    assert response.status_code == 200, response.data
    assert response.data["case_id"] == case["case_id"]
    assert response.data["status"] == {"code": "result_returned", "label": "已作出决定，待告知"}
    assert [m["code"] for m in response.data["milestones"]] == ["accepted", "pushed", "decided"]
    assert all(m["on"] == "2026-09-24" for m in response.data["milestones"])
    assert response.data["milestones"][-1]["outcome"] == {"code": "approved", "label": "予以认定"}


def test_the_answer_holds_only_the_allowed_keys_and_no_name_number_phone_amount_or_reason(api):
    case, person_id = decided_case(api)

    answer = lookup(api, case["case_id"], person_id[-6:]).data

    keys, strings = keys_and_strings(answer)
    assert keys <= ALLOWED_KEYS, keys - ALLOWED_KEYS
    text = json.dumps(answer, ensure_ascii=False)
    for secret in (person_id, person_id[-6:], "张三", "13800000000", "99.00", "符合条件",
                   case["accepting_unit"], case["business_unit"], "reviewer", "window"):
        assert secret not in text, secret
    assert all(len(s) <= 40 for s in strings)


def test_a_lower_case_x_matches_a_final_x(api):
    for sequence in range(1, 200):
        body = fresh_application(sequence=f"{sequence:03d}")
        if body["applicant"]["id_number"].endswith("X"):
            break
    person_id = body["applicant"]["id_number"]
    assert person_id.endswith("X")
    case = api.window("POST", "/cases", body).data

    response = lookup(api, case["case_id"].lower(), person_id[-6:].lower())

    assert response.status_code == 200, response.data


def test_a_wrong_suffix_and_an_unknown_case_give_the_same_404(api):
    case, person_id = decided_case(api)
    wrong = "000000" if person_id[-6:] != "000000" else "111111"

    wrong_suffix = lookup(api, case["case_id"], wrong)
    unknown_case = lookup(api, "C20260924FFFFFFFFFF", person_id[-6:])

    assert wrong_suffix.status_code == unknown_case.status_code == 404
    assert wrong_suffix.body == unknown_case.body
    assert wrong_suffix.data["error"]["code"] == "PROGRESS_NOT_FOUND"


def test_a_malformed_lookup_is_400_in_the_api_format(api):
    for body, field in (({"case_id": "C1", "id_suffix": "12345"}, "id_suffix"),
                        ({"case_id": "C-1", "id_suffix": "123456"}, "case_id"), ([], "body")):
        response = api.call("POST", "/progress", body=body)
        assert response.status_code == 400, response.data
        assert response.data["error"]["field"] == field


def test_five_wrong_suffixes_lock_the_case_for_the_day_even_for_the_right_suffix(api):
    case, person_id = decided_case(api)
    limit = load().progress_case_failures
    for _ in range(limit):
        assert lookup(api, case["case_id"], "000000").status_code == 404

    locked = lookup(api, case["case_id"], person_id[-6:], now="2026-09-24T10:00:00+08:00")
    same_day_later = lookup(api, case["case_id"], person_id[-6:], now="2026-09-24T23:59:00+08:00")
    next_day = lookup(api, case["case_id"], person_id[-6:], now="2026-09-25T00:00:01+08:00")

    assert locked.status_code == 429 and locked.data["error"]["code"] == "CASE_LOCKED"
    assert locked.headers["Retry-After"] == str(14 * 3600)  # until midnight, Asia/Shanghai
    assert same_day_later.status_code == 429 and same_day_later.headers["Retry-After"] == "60"
    assert next_day.status_code == 200, next_day.data


def test_right_lookups_do_not_use_up_the_cases_tries(api):
    case, person_id = decided_case(api)
    for _ in range(load().progress_case_failures - 1):
        assert lookup(api, case["case_id"], "000000").status_code == 404
    for _ in range(3):
        assert lookup(api, case["case_id"], person_id[-6:]).status_code == 200
    assert lookup(api, case["case_id"], "000000").status_code == 404
    assert lookup(api, case["case_id"], person_id[-6:]).status_code == 429


def test_an_unknown_case_number_locks_like_an_existing_one(api):
    for _ in range(load().progress_case_failures):
        assert lookup(api, "C20260924FFFFFFFFFF", "123456").status_code == 404

    assert lookup(api, "C20260924FFFFFFFFFF", "123456").data["error"]["code"] == "CASE_LOCKED"


def test_the_client_limit_answers_429_with_retry_after_until_the_window_ends(api):
    limit = load().progress_client_lookups
    for n in range(limit):  # every lookup counts, each on another case number
        assert lookup(api, f"C20260924{n:010d}", "123456").status_code == 404

    refused = lookup(api, "C20260924AAAAAAAAAA", "123456", now="2026-09-24T10:03:20+08:00")
    malformed = api.call("POST", "/progress", raw="{", headers={"X-Clock-Now": "2026-09-24T10:05:00+08:00"})
    next_window = lookup(api, "C20260924AAAAAAAAAA", "123456", now="2026-09-24T10:10:00+08:00")

    assert refused.status_code == 429 and refused.data["error"]["code"] == "TOO_MANY_LOOKUPS"
    assert refused.headers["Retry-After"] == "400"
    assert malformed.status_code == 429
    assert next_window.status_code == 404


def test_the_page_the_qr_code_opens_is_a_static_form_that_posts_json(api):
    response = api.client.http.get("/progress?case=C2026%3Cscript%3E", headers={})

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.body.decode()
    assert "身份证号后六位" in page and "C2026" not in page  # the same bytes for everyone: nothing reflected
    assert "script-src 'sha256-" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
