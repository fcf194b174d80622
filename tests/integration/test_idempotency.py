"""Idempotency-Key: a repeat returns the first response and changes nothing."""
from __future__ import annotations

from tests.support.people import fresh_application


def test_a_repeated_acceptance_returns_the_first_case_and_creates_no_second(api):
    body = fresh_application()
    first = api.call("POST", "/cases", "window", "310101002", body, headers={"Idempotency-Key": "accept-0001"})
    again = api.call("POST", "/cases", "window", "310101002", body, headers={"Idempotency-Key": "accept-0001"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.data["case_id"] == first.data["case_id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    cases = api.window("GET", "/cases").data["cases"]
    assert [c["case_id"] for c in cases].count(first.data["case_id"]) == 1 and len(cases) == 1


def test_a_repeated_transition_answers_as_the_first_time_and_the_timeline_holds_one_event(api):
    case = api.ready_case(fresh_application())
    path = f"/cases/{case['case_id']}/complete"
    first = api.call("POST", path, "window", "310101002", headers={"Idempotency-Key": "complete-0001"})
    again = api.call("POST", path, "window", "310101002", headers={"Idempotency-Key": "complete-0001"})
    without_key = api.window("POST", path)
    assert (first.status_code, again.status_code, without_key.status_code) == (200, 200, 409)
    assert again.data["version"] == first.data["version"]
    events = [e["event"] for e in api.window("GET", f"/cases/{case['case_id']}").data["timeline"]]
    assert events.count("materials_completed") == 1


def test_a_refusal_is_remembered_too_and_a_key_reused_for_another_body_is_refused(api):
    bad = fresh_application()
    bad["subsidies"] = ["pension"]
    first = api.call("POST", "/cases", "window", "310101002", bad, headers={"Idempotency-Key": "refused-0001"})
    again = api.call("POST", "/cases", "window", "310101002", bad, headers={"Idempotency-Key": "refused-0001"})
    assert (first.status_code, again.status_code) == (422, 422) and again.data == first.data
    other = api.call("POST", "/cases", "window", "310101002", fresh_application(),
                     headers={"Idempotency-Key": "refused-0001"})
    assert (other.status_code, other.data["error"]["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert api.window("GET", "/cases").data["cases"] == []


def test_keys_belong_to_their_caller_and_must_be_well_formed(api):
    body = fresh_application()
    mine = api.call("POST", "/cases", "window", "310101002", body, headers={"Idempotency-Key": "shared-key-01"})
    theirs = api.call("POST", "/cases", "window", "310101003", fresh_application(),
                      headers={"Idempotency-Key": "shared-key-01"})
    assert mine.status_code == 201 and theirs.status_code == 201
    assert theirs.data["case_id"] != mine.data["case_id"]
    short = api.call("POST", "/cases", "window", "310101002", body, headers={"Idempotency-Key": "x"})
    assert (short.status_code, short.data["error"]["code"]) == (400, "IDEMPOTENCY_KEY_FORMAT")
