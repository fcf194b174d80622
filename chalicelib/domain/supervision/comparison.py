"""Monthly data comparison (每月开展一次补贴数据比对): authoritative files against recipients.

Operators load files from public security, civil affairs and the DPF; each row that matches a
recipient becomes a *proposal* to stop or suspend, with the effective month of the province's rule
(DOMAIN.md §3: configurable per province, never hard-coded). Nothing stops without a person
confirming the proposal (应退则退, with the reason kept).

Implements: the monthly data comparison and dynamic checks of DOMAIN.md §3 (黑民发〔2021〕6号 四(三); 民发〔2022〕79号):
death, 户籍 moved out, leaving 低保 (ends the living subsidy), certificate cancelled or expired, imprisonment, the
effective month configurable per province; 特困供养 excludes both subsidies (国发〔2015〕52号, DOMAIN.md §1).
"""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Iterable, Mapping

from msgspec import Struct

from ..errors import Invalid
from ..payments.entitlements import Entitlement
from ..persons import person_key
from ..values import day_or_none

# kind -> (action, which subsidies it affects, what it means)
KINDS: Mapping[str, tuple[str, tuple[str, ...], str]] = {
    "deaths": ("stop", ("living", "nursing"), "死亡 (death)"),
    "hukou_moves": ("stop", ("living", "nursing"), "户籍迁出 (household registration moved out)"),
    "dibao_exits": ("stop", ("living",), "退出低保 (left 低保: the living subsidy ends)"),
    "tekun_entries": ("stop", ("living", "nursing"), "纳入特困供养 (特困 excludes both subsidies)"),
    "certificate_cancellations": ("stop", ("living", "nursing"), "残疾人证注销 (certificate cancelled)"),
    "certificate_expiries": ("stop", ("living", "nursing"), "残疾人证过期 (certificate expired)"),
    "imprisonments": ("suspend", ("living", "nursing"), "服刑 (imprisonment: paused while serving)"),
}
# National default: every change takes effect from the month after the event the file reports (its
# event_date); provinces differ (e.g. from the event's own month), so this is only the fallback.
DEFAULT_OFFSETS: Mapping[str, int] = {kind: 1 for kind in KINDS}


class Row(Struct, frozen=True):
    line: int
    person_key: str
    event_date: date


class ParsedFile(Struct, frozen=True):
    rows: list[Row]
    errors: list[str]


def parse_file(kind: str, text: str, secret: bytes) -> ParsedFile:
    """CSV with header ``id_number,event_date`` (more columns are ignored). Bad rows are reported by
    line number and never echo the ID number; the number itself is replaced by its keyed hash."""
    if kind not in KINDS:
        raise Invalid("UNKNOWN_COMPARISON", f"kind must be one of {sorted(KINDS)}", "kind")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = {name.strip().lower() for name in reader.fieldnames or []}
    if not {"id_number", "event_date"} <= header:
        raise Invalid("COMPARISON_HEADER", "the file needs the columns id_number and event_date", "key")
    rows, errors = [], []
    for line, raw in enumerate(reader, start=2):
        record = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        when = day_or_none(record.get("event_date"))
        if when is None:
            errors.append(f"line {line}: event_date is not YYYY-MM-DD")
            continue
        try:
            key = person_key(record.get("id_number", ""), secret)
        except Invalid:
            errors.append(f"line {line}: id_number is not an 18-character 公民身份号码")
            continue
        rows.append(Row(line, key, when))
    return ParsedFile(rows, errors)


def effective_month(kind: str, offsets: Mapping[str, int], event_month: str) -> str:
    """The month the stop or suspension takes effect: the province's rule applied to the event's month."""
    offset = offsets.get(kind, DEFAULT_OFFSETS[kind])
    year, month = int(event_month[:4]), int(event_month[5:7]) + offset
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return f"{year:04d}-{month:02d}"


def proposes(ent: Entitlement, action: str, subsidies: Iterable[str], effective: str) -> bool:
    """Whether a reported or found change proposes ``action`` for ``ent`` from month ``effective`` (never before its
    start): the change touches its subsidy, it is not already stopped then, and a suspension only of one active.
    One rule for a data comparison's rows, a self report and a survival check."""
    status = ent.status_in(max(effective, ent.start_month))
    return ent.subsidy in subsidies and status != "stopped" and (action != "suspend" or status == "active")


def proposal_fields(ent: Entitlement, proposal_id: str, load_id: str, kind: str, action: str, reason: str,
                    event_date: str, effective: str, created_at: str, source: str) -> dict[str, object]:
    """A proposal for the 业务属地's reviewer, as the proposals store keeps it (effective never before the start)."""
    return {
        "proposal_id": proposal_id, "load_id": load_id, "entitlement_id": ent.entitlement_id,
        "case_id": ent.case_id, "business_unit": ent.business_unit, "accepting_unit": ent.accepting_unit,
        "subsidy": ent.subsidy, "masked_id": ent.masked_id, "kind": kind, "action": action, "reason": reason,
        "event_date": event_date, "effective_month": max(effective, ent.start_month), "created_at": created_at,
        "source": source,
    }


def read_offsets(body: object) -> dict[str, int]:
    """A province's rule: {kind: 0 (from the event's month) | 1 (from the month after the event)}."""
    if not isinstance(body, dict):
        raise Invalid("WRONG_TYPE", "the body must be an object {kind: 0 or 1}", "body")
    offsets = {}
    for kind, value in body.items():
        if kind not in KINDS:
            raise Invalid("UNKNOWN_COMPARISON", f"{kind!r} is not one of {sorted(KINDS)}", kind)
        if value not in (0, 1) or isinstance(value, bool):
            raise Invalid("OFFSET_RANGE", "0 = from the event's month, 1 = from the month after it", kind)
        offsets[kind] = int(value)
    return offsets
