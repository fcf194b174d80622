"""Every bad input gets its 4xx, a specific code and field, and changes nothing that is stored.

Each refusal is checked twice: the answer (status, ``{"error": {"code", "message", "field"}}``)
and the stored state (a refused POST /cases leaves the window's worklist empty; a refused change
to a case leaves its status, ``version``, materials and ``timeline`` as they were).

The module shares one moto world (provisioning one per test costs more than the test): every
application that is meant to be refused comes from its own window, ``OFFICE``, which never gets a
case accepted, and every test that needs a case accepts its own, for an applicant of its own.
"""
from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from chalicelib.config import load
from tests.integration import conftest as integration
from tests.integration.conftest import store_object
from tests.support.people import (
    HARBIN_TOWNSHIP,
    SHANGHAI_WINDOW,
    application,
    declaration,
    fresh_application,
    id_number,
    pdf_bytes,
)

NOW = "2026-09-24T10:00:00+08:00"
OFFICE = "310101004"  # the window whose applications are all refused: its worklist stays empty


@pytest.fixture(scope="module")
def world() -> Any:
    yield from integration.shared_api()


@pytest.fixture()
def api(world: Any) -> Any:
    world.now = NOW
    return world


def fresh(**overrides: Any) -> dict[str, Any]:
    return fresh_application("357", **overrides)


# --- helpers -------------------------------------------------------------------------------


def assert_error(response: Any, status: int, code: str, field: str | None) -> dict[str, Any]:
    """The contract's error shape, with exactly this status, code and field."""
    assert response.status_code == status, (response.status_code, response.data)
    assert response.headers["Content-Type"].startswith("application/json")
    assert set(response.data) == {"error"}, response.data
    error = response.data["error"]
    assert set(error) == {"code", "message", "field"}, error
    assert error["code"] == code, error
    assert error["field"] == field, error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    return error


def apply(api: Any, body: Any, **kwargs: Any) -> Any:
    """POST /cases from ``OFFICE``."""
    return api.call("POST", "/cases", "window", OFFICE, body, **kwargs)


def assert_nothing_accepted(api: Any) -> None:
    """A refused POST /cases left no case behind (the refused window's worklist is still empty)."""
    worklist = api.call("GET", "/cases", "window", OFFICE)
    assert worklist.status_code == 200, worklist.data
    assert worklist.data["cases"] == []


def snapshot(api: Any, case_id: str, role: str = "window") -> dict[str, Any]:
    """What must not move when a request is refused."""
    read = api.window("GET", f"/cases/{case_id}") if role == "window" else api.reviewer("GET", f"/cases/{case_id}")
    assert read.status_code == 200, read.data
    case = read.data
    return {
        "status": case["status"], "version": case["version"], "timeline": len(case["timeline"]),
        "materials": case["materials"], "deadlines": case["deadlines"], "decision": case["decision"],
        "notification": case["notification"], "withdrawal": case["withdrawal"],
    }


def accepted_case(api: Any, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = api.window("POST", "/cases", body or fresh())
    assert response.status_code == 201, response.data
    return response.data


def completed_case(api: Any, body: dict[str, Any] | None = None) -> str:
    case_id = api.ready_case(body or fresh())["case_id"]
    response = api.window("POST", f"/cases/{case_id}/complete")
    assert response.status_code == 200, response.data
    return case_id


def pushed_case(api: Any, body: dict[str, Any] | None = None) -> str:
    case_id = completed_case(api, body)
    response = api.window("POST", f"/cases/{case_id}/push")
    assert response.status_code == 200, response.data
    return case_id


def decided_case(api: Any) -> str:
    case_id = pushed_case(api)
    response = api.reviewer("POST", f"/cases/{case_id}/decision", {
        "outcome": "approved", "reason": "非重度残疾，护理补贴不予认定",
        "subsidies": [{"type": "living", "monthly_amount": "99.00"}]})
    assert response.status_code == 200, response.data
    return case_id


def register(api: Any, case_id: str, code: str, content: bytes, content_type: str = "application/pdf") -> dict[str, Any]:
    response = api.window("POST", f"/cases/{case_id}/materials", declaration(code, content, content_type))
    assert response.status_code == 201, response.data
    return response.data


def without(body: dict[str, Any], path: str) -> dict[str, Any]:
    """A deep copy of ``body`` with the dotted ``path`` removed."""
    copied = copy.deepcopy(body)
    *parents, leaf = path.split(".")
    target = copied
    for key in parents:
        target = target[key]
    del target[leaf]
    return copied


def with_value(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    copied = copy.deepcopy(body)
    *parents, leaf = path.split(".")
    target = copied
    for key in parents:
        target = target[key]
    target[leaf] = value
    return copied


PERSON = id_number()
OTHER_PERSON = id_number(sequence="456")
AGENT = id_number(region="310101", birth="19850505", sequence="222")


def bad_checksum(number: str) -> str:
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


# --- POST /cases: the body cannot be read ---------------------------------------------------


def test_a_body_that_is_not_json_is_refused_as_malformed_and_nothing_is_stored(api):
    response = apply(api, None, raw='{"applicant": {"name": "张三",')
    assert_error(response, 400, "MALFORMED_JSON", "body")
    assert_nothing_accepted(api)


def test_a_request_without_a_body_is_refused_as_body_missing_and_nothing_is_stored(api):
    response = apply(api, None)
    assert_error(response, 400, "BODY_MISSING", "body")
    assert_nothing_accepted(api)


@pytest.mark.parametrize("raw, code", [
    ("[]", "WRONG_TYPE"),
    ('"an application"', "WRONG_TYPE"),
    ("42", "WRONG_TYPE"),
    ("null", "MISSING_FIELD"),
])
def test_a_json_body_that_is_not_an_object_is_refused_as_malformed(api, raw, code):
    response = apply(api, None, raw=raw)
    assert_error(response, 400, code, "body")
    assert_nothing_accepted(api)


def test_a_deeply_nested_json_body_is_refused_as_malformed_not_a_server_error(api):
    response = apply(api, None, raw="[" * 100_000 + "]" * 100_000)
    assert_error(response, 400, "MALFORMED_JSON", "body")
    assert_nothing_accepted(api)


# --- POST /cases: missing parts -------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "applicant",
    "certificate",
    "subsidies",
    "applicant.name",
    "applicant.id_number",
    "applicant.hukou_unit",
])
def test_a_missing_required_field_is_refused_with_missing_field_naming_its_path(api, path):
    response = apply(api, without(application(), path))
    assert_error(response, 400, "MISSING_FIELD", path)
    assert_nothing_accepted(api)


