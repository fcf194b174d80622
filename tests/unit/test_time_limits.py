"""The limits no statute sets (issue 16.3 and 16.4): 收件时限 from 受理 until the materials are complete, in the 受理地
province's working days, and 补正时限 while a 补正 is out, in the 业务属地 province's — each a deadline like D1–D3, so
the sweep reminds and escalates it and the clock times it out (the phase table, chalicelib/domain/cases/phases.py).
On the in-memory stores (tests/fakes), at stated moments."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from msgspec.structs import replace

from chalicelib.domain.cases.case import Actor, DeadlineKind
from chalicelib.domain.errors import Forbidden, Invalid
from chalicelib.domain.rules.time_limits import limits_from, limits_view, read_time_limits
from chalicelib.services import cases, jobs, rules
from tests.fakes.rules import FakeRules
from tests.fakes.world import CaseWorld, case_world
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, application, id_number

WINDOW = Actor("window-310101002", "窗口", "window", SHANGHAI_WINDOW)
REVIEWER = Actor("reviewer-230102001", "审核员", "reviewer", HARBIN_TOWNSHIP)
SHANGHAI_ADMIN = Actor("admin-31", "上海管理员", "admin", "31")
HEILONGJIANG_ADMIN = Actor("admin-23", "黑龙江管理员", "admin", "23")


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment if "T" in moment else f"{moment}T10:00:00+08:00")


@pytest.fixture()
def world() -> CaseWorld:
    fakes = case_world(messages=False)
    fakes.deps = replace(fakes.deps, rules=FakeRules())
    return fakes


def set_limits(world: CaseWorld, admin: Actor, body: dict[str, Any], effective_from: str = "2026-01-01") -> Any:
    return rules.put_time_limits(world.deps.rules, admin, admin.unit, effective_from, lambda: body, at("2026-09-01"))


def deadline(case: dict[str, Any], kind: str) -> dict[str, Any]:
    return [d for d in case["deadlines"] if d["kind"] == kind][-1]


def upload_all(world: CaseWorld, case: dict[str, Any], now: datetime) -> None:
    world.receive_notice(case["case_id"], WINDOW, now)


def sweep(world: CaseWorld, moment: str) -> dict[str, int]:
    return jobs.daily_sweep(world.deps, world.sender, at(moment))


# --- the setting ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, code, field", [
    ([], "WRONG_TYPE", "body"),
    ({}, "MISSING_FIELD", "body"),
    ({"materials_days": 5}, "UNKNOWN_FIELD", "materials_days"),
    ({"materials_working_days": "5"}, "WRONG_TYPE", "materials_working_days"),
    ({"materials_working_days": True}, "WRONG_TYPE", "materials_working_days"),
    ({"supplement_working_days": 0}, "OUT_OF_RANGE", "supplement_working_days"),
    ({"supplement_working_days": 61}, "OUT_OF_RANGE", "supplement_working_days"),
])
def test_a_bad_setting_is_refused_naming_the_field(body, code, field):
    with pytest.raises(Invalid) as refused:
        read_time_limits(body)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_a_setting_changes_only_what_it_names_and_the_defaults_stay():
    assert limits_from({"materials_working_days": 5}) == {DeadlineKind.MATERIALS: 5}
    assert limits_view({"supplement_working_days": 15}) == {"materials_working_days": 10, "supplement_working_days": 15}
    assert limits_view(None) == {"materials_working_days": 10, "supplement_working_days": 10}


def test_only_the_province_s_own_admin_sets_its_limits_and_a_version_in_force_stays(world):
    stored = set_limits(world, SHANGHAI_ADMIN, {"materials_working_days": 5})
    assert stored == {"scope": "31", "kind": "time_limits", "effective_from": "2026-01-01",
                      "materials_working_days": 5, "supplement_working_days": 10}
    with pytest.raises(Forbidden):
        rules.put_time_limits(world.deps.rules, HEILONGJIANG_ADMIN, "31", "2026-02-01",
                              lambda: {"materials_working_days": 3}, at("2026-09-01"))
    assert rules.time_limits(world.deps.rules, "31", date(2026, 9, 24)) == {DeadlineKind.MATERIALS: 5}
    assert rules.time_limits(world.deps.rules, "31", date(2025, 12, 31)) == {}  # before it: the default


# --- 收件时限 --------------------------------------------------------------------------------------------------------

def test_acceptance_opens_the_materials_limit_of_the_accepting_province(world):
    set_limits(world, SHANGHAI_ADMIN, {"materials_working_days": 5})
    set_limits(world, HEILONGJIANG_ADMIN, {"materials_working_days": 20})  # the 业务属地's: not this limit
    accepted = cases.accept(world.deps, application(id_number(sequence="501")), WINDOW, at("2026-09-24"))
    limit = deadline(accepted, "materials")
    # 5 working days from Thu 09-24: 09-25, 09-28, 09-29, 09-30, then the National Day rest, 10-09
    assert (limit["working_days"], limit["starts_on"], limit["due_on"], limit["state"]) == (
        5, "2026-09-24", "2026-10-09", "open")


def test_the_materials_limit_ends_met_when_the_last_material_arrives_in_time_and_d1_starts(world):
    accepted = cases.accept(world.deps, application(id_number(sequence="502")), WINDOW, at("2026-09-24"))
    upload_all(world, accepted, at("2026-09-29"))
    case = cases.read(world.deps, accepted["case_id"], WINDOW, "accepting", date(2026, 9, 29))
    assert (deadline(case, "materials")["state"], deadline(case, "materials")["closed_on"]) == ("met", "2026-09-29")
    assert (deadline(case, "push")["state"], deadline(case, "push")["starts_on"]) == ("open", "2026-09-29")


def test_the_sweep_reminds_the_window_the_day_before_then_records_and_escalates_the_miss_once(world):
    set_limits(world, SHANGHAI_ADMIN, {"materials_working_days": 3})
    accepted = cases.accept(world.deps, application(id_number(sequence="503")), WINDOW, at("2026-09-24"))
    case_id = accepted["case_id"]
    assert deadline(accepted, "materials")["due_on"] == "2026-09-30"  # 09-25 is the Mid-Autumn Festival

    assert sweep(world, "2026-09-28T01:00:00+08:00")["reminders"] == 0
    assert sweep(world, "2026-09-29T01:00:00+08:00")["reminders"] == 1
    assert world.sender.reminders == [(case_id, "materials")]
    missed = sweep(world, "2026-10-01T01:00:00+08:00")
    assert (missed["overdue_recorded"], missed["escalated_by_sweep"]) == (1, 1)
    assert world.sender.escalations == [(case_id, "materials")]
    assert sweep(world, "2026-10-08T01:00:00+08:00")["overdue_recorded"] == 0  # once

    upload_all(world, accepted, at("2026-10-08"))  # late, but complete: D1 runs from that day
    case = cases.read(world.deps, case_id, WINDOW, "accepting", date(2026, 10, 8))
    assert (deadline(case, "materials")["state"], deadline(case, "push")["starts_on"]) == ("overdue", "2026-10-08")
    events = [e["event"] for e in case["timeline"]]
    assert events.count("deadline_reminder") == 1 and events.count("deadline_overdue") == 1


# --- 补正时限 --------------------------------------------------------------------------------------------------------

def pushed(world: CaseWorld, sequence: str) -> str:
    accepted = cases.accept(world.deps, application(id_number(sequence=sequence)), WINDOW, at("2026-10-12"))
    upload_all(world, accepted, at("2026-10-12"))
    cases.push(world.deps, accepted["case_id"], WINDOW, "accepting", at("2026-10-12T11:00:00+08:00"))
    return str(accepted["case_id"])


def ask(world: CaseWorld, case_id: str, moment: str) -> dict[str, Any]:
    return cases.request_supplement(world.deps, case_id, {"items": [{"code": "photo", "description": "照片不清晰"}],
                                                          "note": "请补正"}, REVIEWER, "business", at(moment))


def test_a_supplement_runs_on_the_business_province_s_limit_while_review_is_paused(world):
    set_limits(world, HEILONGJIANG_ADMIN, {"supplement_working_days": 3})
    set_limits(world, SHANGHAI_ADMIN, {"supplement_working_days": 30})  # the 受理地's: not this limit
    case_id = pushed(world, "511")
    asked = ask(world, case_id, "2026-10-15")
    supplement, review = deadline(asked, "supplement"), deadline(asked, "review")
    assert (supplement["working_days"], supplement["due_on"], supplement["state"]) == (3, "2026-10-20", "open")
    assert review["state"] == "paused"


def test_an_overdue_supplement_is_reminded_escalated_once_and_counted_for_both_sides(world):
    set_limits(world, HEILONGJIANG_ADMIN, {"supplement_working_days": 2})
    case_id = pushed(world, "512")
    ask(world, case_id, "2026-10-15")  # due Mon 10-19

    assert sweep(world, "2026-10-16T01:00:00+08:00")["reminders"] == 1
    assert world.sender.reminders == [(case_id, "supplement")]
    assert sweep(world, "2026-10-20T01:00:00+08:00")["escalated_by_sweep"] == 1
    assert world.sender.escalations == [(case_id, "supplement")]
    for actor, relation in ((WINDOW, "accepting"), (REVIEWER, "business")):  # both sides see the count
        seen = cases.read(world.deps, case_id, actor, relation, date(2026, 10, 21))
        limit = deadline(seen, "supplement")
        assert (limit["state"], limit["working_days_overdue"]) == ("overdue", 2)
