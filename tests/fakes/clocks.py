"""The clocks' stores in memory: the case clock's item per case and the holiday calendar's loaded years.

Each behaves as its DynamoDB adapter does for what the services use (tests/contract/test_clock_stores.py runs one
suite on both): a clock flagged pending is listed (in case order) until repaired, a repair counts the restart and
forgets the stale token; a year is stored once (``YearAlreadyLoaded``) and corrected only from the version read (the
same refusal), every replaced version kept with the correction's reason, who and when.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.adapters.calendar import YearSchedule
from chalicelib.adapters.clock_table import ClockState
from chalicelib.domain.cases.phases import DEADLINE_KINDS
from chalicelib.domain.refusals import YearAlreadyLoaded


@dataclass
class FakeClockItems:
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def machine_writes(self, case_id: str, **attributes: Any) -> None:
        """What the state machine writes (``infra/case_clock.asl.json``): ``task_token``, ``clock_phase``,
        ``late`` and ``<kind>_overdue_at``, each set on the case's item."""
        with self.lock:
            self.items.setdefault(case_id, {}).update(attributes)

    def get(self, case_id: str) -> ClockState | None:
        with self.lock:
            item = dict(self.items[case_id]) if case_id in self.items else None
        if item is None:
            return None
        marks = {kind: item.get(f"{kind}_overdue_at") for kind in DEADLINE_KINDS}
        return ClockState(case_id=case_id, task_token=item.get("task_token"), phase=item.get("clock_phase"),
                          late=bool(item.get("late")), overdue_at={kind: at for kind, at in marks.items() if at},
                          pending=item.get("pending") is not None, restarts=int(item.get("restarts") or 0))

    def mark_pending(self, case_id: str, reason: str, now: datetime) -> None:
        self.machine_writes(case_id, pending="yes", pending_reason=reason[:200], pending_since=now.isoformat())

    def restarting(self, case_id: str) -> None:
        with self.lock:
            item = self.items.setdefault(case_id, {})
            for name in ("task_token", "clock_phase"):
                item.pop(name, None)
            item["restarts"] = int(item.get("restarts") or 0) + 1

    def repaired(self, case_id: str) -> None:
        with self.lock:
            item = self.items.setdefault(case_id, {})
            for name in ("pending", "pending_reason", "pending_since"):
                item.pop(name, None)

    def pending_cases(self) -> list[str]:
        with self.lock:
            return sorted(case_id for case_id, item in self.items.items() if item.get("pending") is not None)


@dataclass
class FakeCalendarYears:
    years: dict[int, YearSchedule] = field(default_factory=dict)
    corrections: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # each version replaced, oldest first
    lock: threading.RLock = field(default_factory=threading.RLock)

    def get(self, year: int) -> YearSchedule | None:
        with self.lock:
            return self.years.get(year)

    def cached(self, year: int) -> YearSchedule | None:
        """Nothing cached here (the DynamoDB store caches a year a minute per container, dropped by its writes)."""
        return self.get(year)

    def forget(self) -> None:
        """Nothing cached here."""

    def add(self, schedule: YearSchedule) -> None:
        with self.lock:
            if schedule.year in self.years:
                raise YearAlreadyLoaded(schedule.year)
            self.years[schedule.year] = schedule

    def correct(self, loaded: YearSchedule, corrected: YearSchedule, reason: str) -> None:
        with self.lock:
            stored = self.years.get(corrected.year)
            if stored is None or stored.loaded_at != loaded.loaded_at:
                raise YearAlreadyLoaded(corrected.year)
            self.corrections.setdefault(corrected.year, []).append({
                "holidays": sorted(d.isoformat() for d in loaded.holidays),
                "workdays": sorted(d.isoformat() for d in loaded.workdays), "source": loaded.source,
                "loaded_by": loaded.loaded_by, "loaded_at": loaded.loaded_at, "reason": reason,
                "corrected_by": corrected.loaded_by, "corrected_at": corrected.loaded_at})
            self.years[corrected.year] = corrected
