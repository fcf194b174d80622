"""The case services (services/cases.py and the entitlements they create) on the in-memory stores: a case from
acceptance to closing, duplicate receipt, refused uploads, conflicts re-read and retried. The same store contract
runs on moto in tests/contract/test_case_store.py; the HTTP routes and their wiring are tested on moto in
tests/integration."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from msgspec.structs import replace

from chalicelib.domain.cases.audit import first_break
from chalicelib.domain.cases.case import Actor, Material, receipts_sha256
from chalicelib.domain.errors import Conflict, Invalid
from chalicelib.domain.payments.entitlements import move
from chalicelib.domain.payments.owed import Standards
from chalicelib.services import audit, cases, retrying
from chalicelib.services import entitlements as entitlement_service
from chalicelib.services.payroll import Payroll
from tests.fakes.cases import FakeCases
from tests.fakes.payments import FakeFiles, FakeLedgers, FakePricing, FakeRecords
from tests.fakes.world import CaseWorld, case_world
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, application, declaration, id_number, pdf_bytes

WINDOW = Actor("window-310101002", "窗口", "window", SHANGHAI_WINDOW)
OTHER_WINDOW = Actor("window-440103001", "窗口", "window", "440103001")
REVIEWER = Actor("reviewer-230102001", "审核员", "reviewer", HARBIN_TOWNSHIP)
APPROVE = {"outcome": "approved", "reason": "符合条件",
           "subsidies": [{"type": "living", "monthly_amount": "99"}, {"type": "nursing", "monthly_amount": "120.5"}]}


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


@pytest.fixture()
def world() -> CaseWorld:
    return case_world()


def upload(world: CaseWorld, case_id: str, code: str, now: datetime, content: bytes | None = None,
           stored: bytes | None = None) -> dict[str, Any]:
    """Register a material, store bytes where its presigned POST points (``stored``: other bytes), confirm it."""
    content = content if content is not None else pdf_bytes(code)
    registered = cases.add_material(world.deps, case_id, declaration(code, content), WINDOW, "accepting", now)
    world.files.store(registered["upload"], stored if stored is not None else content)
    return cases.confirm_material(world.deps, case_id, registered["material_id"], WINDOW, "accepting", now)


def ready(world: CaseWorld, body: dict[str, Any], now: datetime, actor: Actor = WINDOW) -> str:
    accepted = cases.accept(world.deps, body, actor, now)
    for item in accepted["notice"]["materials"]:
        upload(world, accepted["case_id"], item["code"], now)
    return str(accepted["case_id"])


def decided(world: CaseWorld, body: dict[str, Any], applied: str = "2026-09-24", on: str = "2026-10-20",
            decision: dict[str, Any] = APPROVE) -> str:
    case_id = ready(world, body, at(f"{applied}T09:30:00+08:00"))
    cases.complete(world.deps, case_id, WINDOW, "accepting", at(f"{applied}T16:00:00+08:00"))
    cases.push(world.deps, case_id, WINDOW, "accepting", at(f"{applied}T17:00:00+08:00"))
    cases.decide(world.deps, case_id, decision, REVIEWER, "business", at(f"{on}T15:00:00+08:00"))
    return case_id


def test_a_cross_province_case_travels_from_acceptance_to_closing(world):
    accepted = cases.accept(world.deps, application(), WINDOW, at("2026-09-24T09:30:00+08:00"))
    case_id = accepted["case_id"]
    assert (accepted["status"], accepted["scope"], accepted["application_month"]) == (
        "awaiting_materials", "cross_province", "2026-09")
    assert [item["code"] for item in accepted["notice"]["materials"]] == [
        "application_form", "id_card", "household_register", "disability_certificate", "photo", "bank_account"]
    for item in accepted["notice"]["materials"]:  # the last one arrives on 09-30: 申请材料收齐 that day
        assert upload(world, case_id, item["code"], at("2026-09-30T10:00:00+08:00"))["status"] == "received"
    before = world.cases.get(case_id)
    assert before.status.value == "awaiting_push"

    completed = cases.complete(world.deps, case_id, WINDOW, "accepting", at("2026-10-08T16:00:00+08:00"))
    assert world.cases.get(case_id) == before  # a later click changes nothing
    assert {k: kind_of(completed, "push")[k] for k in ("kind", "starts_on", "due_on", "state")} == {
        "kind": "push", "starts_on": "2026-09-30", "due_on": "2026-10-10", "state": "open"}
    pushed = cases.push(world.deps, case_id, WINDOW, "accepting", at("2026-10-09T11:00:00+08:00"))
    assert pushed["status"] == "under_review" and pushed["deadlines"][1]["state"] == "met"
    assert pushed["deadlines"][2]["due_on"] == "2026-10-22"  # day 1: the make-up Saturday 10-10

    approved = cases.decide(world.deps, case_id, APPROVE, REVIEWER, "business", at("2026-10-20T15:00:00+08:00"))
    granted = approved["decision"]["subsidies"]
    assert [(g["type"], g["monthly_amount"], g["start_month"], g["back_pay"]["total"]) for g in granted] == [
        ("living", "99.00", "2026-09", "198.00"), ("nursing", "120.50", "2026-09", "241.00")]
    [result] = world.sender.results  # no clock here: the service publishes the result itself
    assert (result["case_id"], result["outcome"], result["notify_due_on"]) == (case_id, "approved", "2026-10-23")
    assert world.units.registered == {HARBIN_TOWNSHIP}
    assert sorted(world.cases.entitlements.items) == [f"{case_id}-living", f"{case_id}-nursing"]

    closed = cases.notify(world.deps, case_id, {"method": "sms", "note": "已短信告知"}, WINDOW, "accepting",
                          at("2026-10-21T10:00:00+08:00"))
    assert closed["status"] == "closed"
    assert [d["state"] for d in closed["deadlines"]] == ["met", "met", "met", "met"]  # 收件时限 D0, D1, D2, D3
    assert [e["event"] for e in closed["timeline"]] == (
        ["accepted", "message_sent"] + ["material_received"] * 5
        + ["materials_completed", "pushed", "message_sent", "decided", "message_sent",
           "applicant_notified", "message_sent"])
    assert len(world.sender.texts(case_id)) == 4
    assert first_break(case_id, *world.cases.chain(case_id)).valid
    locks = {key.rsplit("#", 1)[1]: lock["case_id"] for key, lock in world.cases.locks.items()}
    assert locks == {"entitlement": case_id}  # the application locks went with the closing


def test_a_second_application_for_the_same_person_and_subsidy_is_refused_until_the_first_is_withdrawn(world):
    person = id_number(sequence="951")
    now = at("2026-09-24T10:00:00+08:00")
    first = cases.accept(world.deps, application(person), WINDOW, now)
    with pytest.raises(Conflict) as refused:
        cases.accept(world.deps, application(person), OTHER_WINDOW, now)
    assert refused.value.code == "DUPLICATE_APPLICATION"
    assert first["case_id"] in refused.value.message and person not in refused.value.message
    assert len(world.cases.stored) == 1 and len(world.cases.outbox.items) == 1  # nothing of the second
    cases.withdraw(world.deps, first["case_id"], {"reason": "撤回"}, WINDOW, "accepting", now)
    assert cases.accept(world.deps, application(person), OTHER_WINDOW, now)["status"] == "awaiting_materials"


def test_an_entitlement_blocks_a_new_application_for_its_subsidy_until_it_is_stopped(world):
    body = application(id_number(sequence="952"))
    case_id = decided(world, body)
    cases.notify(world.deps, case_id, {"method": "sms"}, WINDOW, "accepting", at("2026-10-21T10:00:00+08:00"))
    with pytest.raises(Conflict) as refused:
        cases.accept(world.deps, body, OTHER_WINDOW, at("2026-10-22T10:00:00+08:00"))
    assert refused.value.code == "DUPLICATE_RECEIPT" and case_id in refused.value.message

    records = FakeRecords()
    payroll = Payroll(world.cases.entitlements, FakeLedgers(records), records, FakeFiles(), FakePricing(Standards(())))
    living_ent = world.cases.entitlements.get(f"{case_id}-living")
    stop = move(living_ent, "stop", "2026-12", "户籍迁出", REVIEWER.sub, "2026-11-05T10:00:00+08:00")
    stored, _, _ = entitlement_service.save(payroll, living_ent, stop, at("2026-11-05T10:00:00+08:00"))
    assert stored.release_month() == "2026-12" and world.cases.locks[
        f"{living_ent.person_key}#living#entitlement"]["released_from"] == "2026-12"
    living = dict(body, subsidies=["living"])
    with pytest.raises(Conflict) as still:  # November is still paid
        cases.accept(world.deps, living, OTHER_WINDOW, at("2026-11-06T10:00:00+08:00"))
    assert still.value.code == "DUPLICATE_RECEIPT"
    again = cases.accept(world.deps, living, OTHER_WINDOW, at("2026-12-01T10:00:00+08:00"))
    assert again["status"] == "awaiting_materials"
    with pytest.raises(Conflict):  # nursing is still paid
        cases.accept(world.deps, dict(body, subsidies=["nursing"]), OTHER_WINDOW, at("2026-12-01T10:00:00+08:00"))


def test_an_upload_that_is_not_what_was_declared_is_quarantined_and_the_case_left_as_it_was(world):
    now = at("2026-09-24T10:00:00+08:00")
    case_id = cases.accept(world.deps, application(id_number(sequence="954")), WINDOW, now)["case_id"]
    with pytest.raises(Invalid) as refused:
        upload(world, case_id, "photo", now, stored=pdf_bytes("other"))  # as long, other bytes
    assert refused.value.code == "UPLOAD_CHECKSUM_MISMATCH"
    assert list(world.files.quarantined) == [f"quarantine/cases/{case_id}/materials/"
                                             f"{world.cases.get(case_id).materials[0].material_id}/v0"]
    case = world.cases.get(case_id)
    assert [m.status for m in case.materials] == ["registered"] and case.version == 1  # accepted; no other change
    assert upload(world, case_id, "photo", now)["status"] == "received"  # a second try with the right bytes


def test_materials_must_all_be_received_before_the_case_is_complete(world):
    now = at("2026-09-24T10:00:00+08:00")
    case_id = cases.accept(world.deps, application(id_number(sequence="955")), WINDOW, now)["case_id"]
    upload(world, case_id, "photo", now)
    with pytest.raises(Invalid) as missing:
        cases.complete(world.deps, case_id, WINDOW, "accepting", now)
    assert missing.value.code == "MATERIALS_MISSING" and "id_card" in missing.value.message


def test_a_supplement_pauses_the_review_deadline_and_sending_it_resumes_with_the_days_left(world):
    case_id = ready(world, application(id_number(sequence="956")), at("2026-10-12T09:00:00+08:00"))
    cases.complete(world.deps, case_id, WINDOW, "accepting", at("2026-10-12T10:00:00+08:00"))
    pushed = cases.push(world.deps, case_id, WINDOW, "accepting", at("2026-10-12T11:00:00+08:00"))
    assert kind_of(pushed, "review")["due_on"] == "2026-10-26"
    paused = cases.request_supplement(world.deps, case_id, {"items": [{"code": "photo", "description": "照片不清晰"}],
                                                                  "note": "请补正"}, REVIEWER,
                                      "business", at("2026-10-15T10:00:00+08:00"))
    review, supplement = kind_of(paused, "review"), kind_of(paused, "supplement")
    assert (paused["status"], review["state"], review["remaining_working_days"]) == (
        "supplement_requested", "paused", 7)
    # 补正时限: the 业务属地 province set none, so 10 working days from the request
    assert (supplement["state"], supplement["starts_on"], supplement["due_on"]) == ("open", "2026-10-15", "2026-10-29")
    with pytest.raises(Invalid) as incomplete:
        cases.send_supplement(world.deps, case_id, {"note": "已补"}, WINDOW, "accepting",
                              at("2026-10-19T10:00:00+08:00"))
    assert incomplete.value.code == "SUPPLEMENT_INCOMPLETE"
    upload(world, case_id, "photo", at("2026-10-19T10:00:00+08:00"), content=pdf_bytes("a sharper photo"))
    resumed = cases.send_supplement(world.deps, case_id, {"note": "已补"}, WINDOW, "accepting",
                                    at("2026-10-19T11:00:00+08:00"))
    review = kind_of(resumed, "review")
    assert (resumed["status"], review["state"], review["counted_from"], review["due_on"]) == (
        "under_review", "open", "2026-10-19", "2026-10-28")
    assert (kind_of(resumed, "supplement")["state"], kind_of(resumed, "supplement")["closed_on"]) == (
        "met", "2026-10-19")


def test_the_event_that_sends_a_supplement_seals_its_receipts_and_the_audit_finds_one_rewritten(world):
    """A 补正 material is received outside the chain (it changes the case no further); the supplement_sent event
    seals every receipt so far (``case.sealed``), so rewriting the 补正 receipt afterwards breaks the audit there,
    while the completing event's seal, made before it, still holds."""
    case_id = ready(world, application(id_number(sequence="958")), at("2026-10-12T09:00:00+08:00"))
    cases.push(world.deps, case_id, WINDOW, "accepting", at("2026-10-12T11:00:00+08:00"))
    asked = {"items": [{"code": "photo", "description": "照片不清晰"}], "note": "请补正"}
    cases.request_supplement(world.deps, case_id, asked, REVIEWER, "business", at("2026-10-15T10:00:00+08:00"))
    upload(world, case_id, "photo", at("2026-10-19T10:00:00+08:00"), content=pdf_bytes("a sharper photo"))
    sent = cases.send_supplement(world.deps, case_id, {"note": "已补"}, WINDOW, "accepting",
                                 at("2026-10-19T11:00:00+08:00"))
    case = world.cases.get(case_id)
    [seal] = [e for e in world.cases.events[case_id] if e.record["event"] == "supplement_sent"]
    again = [m for m in case.materials if m.code == "photo" and m.status == "received"][-1]
    assert again.received_seq is not None and again.received_seq < seal.seq == sent["version"]
    assert seal.record["detail"]["receipts_sha256"] == receipts_sha256(case)
    assert audit.verify_case(world.cases, case_id)["valid"] is True
    stored = world.cases.stored[case_id]
    record = json.loads(stored.record)
    next(m for m in record["materials"] if m["material_id"] == again.material_id)["received_by"] = "window-9"
    world.cases.stored[case_id] = replace(stored, record=json.dumps(record))
    verdict = audit.verify_case(world.cases, case_id)
    assert (verdict["valid"], verdict["first_broken_seq"]) == (False, seal.seq)


