"""The committee that checks a recipient each month (每月查询登记, issue 16.6): the application requires it, the approval's
entitlements carry it, a reviewer of the 业务属地 (or an admin over it) sets or changes it from the next month on, with a
reason on the history, conditioned on the version read. The readers, the domain and the service on the fakes."""
from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

import pytest
from msgspec.structs import replace

from chalicelib.domain.cases.applications import read_application
from chalicelib.domain.cases.case import Actor
from chalicelib.domain.errors import Conflict, Forbidden, Invalid
from chalicelib.domain.payments.entitlements import (
    Entitlement,
    change_committee,
    move,
    read_committee_change,
)
from chalicelib.services import committees
from tests.fakes.payments import FakeEntitlements, fake_payroll
from tests.support.payroll import LIVING, NO_TABLES, UNIT, approved
from tests.support.people import HARBIN_TOWNSHIP, application

TODAY = date(2026, 9, 24)
FIRST, SECOND, THIRD = f"{UNIT}001", f"{UNIT}002", f"{UNIT}201"  # two residents committees and a village
NOW = datetime.fromisoformat("2026-10-20T10:00:00+08:00")
REVIEWER = Actor("hrb-reviewer-01", "审核", "reviewer", UNIT)


def without_committee(body: dict[str, Any] | None = None) -> dict[str, Any]:
    changed = copy.deepcopy(body or application())
    del changed["applicant"]["committee_unit"]
    return changed


def refused(body: Any, code: str, field: str) -> None:
    with pytest.raises(Invalid) as error:
        read_application(body, TODAY)
    assert (error.value.status, error.value.code, error.value.field) == (422, code, field)


# --- the application -------------------------------------------------------------------------------------------

def test_the_application_records_the_committee_under_the_hukou_unit():
    body = application()
    body["applicant"]["committee_unit"] = THIRD
    assert read_application(body, TODAY).applicant["committee_unit"] == THIRD


@pytest.mark.parametrize("value", [..., None, "", "   "])
def test_an_application_without_a_committee_is_refused_naming_the_field(value):
    body = without_committee()
    if value is not ...:
        body["applicant"]["committee_unit"] = value
    refused(body, "COMMITTEE_REQUIRED", "applicant.committee_unit")


@pytest.mark.parametrize("value", ["23010200100", "2301020010011", "２３０１０２００１００１", "23010200100a", 230102001001])
def test_a_committee_that_is_not_twelve_ascii_digits_is_a_unit_format_error(value):
    body = application()
    body["applicant"]["committee_unit"] = value
    refused(body, "UNIT_FORMAT", "applicant.committee_unit")


@pytest.mark.parametrize("value", ["230103001001", "310101002001", "230102002001"])
def test_a_committee_outside_the_hukou_unit_is_refused(value):
    body = application()
    body["applicant"]["committee_unit"] = value
    refused(body, "COMMITTEE_OUTSIDE_UNIT", "applicant.committee_unit")


def test_the_hukou_unit_is_checked_before_its_committee():
    body = application(hukou_unit="23010200")
    refused(body, "UNIT_FORMAT", "applicant.hukou_unit")
    assert application()["applicant"]["committee_unit"] == HARBIN_TOWNSHIP + "001"  # the shared fixture has one


# --- the domain: the committee in force month by month ------------------------------------------------------------

def recipient(committee: str | None = FIRST, start: str = "2026-05") -> Entitlement:
    return replace(approved("C01", "living", start, LIVING, "2026-10-15T10:00:00+08:00"), committee_unit=committee)


def test_an_approved_entitlement_is_at_its_application_s_committee_from_its_first_month():
    ent = recipient()
    assert [ent.committee_in(m) for m in ("2026-05", "2026-10", "2027-06")] == [FIRST] * 3


def test_a_change_takes_effect_from_the_next_month_and_is_one_line_of_the_history():
    ent = recipient()
    changed = change_committee(ent, SECOND, " 迁居本镇另一社区 ", "r1", NOW.isoformat(), "2026-10")
    assert (changed.committee_unit, changed.committee_in("2026-10"), changed.committee_in("2026-11")) == (
        SECOND, FIRST, SECOND)
    line = changed.history[-1].as_dict()
    assert line == {"kind": "committee", "effective_month": "2026-11", "reason": "迁居本镇另一社区", "by": "r1",
                    "at": NOW.isoformat(), "status": None, "pricing": None, "monthly_amount": None, "facts": None,
                    "committee": SECOND, "previous_committee": FIRST}
    # nothing else moves: the status, the pricing and the facts in force are those of before
    for month in ("2026-10", "2026-11", "2027-03"):
        assert changed.status_in(month) == ent.status_in(month)
        assert changed.pricing_in(month) == ent.pricing_in(month) and changed.facts_in(month) == ent.facts_in(month)
    assert changed.release_month() is None and changed.history[0].as_dict() == ent.history[0].as_dict()


