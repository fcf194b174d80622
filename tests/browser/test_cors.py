"""CORS for a console served from another origin (CONSOLE_ORIGIN), over HTTP: the Chalice test client
crashes on preflight (aws/chalice#2083). The server here was started with --console-origin."""
from __future__ import annotations

import requests

from tests.browser.conftest import CONSOLE_ORIGIN
from tests.e2e.conftest import token


def test_a_preflight_names_only_the_configured_console_origin_and_the_headers_the_console_sends(console_server):
    answer = requests.options(f"{console_server}/cases", timeout=10, headers={
        "Origin": CONSOLE_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,idempotency-key"})
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == CONSOLE_ORIGIN
    allowed = {h.strip().lower() for h in answer.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key"} <= allowed
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]


def test_another_origin_is_never_named_so_its_browser_refuses_to_read_the_answer(console_server):
    for method, path in (("OPTIONS", "/cases"), ("GET", "/cases")):
        answer = requests.request(method, f"{console_server}{path}", timeout=10, headers={
            "Origin": "http://evil.example.test", "Access-Control-Request-Method": "GET"})
        assert answer.headers.get("Access-Control-Allow-Origin") in (None, CONSOLE_ORIGIN)
        assert "evil" not in str(answer.headers)


def test_cors_grants_nothing_by_itself_every_request_still_needs_a_token_and_a_rule(console_server):
    anonymous = requests.get(f"{console_server}/cases", headers={"Origin": CONSOLE_ORIGIN}, timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "TOKEN_MISSING"
    reviewer = {"Authorization": f"Bearer {token('reviewer', '230102001')}", "Origin": CONSOLE_ORIGIN}
    refused = requests.post(f"{console_server}/cases", json={}, headers=reviewer, timeout=10)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "ROLE_NOT_ALLOWED"
    assert refused.headers["Access-Control-Allow-Origin"] == CONSOLE_ORIGIN  # the console can read the refusal
    public = requests.get(f"{console_server}/health", headers={"Origin": CONSOLE_ORIGIN}, timeout=10)
    assert "Access-Control-Allow-Origin" not in public.headers  # the public routes need no console


def test_the_local_token_picker_lives_beside_the_api_not_in_it(console_server):
    issued = requests.post(f"{console_server}/console/local/token", json={"sub": "sh-window-01"}, timeout=10)
    assert issued.status_code == 200 and issued.json()["role"] == "window"
    refused = requests.post(f"{console_server}/console/local/token", json={"role": "window", "unit": "31010"},
                            timeout=10)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "unit"
    from app import app

    assert not [path for path in app.routes if "token" in path or path.startswith("/console")]
    for escape in ("/console/../app.py", "/console/%2e%2e/app.py", "/console/..%2fapp.py", "/console//etc/passwd"):
        answer = requests.get(f"{console_server}{escape}", timeout=10)
        assert answer.status_code in (403, 404) and "register_blueprint" not in answer.text, escape  # never a file outside
