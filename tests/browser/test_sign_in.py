"""Sign-in in a deployed stage: OIDC authorization code + PKCE (RFC 7636). The identity provider is
played by the test (Playwright answers its two addresses); the console and the API are the real ones."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.e2e.conftest import token
from tools.console_csp import deployed_policy, with_policy

IDP = "https://idp.example.test"


def test_the_pkce_challenge_is_the_one_rfc_7636_gives_for_its_example_verifier(browser, console_server):
    page = browser.new_page()
    page.goto(f"{console_server}/console/config.json")
    challenge = page.evaluate("""async () => (await import('/console/js/auth.js'))
        .pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')""")
    assert challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    page.close()


def test_a_deployed_console_signs_in_with_code_and_pkce_and_calls_the_api_with_the_id_token(desks, console_server):
    desk = desks()
    page = desk.page
    console = f"{console_server}/console/"
    config = {"stage": "dev", "api": "", "auth": {
        "kind": "oidc", "authorization_endpoint": f"{IDP}/oauth2/authorize", "token_endpoint": f"{IDP}/oauth2/token",
        "client_id": "console-client", "redirect_uri": console, "scope": "openid"}}
    page.route(f"{console}config.json", lambda route: route.fulfill(json=config))
    seen: dict[str, dict[str, list[str]]] = {}

    def authorize(route):  # the IdP signs the person in and sends the browser back with a code
        query = parse_qs(urlsplit(route.request.url).query)
        seen["authorize"] = query
        back = f"{console}?code=the-code&state={query['state'][0]}"  # a new navigation (redirects skip routes)
        route.fulfill(content_type="text/html", body=f"<script>location.replace({json.dumps(back)})</script>")

    def exchange(route):
        form = parse_qs(route.request.post_data or "")
        seen["token"] = form
        route.fulfill(json={"id_token": token("reviewer", "230102001"), "token_type": "Bearer"},
                      headers={"Access-Control-Allow-Origin": "*"})

    def as_deployed(route):  # the page as a deployment serves it: its own policy, naming this identity provider
        response = route.fetch()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-security-policy"}
        page_csp = deployed_policy(config, "https://materials.example.test")
        route.fulfill(response=response, headers=headers, body=with_policy(response.text(), page_csp))

    page.route(lambda url: url == console or url.startswith(console + "?"), as_deployed)
    page.route(f"{IDP}/oauth2/authorize*", authorize)
    page.route(f"{IDP}/oauth2/token", exchange)
    page.goto(console)
    page.get_by_role("button", name="前往统一身份认证登录").click()
    page.wait_for_url(re.compile(r"#/inbox$"))
    expect(page.get_by_role("heading", name="待审核案件（按期限排序）")).to_be_visible()  # the API answered

    asked, exchanged = seen["authorize"], seen["token"]
    assert asked["response_type"] == ["code"] and asked["code_challenge_method"] == ["S256"]
    assert asked["client_id"] == ["console-client"] and asked["redirect_uri"] == [console]
    assert exchanged["code"] == ["the-code"] and exchanged["grant_type"] == ["authorization_code"]
    verifier = exchanged["code_verifier"][0]
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert asked["code_challenge"] == [digest]  # the verifier sent matches the challenge shown first
    assert "code=" not in page.url  # the code leaves the address bar
    stored = json.loads(page.evaluate("sessionStorage.getItem('console.session')"))
    assert (stored["role"], stored["unit"]) == ("reviewer", "230102001")
    assert desk.csp_violations() == []  # the deployed policy lets the token exchange and the API through