def test_the_committee_set_last_sent_again_changes_nothing():
    ent = recipient()
    assert change_committee(ent, FIRST, "x", "r1", NOW.isoformat(), "2026-10") is ent
    changed = change_committee(ent, SECOND, "迁居", "r1", NOW.isoformat(), "2026-10")
    assert change_committee(changed, SECOND, "again", "r1", NOW.isoformat(), "2026-10") is changed


def test_changes_of_one_month_the_later_wins_and_the_months_before_keep_their_committee():
    ent = recipient()
    once = change_committee(ent, SECOND, "迁居", "r1", "2026-10-20T10:00:00+08:00", "2026-10")
    twice = change_committee(once, THIRD, "更正：应为村委会", "r2", "2026-10-21T09:00:00+08:00", "2026-10")
    back = change_committee(twice, FIRST, "再次迁回", "r1", "2027-01-05T09:00:00+08:00", "2027-01")
    assert [back.committee_in(m) for m in ("2026-05", "2026-10", "2026-11", "2027-01", "2027-02")] == [
        FIRST, FIRST, THIRD, THIRD, FIRST]
    assert [c.kind for c in back.history] == ["approved", "committee", "committee", "committee"]


def test_an_entitlement_approved_without_a_committee_gets_one_from_the_next_month():
    legacy = recipient(committee=None)
    assert legacy.committee_in("2026-10") is None
    set_now = change_committee(legacy, FIRST, "补录村（居）委会", "r1", NOW.isoformat(), "2026-10")
    assert (set_now.committee_in("2026-10"), set_now.committee_in("2026-11")) == (None, FIRST)
    assert set_now.history[-1].previous_committee is None


def test_a_change_needs_a_reason():
    with pytest.raises(Invalid) as error:
        change_committee(recipient(), SECOND, "  ", "r1", NOW.isoformat(), "2026-10")
    assert (error.value.code, error.value.field) == ("MISSING_FIELD", "reason")


def test_a_stop_and_a_committee_change_keep_each_their_own_effect():
    stopped = move(recipient(), "stop", "2026-12", "死亡", "r1", NOW.isoformat())
    changed = change_committee(stopped, SECOND, "迁居", "r1", NOW.isoformat(), "2026-10")
    assert (changed.status_in("2026-11"), changed.status_in("2026-12"), changed.release_month()) == (
        "active", "stopped", "2026-12")
    assert changed.committee_in("2026-11") == SECOND


# --- the body of PUT /entitlements/{id}/committee -------------------------------------------------------------

def test_the_body_is_read_into_the_committee_the_reason_and_the_version_seen():
    asked = read_committee_change({"committee": SECOND, "reason": " 迁居 ", "version": 3}, UNIT)
    assert (asked.committee, asked.reason, asked.version) == (SECOND, "迁居", 3)
    assert read_committee_change({"committee": SECOND, "reason": "迁居"}, UNIT).version is None


@pytest.mark.parametrize("body, code, field", [
    ([], "WRONG_TYPE", "body"),
    ({"reason": "迁居"}, "MISSING_FIELD", "committee"),
    ({"committee": "23010200100", "reason": "迁居"}, "UNIT_FORMAT", "committee"),
    ({"committee": 230102001002, "reason": "迁居"}, "UNIT_FORMAT", "committee"),
    ({"committee": "230103001001", "reason": "迁居"}, "COMMITTEE_OUTSIDE_UNIT", "committee"),
    ({"committee": SECOND}, "MISSING_FIELD", "reason"),
    ({"committee": SECOND, "reason": " "}, "MISSING_FIELD", "reason"),
    ({"committee": SECOND, "reason": 7}, "WRONG_TYPE", "reason"),
    ({"committee": SECOND, "reason": "长" * 1001}, "TOO_LONG", "reason"),
    ({"committee": SECOND, "reason": "迁居", "version": "3"}, "WRONG_TYPE", "version"),
    ({"committee": SECOND, "reason": "迁居", "version": True}, "WRONG_TYPE", "version"),
    ({"committee": SECOND, "reason": "迁居", "version": -1}, "WRONG_TYPE", "version"),
])
def test_a_body_the_reader_refuses_names_the_field(body, code, field):
    with pytest.raises(Invalid) as error:
        read_committee_change(body, UNIT)
    assert (error.value.status, error.value.code, error.value.field) == (422, code, field)


# --- the service on the fakes: reach, version, a concurrent write ------------------------------------------------

@pytest.fixture()
def payroll() -> Any:
    world = fake_payroll(NO_TABLES)
    world.entitlements.add(recipient())
    return world


