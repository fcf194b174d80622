"""Supervision routes: committees record the monthly 查询登记, townships read it and review yearly.

Every use case checks the caller's unit against the unit on the path (``domain.supervision.monitoring.REACH``)
before it reads or writes anything. A check result other than ``present`` changes no entitlement:
it is listed for the township's reviewer, who confirms a stop through the entitlement's status route.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable, Mapping

from ..domain.cases.case import Actor
from ..domain.errors import NotFound
from ..domain.supervision.monitoring import (
    change_view,
    check_still_open,
    check_view,
    counts,
    month_deadlines,
    parse_committee,
    parse_month,
    parse_township,
    parse_year,
    read_check_result,
    read_review_method,
    read_review_outcome,
    require,
    task_view,
)
from ..domain.values import parse_count
from .monitoring import Monitoring

log = logging.getLogger(__name__)
MAX_ID = 100  # entitlement ids are "<case id>-<subsidy>"; anything longer is no entitlement of ours
DEFAULT_PAGE, MAX_PAGE = 500, 1000


def _entitlement_id(value: str) -> str:
    if len(value) > MAX_ID:
        raise NotFound("CHECK_NOT_FOUND", f"no item {value[:40]}", "entitlement_id")
    return value


def list_checks(deps: Monitoring, actor: Actor, unit: str, month: str) -> dict[str, Any]:
    """A committee's 查询登记 list of the month, with every result recorded so far."""
    committee, month = parse_committee(unit), parse_month(month)
    require("read_checks", actor, committee)
    checks = deps.checks.of_committee(committee, month)
    return {"committee_unit": committee, "month": month, **month_deadlines(month),
            "counts": counts([c.result for c in checks]), "checks": [check_view(c) for c in checks]}


def record_check(deps: Monitoring, actor: Actor, unit: str, month: str, entitlement_id: str,
                 read_body: Callable[[], Any], now: datetime) -> dict[str, Any]:
    """The committee records {result, note}; it may record again until the month ends (latest wins)."""
    committee, month = parse_committee(unit), parse_month(month)
    require("record_check", actor, committee)  # deny first: the body is read only within reach
    recording = read_check_result(read_body())
    check_still_open(month, now.date())
    check = deps.checks.record(committee, month, _entitlement_id(entitlement_id), recording.value, recording.note,
                               actor.sub, now.isoformat())
    if check is None:
        raise NotFound("CHECK_NOT_FOUND", f"no check of {entitlement_id[:60]} in {month} at this committee",
                       "entitlement_id")
    log.info("check recorded: committee=%s month=%s entitlement=%s result=%s", committee, month,
             check.entitlement_id, check.result)
    return check_view(check)


def list_changes(deps: Monitoring, actor: Actor, unit: str, month: str) -> dict[str, Any]:
    """The township's non-present results of the month: proposals a reviewer confirms or not."""
    township, month = parse_township(unit), parse_month(month)
    require("read_changes", actor, township)
    changes = deps.checks.changes(township, month)
    return {"business_unit": township, "month": month, "changes": [change_view(c) for c in changes],
            "meaning": "reported by the committee; nothing stops until a reviewer confirms it"}


def list_reviews(deps: Monitoring, actor: Actor, unit: str, year: str, query: Mapping[str, str]) -> dict[str, Any]:
    """A township's review tasks of the year, a page at a time (``limit``, ``next_token``)."""
    township, number = parse_township(unit), parse_year(year)
    require("read_reviews", actor, township)
    limit = parse_count(query.get("limit", str(DEFAULT_PAGE)), "limit", 1, MAX_PAGE, "LIMIT_RANGE")
    tasks, token = deps.tasks.page(township, number, limit, query.get("next_token"))
    return {"business_unit": township, "year": number, "tasks": [task_view(t) for t in tasks], "next_token": token}


def record_review(deps: Monitoring, actor: Actor, unit: str, year: str, entitlement_id: str,
                  read_body: Callable[[], Any], now: datetime) -> dict[str, Any]:
    """The 业务属地's reviewer records {outcome, method, note}: the task is done (the latest outcome wins)."""
    township, number = parse_township(unit), parse_year(year)
    require("record_review", actor, township)
    body = read_body()
    outcome = read_review_outcome(body)
    method = read_review_method(body)
    if len(entitlement_id) > MAX_ID:
        raise NotFound("REVIEW_TASK_NOT_FOUND", f"no review task {entitlement_id[:40]}", "entitlement_id")
    task = deps.tasks.record(township, number, entitlement_id, outcome.value, outcome.note, actor.sub,
                             now.isoformat(), method)
    if task is None:
        raise NotFound("REVIEW_TASK_NOT_FOUND", f"no review task of {entitlement_id[:60]} in {number} at this unit",
                       "entitlement_id")
    log.info("review recorded: unit=%s year=%d entitlement=%s outcome=%s", township, number, task.entitlement_id,
             task.outcome)
    return task_view(task)
