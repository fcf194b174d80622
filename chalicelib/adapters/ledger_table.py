"""DynamoDB: the payment ledger and the rosters of each 业务属地.

- ``ledger``: one item per entitlement: what each finalized roster paid it (month by month) and what was
  recovered (domain.payments.ledger.Ledger), versioned; read by key, strongly consistent (no index: an index lags
  its writes, and a ledger a moment old could pay a month twice).
- ``payrolls``: hash ``unit``, range ``month``: one item per roster (draft, then finalized: who, when, the
  files' keys, versions and checksums, and every download), and the unit's head (range ``HEAD``): how many
  finalizations were applied (``seq``), the finalization in progress with its lease (``finalizing``), and the
  entitlements that may owe money back (``debt_ids`` of the last build, ``debt_candidates`` since).

Every ledger write of a finalization happens under the unit's claim (``claim``): one finalization at a time per
业务属地, and a recovery refused while one runs, so that a ledger item is never written by two at once.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from msgspec import Struct
from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..config import load, table_name
from ..domain.payments.ledger import Ledger, Payment, Recovery
from ..domain.refusals import AlreadyFinalized, LedgerBusy, StaleLedger
from .dynamo import OnDemand, error_code

HEAD = "HEAD"


class LedgerModel(Model):
    class Meta(OnDemand):
        table_name = table_name("ledger")

    entitlement_id = UnicodeAttribute(hash_key=True)
    business_unit = UnicodeAttribute()
    payments: ListAttribute[dict[str, Any]] = ListAttribute(default=list)
    recoveries: ListAttribute[dict[str, Any]] = ListAttribute(default=list)
    version = VersionAttribute()


class PayrollModel(Model):
    class Meta(OnDemand):
        table_name = table_name("payrolls")

    unit = UnicodeAttribute(hash_key=True)
    month = UnicodeAttribute(range_key=True)  # YYYY-MM, or HEAD
    status = UnicodeAttribute(null=True)  # draft | finalized
    draft: MapAttribute[str, Any] = MapAttribute(null=True)
    final: MapAttribute[str, Any] = MapAttribute(null=True)
    downloads: ListAttribute[dict[str, Any]] = ListAttribute(null=True)
    seq = NumberAttribute(null=True)
    finalizing: MapAttribute[str, Any] = MapAttribute(null=True)
    debt_ids = UnicodeSetAttribute(null=True)
    debt_candidates = UnicodeSetAttribute(null=True)
    debts_built_at = UnicodeAttribute(null=True)


class Head(Struct, frozen=True):
    unit: str
    seq: int
    finalizing: dict[str, Any] | None
    debt_ids: frozenset[str]
    debt_candidates: frozenset[str]
    debts_built_at: str | None


class RosterRecord(Struct, frozen=True):
    unit: str
    month: str
    status: str
    draft: dict[str, Any] | None
    final: dict[str, Any] | None
    downloads: list[dict[str, Any]]


def _months(stored: dict[str, Any]) -> tuple[tuple[str, Decimal], ...]:
    return tuple(sorted((month, Decimal(amount)) for month, amount in stored.items()))


def to_ledger(item: LedgerModel) -> Ledger:
    payments = tuple(Payment(p["roster"], int(p["seq"]), _months(p["months"])) for p in item.payments or [])
    recoveries = tuple(Recovery(r["recovery_id"], Decimal(r["amount"]), r["received_on"], r["reason"], r["by"],
                                r["at"], _months(r["months"])) for r in item.recoveries or [])
    return Ledger(item.entitlement_id, payments, recoveries, int(item.version or 0))


def to_item(ledger: Ledger, business_unit: str) -> LedgerModel:
    item = LedgerModel(
        ledger.entitlement_id, business_unit=business_unit,
        payments=[{"roster": p.roster, "seq": p.seq, "months": {m: f"{a:.2f}" for m, a in p.months}}
                  for p in ledger.payments],
        recoveries=[{"recovery_id": r.recovery_id, "amount": f"{r.amount:.2f}", "received_on": r.received_on,
                     "reason": r.reason, "by": r.by, "at": r.at, "months": {m: f"{a:.2f}" for m, a in r.months}}
                    for r in ledger.recoveries])
    if ledger.version:
        item.version = ledger.version
    return item


def _plain(value: Any) -> Any:
    """A PynamoDB map or list as plain JSON-like values (numbers as int where whole)."""
    if isinstance(value, MapAttribute):
        value = value.as_dict()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class LedgerTable:
    """The per-entitlement ledger items."""

    def get(self, entitlement_id: str) -> Ledger:
        try:
            return to_ledger(LedgerModel.get(entitlement_id, consistent_read=True))
        except DoesNotExist:
            return Ledger(entitlement_id)

    def many(self, entitlement_ids: Iterable[str]) -> dict[str, Ledger]:
        ids = sorted(set(entitlement_ids))
        found = {item.entitlement_id: to_ledger(item) for item in LedgerModel.batch_get(ids, consistent_read=True)}
        return {entitlement_id: found.get(entitlement_id, Ledger(entitlement_id)) for entitlement_id in ids}

    def put_all(self, business_unit: str, ledgers: Iterable[Ledger]) -> int:
        """Write ledgers in batches of 25; only under the unit's finalization claim. The count written."""
        written = 0
        with LedgerModel.batch_write() as batch:
            for ledger in ledgers:
                item = to_item(ledger, business_unit)
                item.version = ledger.version + 1
                batch.save(item)
                written += 1
        return written

    def save_recovery(self, business_unit: str, before: Ledger, after: Ledger, now: datetime) -> None:
        """The ledger with a recovery, if no finalization of the unit runs and nobody changed it meanwhile."""
        try:
            with TransactWrite(connection=Connection(region=load().region)) as transaction:
                transaction.condition_check(PayrollModel, business_unit, HEAD,
                                            condition=PayrollModel.finalizing.does_not_exist()
                                            | (PayrollModel.finalizing["lease_until"] < now.isoformat()))
                item = to_item(after, business_unit)
                item.version = before.version
                transaction.save(item)
        except TransactWriteError as error:
            if error_code(error) == "TransactionCanceledException":
                head = Payrolls().head(business_unit)
                if head.finalizing:
                    raise LedgerBusy(str(head.finalizing["month"]), str(head.finalizing["lease_until"])) from error
                raise StaleLedger(after.entitlement_id) from error
            raise


