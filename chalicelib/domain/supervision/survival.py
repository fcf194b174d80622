"""生存验证: a record of each verification that a recipient is alive — its method, day, result and who made it.

A check is a line of the entitlement's history (kind ``survival_check``) that changes nothing in force: a result other
than alive is for the 业务属地 to act on (a stop is its own decision, or a data comparison's or a 个人主动申报's
proposal), never a stop by itself.

Implements: the dynamic check of survival and the 定期复核 by home visits (DOMAIN.md §3; 民发〔2022〕79号); the record's
fields are an engineering rule.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from msgspec import Struct
from msgspec.structs import replace

from ..errors import Invalid, Malformed
from ..payments.entitlements import SURVIVAL_CHECK, Change, Entitlement
from ..values import parse_day

METHODS: Mapping[str, str] = {"face": "人脸识别", "home_visit": "入户走访", "phone": "电话核实"}
RESULTS: Mapping[str, str] = {"alive": "在世", "deceased": "已死亡", "not_verified": "未能核实"}
NOTE_MAX = 500


class SurvivalCheck(Struct, frozen=True):
    method: str
    on: date
    result: str
    note: str

    def as_dict(self, unit: str) -> dict[str, Any]:
        return {"method": self.method, "on": self.on.isoformat(), "result": self.result, "note": self.note,
                "unit": unit}


def read_check(body: object, today: date) -> SurvivalCheck:
    """``{method, on, result, note?}``; a note is required unless the person was found alive."""
    if not isinstance(body, dict):
        raise Malformed("WRONG_TYPE", "the body must be an object {method, on, result, note}", "body")
    method, result, note = body.get("method"), body.get("result"), body.get("note")
    if method not in METHODS:
        raise Invalid("UNKNOWN_METHOD", f"method must be one of {', '.join(METHODS)}", "method")
    on = parse_day(body.get("on"), "on")
    if on > today:
        raise Invalid("DATE_IN_FUTURE", "a check is recorded once made: on is not after today", "on")
    if result not in RESULTS:
        raise Invalid("UNKNOWN_RESULT", f"result must be one of {', '.join(RESULTS)}", "result")
    if note is not None and not isinstance(note, str):
        raise Malformed("WRONG_TYPE", "note is text", "note")
    note = (note or "").strip()
    if result != "alive" and not note:
        raise Invalid("MISSING_FIELD", "say what was found", "note")
    if len(note) > NOTE_MAX:
        raise Invalid("TOO_LONG", f"note is at most {NOTE_MAX} characters", "note")
    return SurvivalCheck(str(method), on, str(result), note)


def record_check(ent: Entitlement, check: SurvivalCheck, unit: str, by: str, at: str) -> Entitlement:
    """The entitlement with the check as a line of its history; the same check by the same person again changes
    nothing (a form sent twice)."""
    shown = check.as_dict(unit)
    if any(c.kind == SURVIVAL_CHECK and c.by == by and dict(c.check or {}) == shown for c in ent.history):
        return ent
    reason = f"生存验证（{METHODS[check.method]}）：{RESULTS[check.result]}" + (f"；{check.note}" if check.note else "")
    line = Change(SURVIVAL_CHECK, max(f"{check.on:%Y-%m}", ent.start_month), reason, by, at, check=shown)
    return replace(ent, history=ent.history + (line,))
