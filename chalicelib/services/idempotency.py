"""Idempotency-Key on every POST and PUT: a repeat returns the first response and changes nothing.

Keys are scoped to the caller and the route (``sub``, method, path), so one user's key never answers
another's request; reusing a key for a different body is refused rather than silently replayed.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..domain.errors import Conflict, Invalid, Malformed

KEY = re.compile(r"[A-Za-z0-9_\-:.]{8,128}")
KEEP_SECONDS = 7 * 24 * 3600


class Memory(Protocol):
    @property
    def fingerprint(self) -> str: ...
    @property
    def status(self) -> int | None: ...
    @property
    def body(self) -> str | None: ...


class Keys(Protocol):
    def claim(self, key: str, fingerprint: str, at: str, expires_at: int) -> Memory | None: ...
    def complete(self, key: str, status: int, body: str) -> None: ...
    def release(self, key: str) -> None: ...


@dataclass(frozen=True)
class Replay:
    status: int
    body: str


def scoped_key(header: str, sub: str, method: str, path: str) -> str:
    if not KEY.fullmatch(header):
        raise Malformed("IDEMPOTENCY_KEY_FORMAT", "Idempotency-Key: 8-128 characters of A-Z a-z 0-9 _ - : .",
                        "Idempotency-Key")
    return hashlib.sha256(f"{sub}\n{method}\n{path}\n{header}".encode()).hexdigest()


def begin(keys: Keys, key: str, body: bytes, now: datetime) -> Replay | None:
    """None: run the request (this call holds the key). A Replay: answer with it and do nothing."""
    fingerprint = hashlib.sha256(body).hexdigest()
    remembered = keys.claim(key, fingerprint, now.isoformat(), int(now.timestamp()) + KEEP_SECONDS)
    if remembered is None:
        return None
    if remembered.fingerprint != fingerprint:
        raise Invalid("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with a different body",
                      "Idempotency-Key")
    status, text = remembered.status, remembered.body
    if status is None or text is None:
        raise Conflict("IDEMPOTENCY_IN_PROGRESS", "the first request with this key is still running; retry",
                       "Idempotency-Key")
    return Replay(int(status), str(text))


def finish(keys: Keys, key: str, status: int, body: str) -> None:
    """Remember a final answer (2xx-4xx); forget a server error so the client may retry."""
    if status >= 500:
        keys.release(key)
    else:
        keys.complete(key, status, body)
