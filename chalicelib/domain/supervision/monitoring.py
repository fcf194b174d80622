"""Supervision after approval (DOMAIN.md §3): the monthly 查询登记 and the periodic review (定期复核).

- 每月查询登记: each month the village / residents committee (12-digit unit) checks every recipient of
  its area and records one result per entitlement. A result other than ``present`` stops nothing by
  itself: it is a proposal the township's reviewer confirms (or not) through the entitlement's
  status route.
- 定期复核: at least once a year the 业务属地 reviews every recipient; the task also carries the month
  the disability certificate expires, so a reminder goes out six months before.

Pure: no I/O, no clock reads. Who may do what is the data in ``REACH``.

Implements: the 每月查询登记 and the 定期复核 of DOMAIN.md §3 (黑民发〔2021〕6号 四(三); 民发〔2022〕79号; "at least once a
year": 民发〔2021〕70号, known to DOMAIN.md from news reports only); certificates are valid 10 years (DOMAIN.md §3). The
six-month reminder, the escalation on the 25th and ``REACH`` are no statute: engineering rules.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Callable, Mapping

from msgspec import Struct

from ..cases.case import Actor
from ..errors import Conflict, Forbidden, Invalid
from ..payments.entitlements import Entitlement
from ..units import is_committee, is_township, within
from ..values import add_months, day_or_none, month_of, parse_month  # noqa: F401 - here for callers too

RESULTS = ("present", "deceased", "moved", "other_change")
OUTCOMES = ("confirmed", "change_needed")
# how a yearly review was made (定期复核: 数据比对, 入户走访, 个人主动申报; DOMAIN.md §3): required on every new recording
REVIEW_METHODS = {"data_comparison": "数据比对", "home_visit": "入户走访", "self_report": "个人主动申报"}
CHECKED_STATUSES = frozenset({"active", "suspended"})
ESCALATION_DAY = 25  # from the 25th, a township hears how many of its checks are still unrecorded
REMINDER_MONTHS_AHEAD = 6  # certificates (valid 10 years) are renewed in time: remind six months ahead
MAX_NOTE = 500
_YEAR = re.compile(r"[0-9]{4}")


# --- months and years ------------------------------------------------------------------------------

def parse_year(value: object, field: str = "year") -> int:
    if not isinstance(value, str) or not _YEAR.fullmatch(value) or not 2000 <= int(value) <= 2100:
        raise Invalid("YEAR_FORMAT", f"{field} must be a year YYYY (2000..2100)", field)
    return int(value)


def escalation_due(month: str, today: date) -> bool:
    """From the 25th of ``month`` on (and for any later day), unrecorded checks are escalated."""
    return month_of(today) > month or (month_of(today) == month and today.day >= ESCALATION_DAY)


def month_deadlines(month: str) -> dict[str, str]:
    """What a committee's list of ``month`` says of its days: ``due_on``, the day from which what is still unrecorded
    is reported to the township (``ESCALATION_DAY``), and ``closes_on``, the month's last day, after which nothing
    more is recorded (``check_still_open``)."""
    following = date.fromisoformat(f"{add_months(month, 1)}-01")
    last = date.fromordinal(following.toordinal() - 1)
    return {"due_on": f"{month}-{ESCALATION_DAY:02d}", "closes_on": last.isoformat()}


def reminder_month(today: date) -> str:
    """Certificates expiring in this month get their reminder in ``today``'s month."""
    return add_months(month_of(today), REMINDER_MONTHS_AHEAD)


def parse_committee(value: str) -> str:
    if not is_committee(value):
        raise Invalid("UNIT_FORMAT", "a committee unit is a 12-digit code", "unit")
    return value


def parse_township(value: str) -> str:
    if not is_township(value):
        raise Invalid("UNIT_FORMAT", "a 业务属地 is a 9-digit township unit", "unit")
    return value


# --- who reaches what ------------------------------------------------------------------------------

Reach = Mapping[str, Callable[[str, str], bool]]  # role -> (caller's unit, unit on the path) -> allowed

