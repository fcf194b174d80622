"""One contract, two implementations: the payment stores on moto (the adapters) and in memory (tests/fakes), so that
the service tests and the ledger's property tests that run on the fakes say something about production."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from msgspec.structs import replace

from chalicelib.adapters.entitlements_table import Entitlements, entitlement_lock, to_model
from chalicelib.adapters.ledger_table import LedgerTable, Payrolls
from chalicelib.adapters.payroll_files import PayrollFiles
from chalicelib.domain.payments.entitlements import Entitlement, correct, move
from chalicelib.domain.payments.ledger import Ledger, Recovery, apply_payment
from chalicelib.domain.refusals import AlreadyFinalized, LedgerBusy, LockTaken, StaleEntitlement, StaleLedger
from tests.fakes.payments import FakeEntitlements, FakeFiles, FakeLedgers, FakeRecords
from tests.integration.conftest import moto_world
from tests.support.payroll import LIVING, UNIT, approved

NOW = datetime.fromisoformat("2027-01-25T10:00:00+08:00")


@dataclass
class Stores:
    entitlements: Any
    ledgers: Any
    records: Any
    files: Any

    def add(self, ent: Entitlement) -> Entitlement:
        """What an approval's transaction writes: the entitlement and its person lock."""
        if isinstance(self.entitlements, FakeEntitlements):
            return self.entitlements.add(ent)
        to_model(ent).save()
        entitlement_lock(ent, NOW).save()
        stored = self.entitlements.get(ent.entitlement_id)
        assert stored is not None
        return stored


@pytest.fixture(params=["fake", "moto"])
def stores(request: pytest.FixtureRequest) -> Iterator[Stores]:
    if request.param == "fake":
        records = FakeRecords()
        yield Stores(FakeEntitlements(), FakeLedgers(records), records, FakeFiles())
        return
    with moto_world():
        yield Stores(Entitlements(), LedgerTable(), Payrolls(), PayrollFiles())


# --- entitlements ----------------------------------------------------------------------------------------------

def test_a_stale_entitlement_is_refused(stores):
    ent = stores.add(approved("C01", "living", "2026-03", LIVING, "2026-03-20T10:00:00+08:00"))
    stopped = move(ent, "stop", "2026-10", "迁出", "r1", NOW.isoformat())
    stores.entitlements.save(ent, stopped, NOW)
    with pytest.raises(StaleEntitlement):
        stores.entitlements.save(ent, correct(ent, "2026-05", "x", "r1", NOW.isoformat(), monthly_amount="90.00"), NOW)
    assert stores.entitlements.get("C01-living").status_in("2026-11") == "stopped"


def test_a_shard_lists_the_unit_s_entitlements_in_id_order(stores):
    for case in ("C05", "C01", "C03", "C02", "C04"):
        stores.add(approved(case, "living", "2026-03", LIVING, "2026-03-20T10:00:00+08:00"))
    stores.add(approved("C09", "living", "2026-03", LIVING, "2026-03-20T10:00:00+08:00", unit="230103001"))
    listed = [e.entitlement_id for shard in range(16) for e in stores.entitlements.shard(UNIT, shard)]
    assert sorted(listed) == [f"C0{n}-living" for n in range(1, 6)]
    for shard in range(16):
        ids = [e.entitlement_id for e in stores.entitlements.shard(UNIT, shard)]
        assert ids == sorted(ids)


def test_a_person_s_entitlements_are_found_by_person_key_in_id_order(stores):
    for case, subsidy in (("C02", "nursing"), ("C01", "living"), ("C02", "living")):
        stores.add(replace(approved(case, subsidy, "2026-03", LIVING, "2026-03-20T10:00:00+08:00"), person_key="pk-A"))
    stores.add(approved("C03", "living", "2026-03", LIVING, "2026-03-20T10:00:00+08:00"))
    assert [e.entitlement_id for e in stores.entitlements.of_person("pk-A")] == [
        "C01-living", "C02-living", "C02-nursing"]
    assert stores.entitlements.of_person("pk-A")[0] == stores.entitlements.get("C01-living")
    assert stores.entitlements.of_person("pk-nobody") == []