@pytest.mark.parametrize("path, blank", [("applicant.name", "   "), ("applicant.id_number", "")])
def test_a_blank_required_field_counts_as_missing(api, path, blank):
    response = apply(api, with_value(application(), path, blank))
    assert_error(response, 400, "MISSING_FIELD", path)
    assert_nothing_accepted(api)


@pytest.mark.parametrize("path, value, status, code", [
    ("applicant", "张三", 400, "WRONG_TYPE"),
    ("certificate", ["x"], 400, "WRONG_TYPE"),
    ("applicant.name", 12345, 400, "WRONG_TYPE"),
    ("applicant.name", "张" * 51, 422, "TOO_LONG"),
    ("applicant.phone", "12345", 422, "PHONE_FORMAT"),
    ("applicant.id_number", 230102198001011230, 422, "ID_NUMBER_FORMAT"),
    ("low_income", ["dibao"], 400, "WRONG_TYPE"),
    ("low_income.dibao", "yes", 400, "WRONG_TYPE"),
    ("agent", "李四", 400, "WRONG_TYPE"),
])
def test_a_field_of_the_wrong_type_or_shape_is_refused_with_its_path(api, path, value, status, code):
    response = apply(api, with_value(application(), path, value))
    assert_error(response, status, code, path)
    assert_nothing_accepted(api)


def test_an_unknown_low_income_key_is_refused(api):
    response = apply(api, application(low_income={"dibao": True, "wubao": True}))
    assert_error(response, 422, "UNKNOWN_FIELD", "low_income")
    assert_nothing_accepted(api)


# --- POST /cases: the applicant's identity ---------------------------------------------------


def test_an_id_number_with_a_wrong_check_character_is_refused(api):
    body = application()
    body["applicant"]["id_number"] = bad_checksum(PERSON)
    response = apply(api, body)
    assert_error(response, 422, "ID_NUMBER_CHECKSUM", "applicant.id_number")
    assert_nothing_accepted(api)


@pytest.mark.parametrize("number", [PERSON[:17], PERSON + "1", PERSON[:15]])
def test_an_id_number_of_the_wrong_length_is_refused(api, number):
    body = application()
    body["applicant"]["id_number"] = number
    response = apply(api, body)
    assert_error(response, 422, "ID_NUMBER_LENGTH", "applicant.id_number")
    assert_nothing_accepted(api)


def test_an_id_number_with_a_letter_inside_is_refused_as_a_format_error(api):
    body = application()
    body["applicant"]["id_number"] = PERSON[:10] + "A" + PERSON[11:]
    response = apply(api, body)
    assert_error(response, 422, "ID_NUMBER_FORMAT", "applicant.id_number")
    assert_nothing_accepted(api)


@pytest.mark.parametrize("birth", ["20300101", "20260925", "19800230"])
def test_an_id_number_born_in_the_future_or_on_no_real_day_is_refused(api, birth):
    # X-Clock-Now is 2026-09-24: the 25th is tomorrow
    person = id_number(birth=birth)
    response = apply(api, application(person_id=person))
    assert_error(response, 422, "ID_NUMBER_BIRTH_DATE", "applicant.id_number")
    assert_nothing_accepted(api)


def test_an_id_number_from_an_address_code_that_never_existed_is_refused(api):
    person = id_number(region="239999")
    response = apply(api, application(person_id=person))
    assert_error(response, 422, "ID_NUMBER_REGION", "applicant.id_number")
    assert_nothing_accepted(api)


# --- POST /cases: the disability certificate -------------------------------------------------


