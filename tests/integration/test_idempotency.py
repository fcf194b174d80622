"""Idempotency-Key: a repeat returns the first response and changes nothing."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from chalicelib.adapters.idempotency_table import IdempotencyKeys
from chalicelib.services import idempotency
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
    path = f"/cases/{case['case_id']}/push"
    first = api.call("POST", path, "window", "310101002", headers={"Idempotency-Key": "push-0001"})
    again = api.call("POST", path, "window", "310101002", headers={"Idempotency-Key": "push-0001"})
    without_key = api.window("POST", path)
    assert (first.status_code, again.status_code, without_key.status_code) == (200, 200, 409)
    assert again.data["version"] == first.data["version"]
    events = [e["event"] for e in api.window("GET", f"/cases/{case['case_id']}").data["timeline"]]
    assert events.count("pushed") == 1


def test_a_refusal_changed_nothing_so_it_is_not_remembered_and_a_key_used_once_refuses_another_body(api):
    bad = fresh_application()
    bad["subsidies"] = ["pension"]
    first = api.call("POST", "/cases", "window", "310101002", bad, headers={"Idempotency-Key": "refused-0001"})
    again = api.call("POST", "/cases", "window", "310101002", bad, headers={"Idempotency-Key": "refused-0001"})
    assert (first.status_code, again.status_code) == (422, 422) and again.data == first.data
    assert again.headers.get("Idempotent-Replayed") is None  # run again: a 422 may depend on the state
    assert api.window("GET", "/cases").data["cases"] == []
    body = fresh_application()
    done = api.call("POST", "/cases", "window", "310101002", body, headers={"Idempotency-Key": "refused-0001"})
    other = api.call("POST", "/cases", "window", "310101002", fresh_application(),
                     headers={"Idempotency-Key": "refused-0001"})
    assert done.status_code == 201
    assert (other.status_code, other.data["error"]["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert len(api.window("GET", "/cases").data["cases"]) == 1


def test_keys_belong_to_their_caller_and_must_be_well_formed(api):
    body = fresh_application()
    mine = api.call("POST", "/cases", "window", "310101002", body, headers={"Idempotency-Key": "shared-key-01"})
    theirs = api.call("POST", "/cases", "window", "310101003", fresh_application(),
                      headers={"Idempotency-Key": "shared-key-01"})
    assert mine.status_code == 201 and theirs.status_code == 201
    assert theirs.data["case_id"] != mine.data["case_id"]
    short = api.call("POST", "/cases", "window", "310101002", body, headers={"Idempotency-Key": "x"})
    assert (short.status_code, short.data["error"]["code"]) == (400, "IDEMPOTENCY_KEY_FORMAT")


def test_a_retryable_refusal_is_not_remembered_so_the_retry_with_the_same_key_runs(api):
    case = api.window("POST", "/cases", fresh_application()).data
    path = f"/cases/{case['case_id']}/complete"
    early = api.call("POST", path, "window", "310101002", headers={"Idempotency-Key": "complete-early-01"})
    assert (early.status_code, early.data["error"]["code"]) == (422, "MATERIALS_MISSING")
    for item in case["notice"]["materials"]:
        api.upload(case["case_id"], item["code"])
    again = api.call("POST", path, "window", "310101002", headers={"Idempotency-Key": "complete-early-01"})
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") is None
    assert again.data["status"] == "awaiting_push"
    pushed = api.call("POST", f"/cases/{case['case_id']}/push", "window", "310101002",
                      headers={"Idempotency-Key": "push-0001"})
    assert pushed.status_code == 200
    twice = api.call("POST", path, "window", "310101002", headers={"Idempotency-Key": "complete-again-01"})
    assert (twice.status_code, twice.data["error"]["code"]) == (409, "INVALID_TRANSITION")
    idempotency_keys = IdempotencyKeys()
    key = idempotency.scoped_key("complete-again-01", "window-310101002", "POST",
                                 json.dumps([path, {"case_id": case["case_id"]}], sort_keys=True))
    assert idempotency_keys.claim(key, "x", api.now, 0, 1, 2) is None  # the 409 was forgotten: the key is free


def test_the_quoted_key_form_is_the_same_key_and_a_body_is_compared_as_json(api):
    body = fresh_application()
    first = api.call("POST", "/cases", "window", "310101002", body, headers={"Idempotency-Key": '"quoted-key-01"'})
    respaced = json.dumps(dict(reversed(list(body.items()))), indent=2, ensure_ascii=False)
    again = api.call("POST", "/cases", "window", "310101002", raw=respaced,
                     headers={"Idempotency-Key": "quoted-key-01"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.data["case_id"] == first.data["case_id"]
    assert len(api.window("GET", "/cases").data["cases"]) == 1


def test_a_key_left_running_by_a_dead_request_blocks_until_its_lease_ends_then_the_retry_runs(api):
    body = fresh_application()
    key = idempotency.scoped_key("dead-request-01", "window-310101002", "POST", json.dumps(["/cases", {}]))
    started = datetime.fromisoformat(api.now)
    IdempotencyKeys().claim(key, idempotency.fingerprint(json.dumps(body).encode()), started.isoformat(),
                            int(started.timestamp()), int(started.timestamp()) + idempotency.LEASE_SECONDS,
                            int(started.timestamp()) + idempotency.KEEP_SECONDS)
    blocked = api.call("POST", "/cases", "window", "310101002", body, headers={"Idempotency-Key": "dead-request-01"})
    assert (blocked.status_code, blocked.data["error"]["code"]) == (409, "IDEMPOTENCY_IN_PROGRESS")
    api.now = (started + timedelta(seconds=idempotency.LEASE_SECONDS + 1)).isoformat()
    taken_over = api.call("POST", "/cases", "window", "310101002", body,
                          headers={"Idempotency-Key": "dead-request-01"})
    assert taken_over.status_code == 201 and taken_over.headers.get("Idempotent-Replayed") is None
    replayed = api.call("POST", "/cases", "window", "310101002", body, headers={"Idempotency-Key": "dead-request-01"})
    assert replayed.headers.get("Idempotent-Replayed") == "true"


def test_the_lease_outlasts_the_api_functions_timeout():
    config = json.loads((Path(__file__).resolve().parents[2] / ".chalice" / "config.json").read_text())
    timeouts = [config.get("lambda_timeout", 60)] + [stage.get("lambda_timeout", config.get("lambda_timeout", 60))
                                                      for stage in config["stages"].values()]
    assert idempotency.API_TIMEOUT_SECONDS >= max(timeouts)
    assert idempotency.LEASE_SECONDS > idempotency.API_TIMEOUT_SECONDS
