"""Over HTTP (the local server): every answer carries the request's correlation id."""
from __future__ import annotations

import requests

from tests.e2e.conftest import token


def test_over_http_the_correlation_id_comes_back_on_answers_and_errors_alike(server):
    sent = {"X-Correlation-Id": "e2e-check-0001"}
    assert requests.get(f"{server}/health", headers=sent, timeout=10).headers["X-Correlation-Id"] == "e2e-check-0001"
    refused = requests.get(f"{server}/cases", headers=sent, timeout=10)  # no token
    assert refused.status_code == 401 and refused.headers["X-Correlation-Id"] == "e2e-check-0001"
    missing = requests.get(f"{server}/cases/CNOSUCHCASE", timeout=10,
                           headers={"Authorization": f"Bearer {token('window', '310101002')}"})
    assert missing.status_code == 403 and len(missing.headers["X-Correlation-Id"]) >= 8  # as out of reach
