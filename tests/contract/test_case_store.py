"""One contract, two implementations: the case store on moto (``adapters.store.CaseRepository`` with the messages and
entitlements tables) and in memory (``tests.fakes.cases``). What the service tests on the fakes rely on: a case
change is one unit (the case on its version, the event on its sequence, each lock, entitlement and message on its
condition, the 业务属地 an approval registers), refused whole as ``StaleCase`` or, for a lock another case holds, ``LockHeld`` naming it; the timeline
is a hash chain; the outbox's conditional updates and pending index; the worklist, due-day and census reads."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from msgspec.structs import replace

from chalicelib.adapters.case_tables import RECEIPT_LIST, CaseModel, EventModel, PartModel, part_key
from chalicelib.adapters.entitlements_table import EntitlementModel, Entitlements, LockModel
from chalicelib.adapters.messages_table import MessageModel, Outbox
from chalicelib.adapters.monitored_units import MonitoredUnitModel, MonitoredUnits
from chalicelib.adapters.store import CaseRepository
from chalicelib.domain.cases.audit import first_break
from chalicelib.domain.cases.case import (
    Case,
    Deadline,
    DeadlineKind,
    Event,
    Material,
    Status,
    receipts_canonical,
    sealed,
)
from chalicelib.domain.cases.messages import LEASE
from chalicelib.domain.cases.outbox import after_receipt, final, message_id, queued
from chalicelib.domain.cases.phases import DEADLINE_KINDS
from chalicelib.domain.cases.writes import (
    LockCheck,
    LockClaim,
    LockRelease,
    Writes,
    entitlement_claim,
    entitlement_update,
    lock_key,
)
from chalicelib.domain.errors import Invalid, NotFound
from chalicelib.domain.payments.entitlements import move
from chalicelib.domain.refusals import LockHeld, StaleCase
from chalicelib.services import audit
from tests.contract.conftest import emptied
from tests.fakes.cases import FakeCases
from tests.support.payroll import LIVING, approved

CHINA = timezone(timedelta(hours=8))
NOW = datetime(2026, 9, 24, 10, 0, tzinfo=CHINA)
WINDOW, TOWNSHIP = "310101002", "230102001"
PERSON = "p" * 64  # a keyed hash of an ID number
MASKED = "2301**********123X"


@dataclass
class Store:
    cases: Any
    outbox: Any
    entitlements: Any
    supervised: Any  # () -> the registered 业务属地, sorted

    def tamper_receipt(self, case_id: str, material_id: str, received_by: str) -> None:
        """Someone with write access to the table rewrites who received a material (its receipt, outside the chain)."""
        if isinstance(self.cases, FakeCases):
            stored = self.cases.stored[case_id]
            record = json.loads(stored.record)
            for material in record["materials"]:
                if material["material_id"] == material_id:
                    material["received_by"] = received_by
            self.cases.stored[case_id] = replace(stored, record=json.dumps(record))
            return
        boto3.client("dynamodb").update_item(
            TableName=PartModel.Meta.table_name, Key={"case_id": {"S": part_key(case_id, "receipts")}},
            UpdateExpression=f"SET #b.#r.#m[{RECEIPT_LIST.index('received_by')}] = :who",
            ExpressionAttributeNames={"#b": "body", "#r": "receipts", "#m": material_id},
            ExpressionAttributeValues={":who": {"S": received_by}})

    def tamper(self, case_id: str, seq: int, unit: str | None) -> None:
        """Someone with write access to the table rewrites the event's unit, or (None) removes the event."""
        if isinstance(self.cases, FakeCases):
            events = self.cases.events[case_id]
            index = next(i for i, e in enumerate(events) if e.seq == seq)
            if unit is None:
                del events[index]
            else:
                events[index] = replace(events[index], record=dict(events[index].record, unit=unit))
            return
        key = {"case_id": {"S": case_id}, "seq": {"N": str(seq)}}
        table = boto3.client("dynamodb")
        if unit is None:
            table.delete_item(TableName=EventModel.Meta.table_name, Key=key)
        else:
            table.update_item(TableName=EventModel.Meta.table_name, Key=key, UpdateExpression="SET #u = :u",
                              ExpressionAttributeNames={"#u": "unit"}, ExpressionAttributeValues={":u": {"S": unit}})


