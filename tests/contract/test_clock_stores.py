"""One contract, two implementations: the clocks' stores on moto (adapters/clock_table.py, calendar_table.py) and in
memory (tests/fakes/clocks.py). What the clock service and the calendar service rely on: the state machine's marks
read back as a ``ClockState``, a clock flagged pending listed (in case order) until repaired, a restart dropping the
stale token and phase and counted while the flag stays (cleared only once the new execution started); a year stored once, a correction conditional on the version read (both refused as ``YearAlreadyLoaded``),
each replaced version kept with its reason, who and when; and the calendar service answering alike on both."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from msgspec.structs import replace

from chalicelib.adapters.calendar import YearSchedule
from chalicelib.adapters.calendar_table import CalendarYearModel, CalendarYears
from chalicelib.adapters.clock_table import ClockItems, ClockModel, ClockState
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.refusals import YearAlreadyLoaded
from chalicelib.services import calendar
from tests.contract.conftest import emptied
from tests.fakes.clocks import FakeCalendarYears, FakeClockItems

NOW = datetime.fromisoformat("2026-12-02T09:00:00+08:00")
LATER = datetime.fromisoformat("2026-12-03T09:00:00+08:00")
YEAR_2027 = {"holidays": ["2027-01-01", "2027-01-02", "2027-01-03"], "workdays": ["2027-01-09"],
             "source": "测试用 2027 年节假日安排"}  # made up for the tests


@dataclass
class Stores:
    clocks: Any
    years: Any

    def machine_writes(self, case_id: str, **attributes: Any) -> None:
        """What the state machine's UpdateItem writes on the case's clock item."""
        if isinstance(self.clocks, FakeClockItems):
            self.clocks.machine_writes(case_id, **attributes)
            return
        ClockModel(case_id).update(actions=[getattr(ClockModel, name).set(value) for name, value in attributes.items()])

    def corrections(self, year: int) -> list[dict[str, Any]]:
        """The versions a year's corrections replaced, oldest first (kept on the item; no route reads them)."""
        if isinstance(self.years, FakeCalendarYears):
            return list(self.years.corrections.get(year, []))
        return [json.loads(v) for v in CalendarYearModel.get(year).corrections or []]


@pytest.fixture()
def stores(backend: str) -> Stores:
    if backend == "fake":
        return Stores(FakeClockItems(), FakeCalendarYears())
    emptied(ClockModel, CalendarYearModel)  # each test on empty tables
    return Stores(ClockItems(), CalendarYears())


# --- the case clock's items ------------------------------------------------------------------------------------

def test_the_state_machine_s_marks_read_back_as_the_clock_s_state(stores):
    assert stores.clocks.get("C1") is None
    stores.machine_writes("C1", task_token="token-1", clock_phase="push")
    assert stores.clocks.get("C1") == ClockState("C1", "token-1", "push", False, {}, False, 0)
    stores.machine_writes("C1", late=True, push_overdue_at="2026-10-13T00:00:00+08:00")
    stores.machine_writes("C1", task_token="token-2", clock_phase="review")
    assert stores.clocks.get("C1") == ClockState("C1", "token-2", "review", True,
                                                 {"push": "2026-10-13T00:00:00+08:00"}, False, 0)


def test_a_clock_flagged_pending_is_listed_in_case_order_until_repaired_and_each_restart_is_counted(stores):
    stores.machine_writes("C2", task_token="token-2", clock_phase="push", late=True,
                          review_overdue_at="2026-10-23T00:00:00+08:00")
    stores.clocks.mark_pending("C2", "push->review: " + "x" * 300, NOW)
    stores.clocks.mark_pending("C1", "start: unreachable", NOW)  # a clock that never started has no item yet
    stores.machine_writes("C3", task_token="token-3", clock_phase="review")
    assert stores.clocks.pending_cases() == ["C1", "C2"]
    assert stores.clocks.get("C1") == ClockState("C1", None, None, False, {}, True, 0)
    flagged = stores.clocks.get("C2")
    assert (flagged.pending, flagged.task_token, flagged.overdue_at) == (True, "token-2",
                                                                        {"review": "2026-10-23T00:00:00+08:00"})
    stores.clocks.restarting("C2")
    assert stores.clocks.get("C2") == ClockState("C2", None, None, True, {"review": "2026-10-23T00:00:00+08:00"},
                                                 True, 1)
    assert stores.clocks.pending_cases() == ["C1", "C2"]  # flagged until the new execution started
    stores.clocks.repaired("C2")
    assert stores.clocks.get("C2") == ClockState("C2", None, None, True, {"review": "2026-10-23T00:00:00+08:00"},
                                                 False, 1)
    assert stores.clocks.pending_cases() == ["C1"]
    stores.clocks.mark_pending("C2", "again", LATER)
    for case_id in ("C2", "C1"):
        stores.clocks.restarting(case_id)
        stores.clocks.repaired(case_id)
    assert (stores.clocks.get("C2").restarts, stores.clocks.get("C1").restarts) == (2, 1)
    assert stores.clocks.pending_cases() == []


