"""Local items of a 户籍地's list (issue 16.2): read with specific errors (which field, why), inherited down the
chain, dropped or made optional below, told on the notice with their Chinese name and purpose, and registered as a
material like a catalogue item when on the case's notice."""
from __future__ import annotations

from datetime import date

import pytest
from msgspec.structs import replace

from chalicelib.domain.cases.applications import read_material, read_supplement_request
from chalicelib.domain.cases.case import Material, register_material
from chalicelib.domain.cases.documents import notice_document
from chalicelib.domain.cases.records import notice_view
from chalicelib.domain.errors import Invalid, Malformed
from chalicelib.domain.rules.jurisdiction import (
    LocalItem,
    MaterialRule,
    check_material_rules,
    materials_in_force,
    notice_items,
    read_material_rule,
)
from chalicelib.domain.rules.rules import STANDARD_LIST_NOTE, is_material_code, one_time_notice
from tests.unit.test_documents import a_case, table_of

STANDARD = ("application_form", "id_card", "household_register", "disability_certificate", "photo", "bank_account")
DAOLI = "230102001"
RESIDENCE = {"code": "residence_proof", "name": "居住证明", "purpose": "核实申请人在本县实际居住", "required": True}
CARE = {"code": "care_plan", "name": "护理情况说明", "purpose": "说明长期护理的安排", "required": False}
ON = date(2026, 9, 1)


def error_of(body, scope: str = "230102"):
    with pytest.raises((Invalid, Malformed)) as raised:
        read_material_rule(scope, date(2026, 10, 1), body)
    return raised.value.code, raised.value.field


# --- reading ---------------------------------------------------------------------------------------------------------

def test_a_county_list_reads_its_local_items_with_code_chinese_name_purpose_and_required_flag():
    rule = read_material_rule("230102", date(2026, 10, 1), {"drop": ["photo"], "local": [RESIDENCE, CARE]})
    assert rule.local == (LocalItem("residence_proof", "居住证明", "核实申请人在本县实际居住", True),
                          LocalItem("care_plan", "护理情况说明", "说明长期护理的安排", False))
    assert rule.drop == ("photo",)


def test_a_province_base_may_define_local_items_too():
    rule = read_material_rule("23", date(2026, 10, 1), {"require": list(STANDARD), "local": [RESIDENCE]})
    assert [item.code for item in rule.local] == ["residence_proof"]


def test_names_and_purposes_are_kept_without_surrounding_blanks():
    rule = read_material_rule("2301", date(2026, 10, 1), {"local": [dict(RESIDENCE, name=" 居住证明 ")]})
    assert rule.local[0].name == "居住证明"


@pytest.mark.parametrize("item, expected", [
    (dict(RESIDENCE, code="Residence"), ("LOCAL_CODE_FORMAT", "local[0].code")),
    (dict(RESIDENCE, code="居住证明"), ("LOCAL_CODE_FORMAT", "local[0].code")),
    (dict(RESIDENCE, code="r"), ("LOCAL_CODE_FORMAT", "local[0].code")),
    (dict(RESIDENCE, code="residence-proof"), ("LOCAL_CODE_FORMAT", "local[0].code")),
    (dict(RESIDENCE, code="x" * 41), ("LOCAL_CODE_FORMAT", "local[0].code")),
    (dict(RESIDENCE, code=7), ("LOCAL_CODE_FORMAT", "local[0].code")),
    (dict(RESIDENCE, code="photo"), ("LOCAL_CODE_IS_STANDARD", "local[0].code")),
    ({k: v for k, v in RESIDENCE.items() if k != "code"}, ("MISSING_FIELD", "local[0].code")),
    ({k: v for k, v in RESIDENCE.items() if k != "name"}, ("MISSING_FIELD", "local[0].name")),
    (dict(RESIDENCE, name="   "), ("MISSING_FIELD", "local[0].name")),
    (dict(RESIDENCE, name=["居住证明"]), ("WRONG_TYPE", "local[0].name")),
    (dict(RESIDENCE, name="residence proof"), ("NOT_CHINESE", "local[0].name")),
    (dict(RESIDENCE, name="居" * 31), ("TOO_LONG", "local[0].name")),
    (dict(RESIDENCE, name="居住\u202e证明"), ("NAME_CHARACTERS", "local[0].name")),
    (dict(RESIDENCE, name="身份证"), ("LOCAL_NAME_IS_STANDARD", "local[0].name")),
    ({k: v for k, v in RESIDENCE.items() if k != "purpose"}, ("MISSING_FIELD", "local[0].purpose")),
    (dict(RESIDENCE, purpose="to check residence"), ("NOT_CHINESE", "local[0].purpose")),
    (dict(RESIDENCE, purpose="核" * 101), ("TOO_LONG", "local[0].purpose")),
    ({k: v for k, v in RESIDENCE.items() if k != "required"}, ("MISSING_FIELD", "local[0].required")),
    (dict(RESIDENCE, required="yes"), ("WRONG_TYPE", "local[0].required")),
    (dict(RESIDENCE, note="x"), ("UNKNOWN_FIELD", "local[0].note")),
    ("residence_proof", ("WRONG_TYPE", "local[0]")),
])
def test_a_local_item_is_refused_naming_the_field_and_why(item, expected):
    assert error_of({"local": [item]}) == expected


