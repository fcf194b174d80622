"""申请材料收齐: D1 runs from the day the last required material is received (民办发〔2021〕2号, 自申请材料收齐之日起3个
工作日内推送), whatever the window clicks and whenever: one fact (``domain.cases.case.materials_complete``) decides it.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from chalicelib.domain.cases.case import (
    Case,
    DeadlineKind,
    Status,
    complete_when_ready,
    materials_complete,
    receipt_only,
    receipts_canonical,
    receipts_sha256,
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
    # since 2026-12-06 the completing event also seals every receipt so far (the earlier ones are no chained events)
    assert (event.event, event.detail) == ("materials_completed", {"material_id": "last", "code": REQUIRED[-1],
                                                                   "receipts_sha256": receipts_sha256(case)})
    assert case.material("last").status == "received"


def test_a_receipt_that_does_not_complete_is_a_receipt_only_and_the_completing_one_seals_them_all():
    """A receipt that changes nothing but itself (not the last required material; any during a 补正) is no change of
    the case (``receipt_only``: kept alone, no version, no event); the one that completes the materials is, and its
    event's ``receipts_sha256`` is the digest of every receipt's canonical JSON: changing any receipt changes it."""
    case = new_case()
    for index, code in enumerate(REQUIRED[:-1]):
        before = register_material(case, material(code, f"m{index}"))
        case, _ = receive_material(before, f"m{index}", f"v{index}", WINDOW, NOW, CLOCK)
        assert receipt_only(before, case)
        assert (case.material(f"m{index}").received_by, case.material(f"m{index}").received_unit) == (
            WINDOW.sub, WINDOW.unit)
    before = register_material(case, material(REQUIRED[-1], "last"))
    after, event = receive_material(before, "last", "v-last", WINDOW, NOW, CLOCK)
    assert not receipt_only(before, after)
    sealed = event.detail["receipts_sha256"]
    assert sealed == hashlib.sha256(receipts_canonical(after).encode()).hexdigest()
    assert set(json.loads(receipts_canonical(after))) == {f"m{i}" for i in range(len(REQUIRED) - 1)} | {"last"}
    forged = replace(after, materials=tuple(replace(m, received_by="someone-else") if m.material_id == "m0" else m
                                            for m in after.materials))
    assert receipts_sha256(forged) != sealed
    in_supplement = register_material(replace(after, status=Status.SUPPLEMENT_REQUESTED), material(REQUIRED[0], "s1"))
    supplemented, event = receive_material(in_supplement, "s1", "v-s1", WINDOW, NOW, CLOCK)  # a 补正: same rule
    assert receipt_only(in_supplement, supplemented) and event.event == "material_received"


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
