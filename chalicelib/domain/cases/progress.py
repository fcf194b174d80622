"""What the applicant may see of a case (进度查询): the status and the dated milestones, nothing more.

The public progress route answers with the case number, a status (code and Chinese label) and the
milestones of the timeline (受理, 推送, 补正, 决定, 告知, 撤回), each with its day. A decision shows
its outcome only: no amounts, no reasons, no names, no units' staff, no materials, no ID number.
The amounts and reasons are the 业务属地's to explain (DOMAIN.md §2 step 6), and six characters of
an ID number are a weak key: whoever guesses them must learn as little as possible.

Also here: reading the lookup body, the constant-time suffix comparison, and the limit windows.

Implements: no statute names a progress lookup — an engineering rule. It serves 最多跑一次 and the real-time return of
the result (民办发〔2021〕2号, DOMAIN.md §2 steps 4–5): the applicant follows the case without another trip. The limits
and the constant-time comparison exist because six characters of an ID number are a weak key.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import re
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping

from msgspec import Struct

from ..errors import Malformed
from .case import Case, Event, Status

STATUS_LABELS: Mapping[Status, str] = {
    Status.AWAITING_MATERIALS: "已受理，材料收取中",
    Status.AWAITING_PUSH: "材料已收齐，待推送户籍地",
    Status.UNDER_REVIEW: "户籍地审核中",
    Status.SUPPLEMENT_REQUESTED: "户籍地要求补正材料",
    Status.RESULT_RETURNED: "已作出决定，待告知",
    Status.CLOSED: "已告知结果，办结",
    Status.WITHDRAWN: "已撤回",
}

# timeline event -> (milestone code, label); every other event stays inside
MILESTONES: Mapping[str, tuple[str, str]] = {
    "accepted": ("accepted", "受理"),
    "pushed": ("pushed", "推送户籍地"),
    "supplement_requested": ("supplement_requested", "要求补正"),
    "supplement_sent": ("supplement_sent", "补正材料已送"),
    "decided": ("decided", "作出决定"),
    "applicant_notified": ("notified", "告知结果"),
    "withdrawn": ("withdrawn", "撤回"),
}
OUTCOME_LABELS: Mapping[str, str] = {"approved": "予以认定", "rejected": "不予认定"}

CASE_ID = re.compile(r"[A-Z0-9]{1,64}")
SUFFIX = re.compile(r"[0-9]{5}[0-9X]")


class Lookup(Struct, frozen=True):
    case_id: str
    id_suffix: str


def read_lookup(body: Any) -> Lookup:
    """``{case_id, id_suffix}``; the case number is upper-cased, a final x accepted as X."""
    if not isinstance(body, dict):
        raise Malformed("WRONG_TYPE", "the body must be an object {case_id, id_suffix}", "body")
    case_id, suffix = body.get("case_id"), body.get("id_suffix")
    if not isinstance(case_id, str) or not CASE_ID.fullmatch(case_id.strip().upper()):
        raise Malformed("CASE_ID_FORMAT", "case_id is the case number on the receipt (letters and digits)",
                        "case_id")
    if not isinstance(suffix, str) or not SUFFIX.fullmatch(suffix.strip().upper()):
        raise Malformed("ID_SUFFIX_FORMAT", "id_suffix is the last six characters of the ID number", "id_suffix")
    return Lookup(case_id.strip().upper(), suffix.strip().upper())


def suffix_matches(id_number: str, suffix: str) -> bool:
    """Constant-time comparison of the last six characters (a final X in either case)."""
    return hmac.compare_digest(id_number[-6:].upper().encode("ascii", "replace"),
                               suffix.upper().encode("ascii", "replace"))


def progress_view(case: Case, events: Iterable[Event]) -> dict[str, Any]:
    """Exactly: the case number, the status, the milestones (code, label, day; a decision's outcome)."""
    milestones: list[dict[str, Any]] = []
    for event in events:
        if event.event not in MILESTONES:
            continue
        code, label = MILESTONES[event.event]
        milestone: dict[str, Any] = {"code": code, "label": label, "on": event.at[:10]}
        outcome = event.detail.get("outcome") if code == "decided" else None
        if outcome in OUTCOME_LABELS:
            milestone["outcome"] = {"code": outcome, "label": OUTCOME_LABELS[str(outcome)]}
        milestones.append(milestone)
    return {"case_id": case.case_id,
            "status": {"code": case.status.value, "label": STATUS_LABELS[case.status]},
            "milestones": milestones}


# --- limits against guessing ---------------------------------------------------------------------


class Window(Struct, frozen=True):
    """One counting window: the counter's key, and when the window ends."""

    key: str
    ends_at: datetime

    def retry_after(self, now: datetime) -> int:
        """Whole seconds until the window ends (at least 1): the ``Retry-After`` value."""
        return max(1, math.ceil((self.ends_at - now).total_seconds()))

    def expires(self) -> int:
        """Epoch seconds for the TTL clean-up: a day after the window ends (never the limit itself)."""
        return int((self.ends_at + timedelta(days=1)).timestamp())


def client_window(client: str, secret: bytes, now: datetime, seconds: int) -> Window:
    """A fixed window of ``seconds`` for one client; the address is kept only as a keyed hash."""
    start = int(now.timestamp()) // seconds * seconds
    digest = hmac.new(secret, client.encode(), hashlib.sha256).hexdigest()[:32]
    return Window(f"client#{digest}#{start}", datetime.fromtimestamp(start + seconds, tz=now.tzinfo))


def case_window(case_id: str, now: datetime) -> Window:
    """The calendar day (``now``'s zone, Asia/Shanghai) of one case number."""
    day: date = now.date()
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo)
    return Window(f"case#{case_id}#{day.isoformat()}", end)
