"""Set-up gaps (issue 16.2): the current counties of a scope (GB/T 2260), those with no list of materials of their own
or above them in force on a day, and the listing's reach (a 残联 admin its own area, a supervisor or admin its
scope), on the in-memory rule store."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from chalicelib.domain.cases.case import Actor
from chalicelib.domain.errors import Forbidden, Invalid
from chalicelib.domain.rules.jurisdiction import MaterialRule, has_list_in_force, material_gaps
from chalicelib.domain.rules.rules import StoredRule
from chalicelib.domain.units import counties_within
from chalicelib.services.rules import put_materials
from chalicelib.services.setup_gaps import material_gaps_of
from tests.fakes.rules import FakeRules

HARBIN_COUNTIES = ("230102", "230103", "230104", "230108", "230109", "230110", "230111", "230112", "230113",
                   "230123", "230124", "230125", "230126", "230127", "230128", "230129", "230183", "230184")
STANDARD = ["application_form", "id_card", "household_register", "disability_certificate", "photo", "bank_account"]
NOW = datetime.fromisoformat("2026-09-20T10:00:00+08:00")
ON = date(2026, 10, 1)


def actor(role: str, unit: str) -> Actor:
    return Actor(f"{role}-{unit}", "某人", role, unit)


class CountingRules(FakeRules):
    """The in-memory store, counting the scopes read (what a DynamoDB query each would cost)."""

    def __init__(self) -> None:
        super().__init__()
        self.read: list[str] = []

    def for_scopes(self, scopes: list[str]) -> list[StoredRule]:
        self.read += scopes
        return super().for_scopes(scopes)


# --- the counties ----------------------------------------------------------------------------------------------------

def test_the_counties_of_a_scope_are_the_current_county_level_divisions_in_code_order():
    assert counties_within("2301") == HARBIN_COUNTIES
    heilongjiang = counties_within("23")
    assert len(heilongjiang) == 125 and list(heilongjiang) == sorted(heilongjiang)
    assert set(HARBIN_COUNTIES) < set(heilongjiang)
    assert "230100" not in heilongjiang and "230101" not in heilongjiang  # the city line, the 市辖区 placeholder
    assert counties_within("230102") == ("230102",)
    assert counties_within("3101")[:2] == ("310101", "310104")  # 310102 南市区, 310103 卢湾区: abolished


@pytest.mark.parametrize("scope", ["", "2", "230", "230100", "2301020", "230102001", "00", "99", "２３", None])
def test_anything_but_a_known_province_city_or_county_has_no_counties(scope):
    assert counties_within(scope) == ()  # type: ignore[arg-type]


# --- which counties are gaps -----------------------------------------------------------------------------------------

PROVINCE = MaterialRule("23", date(2027, 1, 1), tuple(STANDARD))
CITY = MaterialRule("2301", date(2026, 1, 1), None, optional=("photo",))
COUNTY = MaterialRule("230202", date(2026, 3, 1), None, drop=("photo",))


def test_a_county_is_a_gap_while_no_list_of_its_own_its_citys_or_its_provinces_is_in_force():
    counties = counties_within("23")
    gaps = material_gaps([PROVINCE, CITY, COUNTY], counties, ON)
    assert not set(HARBIN_COUNTIES) & set(gaps)  # the city's list covers them
    assert "230202" not in gaps and "230203" in gaps  # 齐齐哈尔: one county set up its own
    assert len(gaps) == len(counties) - len(HARBIN_COUNTIES) - 1
    assert material_gaps([PROVINCE, CITY, COUNTY], counties, date(2027, 1, 1)) == ()  # the province's, from then on
    assert material_gaps([CITY], ("230102",), date(2025, 12, 31)) == ("230102",)  # not yet in force
    assert has_list_in_force([COUNTY], "230202", ON) and not has_list_in_force([COUNTY], "230203", ON)


def test_another_provinces_list_covers_nobody_here():
    shanghai = MaterialRule("31", date(2021, 4, 22), tuple(STANDARD))
    assert material_gaps([shanghai], HARBIN_COUNTIES, ON) == HARBIN_COUNTIES


# --- the listing -----------------------------------------------------------------------------------------------------

def test_a_dpf_admin_lists_its_areas_gaps_before_and_after_it_puts_a_list():
    store = CountingRules()
    harbin = actor("dpf_admin", "2301")
    before = material_gaps_of(store, harbin, None, None, ON)
    assert (before["scope"], before["on"], before["counties"], before["gap_count"]) == ("2301", "2026-10-01", 18, 18)
    assert before["gaps"][0] == {"county": "230102", "name": "道里区", "place": "黑龙江省道里区"}
    assert before["notice_says"] == "本户籍地尚未制定证明材料清单，按标准清单告知"

    daoli = actor("dpf_admin", "230102")
    put_materials(store, daoli, "230102", "2026-09-21", lambda: {"local": [
        {"code": "residence_proof", "name": "居住证明", "purpose": "核实申请人在本县实际居住", "required": True}]}, NOW)
    after = material_gaps_of(store, harbin, None, "2026-10-01", ON)
    assert after["gap_count"] == 17 and "230102" not in {gap["county"] for gap in after["gaps"]}
    assert material_gaps_of(store, harbin, None, "2026-09-20", ON)["gap_count"] == 18  # before it is in force
    assert material_gaps_of(store, daoli, None, None, ON)["gaps"] == []
    assert material_gaps_of(store, harbin, "230103", None, ON)["gap_count"] == 1  # a county within its city


def test_the_province_supervisor_sees_every_county_of_its_province_and_one_province_list_closes_them_all():
    store = CountingRules()
    supervisor = actor("supervisor", "23")
    assert material_gaps_of(store, supervisor, None, None, ON)["gap_count"] == 125
    put_materials(store, actor("admin", "23"), "23", "2026-09-21", lambda: {"require": STANDARD}, NOW)
    store.read.clear()
    assert material_gaps_of(store, supervisor, "23", None, ON)["gap_count"] == 0
    assert store.read == ["23"]  # nothing below a list in force is read


def test_reads_stop_at_each_list_in_force():
    store = CountingRules()
    put_materials(store, actor("dpf_admin", "2301"), "2301", "2026-01-01", lambda: {}, NOW)
    store.read.clear()
    gaps = material_gaps_of(store, actor("supervisor", "23"), None, None, ON)
    assert gaps["gap_count"] == 125 - 18
    assert "230102" not in store.read and "230202" in store.read  # 哈尔滨's counties are covered by its list
    assert store.read.count("23") == 1 and len(store.read) == 1 + 13 + (125 - 18)


@pytest.mark.parametrize("role, unit, scope", [
    ("dpf_admin", "2301", "23"), ("dpf_admin", "2301", "2302"), ("dpf_admin", "230102", "230103"),
    ("dpf_admin", "230102", "2301"), ("supervisor", "31", "23"), ("supervisor", "2301", "230202"),
    ("admin", "44", "23"),
])
def test_a_scope_outside_the_callers_unit_is_refused(role, unit, scope):
    with pytest.raises(Forbidden) as raised:
        material_gaps_of(CountingRules(), actor(role, unit), scope, None, ON)
    assert raised.value.code == "SCOPE_OUT_OF_REACH"


@pytest.mark.parametrize("role", ["window", "reviewer", "committee", "sms_gateway", "citizen"])
def test_any_other_role_is_refused(role):
    with pytest.raises(Forbidden) as raised:
        material_gaps_of(CountingRules(), actor(role, "23"), "23", None, ON)
    assert raised.value.code == "ROLE_NOT_ALLOWED"


@pytest.mark.parametrize("scope", ["2", "230", "230102001", "23a", "２３"])
def test_a_scope_that_is_not_a_province_city_or_county_is_refused_naming_it(scope):
    with pytest.raises(Invalid) as raised:
        material_gaps_of(CountingRules(), actor("supervisor", "23"), scope, None, ON)
    assert (raised.value.code, raised.value.field) == ("SCOPE_FORMAT", "scope")


def test_a_township_supervisor_has_no_county_in_reach():
    with pytest.raises(Invalid) as raised:
        material_gaps_of(CountingRules(), actor("supervisor", "230102001"), None, None, ON)
    assert raised.value.code == "SCOPE_FORMAT"


# --- who puts the list -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("unit, scope", [("2301", "23"), ("2301", "230102"), ("230102", "2301"),
                                         ("230102", "230103"), ("230102", "2302")])
def test_a_dpf_admin_puts_its_own_units_list_and_nobody_elses(unit, scope):
    store = CountingRules()
    with pytest.raises(Forbidden) as raised:
        put_materials(store, actor("dpf_admin", unit), scope, "2026-10-01", lambda: pytest.fail("body read"), NOW)
    assert raised.value.code == "SCOPE_OUT_OF_REACH"
    assert store.of_scope(scope) == []


def test_a_province_admin_still_puts_any_list_within_its_province():
    store = CountingRules()
    for scope, body in (("23", {"require": STANDARD}), ("2301", {}), ("230102", {})):
        assert put_materials(store, actor("admin", "23"), scope, "2026-10-01", lambda body=body: body,
                             NOW)["scope"] == scope


@pytest.mark.parametrize("role", ["supervisor", "window", "reviewer"])
def test_no_other_role_puts_a_list_even_of_its_own_unit(role):
    with pytest.raises(Forbidden) as raised:
        put_materials(CountingRules(), actor(role, "2301"), "2301", "2026-10-01", lambda: {}, NOW)
    assert raised.value.code == "ROLE_NOT_ALLOWED"
