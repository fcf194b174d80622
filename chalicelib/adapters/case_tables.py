"""The case and timeline tables as PynamoDB models, their indexes, and a case's item (``adapters/store.py`` reads
and writes them).

Worklists come from two global secondary indexes, never a scan: the hash key is the province (2 digits) of the
受理地 or 业务属地 and the range key ``<unit>#<next due day>#<case id>``, so a township, county (6 digits) or city
(4 digits) is a ``begins_with`` and "due before" a range. A sparse index holds only cases with a running deadline:
``by_running_phase``, by deadline kind and shard, in due-day order (the daily sweep's reads, one range per kind and
shard, and its census, a count per kind). The indexes hold keys and
the few attributes the worklists filter on, not the cases: the cases are read by key (one BatchGetItem a page), so a
change writes an index entry only when its keys or those attributes change (docs/decisions.md 2026-12-06).
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from msgspec.structs import replace
from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from ..config import table_name
from ..domain.cases.audit import GENESIS
from ..domain.cases.case import Case
from ..domain.cases.records import from_record, to_record
from ..domain.cases.writes import Appended
from .dynamo import OnDemand

NO_DUE = "9999-12-31"  # sorts after every real day: cases with no open deadline come last
DUE_SHARDS = 4  # spreads the due-day index's writes; the sweep queries each shard


# what the worklists filter on, beside the keys: a change that touches none of these (a material, a note) writes
# nothing to the unit indexes; the cases themselves are read by key (``CaseRepository.worklist``)
WORKLIST_FILTERS = ["status", "pushed", "next_due", "accepting_unit"]


class AcceptingIndex(GlobalSecondaryIndex["CaseModel"]):
    class Meta(OnDemand):
        index_name = "by_accepting_unit"
        projection = IncludeProjection(WORKLIST_FILTERS)

    accepting_area = UnicodeAttribute(hash_key=True)
    accepting_sort = UnicodeAttribute(range_key=True)


class BusinessIndex(GlobalSecondaryIndex["CaseModel"]):
    class Meta(OnDemand):
        index_name = "by_business_unit"
        projection = IncludeProjection(WORKLIST_FILTERS)

    business_area = UnicodeAttribute(hash_key=True)
    business_sort = UnicodeAttribute(range_key=True)


class CensusIndex(GlobalSecondaryIndex["CaseModel"]):
    """Sparse and keys only: ``<deadline kind>#<shard>`` and ``<due day>#<case id>`` while a deadline runs. The daily
    sweep reads the cases due in a range of days here (a range per kind and shard, the cases then by key) and counts
    the running deadlines of each kind (Select=COUNT over ~100-byte keys). It was two indexes until 2026-12-06 (a
    ``by_due_day`` by shard alone): every move of a case wrote both."""

    class Meta(OnDemand):
        index_name = "by_running_phase"
        projection = KeysOnlyProjection()

    census_key = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


def due_shard(case_id: str) -> str:
    return str(int(hashlib.sha256(case_id.encode()).hexdigest(), 16) % DUE_SHARDS)


class CaseModel(Model):
    class Meta(OnDemand):
        table_name = table_name("cases")

    case_id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute()
    accepting_unit = UnicodeAttribute()
    business_unit = UnicodeAttribute()
    accepting_area = UnicodeAttribute()
    accepting_sort = UnicodeAttribute()
    business_area = UnicodeAttribute()
    business_sort = UnicodeAttribute()
    next_due = UnicodeAttribute()
    pushed = BooleanAttribute(default=False)
    due_key = UnicodeAttribute(null=True)  # "<due day>#<case id>" while a deadline runs
    census_key = UnicodeAttribute(null=True)  # "<deadline kind>#<shard>" while a deadline runs
    body: MapAttribute[str, Any] = MapAttribute()  # the whole case record, readable in the console
    chain_head = UnicodeAttribute(null=True)  # hash of the newest timeline event
    last_day = UnicodeAttribute(null=True)  # the local day of the newest timeline event (since 2026-12-06)
    version = VersionAttribute()
    by_accepting = AcceptingIndex()
    by_business = BusinessIndex()
    by_running_phase = CensusIndex()


class DayIndex(GlobalSecondaryIndex["EventModel"]):
    """Sparse: each case's first event of a calendar day (its local day), by day. The daily digest of chain heads
    reads one day here, then each case it names by key from that event on (``CaseRepository.heads_of_day``), never
    a scan. Until 2026-12-06 every event had its day: such events are read the same way."""

    class Meta(OnDemand):
        index_name = "by_day"
        projection = AllProjection()

    day = UnicodeAttribute(hash_key=True)
    case_seq = UnicodeAttribute(range_key=True)


class EventModel(Model):
    """The case timeline: append-only, one item per accepted change, keyed by case version, each
    carrying the hash of the one before (``domain.audit``)."""

    class Meta(OnDemand):
        table_name = table_name("case-events")

    case_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    at = UnicodeAttribute()
    event = UnicodeAttribute()
    actor = UnicodeAttribute()
    unit = UnicodeAttribute()
    detail: MapAttribute[str, Any] = MapAttribute(default=dict)
    prev_hash = UnicodeAttribute(null=True)
    chain_hash = UnicodeAttribute(null=True)
    day = UnicodeAttribute(null=True)
    case_seq = UnicodeAttribute(null=True)
    by_day = DayIndex()


class PartModel(Model):
    """A separately stored part of a case, in the case table under ``<case id>#<part>`` (no case id has a ``#``, so
    no route reaches it; it carries no index attribute, so no index holds it). Written in the case's transaction
    when it changed, never alone; the case item's version guards it."""

    class Meta(OnDemand):
        table_name = table_name("cases")

    case_id = UnicodeAttribute(hash_key=True)
    body: MapAttribute[str, Any] = MapAttribute()
    # bumped by every write of the part; a part written in the case's transaction is conditioned on the version it
    # was read at (none: not yet written), as a registration changes the materials apart from the case item
    version = VersionAttribute(null=True)


