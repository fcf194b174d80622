"""The transition table, exercised generically: every action against every status and role."""
from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone

import pytest
from msgspec.structs import replace

from chalicelib.domain.access import ROLES
from chalicelib.domain.cases.case import (
    MATERIAL_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    WORKING_DAYS,
    Actor,
    Case,
    Deadline,
    DeadlineKind,
    Material,
    Status,
    receive_material,
    register_material,
    transition,
)
from chalicelib.domain.errors import Conflict, Invalid, NotFound
from chalicelib.domain.rules.rules import one_time_notice
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, id_number

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 9, 30, 16, 0, tzinfo=CST)
WINDOW = Actor("window-1", "窗口一", "window", SHANGHAI_WINDOW)
REVIEWER = Actor("reviewer-1", "审核一", "reviewer", HARBIN_TOWNSHIP)
ACTORS = {"window": WINDOW, "reviewer": REVIEWER}
HAPPY_PATH = ("complete", "push", "decide", "notify")


class CalendarDays:
    """A fake statutory clock: every calendar day is a working day."""

    def plan(self, start: date, n: int) -> tuple[date, bool, str]:
        return (start + timedelta(days=n), False, "test")

    def count(self, after: date, until: date) -> int:
        return max((until - after).days, 0)


CLOCK = CalendarDays()


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00+08:00")


def actor_for(action: str) -> Actor:
    return ACTORS[TRANSITIONS[action].role]


def new_case(**changes) -> Case:
    person = id_number()
    case = Case(
        case_id="C20260924TEST01", status=Status.AWAITING_MATERIALS,
        accepting_unit=SHANGHAI_WINDOW, business_unit=HARBIN_TOWNSHIP, scope="cross_province",
        applied_on=date(2026, 9, 24), applied_at="2026-09-24T09:30:00+08:00",
        applicant={"name": "张三", "id_number": person, "phone": "13800000000",
                   "hukou_unit": HARBIN_TOWNSHIP, "hukou_address": None},
        certificate={"number": person + "41", "category": 4, "grade": 1, "valid_until": "2031-05-01"},
        subsidies=("living", "nursing"), notice=one_time_notice(has_agent=False),
    )
    return replace(case, **changes)


def case_in(status: Status) -> Case:
    """A case brought to ``status`` by the table's own moves (so its deadlines are realistic)."""
    case = new_case()
    if status == Status.WITHDRAWN:
        return transition(case, "withdraw", WINDOW, NOW, CLOCK)[0]
    if status == Status.SUPPLEMENT_REQUESTED:
        for action in ("complete", "push", "request_supplement"):
            case, _ = transition(case, action, actor_for(action), NOW, CLOCK)
        return case
    for action in HAPPY_PATH:
        if case.status == status:
            break
        case, _ = transition(case, action, actor_for(action), NOW, CLOCK)
    assert case.status == status
    return case


ALLOWED = [
    pytest.param(action, status, id=f"{action}-from-{status.value}")
    for action, move in TRANSITIONS.items() for status in Status if status in move.sources
]
REFUSED = [
    pytest.param(action, status, id=f"{action}-from-{status.value}")
    for action, move in TRANSITIONS.items() for status in Status if status not in move.sources
]
WRONG_ROLES = [
    pytest.param(action, role, id=f"{action}-by-{role}")
    for action, move in TRANSITIONS.items() for role in sorted(ROLES) if role not in move.roles
]


# --- the table, generated ------------------------------------------------------------------

@pytest.mark.parametrize("action, status", ALLOWED)
def test_an_action_from_one_of_its_source_statuses_moves_the_case_to_the_target_and_returns_a_new_case(action, status):
    case = case_in(status)
    snapshot = copy.deepcopy(case)

    updated, event = transition(case, action, actor_for(action), NOW, CLOCK)

    assert updated.status == TRANSITIONS[action].target
    assert updated is not case
    assert case == snapshot
    assert case.status == status
    assert event.event == TRANSITIONS[action].event
    assert (event.at, event.actor, event.unit) == (NOW.isoformat(), actor_for(action).sub, actor_for(action).unit)


