"""Route rules (deny by default) and the relations between a caller's unit and a case."""
from __future__ import annotations

from datetime import date

import pytest
from msgspec.structs import replace

from chalicelib.api.routes import ROUTE_RULES
from chalicelib.domain.access import (
    CASE_READERS,
    CASE_RELATIONS,
    NATIONAL,
    ROLES,
    UNIT_RELATIONS,
    check_case,
)
from chalicelib.domain.access import rule_for as relation_for
from chalicelib.domain.cases.case import Actor, Case, Status
from chalicelib.domain.errors import Forbidden
from tests.support.people import HARBIN_OTHER_TOWNSHIP, HARBIN_TOWNSHIP, SHANGHAI_WINDOW

CASE = Case(
    case_id="C20260924TEST01", status=Status.UNDER_REVIEW, accepting_unit=SHANGHAI_WINDOW,
    business_unit=HARBIN_TOWNSHIP, scope="cross_province", applied_on=date(2026, 9, 24),
    applied_at="2026-09-24T09:30:00+08:00", applicant={}, certificate={}, subsidies=("living",), notice=(),
    pushed_on=date(2026, 10, 9),
)
NOT_PUSHED = replace(CASE, status=Status.AWAITING_PUSH, pushed_on=None)


def rule_for(route: str, caller: Actor) -> str:
    """The relation the route's row gives the caller; a route not in the table admits nobody."""
    return relation_for(ROUTE_RULES.get(route, {}), route, caller)


def actor(role: str, unit: str) -> Actor:
    return Actor(f"{role}-1", "某人", role, unit)


ALLOWED = [
    pytest.param(route, role, relation, id=f"{route}-{role}")
    for route, rule in ROUTE_RULES.items() for role, relation in rule.items()
]
REFUSED = [
    pytest.param(route, role, id=f"{route}-{role}")
    for route, rule in ROUTE_RULES.items() for role in sorted(ROLES) if role not in rule
]


# a unit that satisfies each unit relation (a case relation is checked on the case: any unit passes the row)
UNIT_OF_RELATION = {"national": NATIONAL, "city_or_county": "3101", "county": "230102"}


@pytest.mark.parametrize("route, role, relation", ALLOWED)
def test_a_role_listed_on_a_route_gets_the_relation_its_unit_must_satisfy(route, role, relation):
    assert rule_for(route, actor(role, UNIT_OF_RELATION.get(relation, SHANGHAI_WINDOW))) == relation


CITY_OR_COUNTY = [pytest.param(route, role, id=f"{route}-{role}") for route, rule in ROUTE_RULES.items()
                  for role, relation in rule.items() if relation == "city_or_county"]


def test_a_dpf_admin_sets_material_lists_and_lists_gaps_and_otherwise_only_reads_what_every_staff_role_reads():
    assert {route for route, rule in ROUTE_RULES.items() if rule.get("dpf_admin") == "city_or_county"} == {
        "PUT /rules/{scope}/materials/{effective_from}", "GET /setup-gaps"}
    assert {route for route, rule in ROUTE_RULES.items() if rule.get("dpf_admin") == "any"} == {
        "GET /calendar/deadline", "GET /calendar/{year}", "GET /rules/{scope}"}


@pytest.mark.parametrize("route, role", CITY_OR_COUNTY)
@pytest.mark.parametrize("unit", ["2301", "230102", "3101", "310101"])
def test_the_city_or_county_relation_admits_a_city_or_a_county(route, role, unit):
    assert rule_for(route, actor(role, unit)) == "city_or_county"


@pytest.mark.parametrize("route, role", CITY_OR_COUNTY)
@pytest.mark.parametrize("unit", ["23", NATIONAL, SHANGHAI_WINDOW, "230102001001", "230", "23010", "2301a2",
                                  "２３０１", ""])
def test_the_city_or_county_relation_refuses_a_province_a_township_or_a_malformed_unit(route, role, unit):
    with pytest.raises(Forbidden) as raised:
        rule_for(route, actor(role, unit))
    assert raised.value.code == "UNIT_NOT_CITY_OR_COUNTY"


@pytest.mark.parametrize("unit", ["23", "2301", "230102", SHANGHAI_WINDOW, "0", "000"])
def test_the_national_relation_refuses_every_unit_but_the_nations(unit):
    with pytest.raises(Forbidden) as raised:
        rule_for("PUT /calendar/{year}", actor("admin", unit))
    assert raised.value.code == "UNIT_NOT_NATIONAL"


@pytest.mark.parametrize("route, role", REFUSED)
def test_a_role_outside_a_routes_rule_is_refused_with_role_not_allowed(route, role):
    with pytest.raises(Forbidden) as raised:
        rule_for(route, actor(role, SHANGHAI_WINDOW))

    assert raised.value.code == "ROLE_NOT_ALLOWED"
    assert raised.value.status == 403


