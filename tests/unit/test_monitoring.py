"""The pure parts of supervision: months, who reaches which list, what a recording needs."""
from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.access import ROLES
from chalicelib.domain.cases.case import Actor
from chalicelib.domain.errors import Conflict, Forbidden, Invalid
from chalicelib.domain.payments.entitlements import from_decision, move
from chalicelib.domain.supervision.monitoring import (
    REACH,
    add_months,
    change_view,
    check_for,
    check_still_open,
    counts,
    escalation_due,
    expiry_month,
    month_deadlines,
    needs_check,
    needs_review,
    parse_committee,
    parse_month,
    parse_township,
    parse_year,
    read_check_result,
    read_review_method,
    read_review_outcome,
    reminder_month,
    require,
)

COMMITTEE = "230102001001"
TOWNSHIP = "230102001"


def entitlement(committee: str | None = COMMITTEE, start: str = "2026-05"):
    return from_decision("C1", {"type": "living", "start_month": start, "monthly_amount": "90.00"}, "pk",
                         "230***********1234", "张三", TOWNSHIP, "310101002", committee, "r1",
                         "2026-10-15T10:00:00+08:00")


def actor(role: str, unit: str) -> Actor:
    return Actor(f"{role}-{unit}", "", role, unit)


@pytest.mark.parametrize("month", ["2026-01", "2026-12", "2000-06", "2100-12"])
def test_a_month_is_an_ascii_year_and_month(month):
    assert parse_month(month) == month


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026-1", "202610", "2026-10-01", "１９９９-01", "1999-12",
                                   None, 202610])
def test_anything_else_is_refused_as_a_month_format_error(month):
    with pytest.raises(Invalid) as error:
        parse_month(month)
    assert error.value.code == "MONTH_FORMAT"


@pytest.mark.parametrize("year", ["26", "20266", "１９９９", "1999", "abcd"])
def test_a_year_must_be_four_ascii_digits_in_range(year):
    with pytest.raises(Invalid) as error:
        parse_year(year)
    assert error.value.code == "YEAR_FORMAT"


def test_units_on_the_path_are_a_committee_or_a_township_by_their_length():
    assert parse_committee(COMMITTEE) == COMMITTEE and parse_township(TOWNSHIP) == TOWNSHIP
    for bad in (TOWNSHIP, "23010200100a", "２３０１０２００１００１"):
        with pytest.raises(Invalid):
            parse_committee(bad)
    with pytest.raises(Invalid):
        parse_township(COMMITTEE)


@pytest.mark.parametrize("month, count, expected", [
    ("2026-10", 6, "2027-04"), ("2026-07", 6, "2027-01"), ("2026-06", 6, "2026-12"), ("2026-01", -1, "2025-12"),
])
def test_months_are_added_across_year_ends(month, count, expected):
    assert add_months(month, count) == expected


def test_the_reminder_month_is_six_months_after_this_one():
    assert reminder_month(date(2026, 11, 1)) == "2027-05"


@pytest.mark.parametrize("today, due", [
    (date(2026, 10, 24), False), (date(2026, 10, 25), True), (date(2026, 10, 31), True),
    (date(2026, 11, 2), True), (date(2026, 9, 28), False),
])
def test_unrecorded_checks_are_escalated_from_the_25th_of_their_month(today, due):
    assert escalation_due("2026-10", today) is due


def test_a_check_may_be_recorded_until_its_month_ends():
    check_still_open("2026-10", date(2026, 10, 31))
    with pytest.raises(Conflict) as error:
        check_still_open("2026-10", date(2026, 11, 1))
    assert error.value.code == "CHECK_MONTH_CLOSED"


def test_present_needs_no_note_and_a_change_needs_one():
    assert read_check_result({"result": "present"}).note == ""
    assert read_check_result({"result": "deceased", "note": " 家属告知 "}).note == "家属告知"
    for result in ("deceased", "moved", "other_change"):
        with pytest.raises(Invalid) as error:
            read_check_result({"result": result, "note": "  "})
        assert (error.value.code, error.value.field) == ("MISSING_FIELD", "note")


@pytest.mark.parametrize("body, code", [
    ({"result": "absent"}, "UNKNOWN_RESULT"), ({}, "UNKNOWN_RESULT"), ({"result": "moved", "note": 3}, "WRONG_TYPE"),
    ({"result": "moved", "note": "x" * 501}, "NOTE_TOO_LONG"), (["present"], "WRONG_TYPE"),
])
def test_a_bad_check_result_is_refused_with_its_code(body, code):
    with pytest.raises(Invalid) as error:
        read_check_result(body)
    assert error.value.code == code