@pytest.mark.parametrize("action, status", REFUSED)
def test_an_action_from_any_other_status_raises_invalid_transition_and_leaves_the_case_unchanged(action, status):
    case = case_in(status)
    snapshot = copy.deepcopy(case)

    with pytest.raises(Conflict) as raised:
        transition(case, action, actor_for(action), NOW, CLOCK)

    assert raised.value.code == "INVALID_TRANSITION"
    assert raised.value.field == "status"
    assert raised.value.status == 409
    assert case == snapshot


@pytest.mark.parametrize("action, role", WRONG_ROLES)
def test_an_action_performed_by_the_wrong_role_raises_wrong_role(action, role):
    source = sorted(TRANSITIONS[action].sources, key=lambda s: s.value)[0]
    case = case_in(source)
    intruder = Actor("someone", "某人", role, SHANGHAI_WINDOW)

    with pytest.raises(Conflict) as raised:
        transition(case, action, intruder, NOW, CLOCK)

    assert raised.value.code == "WRONG_ROLE"
    assert case.status == source


@pytest.mark.parametrize("status", [Status.CLOSED, Status.WITHDRAWN])
def test_no_action_of_the_table_leaves_closed_or_withdrawn(status):
    assert all(status not in move.sources for move in TRANSITIONS.values())
    case = case_in(status)
    for action in TRANSITIONS:
        with pytest.raises(Conflict) as raised:
            transition(case, action, actor_for(action), NOW, CLOCK)
        assert raised.value.code == "INVALID_TRANSITION"


def test_closed_and_withdrawn_are_the_only_statuses_no_action_leaves():
    left = {status for move in TRANSITIONS.values() for status in move.sources}
    assert set(Status) - left == {Status.CLOSED, Status.WITHDRAWN}
    assert set(Status) - OPEN_STATUSES == {Status.CLOSED, Status.WITHDRAWN}


@pytest.mark.parametrize("action", [a for a, m in TRANSITIONS.items() if m.starts is not None])
def test_a_transition_that_starts_a_deadline_plans_it_with_its_working_days_from_today(action):
    """The statute's working days; for a limit no statute sets, the phase table's default (no province setting)."""
    move = TRANSITIONS[action]
    case = case_in(sorted(move.sources, key=lambda s: s.value)[0])
    calls: list[tuple[date, int]] = []

    class Recording(CalendarDays):
        def plan(self, start: date, n: int) -> tuple[date, bool, str]:
            calls.append((start, n))
            return super().plan(start, n)

    updated, _ = transition(case, action, actor_for(action), NOW, Recording())

    assert calls == [(NOW.date(), WORKING_DAYS[move.starts])]
    started = updated.deadlines[-1]
    assert (started.kind, started.state, started.starts_on) == (move.starts, "open", NOW.date())
    assert updated.open_deadline() == started


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_after_any_transition_at_most_one_deadline_is_open(action):
    move = TRANSITIONS[action]
    for source in move.sources:
        updated, _ = transition(case_in(source), action, actor_for(action), NOW, CLOCK)
        assert len([d for d in updated.deadlines if d.state == "open"]) <= 1


# --- deadlines along the happy path ----------------------------------------------------------

def test_complete_starts_a_three_working_day_push_deadline():
    updated, _ = transition(new_case(), "complete", WINDOW, at("2026-09-30"), CLOCK)

    assert updated.status == Status.AWAITING_PUSH
    assert updated.deadlines == (
        Deadline(DeadlineKind.PUSH, date(2026, 9, 30), 3, date(2026, 10, 3), False, "test"),
    )


def test_push_on_the_due_day_meets_the_push_deadline_and_starts_a_ten_day_review():
    completed, _ = transition(new_case(), "complete", WINDOW, at("2026-09-30"), CLOCK)

    pushed, event = transition(completed, "push", WINDOW, at("2026-10-03"), CLOCK)

    push_deadline, review = pushed.deadlines
    assert (push_deadline.state, push_deadline.closed_on) == ("met", date(2026, 10, 3))
    assert review == Deadline(DeadlineKind.REVIEW, date(2026, 10, 3), 10, date(2026, 10, 13), False, "test")
    assert pushed.status == Status.UNDER_REVIEW
    assert event.event == "pushed"


