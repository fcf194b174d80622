"""The one reader of the current time: routes, schedules, the SQS worker and the local job runner call ``now``.

Deployed stages use the real clock, always. The local stage alone honours a stated moment — the request's
``X-Clock-Now`` header, else the ``CLOCK_NOW`` environment variable (a moment that stands still), else
``CLOCK_START`` (a moment the clock starts from when the process starts, and runs on from) — so that deadline
behaviour can be shown and tested at any date (API.md), and so that no test depends on the day it runs.
"""
from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone

from . import config as settings
from .domain.errors import Invalid

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
_STARTED = time.monotonic()  # when this process's clock started (CLOCK_START runs on from here)


def stated(moment: str) -> datetime:
    """An ISO 8601 moment in Asia/Shanghai (a moment without an offset is read as Asia/Shanghai time)."""
    try:
        parsed = datetime.fromisoformat(moment)
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=CHINA)).astimezone(CHINA)
    except (ValueError, OverflowError):
        raise Invalid("CLOCK_NOW_FORMAT", "CLOCK_NOW must be an ISO 8601 time that exists in Asia/Shanghai",
                      "CLOCK_NOW") from None


def now(header: str | None = None) -> datetime:
    """Asia/Shanghai time; in the local stage, ``header`` (X-Clock-Now) or CLOCK_NOW when either is given."""
    if settings.load().is_local:
        override = header or settings.clock_override()
        if override:
            return stated(override)
        start = os.environ.get("CLOCK_START")
        if start:
            return stated(start) + timedelta(seconds=time.monotonic() - _STARTED)
    return datetime.now(CHINA)
