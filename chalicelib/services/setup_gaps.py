"""Set-up gaps: the 户籍地 (counties) with no list of materials of their own, their city's or their province's in
force, whose applicants are told the standard catalogue (the notice says 本户籍地尚未制定证明材料清单，按标准清单告知).

黑民发〔2021〕6号 gives the 市/县 残联 the duty to set up each 户籍地's list (建立户籍地所需证明材料); this listing is
how the 残联 of an area (``dpf_admin``) and the supervisors and admins above it see where that is still to do. The
counties are GB/T 2260's current county-level divisions (``domain.units.counties_within``), not only those with
cases: a county without a list is a gap before its first applicant arrives.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from ..domain.cases.case import Actor
from ..domain.errors import Forbidden, Invalid
from ..domain.rules.jurisdiction import MaterialRule, has_list_in_force, material_gaps, read_material_rule
from ..domain.rules.rules import STANDARD_LIST_NOTE
from ..domain.units import counties_within, county_name, is_scope_code, place_name
from ..domain.values import parse_day
from .rules import RuleStore

# who sees the gaps: the 残联 of a city or county (its own area), supervisors and admins (their scope)
ROLES = ("dpf_admin", "supervisor", "admin")


def _scope(actor: Actor, raw: str | None) -> str:
    """The scope asked for (default: the caller's unit): a province, city or county within the caller's unit."""
    if actor.role not in ROLES:
        raise Forbidden("ROLE_NOT_ALLOWED", f"a {actor.role} may not list set-up gaps")
    scope = actor.unit if raw is None or raw == "" else raw
    if not (is_scope_code(scope) and len(scope) in (2, 4, 6)):
        raise Invalid("SCOPE_FORMAT", "scope is a province, city or county code (2, 4 or 6 digits) within your unit",
                      "scope")
    if not (len(scope) >= len(actor.unit) and scope.startswith(actor.unit)):
        raise Forbidden("SCOPE_OUT_OF_REACH", f"a {actor.role} of {actor.unit} may not list the gaps of {scope}")
    return scope


def _material_rules(store: RuleStore, scopes: list[str]) -> list[MaterialRule]:
    return [read_material_rule(rule.scope, date.fromisoformat(rule.effective_from), rule.body)
            for rule in store.for_scopes(scopes) if rule.kind == "materials"]


def _rules_over(store: RuleStore, counties: tuple[str, ...], on: date) -> list[MaterialRule]:
    """The material lists that can cover ``counties`` (one province's): the province's, then the cities' of the
    counties it leaves uncovered, then those counties' own; one read per scope, and none below a list in force."""
    if not counties:
        return []
    rules = _material_rules(store, [counties[0][:2]])
    if has_list_in_force(rules, counties[0], on):
        return rules  # the province's list covers every county
    rules += _material_rules(store, sorted({county[:4] for county in counties}))
    open_counties = [county for county in counties if not has_list_in_force(rules, county, on)]
    return rules + _material_rules(store, open_counties)


def material_gaps_of(store: RuleStore, actor: Actor, raw_scope: str | None, raw_on: str | None,
                     today: date) -> dict[str, Any]:
    """GET /setup-gaps: the counties within the scope with no list of materials in force on the day."""
    scope = _scope(actor, raw_scope)
    on = parse_day(raw_on, "on") if raw_on else today
    counties = counties_within(scope)
    gaps = material_gaps(_rules_over(store, counties, on), counties, on)
    return {
        "scope": scope, "on": on.isoformat(), "kind": "materials", "counties": len(counties),
        "gap_count": len(gaps),
        "gaps": [{"county": county, "name": county_name(county), "place": place_name(county)} for county in gaps],
        "notice_says": STANDARD_LIST_NOTE,
    }