def test_push_the_day_after_the_due_day_closes_the_push_deadline_as_overdue():
    completed, _ = transition(new_case(), "complete", WINDOW, at("2026-09-30"), CLOCK)

    pushed, _ = transition(completed, "push", WINDOW, at("2026-10-04"), CLOCK)

    assert (pushed.deadlines[0].state, pushed.deadlines[0].closed_on) == ("overdue", date(2026, 10, 4))
    assert pushed.deadlines[1].state == "open"


def test_push_records_the_day_the_case_was_pushed():
    completed, _ = transition(new_case(), "complete", WINDOW, at("2026-09-30"), CLOCK)
    assert completed.pushed_on is None

    pushed, _ = transition(completed, "push", WINDOW, at("2026-10-02"), CLOCK)

    assert pushed.pushed_on == date(2026, 10, 2)


def test_decide_ends_the_review_deadline_and_starts_a_three_day_notify_deadline_with_the_decision():
    case = new_case()
    case, _ = transition(case, "complete", WINDOW, at("2026-09-30"), CLOCK)
    case, _ = transition(case, "push", WINDOW, at("2026-10-02"), CLOCK)
    decision = {"outcome": "approved", "subsidies": [], "reason": None}

    decided, event = transition(case, "decide", REVIEWER, at("2026-10-12"), CLOCK, {"decision": decision},
                                {"outcome": "approved"})

    assert [d.state for d in decided.deadlines] == ["met", "met", "open"]
    assert decided.deadlines[1].closed_on == date(2026, 10, 12)
    assert decided.deadlines[2] == Deadline(DeadlineKind.NOTIFY, date(2026, 10, 12), 3, date(2026, 10, 15),
                                            False, "test")
    assert decided.decision == decision
    assert decided.status == Status.RESULT_RETURNED
    assert event.detail == {"outcome": "approved"}


def test_a_late_decision_closes_the_review_deadline_as_overdue():
    case = new_case()
    case, _ = transition(case, "complete", WINDOW, at("2026-09-30"), CLOCK)
    case, _ = transition(case, "push", WINDOW, at("2026-10-02"), CLOCK)

    decided, _ = transition(case, "decide", REVIEWER, at("2026-10-13"), CLOCK)

    assert decided.deadlines[1].state == "overdue"


def test_notify_ends_the_notify_deadline_and_closes_the_case_with_no_deadline_left_open():
    case = new_case()
    case, _ = transition(case, "complete", WINDOW, at("2026-09-30"), CLOCK)
    case, _ = transition(case, "push", WINDOW, at("2026-10-02"), CLOCK)
    case, _ = transition(case, "decide", REVIEWER, at("2026-10-12"), CLOCK)

    closed, event = transition(case, "notify", WINDOW, at("2026-10-15"), CLOCK)

    assert closed.status == Status.CLOSED
    assert [d.kind for d in closed.deadlines] == [DeadlineKind.PUSH, DeadlineKind.REVIEW, DeadlineKind.NOTIFY]
    assert closed.deadlines[-1].state == "met"
    assert closed.open_deadline() is None
    assert not closed.is_open
    assert event.event == "applicant_notified"


@pytest.mark.parametrize("status", sorted(OPEN_STATUSES, key=lambda s: s.value), ids=lambda s: s.value)
def test_withdraw_from_any_open_status_cancels_running_and_paused_deadlines_and_keeps_closed_ones(status):
    case = case_in(status)
    later = NOW + timedelta(days=1)

    withdrawn, event = transition(case, "withdraw", WINDOW, later, CLOCK, {"withdrawal": {"reason": "不再申请"}})

    assert withdrawn.status == Status.WITHDRAWN
    assert withdrawn.withdrawal == {"reason": "不再申请"}
    assert len(withdrawn.deadlines) == len(case.deadlines)
    for before, after in zip(case.deadlines, withdrawn.deadlines, strict=True):
        if before.state in ("open", "paused"):
            assert (after.state, after.closed_on) == ("cancelled", later.date())
        else:
            assert after == before
    assert withdrawn.open_deadline() is None
    assert event.event == "withdrawn"


