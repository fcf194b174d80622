"""Milestone SMS, gateway receipts and the daily sweep, run by the services on the in-memory stores: what is sent,
retried, failed and reported, what a receipt changes, what the sweep records once. The SNS adapters and the routes
are tested on moto in tests/integration (test_messages.py, test_sms_gateway.py, test_sweep.py)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from msgspec.structs import replace

from chalicelib.domain.cases.audit import first_break
from chalicelib.domain.cases.case import Actor
from chalicelib.domain.cases.sms_receipts import OutgoingSms, Sent
from chalicelib.domain.errors import Conflict
from chalicelib.services import cases, jobs, sms_receipts
from chalicelib.services import messages as milestone_messages
from tests.fakes.world import CaseWorld, case_world
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, application, id_number

T0 = datetime.fromisoformat("2026-09-24T10:00:00+08:00")
WINDOW = Actor("window-310101002", "窗口", "window", SHANGHAI_WINDOW)
REVIEWER = Actor("reviewer-230102001", "审核员", "reviewer", HARBIN_TOWNSHIP)
GATEWAY = Actor("sms_gateway-31", "短信网关", "sms_gateway", "31")
APPROVE = {"outcome": "approved", "reason": "符合条件",
           "subsidies": [{"type": "living", "monthly_amount": "99.00"}, {"type": "nursing", "monthly_amount": "99.00"}]}
NUMBER = "+8613800000000"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@dataclass
class FakeGateway:
    """The gateway channel: each attempt handed to the province's outbox topic (``adapters.sms_gateway``)."""

    handed: list[OutgoingSms] = field(default_factory=list)

    def send(self, sms: OutgoingSms) -> Sent:
        self.handed.append(sms)
        return Sent(f"outbox-{len(self.handed):04d}", "gateway")


@pytest.fixture()
def world() -> CaseWorld:
    return case_world()


def ready(world: CaseWorld, body: dict[str, Any], now: datetime = T0) -> str:
    accepted = cases.accept(world.deps, body, WINDOW, now)
    world.receive_notice(accepted["case_id"], WINDOW, now)
    return str(accepted["case_id"])


def pushed(world: CaseWorld, body: dict[str, Any] | None = None) -> str:
    case_id = ready(world, body or application(id_number(sequence="701")))
    cases.complete(world.deps, case_id, WINDOW, "accepting", T0)
    assert cases.push(world.deps, case_id, WINDOW, "accepting", T0)["status"] == "under_review"
    return case_id


def events(world: CaseWorld, case_id: str, milestone: str | None = None) -> list[Any]:
    """The messages' lines of the case's timeline as shown (its chained events and its messages' lines)."""
    shown = milestone_messages.timeline(world.messaging, world.cases, world.cases.get(case_id))
    return [e for e in shown if e.event.startswith("message_")
            and (milestone is None or e.detail["milestone"] == milestone)]


# --- sent, retried, failed ---------------------------------------------------------------------------------------

def test_each_milestone_sends_one_sms_recorded_on_the_timeline_with_its_sns_id(world):
    case_id = pushed(world)
    cases.decide(world.deps, case_id, APPROVE, REVIEWER, "business", T0)
    cases.notify(world.deps, case_id, {"method": "in_person"}, WINDOW, "accepting", T0)

    sent = [s for s in world.sender.sms if case_id in s[2]]
    assert [number for _, number, _ in sent] == [NUMBER] * 4
    texts = [text for _, _, text in sent]
    assert "受理" in texts[0] and "推送户籍地审核" in texts[1] and "审核通过" in texts[2] and "办理完毕" in texts[3]
    assert all(text.startswith("【残疾人两项补贴】") and "9月24日" in text for text in texts)
    # one segment each, but the approval's: it names who explains the standard (issue 16.8), in two at most
    assert [len(text) <= 70 for text in texts] == [True, True, False, True] and len(texts[2]) <= 2 * 67
    assert "享受补贴政策的类型及标准由" in texts[2] and "受理窗口" not in texts[2]
    recorded = events(world, case_id)
    assert [(e.event, e.detail["milestone"]) for e in recorded] == [
        ("message_sent", "accepted"), ("message_sent", "pushed"), ("message_sent", "decided"),
        ("message_sent", "notified")]
    assert [e.detail["sns_message_id"] for e in recorded] == [key for key, _, _ in sent]
    assert first_break(case_id, *world.cases.chain(case_id)).valid


