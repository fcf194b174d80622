"""What a case change means for its statutory deadlines, as facts for the operators' metrics.

Pure: the facts come from comparing a case before and after a change, or from the running
deadlines the daily sweep read. The emitter (``chalicelib.observability``) turns them into metrics
and log lines; nothing here knows about either.

Phases are named as the operators' dashboard names them: D1 push (3 working days), D2 decision
(资格认定, 10), D3 notification (告知, 3).

A deadline is *met* when its step is done on or before its due day. It is *missed* once per case
and deadline: when the daily sweep first records it passed (``overdue_recorded_on`` goes from
empty to a day), or when the step is done late before any sweep recorded it. A step done late
after the sweep recorded the miss counts nothing more.

Implements: the D1/D2/D3 limits of 民办发〔2021〕2号 (DOMAIN.md §2, steps 2, 3 and 5), as domain.phases holds them;
what counts as met or missed for the metrics is no statute: an engineering rule for the operators.
"""
from __future__ import annotations

from datetime import date
from typing import Mapping

from msgspec import Struct

from .case import Case, Deadline, DeadlineKind
from .phases import BY_DEADLINE

PHASES: Mapping[DeadlineKind, str] = {kind: str(phase.code) for kind, phase in BY_DEADLINE.items()}
RUNNING = ("open", "paused")


class DeadlineFact(Struct, frozen=True):
    """One deadline's outcome: ``met`` | ``missed`` (closed or first recorded late) | ``overdue``
    (still running past its due day, as the sweep saw it)."""

    case_id: str
    phase: str
    outcome: str
    unit: str  # the unit that owes the step: the 受理地 for D1 and D3, the 业务属地 for D2
    due_on: date


def responsible_unit(case: Case, kind: DeadlineKind) -> str:
    return case.business_unit if BY_DEADLINE[kind].owner == "business" else case.accepting_unit


def _fact(case: Case, deadline: Deadline, outcome: str) -> DeadlineFact:
    return DeadlineFact(case.case_id, PHASES[deadline.kind], outcome, responsible_unit(case, deadline.kind),
                        deadline.due_on)


def deadline_outcomes(before: Case, after: Case) -> list[DeadlineFact]:
    """The deadlines ``after`` met or missed that ``before`` had not (deadlines keep their order:
    a change only closes, pauses or resumes those it finds and appends the one it starts)."""
    facts: list[DeadlineFact] = []
    for old, new in zip(before.deadlines, after.deadlines, strict=False):  # after may have one more
        if old.kind != new.kind:  # not the same deadline: nothing to compare
            continue
        if old.state in RUNNING and new.state == "met":
            facts.append(_fact(after, new, "met"))
        elif old.overdue_recorded_on is None and (
            new.overdue_recorded_on is not None or (old.state in RUNNING and new.state == "overdue")
        ):
            facts.append(_fact(after, new, "missed"))
    return facts


class Census(Struct, frozen=True):
    """The running deadlines on the day of a sweep, per phase: how many run, how many are past due,
    and one fact per deadline past due."""

    running: Mapping[str, int]
    overdue: Mapping[str, int]
    overdue_cases: tuple[DeadlineFact, ...]


def census(running: Mapping[str, int], overdue: list[Case]) -> Census:
    """``running``: deadline kind (push, review, notify) → count; ``overdue``: the cases whose running
    deadline fell due before the sweep's day."""
    facts = tuple(_fact(case, deadline, "overdue") for case in overdue
                  if (deadline := case.open_deadline()) is not None)
    by_kind = {PHASES[kind]: int(running.get(kind.value, 0)) for kind in PHASES}
    late = {phase: sum(1 for fact in facts if fact.phase == phase) for phase in PHASES.values()}
    return Census(by_kind, late, facts)
