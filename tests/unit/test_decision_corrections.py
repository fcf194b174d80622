"""Correcting a decision (纠错, issue 16.5; domain/cases/corrections.py, services/corrections.py): proposed by the
chain's first step, signed off by the later steps (at once on a single-step chain), both decisions kept, the
application month unchanged, the money the payment ledger's. On the in-memory stores (tests/fakes), at stated
moments."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from msgspec.structs import replace

from chalicelib.domain.cases.case import Actor
from chalicelib.domain.cases.corrections import read_correction
from chalicelib.domain.errors import Conflict, Forbidden, Invalid
from chalicelib.domain.payments.entitlements import change_committee
from chalicelib.domain.payments.ledger import Ledger, apply_payment, debt
from chalicelib.domain.payments.owed import Standards
from chalicelib.services import cases, corrections, rules
from chalicelib.services.payroll import Payroll
from tests.fakes.payments import FakeFiles, FakeLedgers, FakePricing, FakeRecords
from tests.fakes.rules import FakeRules
from tests.fakes.world import CaseWorld, case_world
from tests.support.people import (
    HARBIN_TOWNSHIP,
    SHANGHAI_WINDOW,
    application,
    id_number,
)

WINDOW = Actor("window-310101002", "窗口", "window", SHANGHAI_WINDOW)
TOWNSHIP = Actor("reviewer-230102001", "道里区某街道初审", "reviewer", HARBIN_TOWNSHIP)
DPF = Actor("dpf-230102", "道里区残联审核", "dpf_reviewer", "230102")
CIVIL = Actor("approver-230102", "道里区民政局审定", "approver", "230102")
ADMIN = Actor("admin-23", "黑龙江省管理员", "admin", "23")
HEILONGJIANG = {"steps": [{"label": "初审", "role": "reviewer"}, {"label": "审核", "role": "dpf_reviewer"},
                          {"label": "审定", "role": "approver"}]}
APPROVAL = {"outcome": "approved", "reason": "符合条件",
            "subsidies": [{"type": "living", "monthly_amount": "99"}, {"type": "nursing", "monthly_amount": "120.5"}]}
REFUSAL = {"outcome": "rejected", "reason": "不符合条件"}
RELATION = {"reviewer": "business", "dpf_reviewer": "business_county", "approver": "business_county"}


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00+08:00")


class World:
    def __init__(self, chain: bool) -> None:
        self.fakes: CaseWorld = case_world(messages=False)
        self.fakes.deps = replace(self.fakes.deps, rules=FakeRules())
        if chain:
            rules.put_review_chain(self.fakes.deps.rules, ADMIN, "23", "2026-01-01", lambda: HEILONGJIANG,
                                   at("2026-09-01"))
        records = FakeRecords()
        self.payroll = Payroll(entitlements=self.fakes.cases.entitlements, ledgers=FakeLedgers(records),
                               records=records, files=FakeFiles(), pricing=FakePricing(Standards(())))

    @property
    def deps(self) -> cases.Deps:
        return self.fakes.deps

    def decided(self, sequence: str, decision: dict[str, Any], day: str = "2026-10-12",
                decided: str = "2026-10-15") -> str:
        accepted = cases.accept(self.deps, application(id_number(sequence=sequence)), WINDOW, at(day))
        case_id = str(accepted["case_id"])
        self.fakes.receive_notice(case_id, WINDOW, at(day))
        cases.push(self.deps, case_id, WINDOW, "accepting", at(day))
        deciding = TOWNSHIP
        if self.deps.rules and self.deps.rules.of_scope("23"):
            cases.give_opinion(self.deps, case_id, {"opinion": "agree"}, TOWNSHIP, "business", at(decided))
            cases.give_opinion(self.deps, case_id, {"opinion": "agree"}, DPF, "business_county", at(decided))
            deciding = CIVIL
        cases.decide(self.deps, case_id, decision, deciding, RELATION[deciding.role], at(decided))
        return case_id

    def propose(self, case_id: str, body: dict[str, Any], actor: Actor, day: str) -> dict[str, Any]:
        return corrections.propose(self.deps, self.payroll, case_id, lambda: body, actor, RELATION[actor.role],
                                   at(day))

    def opinion(self, case_id: str, body: dict[str, Any], actor: Actor, day: str) -> dict[str, Any]:
        return corrections.review(self.deps, self.payroll, case_id, lambda: body, actor, RELATION[actor.role],
                                  at(day))

    def entitlement(self, case_id: str, subsidy: str) -> Any:
        return self.payroll.entitlements.get(f"{case_id}-{subsidy}")


@pytest.fixture()
def chained() -> World:
    return World(chain=True)


@pytest.fixture()
def single() -> World:
    return World(chain=False)


# --- reading a correction -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, code, field", [
    ({"outcome": "rejected"}, "CORRECTION_REASON_REQUIRED", "reason"),
    ({"outcome": "rejected", "reason": "   "}, "CORRECTION_REASON_REQUIRED", "reason"),
    ({"outcome": "rejected", "reason": "错", "note": "x"}, "UNKNOWN_FIELD", "note"),
    ({"outcome": "rejected", "reason": "错", "subsidies": [{"type": "living"}]}, "SUBSIDIES_ON_REJECTION",
     "subsidies"),
    ({"outcome": "maybe", "reason": "错"}, "UNKNOWN_OUTCOME", "outcome"),
])
def test_a_correction_needs_its_reason_and_reads_as_a_decision(body, code, field):
    with pytest.raises(Invalid) as refused:
        read_correction(body, ("living",), "2026-10")
    assert (refused.value.code, refused.value.field) == (code, field)


def test_a_correction_keeps_the_application_month():
    read = read_correction({"outcome": "approved", "reason": "证件等级核实为二级", "subsidies": [{"type": "living"}]},
                           ("living", "nursing"), "2026-05")
    assert read["subsidies"][0]["start_month"] == "2026-05" and read["reason"] == "证件等级核实为二级"


# --- through the chain ------------------------------------------------------------------------------------------------

def test_an_approval_corrected_to_a_refusal_is_signed_off_by_each_step_and_stops_the_entitlements(chained):
    case_id = chained.decided("701", APPROVAL)
    assert chained.entitlement(case_id, "living").status_in("2026-10") == "active"
    wrong = {"outcome": "rejected", "reason": "复核发现已享受工伤护理待遇，不符合条件"}

    with pytest.raises(Forbidden) as not_first:  # the approver decided, but 初审 proposes
        chained.propose(case_id, wrong, CIVIL, "2026-11-02")
    assert not_first.value.code == "NOT_YOUR_STEP"
    proposed = chained.propose(case_id, wrong, TOWNSHIP, "2026-11-02")
    assert proposed["decision"]["outcome"] == "approved"  # nothing changes before the sign-off
    assert (proposed["correction"]["at"], proposed["correction"]["reason"]) == (1, wrong["reason"])
    assert chained.entitlement(case_id, "living").status_in("2026-10") == "active"
    with pytest.raises(Conflict) as pending:
        chained.propose(case_id, wrong, TOWNSHIP, "2026-11-02")
    assert pending.value.code == "CORRECTION_PENDING"
    with pytest.raises(Forbidden):  # 审核 holds it now, not 审定
        chained.opinion(case_id, {"opinion": "agree"}, CIVIL, "2026-11-03")

    chained.opinion(case_id, {"opinion": "agree"}, DPF, "2026-11-03")
    back = chained.opinion(case_id, {"opinion": "send_back", "reason": "请附工伤认定书"}, CIVIL, "2026-11-04")
    assert back["correction"]["at"] == 1 and back["decision"]["outcome"] == "approved"
    chained.opinion(case_id, {"opinion": "agree", "reason": "已附工伤认定书"}, DPF, "2026-11-05")
    done = chained.opinion(case_id, {"opinion": "agree"}, CIVIL, "2026-11-06")

    assert done["correction"] is None and done["decision"]["outcome"] == "rejected"
    assert done["decision"]["correction_reason"] == wrong["reason"]
    [before] = done["decisions_before"]
    assert before["outcome"] == "approved" and before["replaced_because"] == wrong["reason"]
    kinds = [e["event"] for e in done["timeline"]]
    assert kinds[kinds.index("decided"):] == ["decided", "correction_proposed", "correction_agreed",
                                              "correction_sent_back", "correction_agreed", "decision_corrected"]
    [corrected] = [e for e in done["timeline"] if e["event"] == "decision_corrected"]
    assert (corrected["detail"]["was_outcome"], corrected["detail"]["outcome"]) == ("approved", "rejected")
    for subsidy in ("living", "nursing"):
        ent = chained.entitlement(case_id, subsidy)
        assert ent.status_in("2026-10") == "stopped" and ent.release_month() == "2026-10"  # from its start
        assert ent.history[-1].kind == "corrected" and wrong["reason"] in ent.history[-1].reason
    assert {e["action"] for e in done["entitlements"]} == {"stopped"}
    with pytest.raises(Conflict) as nothing:
        chained.opinion(case_id, {"opinion": "agree"}, CIVIL, "2026-11-07")
    assert nothing.value.code == "NO_CORRECTION"


def test_a_correction_sent_back_to_the_proposer_is_proposed_afresh(chained):
    case_id = chained.decided("702", APPROVAL)
    chained.propose(case_id, {**APPROVAL, "subsidies": [{"type": "living", "monthly_amount": "99"}],
                              "reason": "重度护理补贴应不予认定"}, TOWNSHIP, "2026-11-02")
    back = chained.opinion(case_id, {"opinion": "send_back", "reason": "理由不充分"}, DPF, "2026-11-03")
    assert back["correction"]["at"] == 0
    again = chained.propose(case_id, {**REFUSAL, "reason": "全部不符合条件"}, TOWNSHIP, "2026-11-04")
    assert again["correction"]["decision"]["outcome"] == "rejected" and again["correction"]["at"] == 1


def test_only_a_decided_case_is_corrected_and_a_correction_changes_something(chained):
    case_id = chained.decided("703", APPROVAL)
    with pytest.raises(Invalid) as same:
        chained.propose(case_id, {**APPROVAL, "reason": "重复"}, TOWNSHIP, "2026-11-02")
    assert same.value.code == "DECISION_UNCHANGED"
    accepted = cases.accept(chained.deps, application(id_number(sequence="704")), WINDOW, at("2026-10-12"))
    with pytest.raises(Forbidden):  # not pushed: not the 业务属地's yet
        chained.propose(str(accepted["case_id"]), REFUSAL, TOWNSHIP, "2026-11-02")


# --- single-step chain: in force at once ------------------------------------------------------------------------------

def test_a_refusal_corrected_to_an_approval_pays_from_the_application_month(single):
    case_id = single.decided("711", REFUSAL, day="2026-10-12", decided="2026-10-15")
    assert single.entitlement(case_id, "living") is None
    body = {"outcome": "approved", "reason": "残疾等级核实有误，应予认定",
            "subsidies": [{"type": "living", "monthly_amount": "99"}]}
    with pytest.raises(Invalid) as no_reason:
        single.propose(case_id, {k: v for k, v in body.items() if k != "reason"}, TOWNSHIP, "2026-12-03")
    assert no_reason.value.code == "CORRECTION_REASON_REQUIRED"
    done = single.propose(case_id, body, TOWNSHIP, "2026-12-03")

    assert done["correction"] is None and done["decision"]["outcome"] == "approved"
    [living] = done["decision"]["subsidies"]
    assert living["start_month"] == "2026-10"  # the application month, not the correction's
    assert living["back_pay"]["from_month"] == "2026-10" and living["back_pay"]["through_month"] == "2026-12"
    assert living["back_pay"]["total"] == "297.00"
    assert [d["outcome"] for d in done["decisions_before"]] == ["rejected"]
    assert [e["event"] for e in done["timeline"]][-2:] == ["decided", "decision_corrected"]
    ent = single.entitlement(case_id, "living")
    assert ent.start_month == "2026-10" and ent.status_in("2026-10") == "active"
    assert done["entitlements"] == [{"entitlement_id": f"{case_id}-living", "action": "created",
                                     "start_month": "2026-10"}]
    assert single.entitlement(case_id, "nursing") is None  # not granted by the correction either
    assert single.fakes.sender.results[-1]["outcome"] == "approved"  # returned to the 受理地 again


def test_an_amount_corrected_from_the_application_month_owes_the_difference(single):
    case_id = single.decided("712", APPROVAL, day="2026-10-12", decided="2026-10-15")
    higher = {"outcome": "approved", "reason": "护理补贴标准应为一级",
              "subsidies": [{"type": "living", "monthly_amount": "99"},
                            {"type": "nursing", "monthly_amount": "150"}]}
    done = single.propose(case_id, higher, TOWNSHIP, "2026-12-03")
    by_id = {e["entitlement_id"]: e["action"] for e in done["entitlements"]}
    assert by_id == {f"{case_id}-living": "unchanged", f"{case_id}-nursing": "corrected"}
    nursing = single.entitlement(case_id, "nursing")
    assert nursing.pricing_in("2026-10").amount == Decimal(150)  # from the application month


def test_a_refusal_after_a_paid_month_leaves_a_debt_the_ledger_owes_back(single):
    case_id = single.decided("713", APPROVAL, day="2026-10-12", decided="2026-10-15")
    ent_id = f"{case_id}-living"
    paid = apply_payment(Ledger(ent_id), f"{HARBIN_TOWNSHIP}/2026-10", 1, (("2026-10", Decimal(99)),))
    single.payroll.ledgers.put_all(HARBIN_TOWNSHIP, [paid])
    single.propose(case_id, {**REFUSAL, "reason": "户籍不在本辖区"}, TOWNSHIP, "2026-11-20")
    ent = single.entitlement(case_id, "living")
    owed_back = debt(ent, single.payroll.ledgers.get(ent_id), "2026-11", Standards(()))
    assert [(month, amount) for month, amount in owed_back] == [("2026-10", Decimal(99))]


# --- concurrent writes and a second run -------------------------------------------------------------------------------

class CommitteeChangedFirst:
    """The entitlement store, where a reviewer changes an entitlement's committee just after the correction read it
    (once): the correction's transaction, conditioned on the version read, is refused and made again on what is
    stored."""

    def __init__(self, store: Any) -> None:
        self.store, self.raced = store, False

    def get(self, entitlement_id: str) -> Any:
        read = self.store.get(entitlement_id)
        if read is not None and not self.raced:
            self.raced = True
            moved = change_committee(read, HARBIN_TOWNSHIP + "002", "迁居本街道另一社区", "reviewer-x",
                                     "2026-11-20T09:00:00+08:00", "2026-11")
            self.store.save(read, moved, at("2026-11-20"))
        return read

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_a_concurrent_change_of_an_entitlement_is_kept_and_the_correction_applied_on_top(single):
    case_id = single.decided("721", APPROVAL, day="2026-10-12", decided="2026-10-15")
    single.payroll = replace(single.payroll, entitlements=CommitteeChangedFirst(single.payroll.entitlements))
    done = single.propose(case_id, {**REFUSAL, "reason": "重复享受"}, TOWNSHIP, "2026-11-20")
    assert {e["action"] for e in done["entitlements"]} == {"stopped"}
    living = single.entitlement(case_id, "living")
    assert [c.kind for c in living.history] == ["approved", "committee", "corrected"]  # nothing lost
    assert living.status_in("2026-10") == "stopped"


def test_a_correction_whose_entitlement_write_is_refused_changes_neither_the_case_nor_the_entitlement(single):
    """One transaction: the case is not corrected while its entitlements still pay (never half-written)."""
    case_id = single.decided("723", APPROVAL, day="2026-10-12", decided="2026-10-15")
    store = single.fakes.cases
    case_before, living_before = store.get(case_id), single.entitlement(case_id, "living")
    refused = {"n": 0}
    holds = store.entitlements.holds

    def refuse(update: Any) -> bool:  # another writer moves every entitlement on, each time the transaction runs
        refused["n"] += 1
        return False and holds(update)

    store.entitlements.holds = refuse  # type: ignore[method-assign]
    with pytest.raises(Conflict) as kept_changing:
        single.propose(case_id, {**REFUSAL, "reason": "重复享受"}, TOWNSHIP, "2026-11-20")
    assert kept_changing.value.code == "CONCURRENT_UPDATE" and refused["n"] > 1
    assert store.get(case_id).version == case_before.version
    assert store.get(case_id).decision == case_before.decision
    assert single.entitlement(case_id, "living") == living_before


def test_applying_a_correction_in_force_again_writes_nothing(single):
    case_id = single.decided("722", APPROVAL, day="2026-10-12", decided="2026-10-15")
    single.propose(case_id, {**REFUSAL, "reason": "重复享受"}, TOWNSHIP, "2026-11-20")
    case = single.fakes.cases.get(case_id)
    writes, again = corrections.follow(single.payroll, case, TOWNSHIP, at("2026-11-21"))
    assert {e["action"] for e in again} == {"already_applied"}
    assert writes.updates == ()