def test_each_step_reaches_the_milestone_its_message_is_read_back_by(world):
    """Queueing (``milestone_between``) and the shown timeline (``milestones_reached``: the messages read back) name
    the same milestones: each step that queues one adds exactly it to what the case has reached."""
    from chalicelib.domain.cases.messages import milestone_between, milestones_reached

    accepted = cases.accept(world.deps, application(id_number(sequence="771")), WINDOW, T0)
    case_id = accepted["case_id"]
    walk = [world.cases.get(case_id)]
    ready_id = ready(world, application(id_number(sequence="772")))
    cases.complete(world.deps, ready_id, WINDOW, "accepting", T0)
    steps = [lambda: cases.push(world.deps, ready_id, WINDOW, "accepting", T0),
             lambda: cases.decide(world.deps, ready_id, APPROVE, REVIEWER, "business", T0),
             lambda: cases.notify(world.deps, ready_id, {"method": "in_person"}, WINDOW, "accepting", T0)]
    before = world.cases.get(ready_id)
    assert milestones_reached(walk[0]) == ("accepted",) == (milestone_between(None, walk[0]),)
    for step in steps:
        step()
        after = world.cases.get(ready_id)
        reached = milestone_between(before, after)
        assert reached is not None and milestones_reached(after) == milestones_reached(before) + (reached,)
        assert [m.milestone for m in world.cases.outbox.of_case(ready_id, milestones_reached(after))] == list(
            milestones_reached(after))  # every milestone reached has its message
        before = after
    assert milestone_between(before, before) is None


def test_no_sms_carries_the_id_number_name_or_amounts(world):
    body = application(id_number(sequence="702"))
    case_id = pushed(world, body)
    cases.decide(world.deps, case_id, APPROVE, REVIEWER, "business", T0)
    for text in world.sender.texts(case_id):
        # the amount as money ("99.00", "99元"), never the digits alone: a random case number may hold "99"
        for secret in (body["applicant"]["id_number"], body["applicant"]["id_number"][-6:], "张三", "99.00", "元"):
            assert secret not in text


def test_a_rejection_says_so_and_points_to_the_window(world):
    case_id = pushed(world)
    cases.decide(world.deps, case_id, {"outcome": "rejected", "subsidies": [], "reason": "不符合"}, REVIEWER,
                 "business", T0)
    [text] = [t for t in world.sender.texts(case_id) if "审核" in t and "推送" not in t]
    assert "审核未通过" in text and "受理窗口" in text and "不符合" not in text


def test_repeated_retry_runs_never_send_a_milestone_twice(world):
    case_id = pushed(world)
    runs = [milestone_messages.retry_due(world.messaging, at(minutes)) for minutes in (0, 5, 60, 600)]
    assert all(run == {"due": 0} for run in runs)
    assert len([t for t in world.sender.texts(case_id) if "推送户籍地审核" in t]) == 1
    assert [e.detail["milestone"] for e in events(world, case_id)] == ["accepted", "pushed"]


def test_a_failed_send_is_retried_with_back_off_and_sent_once_the_number_takes_it(world):
    case_id = ready(world, application(id_number(sequence="703")))
    cases.complete(world.deps, case_id, WINDOW, "accepting", T0)
    world.sender.refused.add(NUMBER)
    assert cases.push(world.deps, case_id, WINDOW, "accepting", T0)["status"] == "under_review"  # the SMS never
    assert [e.detail["milestone"] for e in events(world, case_id)] == ["accepted"]  # fails the push: pending
    pending = world.cases.outbox.get(f"{case_id}#pushed")
    assert (pending.status, pending.attempts, pending.last_error) == ("pending", 1, "InvalidParameter")

    not_yet = milestone_messages.retry_due(world.messaging, at(4))
    world.sender.refused.clear()  # the number takes SMS again
    retried = milestone_messages.retry_due(world.messaging, at(5))

    assert not_yet == {"due": 0} and retried == {"due": 1, "sent": 1}
    [event] = events(world, case_id, "pushed")
    assert event.event == "message_sent" and event.detail["attempts"] == 2
    assert event.detail["sns_message_id"] == world.sender.sms[-1][0]