@pytest.fixture()
def store(backend: str) -> Store:
    if backend == "fake":
        fake = FakeCases()
        return Store(fake, fake.outbox, fake.entitlements, lambda: sorted(fake.supervised))
    emptied(CaseModel, EventModel, LockModel, EntitlementModel, MessageModel, MonitoredUnitModel)  # empty tables
    return Store(CaseRepository(), Outbox(), Entitlements(), MonitoredUnits().all)


def a_case(case_id: str, accepting: str = WINDOW, business: str = TOWNSHIP, status: Status = Status.AWAITING_MATERIALS,
           deadline: tuple[DeadlineKind, str] | None = None, pushed: bool = False) -> Case:
    deadlines = () if deadline is None else (
        Deadline(deadline[0], date(2026, 9, 24), 3, date.fromisoformat(deadline[1]), False, "test"),)
    return Case(case_id=case_id, status=status, accepting_unit=accepting, business_unit=business,
                scope="cross_province", applied_on=date(2026, 9, 24), applied_at=NOW.isoformat(),
                applicant={"name": "张三", "id_number": "23010219800101123X", "phone": "13800000000"},
                certificate={"number": "2301021980010112341"}, subsidies=("living",), notice=(),
                deadlines=deadlines, pushed_on=date(2026, 10, 9) if pushed else None)


def event(kind: str = "accepted", at: datetime = NOW, **detail: Any) -> Event:
    return Event(at.isoformat(), kind, "window-1", WINDOW, detail)


def application_lock(case_id: str) -> LockClaim:
    return LockClaim(lock_key(PERSON, "living", "application"), case_id, MASKED, NOW.isoformat())


# --- the case and its timeline ---------------------------------------------------------------------------------

def test_a_new_case_reads_back_at_version_one_with_its_event_at_the_head_of_a_valid_chain(store):
    saved = store.cases.save(a_case("C1"), event(subsidies=["living"]))
    read = store.cases.get("C1")
    assert saved.version == read.version == 1 and read.chain_head == saved.chain_head
    assert replace(read, chain_head="") == replace(a_case("C1"), version=1)
    second = store.cases.save(replace(read, status=Status.AWAITING_PUSH), event("materials_completed"))
    assert second.version == 2 and store.cases.get("C1").status == Status.AWAITING_PUSH
    assert [(e.event, dict(e.detail)) for e in store.cases.timeline("C1")] == [
        ("accepted", {"subsidies": ["living"]}), ("materials_completed", {})]
    links, head = store.cases.chain("C1")
    verdict = first_break("C1", links, head)
    assert verdict.valid and verdict.events == 2 and head == second.chain_head


def test_a_rewritten_or_removed_event_breaks_the_chain_at_its_link(store):
    case = store.cases.save(a_case("C1"), event())
    for kind in ("materials_completed", "pushed", "identity_read"):
        case = store.cases.save(case, event(kind))
    store.tamper("C1", 2, "999999999")
    rewritten = first_break("C1", *store.cases.chain("C1"))
    assert (rewritten.valid, rewritten.first_broken_seq) == (False, 2) and "content" in (rewritten.reason or "")
    assert store.cases.timeline("C1")[1].unit == "999999999"  # what is read is what is stored
    store.cases.save(a_case("C2"), event())
    store.tamper("C2", 1, None)
    removed = first_break("C2", *store.cases.chain("C2"))
    assert (removed.valid, removed.first_broken_seq) == (False, 1)