def test_a_stopped_entitlement_cannot_be_reactivated_over_another_that_took_its_lock(stores):
    old = stores.add(approved("C01", "living", "2026-03", LIVING, "2026-03-20T10:00:00+08:00"))
    stores.entitlements.save(old, move(old, "stop", "2026-10", "迁出", "r1", NOW.isoformat()), NOW)
    newer = approved("C02", "living", "2026-11", LIVING, "2026-11-20T10:00:00+08:00")  # the same person key
    newer = replace(newer, person_key=old.person_key)
    stores.add(newer)
    old = stores.entitlements.get("C01-living")
    with pytest.raises(LockTaken) as taken:
        stores.entitlements.save(old, correct(old, "2026-10", "误停", "r1", NOW.isoformat(), status="active"), NOW)
    assert (taken.value.case_id, taken.value.held_from) == ("C02", "2026-11")
    earlier = move(old, "stop", "2026-08", "更早迁出", "r1", NOW.isoformat())  # released earlier: no overlap
    stores.entitlements.save(old, earlier, NOW)
    assert stores.entitlements.get("C01-living").release_month() == "2026-08"


def test_a_committee_change_reads_back_whole_and_a_stale_one_is_refused(stores):
    """Issue 16.6: the committee set last, the line of the history (from and to) and the committee in force month by
    month read back as written; a change made from a version no longer stored is refused."""
    from chalicelib.domain.payments.entitlements import change_committee

    ent = stores.add(approved("C01", "living", "2026-03", LIVING, "2026-03-20T10:00:00+08:00"))
    changed = change_committee(ent, f"{UNIT}002", "迁居本镇另一社区", "r1", NOW.isoformat(), "2027-01")
    stores.entitlements.save(ent, changed, NOW)
    back = stores.entitlements.get("C01-living")
    assert back is not None and back.version == ent.version + 1
    assert [c.as_dict() for c in back.history] == [c.as_dict() for c in changed.history]
    assert (back.committee_unit, back.committee_in("2027-01"), back.committee_in("2027-02")) == (
        f"{UNIT}002", f"{UNIT}001", f"{UNIT}002")
    with pytest.raises(StaleEntitlement):
        stores.entitlements.save(ent, change_committee(ent, f"{UNIT}201", "x", "r2", NOW.isoformat(), "2027-01"), NOW)
    assert stores.entitlements.get("C01-living").committee_unit == f"{UNIT}002"


# --- ledgers -----------------------------------------------------------------------------------------------

def paid(entitlement_id: str, seq: int = 1) -> Ledger:
    return apply_payment(Ledger(entitlement_id), "2026-12", seq, (("2026-11", Decimal("99.00")),
                                                                  ("2026-12", Decimal("99.00"))))


def test_a_ledger_is_empty_until_written_and_reads_back_whole(stores):
    assert stores.ledgers.get("C01-living") == Ledger("C01-living")
    assert stores.ledgers.put_all(UNIT, [paid("C01-living"), paid("C02-living")]) == 2
    back = stores.ledgers.get("C01-living")
    assert back.paid() == {"2026-11": Decimal("99.00"), "2026-12": Decimal("99.00")} and back.version == 1
    both = stores.ledgers.many(["C01-living", "C03-living"])
    assert both["C01-living"].paid() == back.paid() and both["C03-living"] == Ledger("C03-living")


def recovered(ledger: Ledger) -> Ledger:
    return Ledger(ledger.entitlement_id, ledger.payments, (Recovery("R1", Decimal("99.00"), "2027-01-20", "退回", "r1",
                                                                    NOW.isoformat(), (("2026-12", Decimal("99.00")),)),),
                  ledger.version)


