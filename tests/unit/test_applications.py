"""The request-body readers: clean values out, or a 400/422 naming the field and the rule."""
from __future__ import annotations

import copy
from datetime import date
from typing import Any, Callable

import pytest

from chalicelib.domain.cases.applications import (
    TooLargeMaterial,
    read_application,
    read_decision,
    read_material,
    read_notification,
    read_withdrawal,
)
from chalicelib.domain.errors import Invalid, Malformed
from tests.support.people import HARBIN_TOWNSHIP, application, declaration, id_number, pdf_bytes

TODAY = date(2026, 9, 24)
X_ID = id_number(sequence="105")  # a valid number whose check character is X
AGENT_ID = id_number(region="310101", birth="19550505", sequence="222")
MAX_BYTES = 10 * 1024 * 1024


def with_change(path: str, value: Any = ..., body: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of a valid application with one dotted path set to ``value`` (``...`` removes it)."""
    changed = copy.deepcopy(body if body is not None else application())
    *parents, last = path.split(".")
    target = changed
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return changed


def agent(**overrides: Any) -> dict[str, Any]:
    return {"name": "李四", "id_number": AGENT_ID, "relationship": "child", **overrides}


# --- read_application ------------------------------------------------------------------------

def test_a_valid_application_is_read_into_normalized_values():
    body = application(X_ID.lower(), subsidies=["nursing", "living"])
    body["certificate"]["number"] = X_ID.lower() + "41"
    body["applicant"]["name"] = "  张三  "

    read = read_application(body, TODAY)

    assert read.applicant == {"name": "张三", "id_number": X_ID, "phone": "13800000000",
                              "hukou_unit": HARBIN_TOWNSHIP, "hukou_address": "哈尔滨市道里区兆麟街1号",
                              "area": None, "committee_unit": HARBIN_TOWNSHIP + "001", "bank_account": None}
    assert X_ID.endswith("X")
    assert read.certificate == {"number": X_ID + "41", "category": 4, "grade": 1, "valid_until": "2031-05-01"}
    assert read.subsidies == ("living", "nursing")
    assert read.agent is None
    assert read.low_income == {"dibao": True}
    assert read.business_unit == HARBIN_TOWNSHIP


def test_optional_applicant_fields_and_low_income_may_be_left_out():
    body = application()
    for key in ("phone", "hukou_address"):
        del body["applicant"][key]
    del body["low_income"]

    read = read_application(body, TODAY)

    assert (read.applicant["phone"], read.applicant["hukou_address"]) == (None, None)
    assert read.low_income == {}


@pytest.mark.parametrize("phone", ["13800000000", "19912345678", "0451-12345678", "045112345678", "010-1234567"])
def test_mobile_and_landline_phone_numbers_are_accepted(phone):
    assert read_application(with_change("applicant.phone", phone), TODAY).applicant["phone"] == phone


def test_a_single_subsidy_is_accepted():
    assert read_application(application(subsidies=["nursing"]), TODAY).subsidies == ("nursing",)


def test_all_three_low_income_flags_are_kept():
    flags = {"dibao": False, "dibao_edge": True, "tekun": False}
    assert read_application(application(low_income=flags), TODAY).low_income == flags


def test_an_agent_is_read_with_a_normalized_id_number():
    agent_x = id_number(region="310101", birth="19550505", sequence="105")
    body = application(agent=agent(id_number=agent_x.lower(), name=" 李四 "))

    read = read_application(body, TODAY)

    assert read.agent == {"name": "李四", "id_number": agent_x, "relationship": "child"}


FIELD_ERRORS: list[Any] = [
    # (body builder, error class, code, field)
    pytest.param(lambda: None, Malformed, "MISSING_FIELD", "body", id="no-body"),
    pytest.param(lambda: [application()], Malformed, "WRONG_TYPE", "body", id="body-is-a-list"),
    pytest.param(lambda: "applicant", Malformed, "WRONG_TYPE", "body", id="body-is-a-string"),
    pytest.param(lambda: with_change("applicant"), Malformed, "MISSING_FIELD", "applicant", id="no-applicant"),
    pytest.param(lambda: with_change("applicant", "张三"), Malformed, "WRONG_TYPE", "applicant",
                 id="applicant-not-object"),
    pytest.param(lambda: with_change("applicant.name"), Malformed, "MISSING_FIELD", "applicant.name",
                 id="no-applicant-name"),
    pytest.param(lambda: with_change("applicant.name", "   "), Malformed, "MISSING_FIELD", "applicant.name",
                 id="blank-applicant-name"),
    pytest.param(lambda: with_change("applicant.name", 42), Malformed, "WRONG_TYPE", "applicant.name",
                 id="numeric-applicant-name"),
    pytest.param(lambda: with_change("applicant.name", "张" * 51), Invalid, "TOO_LONG", "applicant.name",
                 id="long-applicant-name"),
    pytest.param(lambda: with_change("applicant.id_number"), Malformed, "MISSING_FIELD", "applicant.id_number",
                 id="no-applicant-id"),
    pytest.param(lambda: with_change("applicant.id_number", id_number()[:-1] + "0"), Invalid,
                 "ID_NUMBER_CHECKSUM", "applicant.id_number", id="bad-id-checksum"),
    pytest.param(lambda: with_change("applicant.phone", "12345"), Invalid, "PHONE_FORMAT", "applicant.phone",
                 id="short-phone"),
    pytest.param(lambda: with_change("applicant.phone", "12800000000"), Invalid, "PHONE_FORMAT",
                 "applicant.phone", id="mobile-starting-12"),
    pytest.param(lambda: with_change("applicant.phone", "1380000000a"), Invalid, "PHONE_FORMAT",
                 "applicant.phone", id="phone-with-letter"),
    pytest.param(lambda: with_change("applicant.phone", 13800000000), Malformed, "WRONG_TYPE",
                 "applicant.phone", id="numeric-phone"),
    pytest.param(lambda: with_change("applicant.hukou_unit", "23010200"), Invalid, "UNIT_FORMAT",
                 "applicant.hukou_unit", id="eight-digit-hukou-unit"),
    pytest.param(lambda: with_change("certificate"), Malformed, "MISSING_FIELD", "certificate",
                 id="no-certificate"),
    pytest.param(lambda: with_change("certificate.number", id_number(sequence="456") + "41"), Invalid,
                 "CERTIFICATE_HOLDER_MISMATCH", "certificate.number", id="someone-elses-certificate"),
    pytest.param(lambda: with_change("certificate.valid_until", "2026-09-23"), Invalid, "CERTIFICATE_EXPIRED",
                 "certificate.valid_until", id="expired-certificate"),
    pytest.param(lambda: with_change("subsidies"), Malformed, "MISSING_FIELD", "subsidies", id="no-subsidies"),
    pytest.param(lambda: with_change("subsidies", []), Invalid, "SUBSIDIES_EMPTY", "subsidies",
                 id="empty-subsidies"),
    pytest.param(lambda: with_change("subsidies", ["living", "living"]), Invalid, "DUPLICATE_SUBSIDY",
                 "subsidies", id="duplicate-subsidies"),
    pytest.param(lambda: with_change("subsidies", ["living", "rent"]), Invalid, "UNKNOWN_SUBSIDY",
                 "subsidies[1]", id="unknown-subsidy"),
    pytest.param(lambda: with_change("subsidies", [["living"]]), Invalid, "UNKNOWN_SUBSIDY", "subsidies[0]",
                 id="nested-subsidy"),
    pytest.param(lambda: with_change("low_income", ["dibao"]), Malformed, "WRONG_TYPE", "low_income",
                 id="low-income-list"),
    pytest.param(lambda: with_change("low_income", {"dibao": "yes"}), Malformed, "WRONG_TYPE", "low_income.dibao",
                 id="low-income-string-flag"),
    pytest.param(lambda: with_change("low_income", {"tekun": 1}), Malformed, "WRONG_TYPE", "low_income.tekun",
                 id="low-income-integer-flag"),
    pytest.param(lambda: with_change("low_income", {"dibao": None}), Malformed, "WRONG_TYPE",
                 "low_income.dibao", id="low-income-null-flag"),
    pytest.param(lambda: with_change("low_income", {"dibao": True, "pension": True}), Invalid, "UNKNOWN_FIELD",
                 "low_income", id="low-income-unknown-key"),
    pytest.param(lambda: application(agent="李四"), Malformed, "WRONG_TYPE", "agent", id="agent-not-object"),
    pytest.param(lambda: application(agent=agent(id_number=id_number())), Invalid, "AGENT_IS_APPLICANT",
                 "agent.id_number", id="agent-is-applicant"),
    pytest.param(lambda: application(X_ID, agent=agent(id_number=X_ID.lower())), Invalid, "AGENT_IS_APPLICANT",
                 "agent.id_number", id="agent-is-applicant-with-lowercase-x"),
    pytest.param(lambda: application(agent=agent(id_number="123")), Invalid, "ID_NUMBER_LENGTH",
                 "agent.id_number", id="agent-id-too-short"),
    pytest.param(lambda: application(agent=agent(relationship="friend")), Invalid, "UNKNOWN_RELATIONSHIP",
                 "agent.relationship", id="agent-unknown-relationship"),
    pytest.param(lambda: application(agent={"id_number": AGENT_ID, "relationship": "child"}), Malformed,
                 "MISSING_FIELD", "agent.name", id="agent-without-name"),
]


@pytest.mark.parametrize("build, error, code, field", FIELD_ERRORS)
def test_each_field_error_of_an_application_carries_its_code_and_field_path(
    build: Callable[[], Any], error: type[Exception], code: str, field: str
):
    with pytest.raises(error) as raised:
        read_application(build(), TODAY)

    assert (raised.value.code, raised.value.field) == (code, field)


@pytest.mark.parametrize("relationship", [["child"], {"is": "child"}], ids=["list", "object"])
def test_an_agent_relationship_that_is_not_a_string_is_an_unknown_relationship(relationship):
    with pytest.raises(Invalid) as raised:
        read_application(application(agent=agent(relationship=relationship)), TODAY)

    assert (raised.value.code, raised.value.field) == ("UNKNOWN_RELATIONSHIP", "agent.relationship")


def test_an_applicant_whose_birth_date_is_after_today_is_refused():
    body = application(id_number(birth="20260925"))

    with pytest.raises(Invalid) as raised:
        read_application(body, TODAY)

    assert raised.value.code == "ID_NUMBER_BIRTH_DATE"


# --- read_material ---------------------------------------------------------------------------

def test_a_valid_material_declaration_is_read_with_a_lowercase_sha256():
    body = declaration("id_card", pdf_bytes())
    body["sha256"] = body["sha256"].upper()

    read = read_material(body, MAX_BYTES)

    assert (read.code, read.filename, read.content_type) == ("id_card", "id_card.pdf", "application/pdf")
    assert read.size == len(pdf_bytes())
    assert read.sha256 == body["sha256"].lower()


def test_a_material_of_exactly_the_maximum_size_is_accepted():
    body = dict(declaration("application_form", b"%PDF-", "application/pdf"), size=MAX_BYTES)
    assert read_material(body, MAX_BYTES).size == MAX_BYTES


def test_a_material_one_byte_over_the_maximum_is_too_large():
    body = dict(declaration("application_form", b"%PDF-", "application/pdf"), size=MAX_BYTES + 1)

    with pytest.raises(TooLargeMaterial) as raised:
        read_material(body, MAX_BYTES)

    assert raised.value.max_bytes == MAX_BYTES


MATERIAL_ERRORS: list[Any] = [
    pytest.param({"code": None}, Malformed, "MISSING_FIELD", "code", id="no-code"),
    # a code of no material's form (a local item's code such as "passport" is read, and refused unless on the notice)
    pytest.param({"code": "护照"}, Invalid, "UNKNOWN_MATERIAL", "code", id="unknown-code"),
    pytest.param({"code": "Passport"}, Invalid, "UNKNOWN_MATERIAL", "code", id="code-not-a-slug"),
    pytest.param({"filename": ""}, Malformed, "MISSING_FIELD", "filename", id="no-filename"),
    pytest.param({"filename": "../id.pdf"}, Invalid, "FILENAME", "filename", id="filename-with-slash"),
    pytest.param({"filename": "a\\id.pdf"}, Invalid, "FILENAME", "filename", id="filename-with-backslash"),
    pytest.param({"filename": ".hidden.pdf"}, Invalid, "FILENAME", "filename", id="filename-hidden"),
    pytest.param({"content_type": "text/plain"}, Invalid, "CONTENT_TYPE_NOT_ALLOWED", "content_type",
                 id="text-content-type"),
    pytest.param({"content_type": "application/pdf; charset=binary"}, Invalid, "CONTENT_TYPE_NOT_ALLOWED",
                 "content_type", id="content-type-with-parameters"),
    pytest.param({"size": 0}, Invalid, "SIZE", "size", id="zero-size"),
    pytest.param({"size": -1}, Invalid, "SIZE", "size", id="negative-size"),
    pytest.param({"size": True}, Invalid, "SIZE", "size", id="boolean-size"),
    pytest.param({"size": "100"}, Invalid, "SIZE", "size", id="string-size"),
    pytest.param({"size": 1.5}, Invalid, "SIZE", "size", id="fractional-size"),
    pytest.param({"sha256": None}, Malformed, "MISSING_FIELD", "sha256", id="no-sha256"),
    pytest.param({"sha256": "abc"}, Invalid, "SHA256_FORMAT", "sha256", id="short-sha256"),
    pytest.param({"sha256": "g" * 64}, Invalid, "SHA256_FORMAT", "sha256", id="non-hex-sha256"),
]


@pytest.mark.parametrize("change, error, code, field", MATERIAL_ERRORS)
def test_each_field_error_of_a_material_declaration_carries_its_code_and_field(change, error, code, field):
    body = dict(declaration("id_card", pdf_bytes()), **change)

    with pytest.raises(error) as raised:
        read_material(body, MAX_BYTES)

    assert (raised.value.code, raised.value.field) == (code, field)


def test_a_material_declaration_that_is_not_an_object_is_malformed():
    with pytest.raises(Malformed) as raised:
        read_material(["id_card"], MAX_BYTES)

    assert (raised.value.code, raised.value.field) == ("WRONG_TYPE", "body")


# --- read_decision ---------------------------------------------------------------------------

REQUESTED = ("living", "nursing")


def test_an_approval_normalizes_amounts_to_two_decimals_and_sets_the_start_month():
    body = {"outcome": "approved", "reason": "符合条件",
            "subsidies": [{"type": "living", "monthly_amount": "99"},
                          {"type": "nursing", "monthly_amount": "120.5"}]}

    decision = read_decision(body, REQUESTED, "2026-09")

    assert decision == {
        "outcome": "approved", "reason": "符合条件", "override_reason": None, "not_granted": [],
        "subsidies": [{"type": "living", "monthly_amount": "99.00", "start_month": "2026-09"},
                      {"type": "nursing", "monthly_amount": "120.50", "start_month": "2026-09"}],
    }


def test_an_approval_may_leave_the_amount_to_the_standard_table_and_keeps_an_override_reason():
    body = {"outcome": "approved", "override_reason": "二级精神残疾，按省扩面政策",
            "subsidies": [{"type": "nursing"}]}

    decision = read_decision(body, ("nursing",), "2026-09")

    assert decision["subsidies"] == [{"type": "nursing", "monthly_amount": None, "start_month": "2026-09"}]
    assert decision["override_reason"] == "二级精神残疾，按省扩面政策"


def test_a_partial_approval_is_a_partial_refusal_and_must_say_why_the_rest_is_not_granted():
    body = {"outcome": "approved", "subsidies": [{"type": "nursing", "monthly_amount": "0.01"}]}

    for reason in (None, "", "   "):
        with pytest.raises(Invalid) as raised:
            read_decision(dict(body, reason=reason), REQUESTED, "2026-09")
        assert (raised.value.code, raised.value.field) == ("NOT_GRANTED_REASON_MISSING", "reason")
        assert "living" in raised.value.message


def test_a_partial_approval_records_each_subsidy_not_granted_with_the_reason():
    body = {"outcome": "approved", "reason": " 家庭不在低保范围内 ",
            "subsidies": [{"type": "nursing", "monthly_amount": "0.01"}]}

    decision = read_decision(body, REQUESTED, "2026-09")

    assert decision["subsidies"] == [{"type": "nursing", "monthly_amount": "0.01", "start_month": "2026-09"}]
    assert decision["not_granted"] == [{"type": "living", "reason": "家庭不在低保范围内"}]


def test_a_full_approval_needs_no_reason_and_leaves_nothing_out():
    decision = read_decision({"outcome": "approved", "subsidies": [{"type": "nursing"}]}, ("nursing",), "2026-09")

    assert (decision["reason"], decision["not_granted"]) == (None, [])


def test_a_rejection_with_a_reason_grants_nothing():
    decision = read_decision({"outcome": "rejected", "reason": " 不符合条件 "}, REQUESTED, "2026-09")

    assert decision == {"outcome": "rejected", "subsidies": [], "reason": "不符合条件", "override_reason": None,
                        "not_granted": [{"type": "living", "reason": "不符合条件"},
                                        {"type": "nursing", "reason": "不符合条件"}]}


def approval(*grants: tuple[Any, Any]) -> dict[str, Any]:
    return {"outcome": "approved", "subsidies": [{"type": t, "monthly_amount": a} for t, a in grants]}


DECISION_ERRORS: list[Any] = [
    pytest.param("body", Malformed, "WRONG_TYPE", "body", id="body-not-object"),
    pytest.param({}, Invalid, "UNKNOWN_OUTCOME", "outcome", id="no-outcome"),
    pytest.param({"outcome": "maybe"}, Invalid, "UNKNOWN_OUTCOME", "outcome", id="unknown-outcome"),
    pytest.param({"outcome": ["approved"]}, Invalid, "UNKNOWN_OUTCOME", "outcome", id="list-outcome"),
    pytest.param({"outcome": "rejected"}, Malformed, "MISSING_FIELD", "reason", id="rejection-without-reason"),
    pytest.param({"outcome": "rejected", "reason": "不符合", "subsidies": [{"type": "living",
                                                                          "monthly_amount": "99"}]},
                 Invalid, "SUBSIDIES_ON_REJECTION", "subsidies", id="rejection-with-subsidies"),
    pytest.param({"outcome": "approved"}, Invalid, "SUBSIDIES_EMPTY", "subsidies", id="approval-without-subsidies"),
    pytest.param({"outcome": "approved", "subsidies": {"type": "living"}}, Malformed, "WRONG_TYPE", "subsidies",
                 id="subsidies-not-a-list"),
    pytest.param({"outcome": "approved", "subsidies": ["living"]}, Malformed, "WRONG_TYPE", "subsidies[0]",
                 id="grant-not-object"),
    pytest.param(approval(("rent", "99")), Invalid, "UNKNOWN_SUBSIDY", "subsidies[0].type", id="unknown-type"),
    pytest.param(approval(("living", "99"), ("living", "98")), Invalid, "DUPLICATE_SUBSIDY", "subsidies",
                 id="duplicate-type"),
    pytest.param(approval(("living", 99)), Invalid, "AMOUNT_FORMAT", "subsidies[0].monthly_amount",
                 id="numeric-amount"),
    pytest.param(approval(("living", "99.999")), Invalid, "AMOUNT_FORMAT", "subsidies[0].monthly_amount",
                 id="three-decimals"),
    pytest.param(approval(("living", "-1")), Invalid, "AMOUNT_FORMAT", "subsidies[0].monthly_amount",
                 id="negative-amount"),
    pytest.param(approval(("living", "1e3")), Invalid, "AMOUNT_FORMAT", "subsidies[0].monthly_amount",
                 id="exponent-amount"),
    pytest.param(approval(("living", "1234567")), Invalid, "AMOUNT_FORMAT", "subsidies[0].monthly_amount",
                 id="seven-digit-amount"),
    pytest.param(approval(("living", "")), Invalid, "AMOUNT_FORMAT", "subsidies[0].monthly_amount",
                 id="empty-amount"),
    pytest.param(approval(("living", "0")), Invalid, "AMOUNT_NOT_POSITIVE", "subsidies[0].monthly_amount",
                 id="zero-amount"),
    pytest.param(approval(("living", "0.00")), Invalid, "AMOUNT_NOT_POSITIVE", "subsidies[0].monthly_amount",
                 id="zero-amount-with-decimals"),
]


@pytest.mark.parametrize("body, error, code, field", DECISION_ERRORS)
def test_each_error_of_a_decision_carries_its_code_and_field(body, error, code, field):
    with pytest.raises(error) as raised:
        read_decision(body, REQUESTED, "2026-09")

    assert (raised.value.code, raised.value.field) == (code, field)


def test_a_decision_cannot_grant_a_subsidy_the_applicant_did_not_apply_for():
    with pytest.raises(Invalid) as raised:
        read_decision(approval(("living", "99"), ("nursing", "99")), ("living",), "2026-09")

    assert (raised.value.code, raised.value.field) == ("SUBSIDY_NOT_REQUESTED", "subsidies[1].type")


# --- read_notification and read_withdrawal -----------------------------------------------------

@pytest.mark.parametrize("method", ["sms", "phone", "in_person", "letter"])
def test_every_notification_method_is_accepted_and_the_note_is_optional(method):
    assert read_notification({"method": method}) == {"method": method, "note": None}


def test_a_notification_note_is_kept_trimmed():
    assert read_notification({"method": "sms", "note": " 已短信告知 "}) == {"method": "sms", "note": "已短信告知"}


@pytest.mark.parametrize("body, error, code, field", [
    pytest.param(None, Malformed, "MISSING_FIELD", "body", id="no-body"),
    pytest.param({}, Invalid, "UNKNOWN_METHOD", "method", id="no-method"),
    pytest.param({"method": "email"}, Invalid, "UNKNOWN_METHOD", "method", id="unknown-method"),
    pytest.param({"method": "SMS"}, Invalid, "UNKNOWN_METHOD", "method", id="uppercase-method"),
    pytest.param({"method": "sms", "note": "告" * 501}, Invalid, "TOO_LONG", "note", id="long-note"),
    pytest.param({"method": "sms", "note": 5}, Malformed, "WRONG_TYPE", "note", id="numeric-note"),
])
def test_each_error_of_a_notification_carries_its_code_and_field(body, error, code, field):
    with pytest.raises(error) as raised:
        read_notification(body)

    assert (raised.value.code, raised.value.field) == (code, field)


@pytest.mark.parametrize("method", [["sms"], {"is": "sms"}], ids=["list", "object"])
def test_a_notification_method_that_is_not_a_string_is_an_unknown_method(method):
    with pytest.raises(Invalid) as raised:
        read_notification({"method": method})

    assert (raised.value.code, raised.value.field) == ("UNKNOWN_METHOD", "method")


def test_a_withdrawal_keeps_its_reason_trimmed():
    assert read_withdrawal({"reason": " 申请人不再申请 "}) == {"reason": "申请人不再申请"}


@pytest.mark.parametrize("body, error, code, field", [
    pytest.param(None, Malformed, "MISSING_FIELD", "body", id="no-body"),
    pytest.param(["reason"], Malformed, "WRONG_TYPE", "body", id="body-is-a-list"),
    pytest.param({}, Malformed, "MISSING_FIELD", "reason", id="no-reason"),
    pytest.param({"reason": "  "}, Malformed, "MISSING_FIELD", "reason", id="blank-reason"),
    pytest.param({"reason": ["不要了"]}, Malformed, "WRONG_TYPE", "reason", id="list-reason"),
    pytest.param({"reason": "因" * 501}, Invalid, "TOO_LONG", "reason", id="long-reason"),
])
def test_each_error_of_a_withdrawal_carries_its_code_and_field(body, error, code, field):
    with pytest.raises(error) as raised:
        read_withdrawal(body)

    assert (raised.value.code, raised.value.field) == (code, field)


def test_an_image_has_a_smaller_limit_than_a_scanned_pdf():
    body = dict(declaration("photo", b"\xff\xd8\xff", "image/jpeg"), size=8 * 1024 * 1024 + 1)
    with pytest.raises(TooLargeMaterial) as raised:
        read_material(body, MAX_BYTES)
    assert raised.value.max_bytes == 8 * 1024 * 1024