def test_a_change_to_one_part_of_a_case_keeps_every_other_part_as_stored(store):
    """The case store may keep a case in parts and write only those a change changed (adapters/case_tables.PARTS):
    whatever was changed last, the case reads back whole, each part as its last change left it."""
    case = store.cases.save(a_case("C1"), event())
    material = Material("m1", "id_card", "id.pdf", "application/pdf", 10, "0" * 64, "cases/C1/materials/m1",
                        NOW.isoformat())
    case = store.cases.save(replace(case, materials=(material,)), event("material_registered"))
    case = store.cases.save(replace(case, applicant=dict(case.applicant, phone="13900000000")), event("identity_read"))
    case = store.cases.save(replace(case, status=Status.AWAITING_PUSH), event("materials_completed"))
    decision = {"outcome": "refused", "subsidies": [], "reason": "不符合"}
    case = store.cases.save(replace(case, decision=decision), event("decided"))
    read = store.cases.get("C1")
    assert replace(read, chain_head="") == replace(
        a_case("C1"), applicant=dict(a_case("C1").applicant, phone="13900000000"), materials=(material,),
        status=Status.AWAITING_PUSH, decision=decision, version=5)
    assert read == case and [e.event for e in store.cases.timeline("C1")][-1] == "decided"


def slot(material_id: str, code: str = "id_card") -> Material:
    return Material(material_id, code, f"{code}.pdf", "application/pdf", 10, "0" * 64,
                    f"cases/C1/materials/{material_id}", NOW.isoformat())


def test_a_registration_adds_to_the_materials_without_a_version_or_an_event_and_no_registration_is_lost(store):
    """A registration (an upload slot) is not a change of the case: it is added to the materials as stored, even from
    an older read, and moves neither the version nor the timeline. A receipt changes none of the materials as
    registered: made on an older read it lands and keeps every registration made since. A change of the materials as
    registered made on an older read is refused (``StaleCase``) rather than writing them back without one."""
    case = store.cases.save(a_case("C1"), event())
    store.cases.register(case, slot("m1"))  # the first: the materials are written from this read
    with pytest.raises(StaleCase):  # a second from the same read, before it knew the materials were written
        store.cases.register(case, slot("m0"))
    first = store.cases.get("C1")
    store.cases.register(first, slot("m2", "photo"))
    store.cases.register(first, slot("m3", "photo"))  # from the same read: appended all the same
    read = store.cases.get("C1")
    assert [m.material_id for m in read.materials] == ["m1", "m2", "m3"]
    assert read.version == case.version and [e.event for e in store.cases.timeline("C1")] == ["accepted"]
    received = store.cases.save(  # on the read before m2 and m3
        replace(first, materials=(replace(first.materials[0], status="received", received_at=NOW.isoformat(),
                                          object_version="v1"),)), event("material_received"))
    assert [(m.material_id, m.status, m.object_version) for m in store.cases.get("C1").materials] == [
        ("m1", "received", "v1"), ("m2", "registered", None), ("m3", "registered", None)]
    with pytest.raises(StaleCase):  # the materials as registered, changed on the read before m2 and m3
        store.cases.save(replace(received, materials=received.materials + (slot("m9"),)), event("corrected"))
    fresh = store.cases.get("C1")
    store.cases.save(replace(fresh, materials=tuple(replace(m, status="received") if m.material_id == "m2" else m
                                                    for m in fresh.materials)), event("material_received"))
    assert [(m.material_id, m.status) for m in store.cases.get("C1").materials] == [
        ("m1", "received"), ("m2", "received"), ("m3", "registered")]


def receipt(material: Material, seq: int, by: str = "window-1") -> Material:
    return replace(material, status="received", received_at=NOW.isoformat(), object_version=f"v-{material.material_id}",
                   received_by=by, received_unit=WINDOW, received_seq=seq)


