"""The daily sweep: reminders, overdue records and escalations, from the sparse due-day index."""
from __future__ import annotations

from datetime import datetime

from chalicelib.services import jobs
from chalicelib.wiring import deps, notifier
from tests.integration.conftest import subscribe, topic, wait_messages
from tests.support.people import application, id_number


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


def completed_case(api, sequence: str, day: str) -> str:
    """A case whose materials were complete on ``day`` (D1 push deadline running)."""
    api.now = f"{day}T10:00:00+08:00"
    case = api.ready_case(application(id_number(sequence=sequence)))
    assert api.window("POST", f"/cases/{case['case_id']}/complete").status_code == 200
    return case["case_id"]


def test_the_sweep_reminds_on_the_last_working_day_before_a_deadline_once(api, aws):
    reminders = subscribe(topic(aws, "reminders"), "reminders")
    case_id = completed_case(api, "601", "2026-09-30")  # push due 2026-10-10 (make-up Saturday)
    completed_case(api, "602", "2026-10-12")  # push due 2026-10-15: not due yet

    holiday = jobs.daily_sweep(deps(), notifier(), at("2026-10-05T01:00:00+08:00"))
    assert holiday["reminders"] == 0  # National Day: not a working day, nobody is reminded
    first = jobs.daily_sweep(deps(), notifier(), at("2026-10-09T01:00:00+08:00"))
    assert first["reminders"] == 1
    [reminder] = wait_messages(reminders, 1)
    assert (reminder["case_id"], reminder["kind"], reminder["due_on"], reminder["unit"]) == (
        case_id, "push", "2026-10-10", "310101002")
    again = jobs.daily_sweep(deps(), notifier(), at("2026-10-09T13:00:00+08:00"))
    assert again["reminders"] == 0 and wait_messages(reminders, 1, seconds=0.3) == []
    timeline = api.window("GET", f"/cases/{case_id}").data["timeline"]
    assert [e["event"] for e in timeline].count("deadline_reminder") == 1


def test_the_sweep_records_a_missed_deadline_once_and_escalates_when_the_clock_did_not(api, aws):
    escalations = subscribe(topic(aws, "escalations"), "sweep-escalations")
    case_id = completed_case(api, "611", "2026-09-30")  # push due 2026-10-10
    # The clock runs on real seconds here, so it has not timed out: the sweep must escalate.
    first = jobs.daily_sweep(deps(), notifier(), at("2026-10-12T01:00:00+08:00"))
    assert (first["overdue_recorded"], first["escalated_by_sweep"]) == (1, 1)
    [escalation] = wait_messages(escalations, 1)
    assert (escalation["case_id"], escalation["kind"], escalation["source"]) == (case_id, "push", "sweep")
    second = jobs.daily_sweep(deps(), notifier(), at("2026-10-13T01:00:00+08:00"))
    assert (second["overdue_recorded"], second["escalated_by_sweep"]) == (0, 0)

    api.now = "2026-10-13T10:00:00+08:00"
    seen = api.window("GET", f"/cases/{case_id}").data
    push = seen["deadlines"][1]
    assert (push["state"], push["overdue_recorded_on"], push["working_days_overdue"]) == ("overdue", "2026-10-12", 2)
    assert [e["event"] for e in seen["timeline"]].count("deadline_overdue") == 1
    overdue = api.window("GET", "/cases?overdue=true").data["cases"]
    assert [c["case_id"] for c in overdue] == [case_id]