class Payrolls:
    """Roster records and the unit's head."""

    def head(self, unit: str) -> Head:
        try:
            item = PayrollModel.get(unit, HEAD, consistent_read=True)
        except DoesNotExist:
            return Head(unit, 0, None, frozenset(), frozenset(), None)
        return Head(unit, int(item.seq or 0), _plain(item.finalizing) if item.finalizing else None,
                    frozenset(item.debt_ids or ()), frozenset(item.debt_candidates or ()), item.debts_built_at)

    def roster(self, unit: str, month: str) -> RosterRecord | None:
        try:
            item = PayrollModel.get(unit, month, consistent_read=True)
        except DoesNotExist:
            return None
        return RosterRecord(unit, month, item.status or "draft", _plain(item.draft) if item.draft else None,
                            _plain(item.final) if item.final else None, _plain(item.downloads or []))

    def rosters(self, unit: str) -> list[RosterRecord]:
        items = PayrollModel.query(unit, PayrollModel.month < HEAD)  # months sort before "HEAD"
        return [RosterRecord(unit, item.month, item.status or "draft", _plain(item.draft) if item.draft else None,
                             _plain(item.final) if item.final else None, _plain(item.downloads or []))
                for item in items]

    def save_draft(self, unit: str, month: str, draft: dict[str, Any]) -> None:
        """The draft of a roster not yet finalized (a finalized roster is never drafted again)."""
        try:
            PayrollModel(unit, month).update(
                actions=[PayrollModel.status.set("draft"), PayrollModel.draft.set(draft)],
                condition=PayrollModel.status.does_not_exist() | (PayrollModel.status != "finalized"))
        except UpdateError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise AlreadyFinalized(month) from error
            raise

    def claim(self, unit: str, month: str, seq: int, by: str, now: datetime, lease_until: datetime) -> None:
        """Take the unit's finalization claim for ``month`` as finalization ``seq``: refused (LedgerBusy) while
        another claim's lease runs; an expired claim, or our own month's, is taken over."""
        claim = {"month": month, "seq": seq, "by": by, "started_at": now.isoformat(),
                 "lease_until": lease_until.isoformat()}
        try:
            PayrollModel(unit, HEAD).update(
                actions=[PayrollModel.finalizing.set(claim)],
                condition=PayrollModel.finalizing.does_not_exist()
                | (PayrollModel.finalizing["lease_until"] < now.isoformat())
                | (PayrollModel.finalizing["month"] == month))
        except UpdateError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                head = self.head(unit)
                busy = head.finalizing or {}
                raise LedgerBusy(str(busy.get("month", "")), str(busy.get("lease_until", ""))) from error
            raise

    def set_plan(self, unit: str, seq: int, plan: dict[str, Any]) -> None:
        """Record on the claim where its plan (the finalized roster and what it pays) is stored."""
        PayrollModel(unit, HEAD).update(actions=[PayrollModel.finalizing["plan"].set(plan)],
                                        condition=PayrollModel.finalizing["seq"] == seq)

    def release(self, unit: str, seq: int) -> None:
        """Give the claim back without finalizing (the draft was stale)."""
        try:
            PayrollModel(unit, HEAD).update(actions=[PayrollModel.finalizing.remove()],
                                            condition=PayrollModel.finalizing["seq"] == seq)
        except UpdateError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    def finish(self, unit: str, month: str, seq: int, final: dict[str, Any]) -> None:
        """The roster finalized and the claim released, in one transaction (refused if finalized already)."""
        try:
            with TransactWrite(connection=Connection(region=load().region)) as transaction:
                transaction.update(PayrollModel(unit, month),
                                   actions=[PayrollModel.status.set("finalized"), PayrollModel.final.set(final)],
                                   condition=PayrollModel.status.does_not_exist()
                                   | (PayrollModel.status != "finalized"))
                transaction.update(PayrollModel(unit, HEAD),
                                   actions=[PayrollModel.seq.set(seq), PayrollModel.finalizing.remove()],
                                   condition=PayrollModel.finalizing["seq"] == seq)
        except TransactWriteError as error:
            if error_code(error) == "TransactionCanceledException":
                raise AlreadyFinalized(month) from error
            raise

    def record_download(self, unit: str, month: str, entry: dict[str, Any]) -> None:
        """Each download of a roster file, appended (who, when, which file)."""
        PayrollModel(unit, month).update(
            actions=[PayrollModel.downloads.set((PayrollModel.downloads | []).append([entry]))],
            condition=PayrollModel.status.exists())

    def add_debt_candidate(self, unit: str, entitlement_id: str) -> None:
        PayrollModel(unit, HEAD).update(actions=[PayrollModel.debt_candidates.add({entitlement_id})])

    def set_debts(self, unit: str, debt_ids: set[str], covered: frozenset[str], at: str) -> None:
        """The debts a build found, replacing the last build's; the candidates it covered are removed."""
        actions: list[Any] = [PayrollModel.debts_built_at.set(at)]
        actions.append(PayrollModel.debt_ids.set(debt_ids) if debt_ids else PayrollModel.debt_ids.remove())
        if covered:
            actions.append(PayrollModel.debt_candidates.delete(set(covered)))
        PayrollModel(unit, HEAD).update(actions=actions)


MODELS = (LedgerModel, PayrollModel)