def kind_of(view: dict[str, Any], kind: str) -> dict[str, Any]:
    """The case view's latest deadline of ``kind``."""
    return [d for d in view["deadlines"] if d["kind"] == kind][-1]


def test_each_identity_read_is_an_event_on_the_chained_timeline(world):
    now = at("2026-09-24T10:00:00+08:00")
    body = application(id_number(sequence="957"))
    case_id = cases.accept(world.deps, body, WINDOW, now)["case_id"]
    shown = cases.identity(world.deps, case_id, WINDOW, "accepting", now)
    assert shown["applicant"]["id_number"] == body["applicant"]["id_number"]
    assert [e.event for e in world.cases.timeline(case_id)][-1] == "identity_read"
    assert first_break(case_id, *world.cases.chain(case_id)).valid


# --- someone else wrote first ---------------------------------------------------------------------------------

class Meanwhile(FakeCases):
    """After the service's next read of ``case_id``, another request's change is stored first (once)."""

    def __init__(self, change: Any) -> None:
        super().__init__()
        self.change, self.armed, self.reads = change, False, 0

    def get(self, case_id: str) -> Any:
        case = super().get(case_id)
        self.reads += 1
        if self.armed:
            self.armed = False
            self.change(self, case)
        return case


def test_a_material_registered_meanwhile_is_kept_and_the_change_lands_on_a_fresh_read(world):
    now = at("2026-09-24T10:00:00+08:00")
    photo = Material("m-photo", "photo", "photo.pdf", "application/pdf", 10, "0" * 64, "k/photo", now.isoformat())
    repo = Meanwhile(lambda store, case: store.register(case, photo))
    deps = replace(world.deps, repo=repo, messages=replace(world.messaging, repo=repo, outbox=repo.outbox))
    case_id = cases.accept(deps, application(id_number(sequence="958")), WINDOW, now)["case_id"]
    repo.armed, repo.reads = True, 0
    cases.add_material(deps, case_id, declaration("id_card", pdf_bytes("id")), WINDOW, "accepting", now)
    assert sorted(m.code for m in repo.get(case_id).materials) == ["id_card", "photo"]
    assert repo.reads == 2 + 1  # the first attempt's read, the retry's, and this one