def test_local_must_be_a_list_of_at_most_twenty_items_each_code_and_name_once():
    assert error_of({"local": RESIDENCE}) == ("WRONG_TYPE", "local")
    many = [dict(RESIDENCE, code=f"item_{n}", name=f"证明{n}") for n in range(21)]
    assert error_of({"local": many}) == ("TOO_MANY_ITEMS", "local")
    assert error_of({"local": [RESIDENCE, dict(RESIDENCE, name="居住登记")]}) == ("DUPLICATE_CODE", "local[1].code")
    assert error_of({"local": [RESIDENCE, dict(RESIDENCE, code="residence_2")]}) == ("DUPLICATE_NAME",
                                                                                      "local[1].name")


def test_a_list_may_not_drop_or_mark_optional_its_own_local_item():
    assert error_of({"drop": ["residence_proof"], "local": [RESIDENCE]}) == ("CONFLICTING_CODE", "drop[0]")
    assert error_of({"optional": ["residence_proof"], "local": [RESIDENCE]}) == ("CONFLICTING_CODE", "optional[0]")


def test_a_province_may_name_only_catalogue_codes_in_optional_and_a_city_only_in_add():
    assert error_of({"require": list(STANDARD), "optional": ["residence_proof"]}, "23") == (
        "UNKNOWN_MATERIAL", "optional[0]")
    assert error_of({"add": ["residence_proof"]}, "2301") == ("UNKNOWN_MATERIAL", "add[0]")
    assert error_of({"drop": ["居住证明"]}, "2301") == ("UNKNOWN_MATERIAL", "drop[0]")


# --- resolving and checking the chain --------------------------------------------------------------------------------

PROVINCE = MaterialRule("23", date(2021, 4, 22), STANDARD)
HARBIN = read_material_rule("2301", date(2026, 1, 1), {"local": [RESIDENCE]})


def test_a_local_item_is_on_the_list_after_the_catalogue_items_with_its_version():
    county = read_material_rule("230102", date(2026, 3, 1), {"local": [CARE]})
    resolved = materials_in_force([PROVINCE, HARBIN, county], DAOLI, ON, has_agent=False)
    assert [(i.code, i.required, i.source) for i in resolved.items[-2:]] == [
        ("residence_proof", True, "2301@2026-01-01"), ("care_plan", False, "230102@2026-03-01")]
    assert [i.code for i in resolved.items[:6]] == list(STANDARD)
    notice = notice_items(resolved)
    assert (notice[-1].name, notice[-1].purpose, notice[-1].required) == ("护理情况说明", "说明长期护理的安排", False)


def test_a_county_may_drop_or_mark_optional_a_local_item_of_its_city():
    drop = MaterialRule("230102", date(2026, 3, 1), None, drop=("residence_proof",))
    assert "residence_proof" not in {i.code for i in materials_in_force([PROVINCE, HARBIN, drop], DAOLI, ON,
                                                                          False).items}
    optional = MaterialRule("230102", date(2026, 3, 1), None, optional=("residence_proof",))
    [item] = [i for i in materials_in_force([PROVINCE, HARBIN, optional], DAOLI, ON, False).items
              if i.code == "residence_proof"]
    assert (item.required, item.source) == (False, "230102@2026-03-01")
    assert check_material_rules([PROVINCE, HARBIN, drop]) == [] == check_material_rules([PROVINCE, HARBIN, optional])


def test_a_new_province_base_starts_afresh_without_the_old_local_items():
    newer = MaterialRule("23", date(2026, 6, 1), STANDARD)
    resolved = materials_in_force([PROVINCE, read_material_rule("23", date(2021, 4, 22), {
        "require": list(STANDARD), "local": [RESIDENCE]}), newer], "230202001", ON, False)
    assert [i.code for i in resolved.items] == list(STANDARD)


