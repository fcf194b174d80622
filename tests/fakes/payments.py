"""The payment stores in memory: entitlements (with their person locks), ledgers, roster records, roster files.

Each behaves as its DynamoDB or S3 adapter does for what the services use (tests/contract runs one suite on both):
versions refuse stale writes, the unit's claim refuses a second finalization and a recovery while one runs, a
finalized roster refuses a draft and a second finalization, every stored file keeps its versions.
"""
from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from msgspec.structs import replace

from chalicelib.adapters.entitlements_table import unit_shard
from chalicelib.adapters.ledger_table import Head, RosterRecord
from chalicelib.adapters.payroll_files import StoredPart
from chalicelib.domain.cases.writes import EntitlementUpdate, LockHolder, entitlement_update
from chalicelib.domain.payments.entitlements import Entitlement
from chalicelib.domain.payments.ledger import Ledger
from chalicelib.domain.payments.owed import Standards
from chalicelib.domain.refusals import AlreadyFinalized, LedgerBusy, StaleEntitlement, StaleLedger


@lru_cache(maxsize=None)
def _shard_of(unit: str, entitlement_id: str) -> str:
    """The shard the adapters' index puts an item in (the same hash), remembered."""
    return unit_shard(unit, entitlement_id)


@dataclass
class FakeEntitlements:
    items: dict[str, Entitlement] = field(default_factory=dict)
    locks: dict[str, dict[str, Any]] = field(default_factory=dict)  # lock key -> case_id, held_from, released_from

    def add(self, ent: Entitlement) -> Entitlement:
        """An approval's entitlement (the case transaction writes it in production)."""
        stored = replace(ent, version=1)
        self.items[ent.entitlement_id] = stored
        self.locks[f"{ent.person_key}#{ent.subsidy}#entitlement"] = {
            "case_id": ent.case_id, "masked_id": ent.masked_id, "held_from": ent.start_month,
            "released_from": ent.release_month()}
        return stored

    def get(self, entitlement_id: str) -> Entitlement | None:
        return self.items.get(entitlement_id)

    def of_person(self, person_key: str) -> list[Entitlement]:
        """The person's entitlements, in id order (the by_person index's range key)."""
        return [self.items[i] for i in sorted(self.items) if self.items[i].person_key == person_key]

    def shard(self, business_unit: str, shard: int, page_size: int = 500) -> Iterator[Entitlement]:
        wanted = f"{business_unit}#{shard:02d}"
        for entitlement_id in sorted(self.items):
            ent = self.items[entitlement_id]
            if _shard_of(ent.business_unit, entitlement_id) == wanted:
                yield self.items[entitlement_id]

    def save(self, before: Entitlement, after: Entitlement, now: datetime) -> None:
        update = entitlement_update(before, after, self.holder, now)
        if not self.holds(update):
            raise StaleEntitlement(after.entitlement_id)
        self.apply(update)

    def holder(self, key: str) -> LockHolder | None:
        lock = self.locks.get(key)
        return None if lock is None else LockHolder(lock["case_id"], lock["masked_id"], lock["held_from"])

    def holds(self, update: EntitlementUpdate) -> bool:
        """The update's conditions (the adapter's ``add_update``): the version read, the lock as it was."""
        current = self.items.get(update.entitlement.entitlement_id)
        if current is None or current.version != update.entitlement.version:
            return False
        lock = self.locks.get(update.lock_key)
        if update.lock is not None:
            return lock is None or lock["case_id"] == update.entitlement.case_id
        if update.held_by is not None:
            return lock is not None and lock["case_id"] == update.held_by
        return True

    def apply(self, update: EntitlementUpdate) -> None:
        ent = update.entitlement
        if update.lock is not None:
            self.locks[update.lock_key] = {"case_id": ent.case_id, "masked_id": ent.masked_id,
                                           "held_from": update.lock.held_from,
                                           "released_from": update.lock.released_from}
        self.items[ent.entitlement_id] = replace(ent, version=ent.version + 1)


@dataclass
class FakeLedgers:
    records: FakeRecords
    items: dict[str, tuple[str, Ledger]] = field(default_factory=dict)  # id -> (business unit, ledger)

    def get(self, entitlement_id: str) -> Ledger:
        return self.items.get(entitlement_id, ("", Ledger(entitlement_id)))[1]

    def many(self, entitlement_ids: Iterable[str]) -> dict[str, Ledger]:
        return {i: self.get(i) for i in sorted(set(entitlement_ids))}

    def put_all(self, business_unit: str, ledgers: Iterable[Ledger]) -> int:
        written = 0
        for ledger in ledgers:
            self.items[ledger.entitlement_id] = (business_unit, replace(ledger, version=ledger.version + 1))
            written += 1
        return written

    def save_recovery(self, business_unit: str, before: Ledger, after: Ledger, now: datetime) -> None:
        head = self.records.head(business_unit)
        if head.finalizing and head.finalizing["lease_until"] >= now.isoformat():
            raise LedgerBusy(str(head.finalizing["month"]), str(head.finalizing["lease_until"]))
        if self.get(after.entitlement_id).version != before.version:
            raise StaleLedger(after.entitlement_id)
        self.items[after.entitlement_id] = (business_unit, replace(after, version=before.version + 1))


