"""One Idempotency-Key per user action in the console (console/js/api.js): a double click is one request and one
case; a retry after a request that got no answer carries the same key, so the server runs the action once."""
from __future__ import annotations

import pytest

from tests.support.people import SHANGHAI_WINDOW, application, id_number

pytestmark = pytest.mark.browser

POST_TWICE = """async (body) => {
  const api = await import(new URL("js/api.js", location.href).href);
  const [first, second] = await Promise.all([api.post("/cases", body), api.post("/cases", body)]);
  return [first.case_id, second.case_id];
}"""
POST_AFTER_A_LOST_ANSWER = """async (body) => {
  const api = await import(new URL("js/api.js", location.href).href);
  let lost = null;
  try { await api.post("/cases", body); } catch (error) { lost = error.code; }
  const retried = await api.post("/cases", body);
  return [lost, retried.case_id];
}"""


def _keys(page, sent: list[str]) -> None:
    page.on("request", lambda request: sent.append(request.headers.get("idempotency-key", ""))
            if request.method == "POST" and request.url.endswith("/cases") else None)


def test_a_double_click_sends_one_request_with_one_key_and_makes_one_case(desks):
    desk = desks()
    page = desk.sign_in_as("window", SHANGHAI_WINDOW)
    sent: list[str] = []
    _keys(page, sent)

    first, second = page.evaluate(POST_TWICE, application(id_number(sequence="947")))

    assert first == second
    assert len(sent) == 1 and sent[0]


def test_a_retry_after_a_lost_answer_carries_the_same_key_and_the_next_action_a_new_one(desks):
    desk = desks()
    page = desk.sign_in_as("window", SHANGHAI_WINDOW)
    sent: list[str] = []
    _keys(page, sent)
    lost = {"done": False}

    def lose_the_first(route):
        if not lost["done"]:
            lost["done"] = True
            route.abort()
        else:
            route.continue_()

    page.route("**/cases", lose_the_first)
    body = application(id_number(sequence="957"))

    code, case_id = page.evaluate(POST_AFTER_A_LOST_ANSWER, body)

    assert code == "NETWORK" and case_id
    assert len(sent) == 2 and sent[0] == sent[1]
    page.unroute("**/cases")
    again = page.evaluate(POST_TWICE, application(id_number(sequence="967")))
    assert again[0] == again[1] and len(sent) == 3 and sent[2] != sent[0]
