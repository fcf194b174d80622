"""Who may act on which cases: the roles, and the relations a caller's unit may have to a case. Deny by default.

Each route's row in the route table (``chalicelib/api/routes.py``) names, for each role allowed, the relation the
caller's unit must have; a role the row does not name is refused (``rule_for``), and so is a case the relation
does not hold for (``check_case``).

Implements: no statute — an engineering rule (deny by default). It enforces the division of duties of
民办发〔2021〕2号 (DOMAIN.md §2, steps 1–6): the 受理地 window accepts, pushes and notifies, the 业务属地 reviews and
decides; and it gives the committees their 每月查询登记 (DOMAIN.md §3: 黑民发〔2021〕6号 四(三); 民发〔2022〕79号).
"""
from __future__ import annotations

from typing import Callable, Mapping

from .cases.case import CHAIN_ROLES, Actor, Case
from .errors import Forbidden
from .units import is_township, within

# committee: a village or residents committee (村/居委会, 12-digit unit) doing the monthly 查询登记
# dpf_admin: an admin of a city's or county's 残联 (4- or 6-digit unit) keeping its 户籍地's list of materials
# (黑民发〔2021〕6号: the 市/县 残联 sets up 户籍地所需证明材料) and seeing the set-up gaps of its area
# dpf_reviewer, approver: the county 残联's reviewer (审核: certificate, category, grade) and the county 民政's approver
# (审定: eligibility and amount), 6-digit units acting on every township's cases of the county in a province's review
# chain (domain.cases.review_chain; 国发〔2015〕52号)
STAFF_ROLES: frozenset[str] = frozenset({"window", "reviewer", "admin", "supervisor", "committee", "dpf_admin",
                                         "dpf_reviewer", "approver"})
# sms_gateway: a machine identity, the province's SMS gateway (unit: its 2-digit province) reporting deliveries
ROLES: frozenset[str] = STAFF_ROLES | {"sms_gateway"}


def _accepting(actor: Actor, case: Case) -> bool:
    """A window acts only on cases its own unit accepted (受理地)."""
    return case.accepting_unit == actor.unit


def _business(actor: Actor, case: Case) -> bool:
    """A reviewer acts only on cases of its own 业务属地, once they were pushed to it."""
    return case.business_unit == actor.unit and case.pushed_on is not None


def _business_county(actor: Actor, case: Case) -> bool:
    """A county-level role of the review chain acts on the pushed cases of every township of its county."""
    return len(actor.unit) == 6 and case.business_unit.startswith(actor.unit) and case.pushed_on is not None


def _in_scope(actor: Actor, case: Case) -> bool:
    """A supervisor reads cases whose 受理地 or 业务属地 lies within its scope."""
    return within(actor.unit, case.accepting_unit) or within(actor.unit, case.business_unit)


CASE_RELATIONS: Mapping[str, Callable[[Actor, Case], bool]] = {
    "accepting": _accepting,
    "business": _business,
    "business_county": _business_county,
    "in_scope": _in_scope,
}
# Relations that need no case: "township" = the caller's unit is a 9-digit township unit; "national" = the
# caller's unit is the nation (NATIONAL, the 民政部 level: the holiday calendar is one for the whole country);
# "city_or_county" = the caller's unit is a 4-digit city or a 6-digit county (a 市/县 残联); "county" = a 6-digit
# county (the review chain's county-level roles);
# "any" = any authenticated caller of the role.
UNIT_RELATIONS: frozenset[str] = frozenset({"township", "county", "national", "city_or_county", "any"})
NATIONAL = "00"  # the unit of a national-level role: no province, city or county has it

CASE_READERS = {"window": "accepting", "reviewer": "business", "dpf_reviewer": "business_county",
                "approver": "business_county", "supervisor": "in_scope"}
# who holds a step of the review chain (domain.cases.case.CHAIN_ROLES), with the relation to the case its level needs
CHAIN_HOLDERS: Mapping[str, str] = {"reviewer": "business", "dpf_reviewer": "business_county",
                                    "approver": "business_county"}
assert set(CHAIN_HOLDERS) == CHAIN_ROLES, "one relation for each role of the review chain"


def rule_for(roles: Mapping[str, str], route: str, actor: Actor) -> str:
    """The relation the actor's unit must satisfy on ``route`` (whose row admits ``roles``: role -> relation),
    or 403: a role the row does not name is refused."""
    relation = roles.get(actor.role)
    if relation is None:
        raise Forbidden("ROLE_NOT_ALLOWED", f"a {actor.role} may not call {route}")
    if relation == "township" and not is_township(actor.unit):
        raise Forbidden("UNIT_NOT_TOWNSHIP", "this route needs a 9-digit township unit in the token")
    if relation == "county" and not (len(actor.unit) == 6 and actor.unit.isascii() and actor.unit.isdigit()):
        raise Forbidden("UNIT_NOT_COUNTY", "this route needs a 6-digit county unit in the token")
    if relation == "national" and actor.unit != NATIONAL:
        raise Forbidden("UNIT_NOT_NATIONAL", f"this route belongs to a national-level {actor.role} (unit {NATIONAL})")
    if relation == "city_or_county" and not is_city_or_county(actor.unit):
        raise Forbidden("UNIT_NOT_CITY_OR_COUNTY", f"a {actor.role} holds a 4-digit city or 6-digit county unit")
    return relation


def is_city_or_county(unit: object) -> bool:
    """A 4-digit city (地级) or 6-digit county (县级) division code, ASCII digits only."""
    return isinstance(unit, str) and len(unit) in (4, 6) and unit.isascii() and unit.isdigit()


def check_case(relation: str, actor: Actor, case: Case) -> None:
    """403 unless the caller's unit has ``relation`` to the case."""
    holds = CASE_RELATIONS.get(relation)
    if holds is None or not holds(actor, case):
        raise case_out_of_reach()


def case_out_of_reach() -> Forbidden:
    """One answer for a case out of the caller's reach and a case that does not exist: neither tells whether a
    case of that number exists."""
    return Forbidden("CASE_OUT_OF_REACH", "no case of this number is within your unit's reach")