def test_a_receipt_alone_is_kept_without_a_version_or_an_event_and_two_from_one_read_conflict(store):
    """A receipt that changes the case no further (``CaseRepository.receive``) is no change of the case, as a
    registration is none: the receipts alone are written, on their version as read (none yet: only if none were
    ever written), so of two receipts made on the same read one is refused (``StaleCase``) and retried on a fresh
    read; it keeps who received it, where and the case's version then. A change that rewrites the receipts made
    on a read before a receipt is refused; one that does not touch them keeps it."""
    case = store.cases.save(a_case("C1"), event())
    for material_id in ("m1", "m2", "m3"):
        store.cases.register(store.cases.get("C1"), slot(material_id))
    read = store.cases.get("C1")
    store.cases.receive(read, receipt(read.materials[0], read.version))  # the first: no receipts stored yet
    with pytest.raises(StaleCase):
        store.cases.receive(read, receipt(read.materials[1], read.version))
    fresh = store.cases.get("C1")
    store.cases.receive(fresh, receipt(fresh.materials[1], fresh.version, by="window-2"))
    with pytest.raises(StaleCase):  # stored receipts, changed since this read
        store.cases.receive(fresh, receipt(fresh.materials[2], fresh.version))
    after = store.cases.get("C1")
    assert after.version == case.version and [e.event for e in store.cases.timeline("C1")] == ["accepted"]
    assert [(m.material_id, m.status, m.object_version, m.received_by, m.received_unit, m.received_seq)
            for m in after.materials] == [("m1", "received", "v-m1", "window-1", WINDOW, 1),
                                          ("m2", "received", "v-m2", "window-2", WINDOW, 1),
                                          ("m3", "registered", None, None, None, None)]
    with pytest.raises(StaleCase):  # the receipts as read before m2's: not written back without it
        store.cases.save(replace(fresh, materials=(fresh.materials[0], fresh.materials[1],
                                                   receipt(fresh.materials[2], 1))), event("materials_completed"))
    store.cases.save(replace(fresh, applicant=dict(fresh.applicant, phone="13900000000")), event("identity_read"))
    kept = store.cases.get("C1")
    assert kept.materials == after.materials and kept.version == 2
    completed = store.cases.save(replace(kept, status=Status.AWAITING_PUSH, materials=kept.materials[:2] + (
        receipt(kept.materials[2], kept.version),)), event("materials_completed"))
    assert store.cases.get("C1") == completed and [m.status for m in completed.materials] == ["received"] * 3


def test_an_event_sealing_the_receipts_holds_them_as_read_and_the_audit_finds_a_receipt_changed_after_it(store):
    """Receipts kept outside the chain are sealed by the next chained event that follows them (the one completing the
    materials, the one sending a 补正: ``case.sealed``). The store writes such an event on the receipts as read, so a
    receipt kept since refuses it (the seal would leave it out), where a change that seals nothing keeps it; and
    the audit (``services.audit.verify_case``) recomputes each seal from the receipts stored now."""
    store.cases.save(a_case("C1"), event())
    for material_id in ("m1", "m2"):
        store.cases.register(store.cases.get("C1"), slot(material_id))
    read = store.cases.get("C1")
    store.cases.receive(read, receipt(read.materials[0], read.version))
    older = store.cases.get("C1")  # m1 received, m2 not yet
    fresh = store.cases.get("C1")
    store.cases.receive(fresh, receipt(fresh.materials[1], fresh.version, by="window-2"))
    with pytest.raises(StaleCase):  # sealed without m2's receipt, kept since this read
        store.cases.save(replace(older, status=Status.AWAITING_PUSH), event("materials_completed", **sealed(older, {})))
    current = store.cases.get("C1")
    done = store.cases.save(replace(current, status=Status.AWAITING_PUSH),
                            event("materials_completed", **sealed(current, {})))
    assert audit.verify_case(store.cases, "C1")["valid"] is True
    assert json.loads(receipts_canonical(done)).keys() == {"m1", "m2"}
    store.tamper_receipt("C1", "m1", received_by="window-9")  # rewritten in the table, outside the chain
    verdict = audit.verify_case(store.cases, "C1")
    assert (verdict["valid"], verdict["first_broken_seq"]) == (False, done.version)
    assert "sealed" in verdict["reason"] and first_break("C1", *store.cases.chain("C1")).valid  # the events hold