def test_after_the_last_retry_the_message_fails_and_is_reported_once(world):
    world.sender.refused.add(NUMBER)
    case_id = pushed(world)
    runs = [milestone_messages.retry_due(world.messaging, at(minutes)) for minutes in (5, 15, 35, 74, 75, 200)]

    assert runs[:3] == [{"due": 2, "pending": 2}] * 3  # accepted and pushed, both refused
    assert runs[3:] == [{"due": 0}, {"due": 2, "failed": 2}, {"due": 0}]
    [event] = events(world, case_id, "pushed")
    assert event.event == "message_failed"
    assert dict(event.detail) == {"milestone": "pushed", "channel": "sms", "attempts": 5, "error": "InvalidParameter"}
    reports = [r for r in world.sender.failures if r["milestone"] == "pushed"]
    assert reports == [{"case_id": case_id, "milestone": "pushed", "attempts": 5, "error": "InvalidParameter",
                        "accepting_unit": SHANGHAI_WINDOW, "business_unit": HARBIN_TOWNSHIP}]
    assert NUMBER not in json.dumps(world.sender.failures) and len(world.failed_metric) == 2
    assert first_break(case_id, *world.cases.chain(case_id)).valid


def test_a_landline_gets_no_sms_and_the_timeline_says_so(world):
    body = application(id_number(sequence="704"))
    body["applicant"]["phone"] = "0451-87654321"
    case_id = cases.accept(world.deps, body, WINDOW, T0)["case_id"]
    assert world.sender.texts(case_id) == []
    [event] = events(world, case_id)
    assert event.event == "message_skipped" and event.detail["reason"] == "no_mobile_number"


# --- gateway receipts ---------------------------------------------------------------------------------------

@pytest.fixture()
def gateway_world() -> tuple[CaseWorld, FakeGateway]:
    world, gateway = case_world(), FakeGateway()
    messaging = replace(world.messaging, sms=gateway)
    world.messaging, world.deps = messaging, replace(world.deps, messages=messaging)
    return world, gateway


def receipt(world: CaseWorld, message_id: str, body: dict[str, Any], minutes: float = 0) -> dict[str, Any]:
    return sms_receipts.record(world.messaging, message_id, lambda: body, GATEWAY, "in_scope", at(minutes))


def test_a_delivered_receipt_is_on_the_timeline_once(gateway_world):
    world, gateway = gateway_world
    case_id = cases.accept(world.deps, application(id_number(sequence="711")), WINDOW, T0)["case_id"]
    report = {"status": "delivered", "at": "2026-09-24T10:00:04+08:00"}
    assert [sms.message_id for sms in gateway.handed] == [f"{case_id}-accepted"]

    first = receipt(world, f"{case_id}-accepted", report)
    again = receipt(world, f"{case_id}-accepted", report)

    assert first == {"message_id": f"{case_id}-accepted", "milestone": "accepted", "status": "delivered",
                     "attempts": 1, "changed": True}
    assert again["changed"] is False and again["status"] == "delivered"
    [sent, delivered] = events(world, case_id)
    assert (sent.event, delivered.event, delivered.actor, delivered.unit) == (
        "message_sent", "message_delivered", "sms_gateway-31", "31")
    assert dict(delivered.detail) == {"milestone": "accepted", "channel": "sms", "via": "gateway", "attempt": 1,
                                      "reported_at": "2026-09-24T10:00:04+08:00"}


