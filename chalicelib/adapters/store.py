"""DynamoDB through PynamoDB: the case table (versioned) and its append-only timeline, as the services need them.

Every change to a case is one transaction: the case item, conditioned on its version, the parts of the case the change
changed (``case_tables.PARTS``: the person and notice, the materials as registered, their receipts, the decision; each
on the version it was read at, read with the case item in one BatchGetItem), the timeline event,
conditioned on its sequence number not existing yet, and what the change writes with them (``domain.writes``:
person locks, new entitlements, milestone messages, each on its own condition, and the 业务属地 an approval puts
under supervision). A concurrent writer makes the
transaction fail as a whole, so the case and its timeline never disagree; the refusal reaches the services as a
domain error (``LockHeld`` naming the case that holds a guarded lock, else ``StaleCase``). The tables, their
indexes and a case's item are in ``case_tables``.
"""
from __future__ import annotations

import base64
import json
import re
from typing import Any

from msgspec import Struct
from msgspec.structs import replace
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PynamoDBException, QueryError, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from ..config import load
from ..domain.cases.audit import Link
from ..domain.cases.case import Case, Event, Material, seals_receipts
from ..domain.cases.phases import DEADLINE_KINDS
from ..domain.cases.records import material_record, to_record
from ..domain.cases.writes import NO_WRITES, Writes, appended
from ..domain.errors import Invalid, NotFound
from ..domain.refusals import LockHeld, StaleCase
from . import entitlements_table, messages_table, monitored_units
from .case_tables import (
    DUE_SHARDS,
    CaseModel,
    EventModel,
    PartModel,
    event_day,
    event_item,
    from_items,
    from_model,
    part_key,
    read_keys,
    receipt_entry,
    registration,
    split,
    to_items,
)
from .dynamo import error_code

CASE_ID = re.compile(r"[A-Z0-9]{1,64}")


class Page(Struct, frozen=True):
    cases: list[Case]
    next_token: str | None