def test_an_open_deadline_past_its_due_day_reads_as_overdue():
    deadline = Deadline(DeadlineKind.PUSH, date(2026, 9, 30), 3, date(2026, 10, 10), False, "test")

    assert deadline.state_on(date(2026, 10, 9)) == "open"
    assert deadline.state_on(date(2026, 10, 10)) == "open"
    assert deadline.state_on(date(2026, 10, 11)) == "overdue"


@pytest.mark.parametrize("state", ["met", "overdue", "cancelled"])
def test_a_closed_deadline_keeps_its_state_whatever_the_day(state):
    deadline = Deadline(DeadlineKind.PUSH, date(2026, 9, 30), 3, date(2026, 10, 10), False, "test",
                        state=state, closed_on=date(2026, 10, 1))

    assert deadline.state_on(date(2027, 1, 1)) == state


# --- materials ----------------------------------------------------------------------------

def material(code: str = "id_card", material_id: str = "m1") -> Material:
    return Material(material_id=material_id, code=code, filename=f"{code}.pdf", content_type="application/pdf",
                    size=100, sha256="a" * 64, object_key=f"cases/C1/materials/{material_id}",
                    registered_at=NOW.isoformat())


def test_a_material_on_the_notice_is_registered_while_awaiting_materials():
    case = new_case()

    updated = register_material(case, material())

    assert updated.materials == (material(),)
    assert case.materials == ()
    assert updated.version == case.version  # a reserved upload slot, not a change of the case (no event either)


@pytest.mark.parametrize("status", [s for s in Status if s not in MATERIAL_STATUSES], ids=lambda s: s.value)
def test_registering_a_material_outside_gathering_or_supplement_raises_invalid_transition(status):
    with pytest.raises(Conflict) as raised:
        register_material(case_in(status), material())

    assert raised.value.code == "INVALID_TRANSITION"


def test_registering_a_material_not_on_the_notice_is_refused():
    case = new_case()  # no agent, so the agent's items are not on the notice

    with pytest.raises(Invalid) as raised:
        register_material(case, material("agent_id_card"))

    assert (raised.value.code, raised.value.field) == ("MATERIAL_NOT_REQUIRED", "code")


def test_an_agent_case_accepts_the_agents_materials():
    case = new_case(notice=one_time_notice(has_agent=True))

    updated = register_material(case, material("agent_id_card"))

    assert updated.materials[0].code == "agent_id_card"


def test_receiving_a_registered_material_marks_it_received_with_its_object_version():
    case = register_material(new_case(), material())

    updated, event = receive_material(case, "m1", "v-1", WINDOW, NOW, CLOCK)

    received = updated.material("m1")
    assert (received.status, received.received_at, received.object_version) == ("received", NOW.isoformat(), "v-1")
    assert updated.received_codes() == frozenset({"id_card"})
    assert case.material("m1").status == "registered"
    assert event.event == "material_received"


def test_receiving_a_material_twice_raises_material_already_received():
    case = register_material(new_case(), material())
    case, _ = receive_material(case, "m1", None, WINDOW, NOW, CLOCK)

    with pytest.raises(Conflict) as raised:
        receive_material(case, "m1", None, WINDOW, NOW, CLOCK)

    assert raised.value.code == "MATERIAL_ALREADY_RECEIVED"


def test_receiving_an_unknown_material_raises_not_found():
    case = register_material(new_case(), material())

    with pytest.raises(NotFound) as raised:
        receive_material(case, "nope", None, WINDOW, NOW, CLOCK)

    assert (raised.value.code, raised.value.field) == ("MATERIAL_NOT_FOUND", "material_id")


def test_receiving_a_material_after_the_case_left_awaiting_materials_raises_invalid_transition():
    case = register_material(new_case(), material())
    case, _ = transition(case, "withdraw", WINDOW, NOW, CLOCK)

    with pytest.raises(Conflict) as raised:
        receive_material(case, "m1", None, WINDOW, NOW, CLOCK)

    assert raised.value.code == "INVALID_TRANSITION"
