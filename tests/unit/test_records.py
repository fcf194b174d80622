"""The stored record round-trips a case; the view a caller sees masks personal numbers."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from msgspec.structs import replace

from chalicelib.domain.cases.applications import read_application, read_decision
from chalicelib.domain.cases.case import (
    Actor,
    Case,
    Deadline,
    DeadlineKind,
    Event,
    Material,
    Status,
    receive_material,
    register_material,
    transition,
)
from chalicelib.domain.cases.records import case_view, from_record, notice_view, to_record
from chalicelib.domain.identity import birth_date
from chalicelib.domain.rules.rules import one_time_notice
from chalicelib.domain.units import scope_between
from tests.support.people import SHANGHAI_WINDOW, application, id_number

APPLICANT_ID = id_number(birth="19800101", sequence="105")  # ends in X
AGENT_ID = id_number(region="310101", birth="19550505", sequence="222")
WINDOW = Actor("window-1", "窗口一", "window", SHANGHAI_WINDOW)
REVIEWER = Actor("reviewer-1", "审核一", "reviewer", "230102001")


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00+08:00")


class CalendarDays:
    """A fake statutory clock: every calendar day is a working day; 10-day deadlines provisional."""

    def plan(self, start: date, n: int) -> tuple[date, bool, str]:
        return (start + timedelta(days=n), n == 10, "test")

    def count(self, after: date, until: date) -> int:
        return max((until - after).days, 0)


CLOCK = CalendarDays()


def accepted_case() -> Case:
    read = read_application(
        application(APPLICANT_ID, agent={"name": "李四", "id_number": AGENT_ID, "relationship": "child"}),
        date(2026, 9, 24),
    )
    return Case(
        case_id="C20260924ABCDE", status=Status.AWAITING_MATERIALS, accepting_unit=SHANGHAI_WINDOW,
        business_unit=read.business_unit, scope=scope_between(SHANGHAI_WINDOW, read.business_unit).value,
        applied_on=date(2026, 9, 24), applied_at="2026-09-24T09:30:00+08:00", applicant=read.applicant,
        certificate=read.certificate, subsidies=read.subsidies, notice=one_time_notice(True),
        agent=read.agent, low_income=read.low_income, version=7,
    )


def material(code: str, material_id: str) -> Material:
    return Material(material_id=material_id, code=code, filename=f"{code}.pdf", content_type="application/pdf",
                    size=1234, sha256="ab" * 32, object_key=f"cases/C20260924ABCDE/materials/{material_id}",
                    registered_at="2026-09-24T10:00:00+08:00")


def decided_case() -> Case:
    case = accepted_case()
    case = register_material(case, material("id_card", "m1"))
    case = register_material(case, material("photo", "m2"))
    case, _ = receive_material(case, "m1", "version-1", WINDOW, at("2026-09-25"), CLOCK)
    case, _ = transition(case, "complete", WINDOW, at("2026-09-30"), CLOCK)
    case, _ = transition(case, "push", WINDOW, at("2026-10-09"), CLOCK)
    decision = dict(read_decision({"outcome": "approved", "reason": "非重度残疾，不予认定护理补贴",
                                   "subsidies": [{"type": "living", "monthly_amount": "99"}]},
                                  case.subsidies, "2026-09"), decided_on="2026-10-12", decided_by="reviewer-1")
    case, _ = transition(case, "decide", REVIEWER, at("2026-10-12"), CLOCK, {"decision": decision})
    return case


# --- to_record / from_record -------------------------------------------------------------------

def test_a_case_with_materials_deadlines_and_a_decision_round_trips_through_its_record():
    case = decided_case()
    assert case.materials and case.deadlines and case.decision and case.agent

    assert from_record(to_record(case), case.version) == case


def test_the_record_survives_json_and_round_trips_afterwards():
    case = decided_case()

    record = json.loads(json.dumps(to_record(case), ensure_ascii=False))

    assert from_record(record, case.version) == case


@pytest.mark.parametrize("status", ["accepted", "withdrawn"])
def test_a_case_without_decision_or_agent_round_trips_too(status):
    case = replace(accepted_case(), agent=None, notice=one_time_notice(False), low_income={})
    if status == "withdrawn":
        case, _ = transition(case, "withdraw", WINDOW, at("2026-09-25"), CLOCK, {"withdrawal": {"reason": "不要了"}})

    assert from_record(to_record(case), 0) == replace(case, version=0)


def test_the_record_leaves_the_version_to_the_store():
    case = decided_case()

    assert "version" not in to_record(case)
    assert from_record(to_record(case), 42).version == 42


def test_a_closed_deadline_keeps_its_closing_day_and_calendar_version_in_the_record():
    record = to_record(decided_case())

    assert record["deadlines"][0] == {
        "kind": "push", "starts_on": "2026-09-30", "working_days": 3, "due_on": "2026-10-03", "state": "overdue",
        "provisional": False, "calendar_version": "test", "closed_on": "2026-10-09",
        "paused_on": None, "remaining_working_days": None, "counted_from": None, "counted_days": None,
        "reminded_on": None, "overdue_recorded_on": None,
    }
    assert record["deadlines"][1]["provisional"] is True
    assert record["pushed_on"] == "2026-10-09"


# --- case_view ------------------------------------------------------------------------------

def test_the_view_masks_the_applicant_and_agent_id_numbers_showing_only_the_first_three_and_last_four():
    view = case_view(decided_case(), date(2026, 10, 12))

    assert view["applicant"]["id_number"] == APPLICANT_ID[:3] + "*" * 11 + APPLICANT_ID[-4:]
    assert view["agent"]["id_number"] == AGENT_ID[:3] + "*" * 11 + AGENT_ID[-4:]


def test_no_birth_date_and_no_full_id_number_appear_anywhere_in_the_view():
    case = decided_case()
    events = [Event("2026-09-24T09:30:00+08:00", "accepted", "window-1", SHANGHAI_WINDOW, {"scope": "cross_province"})]

    text = json.dumps(case_view(case, date(2026, 10, 12), events), ensure_ascii=False)

    for number in (APPLICANT_ID, AGENT_ID):
        assert number not in text
        assert birth_date(number).strftime("%Y%m%d") not in text


def test_the_view_masks_the_phone_number():
    view = case_view(accepted_case(), date(2026, 9, 24))

    assert view["applicant"]["phone"] == "138****0000"


def test_a_landline_is_masked_to_its_first_three_and_last_four_characters():
    case = accepted_case()
    case = replace(case, applicant=dict(case.applicant, phone="0451-12345678"))

    assert case_view(case, date(2026, 9, 24))["applicant"]["phone"] == "045******5678"


def test_the_view_masks_the_id_part_of_the_certificate_but_keeps_its_category_and_grade_digits():
    certificate = case_view(decided_case(), date(2026, 10, 12))["certificate"]

    assert certificate["number"] == APPLICANT_ID[:3] + "*" * 11 + APPLICANT_ID[-4:] + "41"
    assert (certificate["category"], certificate["grade"]) == (4, 1)
    assert certificate["valid_until"] == "2031-05-01"


def test_the_view_leaves_the_case_itself_unmasked():
    case = decided_case()

    case_view(case, date(2026, 10, 12))

    assert case.applicant["id_number"] == APPLICANT_ID
    assert case.certificate["number"] == APPLICANT_ID + "41"
    assert case.agent is not None and case.agent["id_number"] == AGENT_ID


def test_the_view_hides_the_storage_key_of_every_material_and_keeps_the_rest():
    view = case_view(decided_case(), date(2026, 10, 12))

    assert [m["material_id"] for m in view["materials"]] == ["m1", "m2"]
    assert all("object_key" not in m for m in view["materials"])
    assert "cases/C20260924ABCDE/materials" not in json.dumps(view)
    assert view["materials"][0]["status"] == "received"
    assert view["materials"][0]["object_version"] == "version-1"
    assert view["materials"][1]["status"] == "registered"


def test_the_view_shows_an_open_deadline_past_its_due_day_as_overdue():
    case = decided_case()  # notify deadline opened 2026-10-12, due 2026-10-15
    assert case.deadlines[-1].state == "open"

    on_due_day = case_view(case, date(2026, 10, 15))["deadlines"]
    day_after = case_view(case, date(2026, 10, 16))["deadlines"]

    assert [d["state"] for d in on_due_day] == ["overdue", "met", "open"]
    assert [d["state"] for d in day_after] == ["overdue", "met", "overdue"]
    assert case.deadlines[-1].state == "open"


def test_the_view_adds_month_version_and_timeline_only_when_events_are_given():
    case = decided_case()
    event = Event("2026-09-24T09:30:00+08:00", "accepted", "window-1", SHANGHAI_WINDOW, {"scope": "cross_province"})

    without = case_view(case, date(2026, 10, 12))
    with_events = case_view(case, date(2026, 10, 12), [event])

    assert "timeline" not in without
    assert with_events["timeline"] == [{"at": "2026-09-24T09:30:00+08:00", "event": "accepted",
                                       "actor": "window-1", "unit": SHANGHAI_WINDOW,
                                       "detail": {"scope": "cross_province"}}]
    assert (without["application_month"], without["version"]) == ("2026-09", 7)
    assert without["status"] == "result_returned"


def test_a_case_without_an_agent_or_phone_has_a_view_without_them():
    case = replace(accepted_case(), agent=None)
    case = replace(case, applicant=dict(case.applicant, phone=None))

    view = case_view(case, date(2026, 9, 24))

    assert view["agent"] is None
    assert view["applicant"]["phone"] is None


def test_the_notice_view_marks_which_items_were_received():
    notice = notice_view(decided_case())

    received = {item["code"]: item["received"] for item in notice["materials"]}
    assert received["id_card"] is True
    assert received["photo"] is False  # registered, not yet confirmed
    assert "agent_id_card" in received


def test_a_deadline_record_carries_the_deadline_state_as_stored():
    deadline = Deadline(DeadlineKind.REVIEW, date(2026, 10, 9), 10, date(2026, 10, 22), False, "v", "cancelled",
                        date(2026, 10, 10))
    case = replace(accepted_case(), deadlines=(deadline,))

    assert from_record(to_record(case), case.version).deadlines == (deadline,)
    assert case_view(case, date(2027, 1, 1))["deadlines"][0]["state"] == "cancelled"