def test_a_certificate_that_belongs_to_someone_else_is_refused(api):
    body = application()
    body["certificate"]["number"] = OTHER_PERSON + "41"
    response = apply(api, body)
    assert_error(response, 422, "CERTIFICATE_HOLDER_MISMATCH", "certificate.number")
    assert_nothing_accepted(api)


@pytest.mark.parametrize("valid_until", ["2026-09-23", "2020-01-01"])
def test_an_expired_certificate_is_refused(api, valid_until):
    body = application()
    body["certificate"]["valid_until"] = valid_until
    response = apply(api, body)
    assert_error(response, 422, "CERTIFICATE_EXPIRED", "certificate.valid_until")
    assert_nothing_accepted(api)


@pytest.mark.parametrize("valid_until", ["2031-02-30", "01/05/2031", "", None, 20310501])
def test_a_certificate_expiry_that_is_not_a_date_is_refused(api, valid_until):
    body = application()
    body["certificate"]["valid_until"] = valid_until
    response = apply(api, body)
    assert_error(response, 422, "CERTIFICATE_VALID_UNTIL", "certificate.valid_until")
    assert_nothing_accepted(api)


@pytest.mark.parametrize("suffix, code", [
    ("81", "CERTIFICATE_CATEGORY"),
    ("01", "CERTIFICATE_CATEGORY"),
    ("45", "CERTIFICATE_GRADE"),
    ("40", "CERTIFICATE_GRADE"),
    ("4", "CERTIFICATE_FORMAT"),
    ("412", "CERTIFICATE_FORMAT"),
])
def test_a_certificate_with_a_bad_category_grade_or_length_is_refused(api, suffix, code):
    body = application()
    body["certificate"]["number"] = PERSON + suffix
    response = apply(api, body)
    assert_error(response, 422, code, "certificate.number")
    assert_nothing_accepted(api)


# --- POST /cases: subsidies ------------------------------------------------------------------


def test_an_unknown_subsidy_type_is_refused_naming_its_position(api):
    response = apply(api, application(subsidies=["living", "pension"]))
    assert_error(response, 422, "UNKNOWN_SUBSIDY", "subsidies[1]")
    assert_nothing_accepted(api)


@pytest.mark.parametrize("subsidies", [[], "living", {"living": True}])
def test_an_empty_or_non_list_subsidies_is_refused(api, subsidies):
    response = apply(api, application(subsidies=subsidies))
    assert_error(response, 422, "SUBSIDIES_EMPTY", "subsidies")
    assert_nothing_accepted(api)


def test_a_subsidy_named_twice_is_refused(api):
    response = apply(api, application(subsidies=["nursing", "nursing"]))
    assert_error(response, 422, "DUPLICATE_SUBSIDY", "subsidies")
    assert_nothing_accepted(api)


# --- POST /cases: the hukou unit (业务属地) ----------------------------------------------------


@pytest.mark.parametrize("unit", ["23010200", "2301020011", "23010200a", "２３０１０２００１", 230102001])
def test_a_hukou_unit_that_is_not_nine_digits_is_refused(api, unit):
    response = apply(api, application(hukou_unit=unit))
    assert_error(response, 422, "UNIT_FORMAT", "applicant.hukou_unit")
    assert_nothing_accepted(api)


@pytest.mark.parametrize("unit", [
    "110103001",  # 崇文区, abolished in 2010
    "239999001",  # no such county in Heilongjiang
    "230100001",  # 哈尔滨市 itself (a prefecture line, not a county)
    "990101001",  # no such province
])
def test_a_hukou_unit_under_a_county_that_does_not_exist_now_is_refused(api, unit):
    response = apply(api, application(hukou_unit=unit))
    assert_error(response, 422, "UNIT_UNKNOWN_COUNTY", "applicant.hukou_unit")
    assert_nothing_accepted(api)


# --- POST /cases: the agent (委托办理) ---------------------------------------------------------


def test_an_agent_with_a_bad_id_number_is_refused(api):
    agent = {"name": "李四", "id_number": bad_checksum(AGENT), "relationship": "child"}
    response = apply(api, application(agent=agent))
    assert_error(response, 422, "ID_NUMBER_CHECKSUM", "agent.id_number")
    assert_nothing_accepted(api)


@pytest.mark.parametrize("relationship", ["friend", "", None, "CHILD"])
def test_an_agent_with_an_unknown_relationship_is_refused(api, relationship):
    agent = {"name": "李四", "id_number": AGENT, "relationship": relationship}
    response = apply(api, application(agent=agent))
    assert_error(response, 422, "UNKNOWN_RELATIONSHIP", "agent.relationship")
    assert_nothing_accepted(api)


def test_the_applicant_cannot_be_their_own_agent(api):
    agent = {"name": "张三", "id_number": PERSON, "relationship": "other"}
    response = apply(api, application(agent=agent))
    assert_error(response, 422, "AGENT_IS_APPLICANT", "agent.id_number")
    assert_nothing_accepted(api)


# --- X-Clock-Now ------------------------------------------------------------------------------