def test_a_second_save_from_the_same_stale_copy_is_refused_and_changes_nothing(store):
    stale = store.cases.save(a_case("C1"), event())
    store.cases.save(replace(stale, status=Status.AWAITING_PUSH), event("materials_completed"))
    with pytest.raises(StaleCase):
        store.cases.save(replace(stale, status=Status.WITHDRAWN), event("withdrawn"))
    assert store.cases.get("C1").status == Status.AWAITING_PUSH
    assert [e.event for e in store.cases.timeline("C1")] == ["accepted", "materials_completed"]


def test_saving_a_new_case_under_an_existing_id_is_refused(store):
    store.cases.save(a_case("C1"), event())
    with pytest.raises(StaleCase):
        store.cases.save(a_case("C1", business="230103001"), event())
    assert store.cases.get("C1").business_unit == TOWNSHIP and len(store.cases.timeline("C1")) == 1


def test_an_unknown_or_malformed_case_id_is_not_found(store):
    for case_id in ("C404", "c-lower", "C" * 200):
        with pytest.raises(NotFound) as missing:
            store.cases.get(case_id)
        assert missing.value.code == "CASE_NOT_FOUND"
    with pytest.raises(NotFound):
        store.cases.chain("C404")


def test_the_heads_of_a_day_are_each_case_s_last_event_that_day(store):
    store.cases.save(a_case("C1"), event())
    c1 = store.cases.save(store.cases.get("C1"), event("identity_read"))
    store.cases.save(store.cases.get("C1"), event("identity_read", NOW + timedelta(days=1)))
    c2 = store.cases.save(a_case("C2"), event())
    assert store.cases.heads_of_day("2026-09-24") == {"C1": (2, c1.chain_head), "C2": (1, c2.chain_head)}


# --- person locks --------------------------------------------------------------------------------------------

def test_a_lock_another_case_holds_refuses_the_whole_change_and_names_that_case(store):
    store.cases.save(a_case("C1"), event(), Writes(claims=(application_lock("C1"),), holder_month="2026-09"))
    with pytest.raises(LockHeld) as held:
        store.cases.save(a_case("C2"), event(), Writes(
            claims=(application_lock("C2"),), messages=(queued("C2", "accepted", "text", "2026-09-24", NOW, LEASE),),
            holder_month="2026-09"))
    assert (held.value.key, held.value.case_id, held.value.masked_id) == (application_lock("C1").key, "C1", MASKED)
    with pytest.raises(NotFound):
        store.cases.get("C2")
    assert store.outbox.get(message_id("C2", "accepted")) is None


def test_a_released_lock_is_free_to_be_claimed_again(store):
    first = store.cases.save(a_case("C1"), event(), Writes(claims=(application_lock("C1"),)))
    store.cases.save(replace(first, status=Status.WITHDRAWN), event("withdrawn"),
                     Writes(releases=(LockRelease(application_lock("C1").key),)))
    saved = store.cases.save(a_case("C2"), event(), Writes(claims=(application_lock("C2"),)))
    assert saved.version == 1
    with pytest.raises(LockHeld) as held:
        store.cases.save(a_case("C3"), event(), Writes(claims=(application_lock("C3"),)))
    assert held.value.case_id == "C2"


def test_a_change_refused_on_a_lock_of_its_own_case_is_stale_not_held(store):
    first = store.cases.save(a_case("C1"), event(), Writes(claims=(application_lock("C1"),)))
    with pytest.raises(StaleCase) as refused:
        store.cases.save(first, event("identity_read"), Writes(claims=(application_lock("C1"),)))
    assert not isinstance(refused.value, LockHeld) and store.cases.get("C1").version == 1


