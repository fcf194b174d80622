"""DynamoDB: entitlements (补贴对象) and the person locks that prevent duplicate receipt.

- ``entitlements``: one item per person and subsidy, versioned; GSIs by 业务属地 (16 hash shards per
  unit, so a million-row payment roster is read in parallel pages), by village committee (monthly
  查询登记, sparse), and by person key (data comparison).
- ``person-locks``: ``<person key>#<subsidy>#application`` while an application is open, and
  ``<person key>#<subsidy>#entitlement`` held by the person's entitlement from its start month; when the
  entitlement is stopped for good the lock says from which month (``released_from``: the status in force,
  domain.payments.entitlements.release_month), and an application or approval from that month on may take it.
  They are written in the same transaction as the case or entitlement, conditioned, so two windows accepting the
  same person at the same instant cannot both succeed, and no two entitlements pay one month (重复领取).
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Iterator

from pynamodb.attributes import MapAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..config import load, table_name
from ..domain.cases.writes import (
    EntitlementUpdate,
    LockClaim,
    LockHolder,
    Writes,
    entitlement_claim,
    entitlement_update,
    released_by,
)
from ..domain.payments.entitlements import Change, Entitlement
from ..domain.refusals import StaleEntitlement
from .dynamo import OnDemand, error_code
from .shards import UNIT_SHARDS  # noqa: E402 - re-exported: the store and its callers share it


def unit_shard(business_unit: str, entitlement_id: str) -> str:
    shard = int(hashlib.sha256(entitlement_id.encode()).hexdigest(), 16) % UNIT_SHARDS
    return f"{business_unit}#{shard:02d}"


class UnitIndex(GlobalSecondaryIndex["EntitlementModel"]):
    class Meta(OnDemand):
        index_name = "by_unit_shard"
        projection = AllProjection()

    unit_shard = UnicodeAttribute(hash_key=True)
    entitlement_id = UnicodeAttribute(range_key=True)


class CommitteeIndex(GlobalSecondaryIndex["EntitlementModel"]):
    class Meta(OnDemand):
        index_name = "by_committee"
        projection = AllProjection()

    committee_unit = UnicodeAttribute(hash_key=True)
    entitlement_id = UnicodeAttribute(range_key=True)


class PersonIndex(GlobalSecondaryIndex["EntitlementModel"]):
    class Meta(OnDemand):
        index_name = "by_person"
        projection = AllProjection()

    person_key = UnicodeAttribute(hash_key=True)
    entitlement_id = UnicodeAttribute(range_key=True)


class EntitlementModel(Model):
    class Meta(OnDemand):
        table_name = table_name("entitlements")

    entitlement_id = UnicodeAttribute(hash_key=True)
    case_id = UnicodeAttribute()
    subsidy = UnicodeAttribute()
    person_key = UnicodeAttribute()
    business_unit = UnicodeAttribute()
    accepting_unit = UnicodeAttribute()
    committee_unit = UnicodeAttribute(null=True)
    unit_shard = UnicodeAttribute()
    body: MapAttribute[str, Any] = MapAttribute()
    version = VersionAttribute()
    by_unit = UnitIndex()
    by_committee = CommitteeIndex()
    by_person = PersonIndex()


class LockModel(Model):
    class Meta(OnDemand):
        table_name = table_name("person-locks")

    lock_key = UnicodeAttribute(hash_key=True)
    case_id = UnicodeAttribute()
    masked_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    held_from = UnicodeAttribute(null=True)  # entitlement locks: the start month
    released_from = UnicodeAttribute(null=True)  # entitlement locks: stopped for good from this month


def lock_free_from(month: str) -> Condition:
    """The lock may be taken for ``month``: nobody holds it, or its entitlement is stopped for good by then."""
    return LockModel.lock_key.does_not_exist() | (LockModel.released_from <= month)


def lock_item(claim: LockClaim) -> LockModel:
    return LockModel(claim.key, case_id=claim.case_id, masked_id=claim.masked_id, created_at=claim.created_at,
                     held_from=claim.held_from, released_from=claim.released_from)


def entitlement_lock(ent: Entitlement, now: datetime) -> LockModel:
    """The lock an entitlement holds, as its history says (released from its release month, if any)."""
    return lock_item(entitlement_claim(ent, now))


def add_writes(transaction: TransactWrite, writes: Writes) -> None:
    """The entitlements and person locks of a case change (domain.writes), into its transaction."""
    for ent in writes.entitlements:
        transaction.save(to_model(ent))  # versioned: a new entitlement only if absent
    for claim in writes.claims:
        transaction.save(lock_item(claim), condition=LockModel.lock_key.does_not_exist() if claim.free_from is None
                         else lock_free_from(claim.free_from))
    for release in writes.releases:
        transaction.delete(LockModel(release.key))
    for check in writes.checks:
        transaction.condition_check(LockModel, check.key, condition=lock_free_from(check.month))
    for update in writes.updates:
        add_update(transaction, update)


def add_update(transaction: TransactWrite, update: EntitlementUpdate) -> None:
    """An existing entitlement, conditioned on the version it was read at, and its lock as the update says."""
    transaction.save(to_model(update.entitlement))  # versioned: still at the version read
    if update.lock is not None:
        transaction.save(lock_item(update.lock), condition=LockModel.case_id.does_not_exist()
                         | (LockModel.case_id == update.entitlement.case_id))
    elif update.held_by is not None:
        transaction.condition_check(LockModel, update.lock_key, condition=LockModel.case_id == update.held_by)


def to_model(ent: Entitlement) -> EntitlementModel:
    body = {
        "case_id": ent.case_id, "subsidy": ent.subsidy, "masked_id": ent.masked_id, "name": ent.name,
        "business_unit": ent.business_unit, "accepting_unit": ent.accepting_unit,
        "committee_unit": ent.committee_unit, "start_month": ent.start_month,
        "history": [change.as_dict() for change in ent.history],
        "birth": ent.birth, "account": dict(ent.account) if ent.account else None, "id_number": ent.id_number,
    }
    item = EntitlementModel(
        ent.entitlement_id, case_id=ent.case_id, subsidy=ent.subsidy, person_key=ent.person_key,
        business_unit=ent.business_unit, accepting_unit=ent.accepting_unit, committee_unit=ent.committee_unit,
        unit_shard=unit_shard(ent.business_unit, ent.entitlement_id), body=body,
    )
    if ent.version:
        item.version = ent.version
    return item


def _change(stored: dict[str, Any]) -> Change:
    """A stored change; those written before pricing was recorded stated their amount (every approval did)."""
    amount = stored.get("monthly_amount")
    return Change(str(stored["kind"]), str(stored["effective_month"]), str(stored["reason"]), str(stored["by"]),
                  str(stored["at"]), status=stored.get("status"),
                  pricing=stored.get("pricing") or ("stated" if amount is not None else None),
                  monthly_amount=amount, facts=stored.get("facts"), committee=stored.get("committee"),
                  previous_committee=stored.get("previous_committee"), check=stored.get("check"))


def from_model(item: EntitlementModel) -> Entitlement:
    body = item.body.as_dict()
    history = tuple(_change(change) for change in body["history"])
    return Entitlement(item.entitlement_id, body["case_id"], body["subsidy"], item.person_key, body["masked_id"],
                       body["name"], body["business_unit"], body["accepting_unit"], body.get("committee_unit"),
                       body["start_month"], history, int(item.version or 0), birth=body.get("birth"),
                       account=body.get("account"), id_number=body.get("id_number"))


class Entitlements:
    def save(self, before: Entitlement, after: Entitlement, now: datetime) -> None:
        """The entitlement, conditioned on its version, and its person lock as its history now says
        (domain.writes.entitlement_update): released from the month it is stopped for good, or held again.
        ``LockTaken`` where another entitlement of the person holds the lock for months this would pay again;
        ``StaleEntitlement`` where the entitlement or the lock moved on meanwhile."""
        update = entitlement_update(before, after, self.holder, now)
        try:
            with TransactWrite(connection=Connection(region=load().region)) as transaction:
                add_update(transaction, update)
        except TransactWriteError as error:
            if error_code(error) == "TransactionCanceledException":
                raise StaleEntitlement(after.entitlement_id) from error
            raise

    def holder(self, key: str) -> LockHolder | None:
        """Who holds the person lock ``key`` (strongly consistent), or None."""
        lock = self._lock(key)
        return None if lock is None else LockHolder(lock.case_id, lock.masked_id, lock.held_from)

    @staticmethod
    def _lock(key: str) -> LockModel | None:
        try:
            return LockModel.get(key, consistent_read=True)
        except DoesNotExist:
            return None

    def get(self, entitlement_id: str) -> Entitlement | None:
        try:
            return from_model(EntitlementModel.get(entitlement_id, consistent_read=True))
        except DoesNotExist:
            return None

    def of_person(self, person_key: str) -> list[Entitlement]:
        return [from_model(item) for item in EntitlementModel.by_person.query(person_key)]

    def of_committee(self, committee_unit: str) -> list[Entitlement]:
        return [from_model(item) for item in EntitlementModel.by_committee.query(committee_unit)]

    def shard(self, business_unit: str, shard: int, page_size: int = 500) -> Iterator[Entitlement]:
        """Every entitlement of one 业务属地 shard, paged (a roster job reads the 16 shards in parallel)."""
        for item in EntitlementModel.by_unit.query(f"{business_unit}#{shard:02d}", page_size=page_size):
            yield from_model(item)

    def lock_holder(self, key: str, month: str | None = None) -> tuple[str, str] | None:
        """(case id, masked id number) holding ``key`` — for ``month``, if given: a lock released by then is
        held by nobody — or None."""
        lock = self._lock(key)
        if lock is None or released_by(lock.released_from, month):
            return None
        return lock.case_id, lock.masked_id


MODELS = (EntitlementModel, LockModel)