def put(payroll: Any, body: Any, actor: Actor = REVIEWER, now: datetime = NOW) -> dict[str, Any]:
    return committees.set_committee(payroll, "C01-living", lambda: body, actor, now)


def test_the_reviewer_changes_it_and_the_view_says_which_list_holds_the_recipient_when():
    world = fake_payroll(NO_TABLES)
    world.entitlements.add(recipient())
    shown = put(world, {"committee": SECOND, "reason": "迁居本镇另一社区", "version": 1})
    assert (shown["committee_unit"], shown["committee_in_force"], shown["version"]) == (SECOND, FIRST, 2)
    assert shown["history"][-1]["kind"] == "committee" and shown["history"][-1]["by"] == REVIEWER.sub
    november = put(world, {"committee": SECOND, "reason": "重复提交"}, now=datetime.fromisoformat(
        "2026-11-02T09:00:00+08:00"))
    assert (november["committee_in_force"], november["version"], len(november["history"])) == (SECOND, 2, 2)


@pytest.mark.parametrize("actor", [
    Actor("a", "", "admin", "23"), Actor("a", "", "admin", "2301"), Actor("a", "", "admin", "230102"),
    Actor("a", "", "admin", UNIT),
])
def test_an_admin_whose_scope_holds_the_business_unit_may_change_it(payroll, actor):
    assert put(payroll, {"committee": SECOND, "reason": "迁居"}, actor)["committee_unit"] == SECOND


@pytest.mark.parametrize("actor", [
    Actor("r", "", "reviewer", "230103001"),  # another township's reviewer
    Actor("r", "", "reviewer", "310101002"),  # the 受理地's reviewer
    Actor("w", "", "window", "310101002"),  # the 受理地's window reads the entitlement, never changes it
    Actor("w", "", "window", UNIT),  # the 业务属地's window is not its reviewer
    Actor("s", "", "supervisor", "23"),
    Actor("c", "", "committee", FIRST),  # the committee records checks; it does not choose its recipients
    Actor("a", "", "admin", "31"), Actor("a", "", "admin", "2302"), Actor("a", "", "admin", "230103"),
    Actor("r", "", "reviewer", "2301"),
])
def test_everyone_else_is_refused_before_the_body_is_read(payroll, actor):
    def body() -> Any:
        raise AssertionError("the body was read out of reach")
    with pytest.raises(Forbidden) as error:
        committees.set_committee(payroll, "C01-living", body, actor, NOW)
    assert error.value.code == "ENTITLEMENT_OUT_OF_REACH"
    assert payroll.entitlements.get("C01-living").committee_unit == FIRST


def test_an_unknown_entitlement_is_answered_as_one_out_of_reach(payroll):
    with pytest.raises(Forbidden) as error:
        committees.set_committee(payroll, "C99-living", lambda: {}, REVIEWER, NOW)
    assert error.value.code == "ENTITLEMENT_OUT_OF_REACH"


def test_a_version_other_than_the_stored_one_is_refused_and_changes_nothing(payroll):
    put(payroll, {"committee": SECOND, "reason": "迁居", "version": 1})
    with pytest.raises(Conflict) as error:
        put(payroll, {"committee": THIRD, "reason": "按旧页面修改", "version": 1})
    assert (error.value.code, error.value.field) == ("CONCURRENT_UPDATE", "version")
    assert payroll.entitlements.get("C01-living").committee_unit == SECOND


class RacedEntitlements(FakeEntitlements):
    """A store in which another reviewer's change lands between this request's read and its write."""

    def save(self, before: Entitlement, after: Entitlement, now: datetime) -> None:
        if not getattr(self, "raced", False):
            self.raced = True
            other = change_committee(before, THIRD, "另一审核员同时更改", "r2", now.isoformat(), f"{now:%Y-%m}")
            super().save(before, other, now)
        super().save(before, after, now)


def test_a_write_that_finds_the_entitlement_changed_since_it_was_read_is_refused_and_nothing_is_lost():
    world = fake_payroll(NO_TABLES)
    world = replace(world, entitlements=RacedEntitlements())
    world.entitlements.add(recipient())
    with pytest.raises(Conflict) as error:
        put(world, {"committee": SECOND, "reason": "迁居"})
    assert (error.value.status, error.value.code) == (409, "CONCURRENT_UPDATE")
    stored = world.entitlements.get("C01-living")
    assert (stored.committee_unit, stored.version, [c.reason for c in stored.history][-1]) == (
        THIRD, 2, "另一审核员同时更改")  # the other change stands; this one was refused, not written over it
    again = put(world, {"committee": SECOND, "reason": "迁居", "version": stored.version})
    assert [h.get("committee") for h in again["history"]] == [None, THIRD, SECOND] and again["version"] == 3
