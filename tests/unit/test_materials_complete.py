"""申请材料收齐: D1 runs from the day the last required material is received (民办发〔2021〕2号, 自申请材料收齐之日起3个
工作日内推送), whatever the window clicks and whenever: one fact (``domain.cases.case.materials_complete``) decides it.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.cases.case import (
    Case,
    DeadlineKind,
    Status,
    complete_when_ready,
    materials_complete,
    receive_material,
    register_material,
    transition,
)
from chalicelib.domain.rules.rules import NoticeItem
from tests.unit.test_case_transitions import CLOCK, NOW, WINDOW, material, new_case

# the notice of new_case(): every catalogue item but the agent's, all required
REQUIRED = tuple(item.code for item in new_case().notice)


def received(case: Case, code: str, material_id: str, when: datetime) -> tuple[Case, str]:
    case = register_material(case, material(code, material_id))
    case, event = receive_material(case, material_id, None, WINDOW, when, CLOCK)
    return case, event.event


def test_the_last_required_material_completes_the_case_that_day_and_starts_d1():
    case = new_case()
    for index, code in enumerate(REQUIRED[:-1]):
        case, event = received(case, code, f"m{index}", NOW)
        assert (case.status, event) == (Status.AWAITING_MATERIALS, "material_received")
    last_day = NOW + timedelta(days=3)

    case = register_material(case, material(REQUIRED[-1], "last"))
    case, event = receive_material(case, "last", "v-1", WINDOW, last_day, CLOCK)

    assert case.status == Status.AWAITING_PUSH and materials_complete(case)
    [d1] = case.deadlines
    assert (d1.kind, d1.starts_on, d1.state) == (DeadlineKind.PUSH, last_day.date(), "open")
    assert (event.event, event.detail) == ("materials_completed", {"material_id": "last", "code": REQUIRED[-1]})
    assert case.material("last").status == "received"


def test_materials_can_still_be_added_after_completion_until_the_push_and_change_nothing_of_d1():
    case = new_case(notice=new_case().notice + (NoticeItem("other_proof", "其他证明", "补充说明", required=False),))
    for index, code in enumerate(REQUIRED):
        case, _ = received(case, code, f"m{index}", NOW)
    d1 = case.deadlines

    later = NOW + timedelta(days=1)
    case, event = received(case, "other_proof", "extra", later)

    assert (case.status, case.deadlines, event) == (Status.AWAITING_PUSH, d1, "material_received")


def test_a_case_whose_every_item_was_waived_is_complete_at_once():
    case = new_case(notice=tuple(replace(item, waived=True) for item in new_case().notice))

    completed = complete_when_ready(case, WINDOW, NOW, CLOCK)

    assert completed is not None
    assert completed[0].status == Status.AWAITING_PUSH and completed[0].deadlines[0].starts_on == NOW.date()


def test_nothing_completes_while_a_required_item_is_missing_or_after_gathering():
    assert complete_when_ready(new_case(), WINDOW, NOW, CLOCK) is None
    pushed = transition(transition(new_case(), "complete", WINDOW, NOW, CLOCK)[0], "push", WINDOW, NOW, CLOCK)[0]
    assert complete_when_ready(pushed, WINDOW, NOW, CLOCK) is None


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(REQUIRED + ("other_proof",)), st.integers(0, 20)), min_size=1,
                max_size=14))
def test_d1_starts_on_the_day_the_last_required_material_arrived_whatever_the_order(arrivals):
    """Materials of any kind arrive on any days, in any order, some twice (a second copy of the same code): the
    case completes exactly once, on the first day on which every required code had arrived."""
    case = new_case(notice=new_case().notice + (NoticeItem("other_proof", "其他证明", "补充说明", required=False),))
    arrivals = sorted(arrivals, key=lambda arrival: arrival[1])
    completions, seen, expected = 0, set(), None
    for index, (code, offset) in enumerate(arrivals):
        when = NOW + timedelta(days=offset)
        case, event = received(case, code, f"m{index}", when)
        seen.add(code)
        if expected is None and set(REQUIRED) <= seen:
            expected = when.date()
        completions += event == "materials_completed"
    assert completions == (expected is not None)
    if expected is None:
        assert case.status == Status.AWAITING_MATERIALS and case.deadlines == ()
    else:
        [d1] = case.deadlines
        assert case.status == Status.AWAITING_PUSH and d1.starts_on == expected
