"""Who may call which route, on which cases: one table, deny by default.

Every route is listed in ``ROUTE_RULES`` with, for each role allowed, the relation the
caller's unit must have to the case. A route or role missing from the table is refused.

Implements: no statute — an engineering rule (deny by default). It enforces the division of duties of
民办发〔2021〕2号 (DOMAIN.md §2, steps 1–6): the 受理地 window accepts, pushes and notifies, the 业务属地 reviews and
decides; and it gives the committees their 每月查询登记 (DOMAIN.md §3: 黑民发〔2021〕6号 四(三); 民发〔2022〕79号).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from .case import Actor, Case
from .errors import Forbidden
from .units import is_township, within

# committee: a village or residents committee (村/居委会, 12-digit unit) doing the monthly 查询登记
STAFF_ROLES: frozenset[str] = frozenset({"window", "reviewer", "admin", "supervisor", "committee"})
# sms_gateway: a machine identity, the province's SMS gateway (unit: its 2-digit province) reporting deliveries
ROLES: frozenset[str] = STAFF_ROLES | {"sms_gateway"}


def _accepting(actor: Actor, case: Case) -> bool:
    """A window acts only on cases its own unit accepted (受理地)."""
    return case.accepting_unit == actor.unit


def _business(actor: Actor, case: Case) -> bool:
    """A reviewer acts only on cases of its own 业务属地, once they were pushed to it."""
    return case.business_unit == actor.unit and case.pushed_on is not None


def _in_scope(actor: Actor, case: Case) -> bool:
    """A supervisor reads cases whose 受理地 or 业务属地 lies within its scope."""
    return within(actor.unit, case.accepting_unit) or within(actor.unit, case.business_unit)


CASE_RELATIONS: Mapping[str, Callable[[Actor, Case], bool]] = {
    "accepting": _accepting,
    "business": _business,
    "in_scope": _in_scope,
}
# Relations that need no case: "township" = the caller's unit is a 9-digit township unit;
# "any" = any authenticated caller of the role.
UNIT_RELATIONS: frozenset[str] = frozenset({"township", "any"})

CASE_READERS = {"window": "accepting", "reviewer": "business", "supervisor": "in_scope"}


@dataclass(frozen=True)
class RouteRule:
    roles: Mapping[str, str]  # role -> relation


ROUTE_RULES: Mapping[str, RouteRule] = {
    "POST /cases": RouteRule({"window": "township"}),
    "GET /cases": RouteRule({"window": "township", "reviewer": "township", "supervisor": "any"}),
    "GET /cases/{case_id}": RouteRule(CASE_READERS),
    "GET /cases/{case_id}/notice": RouteRule({"window": "accepting"}),
    # documents handed to the applicant: printed at the 受理地's window, also read by the 业务属地 that decides
    "GET /cases/{case_id}/receipt": RouteRule({"window": "accepting", "reviewer": "business"}),
    "GET /cases/{case_id}/result-notice": RouteRule({"window": "accepting", "reviewer": "business"}),
    "POST /cases/{case_id}/materials": RouteRule({"window": "accepting"}),
    "POST /cases/{case_id}/materials/{material_id}/confirm": RouteRule({"window": "accepting"}),
    # a material's content: like the full numbers, only the two sides that handle the case; each opening recorded
    "GET /cases/{case_id}/materials/{material_id}": RouteRule({"window": "accepting", "reviewer": "business"}),
    "POST /cases/{case_id}/complete": RouteRule({"window": "accepting"}),
    "POST /cases/{case_id}/push": RouteRule({"window": "accepting"}),
    "POST /cases/{case_id}/decision": RouteRule({"reviewer": "business"}),
    "POST /cases/{case_id}/notification": RouteRule({"window": "accepting"}),
    "POST /cases/{case_id}/withdraw": RouteRule({"window": "accepting"}),
    "POST /cases/{case_id}/supplement-request": RouteRule({"reviewer": "business"}),
    "POST /cases/{case_id}/supplement": RouteRule({"window": "accepting"}),
    "GET /calendar/deadline": RouteRule({role: "any" for role in STAFF_ROLES}),
    "GET /calendar/{year}": RouteRule({role: "any" for role in STAFF_ROLES}),
    "PUT /calendar/{year}": RouteRule({"admin": "any"}),
    # Rules: an admin of a province, city or county sets its own scope and below (checked by the service).
    "PUT /rules/{scope}/materials/{effective_from}": RouteRule({"admin": "any"}),
    "PUT /rules/{scope}/eligibility/{effective_from}": RouteRule({"admin": "any"}),
    "PUT /rules/{scope}/amounts": RouteRule({"admin": "any"}),
    "GET /rules/{scope}": RouteRule({role: "any" for role in STAFF_ROLES}),
    "POST /rosters": RouteRule({"admin": "any"}),
    # Entitlements: the unit relation is checked on the entitlement by the service (业务属地 acts;
    # the 受理地's window and supervisors over either side read).
    "GET /entitlements/{entitlement_id}": RouteRule({"window": "any", "reviewer": "any", "supervisor": "any",
                                                     "admin": "any"}),
    "POST /entitlements/{entitlement_id}/status": RouteRule({"reviewer": "any"}),
    "POST /entitlements/{entitlement_id}/correction": RouteRule({"reviewer": "any"}),
    "POST /entitlements/{entitlement_id}/recoveries": RouteRule({"reviewer": "any"}),
    # Payments: the service checks the unit (the 业务属地's reviewers; admins over it; supervisors read debts)
    "GET /recoveries/{unit}": RouteRule({"reviewer": "any", "admin": "any", "supervisor": "any"}),
    "POST /payroll/{unit}/{month}/finalize": RouteRule({"reviewer": "any", "admin": "any"}),
    "GET /payroll/{unit}/{month}": RouteRule({"reviewer": "any", "admin": "any"}),
    "GET /payroll/{unit}": RouteRule({"reviewer": "any", "admin": "any"}),
    "PUT /rules/{scope}/payment/{effective_from}": RouteRule({"admin": "any"}),
    # Monthly data comparison: operators run it; the 业务属地 decides; the 受理地 sees the outcome.
    "POST /comparisons": RouteRule({"admin": "any"}),
    "GET /cases/{case_id}/audit": RouteRule(CASE_READERS),
    # the full numbers: only the two sides that handle the case, never supervisors; each read recorded
    "GET /cases/{case_id}/identity": RouteRule({"window": "accepting", "reviewer": "business"}),
    "GET /audit": RouteRule({"supervisor": "any", "admin": "any"}),
    "POST /payroll/{unit}/{month}": RouteRule({"reviewer": "any", "admin": "any"}),
    "GET /proposals": RouteRule({"reviewer": "any", "window": "any", "supervisor": "any"}),
    "POST /proposals/{proposal_id}/confirm": RouteRule({"reviewer": "any"}),
    "POST /proposals/{proposal_id}/reject": RouteRule({"reviewer": "any"}),
    "PUT /rules/{scope}/comparison/{effective_from}": RouteRule({"admin": "any"}),
    # Monthly 查询登记 and yearly review: the service checks the caller's unit against the path's unit
    # (domain.monitoring.REACH). {unit} is a committee (12 digits) for the lists and recordings, the
    # township (9 digits) for changes and reviews: API Gateway allows one variable name per level.
    "GET /checks/{unit}/{month}": RouteRule({"committee": "any", "reviewer": "any", "supervisor": "any"}),
    "POST /checks/{unit}/{month}/{entitlement_id}": RouteRule({"committee": "any"}),
    "GET /checks/{unit}/{month}/changes": RouteRule({"reviewer": "any"}),
    "GET /reviews/{unit}/{year}": RouteRule({"reviewer": "any", "supervisor": "any"}),
    "POST /reviews/{unit}/{year}/{entitlement_id}": RouteRule({"reviewer": "any"}),
    # the SMS gateway's delivery receipts: the service checks the message's case is in the gateway's province
    # (its 受理地 or 业务属地), with check_case like a {case_id} route
    "POST /messages/{message_id}/receipt": RouteRule({"sms_gateway": "in_scope"}),
}
# no token, not in ROUTE_RULES; /progress is the applicant's (case number + ID suffix, limited per client and case)
PUBLIC_ROUTES: frozenset[str] = frozenset({"GET /health", "GET /openapi.json", "GET /progress", "POST /progress"})


def rule_for(route: str, actor: Actor) -> str:
    """The relation the actor's unit must satisfy on ``route``, or 403."""
    rule = ROUTE_RULES.get(route)
    if rule is None or actor.role not in rule.roles:
        raise Forbidden("ROLE_NOT_ALLOWED", f"a {actor.role} may not call {route}")
    relation = rule.roles[actor.role]
    if relation == "township" and not is_township(actor.unit):
        raise Forbidden("UNIT_NOT_TOWNSHIP", "this route needs a 9-digit township unit in the token")
    return relation


def check_case(relation: str, actor: Actor, case: Case) -> None:
    """403 unless the caller's unit has ``relation`` to the case."""
    holds = CASE_RELATIONS.get(relation)
    if holds is None or not holds(actor, case):
        raise Forbidden("CASE_OUT_OF_REACH", "this case is not within your unit's reach")
