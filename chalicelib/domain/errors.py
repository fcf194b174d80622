"""A few flat domain errors, each carrying its HTTP status and a stable code.

Routes never build error bodies themselves: ``app.py`` turns any ``DomainError`` into
``{"error": {"code", "message", "field"}}`` with ``status``.

Implements: no statute — an engineering rule: one error shape for the whole API (/work/shared/API.md), so that every
refusal names the field and the rule it broke (e.g. an ID number failing GB 11643 is a 422 on that field).
"""
from __future__ import annotations

MAX_MESSAGE, MAX_FIELD = 1600, 120  # room for a calendar conflict's 100 dates; never a 10,000-character echo


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DomainError(Exception):
    status = 422

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def to_body(self) -> dict[str, dict[str, str | None]]:
        """The answer's body; a message or field quoting what was sent is cut at a few hundred characters, so a
        10,000-character parameter is never echoed back whole."""
        return {"error": {"code": self.code, "message": _cut(self.message, MAX_MESSAGE),
                          "field": None if self.field is None else _cut(self.field, MAX_FIELD)}}

    def headers(self) -> dict[str, str]:
        """Response headers the error carries beside its body (none, but for a 429's Retry-After)."""
        return {}


class Malformed(DomainError):
    """400: the request cannot be read (not JSON, wrong shape)."""

    status = 400


class Unauthenticated(DomainError):
    """401: no token, or a token that does not verify; says how to authenticate (RFC 6750)."""

    status = 401

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="subsidy-api"'}


class Forbidden(DomainError):
    """403: the caller's role or unit does not reach this case or route."""

    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """409: the case is not in a state that allows this, or someone else changed it first."""

    status = 409


class TooLarge(DomainError):
    status = 413


class Invalid(DomainError):
    """422: well-formed JSON whose meaning is wrong (bad checksum, unknown code...)."""

    status = 422


class UnsupportedMedia(DomainError):
    """415: a body that is not JSON."""

    status = 415


class RateLimited(DomainError):
    """429: too many requests; ``retry_after`` seconds until the caller may try again."""

    status = 429

    def __init__(self, code: str, message: str, retry_after: int, field: str | None = None) -> None:
        super().__init__(code, message, field)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
