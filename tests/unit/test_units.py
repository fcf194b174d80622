from __future__ import annotations

import pytest

from chalicelib.domain.errors import Invalid, Malformed
from chalicelib.domain.units import (
    Scope,
    city_of,
    county_name,
    county_of,
    is_scope_code,
    province_of,
    scope_between,
    validate_township_unit,
    within,
)

FIELD = "window.unit"


def code_of(value: object) -> str:
    with pytest.raises(Invalid) as raised:
        validate_township_unit(value, FIELD)
    assert raised.value.field == FIELD
    return raised.value.code


def test_a_harbin_daoli_township_is_valid():
    assert validate_township_unit("230102001", FIELD) == "230102001"


def test_a_shanghai_huangpu_street_is_valid():
    assert validate_township_unit("310101002", FIELD) == "310101002"


def test_a_prefecture_line_is_not_a_county():
    assert code_of("230100001") == "UNIT_UNKNOWN_COUNTY"


def test_a_province_line_is_not_a_county():
    assert code_of("230000001") == "UNIT_UNKNOWN_COUNTY"


def test_an_abolished_county_is_unknown():
    assert code_of("110103001") == "UNIT_UNKNOWN_COUNTY"


def test_the_shixiaqu_placeholder_is_unknown():
    assert code_of("230101001") == "UNIT_UNKNOWN_COUNTY"


def test_a_county_code_that_never_existed_is_unknown():
    assert code_of("230199001") == "UNIT_UNKNOWN_COUNTY"


def test_wrong_length_letters_and_non_strings_are_format_errors():
    assert code_of("23010200") == "UNIT_FORMAT"
    assert code_of("2301020010") == "UNIT_FORMAT"
    assert code_of("23010200A") == "UNIT_FORMAT"
    assert code_of(230102001) == "UNIT_FORMAT"



def test_a_missing_unit_is_a_missing_field():
    for missing in (None, ""):
        with pytest.raises(Malformed) as raised:
            validate_township_unit(missing, "applicant.hukou_unit")
        assert (raised.value.code, raised.value.field) == ("MISSING_FIELD", "applicant.hukou_unit")


def test_county_name_gives_the_current_name():
    assert county_name("230102") == "道里区"
    assert county_name("310101") == "黄浦区"
    assert county_name("230109") == "松北区"


def test_county_name_picks_the_current_era_of_a_renamed_county():
    # "[1983-1987]梅里斯区,[1988-]梅里斯达斡尔族区"
    assert county_name("230208") == "梅里斯达斡尔族区"


def test_county_name_is_none_for_ended_placeholder_and_unknown_codes():
    assert county_name("230105") is None  # [1983-2004]太平区
    assert county_name("230101") is None
    assert county_name("230100") is None
    assert county_name("999999") is None
    assert county_name("2301") is None


def test_the_parts_of_a_unit():
    assert province_of("230102001") == "23"
    assert city_of("230102001") == "2301"
    assert county_of("230102001") == "230102"


def test_the_2302_codes_used_below_are_current_counties():
    assert county_name("230202") == "龙沙区"
    assert county_name("230103") == "南岗区"


def test_shanghai_to_harbin_is_cross_province():
    assert scope_between("310101002", "230102001") is Scope.CROSS_PROVINCE


def test_two_districts_of_harbin_are_cross_county():
    assert scope_between("230102001", "230103001") is Scope.CROSS_COUNTY


def test_harbin_to_qiqihar_is_cross_city():
    assert scope_between("230102001", "230202001") is Scope.CROSS_CITY


def test_two_townships_of_one_county_are_local():
    assert scope_between("230102001", "230102002") is Scope.LOCAL
    assert scope_between("230102001", "230102001") is Scope.LOCAL


def test_scope_values_are_plain_strings():
    assert Scope.CROSS_PROVINCE == "cross_province"
    assert Scope("local") is Scope.LOCAL


def test_within_matches_province_city_county_and_township_scopes():
    assert within("23", "230102001")
    assert within("2301", "230102001")
    assert within("230102", "230102001")
    assert within("230102001", "230102001")
    assert not within("31", "230102001")
    assert not within("2302", "230102001")
    assert not within("230102002", "230102001")


def test_within_is_false_for_other_lengths():
    assert not within("23010", "230102001")
    assert not within("", "230102001")
    assert not within("2301020010", "230102001")


def test_is_scope_code_accepts_only_2_4_6_or_9_digits():
    for good in ("23", "2301", "230102", "230102001"):
        assert is_scope_code(good)
    for bad in ("2", "230", "23010", "2301020", "23010200A", 23, None, "２３"):
        assert not is_scope_code(bad)
