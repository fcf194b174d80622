"""Log masking, correlation ids and the deadline facts (no I/O but the captured stdout)."""
from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta, timezone

import pytest
from msgspec.structs import replace

from chalicelib import observability as observe
from chalicelib.domain.cases.case import Actor, Case, Deadline, DeadlineKind, Status, note_deadline, transition
from chalicelib.domain.cases.outcomes import census, deadline_outcomes
from chalicelib.domain.rules.rules import one_time_notice

CHINA = timezone(timedelta(hours=8))
PERSON = "23010219800101123X"
WINDOW = Actor("w", "window", "window", "310101002")
REVIEWER = Actor("r", "reviewer", "reviewer", "230102001")


def printed(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


@pytest.mark.parametrize("text", [
    f"applicant {PERSON} arrived", f"id={PERSON.lower()}", f"张三{PERSON}", f"certificate {PERSON[:-1]}241",
    "call 13800138000", "call +86 138 0013 8000", "call 8613800138000", "tel:138-0013-8000",
])
def test_the_mask_removes_id_certificate_and_mobile_numbers_wherever_they_stand(text):
    masked = observe.mask(text)
    assert not any(ch.isdigit() for ch in masked.replace("+", "")), masked


@pytest.mark.parametrize("text", [
    "C20261129123456789012",  # a case id whose hex happened to be all digits
    "2026-11-29T10:00:00+08:00", "1795922447183", "items_read=20000", "230102001",
])
def test_the_mask_leaves_case_ids_times_and_unit_codes_alone(text):
    assert observe.mask(text) == text


def test_a_log_line_of_our_modules_and_of_the_service_is_json_with_the_numbers_masked(capsys):
    logging.getLogger("chalicelib.services.example").warning("person %s phone %s", PERSON, "13912345678")
    observe.log.info("extra keys too", detail={"id_number": PERSON, "phone": "13912345678"})
    lines = printed(capsys)
    assert len(lines) == 2 and all(line["service"] == "subsidy-cross-province" for line in lines)
    text = json.dumps(lines, ensure_ascii=False)
    assert PERSON not in text and "13912345678" not in text and "[id-number masked]" in text


def test_an_exception_trace_is_masked_too(capsys):
    try:
        raise ValueError(f"bad {PERSON}")
    except ValueError:
        observe.log.exception("failed")
    [line] = printed(capsys)
    assert PERSON not in json.dumps(line) and "ValueError" in line["exception"]


@pytest.mark.parametrize("sent, kept", [
    ("window-310101002-000001", True), ("0f8fc3a4-2b0c-4f7e-9d55-0c2fd8a3c1e1", True),
    ("short", False), ("x" * 65, False), ("has space in it", False), ('quote"inside-it', False),
    (PERSON, False), ("caller-13800138000", False), ("", False), (None, False),
])
def test_a_client_correlation_id_is_kept_only_when_well_formed_and_free_of_personal_numbers(sent, kept):
    chosen = observe.correlation_id(sent, None)
    assert (chosen == sent) is kept
    assert observe.WELL_FORMED.fullmatch(chosen)


def test_without_a_client_id_the_gateway_request_id_is_used_else_a_new_one():
    assert observe.correlation_id(None, "c6af9ac6-7b61-11e6-9a41-93e8deadbeef") == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    first, second = observe.correlation_id(None, None), observe.correlation_id(None, None)
    assert first != second


class Plan:
    """Working days as calendar days, enough for the facts."""

    def plan(self, start: date, working_days: int) -> tuple[date, bool, str]:
        return start + timedelta(days=working_days), False, "test"

    def count(self, after: date, until: date) -> int:
        return max(0, (until - after).days)


def case_awaiting_push(due_on: date) -> Case:
    return Case(case_id="C2026TEST0001", status=Status.AWAITING_PUSH, accepting_unit="310101002",
                business_unit="230102001", scope="cross_province", applied_on=date(2026, 9, 1),
                applied_at="2026-09-01T10:00:00+08:00", applicant={"name": "张三"}, certificate={},
                subsidies=("living",), notice=one_time_notice(False),
                deadlines=(Deadline(DeadlineKind.PUSH, due_on - timedelta(days=3), 3, due_on, False, "test"),))


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=CHINA)


def test_a_step_on_its_due_day_is_met_and_the_next_deadline_starts_without_a_fact():
    before = case_awaiting_push(date(2026, 10, 10))
    after, _ = transition(before, "push", WINDOW, at(date(2026, 10, 10)), Plan())
    [fact] = deadline_outcomes(before, after)
    assert (fact.phase, fact.outcome, fact.unit) == ("D1", "met", "310101002")


def test_a_late_step_is_missed_once_whether_the_sweep_recorded_it_first_or_not():
    before = case_awaiting_push(date(2026, 10, 10))
    late, _ = transition(before, "push", WINDOW, at(date(2026, 10, 13)), Plan())
    assert [(f.phase, f.outcome) for f in deadline_outcomes(before, late)] == [("D1", "missed")]

    recorded, _ = note_deadline(before, "overdue_recorded_on", "deadline_overdue", at(date(2026, 10, 12)))
    assert [(f.phase, f.outcome) for f in deadline_outcomes(before, recorded)] == [("D1", "missed")]
    late_after_record, _ = transition(recorded, "push", WINDOW, at(date(2026, 10, 13)), Plan())
    assert deadline_outcomes(recorded, late_after_record) == []
    assert note_deadline(recorded, "overdue_recorded_on", "deadline_overdue", at(date(2026, 10, 13))) is None


def test_a_late_decision_is_the_business_units_miss():
    pushed, _ = transition(case_awaiting_push(date(2026, 10, 10)), "push", WINDOW, at(date(2026, 10, 9)), Plan())
    decided, _ = transition(pushed, "decide", REVIEWER, at(date(2026, 10, 30)), Plan())
    [fact] = deadline_outcomes(pushed, decided)
    assert (fact.phase, fact.outcome, fact.unit) == ("D2", "missed", "230102001")


def test_the_census_counts_running_and_overdue_deadlines_per_phase():
    overdue = [case_awaiting_push(date(2026, 10, 9)), replace(case_awaiting_push(date(2026, 10, 8)), case_id="C2")]
    found = census({"push": 5, "review": 2}, overdue)
    assert found.running == {"D0": 0, "D1": 5, "D2": 2, "DS": 0, "D3": 0}
    assert found.overdue == {"D0": 0, "D1": 2, "D2": 0, "DS": 0, "D3": 0}
    assert [(f.case_id, f.phase, f.unit) for f in found.overdue_cases] == [
        ("C2026TEST0001", "D1", "310101002"), ("C2", "D1", "310101002")]


def test_every_scheduled_function_of_the_app_runs_in_an_observability_scope():
    import app as application

    names = [source.name for source in application.app.event_sources]
    assert "daily_sweep" in names
    handlers = {name: application.app.handler_map[name].func for name in names}  # Chalice's EventSourceHandler
    assert [name for name, handler in handlers.items() if not getattr(handler, "observed", False)] == []


def test_every_scheduled_function_is_the_module_attribute_its_handler_string_names():
    """A deployed function's handler is "app.<name>": the schedules registered from the jobs table are attributes."""
    import app as application
    from chalicelib.jobs import JOBS

    for source in application.app.event_sources:
        assert callable(getattr(application, source.handler_string.split(".", 1)[1], None)), source.handler_string
    assert {job.name for job in JOBS if job.schedule} <= {source.name for source in application.app.event_sources}
