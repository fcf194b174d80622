from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn.ric import calc_check_digit

from chalicelib.domain.errors import DomainError, Invalid
from chalicelib.domain.identity import (
    CATEGORY_NAMES,
    GRADE_NAMES,
    Certificate,
    birth_date,
    id_tail,
    mask_id_number,
    parse_certificate,
    validate_id_number,
)

TODAY = date(2026, 3, 1)
FIELD = "applicant.id_number"


def make_id(body17: str) -> str:
    """A number with the correct MOD 11-2 check character for its 17-digit body."""
    return body17 + calc_check_digit(body17 + "0")


def make_id_ending_in_x(prefix14: str) -> str:
    for sequence in range(1000):
        number = make_id(f"{prefix14}{sequence:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")


def code_of(value: object, today: date = TODAY) -> str:
    with pytest.raises(DomainError) as raised:
        validate_id_number(value, today, FIELD)
    assert raised.value.field == FIELD
    return raised.value.code


VALID = make_id("23010219800101123")


def test_a_well_formed_harbin_number_is_accepted_unchanged():
    assert validate_id_number(VALID, TODAY, FIELD) == VALID


def test_the_stdnum_doctest_number_is_accepted():
    assert validate_id_number("360426199101010071", TODAY, FIELD) == "360426199101010071"


def test_spaces_are_stripped():
    spaced = f"{VALID[:6]} {VALID[6:14]} {VALID[14:]}"
    assert validate_id_number(spaced, TODAY, FIELD) == VALID


def test_a_lowercase_x_check_character_is_normalized_to_uppercase():
    number = make_id_ending_in_x("23010219800101")
    assert validate_id_number(number.lower(), TODAY, FIELD) == number


def test_a_non_string_is_a_format_error():
    assert code_of(230102198001011234) == "ID_NUMBER_FORMAT"
    assert code_of(None) == "MISSING_FIELD"


def test_a_wrong_length_is_a_length_error():
    assert code_of(VALID[:17]) == "ID_NUMBER_LENGTH"
    assert code_of(VALID + "1") == "ID_NUMBER_LENGTH"
    assert code_of("") == "MISSING_FIELD"


def test_letters_in_the_body_or_a_bad_last_character_are_format_errors():
    assert code_of("23010A198001011234") == "ID_NUMBER_FORMAT"
    assert code_of(VALID[:17] + "Y") == "ID_NUMBER_FORMAT"


def test_a_wrong_check_character_is_a_checksum_error():
    wrong = VALID[:17] + ("0" if VALID[-1] != "0" else "1")
    assert code_of(wrong) == "ID_NUMBER_CHECKSUM"


def test_an_impossible_birth_date_is_refused():
    assert code_of(make_id("23010219800230123")) == "ID_NUMBER_BIRTH_DATE"
    assert code_of(make_id("23010219801301123")) == "ID_NUMBER_BIRTH_DATE"


def test_a_birth_date_after_today_is_refused():
    assert code_of(make_id("23010220260302123")) == "ID_NUMBER_BIRTH_DATE"


def test_a_birth_date_on_today_is_accepted():
    number = make_id("23010220260301123")
    assert validate_id_number(number, TODAY, FIELD) == number


def test_a_birth_date_before_1900_is_refused():
    assert code_of(make_id("23010218991231123")) == "ID_NUMBER_BIRTH_DATE"


def test_an_address_code_created_after_the_birth_year_is_accepted():
    # 230109 松北区 exists from 2004; the number was first issued there later in life.
    number = make_id("23010919500505001")
    assert validate_id_number(number, TODAY, FIELD) == number


def test_an_abolished_address_code_is_accepted():
    # 110103 崇文区, abolished 2010: still a real place of first issue.
    number = make_id("11010319700101001")
    assert validate_id_number(number, TODAY, FIELD) == number


def test_an_address_code_that_never_existed_is_refused():
    assert code_of(make_id("23019919800101123")) == "ID_NUMBER_REGION"
    assert code_of(make_id("99999919800101123")) == "ID_NUMBER_REGION"


def test_birth_date_reads_the_date_part():
    assert birth_date(VALID) == date(1980, 1, 1)


def test_masking_keeps_three_leading_and_four_trailing_characters():
    masked = mask_id_number(VALID)
    assert masked == "230" + "*" * 11 + VALID[-4:]
    assert len(masked) == 18


def test_masking_never_reveals_the_birth_date():
    number = make_id("23010219870615123")
    assert "19870615" not in mask_id_number(number)
    assert "1987" not in mask_id_number(number)


def test_id_tail_is_the_last_six_characters():
    assert id_tail(VALID) == VALID[-6:]


CERT_FIELD = "applicant.certificate"


def cert_error(number: object, valid_until: object = "2030-01-01") -> Invalid:
    with pytest.raises(Invalid) as raised:
        parse_certificate(number, valid_until, VALID, TODAY, CERT_FIELD)
    return raised.value


def test_a_valid_certificate_is_parsed_into_category_and_grade():
    cert = parse_certificate(VALID + "42", "2030-06-30", VALID, TODAY, CERT_FIELD)
    assert cert == Certificate(number=VALID + "42", category=4, grade=2, valid_until=date(2030, 6, 30))
    assert CATEGORY_NAMES[cert.category] == "肢体"
    assert GRADE_NAMES[cert.grade] == "二级"


def test_a_certificate_with_a_lowercase_x_matches_its_holder():
    holder = make_id_ending_in_x("23010219800101")
    cert = parse_certificate(holder.lower() + "51", "2030-01-01", holder, TODAY, CERT_FIELD)
    assert cert.number == holder + "51"


def test_a_certificate_valid_until_today_is_accepted():
    cert = parse_certificate(VALID + "11", "2026-03-01", VALID, TODAY, CERT_FIELD)
    assert cert.valid_until == TODAY


def test_a_certificate_that_is_not_a_twenty_character_string_is_a_format_error():
    for bad in (None, 12, VALID + "4", VALID + "421"):
        error = cert_error(bad)
        assert (error.code, error.field) == ("CERTIFICATE_FORMAT", "applicant.certificate.number")


def test_a_certificate_of_someone_else_is_a_holder_mismatch():
    other = make_id("23010219800101125")
    error = cert_error(other + "42")
    assert (error.code, error.field) == ("CERTIFICATE_HOLDER_MISMATCH", "applicant.certificate.number")


def test_category_zero_or_eight_is_refused():
    assert cert_error(VALID + "02").code == "CERTIFICATE_CATEGORY"
    assert cert_error(VALID + "82").code == "CERTIFICATE_CATEGORY"


def test_grade_five_or_zero_is_refused():
    assert cert_error(VALID + "45").code == "CERTIFICATE_GRADE"
    assert cert_error(VALID + "40").code == "CERTIFICATE_GRADE"


def test_valid_until_must_be_an_iso_date_string():
    for bad in (None, 20300101, "2030/01/01", "2030-02-30", "30-01-01", "2030-1-1"):
        error = cert_error(VALID + "42", bad)
        assert (error.code, error.field) == ("CERTIFICATE_VALID_UNTIL", "applicant.certificate.valid_until")


def test_an_expired_certificate_is_refused():
    error = cert_error(VALID + "42", "2026-02-28")
    assert (error.code, error.field) == ("CERTIFICATE_EXPIRED", "applicant.certificate.valid_until")
