"""End to end over HTTP: the public progress route counts lookups per source address (the address
comes from the request context, which the local server fills as API Gateway does)."""
from __future__ import annotations

import pytest
import requests

from tests.e2e.conftest import token
from tests.support.people import SHANGHAI_WINDOW, fresh_application

pytestmark = pytest.mark.e2e
DAY = "2031-03-03T10:00:00+08:00"  # a window of its own: no other test counts in it


def test_the_progress_page_and_lookup_work_over_http_and_the_client_limit_answers_429(server):
    window = {"Authorization": f"Bearer {token('window', SHANGHAI_WINDOW)}", "X-Clock-Now": DAY}
    body = fresh_application()
    accepted = requests.post(f"{server}/cases", json=body, headers=window, timeout=30)
    assert accepted.status_code == 201, accepted.text
    case_id = accepted.json()["case_id"]

    page = requests.get(f"{server}/progress", params={"case": case_id}, timeout=30)
    found = requests.post(f"{server}/progress", timeout=30, headers={"X-Clock-Now": DAY},
                          json={"case_id": case_id, "id_suffix": body["applicant"]["id_number"][-6:]})
    answers = [requests.post(f"{server}/progress", timeout=30, headers={"X-Clock-Now": DAY},
                             json={"case_id": f"C20310303{n:010d}", "id_suffix": "123456"}).status_code
               for n in range(25)]

    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert found.status_code == 200, found.text
    assert found.json()["milestones"][0] == {"code": "accepted", "label": "受理", "on": "2031-03-03"}
    assert answers == [404] * 19 + [429] * 6  # 20 per window, the first lookup included
    refused = requests.post(f"{server}/progress", timeout=30, headers={"X-Clock-Now": DAY},
                            json={"case_id": case_id, "id_suffix": "123456"})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "600"
    assert refused.json()["error"]["code"] == "TOO_MANY_LOOKUPS"