@pytest.mark.parametrize("clock", ["yesterday", "2026-09-24T25:00:00+08:00", "24/09/2026"])
def test_an_unreadable_clock_header_is_refused_and_nothing_is_stored(api, clock):
    response = apply(api, fresh(), headers={"X-Clock-Now": clock})
    assert_error(response, 422, "CLOCK_NOW_FORMAT", "CLOCK_NOW")
    assert_nothing_accepted(api)


def test_an_unreadable_clock_header_is_refused_on_a_read_too(api):
    response = api.call("GET", "/cases", "window", SHANGHAI_WINDOW, headers={"X-Clock-Now": "not-a-time"})
    assert_error(response, 422, "CLOCK_NOW_FORMAT", "CLOCK_NOW")


@pytest.mark.parametrize("clock", ["9999-12-31T23:00:00-12:00", "0001-01-01T00:00:00+14:00"])
def test_a_clock_header_that_cannot_be_expressed_in_china_time_is_refused(api, clock):
    response = api.call("GET", "/cases", "window", SHANGHAI_WINDOW, headers={"X-Clock-Now": clock})
    assert_error(response, 422, "CLOCK_NOW_FORMAT", "CLOCK_NOW")


# --- the cases refusals are tried on ----------------------------------------------------------
# Each is built once for the module, with a baseline snapshot; every refusal tried on it must leave
# it equal to that baseline.


@dataclass(frozen=True)
class Held:
    case_id: str
    baseline: dict[str, Any]
    role: str = "window"


def hold(world: Any, case_id: str, role: str = "window") -> Held:
    return Held(case_id, snapshot(world, case_id, role), role)


def assert_unchanged(api: Any, held: Held) -> dict[str, Any]:
    now = snapshot(api, held.case_id, held.role)
    assert now == held.baseline
    return now


@pytest.fixture(scope="module")
def awaiting(world: Any) -> Held:
    """Accepted, nothing registered yet."""
    world.now = NOW
    return hold(world, accepted_case(world)["case_id"])


@pytest.fixture(scope="module")
def completed(world: Any) -> Held:
    world.now = NOW
    return hold(world, completed_case(world))


@pytest.fixture(scope="module")
def under_review(world: Any) -> Held:
    """Pushed; living and nursing requested."""
    world.now = NOW
    return hold(world, pushed_case(world), role="reviewer")


@pytest.fixture(scope="module")
def living_only(world: Any) -> Held:
    world.now = NOW
    return hold(world, pushed_case(world, fresh(subsidies=["living"])), role="reviewer")


@pytest.fixture(scope="module")
def decided(world: Any) -> Held:
    world.now = NOW
    return hold(world, decided_case(world))


@pytest.fixture(scope="module")
def withdrawn(world: Any) -> Held:
    world.now = NOW
    case_id = accepted_case(world)["case_id"]
    response = world.window("POST", f"/cases/{case_id}/withdraw", {"reason": "申请人撤回"})
    assert response.status_code == 200 and response.data["status"] == "withdrawn", response.data
    return hold(world, case_id)


# --- transitions from the wrong status --------------------------------------------------------


def test_a_push_before_the_materials_are_complete_is_a_conflict(api, awaiting):
    response = api.window("POST", f"/cases/{awaiting.case_id}/push")
    assert_error(response, 409, "INVALID_TRANSITION", "status")
    assert_unchanged(api, awaiting)


def test_completing_with_materials_missing_lists_every_missing_material(api):
    case_id = accepted_case(api)["case_id"]
    api.upload(case_id, "id_card")
    before = snapshot(api, case_id)
    response = api.window("POST", f"/cases/{case_id}/complete")
    error = assert_error(response, 422, "MATERIALS_MISSING", "materials")
    for code in ("application_form", "household_register", "disability_certificate", "photo", "bank_account"):
        assert code in error["message"]
    assert "id_card" not in error["message"]
    after = snapshot(api, case_id)
    assert after == before and after["status"] == "awaiting_materials"
    assert [(d["kind"], d["state"]) for d in after["deadlines"]] == [("materials", "open")]  # only 收件时限 runs


def test_a_registered_but_unconfirmed_material_does_not_count_towards_completion(api):
    case = accepted_case(api)
    case_id = case["case_id"]
    for item in case["notice"]["materials"]:
        if item["code"] == "photo":
            register(api, case_id, "photo", pdf_bytes("photo"))
        else:
            api.upload(case_id, item["code"])
    before = snapshot(api, case_id)
    response = api.window("POST", f"/cases/{case_id}/complete")
    error = assert_error(response, 422, "MATERIALS_MISSING", "materials")
    assert "photo" in error["message"]
    assert snapshot(api, case_id) == before


def test_completing_a_complete_case_again_changes_nothing(api, completed):
    """The last material completed it (D1 runs from that day); a later click answers the case as it stands."""
    response = api.window("POST", f"/cases/{completed.case_id}/complete")
    assert response.status_code == 200 and response.json_body["status"] == "awaiting_push"
    assert_unchanged(api, completed)


def test_completing_a_pushed_case_is_a_conflict(api, under_review):
    response = api.window("POST", f"/cases/{under_review.case_id}/complete")
    assert_error(response, 409, "INVALID_TRANSITION", "status")
    assert_unchanged(api, under_review)