def test_a_review_confirms_without_a_note_and_a_needed_change_says_which():
    assert read_review_outcome({"outcome": "confirmed"}).value == "confirmed"
    with pytest.raises(Invalid) as error:
        read_review_outcome({"outcome": "change_needed"})
    assert error.value.code == "MISSING_FIELD"
    with pytest.raises(Invalid) as error:
        read_review_outcome({"outcome": "stop"})
    assert error.value.code == "UNKNOWN_OUTCOME"


def test_a_review_says_how_it_was_made():
    """定期复核 by 数据比对, 入户走访 or 个人主动申报 (issue 16.7): required on every new recording."""
    assert [read_review_method({"method": m}) for m in ("data_comparison", "home_visit", "self_report")] == [
        "data_comparison", "home_visit", "self_report"]
    for body, code in (({}, "MISSING_FIELD"), ({"method": "phone"}, "UNKNOWN_METHOD")):
        with pytest.raises(Invalid) as error:
            read_review_method(body)
        assert (error.value.code, error.value.field) == (code, "method")


def test_active_and_suspended_entitlements_are_checked_and_stopped_ones_are_not():
    ent = entitlement()
    assert needs_check(ent, "2026-10") and not needs_check(ent, "2026-04")  # before payment started
    suspended = move(ent, "suspend", "2026-11", "外出", "r1", "2026-11-02T10:00:00+08:00")
    assert needs_check(suspended, "2026-11") and needs_review(suspended, 2026)
    stopped = move(ent, "stop", "2026-11", "死亡", "r1", "2026-11-02T10:00:00+08:00")
    assert needs_check(stopped, "2026-10") and not needs_check(stopped, "2026-11")
    assert needs_review(stopped, 2026) and not needs_review(stopped, 2027)  # paid in 2026, not in 2027


def test_a_check_carries_the_masked_id_and_the_status_of_its_month():
    check = check_for(entitlement(), "2026-10")
    assert (check.committee_unit, check.business_unit, check.masked_id, check.status_in_month) == (
        COMMITTEE, TOWNSHIP, "230***********1234", "active")
    assert change_view(check)["confirm_with"] == "POST /entitlements/C1-living/status"


def test_the_committee_reaches_only_its_own_list_and_records_only_there():
    require("read_checks", actor("committee", COMMITTEE), COMMITTEE)
    require("record_check", actor("committee", COMMITTEE), COMMITTEE)
    for action in ("read_checks", "record_check"):
        with pytest.raises(Forbidden):
            require(action, actor("committee", "230102001002"), COMMITTEE)


@pytest.mark.parametrize("role, unit, reaches", [
    ("reviewer", TOWNSHIP, True), ("reviewer", "230103001", False), ("supervisor", "2301", True),
    ("supervisor", "230102", True), ("supervisor", "3101", False), ("window", TOWNSHIP, False),
    ("admin", "23", False),
])
def test_the_township_and_supervisors_over_it_read_a_committees_list_but_do_not_record(role, unit, reaches):
    if reaches:
        require("read_checks", actor(role, unit), COMMITTEE)
    else:
        with pytest.raises(Forbidden):
            require("read_checks", actor(role, unit), COMMITTEE)
    with pytest.raises(Forbidden):
        require("record_check", actor(role, unit), COMMITTEE)


def test_only_the_townships_own_reviewer_records_reviews_and_reads_changes():
    require("record_review", actor("reviewer", TOWNSHIP), TOWNSHIP)
    require("read_changes", actor("reviewer", TOWNSHIP), TOWNSHIP)
    require("read_reviews", actor("supervisor", "23"), TOWNSHIP)
    for action in ("record_review", "read_changes"):
        for who in (actor("reviewer", "230103001"), actor("supervisor", "23"), actor("committee", COMMITTEE)):
            with pytest.raises(Forbidden):
                require(action, who, TOWNSHIP)
    with pytest.raises(Forbidden):
        require("no_such_action", actor("reviewer", TOWNSHIP), TOWNSHIP)


def test_every_role_in_the_reach_table_is_a_known_role():
    assert {role for reach in REACH.values() for role in reach} <= ROLES


def test_the_expiry_month_comes_from_the_certificates_date():
    assert expiry_month("2027-04-30") == "2027-04"
    assert expiry_month(None) is None and expiry_month("soon") is None


def test_counts_tell_open_recorded_and_each_result():
    assert counts([None, "present", "deceased", None]) == {
        "total": 4, "open": 2, "recorded": 2, "present": 1, "deceased": 1, "moved": 0, "other_change": 0}


def test_a_months_list_is_due_on_the_25th_and_closes_on_its_last_day():
    assert month_deadlines("2026-12") == {"due_on": "2026-12-25", "closes_on": "2026-12-31"}
    assert month_deadlines("2028-02") == {"due_on": "2028-02-25", "closes_on": "2028-02-29"}
    assert escalation_due("2026-12", date(2026, 12, 25)) and not escalation_due("2026-12", date(2026, 12, 24))