REACH: Mapping[str, Reach] = {
    # a committee's list: the committee itself, its township's reviewers, supervisors over the township
    "read_checks": {"committee": lambda mine, unit: mine == unit,
                    "reviewer": lambda mine, unit: mine == unit[:9],
                    "supervisor": lambda mine, unit: within(mine, unit[:9])},
    "record_check": {"committee": lambda mine, unit: mine == unit},
    "read_changes": {"reviewer": lambda mine, unit: mine == unit},
    "read_reviews": {"reviewer": lambda mine, unit: mine == unit,
                     "supervisor": lambda mine, unit: within(mine, unit)},
    "record_review": {"reviewer": lambda mine, unit: mine == unit},
}


def require(action: str, actor: Actor, unit: str) -> None:
    """403 unless the caller's role and unit reach ``unit`` for ``action`` (deny by default)."""
    allowed = REACH.get(action, {}).get(actor.role)
    if allowed is None or not allowed(actor.unit, unit):
        raise Forbidden("UNIT_OUT_OF_REACH", f"unit {unit[:12]} is not within your unit's reach", "unit")


# --- what is checked and reviewed ------------------------------------------------------------------

def needs_check(ent: Entitlement, month: str) -> bool:
    """Checked in ``month`` when active or suspended that month (a stopped one is not paid)."""
    return ent.status_in(month) in CHECKED_STATUSES


def needs_review(ent: Entitlement, year: int) -> bool:
    """Reviewed in ``year`` (定期复核) when active or suspended in any of its months: the status in force month by
    month, never the last one recorded."""
    return any(ent.status_in(f"{year:04d}-{month:02d}") in CHECKED_STATUSES for month in range(1, 13))


class Recording(Struct, frozen=True):
    """One recorded check result or review outcome, and why."""

    value: str
    note: str


def _note(body: Mapping[str, Any], required: bool) -> str:
    raw = body.get("note")
    if raw is not None and not isinstance(raw, str):
        raise Invalid("WRONG_TYPE", "note must be text", "note")
    note = (raw or "").strip()
    if required and not note:
        raise Invalid("MISSING_FIELD", "a note is required for any result other than present", "note")
    if len(note) > MAX_NOTE:
        raise Invalid("NOTE_TOO_LONG", f"note may be at most {MAX_NOTE} characters", "note")
    return note


def read_check_result(body: Any) -> Recording:
    """``{"result": present|deceased|moved|other_change, "note"}``: a change needs a note."""
    if not isinstance(body, dict):
        raise Invalid("WRONG_TYPE", "the body must be an object {result, note}", "body")
    result = body.get("result")
    if result not in RESULTS:
        raise Invalid("UNKNOWN_RESULT", f"result must be one of {', '.join(RESULTS)}", "result")
    return Recording(str(result), _note(body, required=result != "present"))


def read_review_outcome(body: Any) -> Recording:
    """``{"outcome": confirmed|change_needed, "note"}``: a needed change says which."""
    if not isinstance(body, dict):
        raise Invalid("WRONG_TYPE", "the body must be an object {outcome, note}", "body")
    outcome = body.get("outcome")
    if outcome not in OUTCOMES:
        raise Invalid("UNKNOWN_OUTCOME", f"outcome must be one of {', '.join(OUTCOMES)}", "outcome")
    return Recording(str(outcome), _note(body, required=outcome != "confirmed"))


def read_review_method(body: Any) -> str:
    """The review's ``method``: data_comparison (数据比对) | home_visit (入户走访) | self_report (个人主动申报)."""
    method = body.get("method") if isinstance(body, dict) else None
    if method is None:
        raise Invalid("MISSING_FIELD", "say how the review was made: " + ", ".join(REVIEW_METHODS), "method")
    if method not in REVIEW_METHODS:
        raise Invalid("UNKNOWN_METHOD", f"method must be one of {', '.join(REVIEW_METHODS)}", "method")
    return str(method)


def check_still_open(month: str, today: date) -> None:
    """A month's check may be recorded (and corrected) until that month ends."""
    if month < month_of(today):
        raise Conflict("CHECK_MONTH_CLOSED", f"the checks of {month} closed at the end of that month", "month")


def expiry_month(valid_until: object) -> str | None:
    """``YYYY-MM`` of a certificate's ``valid_until`` (``YYYY-MM-DD``), None when unknown."""
    day = day_or_none(valid_until)
    return None if day is None else month_of(day)


