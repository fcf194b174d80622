"""A province's time limits where no statute sets one: the acceptance phase (收件时限) and a 补正 (补正时限).

民办发〔2021〕2号 (seed 黑民发〔2021〕6号 四(一)) counts D1 from the day the materials are complete and pauses nothing by
law; how long an application may wait for its materials, and how long a 补正 may stay out while D2 is paused, it does
not say. Each is a province's setting from a day on (``PUT /rules/{province}/time-limits/{effective_from}``), with this
project's default where the province set none (the phase table's ``working_days``). The acceptance limit is the 受理地
province's (its windows gather the materials), the 补正 limit the 业务属地 province's (its reviewer asks for it).

Implements: no statute — a rule of this project (docs/decisions.md 2026-12-06), within 民办发〔2021〕2号's clocks.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..cases.phases import TIME_LIMIT_SETTINGS, DeadlineKind
from ..errors import Invalid

MAX_WORKING_DAYS = 60


def read_time_limits(body: object) -> dict[str, int]:
    """{materials_working_days, supplement_working_days}: whole working days, 1 to 60; either may be left out (the
    default stays)."""
    if not isinstance(body, dict):
        raise Invalid("WRONG_TYPE", f"the body must be an object {{{', '.join(TIME_LIMIT_SETTINGS)}}}", "body")
    unknown = sorted(set(body) - set(TIME_LIMIT_SETTINGS))
    if unknown:
        raise Invalid("UNKNOWN_FIELD", f"{unknown[0]!r} is not one of {', '.join(TIME_LIMIT_SETTINGS)}", unknown[0])
    if not body:
        raise Invalid("MISSING_FIELD", f"set at least one of {', '.join(TIME_LIMIT_SETTINGS)}", "body")
    limits: dict[str, int] = {}
    for key, value in body.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid("WRONG_TYPE", f"{key} must be a whole number of working days", key)
        if not 1 <= value <= MAX_WORKING_DAYS:
            raise Invalid("OUT_OF_RANGE", f"{key} must be 1 to {MAX_WORKING_DAYS} working days", key)
        limits[key] = value
    return limits


def limits_from(setting: Mapping[str, Any] | None) -> dict[DeadlineKind, int]:
    """The working days of each deadline the setting changes (a stored setting, read again); {} for none."""
    read = read_time_limits(dict(setting)) if setting else {}
    return {TIME_LIMIT_SETTINGS[key][0]: days for key, days in read.items()}


def limits_view(setting: Mapping[str, Any] | None) -> dict[str, int]:
    """Every setting with the value in force: the province's, else the default."""
    read = read_time_limits(dict(setting)) if setting else {}
    return {key: read.get(key, default) for key, (_, default) in TIME_LIMIT_SETTINGS.items()}