class CaseRepository:
    """The case and timeline tables, as the services need them."""

    def __init__(self) -> None:
        self._connection = Connection(region=load().region)

    def get(self, case_id: str) -> Case:
        """Strongly consistent."""
        if not CASE_ID.fullmatch(case_id):  # DynamoDB would refuse an over-long key with a 500
            raise NotFound("CASE_NOT_FOUND", f"no case {case_id[:40]}", "case_id")
        case = self._read([case_id], consistent=True).get(case_id)
        if case is None:
            raise NotFound("CASE_NOT_FOUND", f"no case {case_id}", "case_id")
        return case

    def _read(self, case_ids: list[str], consistent: bool) -> dict[str, Case]:
        """Cases by id, each from its case item and parts (one BatchGetItem per 100 items)."""
        keys = [key for case_id in dict.fromkeys(case_ids) for key in read_keys(case_id)]
        # a strongly consistent read is made to be changed: it knows its stored parts; a worklist's is only shown
        found = from_items(list(CaseModel.batch_get(keys, consistent_read=consistent)), digests=consistent) \
            if keys else {}
        if not consistent:  # a case read before its parts had all arrived: read again, strongly consistent
            missing = [case_id for case_id in case_ids if case_id not in found]
            found.update(self._read(missing, consistent=True) if missing else {})
        return found

    def save(self, case: Case, event: Event, writes: Writes = NO_WRITES) -> Case:
        """The case (as read, changed), its event and ``writes``, in one transaction: the case as stored.
        ``LockHeld`` when a claimed or checked person lock belongs to another case; ``StaleCase`` when the case
        or another conditioned item moved on. Any other failure (a timeout, throttling, a 5xx, after the SDK's own
        retries) may have come after the transaction was stored: the case item is read back, and the change stands
        as saved when it holds the chain hash of this change's event (no other change writes that hash)."""
        link = appended(case, event)
        day = event_day(event.at)  # the case item keeps it: the day index holds only a case's first event of a day
        # an event sealing the receipts holds them as read: a receipt kept since refuses it (domain: ``sealed``)
        item, parts, bodies = to_items(replace(case, chain_head=link.chain_hash, last_day=day),
                                       frozenset({"receipts"}) if seals_receipts(event) else frozenset())
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(item)
                for part in parts:  # the parts this change changed or holds (to_items), each on its version as read
                    transaction.save(part)
                transaction.save(event_item(case.case_id, event.at, link, first_of_day=day != case.last_day),
                                 condition=EventModel.seq.does_not_exist())
                entitlements_table.add_writes(transaction, writes)
                for put in writes.messages:
                    transaction.save(*messages_table.put_item(put))
                for unit in writes.supervised:
                    transaction.save(monitored_units.unit_item(unit))
        except TransactWriteError as error:
            if error_code(error) == "TransactionCanceledException":
                self._name_the_holder(case.case_id, writes.guards, writes.holder_month)
                raise StaleCase(case.case_id) from error
            if not self._stored(case.case_id, link.chain_hash):
                raise
        versions = dict(case.part_versions)
        versions.update({part.case_id.partition("#")[2]: int(part.version) for part in parts if part.version})
        return from_model(item, bodies, versions=versions)

    def register(self, case: Case, material: Material) -> None:
        """Add a registered material (an upload slot, not a change of the case: no version, no event) to the case's
        materials part, as read by ``case``. Appended in place when the part is stored (registrations at once all
        land); otherwise the part is created with the materials the case holds, only if it still does not exist.
        A change that rewrites the materials was read before is refused on the part's version (``StaleCase``). The
        materials part holds each material as registered; its receipt is in the receipts part."""
        key = part_key(case.case_id, "materials")
        record = registration(material_record(material))
        try:
            if "materials" in case.part_versions:
                materials = PartModel.body["materials"]  # type: ignore[index]
                PartModel(case_id=key, version=case.part_versions["materials"]).update(  # the version: + 1
                    actions=[materials.set((materials | []).append([record]))],
                    condition=PartModel.case_id.exists(), add_version_condition=False)
                return
            _, parts = split(to_record(case))
            first = PartModel(case_id=key, body={"materials": parts["materials"]["materials"] + [record]})
            if "receipts" in case.part_versions or not parts["receipts"]["receipts"]:
                first.save()  # the version: none yet, so only if the part was never written
                return
            with TransactWrite(connection=self._connection) as transaction:  # materials stored whole, before the
                transaction.save(first)  # receipts had their own part: the receipts move with them
                transaction.save(PartModel(case_id=part_key(case.case_id, "receipts"), body=parts["receipts"]))
        except PynamoDBException as error:
            if error_code(error) in ("ConditionalCheckFailedException", "TransactionCanceledException"):
                raise StaleCase(case.case_id) from error
            raise

    def receive(self, case: Case, material: Material) -> None:
        """Keep one material's receipt (``material`` as received) in the case's receipts part, on the part's version
        as ``case`` was read: a receipt that changes the case no further (``domain.cases.case.receipt_only``) is no
        change of the case — no version, no event — as a registration is none. One UpdateItem (SET of its entry,
        the version + 1) when the part is stored; else one PutItem of the part with every receipt the case holds,
        only if it still does not exist. Another receipt or change that wrote the receipts since the case was read
        refuses it (``StaleCase``): the caller reads again, and may then complete the case by a chained save."""
        key = part_key(case.case_id, "receipts")
        entry = receipt_entry(material_record(material))
        try:
            if "receipts" in case.part_versions:
                receipts = PartModel.body["receipts"]  # type: ignore[index]
                PartModel(case_id=key, version=case.part_versions["receipts"]).update(  # on the version, + 1
                    actions=[receipts[material.material_id].set(entry)], condition=PartModel.case_id.exists())
                return
            received = replace(case, materials=tuple(material if m.material_id == material.material_id else m
                                                     for m in case.materials))
            _, parts = split(to_record(received))
            PartModel(case_id=key, body=parts["receipts"]).save()  # no version yet: only if never written
        except PynamoDBException as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise StaleCase(case.case_id) from error
            raise

    def _stored(self, case_id: str, chain_hash: str) -> bool:
        """Whether the case item holds ``chain_hash``: the transaction that wrote it was stored. False when that
        cannot be read either (the caller's failure stands)."""
        try:
            stored = CaseModel.get(case_id, consistent_read=True, attributes_to_get=["chain_head"])
        except PynamoDBException:
            return False
        return stored.chain_head == chain_hash

    def _name_the_holder(self, case_id: str, guards: tuple[str, ...], month: str | None) -> None:
        for key in guards:
            holder = entitlements_table.Entitlements().lock_holder(key, month)
            if holder is not None and holder[0] != case_id:
                raise LockHeld(key, *holder)

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
        """For each case changed on ``day``: its last sequence number and chain hash that day. The sparse day index
        names each case's first event of the day (every event of the day, for events stored before 2026-12-06); the
        case's events from the first on are read (one Query a case) and the last of that day is its head."""
        firsts: dict[str, int] = {}
        for e in EventModel.by_day.query(day):
            firsts[e.case_id] = min(int(e.seq), firsts.get(e.case_id, int(e.seq)))
        heads: dict[str, tuple[int, str]] = {}
        for case_id, first in firsts.items():
            for e in EventModel.query(case_id, EventModel.seq >= first, filter_condition=EventModel.at.startswith(day)):
                if case_id not in heads or int(e.seq) > heads[case_id][0]:  # the filter is event_day's: at[:10]
                    heads[case_id] = (int(e.seq), e.chain_hash or "")
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
            keys = [item.case_id for item in result]
        except QueryError as error:  # a forged cursor that DynamoDB refuses
            if error.cause_response_code == "ValidationException":
                raise Invalid("BAD_PAGE_TOKEN", "next_token is not one this API issued", "next_token") from None
            raise
        return Page(self._by_key(keys), _encode(result.last_evaluated_key))

    def _by_key(self, case_ids: list[str], consistent: bool = False) -> list[Case]:
        """The cases an index named, in its order, read by key (a worklist's eventually consistent, as the index
        itself); a case gone since is left out."""
        found = self._read(case_ids, consistent)
        return [found[case_id] for case_id in case_ids if case_id in found]


    def due_through(self, last_day: str, first_day: str = "0000-00-00") -> tuple[list[Case], int]:
        """Cases whose running deadline falls due in ``first_day..last_day``, from the sparse running-deadline
        index (one range query per deadline kind and shard, never a scan), and how many items were read."""
        keys: list[str] = []
        for kind in DEADLINE_KINDS:
            for shard in range(DUE_SHARDS):
                keys += [item.case_id for item in CaseModel.by_running_phase.query(
                    f"{kind}#{shard}", CaseModel.due_key.between(first_day, f"{last_day}#~"))]
        cases = self._by_key(keys, consistent=True)  # the sweep changes what it reads: no part older than its case
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
