"""The case store in memory: cases with their chained timelines, person locks, new entitlements and the outbox.

``FakeCases`` behaves as ``adapters.store.CaseRepository`` for what the services use (tests/contract runs one suite
on both): ``save`` applies a case change as one unit (``domain.writes``) — the case conditioned on its version, the
event on its sequence number, each lock, entitlement and message on its own condition — and refuses it whole with
``LockHeld`` (a claimed or checked lock another case holds) or ``StaleCase``. Worklists, the due-day and census
reads and the day's chain heads answer as the indexes do. Each call is atomic (a lock), as a DynamoDB request is,
so services can race on it in threads. The adapter keeps a case as a case item and parts written only when changed
(``case_tables.PARTS``); the fake keeps the whole record, which reads the same (the contract checks both).

``FakeOutbox`` is the messages table: the conditional claim, retry and receipt updates, and the pending index.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from chalicelib.adapters.case_tables import NO_DUE, RECEIPT_FIELDS, due_shard, registration
from chalicelib.domain.cases.audit import GENESIS, Link
from chalicelib.domain.cases.case import Case, Event, Material, seals_receipts
from chalicelib.domain.cases.outbox import Message, MessagePut, message_id
from chalicelib.domain.cases.phases import DEADLINE_KINDS
from chalicelib.domain.cases.records import from_record, material_record, to_record
from chalicelib.domain.cases.writes import NO_WRITES, Writes, appended, released_by
from chalicelib.domain.errors import Invalid, NotFound
from chalicelib.domain.refusals import LockHeld, StaleCase
from tests.fakes.payments import FakeEntitlements

CASE_ID = re.compile(r"[A-Z0-9]{1,64}")
PENDING_SHARDS = 4


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pending_shard(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % PENDING_SHARDS


@dataclass
class StoredMessage:
    message: Message
    pending_key: str | None  # "<next attempt, UTC>#<message id>" while in the pending index


@dataclass
class FakeOutbox:
    items: dict[str, StoredMessage] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def get(self, key: str) -> Message | None:
        with self.lock:
            stored = self.items.get(key)
            return stored.message if stored else None

    def accepts(self, put: MessagePut) -> bool:
        """Whether ``put``'s condition holds (the adapter's ``put_item`` condition)."""
        stored = self.items.get(put.message.message_id)
        expected = put.expected
        if expected is None:
            return stored is None
        if stored is None:
            return False
        m = stored.message
        return m.status == expected.status and m.attempts == expected.attempts and (
            expected.receipts is None or len(m.receipts) == expected.receipts)

    def put(self, put: MessagePut) -> None:
        key = put.message.message_id
        self.items[key] = StoredMessage(put.message, f"{_utc(put.due_at)}#{key}" if put.due_at else None)

    def write(self, put: MessagePut) -> bool:
        """As the adapter: the message alone, only on its condition."""
        with self.lock:
            if not self.accepts(put):
                return False
            self.put(put)
            return True

    def of_case(self, case_id: str, milestones: tuple[str, ...]) -> list[Message]:
        with self.lock:
            found = (self.items.get(message_id(case_id, milestone)) for milestone in milestones)
            return [stored.message for stored in found if stored is not None]

    def claim(self, key: str, attempts: int, lease_until: datetime) -> bool:
        with self.lock:
            stored = self.items.get(key)
            if stored is None or stored.message.status != "pending" or stored.message.attempts != attempts:
                return False
            stored.message = replace(stored.message, attempts=attempts + 1)
            stored.pending_key = f"{_utc(lease_until)}#{key}"
            return True

    def retry_later(self, key: str, attempts: int, at: datetime, error_code: str) -> None:
        with self.lock:
            stored = self.items.get(key)
            if stored is None or stored.message.status != "pending" or stored.message.attempts != attempts:
                return  # someone else took it meanwhile: theirs now
            stored.message = replace(stored.message, last_error=error_code)
            stored.pending_key = f"{_utc(at)}#{key}"

    def note_receipt(self, key: str, receipt_key: str) -> None:
        with self.lock:
            stored = self.items.get(key)
            if stored is not None and receipt_key not in stored.message.receipts:
                stored.message = replace(stored.message, receipts=stored.message.receipts | {receipt_key})

    def due(self, now: datetime, limit: int = 500) -> list[str]:
        with self.lock:
            last = f"{_utc(now)}#~"
            keys: list[str] = []
            for shard in range(PENDING_SHARDS):
                due = sorted((s.pending_key, key) for key, s in self.items.items()
                             if s.pending_key is not None and s.pending_key <= last and _pending_shard(key) == shard)
                keys += [key for _, key in due[:limit]]
            return keys[:limit]


def _materials_digest(record: dict[str, Any]) -> str:
    """The materials as registered (a receipt changes none of it: the adapter keeps receipts in a part of their own)."""
    listed = [registration(m) for m in record["materials"]]
    return hashlib.sha256(json.dumps(listed, sort_keys=True).encode()).hexdigest()


def _receipts(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The receipt fields of the received materials, by material id (the adapter's receipts part)."""
    return {m["material_id"]: {k: m.get(k) for k in RECEIPT_FIELDS} for m in record["materials"]
            if m.get("status", "registered") != "registered"}