def test_a_push_made_meanwhile_leaves_one_push_and_the_late_request_a_409(world):
    case_id = ready(world, application(id_number(sequence="959")), at("2026-09-24T10:00:00+08:00"))
    cases.complete(world.deps, case_id, WINDOW, "accepting", at("2026-09-24T11:00:00+08:00"))
    later = at("2026-09-25T10:00:00+08:00")
    original = world.cases.get
    meanwhile = [True]

    def read_then_push(wanted: str) -> Any:
        case = original(wanted)
        if meanwhile.pop() if meanwhile else False:  # once: another window pushes after this read
            cases.push(world.deps, case_id, WINDOW, "accepting", later)
        return case

    world.cases.get = read_then_push  # type: ignore[method-assign]
    with pytest.raises(Conflict) as late:
        cases.push(world.deps, case_id, WINDOW, "accepting", later)
    assert late.value.code == "INVALID_TRANSITION"
    assert [e.event for e in world.cases.timeline(case_id)].count("pushed") == 1


def test_a_case_that_keeps_changing_is_a_409_after_the_retries_and_stores_nothing(world, monkeypatch):
    now = at("2026-09-24T10:00:00+08:00")
    case_id = cases.accept(world.deps, application(id_number(sequence="960")), WINDOW, now)["case_id"]
    version = world.cases.get(case_id).version
    saves = []

    def always_stale(case: Any, material: Any) -> Any:
        saves.append(material.code)
        raise retrying.StaleCase(case.case_id)

    monkeypatch.setattr(retrying, "pause", lambda attempt: None)
    world.cases.register = always_stale  # type: ignore[method-assign]
    with pytest.raises(Conflict) as busy:
        cases.add_material(world.deps, case_id, declaration("photo", pdf_bytes()), WINDOW, "accepting", now)
    assert busy.value.code == "CONCURRENT_UPDATE" and saves == ["photo"] * retrying.RETRIES
    assert world.cases.get(case_id).version == version and world.cases.get(case_id).materials == ()
