"""An ID number's address code must not have been abolished before its holder was born (issue 17.6): 崇文区 (110103)
ended in 2010, so a number 110103 + 2015 birth was never issued; a code created after the birth is common (the first
issuance is at 16, or in 1984-85) and stays accepted."""
from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric

from chalicelib.domain.errors import Invalid
from chalicelib.domain.identity import validate_id_number
from chalicelib.domain.units import region_code_abolished_before

TODAY = date(2026, 12, 6)


def number(region: str, birth: str, sequence: str = "123") -> str:
    body = region + birth + sequence
    return body + ric.calc_check_digit(body + "0")


def test_a_code_abolished_before_the_birth_is_refused_naming_the_year():
    with pytest.raises(Invalid) as refused:
        validate_id_number(number("110103", "20150301"), TODAY, "applicant.id_number")
    assert refused.value.code == "ID_NUMBER_REGION" and "2010" in refused.value.message


@pytest.mark.parametrize("birth", ["19800101", "20100615", "20111231"])
def test_a_holder_born_before_the_code_ended_or_within_a_years_grace_is_accepted(birth):
    assert validate_id_number(number("110103", birth), TODAY, "f")


def test_a_code_created_after_the_birth_is_accepted():
    assert validate_id_number(number("110111", "19700101"), TODAY, "f")  # 房山区 from 1986


def test_a_current_code_is_never_abolished():
    assert region_code_abolished_before("230102", 2026) is None
    assert region_code_abolished_before("110103", 2011) is None
    assert region_code_abolished_before("110103", 2012) == 2010
