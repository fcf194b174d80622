"""DynamoDB: holiday schedules an admin loaded from the 国务院办公厅 notice, one item a year."""
from __future__ import annotations

import json
import time
from datetime import date
from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.models import Model

from ..config import table_name
from ..domain.refusals import YearAlreadyLoaded
from .calendar import YearSchedule
from .dynamo import OnDemand, error_code


class CalendarYearModel(Model):
    """A year's holiday schedule loaded by an admin from the 国务院办公厅 notice."""

    class Meta(OnDemand):
        table_name = table_name("calendar-years")

    year = NumberAttribute(hash_key=True)
    holidays = ListAttribute(of=UnicodeAttribute, default=list)
    workdays = ListAttribute(of=UnicodeAttribute, default=list)
    source = UnicodeAttribute()
    loaded_by = UnicodeAttribute()
    loaded_at = UnicodeAttribute()
    # 纠错: each version a correction replaced, with the correction's reason, who and when (JSON, oldest first)
    corrections = ListAttribute(of=UnicodeAttribute, default=list)


def _schedule(item: CalendarYearModel) -> YearSchedule:
    return YearSchedule(
        year=int(item.year),
        holidays=frozenset(date.fromisoformat(str(d)) for d in item.holidays or []),
        workdays=frozenset(date.fromisoformat(str(d)) for d in item.workdays or []),
        source=item.source, loaded_by=item.loaded_by, loaded_at=item.loaded_at,
    )


class CalendarYears:
    """Loaded years; ``cached`` serves the working-day count with a short per-container cache."""

    CACHE_SECONDS = 60.0

    def __init__(self) -> None:
        self._cache: dict[int, tuple[float, YearSchedule | None]] = {}

    def cached(self, year: int) -> YearSchedule | None:
        hit = self._cache.get(year)
        if hit is not None and time.monotonic() - hit[0] < self.CACHE_SECONDS:
            return hit[1]
        schedule = self.get(year)
        self._cache[year] = (time.monotonic(), schedule)
        return schedule

    def forget(self) -> None:
        """Drop the cache (tests, and after a restore of the table)."""
        self._cache.clear()

    def get(self, year: int) -> YearSchedule | None:
        try:
            return _schedule(CalendarYearModel.get(year, consistent_read=True))
        except DoesNotExist:
            return None

    def correct(self, loaded: YearSchedule, corrected: YearSchedule, reason: str) -> None:
        """Replace a loaded year, keeping the version it replaces; YearAlreadyLoaded when the stored year is no
        longer ``loaded`` (someone corrected it meanwhile)."""
        replaced = json.dumps({"holidays": sorted(d.isoformat() for d in loaded.holidays),
                               "workdays": sorted(d.isoformat() for d in loaded.workdays), "source": loaded.source,
                               "loaded_by": loaded.loaded_by, "loaded_at": loaded.loaded_at, "reason": reason,
                               "corrected_by": corrected.loaded_by, "corrected_at": corrected.loaded_at},
                              ensure_ascii=False)
        self._cache.pop(corrected.year, None)
        holidays: Any = sorted(d.isoformat() for d in corrected.holidays)
        workdays: Any = sorted(d.isoformat() for d in corrected.workdays)
        try:
            CalendarYearModel(corrected.year).update(actions=[
                CalendarYearModel.holidays.set(holidays),
                CalendarYearModel.workdays.set(workdays),
                CalendarYearModel.source.set(corrected.source),
                CalendarYearModel.loaded_by.set(corrected.loaded_by),
                CalendarYearModel.loaded_at.set(corrected.loaded_at),
                CalendarYearModel.corrections.set((CalendarYearModel.corrections | []).append([replaced])),
            ], condition=CalendarYearModel.loaded_at == loaded.loaded_at)
        except UpdateError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise YearAlreadyLoaded(corrected.year) from error
            raise

    def add(self, schedule: YearSchedule) -> None:
        """Store a year once; a second load of the same year is refused, never overwritten."""
        item = CalendarYearModel(
            schedule.year,
            holidays=sorted(d.isoformat() for d in schedule.holidays),
            workdays=sorted(d.isoformat() for d in schedule.workdays),
            source=schedule.source, loaded_by=schedule.loaded_by, loaded_at=schedule.loaded_at,
        )
        self._cache.pop(schedule.year, None)
        try:
            item.save(condition=CalendarYearModel.year.does_not_exist())
        except PutError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise YearAlreadyLoaded(schedule.year) from error
            raise
