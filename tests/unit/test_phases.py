"""One phase table (chalicelib/domain/cases/phases.py), and everything that names a phase derived from it: generated tests
that the case clock routes every transition to the state of its phase, and that the clock table, the dashboard and
the console's labels say the same."""
from __future__ import annotations

from pathlib import Path

import pytest

from chalicelib.adapters.clock_table import ClockModel
from chalicelib.domain.cases.case import TRANSITIONS
from chalicelib.domain.cases.outcomes import PHASES as METRIC_PHASES
from chalicelib.domain.cases.phases import (
    BY_STATUS,
    PHASES,
    STATUTORY,
    STATUTORY_WORKING_DAYS,
    TIME_LIMIT_SETTINGS,
    TIMED,
    DeadlineKind,
    console_module,
)
from infra import dashboard
from infra.clock_definition import definition

ROOT = Path(__file__).resolve().parents[2]
ASL = definition()["States"]


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_every_transition_waits_in_the_one_state_or_ends_the_execution(action):
    """The clock waits in one state for every phase (``$.phase.kind``, written on the clock item); a move is one
    transition back into it, and the phases without a wait end the execution by a task failure it catches."""
    phase = BY_STATUS[TRANSITIONS[action].target]
    catches = {c["ErrorEquals"][0]: c["Next"] for c in ASL["Await"]["Catch"]}
    if phase.state is None:
        assert catches[{"closed": "CaseClosed", "withdrawn": "CaseWithdrawn"}[phase.key]] == phase.key.capitalize()
    else:
        assert ASL["Await"]["Next"] == "Await" and ASL["AwaitLate"]["Next"] == "Await"
        assert ASL["Await"]["Parameters"]["ExpressionAttributeValues"][":phase"] == {"S.$": "$.phase.kind"}


@pytest.mark.parametrize("phase", TIMED, ids=lambda p: p.key)
def test_a_timed_phase_times_out_is_marked_escalates_and_waits_on_late(phase):
    waiting = ASL["Await"]
    assert waiting["TimeoutSecondsPath"] == "$.phase.seconds_left"
    assert any(c["Next"] == "MarkOverdue" for c in waiting["Catch"])
    marked = ASL["MarkOverdue"]
    assert marked["Parameters"]["ExpressionAttributeNames"] == {
        "#overdue.$": "States.Format('{}_overdue_at', $.phase.kind)"}
    assert hasattr(ClockModel, f"{phase.key}_overdue_at")  # the clock table has the attribute the machine sets
    assert marked["Next"] == "Escalate" and ASL["Escalate"]["Next"] == "AwaitLate"
    assert "TimeoutSecondsPath" not in ASL["AwaitLate"]


def test_every_phase_the_clock_waits_in_is_timed_and_the_machine_has_no_routing_state():
    assert all(p.deadline is not None for p in PHASES if p.state is not None)
    assert not [name for name, state in ASL.items() if state["Type"] == "Choice"]


def test_the_statutory_limits_are_the_notice_s():
    assert STATUTORY_WORKING_DAYS == {DeadlineKind.PUSH: 3, DeadlineKind.REVIEW: 10, DeadlineKind.NOTIFY: 3}
    assert [(p.code, p.label) for p in STATUTORY] == [("D1", "推送时限"), ("D2", "审核时限"), ("D3", "告知时限")]
    assert all(p.statute and "民办发〔2021〕2号" in p.statute for p in STATUTORY)


def test_the_metrics_the_dashboard_and_the_console_name_the_phases_from_the_table():
    assert METRIC_PHASES == {p.deadline: p.code for p in TIMED}
    assert dashboard.PHASES == tuple(p.code for p in TIMED)
    assert [p.code for p in STATUTORY] == ["D1", "D2", "D3"]  # the statute's; D0 and DS are provinces' settings
    assert (ROOT / "console" / "js" / "phases.js").read_text(encoding="utf-8") == console_module(), \
        "run python -m chalicelib.domain.cases.phases"


def test_the_limits_no_statute_sets_are_a_province_setting_with_a_default():
    assert TIME_LIMIT_SETTINGS == {"materials_working_days": (DeadlineKind.MATERIALS, 10),
                                   "supplement_working_days": (DeadlineKind.SUPPLEMENT, 10)}
    assert [(p.code, p.label, p.owner, p.setting_of) for p in TIMED if p.setting] == [
        ("D0", "收件时限", "accepting", "accepting"), ("DS", "补正时限", "accepting", "business")]
