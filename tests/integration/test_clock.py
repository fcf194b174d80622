"""The case clock: the real state-machine definition in moto's Step Functions interpreter.

Deadlines are scaled so that a working day lasts a fraction of a second (``seconds_per_working_day``),
the same knob the local stage offers to watch a case go overdue.
"""
from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import boto3
import pytest
from msgspec.structs import replace

from chalicelib.adapters.clock import CaseClock
from chalicelib.adapters.clock_table import ClockItems
from chalicelib.config import load
from chalicelib.domain.cases.case import Actor
from chalicelib.services import cases, jobs
from chalicelib.wiring import deps as default_deps
from chalicelib.wiring import notifier
from tests.integration.conftest import store_object, subscribe, topic, wait_messages
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, application, declaration, id_number, pdf_bytes

WINDOW = Actor("window-1", "窗口", "window", SHANGHAI_WINDOW)
REVIEWER = Actor("reviewer-1", "审核", "reviewer", HARBIN_TOWNSHIP)
APPROVAL = {"outcome": "approved", "reason": "符合条件",
            "subsidies": [{"type": "living", "monthly_amount": "99.00"}]}


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


@pytest.fixture()
def fast(aws):
    """Services whose clock counts a working day as 0.1 s (a 3-day deadline times out in 1 s)."""
    base = default_deps()
    return replace(base, clock=replace(base.clock, seconds_per_working_day=0.1))


def execution_status(case_id: str, name: str | None = None) -> str:
    clock = CaseClock(load().clock_state_machine_arn)
    return boto3.client("stepfunctions").describe_execution(
        executionArn=clock.execution_arn(name or case_id))["status"]