def test_failed_receipts_send_again_after_each_back_off_and_after_the_last_the_supervisors_hear(gateway_world):
    world, gateway = gateway_world
    case_id = pushed(world)
    message_id = f"{case_id}-pushed"
    minute, runs = 0.0, []
    for delay in (5, 10, 20, 40):
        minute += 1
        failed = receipt(world, message_id, {"status": "failed", "error_code": "MK:0012", "at": T0.isoformat()},
                         minute)
        assert failed["status"] == "pending"
        runs.append(milestone_messages.retry_due(world.messaging, at(minute + delay - 0.5)))
        minute += delay
        runs.append(milestone_messages.retry_due(world.messaging, at(minute)))
    last = receipt(world, message_id, {"status": "failed", "error_code": "MK:0012", "at": T0.isoformat()}, minute + 1)

    assert runs == [{"due": 0}, {"due": 1, "sent": 1}] * 4  # never before its back-off step
    assert [sms.attempt for sms in gateway.handed if sms.milestone == "pushed"] == [1, 2, 3, 4, 5]
    assert (last["status"], last["attempts"]) == ("failed", 5)
    recorded = events(world, case_id, "pushed")
    assert [e.event for e in recorded] == ["message_sent", "message_undelivered"] * 4 + [
        "message_sent", "message_failed"]
    assert recorded[1].detail["retry_at"] == at(6).isoformat()
    assert [(r["milestone"], r["attempts"], r["error"]) for r in world.sender.failures] == [("pushed", 5, "MK:0012")]
    assert milestone_messages.retry_due(world.messaging, at(60 * 24)) == {"due": 0}
    assert first_break(case_id, *world.cases.chain(case_id)).valid


def test_receipts_out_of_order_a_stale_failure_changes_nothing_and_a_late_delivery_counts(gateway_world):
    world, _ = gateway_world
    case_id = pushed(world)
    message_id = f"{case_id}-pushed"
    failed_first = {"status": "failed", "at": T0.isoformat(), "attempt": 1}
    receipt(world, message_id, failed_first, 1)
    milestone_messages.retry_due(world.messaging, at(6))  # attempt 2 sent

    repeated = receipt(world, message_id, failed_first, 7)
    stale = receipt(world, message_id, {"status": "delivered", "at": T0.isoformat(), "attempt": 1}, 8)
    late_failure = receipt(world, message_id, {"status": "failed", "at": T0.isoformat(), "attempt": 2}, 9)

    assert repeated == {"message_id": message_id, "milestone": "pushed", "status": "sent", "attempts": 2,
                        "changed": False}
    assert stale["status"] == "delivered"  # attempt 1 reached the phone after all
    assert late_failure == {"message_id": message_id, "milestone": "pushed", "status": "delivered", "attempts": 2,
                            "changed": False}  # a failure after the delivery: noted only
    assert milestone_messages.retry_due(world.messaging, at(120)) == {"due": 0}
    assert [e.event for e in events(world, case_id, "pushed")] == [
        "message_sent", "message_undelivered", "message_sent", "message_delivered"]


def test_a_delivery_reported_after_the_message_failed_is_recorded_but_the_message_stays_failed(gateway_world):
    world, _ = gateway_world
    case_id = pushed(world)
    message_id = f"{case_id}-pushed"
    minute = 0.0
    for delay in (5, 10, 20, 40, None):
        minute += 1
        receipt(world, message_id, {"status": "failed", "at": T0.isoformat()}, minute)
        if delay:
            minute += delay
            milestone_messages.retry_due(world.messaging, at(minute))

    late = receipt(world, message_id, {"status": "delivered", "at": T0.isoformat(), "attempt": 5}, 180)
    twice = receipt(world, message_id, {"status": "delivered", "at": T0.isoformat(), "attempt": 5}, 240)

    assert (late["status"], late["changed"], twice["changed"]) == ("failed", True, False)
    recorded = events(world, case_id, "pushed")
    assert [e.event for e in recorded[-2:]] == ["message_failed", "message_delivered"]
    assert recorded[-1].detail["after_failure"] is True
    assert milestone_messages.retry_due(world.messaging, at(60 * 24)) == {"due": 0}
    assert len(world.sender.failures) == 1  # reported once


