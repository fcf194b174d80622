"""Keeping the case clock (one Step Functions execution per case) in step with the case.

The case in DynamoDB is the truth; the clock follows it. A clock that cannot be reached never
undoes a case change: the case is flagged pending on its clock item, and ``repair`` (run by the
daily sweep, or at once after a calendar load) restarts the execution at the right phase.

The execution runs while the case is in a clocked phase (``phases.OFF_CLOCK``): it starts when the case enters
the first (at 受理 when data comparison waived every material, else when the materials are complete) and ends when
the case is closed or withdrawn. The 收件时限 before it is the daily sweep's alone.
"""
from __future__ import annotations

import logging
import math
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import TYPE_CHECKING, Any, Protocol

from msgspec import Struct

from ..domain.cases.case import CLOCK_PHASE, Case
from ..domain.cases.phases import FINAL_PHASES, NO_TIMEOUT, OFF_CLOCK
from ..domain.refusals import ClockUnavailable
from .calendar import DeadlineService

if TYPE_CHECKING:  # the stores' types only: no AWS library is imported by a service
    from ..adapters.clock import CaseClock
    from ..adapters.clock_table import ClockState

log = logging.getLogger(__name__)
POLL_SECONDS = 0.05
POLL_TRIES = 40  # the machine stores its new token within milliseconds; wait up to 2 s


class Clock(Protocol):
    def started(self, case: Case, now: datetime) -> bool: ...
    def moved(self, before: Case, after: Case, now: datetime) -> bool: ...
    def describe(self, case: Case) -> dict[str, Any] | None: ...
    def pending_cases(self) -> list[str]: ...
    def in_step(self, case: Case) -> bool: ...
    def repair(self, case: Case, now: datetime) -> str: ...


class ClockStore(Protocol):
    """``adapters.clock_table.ClockItems`` (the state machine writes the token, phase and overdue marks), or the
    in-memory one of the tests (tests/fakes/clocks.py)."""

    def get(self, case_id: str) -> ClockState | None: ...
    def mark_pending(self, case_id: str, reason: str, now: datetime) -> None: ...
    def restarting(self, case_id: str) -> None: ...
    def repaired(self, case_id: str) -> None: ...
    def pending_cases(self) -> list[str]: ...