# What a case keeps apart from its case item, so that a change rewrites (twice, in its transaction) only what it
# changed: the person and the notice (written at 受理, seldom after), the materials as registered (appended by each
# registration, then only read), their receipts (what each receipt changes: a small map by material id, so a receipt
# never rewrites the declarations) and the decision. The case item keeps its status, deadlines and the rest that
# most changes touch. A part never written and absent from the case item is empty (no decision yet): it is not
# written until it holds something. A case stored before the parts (its whole record in the case item), or before
# the receipts had their own part (each material whole in the materials part), reads as it is; its next change
# writes the parts.
PARTS: dict[str, tuple[str, ...]] = {
    "person": ("applicant", "certificate", "agent", "low_income", "subsidies", "notice", "data_checks", "supplements"),
    "materials": ("materials",),
    "receipts": (),  # the receipt fields of the materials' records (RECEIPT_FIELDS), by material id
    "decision": ("decision", "decisions_before"),
}
RECEIPT_FIELDS = ("status", "received_at", "object_version", "received_by", "received_unit", "received_seq")
# a receipt with its receiver (since 2026-12-06) as the receipts part keeps it: a list of these, no field names (the
# part's 1 KB holds the eight receipts of a full case); one received before, a map of its fields
RECEIPT_LIST = ("received_at", "object_version", "received_by", "received_unit", "received_seq")


MODELS: tuple[type[Model], ...] = (CaseModel, EventModel)


def part_key(case_id: str, part: str) -> str:
    return f"{case_id}#{part}"