def test_an_entitlement_released_from_a_month_leaves_its_lock_free_from_that_month_on(store):
    ent = approved("C1", "living", "2026-03", LIVING, "2026-03-20T10:00:00+08:00")
    stopped = move(replace(ent, person_key=PERSON), "stop", "2026-10", "迁出", "r1", NOW.isoformat())
    store.cases.save(a_case("C1", status=Status.RESULT_RETURNED), event("decided"),
                     Writes(claims=(entitlement_claim(stopped, NOW),), entitlements=(stopped,)))
    held_key = lock_key(PERSON, "living", "entitlement")
    assert store.entitlements.get(stopped.entitlement_id).version == 1
    with pytest.raises(LockHeld) as held:  # September is still paid by C1's entitlement
        store.cases.save(a_case("C2"), event(), Writes(checks=(LockCheck(held_key, "2026-09"),),
                                                       holder_month="2026-09"))
    assert (held.value.case_id, held.value.masked_id) == ("C1", stopped.masked_id)
    store.cases.save(a_case("C2"), event(), Writes(checks=(LockCheck(held_key, "2026-10"),), holder_month="2026-10"))
    later = approved("C3", "living", "2026-11", LIVING, "2026-11-20T10:00:00+08:00")
    later = replace(later, person_key=PERSON)
    store.cases.save(a_case("C3", status=Status.RESULT_RETURNED), event("decided"),
                     Writes(claims=(entitlement_claim(later, NOW),), entitlements=(later,), holder_month="2026-11"))
    with pytest.raises(LockHeld) as taken:  # C3's entitlement holds it now, released by no month
        store.cases.save(a_case("C4"), event(), Writes(checks=(LockCheck(held_key, "2027-01"),),
                                                       holder_month="2027-01"))
    assert taken.value.case_id == "C3"


def test_an_approval_registers_its_business_unit_with_it_and_a_refused_one_registers_nothing(store):
    first = store.cases.save(a_case("C1"), event(), Writes(supervised=(TOWNSHIP,)))
    with pytest.raises(StaleCase):  # the same stale copy again: nothing of the change is written
        store.cases.save(a_case("C1"), event("decided"), Writes(supervised=("230103001",)))
    store.cases.save(first, event("decided"), Writes(supervised=(TOWNSHIP,)))  # registered already: no refusal
    assert store.supervised() == [TOWNSHIP] and store.cases.get("C1").version == 2


def test_a_case_change_updates_an_existing_entitlement_and_its_lock_on_its_version_or_writes_nothing(store):
    """纠错: the case and the entitlements it stops are one unit. A stale read of the entitlement refuses the whole
    change; a current one writes the case, the entitlement (its version on) and the lock released from its start."""
    ent = replace(approved("C1", "living", "2026-03", LIVING, "2026-03-20T10:00:00+08:00"), person_key=PERSON)
    first = store.cases.save(a_case("C1", status=Status.RESULT_RETURNED), event("decided"),
                             Writes(claims=(entitlement_claim(ent, NOW),), entitlements=(ent,)))
    stored = store.entitlements.get(ent.entitlement_id)
    stopped = move(stored, "stop", "2026-03", "纠错: 重复享受", "r1", NOW.isoformat())
    update = entitlement_update(stored, stopped, store.entitlements.holder, NOW)
    assert update.lock is not None and update.lock.released_from == "2026-03"
    stale = replace(update, entitlement=replace(update.entitlement, version=0))
    with pytest.raises(StaleCase):
        store.cases.save(first, event("decision_corrected"), Writes(updates=(stale,)))
    assert store.cases.get("C1").version == 1 and store.entitlements.get(ent.entitlement_id).version == 1
    store.cases.save(first, event("decision_corrected"), Writes(updates=(update,)))
    after = store.entitlements.get(ent.entitlement_id)
    assert store.cases.get("C1").version == 2 and after.version == 2 and after.status_in("2026-03") == "stopped"
    store.cases.save(a_case("C2"), event(), Writes(checks=(LockCheck(lock_key(PERSON, "living", "entitlement"),
                                                                     "2026-03"),), holder_month="2026-03"))


def test_an_entitlement_put_twice_is_refused(store):
    ent = approved("C1", "living", "2026-03", LIVING, "2026-03-20T10:00:00+08:00")
    first = store.cases.save(a_case("C1"), event(), Writes(entitlements=(ent,)))
    with pytest.raises(StaleCase):
        store.cases.save(first, event("decided"), Writes(entitlements=(ent,)))
    assert store.cases.get("C1").version == 1