@pytest.mark.parametrize("route", [
    "DELETE /cases/{case_id}", "GET /cases/{case_id}/materials", "POST /cases/{case_id}/reopen", "GET /health",
    "GET /openapi.json",
    "get /cases", "GET /cases/", "",
])
@pytest.mark.parametrize("role", sorted(ROLES))
def test_a_route_missing_from_the_table_is_refused_to_every_role(route, role):
    with pytest.raises(Forbidden) as raised:
        rule_for(route, actor(role, SHANGHAI_WINDOW))

    assert raised.value.code == "ROLE_NOT_ALLOWED"


def test_an_unknown_role_is_refused_on_every_route():
    for route in ROUTE_RULES:
        with pytest.raises(Forbidden):
            rule_for(route, actor("citizen", SHANGHAI_WINDOW))


def test_every_relation_in_the_table_is_a_case_relation_or_a_unit_relation():
    used = {relation for rule in ROUTE_RULES.values() for relation in rule.values()}
    assert used <= set(CASE_RELATIONS) | UNIT_RELATIONS
    assert {role for rule in ROUTE_RULES.values() for role in rule} <= ROLES


@pytest.mark.parametrize("unit", ["31", "3101", "310101", "31010100", "3101010020", "", "31010100a"])
def test_the_township_relation_refuses_a_unit_that_is_not_nine_digits(unit):
    with pytest.raises(Forbidden) as raised:
        rule_for("POST /cases", actor("window", unit))

    assert raised.value.code == "UNIT_NOT_TOWNSHIP"


@pytest.mark.parametrize("unit", ["３１０１０１００２", "31010100²"], ids=["full-width", "superscript"])
def test_the_township_relation_refuses_a_unit_written_with_non_ascii_digits(unit):
    with pytest.raises(Forbidden) as raised:
        rule_for("POST /cases", actor("window", unit))

    assert raised.value.code == "UNIT_NOT_TOWNSHIP"


def test_a_supervisor_listing_cases_needs_no_township_unit():
    assert rule_for("GET /cases", actor("supervisor", "31")) == "any"


# --- check_case ----------------------------------------------------------------------------------

def test_the_accepting_window_reaches_its_own_case():
    check_case("accepting", actor("window", SHANGHAI_WINDOW), CASE)


@pytest.mark.parametrize("unit", ["310101003", HARBIN_TOWNSHIP, "310101", "31"])
def test_another_window_does_not_reach_the_case(unit):
    with pytest.raises(Forbidden) as raised:
        check_case("accepting", actor("window", unit), CASE)

    assert raised.value.code == "CASE_OUT_OF_REACH"


def test_the_business_reviewer_reaches_a_pushed_case():
    check_case("business", actor("reviewer", HARBIN_TOWNSHIP), CASE)


def test_the_business_reviewer_does_not_reach_a_case_before_it_is_pushed():
    with pytest.raises(Forbidden) as raised:
        check_case("business", actor("reviewer", HARBIN_TOWNSHIP), NOT_PUSHED)

    assert raised.value.code == "CASE_OUT_OF_REACH"


@pytest.mark.parametrize("unit", [HARBIN_OTHER_TOWNSHIP, SHANGHAI_WINDOW, "230102", "23"])
def test_another_reviewer_does_not_reach_a_pushed_case(unit):
    with pytest.raises(Forbidden):
        check_case("business", actor("reviewer", unit), CASE)


@pytest.mark.parametrize("scope", ["31", "3101", "310101", SHANGHAI_WINDOW, "23", "2301", "230102", HARBIN_TOWNSHIP])
def test_a_supervisor_whose_scope_contains_either_side_reaches_the_case(scope):
    check_case("in_scope", actor("supervisor", scope), CASE)
    check_case("in_scope", actor("supervisor", scope), NOT_PUSHED)


@pytest.mark.parametrize("scope", [
    "11", "3102", "310102", "310101003", "2302", "230103", HARBIN_OTHER_TOWNSHIP,
    "3", "310", "31010", "31010100", "3101010020", "", "3a",
])
def test_a_supervisor_whose_scope_contains_neither_side_or_is_malformed_does_not_reach_the_case(scope):
    with pytest.raises(Forbidden) as raised:
        check_case("in_scope", actor("supervisor", scope), CASE)

    assert raised.value.code == "CASE_OUT_OF_REACH"


@pytest.mark.parametrize("relation", ["township", "any", "owner", "", "ACCEPTING"])
def test_a_relation_that_is_not_a_case_relation_is_refused(relation):
    with pytest.raises(Forbidden) as raised:
        check_case(relation, actor("window", SHANGHAI_WINDOW), CASE)

    assert raised.value.code == "CASE_OUT_OF_REACH"


@pytest.mark.parametrize("role, unit", [("window", SHANGHAI_WINDOW), ("reviewer", HARBIN_TOWNSHIP),
                                        ("supervisor", "23")])
def test_each_case_reader_reaches_a_pushed_case_through_its_relation(role, unit):
    relation = rule_for("GET /cases/{case_id}", actor(role, unit))
    assert relation == CASE_READERS[role]
    check_case(relation, actor(role, unit), CASE)
