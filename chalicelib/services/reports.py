"""个人主动申报: a change reported by the recipient or the family becomes proposals for the 业务属地, never a stop.

Two ways in, one outcome:

- the public progress page (``POST /progress/report``, no token): the same limits as a progress lookup and on the
  same counters (a report spends one of the client's lookups and, until its suffix proves right, one of the case
  number's attempts of the day), and the same answer, after the same time, for a wrong suffix as for an unknown
  case (``PROGRESS_NOT_FOUND``): a report never tells whether a case exists;
- a window of any unit, where the person comes in (``POST /reports``): the window identifies the case by its number
  and the ID suffix as the person gives them, counted on the case number's attempts of the day like the page.

Each entitlement of the person that the change affects and that is not already stopped (or, for a suspension,
not active) in the effective month gets a proposal with ``source: "self_report"``; the reviewer of its 业务属地
confirms or rejects it (``POST /proposals/{id}/confirm|reject``) as a data comparison's.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable

from ..domain.cases.case import Actor, Case
from ..domain.cases.progress import case_window, client_window, suffix_matches
from ..domain.errors import NotFound, RateLimited
from ..domain.persons import person_key
from ..domain.supervision.comparison import effective_month, proposal_fields, proposes
from ..domain.supervision.reports import CHANGES, Report, read_report, reason, report_id
from ..domain.values import add_months
from .comparison import Comparisons
from .progress import Cases, Counters, Limits, Pace, _not_found

log = logging.getLogger(__name__)


def report_publicly(deps: Comparisons, cases: Cases, counters: Counters, limits: Limits, client: str,
                    read_body: Callable[[], Any], now: datetime, pace: Pace | None = None) -> dict[str, Any]:
    """The public page's report: 202 with what was received, or the progress lookup's 404 (after the same time)
    or 429."""
    pace = pace or Pace()
    started = pace.clock()
    try:
        window = client_window(client, deps.secret, now, limits.client_window_seconds)
        if not counters.take(window.key, limits.client_lookups, window.expires()):
            raise RateLimited("TOO_MANY_LOOKUPS", "查询过于频繁，请稍后再试 (too many lookups from this client)",
                              window.retry_after(now))
        report = read_report(read_body())
        case = _identified(cases, counters, limits, report, now)
        rid, _count = _propose(deps, case, report, "public", "public", now)
    except NotFound:
        pace.hold_until(started)
        raise
    # the page learns that the report arrived, nothing of the entitlements it touched
    return {"case_id": case.case_id, "change": report.change, "received_on": now.date().isoformat(),
            "report_id": rid}


def report_at_window(deps: Comparisons, cases: Cases, counters: Counters, limits: Limits,
                     read_body: Callable[[], Any], actor: Actor, now: datetime) -> dict[str, Any]:
    """A window records a report made in person: the case identified by its number and the ID suffix."""
    report = read_report(read_body())
    case = _identified(cases, counters, limits, report, now)
    rid, count = _propose(deps, case, report, "window", actor.sub, now, received_by=actor.unit)
    return {"case_id": case.case_id, "change": report.change, "received_on": now.date().isoformat(),
            "report_id": rid, "proposals": count}


def _identified(cases: Cases, counters: Counters, limits: Limits, report: Report, now: datetime) -> Case:
    day = case_window(report.case_id, now)
    if not counters.take(day.key, limits.case_failures, day.expires()):
        raise RateLimited("CASE_LOCKED", "该编号今日查询错误次数过多，请明日再试或联系受理窗口 "
                          "(too many wrong tries for this case today)", day.retry_after(now))
    try:
        case = cases.get(report.case_id)
    except NotFound:
        raise _not_found() from None
    if not suffix_matches(str(case.applicant.get("id_number") or ""), report.id_suffix):
        raise _not_found()
    counters.give_back(day.key)
    return case


def _propose(deps: Comparisons, case: Case, report: Report, channel: str, by: str, now: datetime,
             received_by: str | None = None) -> tuple[str, int]:
    """One proposal per affected entitlement of the person (put once: the same report the same day is one)."""
    rid = report_id(report, now.date().isoformat())
    extra = {"reporter": report.reporter, "report_channel": channel, "reported_by": by, "received_by": received_by,
             "report_contact": report.contact}
    proposed = propose_change(deps, person_key(str(case.applicant.get("id_number") or ""), deps.secret),
                              report.change, now, f"report-{rid}", f"self_report:{rid}", "self_report",
                              reason(report, channel), extra)
    log.info("self report %s on case %s (%s, %s): %d proposals", rid, case.case_id, report.change, channel, proposed)
    return rid, proposed


def propose_change(deps: Comparisons, person: str, change: str, now: datetime, prefix: str, load_id: str,
                   source: str, why: str, extra: dict[str, Any]) -> int:
    """A change of the person's circumstances (``CHANGES``: a death, a move, leaving 低保, another change) as one
    proposal per entitlement of the person it affects and that is not already stopped (or, for a suspension, not
    active) in the month it takes effect — for the 业务属地's reviewer to confirm or reject, never a stop by itself.
    Each proposal is put once (its id: ``prefix`` and the entitlement). How many were new."""
    action, subsidies, kind, _meaning = CHANGES[change]
    day = now.date().isoformat()
    month = day[:7]
    proposed = 0
    for ent in deps.entitlements.of_person(person):
        if kind:
            effective = effective_month(kind, deps.offsets_for(ent.business_unit[:2], now.date()), month)
        else:
            effective = add_months(month, 1)
        if not proposes(ent, action, subsidies, effective):
            continue
        fields = {**proposal_fields(ent, f"{prefix}-{ent.entitlement_id}", load_id, f"{source}_{change}", action,
                                    why, day, effective, now.isoformat(), source), **extra}
        if deps.proposals.propose(fields):
            proposed += 1
    return proposed