def test_a_decision_on_a_case_not_yet_pushed_is_out_of_the_reviewers_reach(api, completed):
    response = api.reviewer("POST", f"/cases/{completed.case_id}/decision", {
        "outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "99.00"}]})
    assert_error(response, 403, "CASE_OUT_OF_REACH", None)
    assert_unchanged(api, completed)


def test_notifying_the_applicant_before_a_decision_is_a_conflict(api, under_review):
    response = api.window("POST", f"/cases/{under_review.case_id}/notification", {"method": "sms"})
    assert_error(response, 409, "INVALID_TRANSITION", "status")
    assert_unchanged(api, under_review)


def test_deciding_a_case_twice_is_a_conflict(api, decided):
    response = api.reviewer("POST", f"/cases/{decided.case_id}/decision", {"outcome": "rejected", "reason": "改判"})
    assert_error(response, 409, "INVALID_TRANSITION", "status")
    assert_unchanged(api, decided)


def test_registering_a_material_after_the_push_is_a_conflict(api, under_review):
    response = api.window("POST", f"/cases/{under_review.case_id}/materials",
                          declaration("photo", pdf_bytes("late photo")))
    assert_error(response, 409, "INVALID_TRANSITION", "status")
    assert_unchanged(api, under_review)


def test_confirming_a_material_twice_is_a_conflict(api, completed):
    material_id = completed.baseline["materials"][0]["material_id"]
    response = api.window("POST", f"/cases/{completed.case_id}/materials/{material_id}/confirm")
    assert_error(response, 409, "MATERIAL_ALREADY_RECEIVED", "material_id")
    assert_unchanged(api, completed)


def test_confirming_a_material_the_case_does_not_have_is_not_found(api, awaiting):
    response = api.window("POST", f"/cases/{awaiting.case_id}/materials/0123456789abcdef/confirm")
    assert_error(response, 404, "MATERIAL_NOT_FOUND", "material_id")
    assert_unchanged(api, awaiting)


def test_withdrawing_a_withdrawn_case_is_a_conflict(api, withdrawn):
    response = api.window("POST", f"/cases/{withdrawn.case_id}/withdraw", {"reason": "再次撤回"})
    assert_error(response, 409, "INVALID_TRANSITION", "status")
    assert_unchanged(api, withdrawn)


# --- decision, notification and withdrawal bodies ------------------------------------------


@pytest.mark.parametrize("body, status, code, field", [
    ({"outcome": "granted"}, 422, "UNKNOWN_OUTCOME", "outcome"),
    ({"subsidies": [{"type": "living", "monthly_amount": "99.00"}]}, 422, "UNKNOWN_OUTCOME", "outcome"),
    ({"outcome": "rejected"}, 400, "MISSING_FIELD", "reason"),
    ({"outcome": "rejected", "reason": "  "}, 400, "MISSING_FIELD", "reason"),
    ({"outcome": "rejected", "reason": "不符合", "subsidies": [{"type": "living", "monthly_amount": "99.00"}]},
     422, "SUBSIDIES_ON_REJECTION", "subsidies"),
    ({"outcome": "approved"}, 422, "SUBSIDIES_EMPTY", "subsidies"),
    ({"outcome": "approved", "subsidies": []}, 422, "SUBSIDIES_EMPTY", "subsidies"),
    ({"outcome": "approved", "subsidies": "living"}, 400, "WRONG_TYPE", "subsidies"),
    ({"outcome": "approved", "subsidies": ["living"]}, 400, "WRONG_TYPE", "subsidies[0]"),
    ({"outcome": "approved", "subsidies": [{"type": "pension", "monthly_amount": "99.00"}]},
     422, "UNKNOWN_SUBSIDY", "subsidies[0].type"),
    ({"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "99.00"},
                                           {"type": "living", "monthly_amount": "98.00"}]},
     422, "DUPLICATE_SUBSIDY", "subsidies"),
    ({"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "abc"}]},
     422, "AMOUNT_FORMAT", "subsidies[0].monthly_amount"),
    ({"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "1.234"}]},
     422, "AMOUNT_FORMAT", "subsidies[0].monthly_amount"),
    ({"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "-5"}]},
     422, "AMOUNT_FORMAT", "subsidies[0].monthly_amount"),
    ({"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": 99}]},
     422, "AMOUNT_FORMAT", "subsidies[0].monthly_amount"),
    ({"outcome": "approved", "reason": "非重度残疾", "subsidies": [{"type": "living"}]},  # no amount table for 23 here
     422, "AMOUNT_REQUIRED", "subsidies[0].monthly_amount"),
    # a partial approval is a partial refusal: the subsidy left out needs its reason (issue 16.10)
    ({"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "99.00"}]},
     422, "NOT_GRANTED_REASON_MISSING", "reason"),
    ({"outcome": "approved", "reason": " ", "subsidies": [{"type": "living", "monthly_amount": "99.00"}]},
     422, "NOT_GRANTED_REASON_MISSING", "reason"),
    ({"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "0"}]},
     422, "AMOUNT_NOT_POSITIVE", "subsidies[0].monthly_amount"),
    ({"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "0.00"}]},
     422, "AMOUNT_NOT_POSITIVE", "subsidies[0].monthly_amount"),
])
def test_a_bad_decision_is_refused_and_the_case_stays_under_review(api, under_review, body, status, code, field):
    response = api.reviewer("POST", f"/cases/{under_review.case_id}/decision", body)
    assert_error(response, status, code, field)
    after = assert_unchanged(api, under_review)
    assert after["status"] == "under_review" and after["decision"] is None


def test_granting_a_subsidy_that_was_not_requested_is_refused(api, living_only):
    response = api.reviewer("POST", f"/cases/{living_only.case_id}/decision", {
        "outcome": "approved", "subsidies": [{"type": "nursing", "monthly_amount": "180.00"}]})
    assert_error(response, 422, "SUBSIDY_NOT_REQUESTED", "subsidies[0].type")
    assert_unchanged(api, living_only)


def test_a_decision_without_a_body_is_refused_as_body_missing(api, under_review):
    response = api.call("POST", f"/cases/{under_review.case_id}/decision", "reviewer", HARBIN_TOWNSHIP)
    assert_error(response, 400, "BODY_MISSING", "body")
    assert_unchanged(api, under_review)


def test_a_decision_that_is_not_json_is_refused_as_malformed(api, under_review):
    response = api.call("POST", f"/cases/{under_review.case_id}/decision", "reviewer", HARBIN_TOWNSHIP,
                        raw="{outcome: approved}")
    assert_error(response, 400, "MALFORMED_JSON", "body")
    assert_unchanged(api, under_review)


@pytest.mark.parametrize("body, status, code, field", [
    ({"method": "email"}, 422, "UNKNOWN_METHOD", "method"),
    ({"method": "SMS"}, 422, "UNKNOWN_METHOD", "method"),
    ({}, 422, "UNKNOWN_METHOD", "method"),
    ({"method": "sms", "note": "短" * 501}, 422, "TOO_LONG", "note"),
    ([], 400, "WRONG_TYPE", "body"),
])
def test_a_bad_notification_is_refused_and_the_result_stays_returned(api, decided, body, status, code, field):
    response = api.window("POST", f"/cases/{decided.case_id}/notification", body)
    assert_error(response, status, code, field)
    after = assert_unchanged(api, decided)
    assert after["status"] == "result_returned" and after["notification"] is None


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"note": "不办了"}])
def test_a_withdrawal_without_a_reason_is_refused(api, awaiting, body):
    response = api.window("POST", f"/cases/{awaiting.case_id}/withdraw", body)
    assert_error(response, 400, "MISSING_FIELD", "reason")
    assert assert_unchanged(api, awaiting)["status"] == "awaiting_materials"


def test_a_withdrawal_without_a_body_is_refused_as_body_missing(api, awaiting):
    response = api.call("POST", f"/cases/{awaiting.case_id}/withdraw", "window", SHANGHAI_WINDOW)
    assert_error(response, 400, "BODY_MISSING", "body")
    assert_unchanged(api, awaiting)


# --- material declarations --------------------------------------------------------------------

MIB = 1024 * 1024


def _declared(**changes: Any) -> dict[str, Any]:
    body = declaration("id_card", pdf_bytes("id_card"))
    body.update(changes)
    return body


@pytest.mark.parametrize("body, status, code, field", [
    (_declared(code="护照"), 422, "UNKNOWN_MATERIAL", "code"),
    (_declared(code="passport"), 422, "MATERIAL_NOT_REQUIRED", "code"),  # a local item's form, not on the notice
    ({k: v for k, v in _declared().items() if k != "code"}, 400, "MISSING_FIELD", "code"),
    (_declared(content_type="application/zip"), 422, "CONTENT_TYPE_NOT_ALLOWED", "content_type"),
    (_declared(content_type="text/html"), 422, "CONTENT_TYPE_NOT_ALLOWED", "content_type"),
    (_declared(size=0), 422, "SIZE", "size"),
    (_declared(size=-1), 422, "SIZE", "size"),
    (_declared(size="100"), 422, "SIZE", "size"),
    (_declared(size=1.5), 422, "SIZE", "size"),
    (_declared(size=True), 422, "SIZE", "size"),
    (_declared(size=20 * MIB + 1), 413, "MATERIAL_TOO_LARGE", "size"),
    (_declared(size=10**12), 413, "MATERIAL_TOO_LARGE", "size"),
    (_declared(sha256="not-a-digest"), 422, "SHA256_FORMAT", "sha256"),
    (_declared(sha256="a" * 63), 422, "SHA256_FORMAT", "sha256"),
    (_declared(sha256="g" * 64), 422, "SHA256_FORMAT", "sha256"),
    ({k: v for k, v in _declared().items() if k != "sha256"}, 400, "MISSING_FIELD", "sha256"),
    (_declared(filename="../../etc/passwd"), 422, "FILENAME", "filename"),
    (_declared(filename=".hidden.pdf"), 422, "FILENAME", "filename"),
    (_declared(code="agent_id_card"), 422, "MATERIAL_NOT_REQUIRED", "code"),
])
def test_a_bad_material_declaration_is_refused_and_nothing_is_registered(api, awaiting, body, status, code, field):
    response = api.window("POST", f"/cases/{awaiting.case_id}/materials", body)
    assert_error(response, status, code, field)
    assert assert_unchanged(api, awaiting)["materials"] == []


def test_a_material_of_exactly_the_size_limit_may_be_declared(api):
    case_id = accepted_case(api)["case_id"]
    response = api.window("POST", f"/cases/{case_id}/materials", _declared(size=20 * MIB))
    assert response.status_code == 201, response.data
    assert load().max_material_bytes == 20 * MIB


def test_confirming_a_material_before_anything_was_uploaded_is_refused(api):
    case_id = accepted_case(api)["case_id"]
    registered = register(api, case_id, "id_card", pdf_bytes("id_card"))
    before = snapshot(api, case_id)
    response = api.window("POST", f"/cases/{case_id}/materials/{registered['material_id']}/confirm")
    assert_error(response, 422, "UPLOAD_MISSING", "material_id")
    after = snapshot(api, case_id)
    assert after == before
    assert [m["status"] for m in after["materials"]] == ["registered"]


# --- uploads whose bytes do not match their declaration ---------------------------------------

DECLARED = pdf_bytes("id_card")


def _put(upload: dict[str, Any], content: bytes, content_type: str) -> None:
    boto3.client("s3").put_object(Bucket=load().materials_bucket, Key=upload["fields"]["key"],
                                  Body=content, ContentType=content_type)


@pytest.mark.parametrize("stored, content_type, code", [
    (DECLARED + b"trailing bytes", "application/pdf", "UPLOAD_SIZE_MISMATCH"),
    (DECLARED[:-1], "application/pdf", "UPLOAD_SIZE_MISMATCH"),
    (DECLARED, "image/png", "UPLOAD_TYPE_MISMATCH"),
    (DECLARED, "", "UPLOAD_TYPE_MISMATCH"),
    (b"GIF89a" + DECLARED[6:], "application/pdf", "UPLOAD_CONTENT_MISMATCH"),
    (DECLARED.replace(b"id_card", b"id_caxd"), "application/pdf", "UPLOAD_CHECKSUM_MISMATCH"),
])
def test_an_upload_that_does_not_match_its_declaration_leaves_the_material_registered(
    api, stored, content_type, code,
):
    case_id = accepted_case(api)["case_id"]
    registered = register(api, case_id, "id_card", DECLARED)
    _put(registered["upload"], stored, content_type)
    before = snapshot(api, case_id)
    response = api.window("POST", f"/cases/{case_id}/materials/{registered['material_id']}/confirm")
    assert_error(response, 422, code, "material_id")
    after = snapshot(api, case_id)
    assert after == before
    assert [m["status"] for m in after["materials"]] == ["registered"]


def test_bytes_that_are_not_a_pdf_are_refused_even_when_declared_with_their_own_checksum(api):
    case_id = accepted_case(api)["case_id"]
    content = b"MZ\x90\x00 a windows executable, not a pdf"
    registered = register(api, case_id, "id_card", content)
    assert registered["status"] == "registered"
    store_object(registered["upload"], content)
    before = snapshot(api, case_id)
    response = api.window("POST", f"/cases/{case_id}/materials/{registered['material_id']}/confirm")
    assert_error(response, 422, "UPLOAD_CONTENT_MISMATCH", "material_id")
    assert snapshot(api, case_id) == before


def test_a_refused_upload_can_be_replaced_by_the_right_bytes_and_then_confirmed(api):
    case_id = accepted_case(api)["case_id"]
    registered = register(api, case_id, "id_card", DECLARED)
    _put(registered["upload"], DECLARED.replace(b"id_card", b"id_caxd"), "application/pdf")
    refused = api.window("POST", f"/cases/{case_id}/materials/{registered['material_id']}/confirm")
    assert_error(refused, 422, "UPLOAD_CHECKSUM_MISMATCH", "material_id")
    store_object(registered["upload"], DECLARED)
    confirmed = api.window("POST", f"/cases/{case_id}/materials/{registered['material_id']}/confirm")
    assert confirmed.status_code == 200, confirmed.data
    assert confirmed.data["status"] == "received"
    assert confirmed.data["sha256"] == hashlib.sha256(DECLARED).hexdigest()


# --- GET /calendar/deadline -------------------------------------------------------------------


def _deadline(api: Any, query: str) -> Any:
    return api.call("GET", f"/calendar/deadline{query}", "window", SHANGHAI_WINDOW)


def test_the_deadline_calculator_answers_a_good_question(api):
    response = _deadline(api, "?start=2026-09-30&working_days=3")
    assert response.status_code == 200, response.data
    assert response.data["due_on"] == "2026-10-10" and response.data["provisional"] is False


@pytest.mark.parametrize("query, status, code, field", [
    ("?working_days=3", 400, "MISSING_FIELD", "start"),
    ("?start=&working_days=3", 400, "MISSING_FIELD", "start"),
    ("?start=2026-13-01&working_days=3", 422, "DATE_FORMAT", "start"),
    ("?start=2026-02-30&working_days=3", 422, "DATE_FORMAT", "start"),
    ("?start=tomorrow&working_days=3", 422, "DATE_FORMAT", "start"),
    ("?start=2026-09-30", 400, "MISSING_FIELD", "working_days"),
    ("", 400, "MISSING_FIELD", "start"),
    ("?start=2026-09-30&working_days=", 422, "WORKING_DAYS_RANGE", "working_days"),
    ("?start=2026-09-30&working_days=abc", 422, "WORKING_DAYS_RANGE", "working_days"),
    ("?start=2026-09-30&working_days=0", 422, "WORKING_DAYS_RANGE", "working_days"),
    ("?start=2026-09-30&working_days=-1", 422, "WORKING_DAYS_RANGE", "working_days"),
    ("?start=2026-09-30&working_days=3.5", 422, "WORKING_DAYS_RANGE", "working_days"),
    ("?start=2026-09-30&working_days=251", 422, "WORKING_DAYS_RANGE", "working_days"),
    ("?start=2026-09-30&working_days=%C2%B3", 422, "WORKING_DAYS_RANGE", "working_days"),
    ("?start=2026-09-30&working_days=%EF%BC%93", 422, "WORKING_DAYS_RANGE", "working_days"),
    ("?start=20260930&working_days=3", 422, "DATE_FORMAT", "start"),
    ("?start=2026-W40-3&working_days=3", 422, "DATE_FORMAT", "start"),
])
def test_a_bad_deadline_question_is_refused(api, query, status, code, field):
    assert_error(_deadline(api, query), status, code, field)


def test_a_deadline_question_beyond_the_calendar_is_refused_not_a_server_error(api):
    response = _deadline(api, "?start=9999-12-30&working_days=3")
    assert response.status_code == 422, response.data
    assert set(response.data["error"]) == {"code", "message", "field"}
    assert response.data["error"]["field"] == "start"


# --- GET /cases filters -----------------------------------------------------------------------


@pytest.mark.parametrize("query, code, field", [
    ("?status=open", "UNKNOWN_STATUS", "status"),
    ("?status=", "UNKNOWN_STATUS", "status"),
    ("?status=AWAITING_PUSH", "UNKNOWN_STATUS", "status"),
    ("?due_before=2026-02-30", "DATE_FORMAT", "due_before"),
    ("?due_before=next-week", "DATE_FORMAT", "due_before"),
    ("?due_before=", "DATE_FORMAT", "due_before"),
    ("?overdue=yes", "BOOLEAN_FORMAT", "overdue"),
    ("?overdue=1", "BOOLEAN_FORMAT", "overdue"),
    ("?overdue=", "BOOLEAN_FORMAT", "overdue"),
    ("?limit=0", "LIMIT_RANGE", "limit"),
    ("?limit=101", "LIMIT_RANGE", "limit"),
    ("?limit=-1", "LIMIT_RANGE", "limit"),
    ("?limit=abc", "LIMIT_RANGE", "limit"),
    ("?limit=", "LIMIT_RANGE", "limit"),
    ("?limit=2.5", "LIMIT_RANGE", "limit"),
    ("?next_token=not-a-token", "BAD_PAGE_TOKEN", "next_token"),
    ("?next_token=WzFd", "BAD_PAGE_TOKEN", "next_token"),  # base64 of "[1]"
    ("?limit=%C2%B3", "LIMIT_RANGE", "limit"),
    ("?limit=%EF%BC%93", "LIMIT_RANGE", "limit"),
    ("?due_before=20261010", "DATE_FORMAT", "due_before"),
])
def test_a_bad_worklist_filter_is_refused(api, query, code, field):
    assert_error(api.window("GET", f"/cases{query}"), 422, code, field)


@pytest.mark.parametrize("query", ["?next_token=abc", "?next_token=a.b.c"])
def test_a_supervisor_page_token_that_this_api_did_not_issue_is_refused(api, query):
    response = api.call("GET", f"/cases{query}", "supervisor", "23")
    assert_error(response, 422, "BAD_PAGE_TOKEN", "next_token")


def test_a_body_that_is_not_json_gets_415_in_the_api_error_format(api):
    response = api.call("POST", "/cases", "window", OFFICE, raw="applicant=张三",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type")
    health = api.call("GET", "/health", headers={"Content-Type": "text/plain"})
    assert health.status_code == 200


@pytest.mark.parametrize("content", [
    b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF\n",
    b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n",
])
def test_a_pdf_that_could_run_is_refused_and_the_material_stays_registered(api, content):
    case_id = accepted_case(api)["case_id"]
    registered = register(api, case_id, "id_card", content)  # declared with its own size and checksum
    store_object(registered["upload"], content)
    before = snapshot(api, case_id)
    response = api.window("POST", f"/cases/{case_id}/materials/{registered['material_id']}/confirm")
    assert_error(response, 422, "UPLOAD_ACTIVE_CONTENT", "material_id")
    assert snapshot(api, case_id) == before
