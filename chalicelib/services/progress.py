"""进度查询: the applicant follows the case with its number and the last six characters of the ID number.

Order of the checks, each an atomic counter (``adapters.limits_table``):

1. the client (source address): at most ``client_lookups`` requests per fixed window, whatever they
   carry (malformed bodies count too);
2. the case number: a lookup first *takes* one of the day's ``case_failures`` attempts, and gives it
   back only when the suffix was right. So at most ``case_failures`` wrong suffixes are ever compared
   per case and day, even under concurrent requests, and once they are spent even the right suffix is
   refused until the day ends (a guesser must not learn which try was right). Unknown case numbers
   are counted the same way: locking must not tell an existing case from a missing one.

A wrong suffix and an unknown case give the same 404 (code ``PROGRESS_NOT_FOUND``).
"""
from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Callable, Protocol

from msgspec import Struct

from ..domain.cases.case import Case, Event
from ..domain.cases.progress import case_window, client_window, progress_view, read_lookup, suffix_matches
from ..domain.errors import NotFound, RateLimited


class Counters(Protocol):
    def take(self, key: str, limit: int, expires_at: int) -> bool: ...
    def give_back(self, key: str) -> None: ...


class Cases(Protocol):
    def get(self, case_id: str) -> Case: ...
    def timeline(self, case_id: str) -> list[Event]: ...


class Limits(Struct, frozen=True):
    """The numbers come from configuration (``config.Config.progress_*``, defaults there)."""

    client_lookups: int  # per client and window
    client_window_seconds: int
    case_failures: int  # wrong suffixes per case number and day (Asia/Shanghai)


# A wrong suffix reads the case, an unknown number reads nothing: every "not found" answer is held back until
# NOT_FOUND_FLOOR seconds after the lookup began, so the two cost the same to the one asking (issue 17.8).
NOT_FOUND_FLOOR = 0.25


class Pace(Struct, frozen=True):
    """The time source and the wait that make every "not found" answer take NOT_FOUND_FLOOR seconds."""

    clock: Callable[[], float] = time.monotonic
    wait: Callable[[float], None] = time.sleep

    def hold_until(self, started: float, floor: float = NOT_FOUND_FLOOR) -> None:
        left = floor - (self.clock() - started)
        if left > 0:
            self.wait(left)


REAL_PACE = Pace()  # the real clock and sleep


def lookup(cases: Cases, counters: Counters, limits: Limits, secret: bytes, client: str,
           read_body: Callable[[], Any], now: datetime, pace: Pace = REAL_PACE) -> dict[str, Any]:
    """The progress of one case, or 404 (after the same time whether the number exists or not), or 429 with the
    seconds to wait."""
    started = pace.clock()
    try:
        return _lookup(cases, counters, limits, secret, client, read_body, now)
    except NotFound:
        pace.hold_until(started)
        raise


def _lookup(cases: Cases, counters: Counters, limits: Limits, secret: bytes, client: str,
            read_body: Callable[[], Any], now: datetime) -> dict[str, Any]:
    window = client_window(client, secret, now, limits.client_window_seconds)
    if not counters.take(window.key, limits.client_lookups, window.expires()):
        raise RateLimited("TOO_MANY_LOOKUPS", "查询过于频繁，请稍后再试 (too many lookups from this client)",
                          window.retry_after(now))
    wanted = read_lookup(read_body())
    day = case_window(wanted.case_id, now)
    if not counters.take(day.key, limits.case_failures, day.expires()):
        raise RateLimited("CASE_LOCKED", "该编号今日查询错误次数过多，请明日再试或联系受理窗口 "
                          "(too many wrong tries for this case today)", day.retry_after(now))
    try:
        case = cases.get(wanted.case_id)
    except NotFound:
        raise _not_found() from None
    if not suffix_matches(str(case.applicant.get("id_number") or ""), wanted.id_suffix):
        raise _not_found()
    counters.give_back(day.key)
    return progress_view(case, cases.timeline(case.case_id))


def _not_found() -> NotFound:
    """One answer for a wrong suffix and an unknown case."""
    return NotFound("PROGRESS_NOT_FOUND", "没有与该受理编号和身份证号后六位相符的申请 "
                    "(no case with this number and ID suffix)", None)
