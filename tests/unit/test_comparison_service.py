"""The monthly data comparison (services/comparison.py) on the in-memory stores: each kind of file, the province's
effective month, a file processed once, confirm and reject. The recipient is approved by the case services on the
fakes (tests/fakes/world.py), as tests/integration/test_entitlements.approved_case does over the API; the stores'
contracts run on moto in tests/contract (test_supervision_stores, test_register_store, test_payment_stores); the
comparison routes stay in tests/integration/test_data_comparison.py."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from chalicelib.domain.cases.case import Actor
from chalicelib.domain.errors import DomainError
from chalicelib.services import cases, comparison, rules
from chalicelib.services.payroll import Payroll
from tests.fakes.payments import FakeFiles, FakeLedgers, FakePricing, FakeRecords
from tests.fakes.registers import FakeRosters
from tests.fakes.rules import FakeRules
from tests.fakes.supervision import FakeProposals
from tests.fakes.world import SECRET, CaseWorld, case_world
from tests.support.payroll import NO_TABLES
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, fresh_application

RUN_AT = datetime.fromisoformat("2026-11-05T02:00:00+08:00")  # the November comparison
BUCKET = "subsidy-test-materials"
WINDOW = Actor("window-310101002", "窗口", "window", SHANGHAI_WINDOW)
REVIEWER = Actor("reviewer-230102001", "审核", "reviewer", HARBIN_TOWNSHIP)
APPROVE = {"outcome": "approved", "reason": "符合条件",
           "subsidies": [{"type": "living", "monthly_amount": "90.00"}, {"type": "nursing", "monthly_amount": "120.00"}]}


@dataclass
class World:
    cases: CaseWorld
    files: FakeRosters
    proposals: FakeProposals
    rules: FakeRules
    payroll: Payroll

    def run(self, kind: str, rows: list[tuple[str, str]], name: str = "2026-11.csv") -> dict[str, Any]:
        key = f"comparisons/{kind}/{name}"
        text = "id_number,event_date\n" + "".join(f"{person},{day}\n" for person, day in rows)
        self.files.put_object(BUCKET, key, text.encode())
        return comparison.compare(self.files, self.proposals, self.cases.cases.entitlements, SECRET, BUCKET, kind,
                                  key, "operator", RUN_AT,
                                  lambda province: rules.comparison_offsets(self.rules, province, RUN_AT.date()))

    def entitlement(self, entitlement_id: str) -> Any:
        return self.cases.cases.entitlements.get(entitlement_id)


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


def approved_case(world: CaseWorld, body: dict[str, Any], applied: str = "2026-05-20",
                  decided: str = "2026-10-15") -> str:
    """Accepted with every material, completed, pushed, approved (living 90.00, nursing 120.00)."""
    now = at(f"{applied}T10:00:00+08:00")
    case_id = str(cases.accept(world.deps, body, WINDOW, now)["case_id"])
    world.receive_notice(case_id, WINDOW, now)
    cases.complete(world.deps, case_id, WINDOW, "accepting", now)
    cases.push(world.deps, case_id, WINDOW, "accepting", now)
    cases.decide(world.deps, case_id, APPROVE, REVIEWER, "business", at(f"{decided}T10:00:00+08:00"))
    return case_id


@pytest.fixture()
def world() -> World:
    base = case_world(messages=False)
    records = FakeRecords()
    payroll = Payroll(entitlements=base.cases.entitlements, ledgers=FakeLedgers(records), records=records,
                      files=FakeFiles(), pricing=FakePricing(NO_TABLES))
    return World(base, FakeRosters(), FakeProposals(), FakeRules(), payroll)


@pytest.fixture()
def recipient(world):
    body = fresh_application()
    case_id = approved_case(world.cases, body)
    return body["applicant"]["id_number"], case_id


@pytest.mark.parametrize("kind, action, subsidies", [
    ("deaths", "stop", {"living", "nursing"}),
    ("hukou_moves", "stop", {"living", "nursing"}),
    ("dibao_exits", "stop", {"living"}),
    ("tekun_entries", "stop", {"living", "nursing"}),
    ("certificate_cancellations", "stop", {"living", "nursing"}),
    ("certificate_expiries", "stop", {"living", "nursing"}),
    ("imprisonments", "suspend", {"living", "nursing"}),
])
def test_each_kind_of_file_proposes_its_action_from_the_month_after_the_event_by_default(world, recipient, kind,
                                                                                        action, subsidies):
    person, case_id = recipient
    result = world.run(kind, [(person, "2026-10-20")])
    assert (result["rows"], result["errors"], result["proposals"]) == (1, 0, len(subsidies))
    listed = comparison.listing(world.proposals, REVIEWER, HARBIN_TOWNSHIP, "proposed")["proposals"]
    assert {p["subsidy"] for p in listed} == subsidies
    assert {(p["action"], p["effective_month"]) for p in listed} == {(action, "2026-11")}  # event 2026-10-20
    # nothing stopped yet: a person must confirm
    assert world.entitlement(f"{case_id}-living").status_in("2026-11") == "active"


def test_a_province_rule_sets_the_effective_month(world, recipient):
    person, _ = recipient
    admin = Actor("admin-23", "管理员", "admin", "23")
    rules.put_comparison_rule(world.rules, admin, "23", "2026-01-01", lambda: {"deaths": 0}, RUN_AT)
    world.run("deaths", [(person, "2026-09-02")])  # a death two months before the comparison that found it
    listed = comparison.listing(world.proposals, REVIEWER, HARBIN_TOWNSHIP, "proposed")["proposals"]
    assert {p["effective_month"] for p in listed} == {"2026-09"}  # from the month of the death


def test_a_file_is_processed_exactly_once_and_bad_rows_are_reported_without_the_number(world, recipient):
    person, _ = recipient
    rows = [(person, "2026-10-20"), ("23010219800101123X", "not-a-date"), ("123", "2026-10-01")]
    first = world.run("deaths", rows)
    assert (first["rows"], first["errors"], first["proposals"]) == (1, 2, 2)
    assert all("123" not in line.split(":", 1)[1] for line in first["error_lines"])
    again = world.run("deaths", rows)
    assert again["already_done"] is True and again["proposals"] == 2
    assert len(comparison.listing(world.proposals, REVIEWER, HARBIN_TOWNSHIP, None)["proposals"]) == 2


def test_a_confirmed_proposal_stops_the_entitlement_with_the_reason_and_the_accepting_window_sees_it(world, recipient):
    person, case_id = recipient
    world.run("deaths", [(person, "2026-10-20")])
    proposals = comparison.listing(world.proposals, REVIEWER, HARBIN_TOWNSHIP, "proposed")["proposals"]
    living = next(p for p in proposals if p["subsidy"] == "living")
    with pytest.raises(DomainError) as no_note:
        comparison.settle(world.proposals, world.payroll, living["proposal_id"], "confirmed", lambda: {}, REVIEWER,
                          RUN_AT)
    assert no_note.value.code == "MISSING_FIELD"
    outsider = Actor("reviewer-x", "x", "reviewer", "230103001")
    with pytest.raises(DomainError) as out_of_reach:
        comparison.settle(world.proposals, world.payroll, living["proposal_id"], "confirmed", lambda: {"note": "x"},
                          outsider, RUN_AT)
    assert out_of_reach.value.status == 403

    confirmed = comparison.settle(world.proposals, world.payroll, living["proposal_id"], "confirmed",
                                  lambda: {"note": "经公安死亡数据核实"}, REVIEWER, RUN_AT)
    assert confirmed["status"] == "confirmed"
    ent = world.entitlement(f"{case_id}-living")
    assert (ent.status_in("2026-11"), ent.history[-1].effective_month) == ("stopped", "2026-11")
    assert "死亡" in ent.history[-1].reason and "经公安死亡数据核实" in ent.history[-1].reason
    with pytest.raises(DomainError) as twice:
        comparison.settle(world.proposals, world.payroll, living["proposal_id"], "rejected", lambda: {"note": "x"},
                          REVIEWER, RUN_AT)
    assert twice.value.code == "PROPOSAL_DECIDED"

    window = Actor("window-1", "窗口", "window", SHANGHAI_WINDOW)
    seen = comparison.listing(world.proposals, window, SHANGHAI_WINDOW, "confirmed")["proposals"]
    assert [p["proposal_id"] for p in seen] == [living["proposal_id"]]


def test_a_rejected_proposal_leaves_the_entitlement_as_it_was(world, recipient):
    person, case_id = recipient
    world.run("imprisonments", [(person, "2026-10-01")])
    [first, *_] = comparison.listing(world.proposals, REVIEWER, HARBIN_TOWNSHIP, "proposed")["proposals"]
    rejected = comparison.settle(world.proposals, world.payroll, first["proposal_id"], "rejected",
                                 lambda: {"note": "同名不同人，已核实身份证号"}, REVIEWER, RUN_AT)
    assert rejected["status"] == "rejected" and rejected["note"] == "同名不同人，已核实身份证号"
    assert world.entitlement(first["entitlement_id"]).status_in("2026-11") == "active"
