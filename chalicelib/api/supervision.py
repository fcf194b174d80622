"""Routes of supervision after approval: the committees' monthly 查询登记, the 业务属地's yearly review (定期复核),
the monthly data comparison, and the audit of the hash-chained timelines. Each handler imports its service: they
load with their routes' first request, not with ``app``."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from ..wiring import comparisons, deps
from ..wiring import monitoring as monitoring_deps
from .pipeline import Call, handles

routes = Blueprint(__name__)


@handles(routes, "GET /checks/{unit}/{month}")
def list_checks(call: Call, unit: str, month: str) -> dict[str, Any]:
    """A committee's 查询登记 list of the month ({unit}: the 12-digit committee)."""
    from ..services import supervision

    return supervision.list_checks(monitoring_deps(), call.actor, unit, month)


@handles(routes, "GET /checks/{unit}/{month}/changes")
def list_check_changes(call: Call, unit: str, month: str) -> dict[str, Any]:
    """The township's non-present results of the month ({unit}: the 9-digit 业务属地): proposals only."""
    from ..services import supervision

    return supervision.list_changes(monitoring_deps(), call.actor, unit, month)


@handles(routes, "POST /checks/{unit}/{month}/{entitlement_id}")
def record_check(call: Call, unit: str, month: str, entitlement_id: str) -> dict[str, Any]:
    """{result: present|deceased|moved|other_change, note}: the committee records one check."""
    from ..services import supervision

    return supervision.record_check(monitoring_deps(), call.actor, unit, month, entitlement_id, call.body, call.now)


@handles(routes, "GET /reviews/{unit}/{year}")
def list_reviews(call: Call, unit: str, year: str) -> dict[str, Any]:
    from ..services import supervision

    return supervision.list_reviews(monitoring_deps(), call.actor, unit, year, call.query)


@handles(routes, "POST /reviews/{unit}/{year}/{entitlement_id}")
def record_review(call: Call, unit: str, year: str, entitlement_id: str) -> dict[str, Any]:
    """{outcome: confirmed|change_needed, note}: the 业务属地's reviewer records the yearly review."""
    from ..services import supervision

    return supervision.record_review(monitoring_deps(), call.actor, unit, year, entitlement_id, call.body, call.now)


@handles(routes, "POST /comparisons")
def run_comparison(call: Call) -> dict[str, Any]:
    """{kind, key}: match an authoritative file (under comparisons/ in the materials bucket) against
    recipients; each file is processed once, and every match becomes a proposal, never a stop."""
    from ..services import comparison

    body = call.object_body("{kind, key}")
    return comparison.run(comparisons(), str(body.get("kind") or ""), str(body.get("key") or ""), call.actor.sub,
                          call.now)


@handles(routes, "GET /cases/{case_id}/audit")
def verify_case_chain(call: Call, case_id: str) -> dict[str, Any]:
    """Check the case's hash-chained timeline; reports the first broken link (the case was checked in reach)."""
    from ..services import audit

    return audit.verify_case(call.deps().repo, case_id)


@handles(routes, "GET /audit")
def verify_unit_chains(call: Call) -> dict[str, Any]:
    """?unit=: a page of the cases of a unit or scope (supervisors, admins over it), ?limit=, ?next_token=."""
    from ..services import audit

    unit = call.query.get("unit") or call.actor.unit
    audit.may_verify_unit(call.actor, unit)
    return audit.verify_unit(deps().repo, unit, call.query.get("limit"), call.query.get("next_token"))