def test_the_chain_check_names_a_drop_no_list_above_defines_and_a_local_item_defined_twice():
    drop = MaterialRule("230102", date(2026, 3, 1), None, drop=("care_plan",))
    assert check_material_rules([PROVINCE, drop]) == [
        "230102@2026-03-01 drops care_plan, which no list above it defines"]
    again = read_material_rule("230102", date(2026, 3, 1), {"local": [dict(RESIDENCE, name="居住登记")]})
    assert check_material_rules([PROVINCE, HARBIN, again]) == [
        "230102@2026-03-01 defines residence_proof, which 2301@2026-01-01 defines already"]


def test_required_local_items_keep_a_list_from_requiring_nothing():
    only_local = read_material_rule("230102", date(2026, 3, 1), {"drop": list(STANDARD), "local": [RESIDENCE]})
    assert check_material_rules([PROVINCE, only_local]) == []
    optional_local = read_material_rule("230102", date(2026, 3, 1), {"drop": list(STANDARD), "local": [CARE]})
    assert check_material_rules([PROVINCE, optional_local]) == ["230102@2026-03-01 drops every required material"]


# --- the notice and the materials of a case --------------------------------------------------------------------------

def local_notice():
    resolved = materials_in_force([PROVINCE, HARBIN], DAOLI, ON, has_agent=False)
    return notice_items(resolved)


def test_the_notice_pdf_prints_a_local_item_with_its_name_and_purpose_and_no_standard_line():
    document = notice_document(a_case(notice=local_notice()))
    assert table_of(document).rows[-1][1:] == ("居住证明", "必须提交", "核实申请人在本县实际居住")
    assert STANDARD_LIST_NOTE not in str(document.blocks)
    view = notice_view(a_case(notice=local_notice()))
    assert view["standard_list_used"] is False and view["standard_list_note"] is None
    assert view["materials"][-1] == {"code": "residence_proof", "name": "居住证明", "purpose": "核实申请人在本县实际居住",
                                     "required": True, "waived": False, "waiver": None, "source": "2301@2026-01-01",
                                     "received": False}


def test_a_notice_from_the_standard_catalogue_says_so_in_the_json_and_the_pdf():
    case = a_case(notice=one_time_notice(False))
    view = notice_view(case)
    assert view["standard_list_used"] is True
    assert view["standard_list_note"] == "本户籍地尚未制定证明材料清单，按标准清单告知"
    paragraphs = [block.text for block in notice_document(case).blocks if block.type == "paragraph"]
    assert "本户籍地尚未制定证明材料清单，按标准清单告知。" in paragraphs


def test_a_notice_kept_before_sources_were_recorded_claims_nothing():
    case = a_case(notice=tuple(replace(item, source="") for item in one_time_notice(False)))
    assert notice_view(case)["standard_list_used"] is False
    assert STANDARD_LIST_NOTE not in str(notice_document(case).blocks)


def test_a_local_code_is_declared_and_registered_when_it_is_on_the_cases_notice():
    declared = read_material({"code": "residence_proof", "filename": "居住证明.pdf", "content_type": "application/pdf",
                              "size": 100, "sha256": "a" * 64}, 10_000)
    material = Material("m1", declared.code, declared.filename, declared.content_type, declared.size,
                        declared.sha256, "cases/C1/materials/m1", "2026-09-24T10:00:00+08:00")
    updated = register_material(a_case(notice=local_notice()), material)
    assert updated.materials[-1].code == "residence_proof"
    with pytest.raises(Invalid) as raised:
        register_material(a_case(notice=one_time_notice(False)), material)
    assert (raised.value.code, raised.value.field) == ("MATERIAL_NOT_REQUIRED", "code")


def test_a_code_of_no_material_form_is_refused_on_declaration_and_in_a_supplement_request():
    assert is_material_code("residence_proof") and is_material_code("id_card") and not is_material_code("Photo!")
    with pytest.raises(Invalid) as raised:
        read_material({"code": "居住证明", "filename": "a.pdf", "content_type": "application/pdf", "size": 1,
                       "sha256": "a" * 64}, 10)
    assert (raised.value.code, raised.value.field) == ("UNKNOWN_MATERIAL", "code")
    request = read_supplement_request({"items": [{"code": "residence_proof", "description": "居住证明不清晰"}]})
    assert request["items"][0]["code"] == "residence_proof"
