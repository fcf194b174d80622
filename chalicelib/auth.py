"""Who is calling: a verified JWT turned into an ``Actor``.

Deployed stages verify RS256 signatures against the issuer's JWKS (key chosen by ``kid``),
with issuer, audience and expiry checked. The local stage alone verifies HS256 tokens signed
with ``LOCAL_JWT_SECRET``; the HS256 path cannot be reached elsewhere because the secret is
never loaded outside the local stage (see ``config.load``).

PyJWT (and the cryptography it loads for RS256) is imported with the first token checked, not with the
module: the scheduled functions and the SQS worker import ``app`` and never read a token (~60 ms of every
cold start of theirs, docs/decisions.md 2026-12-06); the API pays it once, on its first request.
"""
from __future__ import annotations

import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .config import Config
from .domain.access import ROLES
from .domain.cases.case import Actor
from .domain.errors import Unauthenticated
from .domain.units import is_committee, is_scope_code

if TYPE_CHECKING:
    import jwt

LEEWAY_SECONDS = 30
# the longest a token may live (exp - iat): an identity provider issues hours, never a standing key
MAX_TOKEN_SECONDS = 24 * 3600
LOCAL_ISSUER = "subsidy-local"
LOCAL_AUDIENCE = "subsidy-api"


@lru_cache(maxsize=4)
def _jwks(url: str) -> jwt.PyJWKClient:
    import jwt

    return jwt.PyJWKClient(url, cache_keys=True, lifespan=300)


def _claims(token: str, config: Config) -> dict[str, Any]:
    import jwt

    if config.is_local:
        assert config.local_jwt_secret is not None
        return jwt.decode(token, config.local_jwt_secret, algorithms=["HS256"], audience=LOCAL_AUDIENCE,
                          issuer=LOCAL_ISSUER, leeway=LEEWAY_SECONDS, options={"require": ["exp", "iat", "sub"]})
    assert config.jwks_url is not None
    key = _jwks(config.jwks_url).get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=["RS256"], audience=config.jwt_audience,
                      issuer=config.jwt_issuer, leeway=LEEWAY_SECONDS, options={"require": ["exp", "iat", "sub"]})


def authenticate(authorization: str | None, config: Config) -> Actor:
    if not authorization:
        raise Unauthenticated("TOKEN_MISSING", "send Authorization: Bearer <token>", "Authorization")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("TOKEN_MALFORMED", "the Authorization header must be 'Bearer <token>'", "Authorization")
    import jwt

    try:
        claims = _claims(token.strip(), config)
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("TOKEN_EXPIRED", "the token has expired", "Authorization") from None
    except jwt.MissingRequiredClaimError as error:
        raise Unauthenticated("TOKEN_INVALID", f"the token lacks the {error.claim!r} claim (tokens carry sub, exp, "
                              f"iat, iss and aud; the local stage's iss is {LOCAL_ISSUER!r}, its aud {LOCAL_AUDIENCE!r})",
                              "Authorization") from None
    except jwt.InvalidIssuerError:
        raise Unauthenticated("TOKEN_INVALID", "the token's iss claim is not this API's issuer", "Authorization") from None
    except jwt.InvalidAudienceError:
        raise Unauthenticated("TOKEN_INVALID", "the token's aud claim is not this API", "Authorization") from None
    except (jwt.InvalidTokenError, jwt.PyJWKClientError) as error:
        raise Unauthenticated("TOKEN_INVALID", f"the token does not verify: {type(error).__name__}",
                              "Authorization") from None
    lifetime = claims.get("exp", 0) - claims.get("iat", 0) if all(
        isinstance(claims.get(k), (int, float)) for k in ("exp", "iat")) else None
    if lifetime is None or lifetime > MAX_TOKEN_SECONDS:
        raise Unauthenticated("TOKEN_LIFETIME", f"a token may live at most {MAX_TOKEN_SECONDS // 3600} hours "
                              "(exp - iat)", "Authorization")
    role, unit, sub = claims.get("role"), claims.get("unit"), claims.get("sub")
    if not isinstance(sub, str) or not sub.strip():
        raise Unauthenticated("TOKEN_SUB", "the token's sub claim must be a non-empty string", "Authorization")
    if not isinstance(role, str) or role not in ROLES:
        raise Unauthenticated("TOKEN_ROLE", "the token's role is not one this API knows", "Authorization")
    if role == "committee" and not is_committee(unit):
        raise Unauthenticated("TOKEN_UNIT", "a committee's unit is its 12-digit code", "Authorization")
    if role == "sms_gateway" and not (is_scope_code(unit) and len(str(unit)) == 2):
        raise Unauthenticated("TOKEN_UNIT", "an SMS gateway's unit is its 2-digit province", "Authorization")
    if not isinstance(unit, str) or role != "committee" and not is_scope_code(unit):
        raise Unauthenticated("TOKEN_UNIT", "the token's unit is not a 2, 4, 6 or 9 digit code", "Authorization")
    return Actor(sub=sub, name=str(claims.get("name", "")), role=role, unit=unit)


def issue_local_token(secret: str, sub: str, role: str, unit: str, name: str = "", ttl: int = 12 * 3600) -> str:
    """A token the local stage accepts (``python -m tools.token``)."""
    import jwt

    now = int(time.time())
    claims = {"sub": sub, "name": name or sub, "role": role, "unit": unit, "iat": now, "exp": now + ttl,
              "iss": LOCAL_ISSUER, "aud": LOCAL_AUDIENCE}
    return jwt.encode(claims, secret, algorithm="HS256")