def counts(results: list[str | None]) -> dict[str, int]:
    """How many checks are open, recorded, and of each result."""
    tally = {"total": len(results), "open": results.count(None), "recorded": len(results) - results.count(None)}
    tally.update({result: results.count(result) for result in RESULTS})
    return tally


# --- the records and what the API shows of them ----------------------------------------------------

class Check(Struct, frozen=True):
    """One recipient's (one entitlement's) 查询登记 of one month at its committee."""

    committee_unit: str
    month: str
    entitlement_id: str
    business_unit: str
    case_id: str
    subsidy: str
    masked_id: str
    name: str
    status_in_month: str
    result: str | None = None
    note: str | None = None
    recorded_by: str | None = None
    recorded_at: str | None = None
    recordings: tuple[Mapping[str, str], ...] = ()


def check_for(ent: Entitlement, month: str) -> Check:
    """The entitlement's check of ``month``, at the committee in force that month (``Entitlement.committee_in``)."""
    committee = ent.committee_in(month)
    assert committee is not None
    return Check(committee, month, ent.entitlement_id, ent.business_unit, ent.case_id, ent.subsidy,
                 ent.masked_id, ent.name, ent.status_in(month))


def check_view(check: Check) -> dict[str, Any]:
    return {
        "entitlement_id": check.entitlement_id, "committee_unit": check.committee_unit, "month": check.month,
        "business_unit": check.business_unit, "case_id": check.case_id, "subsidy": check.subsidy,
        "masked_id": check.masked_id, "name": check.name, "status_in_month": check.status_in_month,
        "result": check.result, "note": check.note, "recorded_by": check.recorded_by,
        "recorded_at": check.recorded_at, "recordings": [dict(r) for r in check.recordings],
    }


def change_view(check: Check) -> dict[str, Any]:
    """A non-present result as the reviewer sees it: a proposal, confirmed (or not) by a person."""
    view = check_view(check)
    view["confirm_with"] = f"POST /entitlements/{check.entitlement_id}/status"
    return view


class ReviewTask(Struct, frozen=True):
    """One entitlement's 定期复核 of one year at its 业务属地."""

    business_unit: str
    year: int
    entitlement_id: str
    case_id: str
    subsidy: str
    masked_id: str
    name: str
    committee_unit: str | None
    certificate_expiry: str | None  # YYYY-MM, from the case's certificate when the task was created
    status: str = "open"  # open | done
    outcome: str | None = None
    note: str | None = None
    recorded_by: str | None = None
    recorded_at: str | None = None
    reminded_at: str | None = None
    recordings: tuple[Mapping[str, str | None], ...] = ()
    method: str | None = None  # of the latest recording (none: recorded before the method was asked)


def task_for(ent: Entitlement, year: int, certificate_expiry: str | None) -> ReviewTask:
    return ReviewTask(ent.business_unit, year, ent.entitlement_id, ent.case_id, ent.subsidy, ent.masked_id,
                      ent.name, ent.committee_unit, certificate_expiry)


def task_view(task: ReviewTask) -> dict[str, Any]:
    return {
        "entitlement_id": task.entitlement_id, "business_unit": task.business_unit, "year": task.year,
        "case_id": task.case_id, "subsidy": task.subsidy, "masked_id": task.masked_id, "name": task.name,
        "committee_unit": task.committee_unit, "certificate_expiry": task.certificate_expiry,
        "status": task.status, "outcome": task.outcome, "note": task.note, "recorded_by": task.recorded_by,
        "recorded_at": task.recorded_at, "reminded_at": task.reminded_at,
        "recordings": [dict(r) for r in task.recordings], "method": task.method,
    }


def reminder_message(task: ReviewTask) -> dict[str, Any]:
    """What the 业务属地 hears six months before a certificate expires (masked id only)."""
    return {
        "entitlement_id": task.entitlement_id, "case_id": task.case_id, "subsidy": task.subsidy,
        "masked_id": task.masked_id, "business_unit": task.business_unit, "committee_unit": task.committee_unit,
        "certificate_expiry": task.certificate_expiry,
        "action": "ask the recipient to renew the 残疾人证 before it expires (a renewed certificate keeps the "
                  "subsidy; an expired one leads to a stop)",
    }