# --- the holiday calendar's years --------------------------------------------------------------------------------

def schedule(holidays: list[str], workdays: list[str], source: str, by: str, at: datetime) -> YearSchedule:
    return YearSchedule(2027, frozenset(date.fromisoformat(d) for d in holidays),
                        frozenset(date.fromisoformat(d) for d in workdays), source, by, at.isoformat())


def test_a_year_is_stored_once_and_read_back_whole(stores):
    assert stores.years.get(2027) is None and stores.years.cached(2027) is None
    loaded = schedule(YEAR_2027["holidays"], YEAR_2027["workdays"], YEAR_2027["source"], "admin-00", NOW)
    stores.years.add(loaded)
    assert stores.years.get(2027) == loaded and stores.years.cached(2027) == loaded  # a write drops the cache
    with pytest.raises(YearAlreadyLoaded):
        stores.years.add(replace(loaded, source="another", loaded_at=LATER.isoformat()))
    assert stores.years.get(2027) == loaded and stores.years.get(2028) is None


def test_a_correction_replaces_the_version_read_keeps_it_and_refuses_a_stale_one(stores):
    loaded = schedule(YEAR_2027["holidays"], YEAR_2027["workdays"], YEAR_2027["source"], "admin-00", NOW)
    stores.years.add(loaded)
    stores.years.cached(2027)
    corrected = schedule([*YEAR_2027["holidays"], "2027-01-04"], [], "国办发明电〔2026〕更正", "admin-00b", LATER)
    stores.years.correct(loaded, corrected, "通知更正：1月4日放假，1月9日不再调休")
    assert stores.years.get(2027) == corrected and stores.years.cached(2027) == corrected
    again = replace(corrected, source="再次更正", loaded_at="2026-12-04T09:00:00+08:00")
    with pytest.raises(YearAlreadyLoaded):
        stores.years.correct(loaded, again, "from the first version read: someone corrected it meanwhile")
    with pytest.raises(YearAlreadyLoaded):
        stores.years.correct(replace(loaded, year=2028), replace(again, year=2028), "never loaded")
    stores.years.correct(corrected, again, "再次更正")
    assert stores.corrections(2027) == [
        {"holidays": YEAR_2027["holidays"], "workdays": ["2027-01-09"], "source": YEAR_2027["source"],
         "loaded_by": "admin-00", "loaded_at": NOW.isoformat(), "reason": "通知更正：1月4日放假，1月9日不再调休",
         "corrected_by": "admin-00b", "corrected_at": LATER.isoformat()},
        {"holidays": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"], "workdays": [],
         "source": "国办发明电〔2026〕更正", "loaded_by": "admin-00b", "loaded_at": LATER.isoformat(),
         "reason": "再次更正", "corrected_by": "admin-00b", "corrected_at": "2026-12-04T09:00:00+08:00"}]
    assert stores.years.get(2027) == again


def test_the_calendar_service_answers_alike_on_both_stores(stores):
    with pytest.raises(NotFound) as missing:
        calendar.read_year(stores.years, "2027")
    assert missing.value.code == "CALENDAR_YEAR_MISSING"
    assert calendar.read_year(stores.years, "2026")["origin"] == "library"
    view, stored = calendar.load_year(stores.years, "2027", YEAR_2027, "admin-00", NOW)
    assert stored and view["origin"] == "loaded"
    assert calendar.load_year(stores.years, "2027", YEAR_2027, "admin-00", LATER)[1] is False  # identical
    with pytest.raises(Conflict) as conflict:
        calendar.load_year(stores.years, "2027", dict(YEAR_2027, holidays=["2027-01-01", "2027-01-04"]), "a", LATER)
    assert conflict.value.code == "CALENDAR_CONFLICT"
    with pytest.raises(Conflict) as unchanged:
        calendar.correct_year(stores.years, "2027", dict(YEAR_2027, reason="核对"), "admin-00", LATER)
    assert unchanged.value.code == "CALENDAR_UNCHANGED"
    corrected = calendar.correct_year(stores.years, "2027", dict(YEAR_2027, workdays=[], reason="不再调休"),
                                      "admin-00", LATER)
    assert corrected["changed_days"] == ["2027-01-09"]
    shown = calendar.read_year(stores.years, "2027")
    assert (shown["workdays"], shown["loaded_at"]) == ([], LATER.isoformat())
    assert [c["reason"] for c in stores.corrections(2027)] == ["不再调休"]
    with pytest.raises(NotFound) as never:
        calendar.correct_year(stores.years, "2028", {"holidays": ["2028-01-01"], "workdays": [], "source": "x",
                                                      "reason": "x"}, "admin-00", LATER)
    assert never.value.code == "CALENDAR_YEAR_NOT_LOADED"
