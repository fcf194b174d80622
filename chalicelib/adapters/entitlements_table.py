"""DynamoDB: entitlements (补贴对象) and the person locks that prevent duplicate receipt.

- ``entitlements``: one item per person and subsidy, versioned; GSIs by 业务属地 (16 hash shards per
  unit, so a million-row payment roster is read in parallel pages), by village committee (monthly
  查询登记, sparse), and by person key (data comparison).
- ``person-locks``: ``<person key>#<subsidy>#application`` while an application is open and
  ``<person key>#<subsidy>#entitlement`` while an entitlement is active or suspended. They are
  written in the same transaction as the case or entitlement, conditioned on not existing, so two
  windows accepting the same person at the same instant cannot both succeed (重复领取).
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Iterator

from pynamodb.attributes import MapAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..config import load, table_name
from ..domain.entitlements import Change, Entitlement
from .dynamo import OnDemand

UNIT_SHARDS = 16



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
    status = UnicodeAttribute()
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


def lock_key(person_key: str, subsidy: str, kind: str) -> str:
    return f"{person_key}#{subsidy}#{kind}"


def to_model(ent: Entitlement) -> EntitlementModel:
    body = {
        "case_id": ent.case_id, "subsidy": ent.subsidy, "masked_id": ent.masked_id, "name": ent.name,
        "business_unit": ent.business_unit, "accepting_unit": ent.accepting_unit,
        "committee_unit": ent.committee_unit, "start_month": ent.start_month,
        "history": [vars(change) for change in ent.history],
    }
    item = EntitlementModel(
        ent.entitlement_id, case_id=ent.case_id, subsidy=ent.subsidy, person_key=ent.person_key,
        business_unit=ent.business_unit, accepting_unit=ent.accepting_unit, committee_unit=ent.committee_unit,
        unit_shard=unit_shard(ent.business_unit, ent.entitlement_id), status=ent.status, body=body,
    )
    if ent.version:
        item.version = ent.version
    return item


def from_model(item: EntitlementModel) -> Entitlement:
    body = item.body.as_dict()
    history = tuple(Change(**change) for change in body["history"])
    return Entitlement(item.entitlement_id, body["case_id"], body["subsidy"], item.person_key, body["masked_id"],
                       body["name"], body["business_unit"], body["accepting_unit"], body.get("committee_unit"),
                       body["start_month"], history, int(item.version or 0))


class StaleEntitlement(Exception):
    """The entitlement changed since it was read, or its person lock is taken."""


class Entitlements:
    def save(self, before: Entitlement, after: Entitlement, now: datetime) -> None:
        """The entitlement, conditioned on its version; its person lock follows its status (a stopped
        entitlement frees the person to apply again; resuming takes the lock back)."""
        key = lock_key(after.person_key, after.subsidy, "entitlement")
        try:
            with TransactWrite(connection=Connection(region=load().region)) as transaction:
                transaction.save(to_model(after))
                if before.status != "stopped" and after.status == "stopped":
                    transaction.delete(LockModel(key))
                if before.status == "stopped" and after.status != "stopped":
                    transaction.save(LockModel(key, case_id=after.case_id, masked_id=after.masked_id,
                                               created_at=now.isoformat()),
                                     condition=LockModel.lock_key.does_not_exist())
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                raise StaleEntitlement(after.entitlement_id) from error
            raise

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

    def lock_holder(self, key: str) -> tuple[str, str] | None:
        """(case id, masked id number) holding ``key``, or None."""
        try:
            lock = LockModel.get(key, consistent_read=True)
        except DoesNotExist:
            return None
        return lock.case_id, lock.masked_id


MODELS = (EntitlementModel, LockModel)
