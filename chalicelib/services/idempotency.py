"""Idempotency-Key on every POST and PUT: a repeat of a finished action returns its answer and changes nothing.

Keys are scoped to the caller and the route (``sub``, method, path), so one user's key never answers another's
request; reusing a key for a different body (compared as JSON, not as bytes) is refused rather than replayed.
Only final answers are remembered (``is_final``): a success, or a refusal of the request's own form (400, 413, 415).
Any other answer may differ when retried — a 409 (someone changed the case first, or it was not ready yet), a 422
that depends on the case (MATERIALS_MISSING), a 401, 403, 404, 429 or 5xx — and changed nothing, so the key is
forgotten and the retry runs. A key is held while
its request runs for ``LEASE_SECONDS`` at most — the function's timeout and a margin — so a request whose function
died leaves a key the next retry takes over. The header may be the IETF draft's quoted form
(``Idempotency-Key: "8e03…"``, an sf-string) or bare.

Not Powertools' idempotency utility: it remembers whatever the function returns (forgetting a non-final answer
would mean raising it), keys its records by a hash over one event rather than by caller and route, and its
in-progress expiry reads the Lambda context's remaining time, which the local stage and the tests do not have.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Protocol

from msgspec import Struct

from ..domain.errors import Conflict, Invalid, Malformed

KEY = re.compile(r"[A-Za-z0-9_\-:.]{8,128}")
KEEP_SECONDS = 7 * 24 * 3600
API_TIMEOUT_SECONDS = 60  # the API function's timeout (Chalice's default lambda_timeout; .chalice/config.json)
LEASE_SECONDS = API_TIMEOUT_SECONDS + 30  # a running request holds its key this long at most
FINAL_REFUSALS = frozenset({400, 413, 415})  # the request itself is unreadable: refused again whatever the state


class Memory(Protocol):
    @property
    def fingerprint(self) -> str: ...
    @property
    def status(self) -> int | None: ...
    @property
    def body(self) -> str | None: ...


class Keys(Protocol):
    def claim(self, key: str, fingerprint: str, at: str, now: int, lease_until: int,
              expires_at: int) -> Memory | None: ...
    def complete(self, key: str, status: int, body: str) -> None: ...
    def release(self, key: str) -> None: ...


class Replay(Struct, frozen=True):
    status: int
    body: str


def header_key(header: str) -> str:
    """The key of the header, bare or as the IETF draft's sf-string ("…")."""
    value = header.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not KEY.fullmatch(value):
        raise Malformed("IDEMPOTENCY_KEY_FORMAT", "Idempotency-Key: 8-128 characters of A-Z a-z 0-9 _ - : ., "
                        "bare or in double quotes", "Idempotency-Key")
    return value


def scoped_key(header: str, sub: str, method: str, path: str) -> str:
    return hashlib.sha256(f"{sub}\n{method}\n{path}\n{header_key(header)}".encode()).hexdigest()


def fingerprint(body: bytes) -> str:
    """The body's digest as JSON (key order and spacing do not matter), or as bytes when it is not JSON."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError, RecursionError):
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def begin(keys: Keys, key: str, body: bytes, now: datetime) -> Replay | None:
    """None: run the request (this call holds the key). A Replay: answer with it and do nothing."""
    digest = fingerprint(body)
    seconds = int(now.timestamp())
    remembered = keys.claim(key, digest, now.isoformat(), seconds, seconds + LEASE_SECONDS, seconds + KEEP_SECONDS)
    if remembered is None:
        return None
    if remembered.fingerprint != digest:
        raise Invalid("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with a different body",
                      "Idempotency-Key")
    status, text = remembered.status, remembered.body
    if status is None or text is None:
        raise Conflict("IDEMPOTENCY_IN_PROGRESS", "the first request with this key is still running; retry",
                       "Idempotency-Key")
    return Replay(int(status), str(text))


def is_final(status: int) -> bool:
    """A success, or a refusal of the request's own form that it would meet again in any state."""
    return 200 <= status < 300 or status in FINAL_REFUSALS


def finish(keys: Keys, key: str, status: int, body: str) -> None:
    """Remember a final answer; forget any other so that a retry with the key runs again."""
    if is_final(status):
        keys.complete(key, status, body)
    else:
        keys.release(key)
