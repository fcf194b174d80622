"""DynamoDB through PynamoDB: the case table (versioned) and its append-only timeline.

Every change to a case is one transaction: the case item, conditioned on its version, and the
timeline event, conditioned on its sequence number not existing yet. A concurrent writer makes
the transaction fail as a whole, so the case and its timeline never disagree.

Worklists come from two global secondary indexes, never a scan: the hash key is the province
(2 digits) of the 受理地 or 业务属地 and the range key ``<unit>#<next due day>#<case id>``, so a
township, county (6 digits) or city (4 digits) is a ``begins_with`` and "due before" a range.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, QueryError, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..config import load, table_name
from ..domain.audit import GENESIS, Link, event_hash
from ..domain.case import Case, Event
from ..domain.errors import Invalid, NotFound
from ..domain.phases import DEADLINE_KINDS
from ..domain.records import event_record, from_record, to_record
from .dynamo import OnDemand
from .entitlements_table import Entitlements

NO_DUE = "9999-12-31"
CASE_ID = re.compile(r"[A-Z0-9]{1,64}")  # sorts after every real day: cases with no open deadline come last


class VersionConflict(Exception):
    """Someone else changed the case since it was read."""


class Held(Exception):
    """A person lock another case holds (重复领取 / a second open application)."""

    def __init__(self, key: str, case_id: str, masked_id: str) -> None:
        super().__init__(key)
        self.key, self.case_id, self.masked_id = key, case_id, masked_id


@dataclass(frozen=True)
class Extra:
    """Items written in the same transaction as a case change.

    ``puts``: (item, condition); ``deletes``: items; ``checks``: (model class, hash key, condition) that must
    hold; ``guards``: lock keys to name the holder of when the transaction is refused, and ``month``: the month
    the guarded locks are taken for (a lock released by then holds nothing)."""

    puts: tuple[tuple[Model, Condition | None], ...] = ()
    deletes: tuple[Model, ...] = ()
    checks: tuple[tuple[type[Model], str, Condition], ...] = ()
    guards: tuple[str, ...] = ()
    month: str | None = None



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


DUE_SHARDS = 4  # spreads the index's writes; the sweep queries each shard


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


def _to_model(case: Case) -> CaseModel:
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


def _from_model(item: CaseModel) -> Case:
    return replace(from_record(item.body.as_dict(), int(item.version or 0)), chain_head=item.chain_head or GENESIS)


# Per request (a ContextVar: each thread of ``chalice local`` and of the tests has its own): case id →
# the case as first read in this request, until a second read takes it; None once taken or written.
_first_reads: ContextVar[dict[str, Case | None] | None] = ContextVar("first_reads", default=None)


@contextmanager
def request_reads() -> Iterator[None]:
    """One API request: the first read of a case (the reach check's) also answers the next read of the same
    case (the service's), once. Every later read goes to DynamoDB, and so does any read after this request
    wrote the case: a conflict retry always reads afresh. Safe because every write is conditional on the case
    version read: a case changed meanwhile fails the write, and the service re-reads and retries. Outside
    this scope (schedules, jobs, tests calling services) every read goes to DynamoDB."""
    token = _first_reads.set({})
    try:
        yield
    finally:
        _first_reads.reset(token)


@dataclass(frozen=True)
class Page:
    cases: list[Case]
    next_token: str | None


class CaseRepository:
    """The case and timeline tables, as the services need them."""

    def __init__(self) -> None:
        self._connection = Connection(region=load().region)

    def get(self, case_id: str) -> Case:
        """Strongly consistent; inside ``request_reads`` the second read of a case is the first one's."""
        kept = _first_reads.get()
        handed = kept.get(case_id) if kept is not None else None
        if kept is not None and handed is not None:
            kept[case_id] = None  # once: a further read (a retry's) goes to DynamoDB
            return handed
        if not CASE_ID.fullmatch(case_id):  # DynamoDB would refuse an over-long key with a 500
            raise NotFound("CASE_NOT_FOUND", f"no case {case_id[:40]}", "case_id")
        try:
            case = _from_model(CaseModel.get(case_id, consistent_read=True))
        except DoesNotExist:
            raise NotFound("CASE_NOT_FOUND", f"no case {case_id}", "case_id") from None
        if kept is not None and case_id not in kept:
            kept[case_id] = case
        return case

    def save(self, case: Case, event: Event, extra: Extra | None = None) -> Case:
        """Write the case, its event and any ``extra`` items atomically. ``Held`` when a guarded
        person lock belongs to another case; ``VersionConflict`` when the case moved on."""
        kept = _first_reads.get()
        if kept is not None:  # nothing read before this write may answer a read after it
            kept[case.case_id] = None
        seq = case.version + 1
        record = event_record(event)
        prev = case.chain_head or GENESIS
        link = event_hash(case.case_id, seq, record, prev)
        item = _to_model(replace(case, chain_head=link))
        entry = EventModel(case_id=case.case_id, seq=seq, prev_hash=prev, chain_hash=link, day=event.at[:10],
                           case_seq=f"{case.case_id}#{seq:08d}", **record)
        extra = extra or Extra()
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(item)
                transaction.save(entry, condition=EventModel.seq.does_not_exist())
                for model, condition in extra.puts:
                    transaction.save(model, condition=condition)
                for model in extra.deletes:
                    transaction.delete(model)
                for model_class, key, condition in extra.checks:
                    transaction.condition_check(model_class, key, condition=condition)
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                self._name_the_holder(case.case_id, extra.guards, extra.month)
                raise VersionConflict(case.case_id) from error
            raise
        return _from_model(item)

    def _name_the_holder(self, case_id: str, guards: tuple[str, ...], month: str | None) -> None:
        for key in guards:
            holder = Entitlements().lock_holder(key, month)
            if holder is not None and holder[0] != case_id:
                raise Held(key, *holder)

    def chain(self, case_id: str) -> tuple[list[Link], str | None]:
        """The stored links of a case's timeline and the head its case item records."""
        try:
            head = CaseModel.get(case_id, consistent_read=True, attributes_to_get=["chain_head"]).chain_head
        except DoesNotExist:
            raise NotFound("CASE_NOT_FOUND", f"no case {case_id[:40]}", "case_id") from None
        links = [Link(int(e.seq), {"at": e.at, "event": e.event, "actor": e.actor, "unit": e.unit,
                                   "detail": e.detail.as_dict() if e.detail else {}}, e.prev_hash, e.chain_hash)
                 for e in EventModel.query(case_id, consistent_read=True)]
        return links, head

    def heads_of_day(self, day: str) -> dict[str, tuple[int, str]]:
        """For each case changed on ``day``: its last sequence number and chain hash that day."""
        heads: dict[str, tuple[int, str]] = {}
        for e in EventModel.by_day.query(day):
            if e.case_id not in heads or int(e.seq) > heads[e.case_id][0]:
                heads[e.case_id] = (int(e.seq), e.chain_hash or "")
        return heads

    def timeline(self, case_id: str) -> list[Event]:
        return [
            Event(e.at, e.event, e.actor, e.unit, e.detail.as_dict() if e.detail else {})
            for e in EventModel.query(case_id, consistent_read=True)
        ]

    def worklist(
        self, side: str, scope: str, due_before: str | None, status: str | None,
        pushed_only: bool, limit: int, token: str | None, exclude_accepting: str | None = None,
    ) -> Page:
        """Cases whose 受理地 (side "accepting") or 业务属地 ("business") lies in ``scope``."""
        index, range_attr = (
            (CaseModel.by_accepting, CaseModel.accepting_sort)
            if side == "accepting" else (CaseModel.by_business, CaseModel.business_sort)
        )
        lower = scope if len(scope) < 9 else f"{scope}#"
        range_condition: Condition
        if due_before and len(scope) == 9:
            range_condition = range_attr.between(lower, f"{scope}#{due_before}")
        else:
            range_condition = range_attr.startswith(lower)
        conditions = []
        if status:
            conditions.append(CaseModel.status == status)
        if pushed_only:
            conditions.append(CaseModel.pushed == True)  # noqa: E712 - a PynamoDB condition
        if due_before and len(scope) < 9:
            conditions.append(CaseModel.next_due < due_before)
        if exclude_accepting:  # cases a supervisor already saw through the accepting side
            conditions.append(~CaseModel.accepting_unit.startswith(exclude_accepting))
        filter_condition = None
        for condition in conditions:
            filter_condition = condition if filter_condition is None else filter_condition & condition
        result = index.query(
            scope[:2], range_condition, filter_condition=filter_condition,
            limit=limit, last_evaluated_key=_decode(token),
        )
        try:
            cases = [_from_model(item) for item in result]
        except QueryError as error:  # a forged cursor that DynamoDB refuses
            if error.cause_response_code == "ValidationException":
                raise Invalid("BAD_PAGE_TOKEN", "next_token is not one this API issued", "next_token") from None
            raise
        return Page(cases, _encode(result.last_evaluated_key))


    def due_through(self, last_day: str, first_day: str = "0000-00-00") -> tuple[list[Case], int]:
        """Cases whose running deadline falls due in ``first_day..last_day``, from the sparse
        due-day index (one query per shard, never a scan), and how many items were read."""
        cases: list[Case] = []
        for shard in range(DUE_SHARDS):
            for item in CaseModel.by_due.query(str(shard), CaseModel.due_key.between(first_day, f"{last_day}#~")):
                cases.append(_from_model(item))
        return cases, len(cases)

    def running_deadlines(self) -> dict[str, int]:
        """How many deadlines run, per kind (push, review, notify): Select=COUNT queries on the
        keys-only census index, one per kind and shard (and per 1 MB of keys beyond)."""
        return {kind: sum(CaseModel.by_running_phase.count(f"{kind}#{shard}") for shard in range(DUE_SHARDS))
                for kind in DEADLINE_KINDS}


def _encode(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def _decode(token: str | None) -> dict[str, Any] | None:
    if not token:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        raise Invalid("BAD_PAGE_TOKEN", "next_token is not one this API issued", "next_token") from None
    if not isinstance(key, dict) or not all(
        isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in key.values()
    ):
        raise Invalid("BAD_PAGE_TOKEN", "next_token is not one this API issued", "next_token")
    return key


def create_tables(models: tuple[type[Model], ...]) -> None:
    """Create tables from their models (the same definitions the code reads and writes)."""
    for model in models:
        if not model.exists():
            model.create_table(wait=True)