def test_a_receipt_for_a_message_that_keeps_changing_is_a_409(gateway_world, monkeypatch):
    world, _ = gateway_world
    case_id = cases.accept(world.deps, application(id_number(sequence="712")), WINDOW, T0)["case_id"]
    from chalicelib.services import retrying

    monkeypatch.setattr(retrying, "pause", lambda attempt: None)
    outbox = world.cases.outbox
    written = outbox.write
    others = iter(range(100, 200))

    def someone_else_first(put: Any) -> bool:  # another receipt lands on the message between each read and write
        outbox.note_receipt(put.message.message_id, f"{next(others)}:failed")
        return written(put)

    monkeypatch.setattr(outbox, "write", someone_else_first)
    with pytest.raises(Conflict) as busy:
        receipt(world, f"{case_id}-accepted", {"status": "delivered", "at": T0.isoformat()})
    assert busy.value.code == "MESSAGE_BUSY"
    assert world.cases.outbox.get(f"{case_id}#accepted").status == "sent"


# --- the daily sweep -----------------------------------------------------------------------------------------

def completed(world: CaseWorld, sequence: str, day: str) -> str:
    """A case whose materials were complete on ``day`` (D1 push deadline running)."""
    now = datetime.fromisoformat(f"{day}T10:00:00+08:00")
    case_id = ready(world, application(id_number(sequence=sequence)), now)
    cases.complete(world.deps, case_id, WINDOW, "accepting", now)
    return case_id


def sweep(world: CaseWorld, moment: str) -> dict[str, int]:
    return jobs.daily_sweep(world.deps, world.sender, datetime.fromisoformat(moment))


def test_the_sweep_reminds_on_the_last_working_day_before_a_deadline_once(world):
    case_id = completed(world, "601", "2026-09-30")  # push due 2026-10-10 (make-up Saturday)
    completed(world, "602", "2026-10-12")  # push due 2026-10-15: not due yet

    assert sweep(world, "2026-10-05T01:00:00+08:00")["reminders"] == 0  # National Day: nobody is reminded
    assert sweep(world, "2026-10-09T01:00:00+08:00")["reminders"] == 1
    assert world.sender.reminders == [(case_id, "push")]
    assert sweep(world, "2026-10-09T13:00:00+08:00")["reminders"] == 0 and len(world.sender.reminders) == 1
    assert [e.event for e in world.cases.timeline(case_id)].count("deadline_reminder") == 1


def test_the_sweep_records_a_missed_deadline_once_and_escalates_it(world):
    case_id = completed(world, "611", "2026-09-30")  # push due 2026-10-10
    first = sweep(world, "2026-10-12T01:00:00+08:00")
    assert (first["overdue_recorded"], first["escalated_by_sweep"]) == (1, 1)
    assert world.sender.escalations == [(case_id, "push")]
    second = sweep(world, "2026-10-13T01:00:00+08:00")
    assert (second["overdue_recorded"], second["escalated_by_sweep"]) == (0, 0)
    case = world.cases.get(case_id)
    [push] = [d for d in case.deadlines if d.kind.value == "push"]
    assert push.overdue_recorded_on is not None and push.overdue_recorded_on.isoformat() == "2026-10-12"
    assert [e.event for e in world.cases.timeline(case_id)].count("deadline_overdue") == 1


def test_the_sweep_reads_only_deadlines_that_are_due(world):
    completed(world, "621", "2026-09-30")  # due 10-10
    completed(world, "622", "2026-10-12")  # due 10-15
    cases.accept(world.deps, application(id_number(sequence="623")), WINDOW, T0)  # its 收件时限 is not due yet
    # reminders: due on the next working day (10-13): none; overdue: due before 10-12: one
    assert sweep(world, "2026-10-12T01:00:00+08:00")["items_read"] == 1