# --- the outbox ----------------------------------------------------------------------------------------------

def line(kind: str, **detail: Any) -> Event:
    """A message's timeline line."""
    return Event(NOW.isoformat(), kind, "system:messages", "310101002", {"milestone": "accepted", **detail})


def test_a_message_is_queued_once_claimed_once_per_attempt_and_finished_once(store):
    first = store.cases.save(a_case("C1"), event(), Writes(messages=(queued("C1", "accepted", "您的申请",
                                                                             "2026-09-24", NOW, LEASE, seq=1),)))
    key = message_id("C1", "accepted")
    message = store.outbox.get(key)
    # queued with its first attempt taken (the request's own, after the commit): due for a retry when that lease ends
    assert (message.status, message.attempts, message.text, message.case_id) == ("pending", 1, "您的申请", "C1")
    assert (message.seq, message.history) == (1, ())
    assert store.outbox.due(NOW + LEASE) == [key] and store.outbox.due(NOW + LEASE - timedelta(seconds=1)) == []
    with pytest.raises(StaleCase):  # a milestone has one message
        store.cases.save(first, event("pushed"), Writes(messages=(queued("C1", "accepted", "again", "x", NOW, LEASE),)))

    assert store.outbox.claim(key, 0, NOW + timedelta(minutes=2)) is False  # the first attempt is taken already
    store.outbox.retry_later(key, 1, NOW + timedelta(minutes=5), "InvalidParameter")  # it failed: retry then
    store.outbox.retry_later(key, 0, NOW + timedelta(minutes=50), "Stale")  # not this attempt's: no change
    assert store.outbox.due(NOW + timedelta(minutes=4)) == [] and store.outbox.due(NOW + timedelta(minutes=5)) == [key]
    assert store.outbox.get(key).last_error == "InvalidParameter"

    assert store.outbox.claim(key, 1, NOW + timedelta(minutes=7)) is True  # the schedule's second attempt
    assert store.outbox.claim(key, 1, NOW + timedelta(minutes=7)) is False  # this attempt is taken
    assert store.outbox.due(NOW + timedelta(minutes=6)) == [] and store.outbox.due(NOW + timedelta(minutes=7)) == [key]
    claimed = store.outbox.get(key)
    sent_line = line("message_sent", channel="sms", attempts=2, sns_message_id="sns-1", via="gateway")
    sent = final(claimed, 2, "sent", NOW + timedelta(minutes=5), sent_line, "sns-1", channel="gateway")
    assert store.outbox.write(sent) is True  # the message alone: the case is not changed
    done = store.outbox.get(key)
    assert (done.status, done.attempts, done.sns_message_id, done.channel) == ("sent", 2, "sns-1", "gateway")
    assert done.history == (sent_line,) and store.cases.get("C1").version == first.version
    assert store.outbox.of_case("C1", ("accepted", "pushed")) == [done]
    assert store.outbox.due(NOW + timedelta(days=1)) == []
    assert store.outbox.write(sent) is False  # finished already: not pending any more
    assert store.outbox.get(key) == done


def test_receipts_are_remembered_once_and_a_receipt_write_requires_the_message_as_read(store):
    store.cases.save(a_case("C1"), event(), Writes(messages=(queued("C1", "pushed", "t", "2026-09-24", NOW,
                                                                    LEASE),)))
    key = message_id("C1", "pushed")
    assert store.outbox.write(final(store.outbox.get(key), 1, "sent", NOW, line("message_sent"), "sns-1",
                                    channel="gateway"))
    store.outbox.note_receipt(key, "0:failed")
    store.outbox.note_receipt(key, "0:failed")
    read = store.outbox.get(key)
    assert read.receipts == frozenset({"0:failed"})
    undelivered = line("message_undelivered", error="MK:1")
    reopened = after_receipt(read, "pending", "1:failed", NOW, undelivered, due_at=NOW + timedelta(minutes=5),
                             error_code="MK:1")
    stale = after_receipt(replace(read, receipts=frozenset()), "delivered", "1:delivered", NOW,
                          line("message_delivered"), delivered_at="x")
    assert store.outbox.write(stale) is False  # it had one receipt, not none
    assert store.outbox.write(reopened) is True
    back = store.outbox.get(key)
    assert (back.status, back.receipts, back.last_error) == ("pending", frozenset({"0:failed", "1:failed"}), "MK:1")
    assert [e.event for e in back.history] == ["message_sent", "message_undelivered"]
    assert back.history[-1].detail == {"milestone": "accepted", "error": "MK:1"}
    assert store.outbox.due(NOW + timedelta(minutes=5)) == [key]