def _receipts_digest(record: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(_receipts(record), sort_keys=True).encode()).hexdigest()


def _with_receipts(materials: list[dict[str, Any]], receipts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The materials as registered, each with its receipt (if any) from ``receipts``."""
    blank = {k: None for k in RECEIPT_FIELDS} | {"status": "registered"}
    return [dict(registration(m), **receipts.get(m["material_id"], blank)) for m in materials]


class _Stored(Struct, frozen=True):
    record: str  # the case record as JSON (what the map attribute holds)
    version: int
    chain_head: str
    materials_version: int = 0  # as the adapter's materials part: bumped by each write of it, 0 before the first
    receipts_version: int = 0  # as the adapter's receipts part: bumped by each write of it, 0 before the first

    def case(self) -> Case:
        record = json.loads(self.record)
        versions = {"materials": self.materials_version, "receipts": self.receipts_version}
        return replace(from_record(record, self.version), chain_head=self.chain_head or GENESIS,
                       stored_parts={"materials": _materials_digest(record), "receipts": _receipts_digest(record)},
                       part_versions={part: version for part, version in versions.items() if version})


class _Event(Struct, frozen=True):
    seq: int
    record: dict[str, Any]
    prev_hash: str
    chain_hash: str


class FakePage(Struct, frozen=True):
    cases: list[Case]
    next_token: str | None


@dataclass
class FakeCases:
    entitlements: FakeEntitlements = field(default_factory=FakeEntitlements)
    outbox: FakeOutbox = field(default_factory=FakeOutbox)
    stored: dict[str, _Stored] = field(default_factory=dict)
    events: dict[str, list[_Event]] = field(default_factory=dict)
    supervised: set[str] = field(default_factory=set)  # the monitored-units registry
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.outbox.lock = self.lock  # one request at a time across the case and messages tables

    @property
    def locks(self) -> dict[str, dict[str, Any]]:
        """Person locks: key -> case_id, masked_id, held_from, released_from (shared with the entitlements)."""
        return self.entitlements.locks

    # --- reads ---------------------------------------------------------------------------------------------

    def get(self, case_id: str) -> Case:
        if not CASE_ID.fullmatch(case_id):
            raise NotFound("CASE_NOT_FOUND", f"no case {case_id[:40]}", "case_id")
        with self.lock:
            stored = self.stored.get(case_id)
        if stored is None:
            raise NotFound("CASE_NOT_FOUND", f"no case {case_id}", "case_id")
        return stored.case()

    def timeline(self, case_id: str) -> list[Event]:
        with self.lock:
            events = list(self.events.get(case_id, ()))
        return [Event(e.record["at"], e.record["event"], e.record["actor"], e.record["unit"],
                      dict(e.record.get("detail") or {})) for e in events]

    def chain(self, case_id: str) -> tuple[list[Link], str | None]:
        with self.lock:
            stored = self.stored.get(case_id)
            if stored is None:
                raise NotFound("CASE_NOT_FOUND", f"no case {case_id[:40]}", "case_id")
            return ([Link(e.seq, dict(e.record, detail=dict(e.record.get("detail") or {})), e.prev_hash,
                          e.chain_hash) for e in self.events.get(case_id, ())], stored.chain_head or None)

    def heads_of_day(self, day: str) -> dict[str, tuple[int, str]]:
        heads: dict[str, tuple[int, str]] = {}
        with self.lock:
            for case_id, events in self.events.items():
                for e in events:
                    if e.record["at"][:10] == day and (case_id not in heads or e.seq > heads[case_id][0]):
                        heads[case_id] = (e.seq, e.chain_hash)
        return heads

    def lock_holder(self, key: str, month: str | None = None) -> tuple[str, str] | None:
        lock = self.locks.get(key)
        if lock is None or released_by(lock.get("released_from"), month):
            return None
        return lock["case_id"], lock["masked_id"]

    # --- the unit of work ----------------------------------------------------------------------------------

    def save(self, case: Case, event: Event, writes: Writes = NO_WRITES) -> Case:
        with self.lock:
            if not self._holds(case, event, writes):
                for key in writes.guards:
                    holder = self.lock_holder(key, writes.holder_month)
                    if holder is not None and holder[0] != case.case_id:
                        raise LockHeld(key, *holder)
                raise StaleCase(case.case_id)
            link = appended(case, event)
            saved = replace(case, chain_head=link.chain_hash)
            record, stored = to_record(saved), self.stored.get(case.case_id)
            materials_version = stored.materials_version if stored else 0
            receipts_version = stored.receipts_version if stored else 0
            # as the adapter answers: the case as this change saved it, its parts' versions as read or as written
            versions = {part: case.part_versions.get(part, 0) for part in ("materials", "receipts")}
            stored_record = json.loads(stored.record) if stored is not None else None
            materials, receipts = record["materials"], _receipts(record)
            if case.stored_parts.get("materials") == _materials_digest(record) and stored_record is not None:
                materials = stored_record["materials"]  # not changed as registered: with registrations since
            elif record["materials"] or materials_version:
                materials_version += 1
                versions["materials"] = materials_version
            if case.stored_parts.get("receipts") == _receipts_digest(record) and stored_record is not None \
                    and not seals_receipts(event):
                receipts = _receipts(stored_record)  # no receipt changed: kept as stored (with receipts since)
            elif receipts or receipts_version or seals_receipts(event):  # a seal holds them: written on their version
                receipts_version += 1
                versions["receipts"] = receipts_version
            record["materials"] = _with_receipts(materials, receipts)
            answer = replace(_Stored(json.dumps(to_record(saved)), case.version + 1, link.chain_hash).case(),
                             part_versions={part: version for part, version in versions.items() if version})
            self.stored[case.case_id] = _Stored(json.dumps(record), case.version + 1, link.chain_hash,
                                                materials_version, receipts_version)
            self.events.setdefault(case.case_id, []).append(
                _Event(link.seq, json.loads(json.dumps(link.record)), link.prev_hash, link.chain_hash))
            for ent in writes.entitlements:
                self.entitlements.items[ent.entitlement_id] = replace(ent, version=1)
            for update in writes.updates:
                self.entitlements.apply(update)
            for claim in writes.claims:
                self.locks[claim.key] = {"case_id": claim.case_id, "masked_id": claim.masked_id,
                                         "held_from": claim.held_from, "released_from": claim.released_from}
            for release in writes.releases:
                self.locks.pop(release.key, None)
            for put in writes.messages:
                self.outbox.put(put)
            self.supervised.update(writes.supervised)
            return answer

    def register(self, case: Case, material: Material) -> None:
        """As the adapter: appended to the stored materials when the case was read with its materials part,
        else the part is written from the case as read, only if it still has never been written."""
        with self.lock:
            stored = self.stored.get(case.case_id)
            if stored is None:
                raise StaleCase(case.case_id)
            record = json.loads(stored.record)
            if "materials" in case.part_versions:
                materials = record["materials"]
            elif stored.materials_version == 0:
                materials = [material_record(m) for m in case.materials]
            else:
                raise StaleCase(case.case_id)
            record["materials"] = materials + [material_record(material)]
            self.stored[case.case_id] = replace(stored, record=json.dumps(record),
                                                materials_version=stored.materials_version + 1)

    def receive(self, case: Case, material: Material) -> None:
        """As the adapter: the one receipt, on the receipts' version as ``case`` was read (none written yet: only if
        still none is), no version of the case, no event; else ``StaleCase``."""
        with self.lock:
            stored = self.stored.get(case.case_id)
            if stored is None or case.part_versions.get("receipts", 0) != stored.receipts_version:
                raise StaleCase(case.case_id)
            record = json.loads(stored.record)
            receipts = _receipts(record)
            receipts[material.material_id] = {k: getattr(material, k) for k in RECEIPT_FIELDS}
            record["materials"] = _with_receipts(record["materials"], receipts)
            self.stored[case.case_id] = replace(stored, record=json.dumps(record),
                                                receipts_version=stored.receipts_version + 1)

    def _holds(self, case: Case, event: Event, writes: Writes) -> bool:
        """Every condition of the transaction, checked before anything is written."""
        stored = self.stored.get(case.case_id)
        if (stored is None) != (case.version == 0) or (stored is not None and stored.version != case.version):
            return False
        if stored is not None and case.stored_parts.get("materials") != _materials_digest(to_record(case)) \
                and case.part_versions.get("materials", 0) != stored.materials_version:
            return False  # the materials changed since they were read (a registration): refused on their version
        if stored is not None and (case.stored_parts.get("receipts") != _receipts_digest(to_record(case))
                                   or seals_receipts(event)) \
                and case.part_versions.get("receipts", 0) != stored.receipts_version:
            return False  # the receipts changed since they were read (a receipt): refused on their version
        if any(e.seq == case.version + 1 for e in self.events.get(case.case_id, ())):
            return False
        if any(ent.entitlement_id in self.entitlements.items for ent in writes.entitlements):
            return False
        if not all(self.entitlements.holds(update) for update in writes.updates):
            return False
        for claim in writes.claims:
            held = self.locks.get(claim.key)
            if held is not None and not released_by(held.get("released_from"), claim.free_from):
                return False
        for check in writes.checks:
            held = self.locks.get(check.key)
            if held is not None and not released_by(held.get("released_from"), check.month):
                return False
        return all(self.outbox.accepts(put) for put in writes.messages)

    # --- the indexes ---------------------------------------------------------------------------------------

    def _cases(self) -> list[Case]:
        with self.lock:
            return [stored.case() for stored in self.stored.values()]

    def worklist(
        self, side: str, scope: str, due_before: str | None, status: str | None,
        pushed_only: bool, limit: int, token: str | None, exclude_accepting: str | None = None,
    ) -> FakePage:
        """As the unit index query: the range on ``<unit>#<due>#<case>``, ``limit`` cases that pass the filters,
        and a token to resume after the last one returned while the range holds more."""
        area_attr, sort_attr = (("accepting_area", "accepting_sort") if side == "accepting"
                                else ("business_area", "business_sort"))
        start = _decode(token, area_attr, sort_attr, scope[:2])
        lower = scope if len(scope) < 9 else f"{scope}#"
        indexed = []
        for case in self._cases():
            unit = case.accepting_unit if side == "accepting" else case.business_unit
            if unit[:2] != scope[:2]:
                continue
            sort = f"{unit}#{_due(case)}#{case.case_id}"
            in_range = (lower <= sort <= f"{scope}#{due_before}" if due_before and len(scope) == 9
                        else sort.startswith(lower))
            if in_range and (start is None or sort > start):
                indexed.append((sort, case))
        indexed.sort(key=lambda pair: pair[0])
        taken: list[tuple[str, Case]] = []
        rest = iter(indexed)
        for sort, case in rest:
            if _passes(case, status, pushed_only, due_before if len(scope) < 9 else None, exclude_accepting):
                taken.append((sort, case))
                if len(taken) == limit:
                    break
        more = next(rest, None) is not None
        if not (len(taken) == limit and more):
            return FakePage([case for _, case in taken], None)
        last_sort, last = taken[-1]
        return FakePage([case for _, case in taken], _encode(
            {"case_id": {"S": last.case_id}, area_attr: {"S": scope[:2]}, sort_attr: {"S": last_sort}}))

    def due_through(self, last_day: str, first_day: str = "0000-00-00") -> tuple[list[Case], int]:
        found: list[tuple[str, str, Case]] = []
        for case in self._cases():
            deadline = case.open_deadline()
            if deadline is None:
                continue
            due_key = f"{deadline.due_on.isoformat()}#{case.case_id}"
            if first_day <= due_key <= f"{last_day}#~":
                found.append((due_shard(case.case_id), due_key, case))
        found.sort(key=lambda item: (int(item[0]), item[1]))
        return [case for _, _, case in found], len(found)

    def running_deadlines(self) -> dict[str, int]:
        counts = {kind: 0 for kind in DEADLINE_KINDS}
        for case in self._cases():
            deadline = case.open_deadline()
            if deadline is not None:
                counts[deadline.kind.value] = counts.get(deadline.kind.value, 0) + 1
        return counts


def _due(case: Case) -> str:
    deadline = case.open_deadline()
    return deadline.due_on.isoformat() if deadline else NO_DUE


def _passes(case: Case, status: str | None, pushed_only: bool, due_before: str | None,
            exclude_accepting: str | None) -> bool:
    return ((status is None or case.status.value == status) and (not pushed_only or case.pushed_on is not None)
            and (due_before is None or _due(case) < due_before)
            and not (exclude_accepting and case.accepting_unit.startswith(exclude_accepting)))


def _encode(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def _decode(token: str | None, area_attr: str, sort_attr: str, area: str) -> str | None:
    """The sort key to resume after; a token this side's index did not issue is refused as DynamoDB would."""
    if not token:
        return None
    refused = Invalid("BAD_PAGE_TOKEN", "next_token is not one this API issued", "next_token")
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        raise refused from None
    if not isinstance(key, dict) or not all(
        isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in key.values()
    ) or set(key) != {"case_id", area_attr, sort_attr} or key[area_attr]["S"] != area:
        raise refused
    return str(key[sort_attr]["S"])