def test_a_recovery_on_a_stale_ledger_or_during_a_finalization_is_refused(stores):
    stores.ledgers.put_all(UNIT, [paid("C01-living")])
    current = stores.ledgers.get("C01-living")
    stores.ledgers.save_recovery(UNIT, current, recovered(current), NOW)
    assert stores.ledgers.get("C01-living").paid()["2026-12"] == Decimal("0.00")
    with pytest.raises(StaleLedger):
        stores.ledgers.save_recovery(UNIT, current, recovered(current), NOW)
    stores.records.claim(UNIT, "2027-01", 2, "r1", NOW, NOW + timedelta(minutes=20))
    latest = stores.ledgers.get("C01-living")
    with pytest.raises(LedgerBusy) as busy:
        stores.ledgers.save_recovery(UNIT, latest, recovered(latest), NOW)
    assert busy.value.month == "2027-01"


# --- roster records and the unit's claim -------------------------------------------------------------------

def test_one_finalization_at_a_time_an_expired_claim_is_taken_over_and_a_month_is_finalized_once(stores):
    records = stores.records
    records.save_draft(UNIT, "2027-01", {"sha256": "a" * 64})
    records.claim(UNIT, "2027-01", 1, "r1", NOW, NOW + timedelta(minutes=20))
    with pytest.raises(LedgerBusy):
        records.claim(UNIT, "2027-02", 2, "r2", NOW + timedelta(minutes=5), NOW + timedelta(minutes=25))
    records.claim(UNIT, "2027-02", 2, "r2", NOW + timedelta(minutes=21), NOW + timedelta(minutes=41))  # expired
    with pytest.raises(AlreadyFinalized):
        records.finish(UNIT, "2027-01", 1, {"sha256": "a" * 64})  # the claim is no longer seq 1's
    records.finish(UNIT, "2027-02", 2, {"sha256": "b" * 64})
    head = records.head(UNIT)
    assert (head.seq, head.finalizing) == (2, None)
    with pytest.raises(AlreadyFinalized):
        records.save_draft(UNIT, "2027-02", {"sha256": "c" * 64})
    records.claim(UNIT, "2027-02", 3, "r1", NOW + timedelta(hours=1), NOW + timedelta(hours=2))
    with pytest.raises(AlreadyFinalized):
        records.finish(UNIT, "2027-02", 3, {"sha256": "c" * 64})
    records.release(UNIT, 3)
    assert records.head(UNIT).finalizing is None
    assert [(r.month, r.status) for r in records.rosters(UNIT)] == [("2027-01", "draft"), ("2027-02", "finalized")]


def test_downloads_and_debt_lists_are_kept(stores):
    records = stores.records
    records.save_draft(UNIT, "2027-01", {"sha256": "a" * 64})
    records.record_download(UNIT, "2027-01", {"by": "r1", "at": NOW.isoformat()})
    records.record_download(UNIT, "2027-01", {"by": "r2", "at": NOW.isoformat()})
    assert [d["by"] for d in records.roster(UNIT, "2027-01").downloads] == ["r1", "r2"]
    records.add_debt_candidate(UNIT, "C01-living")
    records.add_debt_candidate(UNIT, "C02-living")
    records.set_debts(UNIT, {"C03-living"}, frozenset({"C01-living"}), NOW.isoformat())
    head = records.head(UNIT)
    assert (head.debt_ids, head.debt_candidates) == ({"C03-living"}, {"C02-living"})
    records.set_debts(UNIT, set(), frozenset(), NOW.isoformat())
    assert records.head(UNIT).debt_ids == frozenset()


# --- files -------------------------------------------------------------------------------------------------

def test_files_keep_every_version(stores):
    files = stores.files
    first = files.put_part("payroll/t/a.csv", "一\n")
    files.put_part("payroll/t/a.csv", "二\n")
    files.put_part("payroll/t/b.csv", "三\n")
    version, size = files.combine(["payroll/t/a.csv", "payroll/t/b.csv"], "payroll/t/all.csv")
    assert files.read_text("payroll/t/all.csv", version) == "二\n三\n" and size == len("二\n三\n".encode())
    assert files.read_text("payroll/t/a.csv", first.version_id) == "一\n"
    assert len(files.sha256_of("payroll/t/all.csv", version)) == 64
