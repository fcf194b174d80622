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


def routed(state_name: str, kind: str, late: bool = False) -> str:
    """Where a Choice state sends ``$.phase.kind`` = ``kind``."""
    for choice in ASL[state_name]["Choices"]:
        if "And" in choice:
            conditions = {c["Variable"]: c.get("StringEquals", c.get("BooleanEquals")) for c in choice["And"]}
            if conditions == {"$.phase.kind": kind, "$.phase.late": True} and late:
                return str(choice["Next"])
        elif choice["StringEquals"] == kind and not late:
            return str(choice["Next"])
    return str(ASL[state_name]["Default"])


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_the_clock_routes_every_transition_to_the_state_of_its_target_phase(action):
    phase = BY_STATUS[TRANSITIONS[action].target]
    target = routed("Route", phase.key)
    if phase.state is None:
        assert target == "Closed"  # withdrawal ends the execution by a task failure before it routes
    elif phase.key == "notify":
        assert target == "PublishResult" and ASL["PublishResult"]["Next"] == "AwaitNotify"
    else:
        assert target == f"Await{phase.state}"
    if phase.state is not None:
        assert routed("Resume", phase.key) == f"Await{phase.state}"  # a repaired clock waits where the case is


@pytest.mark.parametrize("phase", TIMED, ids=lambda p: p.key)
def test_a_timed_phase_times_out_is_marked_escalates_and_waits_on_late(phase):
    waiting = ASL[f"Await{phase.state}"]
    assert waiting["TimeoutSecondsPath"] == "$.phase.seconds_left"
    assert any(c["Next"] == f"Mark{phase.state}Overdue" for c in waiting["Catch"])
    marked = ASL[f"Mark{phase.state}Overdue"]
    assert marked["Parameters"]["ExpressionAttributeNames"] == {"#overdue": f"{phase.key}_overdue_at"}
    assert hasattr(ClockModel, f"{phase.key}_overdue_at")  # the clock table has the attribute the machine sets
    assert marked["Next"] == f"Escalate{phase.state}" and ASL[f"Escalate{phase.state}"]["Next"] == f"Await{phase.state}Late"
    assert routed("Route", phase.key, late=True) == f"Await{phase.state}Late"


def test_every_phase_the_clock_waits_in_has_its_state_and_no_other_wait_exists():
    waits = {name for name, state in ASL.items() if name.startswith("Await") and not name.endswith("Late")}
    assert waits == {f"Await{p.state}" for p in PHASES if p.state is not None}


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