@dataclass
class FakeRecords:
    heads: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def _head(self, unit: str) -> dict[str, Any]:
        return self.heads.setdefault(unit, {"seq": 0, "finalizing": None, "debt_ids": set(), "debt_candidates": set(),
                                            "debts_built_at": None})

    def head(self, unit: str) -> Head:
        h = self._head(unit)
        return Head(unit, h["seq"], dict(h["finalizing"]) if h["finalizing"] else None, frozenset(h["debt_ids"]),
                    frozenset(h["debt_candidates"]), h["debts_built_at"])

    def roster(self, unit: str, month: str) -> RosterRecord | None:
        item = self.items.get((unit, month))
        if item is None:
            return None
        return RosterRecord(unit, month, item["status"], item.get("draft"), item.get("final"),
                            list(item.get("downloads", [])))

    def rosters(self, unit: str) -> list[RosterRecord]:
        return [r for (u, m) in sorted(self.items) if u == unit and (r := self.roster(u, m)) is not None]

    def save_draft(self, unit: str, month: str, draft: dict[str, Any]) -> None:
        item = self.items.setdefault((unit, month), {"status": "draft"})
        if item["status"] == "finalized":
            raise AlreadyFinalized(month)
        item["draft"] = dict(draft)

    def claim(self, unit: str, month: str, seq: int, by: str, now: datetime, lease_until: datetime) -> None:
        h = self._head(unit)
        busy = h["finalizing"]
        if busy and busy["lease_until"] >= now.isoformat() and busy["month"] != month:
            raise LedgerBusy(str(busy["month"]), str(busy["lease_until"]))
        h["finalizing"] = {"month": month, "seq": seq, "by": by, "started_at": now.isoformat(),
                           "lease_until": lease_until.isoformat()}

    def set_plan(self, unit: str, seq: int, plan: dict[str, Any]) -> None:
        h = self._head(unit)
        assert h["finalizing"] and h["finalizing"]["seq"] == seq
        h["finalizing"]["plan"] = dict(plan)

    def release(self, unit: str, seq: int) -> None:
        h = self._head(unit)
        if h["finalizing"] and h["finalizing"]["seq"] == seq:
            h["finalizing"] = None

    def finish(self, unit: str, month: str, seq: int, final: dict[str, Any]) -> None:
        h = self._head(unit)
        item = self.items.setdefault((unit, month), {"status": "draft"})
        if item["status"] == "finalized" or not h["finalizing"] or h["finalizing"]["seq"] != seq:
            raise AlreadyFinalized(month)
        item.update(status="finalized", final=dict(final))
        h["seq"], h["finalizing"] = seq, None

    def record_download(self, unit: str, month: str, entry: dict[str, Any]) -> None:
        self.items[(unit, month)].setdefault("downloads", []).append(dict(entry))

    def add_debt_candidate(self, unit: str, entitlement_id: str) -> None:
        self._head(unit)["debt_candidates"].add(entitlement_id)

    def set_debts(self, unit: str, debt_ids: set[str], covered: frozenset[str], at: str) -> None:
        h = self._head(unit)
        h["debt_ids"], h["debts_built_at"] = set(debt_ids), at
        h["debt_candidates"] -= covered


@dataclass
class FakeFiles:
    objects: dict[str, list[bytes]] = field(default_factory=dict)
    _versions: Iterator[int] = field(default_factory=itertools.count)

    def _put(self, key: str, body: bytes) -> str:
        self.objects.setdefault(key, []).append(body)
        return f"{key}#{len(self.objects[key]) - 1}"

    def _get(self, key: str, version_id: str | None) -> bytes:
        versions = self.objects[key]
        return versions[int(version_id.rsplit("#", 1)[1])] if version_id else versions[-1]

    def put_part(self, key: str, text: str) -> StoredPart:
        body = text.encode("utf-8")
        version = self._put(key, body)
        return StoredPart(key, hashlib.md5(body).hexdigest(), len(body), version)

    def combine(self, parts: list[str], key: str) -> tuple[str | None, int]:
        body = b"".join(self.objects[part][-1] for part in parts)
        return self._put(key, body), len(body)

    def presigned_get(self, key: str, seconds: int = 900, version_id: str | None = None) -> str:
        return f"memory://{key}?versionId={version_id or ''}&expires={seconds}"

    def sha256_of(self, key: str, version_id: str | None = None) -> str:
        return hashlib.sha256(self._get(key, version_id)).hexdigest()

    def read_text(self, key: str, version_id: str | None = None) -> str:
        return self._get(key, version_id).decode("utf-8")


@dataclass
class FakePricing:
    standards_: Standards
    policy: str = "masked"

    def standards(self, business_unit: str) -> Standards:
        return self.standards_

    def id_policy(self, business_unit: str, month: str) -> str:
        return self.policy


def fake_payroll(standards: Standards, policy: str = "masked") -> Any:
    """A ``services.payroll.Payroll`` on the fakes."""
    from chalicelib.services.payroll import Payroll

    records = FakeRecords()
    return Payroll(entitlements=FakeEntitlements(), ledgers=FakeLedgers(records), records=records, files=FakeFiles(),
                   pricing=FakePricing(standards, policy))
