"""The 业务属地's review chain (issue 16.1; domain/cases/review_chain.py): a province's steps from a day on, each held by
its own role at its own level, opinions on the shared timeline, the last step deciding, all inside D2. On the
in-memory stores (tests/fakes), at stated moments."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from msgspec.structs import replace

from chalicelib.domain.cases.case import Actor
from chalicelib.domain.cases.review_chain import SINGLE_STEP, read_chain, read_opinion
from chalicelib.domain.errors import Conflict, Forbidden, Invalid
from chalicelib.services import cases, rules, worklists
from tests.fakes.rules import FakeRules
from tests.fakes.world import CaseWorld, case_world
from tests.support.people import (
    HARBIN_OTHER_TOWNSHIP,
    HARBIN_TOWNSHIP,
    SHANGHAI_WINDOW,
    application,
    id_number,
)

WINDOW = Actor("window-310101002", "窗口", "window", SHANGHAI_WINDOW)
TOWNSHIP = Actor("reviewer-230102001", "道里区某街道初审", "reviewer", HARBIN_TOWNSHIP)
OTHER_TOWNSHIP = Actor("reviewer-230103001", "南岗区某街道", "reviewer", HARBIN_OTHER_TOWNSHIP)
DPF = Actor("dpf-230102", "道里区残联审核", "dpf_reviewer", "230102")
CIVIL = Actor("approver-230102", "道里区民政局审定", "approver", "230102")
OTHER_CIVIL = Actor("approver-230103", "南岗区民政局", "approver", "230103")
ADMIN = Actor("admin-23", "黑龙江省管理员", "admin", "23")
HEILONGJIANG = {"steps": [{"label": "初审", "role": "reviewer"}, {"label": "审核", "role": "dpf_reviewer"},
                          {"label": "审定", "role": "approver"}]}
APPROVAL = {"outcome": "approved", "reason": "符合条件",
            "subsidies": [{"type": "living", "monthly_amount": "99"}, {"type": "nursing", "monthly_amount": "120.5"}]}


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00+08:00")


@pytest.fixture()
def world() -> CaseWorld:
    fakes = case_world(messages=False)
    fakes.deps = replace(fakes.deps, rules=FakeRules())
    rules.put_review_chain(fakes.deps.rules, ADMIN, "23", "2026-01-01", lambda: HEILONGJIANG, at("2026-09-01"))
    return fakes


def pushed(world: CaseWorld, sequence: str, day: str = "2026-10-12") -> str:
    accepted = cases.accept(world.deps, application(id_number(sequence=sequence)), WINDOW, at(day))
    world.receive_notice(accepted["case_id"], WINDOW, at(day))
    cases.push(world.deps, accepted["case_id"], WINDOW, "accepting", at(day))
    return str(accepted["case_id"])


def opinion(world: CaseWorld, case_id: str, actor: Actor, body: dict[str, Any], day: str) -> dict[str, Any]:
    relation = "business" if actor.role == "reviewer" else "business_county"
    return cases.give_opinion(world.deps, case_id, body, actor, relation, at(day))


def decide(world: CaseWorld, case_id: str, actor: Actor, day: str) -> dict[str, Any]:
    relation = "business" if actor.role == "reviewer" else "business_county"
    return cases.decide(world.deps, case_id, APPROVAL, actor, relation, at(day))


# --- reading a chain and an opinion ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body, code, field", [
    ({"steps": []}, "MISSING_FIELD", "steps"),
    ({"steps": [{"label": "审定", "role": "mayor"}]}, "UNKNOWN_STEP_ROLE", "steps[0].role"),
    ({"steps": [{"label": "approve", "role": "approver"}]}, "STEP_LABEL", "steps[0].label"),
    ({"steps": [{"label": "初审", "role": "reviewer"}, {"label": "公示", "role": "reviewer", "publicity_days": 7}]},
     "LAST_STEP_DECIDES", "steps[1]"),
    ({"steps": [{"label": "公示", "role": "reviewer", "publicity_days": 0}, {"label": "审定", "role": "approver"}]},
     "PUBLICITY_DAYS", "steps[0].publicity_days"),
    ({"steps": [{"label": "审定", "role": "approver"}] * 7}, "TOO_MANY_STEPS", "steps"),
    ({"steps": [{"label": "审定", "role": "approver", "by": "x"}]}, "UNKNOWN_FIELD", "steps[0].by"),
])
def test_a_bad_chain_is_refused_naming_the_field(body, code, field):
    with pytest.raises(Invalid) as refused:
        read_chain("23", date(2026, 1, 1), body)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_sending_back_needs_a_reason():
    with pytest.raises(Invalid) as refused:
        read_opinion({"opinion": "send_back", "reason": "  "})
    assert (refused.value.code, refused.value.field) == ("REASON_REQUIRED", "reason")
    assert read_opinion({"opinion": "agree"}) == {"opinion": "agree", "reason": None}


def test_only_the_province_s_admin_sets_its_chain():
    with pytest.raises(Forbidden):
        rules.put_review_chain(FakeRules(), Actor("admin-31", "上海", "admin", "31"), "23", "2026-01-01",
                               lambda: HEILONGJIANG, at("2026-09-01"))


# --- a case through 黑龙江's three steps ----------------------------------------------------------------------------

def test_a_case_goes_through_each_step_by_its_own_role_and_the_last_decides(world):
    case_id = pushed(world, "601")
    seen = cases.read(world.deps, case_id, TOWNSHIP, "business", date(2026, 10, 12))
    assert (seen["review"]["version"], seen["review"]["step"], seen["review"]["at"]) == ("23@2026-01-01", "初审", 0)

    with pytest.raises(Conflict) as early:  # the township holds 初审, but 审定 decides
        decide(world, case_id, TOWNSHIP, "2026-10-13")
    assert early.value.code == "CHAIN_NOT_DONE"
    with pytest.raises(Forbidden) as not_yet:  # the county's approver does not hold 初审
        opinion(world, case_id, CIVIL, {"opinion": "agree"}, "2026-10-13")
    assert not_yet.value.code == "NOT_YOUR_STEP"

    assert opinion(world, case_id, TOWNSHIP, {"opinion": "agree"}, "2026-10-13")["review"]["step"] == "审核"
    assert opinion(world, case_id, DPF, {"opinion": "agree"}, "2026-10-14")["review"]["step"] == "审定"
    with pytest.raises(Conflict) as last:
        opinion(world, case_id, CIVIL, {"opinion": "agree"}, "2026-10-15")
    assert last.value.code == "LAST_STEP_DECIDES"
    decided = decide(world, case_id, CIVIL, "2026-10-15")
    assert decided["status"] == "result_returned" and decided["decision"]["decided_by"] == CIVIL.sub
    review = [d for d in decided["deadlines"] if d["kind"] == "review"][0]
    assert (review["starts_on"], review["state"]) == ("2026-10-12", "met")  # one D2 over the whole chain
    opinions = [(e["event"], e["detail"]["step"], e["detail"]["to_step"]) for e in decided["timeline"]
                if e["event"].startswith("review_")]
    assert opinions == [("review_agreed", "初审", "审核"), ("review_agreed", "审核", "审定")]


def test_a_step_sends_back_with_a_reason_and_the_step_before_sees_it(world):
    case_id = pushed(world, "602")
    opinion(world, case_id, TOWNSHIP, {"opinion": "agree"}, "2026-10-13")
    back = opinion(world, case_id, DPF, {"opinion": "send_back", "reason": "残疾人证等级与照片不符，请核实"},
                   "2026-10-14")
    assert back["review"]["step"] == "初审"
    [event] = [e for e in back["timeline"] if e["event"] == "review_sent_back"]
    assert event["detail"] == {"step": "审核", "role": "dpf_reviewer", "opinion": "send_back",
                               "reason": "残疾人证等级与照片不符，请核实", "to_step": "初审"}
    seen = cases.read(world.deps, case_id, WINDOW, "accepting", date(2026, 10, 14))  # both sides see the chain
    assert seen["review"]["step"] == "初审" and any(e["event"] == "review_sent_back" for e in seen["timeline"])
    with pytest.raises(Conflict) as first:
        opinion(world, case_id, TOWNSHIP, {"opinion": "send_back", "reason": "退回"}, "2026-10-15")
    assert first.value.code == "FIRST_STEP"


def test_a_county_role_acts_on_every_township_of_its_county_and_no_other(world):
    case_id = pushed(world, "603")
    opinion(world, case_id, TOWNSHIP, {"opinion": "agree"}, "2026-10-13")
    opinion(world, case_id, DPF, {"opinion": "agree"}, "2026-10-14")
    with pytest.raises(Forbidden):
        decide(world, case_id, OTHER_CIVIL, "2026-10-15")  # 南岗区's approver, a 道里区 case
    with pytest.raises(Forbidden):
        opinion(world, case_id, OTHER_TOWNSHIP, {"opinion": "agree"}, "2026-10-15")


def test_each_county_step_s_inbox_holds_the_cases_at_its_step_nearest_d2_first(world):
    later, sooner = pushed(world, "604", "2026-10-14"), pushed(world, "605", "2026-10-12")
    still_first = pushed(world, "606", "2026-10-12")
    for case_id in (later, sooner):
        opinion(world, case_id, TOWNSHIP, {"opinion": "agree"}, "2026-10-15")

    def inbox(actor: Actor) -> list[str]:
        listed = worklists.worklist(world.cases, world.deps.deadlines.count, actor, {}, date(2026, 10, 15))
        return [case["case_id"] for case in listed["cases"]]

    assert inbox(DPF) == [sooner, later] and inbox(CIVIL) == []
    assert still_first not in inbox(DPF)
    assert inbox(Actor("dpf-230103", "南岗区残联", "dpf_reviewer", "230103")) == []


def test_a_county_step_s_page_is_filled_from_the_county_s_later_pages_and_its_token_resumes_after_them(world):
    """Cases at other steps do not leave a county step's page short: its county's pages are read on."""
    at_first_step = [pushed(world, f"61{n}", "2026-10-12") for n in range(3)]  # the county's first index entries
    at_dpf = [pushed(world, f"62{n}", "2026-10-13") for n in range(3)]
    for case_id in at_dpf:
        opinion(world, case_id, TOWNSHIP, {"opinion": "agree"}, "2026-10-15")

    def page(token: str | None) -> dict[str, Any]:
        query = {"limit": "2", **({"next_token": token} if token else {})}
        return worklists.worklist(world.cases, world.deps.deadlines.count, DPF, query, date(2026, 10, 15))

    first = page(None)
    rest = page(first["next_token"]) if first["next_token"] else {"cases": []}
    listed = [c["case_id"] for c in first["cases"]] + [c["case_id"] for c in rest["cases"]]
    assert len(first["cases"]) == 2 and sorted(listed) == sorted(at_dpf)
    assert not set(listed) & set(at_first_step)


def test_a_province_without_a_chain_keeps_the_single_township_step(world):
    world.deps = replace(world.deps, rules=FakeRules())
    case_id = pushed(world, "607")
    seen = cases.read(world.deps, case_id, TOWNSHIP, "business", date(2026, 10, 12))
    assert seen["review"]["version"] == SINGLE_STEP.version and seen["review"]["step"] == "审核认定"
    assert decide(world, case_id, TOWNSHIP, "2026-10-13")["status"] == "result_returned"


def test_a_supplement_is_asked_by_the_step_holder_and_the_case_comes_back_to_the_same_step(world):
    case_id = pushed(world, "608")
    opinion(world, case_id, TOWNSHIP, {"opinion": "agree"}, "2026-10-13")
    ask = {"items": [{"code": "photo", "description": "照片不清晰"}], "note": "请补正"}
    with pytest.raises(Forbidden):
        cases.request_supplement(world.deps, case_id, ask, TOWNSHIP, "business", at("2026-10-14"))
    asked = cases.request_supplement(world.deps, case_id, ask, DPF, "business_county", at("2026-10-14"))
    assert asked["status"] == "supplement_requested" and asked["review"]["step"] == "审核"


def test_a_publicity_step_holds_the_case_for_its_days_then_its_holder_hands_it_on(world):
    with_publicity = {"steps": [{"label": "初审", "role": "reviewer"},
                                {"label": "公示", "role": "reviewer", "publicity_days": 7},
                                {"label": "审定", "role": "approver"}]}
    rules.put_review_chain(world.deps.rules, ADMIN, "23", "2026-10-01", lambda: with_publicity, at("2026-09-01"))
    case_id = pushed(world, "609")
    shown = opinion(world, case_id, TOWNSHIP, {"opinion": "agree"}, "2026-10-13")["review"]
    assert (shown["step"], shown["publicity_ends"]) == ("公示", "2026-10-20")
    with pytest.raises(Conflict) as running:
        opinion(world, case_id, TOWNSHIP, {"opinion": "agree"}, "2026-10-19")
    assert running.value.code == "PUBLICITY_RUNNING"
    assert opinion(world, case_id, TOWNSHIP, {"opinion": "agree"}, "2026-10-20")["review"]["step"] == "审定"


def test_the_demo_gives_heilongjiang_three_steps_and_jilin_a_shorter_chain():
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).resolve().parents[2] / "demo" / "rules.json").read_text(encoding="utf-8"))
    chains = {entry["province"]: read_chain(entry["province"], date.fromisoformat(entry["effective_from"]),
                                            {"steps": entry["steps"]}) for entry in data["review_chains"]}
    assert [(s.label, s.role, s.level) for s in chains["23"].steps] == [
        ("初审", "reviewer", "township"), ("审核", "dpf_reviewer", "county"), ("审定", "approver", "county")]
    assert [s.label for s in chains["22"].steps] == ["初审", "审定"]