def _digest(record: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


def split(record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """A case record as its case item's body and its parts."""
    head = dict(record)
    parts = {part: {key: head.pop(key) for key in keys} for part, keys in PARTS.items()}
    materials = parts["materials"]["materials"]
    parts["materials"] = {"materials": [registration(m) for m in materials]}
    parts["receipts"] = {"receipts": {m["material_id"]: receipt_entry(m) for m in materials
                                      if m.get("status", "registered") != "registered"}}
    return head, parts


def receipt_entry(material: dict[str, Any]) -> dict[str, Any] | list[Any]:
    """A material's receipt as the receipts part keeps it: with its receiver, a list (``RECEIPT_LIST``); one made
    before receipts kept their receiver, a map, its status only when it is not "received" (the part's 1 KB holds
    eight receipts)."""
    if material.get("received_by") is not None:
        return [material.get(k) for k in RECEIPT_LIST]
    return {k: material.get(k) for k in RECEIPT_FIELDS[:3] if k != "status" or material.get(k) != "received"}


def receipt_fields(stored: dict[str, Any] | list[Any]) -> dict[str, Any]:
    """A material's receipt fields from the receipts part (either form ``receipt_entry`` writes)."""
    if isinstance(stored, list):
        fields = dict(zip(RECEIPT_LIST, stored, strict=True))
        if fields["received_seq"] is not None:
            fields["received_seq"] = int(fields["received_seq"])
        return fields
    return dict(stored)


# kept once, as the case item's own attributes (the indexes read them), not again in its body
TOP_LEVEL = ("case_id", "status", "accepting_unit", "business_unit")


def compact(head: dict[str, Any]) -> dict[str, Any]:
    """The case item's body: without what it keeps as its own attributes, and without empty fields (no withdrawal
    yet), which read back as absent (``from_record``); the deadlines each one short string (``compact_deadlines``):
    the item most changes write stays under 1 KB, one write unit (twice, in a transaction) rather than two."""
    body = {k: v for k, v in head.items() if v is not None and k not in TOP_LEVEL}
    if body.get("deadlines"):
        body["deadlines"], calendar = compact_deadlines(body["deadlines"])
        if calendar is not None:
            body[CALENDAR] = calendar
    return body


# A deadline in the case item: "<kind> <starts on> <working days> <due on> <state>", then what it has beside:
# "p" when provisional, and "<tag>=<value>" for the calendar version (when not the case's, CALENDAR) and each day or
# count set. Until 2026-12-06 each deadline was a map of every field (the calendar version repeated in each): read as
# it is. A deadline a string cannot hold unambiguously (a value with a space or "=") is kept as that map.
CALENDAR = "calendar"  # the case item body's one calendar version of its deadlines
DEADLINE_CORE = ("kind", "starts_on", "working_days", "due_on", "state")
DEADLINE_TAGS = {"calendar_version": "v", "closed_on": "c", "paused_on": "pa", "remaining_working_days": "r",
                 "counted_from": "cf", "counted_days": "cd", "reminded_on": "rm", "overdue_recorded_on": "o"}
DEADLINE_FIELDS = {tag: name for name, tag in DEADLINE_TAGS.items()}
NUMBERS = ("working_days", "remaining_working_days", "counted_days")


def compact_deadlines(deadlines: list[dict[str, Any]]) -> tuple[list[Any], str | None]:
    """The deadlines' records as the case item keeps them, and the calendar version most of them have (kept once)."""
    versions = [d["calendar_version"] for d in deadlines if isinstance(d.get("calendar_version"), str)]
    calendar = max(versions, key=versions.count) if versions else None
    return [_deadline_text(d, calendar) for d in deadlines], calendar


def _deadline_text(record: dict[str, Any], calendar: str | None) -> Any:
    """One deadline's record as a string, or (a field this form does not know, a value it cannot hold) the record
    without its empty fields, as before."""
    values = {k: v for k, v in record.items() if v is not None}
    required = (*DEADLINE_CORE, "provisional", "calendar_version")
    if set(values) - set(required) - set(DEADLINE_TAGS) or any(k not in values for k in required) \
            or not isinstance(values["provisional"], bool) \
            or any(not isinstance(v, (str, int)) or isinstance(v, bool) for k, v in values.items() if k != "provisional"):
        return values
    core = [str(values[k]) for k in DEADLINE_CORE]
    tagged = [str(values[name]) for name in DEADLINE_TAGS if name in values]
    if any(not word or " " in word or "=" in word for word in core) or any(" " in word or "=" in word for word in tagged):
        return values
    words = core + (["p"] if values["provisional"] else [])
    words += [f"{tag}={values[name]}" for name, tag in DEADLINE_TAGS.items()
              if name in values and not (name == "calendar_version" and values[name] == calendar)]
    return " ".join(words)


def expand_deadline(stored: Any, calendar: str | None) -> dict[str, Any]:
    """A deadline's record from the case item: a string (``compact_deadlines``) or a map (stored before 2026-12-06)."""
    if not isinstance(stored, str):
        return dict(stored)
    words = stored.split(" ")
    record: dict[str, Any] = dict(zip(DEADLINE_CORE, words[:len(DEADLINE_CORE)], strict=True))
    record.update(provisional=False, calendar_version=calendar)
    for word in words[len(DEADLINE_CORE):]:
        if word == "p":
            record["provisional"] = True
        else:
            tag, _, value = word.partition("=")
            record[DEADLINE_FIELDS[tag]] = value
    for name in NUMBERS:
        if name in record:
            record[name] = int(record[name])
    return record


def _expanded(item: CaseModel) -> dict[str, Any]:
    """The body as the record had it: with the case item's own attributes (a body written whole has them) and each
    deadline a map again."""
    head = item.body.as_dict()
    calendar = head.pop(CALENDAR, None)
    if head.get("deadlines"):
        head["deadlines"] = [expand_deadline(d, calendar) for d in head["deadlines"]]
    for key in TOP_LEVEL:
        head.setdefault(key, getattr(item, key))
    return head


def registration(material: dict[str, Any]) -> dict[str, Any]:
    """A material's record as its registration wrote it: without what its receipt changes."""
    return {k: v for k, v in material.items() if k not in RECEIPT_FIELDS}


def _joined(head: dict[str, Any], parts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The case record from its case item's body and the parts stored: each material as registered, with its receipt
    (from the receipts part; a material stored whole, before that part, carries its own)."""
    record = dict(head)
    for part, body in parts.items():
        if part not in ("materials", "receipts"):
            record.update(body)
    listed = parts["materials"]["materials"] if "materials" in parts else head.get("materials") or []
    receipts = parts.get("receipts", {}).get("receipts") or {}
    record["materials"] = [dict(m, **({"status": "received", **receipt_fields(receipts[m["material_id"]])}
                                      if m["material_id"] in receipts else {})) for m in listed]
    return record


def to_items(case: Case, held: frozenset[str] = frozenset(),
             ) -> tuple[CaseModel, list[PartModel], dict[str, dict[str, Any]]]:
    """The case item, the parts that changed since the case was read (all of them for a case never stored in parts)
    and the parts in ``held`` changed or not (written again on their version as read, so the change holds only if
    they are still as read), and the body of every part as it now stands."""
    head, parts = split(to_record(case))
    item = to_model(case, compact(head))
    digests = {part: _digest(body) for part, body in parts.items()}
    changed = [_part(case, part, parts[part]) for part in PARTS if part in held or (
        case.stored_parts.get(part) != digests[part] and (
            part in case.stored_parts or any(parts[part].values())))]  # an empty part: not until it holds some
    return item, changed, parts


def _part(case: Case, part: str, body: dict[str, Any]) -> PartModel:
    """A part to write, on the version it was read at (PynamoDB conditions the write on it and adds one)."""
    item = PartModel(case_id=part_key(case.case_id, part), body=body)
    if part in case.part_versions:
        item.version = case.part_versions[part]
    return item


def to_model(case: Case, body: dict[str, Any] | None = None) -> CaseModel:
    """The case item; ``body`` the record it keeps (by default the whole record, as before the parts: still read)."""
    deadline = case.open_deadline()
    due = deadline.due_on.isoformat() if deadline else NO_DUE
    item = CaseModel(
        case_id=case.case_id, status=case.status.value,
        accepting_unit=case.accepting_unit, business_unit=case.business_unit,
        accepting_area=case.accepting_unit[:2], accepting_sort=f"{case.accepting_unit}#{due}#{case.case_id}",
        business_area=case.business_unit[:2], business_sort=f"{case.business_unit}#{due}#{case.case_id}",
        next_due=due, pushed=case.pushed_on is not None, body=to_record(case) if body is None else body,
        chain_head=case.chain_head or None, last_day=case.last_day or None,
    )
    if deadline is not None:
        item.due_key = f"{due}#{case.case_id}"
        item.census_key = f"{deadline.kind.value}#{due_shard(case.case_id)}"
    if case.version:  # a new case has no version yet: PynamoDB then requires the item not to exist
        item.version = case.version
    return item


def from_model(item: CaseModel, parts: dict[str, dict[str, Any]] | None = None, digests: bool = True,
               versions: dict[str, int] | None = None) -> Case:
    """The case from its case item and the parts read with it (``part`` -> body); a part not stored (a case stored
    whole, before the parts) is what the case item holds. Without ``digests`` (a read only shown: a worklist) the case
    knows no stored part, and a change made from it would write every part again."""
    head = _expanded(item)
    case = from_record(_joined(head, parts or {}), int(item.version or 0))
    if not digests:
        return replace(case, chain_head=item.chain_head or GENESIS, last_day=item.last_day or "")
    _, now = split(to_record(case))
    stored = {part: _digest(now[part]) for part, keys in PARTS.items()
              if part in (parts or {}) or (not any(key in head for key in keys) if keys else not any(now[part].values()))}
    return replace(case, chain_head=item.chain_head or GENESIS, last_day=item.last_day or "", stored_parts=stored,
                   part_versions=versions or {})


def read_keys(case_id: str) -> list[str]:
    """The keys of the items a case is read from: its case item and its parts."""
    return [case_id, *(part_key(case_id, part) for part in PARTS)]


def from_items(items: list[CaseModel], digests: bool = True) -> dict[str, Case]:
    """The cases among ``items`` (case items and parts, as ``CaseModel.batch_get`` answers them), by case id."""
    heads = {item.case_id: item for item in items if "#" not in item.case_id}
    parts: dict[str, dict[str, dict[str, Any]]] = {}
    versions: dict[str, dict[str, int]] = {}
    for item in items:
        case_id, _, part = item.case_id.partition("#")
        if part in PARTS and case_id in heads:
            parts.setdefault(case_id, {})[part] = item.body.as_dict()
            if item.version is not None:
                versions.setdefault(case_id, {})[part] = int(item.version)
    cases = {}
    for case_id, head in heads.items():
        try:
            cases[case_id] = from_model(head, parts.get(case_id), digests, versions.get(case_id))
        except KeyError:  # an eventually consistent read saw the case item before its parts: left out
            continue
    return cases


def event_item(case_id: str, at: str, link: Appended, first_of_day: bool = True) -> EventModel:
    """The timeline event ``link`` of a case as stored; the day index keeps its day and sequence when it is the
    case's first event of its day (``first_of_day``), and only then (the index is sparse)."""
    item = EventModel(case_id=case_id, seq=link.seq, prev_hash=link.prev_hash, chain_hash=link.chain_hash,
                      **link.record)
    if first_of_day:
        item.day, item.case_seq = event_day(at), f"{case_id}#{link.seq:08d}"
    return item


def event_day(at: str) -> str:
    """The local day of an event at ``at`` (its ISO time, with the offset it was made at)."""
    return at[:10]


def create_tables(models: tuple[type[Model], ...]) -> None:
    """Create tables from their models (the same definitions the code reads and writes)."""
    for model in models:
        if not model.exists():
            model.create_table(wait=True)
