"""Deployed-stage identity: RS256 against the issuer's JWKS; HS256 impossible outside the local stage."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib import config as settings
from chalicelib.auth import authenticate, issue_local_token
from chalicelib.domain.errors import Unauthenticated

ISSUER, AUDIENCE = "https://idp.example.test/pool", "subsidy-api"
OLD, NEW = rsa.generate_private_key(public_exponent=65537, key_size=2048), rsa.generate_private_key(
    public_exponent=65537, key_size=2048)


def jwk(key: rsa.RSAPrivateKey, kid: str) -> dict:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return dict(public, kid=kid, use="sig", alg="RS256")


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    document = json.dumps({"keys": [jwk(OLD, "2026-old"), jwk(NEW, "2026-new")]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()


def deployed(jwks_url: str) -> settings.Config:
    local = settings.Config(stage="dev", region="cn-north-1", prefix="subsidy-dev", materials_bucket="m",
                            audit_bucket="a", results_topic_arn="r", escalations_topic_arn="e",
                            reminders_topic_arn="m", clock_state_machine_arn="c", seconds_per_working_day=None,
                            local_jwt_secret=None, jwt_issuer=ISSUER, jwt_audience=AUDIENCE, jwks_url=jwks_url,
                            max_material_bytes=1, person_key_secret=b"x" * 32)
    return local


def token(key: rsa.RSAPrivateKey, kid: str, **claims: object) -> str:
    now = int(time.time())
    body = {"sub": "u1", "role": "reviewer", "unit": "230102001", "iss": ISSUER, "aud": AUDIENCE,
            "iat": now, "exp": now + 600, **claims}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def test_a_token_signed_by_either_published_key_verifies(jwks_url):
    config = deployed(jwks_url)
    for key, kid in ((OLD, "2026-old"), (NEW, "2026-new")):
        actor = authenticate(f"Bearer {token(key, kid)}", config)
        assert (actor.sub, actor.role, actor.unit) == ("u1", "reviewer", "230102001")


@pytest.mark.parametrize("claims, code", [
    ({"iss": "https://someone-else.test"}, "TOKEN_INVALID"),
    ({"aud": "another-api"}, "TOKEN_INVALID"),
    ({"exp": int(time.time()) - 120}, "TOKEN_EXPIRED"),
    ({"role": "root"}, "TOKEN_ROLE"),
])
def test_issuer_audience_expiry_and_role_are_checked(jwks_url, claims, code):
    with pytest.raises(Unauthenticated) as raised:
        authenticate(f"Bearer {token(NEW, '2026-new', **claims)}", deployed(jwks_url))
    assert raised.value.code == code


def test_a_key_the_issuer_does_not_publish_or_a_wrong_kid_is_refused(jwks_url):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for bad in (token(stranger, "2026-new"), token(NEW, "2026-old"), token(NEW, "unknown-kid")):
        with pytest.raises(Unauthenticated):
            authenticate(f"Bearer {bad}", deployed(jwks_url))


def test_a_small_clock_skew_is_tolerated(jwks_url):
    fresh = token(NEW, "2026-new", iat=int(time.time()) + 20, exp=int(time.time()) - 10)
    assert authenticate(f"Bearer {fresh}", deployed(jwks_url)).sub == "u1"


def test_the_local_hs256_path_cannot_be_used_in_a_deployed_stage(jwks_url, monkeypatch):
    local_token = issue_local_token(settings.DEFAULT_LOCAL_JWT_SECRET, "w", "window", "310101002")
    with pytest.raises(Unauthenticated):
        authenticate(f"Bearer {local_token}", deployed(jwks_url))
    monkeypatch.setenv("STAGE", "dev")
    monkeypatch.setenv("LOCAL_JWT_SECRET", "attacker-sets-this-in-a-deployed-stage-0000")
    for name, value in (("JWKS_URL", jwks_url), ("JWT_ISSUER", ISSUER), ("JWT_AUDIENCE", AUDIENCE),
                        ("PERSON_KEY_SECRET", "p" * 40)):
        monkeypatch.setenv(name, value)
    settings.load.cache_clear()
    try:
        loaded = settings.load()
        assert loaded.local_jwt_secret is None  # never read outside the local stage
        monkeypatch.delenv("JWKS_URL")
        settings.load.cache_clear()
        with pytest.raises(RuntimeError):
            settings.load()
    finally:
        settings.load.cache_clear()


def test_a_missing_claim_is_named_and_claims_of_the_wrong_type_are_refused_not_a_500():
    import jwt as pyjwt

    from chalicelib.auth import LOCAL_AUDIENCE, LOCAL_ISSUER, authenticate
    from chalicelib.config import load
    from chalicelib.domain.errors import Unauthenticated

    secret, now = load().local_jwt_secret, int(time.time())
    base = {"sub": "u1", "role": "window", "unit": "310101002", "iat": now, "exp": now + 60, "iss": LOCAL_ISSUER,
            "aud": LOCAL_AUDIENCE}
    for changed, code, said in (({"iss": None}, "TOKEN_INVALID", "'iss'"), ({"aud": None}, "TOKEN_INVALID", "'aud'"),
                                ({"role": ["window"]}, "TOKEN_ROLE", "role"), ({"unit": 310101002}, "TOKEN_UNIT", "unit"),
                                ({"sub": ""}, "TOKEN_SUB", "sub"), ({"iss": "elsewhere"}, "TOKEN_INVALID", "iss")):
        claims = {k: v for k, v in {**base, **changed}.items() if v is not None}
        with pytest.raises(Unauthenticated) as refused:
            authenticate(f"Bearer {pyjwt.encode(claims, secret, algorithm='HS256')}", load())
        assert refused.value.code == code and said in refused.value.message, (changed, refused.value.message)


def test_importing_the_app_loads_no_jwt_library_a_scheduled_function_never_reads_a_token():
    """PyJWT and cryptography (~60 ms) load with the first token checked (chalicelib/auth.py), not at import."""
    import os
    import subprocess
    import sys

    script = "import sys, app; assert not [m for m in sys.modules if m.split('.')[0] in ('jwt', 'cryptography')]"
    child = subprocess.run([sys.executable, "-c", script], env={**os.environ, "STAGE": "local"},
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