class ClockService(Struct, frozen=True):
    clock: CaseClock
    items: ClockStore
    deadlines: DeadlineService
    seconds_per_working_day: float | None = None

    def phase(self, case: Case, now: datetime) -> dict[str, Any]:
        """The state-machine input for where ``case`` stands now."""
        kind = CLOCK_PHASE[case.status]
        phase: dict[str, Any] = {"kind": kind, "late": False, "case_id": case.case_id,
                                 "accepting_unit": case.accepting_unit, "business_unit": case.business_unit}
        deadline = case.open_deadline()
        if deadline is not None:
            phase["due_on"] = deadline.due_on.isoformat()
            phase["late"] = now.date() > deadline.due_on
            # entered after its deadline (marked and escalated once already): wait without a timeout
            phase["seconds_left"] = NO_TIMEOUT if phase["late"] else self.seconds_left(deadline.due_on, now)
        else:
            phase["seconds_left"] = NO_TIMEOUT
        return phase

    def seconds_left(self, due_on: Any, now: datetime) -> int:
        """Seconds until the end of the due day (Asia/Shanghai), or scaled working days locally."""
        if self.seconds_per_working_day:
            left = self.deadlines.count(now.date(), due_on) if now.date() < due_on else 0
            return max(1, math.ceil((left + 1) * self.seconds_per_working_day))
        end = datetime.combine(due_on + timedelta(days=1), clock_time(0), tzinfo=now.tzinfo)
        return max(1, int((end - now).total_seconds()))

    def execution_name(self, case_id: str, state: ClockState | None) -> str:
        restarts = state.restarts if state else 0
        return case_id if restarts == 0 else f"{case_id}-r{restarts}"

    def started(self, case: Case, now: datetime) -> bool:
        """Start the case's execution if its phase is clocked; False (and pending) if that failed."""
        if CLOCK_PHASE[case.status] in OFF_CLOCK:
            return True  # nothing runs before the first clocked phase
        try:
            state = self.items.get(case.case_id)
        except ClockUnavailable as error:
            self._pending(case.case_id, f"start: {error}", now)
            return False
        return self._start(case, now, state)

    def _start(self, case: Case, now: datetime, state: ClockState | None) -> bool:
        """Start the execution (named for the restarts of ``state``: a case repaired while off the clock counts
        them); False (and pending) if that failed."""
        if CLOCK_PHASE[case.status] in OFF_CLOCK:
            return True
        try:
            self.clock.start(self.execution_name(case.case_id, state), case.case_id, self.phase(case, now),
                             state.restarts if state else 0)
            return True
        except ClockUnavailable as error:
            self._pending(case.case_id, f"start: {error}", now)
            return False

    def moved(self, before: Case, after: Case, now: datetime) -> bool:
        """Release the task waiting in ``before``'s phase (or, from a phase off the clock, start the execution);
        False (and pending) if that failed."""
        expected = CLOCK_PHASE[before.status]
        if expected in OFF_CLOCK:
            try:
                state = self.items.get(after.case_id)
            except ClockUnavailable as error:
                self._pending(after.case_id, f"{expected}->{CLOCK_PHASE[after.status]}: {error}", now)
                return False
            if state is None or state.phase != expected or not state.task_token:  # none waits there (one may, started
                return self._start(after, now, state)  # before the phase left the clock: it is moved on below)
        try:
            state = self._wait_for_phase(after.case_id, expected)
            if state is None or state.task_token is None:
                raise ClockUnavailable(f"the clock is not waiting in phase {expected}")
            if CLOCK_PHASE[after.status] in FINAL_PHASES:  # told (closed) or withdrawn: the execution ends
                self.clock.end(state.task_token, CLOCK_PHASE[after.status])
            else:
                self.clock.advance(state.task_token, self.phase(after, now))
            return True
        except ClockUnavailable as error:
            self._pending(after.case_id, f"{expected}->{CLOCK_PHASE[after.status]}: {error}", now)
            return False

    def _wait_for_phase(self, case_id: str, phase: str) -> ClockState | None:
        state = None
        for _ in range(POLL_TRIES):
            state = self.items.get(case_id)
            if state is not None and state.phase == phase and state.task_token:
                return state
            time.sleep(POLL_SECONDS)
        return state

    def _pending(self, case_id: str, reason: str, now: datetime) -> None:
        log.warning("case clock %s pending repair: %s", case_id, reason, extra={"case_id": case_id})
        self.items.mark_pending(case_id, reason, now)

    def repair(self, case: Case, now: datetime) -> str:
        """Put the clock back in step: stop whatever runs, start afresh at the case's phase. The repair flag is
        cleared last: a failure on the way leaves the clock flagged, and the next run repairs it again."""
        state = self.items.get(case.case_id)
        current = self.execution_name(case.case_id, state)
        if self.clock.status(current) == "RUNNING":
            self.clock.stop(current, "restarted by the sweep to match the case")
        self.items.restarting(case.case_id)
        final = CLOCK_PHASE[case.status] in OFF_CLOCK  # closed, withdrawn, or not started yet
        if not final:
            restarted = self.items.get(case.case_id)
            self.clock.start(self.execution_name(case.case_id, restarted), case.case_id, self.phase(case, now),
                             restarted.restarts if restarted else 0)
        self.items.repaired(case.case_id)
        return "stopped" if final else "restarted"

    def in_step(self, case: Case) -> bool:
        """Whether the case's execution runs (or has ended, for a final case) and is not pending."""
        state = self.items.get(case.case_id)
        if state is not None and state.pending:
            return False
        status = self.clock.status(self.execution_name(case.case_id, state))
        if CLOCK_PHASE[case.status] in OFF_CLOCK:
            return status != "RUNNING"
        return status == "RUNNING"

    def pending_cases(self) -> list[str]:
        return self.items.pending_cases()

    def describe(self, case: Case) -> dict[str, Any] | None:
        """Where the case's clock stands; None before it started. Once the case is closed or withdrawn the phase is
        the case's: the execution ends there and writes no phase of its own (its item keeps the last one waited in,
        with that phase's overdue marks)."""
        state = self.items.get(case.case_id)
        if state is None:
            return None
        phase = CLOCK_PHASE[case.status]
        return {"phase": phase if phase in FINAL_PHASES else state.phase, "late": state.late,
                "overdue_at": state.overdue_at, "pending_repair": state.pending}