# --- the indexes ---------------------------------------------------------------------------------------------

def seed(store: Store) -> None:
    review = DeadlineKind.REVIEW
    for case in (
        a_case("CA", status=Status.AWAITING_PUSH, deadline=(DeadlineKind.PUSH, "2026-10-09")),
        a_case("CB", business="230103001"),
        a_case("CC", status=Status.UNDER_REVIEW, deadline=(review, "2026-10-20"), pushed=True),
        a_case("CD", accepting="310101003", status=Status.UNDER_REVIEW, deadline=(review, "2026-10-15"), pushed=True),
        a_case("CE", accepting="440103001", status=Status.UNDER_REVIEW, deadline=(review, "2026-10-12"), pushed=True),
    ):
        store.cases.save(case, event())


def pages(store: Store, *args: Any, limit: int = 2, **kwargs: Any) -> list[list[str]]:
    found, token = [], None
    for _ in range(10):
        page = store.cases.worklist(*args, limit=limit, token=token, **kwargs)
        assert len(page.cases) <= limit
        found.append([case.case_id for case in page.cases])
        token = page.next_token
        if token is None:
            return found
    raise AssertionError("the pages never ended")


def flat(listed: list[list[str]]) -> list[str]:
    return [case_id for page in listed for case_id in page]


def test_worklists_read_a_unit_or_an_area_in_due_order_page_by_page(store):
    seed(store)
    assert pages(store, "accepting", WINDOW, None, None, False)[0] == ["CA", "CC"]
    assert flat(pages(store, "accepting", WINDOW, None, None, False)) == ["CA", "CC", "CB"]
    assert flat(pages(store, "accepting", "3101", None, None, False, limit=3)) == ["CA", "CC", "CB", "CD"]
    assert flat(pages(store, "business", TOWNSHIP, None, None, True)) == ["CE", "CD", "CC"]
    assert flat(pages(store, "business", "23", "2026-10-16", None, False)) == ["CA", "CE", "CD"]
    assert flat(pages(store, "business", TOWNSHIP, "2026-10-15", None, False)) == ["CA", "CE"]
    assert flat(pages(store, "business", "23", None, None, False, exclude_accepting="31")) == ["CE"]
    assert flat(pages(store, "accepting", WINDOW, None, "under_review", False)) == ["CC"]


def test_a_page_token_the_api_did_not_issue_is_refused(store):
    seed(store)
    for forged in ("not-a-token", "eyJhIjogMX0="):  # the second: {"a": 1}
        with pytest.raises(Invalid) as refused:
            store.cases.worklist("accepting", WINDOW, None, None, False, 2, forged)
        assert refused.value.code == "BAD_PAGE_TOKEN"


def test_the_sweep_reads_running_deadlines_by_due_day_and_counts_them_by_kind(store):
    seed(store)
    due, read = store.cases.due_through("2026-10-12")
    assert sorted(case.case_id for case in due) == ["CA", "CE"] and read == 2
    assert [case.case_id for case in store.cases.due_through("2026-10-15", first_day="2026-10-15")[0]] == ["CD"]
    assert store.cases.running_deadlines() == {**{kind: 0 for kind in DEADLINE_KINDS}, "push": 1, "review": 3}
