"""GET /cases: the caller's worklist, from the unit indexes (never a scan).

- a window sees the cases its unit accepted (受理地);
- a reviewer sees the cases pushed to its unit (业务属地);
- a county step of the review chain (dpf_reviewer 审核, approver 审定) sees the cases of its county's townships that are
  at its step, nearest D2 first within the page: the county's pages are read on (up to ``COUNTY_PAGES``) until
  ``limit`` cases at the step are found, so a page holds fewer only when the county has no more;
- a supervisor sees both sides within its scope (province, city, county or township).
Open cases with the nearest deadline come first.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable, Mapping

from ..domain.cases import review_chain
from ..domain.cases.case import CHAIN_ROLES, Actor, Status
from ..domain.cases.records import case_view
from ..domain.errors import Invalid
from ..domain.units import is_scope_code
from ..domain.values import parse_count, parse_day

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
COUNTY_ROLES = frozenset(role for role, level in review_chain.STEP_ROLES.items() if level == "county")
Counter = Callable[[date, date], int]


def _filters(query: Mapping[str, str], today: date) -> tuple[str | None, str | None, int]:
    status = query.get("status")
    if status is not None and status not in {s.value for s in Status}:
        raise Invalid("UNKNOWN_STATUS", f"status {status!r} is not a case status", "status")
    due_before = query.get("due_before")
    if due_before is not None:
        due_before = parse_day(due_before, "due_before").isoformat()
    overdue = query.get("overdue")
    if overdue not in (None, "true", "false"):
        raise Invalid("BOOLEAN_FORMAT", "overdue must be true or false", "overdue")
    if overdue == "true":  # an open deadline whose due day has passed
        due_before = min(due_before or today.isoformat(), today.isoformat())
    limit = parse_count(query.get("limit", str(DEFAULT_LIMIT)), "limit", 1, MAX_LIMIT, "LIMIT_RANGE")
    return status, due_before, limit


def worklist(repo: Any, count: Counter, actor: Actor, query: Mapping[str, str], today: date) -> dict[str, Any]:
    status, due_before, limit = _filters(query, today)
    token = query.get("next_token")
    if actor.role == "supervisor":
        return _supervisor(repo, count, actor, status, due_before, limit, token, today)
    side = "accepting" if actor.role == "window" else "business"
    pushed_only = actor.role in CHAIN_ROLES  # the 业务属地 sees a case once it is pushed
    if actor.role in COUNTY_ROLES:  # a county step's inbox: the cases of its county that are at its step
        shown, next_token = _county_step(repo, actor, due_before, status, limit, token)
    else:
        page = repo.worklist(side, actor.unit, due_before, status, pushed_only, limit, token)
        shown, next_token = page.cases, page.next_token
    return {"cases": [case_view(case, today, count=count) for case in shown], "next_token": next_token}


COUNTY_PAGES = 5  # a county step's inbox reads at most this many of its county's pages for one page of its own


def _county_step(repo: Any, actor: Actor, due_before: str | None, status: str | None, limit: int,
                 token: str | None) -> tuple[list[Any], str | None]:
    """The county's pushed cases at the actor's step, read page after page until ``limit`` are found (or the
    county has no more, or ``COUNTY_PAGES`` were read: the token then resumes after the last page read)."""
    found: list[Any] = []
    for _ in range(COUNTY_PAGES):  # each read asks for what is still missing: the page never holds more than limit
        page = repo.worklist("business", actor.unit, due_before, status, True, limit - len(found), token)
        found += [case for case in page.cases
                  if case.status == Status.UNDER_REVIEW and review_chain.holds(actor, case)]
        token = page.next_token
        if len(found) >= limit or token is None:
            break
    return sorted(found, key=lambda case: (d.due_on if (d := case.open_deadline()) else date.max)), token


def _supervisor(
    repo: Any, count: Counter, actor: Actor, status: str | None, due_before: str | None,
    limit: int, token: str | None, today: date,
) -> dict[str, Any]:
    if not is_scope_code(actor.unit):
        raise Invalid("UNIT_FORMAT", "a supervisor's unit must be a 2, 4, 6 or 9 digit code", "unit")
    cases, next_token = scope_page(repo, actor.unit, due_before, status, limit, token)
    return {"cases": [case_view(case, today, count=count) for case in cases], "next_token": next_token}


def scope_page(repo: Any, scope: str, due_before: str | None, status: str | None, limit: int, token: str | None
               ) -> tuple[list[Any], str | None]:
    """A scope's cases, a page at a time, in two disjoint streams one after the other: the cases accepted within the
    scope, then those whose 业务属地 is within it but whose 受理地 is not. Each case comes once, a page holds at most
    ``limit``, and the token says which stream to resume ("a:..." or "b:..."). The supervisor's worklist and the
    audit's pages (services/audit.py) read a scope this way."""
    stream, _, cursor = (token or "a:").partition(":")
    if stream not in ("a", "b"):
        raise Invalid("BAD_PAGE_TOKEN", "next_token is not one this API issued", "next_token")
    cases: list[Any] = []
    next_token = None
    if stream == "a":
        page = repo.worklist("accepting", scope, due_before, status, False, limit, cursor or None)
        cases, cursor = list(page.cases), ""
        if page.next_token:
            next_token = f"a:{page.next_token}"
    if next_token is None and len(cases) < limit:
        page = repo.worklist("business", scope, due_before, status, False, limit - len(cases), cursor or None,
                             exclude_accepting=scope)
        cases += page.cases
        next_token = f"b:{page.next_token}" if page.next_token else None
    elif next_token is None:
        next_token = "b:"  # the first stream ended exactly on the page boundary
    return cases, next_token
