"""Material lists per jurisdiction, eligibility per province, and the demo configuration."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from chalicelib.domain.errors import Invalid, Malformed
from chalicelib.domain.rules.amounts import check_amount_table
from chalicelib.domain.rules.jurisdiction import (
    NATIONAL_DEFAULT,
    EligibilityRule,
    MaterialRule,
    RequiredItem,
    check_material_rules,
    check_subsidy,
    demo_rules_from,
    eligibility_in_force,
    materials_in_force,
    notice_items,
    read_eligibility_rule,
    read_material_rule,
    rule_version,
    standard_materials,
)
from chalicelib.domain.rules.rules import one_time_notice, standard_list_used

DEMO = Path(__file__).resolve().parents[2] / "demo" / "rules.json"
STANDARD = ("application_form", "id_card", "household_register", "disability_certificate", "photo", "bank_account")
AGENT = ("agent_id_card", "agent_relationship_proof", "pledge")
DAOLI = "230102001"  # 哈尔滨市道里区 township
NANGANG = "230103001"  # 哈尔滨市南岗区 township
QIQIHAR = "230202001"

PROVINCE = MaterialRule("23", date(2021, 4, 22), STANDARD)
HARBIN = MaterialRule("2301", date(2026, 1, 1), None, optional=("photo",))
DAOLI_RULE = MaterialRule("230102", date(2026, 3, 1), None, drop=("household_register",))
RULES = [PROVINCE, HARBIN, DAOLI_RULE]


def codes(resolved) -> tuple[str, ...]:
    return tuple(item.code for item in resolved.items)


def optional_codes(resolved) -> tuple[str, ...]:
    return tuple(item.code for item in resolved.items if not item.required)


def error_of(call, *args):
    with pytest.raises((Invalid, Malformed)) as raised:
        call(*args)
    return type(raised.value).__name__, raised.value.code, raised.value.field


# --- reading material rules --------------------------------------------------------------------

def test_a_province_rule_is_read_with_its_full_require_list():
    rule = read_material_rule("23", date(2026, 1, 1), {"require": list(STANDARD)})
    assert rule == MaterialRule("23", date(2026, 1, 1), STANDARD)
    assert rule_version(rule) == "23@2026-01-01"


def test_a_county_override_is_read_with_add_drop_and_optional():
    rule = read_material_rule("230102", date(2026, 3, 1), {"add": [], "drop": ["photo"], "optional": ["id_card"]})
    assert rule == MaterialRule("230102", date(2026, 3, 1), None, (), ("photo",), ("id_card",))


def test_an_unknown_material_code_is_refused_naming_its_position():
    assert error_of(read_material_rule, "23", date(2026, 1, 1), {"require": ["id_card", "passport"]}) == (
        "Invalid", "UNKNOWN_MATERIAL", "require[1]")


def test_a_province_without_require_is_malformed():
    assert error_of(read_material_rule, "23", date(2026, 1, 1), {"optional": ["photo"]}) == (
        "Malformed", "MISSING_FIELD", "require")


def test_require_on_a_city_is_refused():
    assert error_of(read_material_rule, "2301", date(2026, 1, 1), {"require": ["id_card"]}) == (
        "Invalid", "REQUIRE_ONLY_FOR_PROVINCE", "require")


def test_a_code_listed_twice_is_refused():
    assert error_of(read_material_rule, "2301", date(2026, 1, 1), {"drop": ["photo", "photo"]}) == (
        "Invalid", "DUPLICATE_CODE", "drop[1]")


def test_a_code_both_added_and_dropped_is_refused():
    assert error_of(read_material_rule, "2301", date(2026, 1, 1), {"add": ["photo"], "drop": ["photo"]}) == (
        "Invalid", "CONFLICTING_CODE", "drop[0]")


def test_a_scope_that_is_not_a_division_code_is_refused():
    assert error_of(read_material_rule, "230", date(2026, 1, 1), {"require": ["id_card"]}) == (
        "Invalid", "SCOPE_FORMAT", "scope")


def test_an_unknown_key_in_a_material_rule_is_refused():
    assert error_of(read_material_rule, "2301", date(2026, 1, 1), {"optinal": ["photo"]}) == (
        "Invalid", "UNKNOWN_FIELD", "optinal")


# --- resolving materials -----------------------------------------------------------------------

def test_the_province_base_applies_to_a_county_without_overrides():
    resolved = materials_in_force(RULES, QIQIHAR, date(2026, 9, 1), has_agent=False)
    assert codes(resolved) == STANDARD
    assert optional_codes(resolved) == ()
    assert resolved.versions == ("23@2021-04-22",)


def test_a_city_override_marks_the_photo_optional_for_its_counties():
    resolved = materials_in_force(RULES, NANGANG, date(2026, 9, 1), has_agent=False)
    assert codes(resolved) == STANDARD
    assert optional_codes(resolved) == ("photo",)
    assert resolved.versions == ("23@2021-04-22", "2301@2026-01-01")


def test_a_county_inherits_the_city_override_and_applies_its_own_drop():
    resolved = materials_in_force(RULES, DAOLI, date(2026, 9, 1), has_agent=False)
    assert codes(resolved) == ("application_form", "id_card", "disability_certificate", "photo", "bank_account")
    assert RequiredItem("photo", False) in resolved.items
    assert resolved.versions == ("23@2021-04-22", "2301@2026-01-01", "230102@2026-03-01")


def test_a_rule_effective_tomorrow_is_not_in_force_today():
    resolved = materials_in_force(RULES, DAOLI, date(2026, 2, 28), has_agent=False)
    assert "household_register" in codes(resolved)
    assert resolved.versions == ("23@2021-04-22", "2301@2026-01-01")


def test_an_older_date_uses_the_older_province_version():
    newer = MaterialRule("23", date(2026, 6, 1), ("application_form", "id_card", "disability_certificate"))
    rules = [PROVINCE, newer]
    assert codes(materials_in_force(rules, QIQIHAR, date(2026, 5, 31), False)) == STANDARD
    assert codes(materials_in_force(rules, QIQIHAR, date(2026, 6, 1), False)) == (
        "application_form", "id_card", "disability_certificate")


def test_agent_materials_are_required_only_when_an_agent_files():
    assert not set(AGENT) & set(codes(materials_in_force(RULES, QIQIHAR, date(2026, 9, 1), has_agent=False)))
    with_agent = materials_in_force(RULES, QIQIHAR, date(2026, 9, 1), has_agent=True)
    assert codes(with_agent) == STANDARD + AGENT
    assert all(item.required for item in with_agent.items)


def test_a_county_may_drop_an_agent_item_and_add_back_a_dropped_code():
    county = MaterialRule("230202", date(2026, 1, 1), None, add=("photo",), drop=("pledge",))
    city = MaterialRule("2302", date(2026, 1, 1), None, drop=("photo",))
    resolved = materials_in_force([PROVINCE, city, county], QIQIHAR, date(2026, 9, 1), has_agent=True)
    assert codes(resolved) == STANDARD + ("agent_id_card", "agent_relationship_proof")


def test_without_a_province_base_a_city_list_applies_over_the_standard_catalogue():
    resolved = materials_in_force([HARBIN], DAOLI, date(2026, 9, 1), False)
    assert codes(resolved) == STANDARD and optional_codes(resolved) == ("photo",)
    assert resolved.versions == ("standard", "2301@2026-01-01") and not resolved.standard
    # what the city's list leaves as it is, it adopts: the notice names the city's list, not the standard
    assert {item.source for item in notice_items(resolved)} == {"2301@2026-01-01"}


def test_with_no_list_in_force_at_all_the_standard_catalogue_is_told():
    for rules, unit in (([], DAOLI), (RULES, "310101002"), ([DAOLI_RULE], DAOLI)):
        resolved = materials_in_force(rules, unit, date(2026, 2, 1), False)
        assert resolved == standard_materials(False) and resolved.standard
        assert standard_list_used(notice_items(resolved))


def test_the_standard_fallback_matches_the_catalogue_notice():
    for has_agent in (False, True):
        resolved = standard_materials(has_agent)
        assert resolved.versions == ("standard",)
        assert notice_items(resolved) == one_time_notice(has_agent)


# --- checking material rules -------------------------------------------------------------------

def test_a_consistent_rule_set_has_no_offending_rows():
    assert check_material_rules(RULES) == []


def test_an_override_dropping_every_required_material_is_named():
    everything = MaterialRule("2301", date(2026, 3, 1), None, drop=STANDARD)
    assert check_material_rules([PROVINCE, everything]) == ["2301@2026-03-01 drops every required material"]


def test_making_every_material_optional_is_refused_too():
    everything = MaterialRule("230102", date(2026, 3, 1), None, optional=STANDARD)
    assert check_material_rules([PROVINCE, HARBIN, everything]) == [
        "230102@2026-03-01 drops every required material"]


def test_dropping_a_code_outside_the_province_base_is_named():
    narrow = MaterialRule("23", date(2021, 4, 22), ("application_form", "id_card", "disability_certificate"))
    assert check_material_rules([narrow, DAOLI_RULE]) == [
        "230102@2026-03-01 drops household_register, which is not in the base 23@2021-04-22"]


def test_an_override_without_a_province_rule_in_force_is_checked_against_the_standard_catalogue():
    early = MaterialRule("2301", date(2020, 1, 1), None, optional=("photo",))
    assert check_material_rules([PROVINCE, early]) == []
    everything = MaterialRule("230102", date(2020, 1, 1), None, drop=STANDARD)
    assert check_material_rules([everything]) == ["230102@2020-01-01 drops every required material"]


# --- eligibility -------------------------------------------------------------------------------

HEILONGJIANG = EligibilityRule("23", date(2026, 1, 1), nursing_extensions=(((5, 6), (3, 4)),))
SHANGHAI = EligibilityRule("31", date(2025, 7, 1), living_requires_any=("dibao", "dibao_edge"))


def test_an_eligibility_rule_is_read_with_the_national_default_for_absent_keys():
    body = {"nursing_extensions": [{"categories": [6, 5], "grades": [3, 4]}]}
    rule = read_eligibility_rule("23", date(2026, 1, 1), body)
    assert rule == HEILONGJIANG
    assert rule_version(rule) == "23@2026-01-01"


def test_eligibility_errors_name_the_field():
    start = date(2026, 1, 1)
    assert error_of(read_eligibility_rule, "23", start, {"living_requires_any": ["dibao", "rich"]}) == (
        "Invalid", "UNKNOWN_CIRCUMSTANCE", "living_requires_any[1]")
    assert error_of(read_eligibility_rule, "23", start, {"living_requires_any": ["dibao_edge"]}) == (
        "Invalid", "BELOW_NATIONAL_FLOOR", "living_requires_any")
    assert error_of(read_eligibility_rule, "23", start, {"nursing_grades": [1, 5]}) == (
        "Invalid", "GRADE_FORMAT", "nursing_grades[1]")
    bad_category = {"nursing_extensions": [{"categories": [8], "grades": [3]}]}
    assert error_of(read_eligibility_rule, "23", start, bad_category) == (
        "Invalid", "CATEGORY_FORMAT", "nursing_extensions[0].categories[0]")
    both = {"excludes_both": ["tekun", "orphan_support"], "excludes_living": ["orphan_support"]}
    assert error_of(read_eligibility_rule, "23", start, both) == ("Invalid", "CONFLICTING_CODE", "excludes_living[0]")
    assert error_of(read_eligibility_rule, "2301", start, {}) == ("Invalid", "SCOPE_FORMAT", "province")


def test_without_a_province_rule_the_national_default_applies():
    rule = eligibility_in_force([HEILONGJIANG], "23", date(2025, 12, 31))
    assert rule == NATIONAL_DEFAULT
    assert rule_version(rule) == "national-default"
    assert eligibility_in_force([HEILONGJIANG], "23", date(2026, 1, 1)) == HEILONGJIANG


def test_the_living_subsidy_needs_dibao():
    ok = check_subsidy(NATIONAL_DEFAULT, "living", 4, 3, {"dibao": True})
    assert ok.eligible and ok.rule_version == "national-default"
    refused = check_subsidy(NATIONAL_DEFAULT, "living", 4, 1, {"dibao_edge": True})
    assert not refused.eligible
    assert refused.reasons == ("living subsidy needs 低保 (dibao)",)


def test_shanghai_extends_the_living_subsidy_to_dibao_edge():
    check = check_subsidy(SHANGHAI, "living", 4, 3, {"dibao_edge": True})
    assert check.eligible
    assert check.reasons == ("living subsidy needs 低保 (dibao) or 低保边缘 (dibao_edge): met",)
    assert check.rule_version == "31@2025-07-01"


def test_the_nursing_subsidy_needs_grade_one_or_two_nationally():
    assert check_subsidy(NATIONAL_DEFAULT, "nursing", 4, 2, {}).eligible
    refused = check_subsidy(NATIONAL_DEFAULT, "nursing", 5, 3, {})
    assert not refused.eligible and refused.reasons == ("nursing subsidy needs grade 1-2",)


def test_heilongjiang_extends_nursing_to_grade_three_and_four_intellectual_or_mental():
    assert check_subsidy(HEILONGJIANG, "nursing", 5, 3, {}).eligible
    assert check_subsidy(HEILONGJIANG, "nursing", 6, 4, {}).eligible
    refused = check_subsidy(HEILONGJIANG, "nursing", 4, 3, {})
    assert not refused.eligible
    assert refused.reasons == ("nursing subsidy needs grade 1-2, or grade 3-4 for categories 5, 6",)


def test_tekun_excludes_both_subsidies():
    for subsidy in ("living", "nursing"):
        check = check_subsidy(NATIONAL_DEFAULT, subsidy, 4, 1, {"dibao": True, "tekun": True})
        assert not check.eligible
        assert check.reasons == ("特困供养 (tekun) excludes both subsidies",)


def test_a_province_may_exclude_orphans_from_both_subsidies():
    rule = read_eligibility_rule("23", date(2026, 1, 1), {"excludes_both": ["tekun", "orphan_support"]})
    assert rule.excludes_living == ()
    check = check_subsidy(rule, "nursing", 5, 1, {"orphan_support": True})
    assert check.reasons == ("孤儿基本生活保障 (orphan_support) excludes both subsidies",)


def test_work_injury_care_excludes_both_subsidies():
    for subsidy in ("living", "nursing"):
        check = check_subsidy(NATIONAL_DEFAULT, subsidy, 4, 1, {"dibao": True, "work_injury_care": True})
        assert check.reasons == ("工伤保险生活护理费 (work_injury_care) excludes both subsidies",)


def test_orphan_support_excludes_the_living_subsidy_but_not_nursing():
    circumstances = {"dibao": True, "orphan_support": True}
    living = check_subsidy(NATIONAL_DEFAULT, "living", 5, 1, circumstances)
    assert not living.eligible
    assert living.reasons == ("孤儿基本生活保障 (orphan_support) excludes the living subsidy",)
    assert check_subsidy(NATIONAL_DEFAULT, "nursing", 5, 1, circumstances).eligible


def test_both_subsidies_may_be_held_together():
    person = {"dibao": True}
    assert check_subsidy(NATIONAL_DEFAULT, "living", 1, 1, person).eligible
    assert check_subsidy(NATIONAL_DEFAULT, "nursing", 1, 1, person).eligible


def test_every_failed_rule_is_listed():
    check = check_subsidy(NATIONAL_DEFAULT, "living", 4, 3, {"tekun": True})
    assert check.reasons == ("living subsidy needs 低保 (dibao)", "特困供养 (tekun) excludes both subsidies")


def test_an_unknown_circumstance_or_subsidy_is_refused():
    assert error_of(check_subsidy, NATIONAL_DEFAULT, "living", 4, 3, {"rich": True})[1] == "UNKNOWN_CIRCUMSTANCE"
    assert error_of(check_subsidy, NATIONAL_DEFAULT, "pension", 4, 3, {})[1] == "UNKNOWN_SUBSIDY"


# --- the demo configuration --------------------------------------------------------------------

def test_the_demo_file_loads_and_passes_its_own_checks():
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    demo = demo_rules_from(data)
    assert {rule.scope for rule in demo.materials} == {"23", "2301", "230102", "31", "22", "42"}
    assert {rule.province for rule in demo.eligibility} == {"23", "31"}
    assert {table.scope for table in demo.amounts} == {"23", "31", "22", "42"}
    assert check_material_rules(demo.materials) == []
    assert all(check_amount_table(table) == [] for table in demo.amounts)
    assert all(entry["demo"] is True for key in ("materials", "eligibility", "amounts") for entry in data[key])
    harbin = materials_in_force(demo.materials, NANGANG, date(2026, 1, 1), has_agent=False)
    assert optional_codes(harbin) == ("photo",)


def test_a_demo_entry_error_names_the_entry():
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["materials"][1]["optional"] = ["相片"]
    assert error_of(demo_rules_from, data) == ("Invalid", "UNKNOWN_MATERIAL", "materials[1].optional[0]")
    data["materials"][1]["optional"] = ["photograph"]  # a local item's form, but no list above defines it
    assert error_of(demo_rules_from, data)[1] == "DEMO_RULES_INCONSISTENT"
    del data["materials"][1]["demo"]
    assert error_of(demo_rules_from, data) == ("Invalid", "DEMO_NOT_MARKED", "materials[1]")
