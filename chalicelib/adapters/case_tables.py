"""The case and timeline tables as PynamoDB models, their indexes, and a case's item (``adapters/store.py`` reads
and writes them).

Worklists come from two global secondary indexes, never a scan: the hash key is the province (2 digits) of the
受理地 or 业务属地 and the range key ``<unit>#<next due day>#<case id>``, so a township, county (6 digits) or city
(4 digits) is a ``begins_with`` and "due before" a range. Two sparse indexes hold only cases with a running
deadline: ``by_due_day`` (the daily sweep's reads) and the keys-only ``by_running_phase`` (its census).
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from ..config import table_name
from ..domain.cases.audit import GENESIS
from ..domain.cases.case import Case
from ..domain.cases.records import from_record, to_record
from ..domain.cases.writes import Appended
from .dynamo import OnDemand

NO_DUE = "9999-12-31"  # sorts after every real day: cases with no open deadline come last
DUE_SHARDS = 4  # spreads the due-day index's writes; the sweep queries each shard


class AcceptingIndex(GlobalSecondaryIndex["CaseModel"]):
    class Meta(OnDemand):
        index_name = "by_accepting_unit"
        projection = AllProjection()

    accepting_area = UnicodeAttribute(hash_key=True)
    accepting_sort = UnicodeAttribute(range_key=True)


class BusinessIndex(GlobalSecondaryIndex["CaseModel"]):
    class Meta(OnDemand):
        index_name = "by_business_unit"
        projection = AllProjection()

    business_area = UnicodeAttribute(hash_key=True)
    business_sort = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex["CaseModel"]):
    """Sparse: only cases with a running deadline carry ``due_key``; the daily sweep reads it."""

    class Meta(OnDemand):
        index_name = "by_due_day"
        projection = AllProjection()

    due_shard = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


class CensusIndex(GlobalSecondaryIndex["CaseModel"]):
    """Sparse and keys only: ``<deadline kind>#<shard>`` while a deadline runs. The daily sweep counts
    the running deadlines of each phase here (Select=COUNT over ~100-byte keys), not in ``by_due_day``
    whose items are whole cases."""

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
    due_shard = UnicodeAttribute(null=True)
    due_key = UnicodeAttribute(null=True)  # "<due day>#<case id>" while a deadline runs
    census_key = UnicodeAttribute(null=True)  # "<deadline kind>#<shard>" while a deadline runs
    body: MapAttribute[str, Any] = MapAttribute()  # the whole case record, readable in the console
    chain_head = UnicodeAttribute(null=True)  # hash of the newest timeline event
    version = VersionAttribute()
    by_accepting = AcceptingIndex()
    by_business = BusinessIndex()
    by_due = DueIndex()
    by_running_phase = CensusIndex()


class DayIndex(GlobalSecondaryIndex["EventModel"]):
    """Events by calendar day: the daily digest of chain heads reads one day, never the table."""

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


MODELS: tuple[type[Model], ...] = (CaseModel, EventModel)


def to_model(case: Case) -> CaseModel:
    deadline = case.open_deadline()
    due = deadline.due_on.isoformat() if deadline else NO_DUE
    item = CaseModel(
        case_id=case.case_id, status=case.status.value,
        accepting_unit=case.accepting_unit, business_unit=case.business_unit,
        accepting_area=case.accepting_unit[:2], accepting_sort=f"{case.accepting_unit}#{due}#{case.case_id}",
        business_area=case.business_unit[:2], business_sort=f"{case.business_unit}#{due}#{case.case_id}",
        next_due=due, pushed=case.pushed_on is not None, body=to_record(case), chain_head=case.chain_head or None,
    )
    if deadline is not None:
        item.due_shard = due_shard(case.case_id)
        item.due_key = f"{due}#{case.case_id}"
        item.census_key = f"{deadline.kind.value}#{item.due_shard}"
    if case.version:  # a new case has no version yet: PynamoDB then requires the item not to exist
        item.version = case.version
    return item


def from_model(item: CaseModel) -> Case:
    return replace(from_record(item.body.as_dict(), int(item.version or 0)), chain_head=item.chain_head or GENESIS)


def event_item(case_id: str, at: str, link: Appended) -> EventModel:
    """The timeline event ``link`` of a case as stored (the day index keeps its day and sequence)."""
    return EventModel(case_id=case_id, seq=link.seq, prev_hash=link.prev_hash, chain_hash=link.chain_hash,
                      day=at[:10], case_seq=f"{case_id}#{link.seq:08d}", **link.record)


def create_tables(models: tuple[type[Model], ...]) -> None:
    """Create tables from their models (the same definitions the code reads and writes)."""
    for model in models:
        if not model.exists():
            model.create_table(wait=True)