def wait_for(predicate, seconds: float = 10.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def clock_phase(case_id: str) -> str | None:
    state = ClockItems().get(case_id)
    return state.phase if state else None


def accepted(deps, sequence: str, day: str = "2026-09-28T09:00:00+08:00") -> dict[str, Any]:
    """A case accepted with its materials still to gather: no execution yet (收件时限 is the daily sweep's)."""
    case = cases.accept(deps, application(id_number(sequence=sequence)), WINDOW, at(day))
    assert ClockItems().get(case["case_id"]) is None and not_started(case["case_id"])
    return case


def not_started(case_id: str) -> bool:
    try:
        execution_status(case_id)
    except boto3.client("stepfunctions").exceptions.ExecutionDoesNotExist:
        return True
    return False


def with_materials(deps, case: dict[str, Any], day: str = "2026-09-28T10:00:00+08:00",
                   items: slice = slice(None)) -> None:
    """Upload and confirm the notice's materials (``items`` of them); the last required one completes the case."""
    for item in case["notice"]["materials"][items]:
        content = pdf_bytes(item["code"])
        registered = cases.add_material(deps, case["case_id"], declaration(item["code"], content), WINDOW,
                                        "accepting", at(day))
        store_object(registered["upload"], content)
        cases.confirm_material(deps, case["case_id"], registered["material_id"], WINDOW, "accepting", at(day))


def test_on_time_the_clock_follows_every_phase_publishes_the_result_and_ends(aws, fast):
    results = subscribe(topic(aws, "case-results"), "results-on-time")
    escalations = subscribe(topic(aws, "escalations"), "escalations-on-time")
    slow = default_deps()  # real seconds until the end of each due day: nothing times out here
    case = accepted(slow, "801")
    case_id = case["case_id"]
    with_materials(slow, case, "2026-09-30T10:00:00+08:00")  # complete on 09-30: D1 starts
    wait_for(lambda: clock_phase(case_id) == "push")
    cases.push(slow, case_id, WINDOW, "accepting", at("2026-10-09T10:00:00+08:00"))
    wait_for(lambda: clock_phase(case_id) == "review")
    cases.decide(slow, case_id, APPROVAL, REVIEWER, "business", at("2026-10-20T10:00:00+08:00"))
    wait_for(lambda: clock_phase(case_id) == "notify")
    [result] = wait_messages(results, 1)
    assert (result["case_id"], result["outcome"], result["notify_due_on"]) == (case_id, "approved", "2026-10-23")
    cases.notify(slow, case_id, {"method": "sms"}, WINDOW, "accepting", at("2026-10-21T10:00:00+08:00"))
    assert wait_for(lambda: execution_status(case_id) == "SUCCEEDED")
    assert wait_messages(escalations, 1, seconds=0.5) == []
    state = ClockItems().get(case_id)
    assert state.overdue_at == {} and not state.pending
    # the execution ended in Closed and wrote no phase of its own (its item still says notify): a reader sees the case's
    assert state.phase == "notify"
    seen = cases.read(slow, case_id, WINDOW, "accepting", at("2026-10-21T11:00:00+08:00").date())
    assert seen["status"] == "closed" and seen["clock"]["phase"] == "closed"


@pytest.mark.parametrize("kind", ["push", "review", "notify"])
def test_a_missed_deadline_is_marked_overdue_on_the_clock_and_escalated_and_the_case_goes_on(aws, fast, kind):
    escalations = subscribe(topic(aws, "escalations"), f"escalations-{kind}")
    slow = default_deps()  # 收件时限 on real seconds: it must not time out while the materials are uploaded
    case = accepted(slow, f"81{len(kind)}")
    case_id = case["case_id"]
    with_materials(slow, case, "2026-09-30T10:00:00+08:00", items=slice(None, -1))
    # Each phase starts on its due day's eve so that the scaled timeout is about a second: the last material
    # completes the case on 09-30 and D1 starts on the scaled clock
    with_materials(fast, case, "2026-09-30T10:00:00+08:00", items=slice(-1, None))
    if kind != "push":
        wait_for(lambda: clock_phase(case_id) == "push")
        cases.push(fast, case_id, WINDOW, "accepting", at("2026-10-09T10:00:00+08:00"))
    if kind == "notify":
        wait_for(lambda: clock_phase(case_id) == "review")
        cases.decide(fast, case_id, APPROVAL, REVIEWER, "business", at("2026-10-20T10:00:00+08:00"))

    [escalation] = wait_messages(escalations, 1, seconds=15)
    assert (escalation["kind"], escalation["case_id"]) == (kind, case_id)
    assert (escalation["accepting_unit"], escalation["business_unit"]) == (SHANGHAI_WINDOW, HARBIN_TOWNSHIP)
    state = wait_for(lambda: (s := ClockItems().get(case_id)) and s.late and s)
    assert kind in state.overdue_at and state.phase == kind

    seen = cases.read(fast, case_id, WINDOW, "accepting", at("2026-10-30T10:00:00+08:00").date())
    assert seen["clock"]["overdue_at"].keys() == {kind}
    assert execution_status(case_id) == "RUNNING"  # it waits on for the late step
    if kind == "push":
        cases.push(fast, case_id, WINDOW, "accepting", at("2026-10-30T10:00:00+08:00"))
        wait_for(lambda: clock_phase(case_id) == "review")


def test_a_supplement_request_pauses_review_and_the_supplement_resumes_it_with_the_days_left(aws, fast):
    slow = default_deps()
    case = accepted(slow, "821")
    case_id = case["case_id"]
    with_materials(slow, case, "2026-09-30T10:00:00+08:00")  # complete on 09-30: D1 starts
    wait_for(lambda: clock_phase(case_id) == "push")
    cases.push(slow, case_id, WINDOW, "accepting", at("2026-10-09T10:00:00+08:00"))  # review due 10-22
    wait_for(lambda: clock_phase(case_id) == "review")

    asked = cases.request_supplement(slow, case_id, {
        "items": [{"code": "household_register", "description": "户口簿户主页不清晰"}], "note": "请补正"},
        REVIEWER, "business", at("2026-10-14T10:00:00+08:00"))
    review = asked["deadlines"][2]
    # paused on Wed 10-14 with 10-15, 16, 19, 20, 21, 22 still to run
    assert (asked["status"], review["state"], review["remaining_working_days"]) == (
        "supplement_requested", "paused", 6)
    wait_for(lambda: clock_phase(case_id) == "supplement")

    with pytest.raises(Exception) as early:
        cases.send_supplement(slow, case_id, {}, WINDOW, "accepting", at("2026-10-19T09:00:00+08:00"))
    assert early.value.code == "SUPPLEMENT_INCOMPLETE"

    content = pdf_bytes("household_register-2")
    registered = cases.add_material(slow, case_id, declaration("household_register", content), WINDOW, "accepting",
                                    at("2026-10-19T10:00:00+08:00"))
    store_object(registered["upload"], content)
    cases.confirm_material(slow, case_id, registered["material_id"], WINDOW, "accepting",
                           at("2026-10-19T10:00:00+08:00"))
    resumed = cases.send_supplement(slow, case_id, {"note": "已补交"}, WINDOW, "accepting",
                                    at("2026-10-19T11:00:00+08:00"))
    review = resumed["deadlines"][2]
    # 6 working days from Mon 10-19: 20, 21, 22, 23, 26, 27
    assert (resumed["status"], review["state"], review["due_on"]) == ("under_review", "open", "2026-10-27")
    wait_for(lambda: clock_phase(case_id) == "review")

    events = [e["event"] for e in cases.read(slow, case_id, REVIEWER, "business",
                                               at("2026-10-19T12:00:00+08:00").date())["timeline"]]
    assert events[-3:] == ["supplement_requested", "material_received", "supplement_sent"]
    assert events == [e["event"] for e in cases.read(slow, case_id, WINDOW, "accepting",
                                                     at("2026-10-19T12:00:00+08:00").date())["timeline"]]


def test_withdrawal_ends_the_execution(aws):
    slow = default_deps()
    case = accepted(slow, "831")
    with_materials(slow, case, "2026-09-29T09:00:00+08:00")  # complete: the execution starts, waiting in D1
    wait_for(lambda: clock_phase(case["case_id"]) == "push")
    cases.withdraw(slow, case["case_id"], {"reason": "申请人撤回"}, WINDOW, "accepting",
                   at("2026-09-29T10:00:00+08:00"))
    assert wait_for(lambda: execution_status(case["case_id"]) == "SUCCEEDED")
    history = boto3.client("stepfunctions").get_execution_history(
        executionArn=CaseClock(load().clock_state_machine_arn).execution_arn(case["case_id"]))["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]
    assert entered[-1] == "Withdrawn"
    seen = cases.read(slow, case["case_id"], WINDOW, "accepting", at("2026-09-29T11:00:00+08:00").date())
    assert seen["clock"]["phase"] == "withdrawn"


def test_a_case_withdrawn_while_its_materials_are_gathered_never_starts_the_clock(aws):
    slow = default_deps()
    case = accepted(slow, "832")
    with_materials(slow, case, "2026-09-29T09:00:00+08:00", items=slice(None, -1))  # not complete yet
    withdrawn = cases.withdraw(slow, case["case_id"], {"reason": "申请人撤回"}, WINDOW, "accepting",
                               at("2026-09-29T10:00:00+08:00"))
    assert withdrawn["status"] == "withdrawn"
    assert not_started(case["case_id"]) and ClockItems().get(case["case_id"]) is None
    assert jobs.daily_sweep(slow, notifier(), at("2026-09-30T01:00:00+08:00"))["clocks_repaired"] == 0


def test_a_transition_that_cannot_reach_the_clock_keeps_the_case_change_and_the_sweep_restarts_the_clock(aws):
    good = default_deps()
    case = accepted(good, "841")
    case_id = case["case_id"]
    with_materials(good, case, "2026-09-30T10:00:00+08:00")  # complete on 09-30: the execution waits in D1
    wait_for(lambda: clock_phase(case_id) == "push")
    # The execution ends behind the app's back: its stored token no longer answers.
    stale = ClockItems().get(case_id)
    boto3.client("stepfunctions").send_task_failure(taskToken=stale.task_token, error="CaseWithdrawn")
    wait_for(lambda: execution_status(case_id) == "SUCCEEDED")

    # the push starts D2, and the clock it cannot reach is flagged
    pushed = cases.push(good, case_id, WINDOW, "accepting", at("2026-10-09T10:00:00+08:00"))
    assert pushed["status"] == "under_review"  # the case change stands
    assert ClockItems().get(case_id).pending

    stats = jobs.daily_sweep(good, notifier(), at("2026-10-10T01:00:00+08:00"))
    assert stats["clocks_repaired"] == 1
    state = ClockItems().get(case_id)
    assert not state.pending and state.restarts == 1
    assert execution_status(case_id, f"{case_id}-r1") == "RUNNING"
    wait_for(lambda: clock_phase(case_id) == "review")
    seen = cases.read(good, case_id, WINDOW, "accepting", at("2026-10-10T09:00:00+08:00").date())
    assert seen["clock"]["phase"] == "review"


def test_an_execution_started_in_the_materials_phase_before_it_left_the_clock_is_moved_on_not_doubled(aws, fast):
    """Cases accepted before the 收件时限 left the clock have an execution waiting in "materials": completing the
    materials moves that one on (no second execution), and the sweep finds it in step."""
    slow = default_deps()
    case = accepted(slow, "851")
    case_id = case["case_id"]
    materials = slow.repo.get(case_id)
    slow.clock.clock.start(case_id, case_id, slow.clock.phase(materials, at("2026-09-28T09:00:00+08:00")))
    wait_for(lambda: clock_phase(case_id) == "materials")
    assert slow.clock.in_step(materials) is False  # running where nothing should: the sweep would stop it

    with_materials(slow, case, "2026-09-30T10:00:00+08:00")  # complete: the waiting execution moves on
    wait_for(lambda: clock_phase(case_id) == "push")
    assert execution_status(case_id) == "RUNNING" and not ClockItems().get(case_id).pending
    assert slow.clock.in_step(slow.repo.get(case_id))
