"""残疾状态 from a DPF certificate roster (issue 16.7): the domain (domain/supervision/disability.py) and the roster
load's proposals (services/disability.py through services/registers.load_roster) on the in-memory stores — a changed
grade proposes the nursing subsidy's stop below the province's grades and the facts corrected otherwise, never
applied by itself; the reviewer's confirmation applies it. POST /rosters on moto: tests/integration/test_self_reports.py."""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest

from chalicelib.domain.payments.entitlements import Change, Entitlement
from chalicelib.domain.rules.jurisdiction import EligibilityRule
from chalicelib.domain.supervision.disability import certificate_change
from chalicelib.services import comparison, disability, registers
from chalicelib.services.payroll import Payroll
from tests.fakes.payments import FakeFiles, FakeLedgers, FakePricing, FakeRecords
from tests.fakes.registers import FakeRosters
from tests.fakes.rules import FakeRules
from tests.fakes.supervision import FakeProposals
from tests.fakes.world import SECRET, case_world
from tests.support.payroll import NO_TABLES
from tests.support.people import HARBIN_TOWNSHIP, fresh_application
from tests.unit.test_comparison_service import BUCKET, REVIEWER, World, approved_case

LOADED = datetime.fromisoformat("2026-11-20T09:00:00+08:00")
NATIONAL = EligibilityRule("00", date(2016, 1, 1))
EXTENDED = EligibilityRule("23", date(2026, 1, 1), nursing_extensions=(((5, 6), (3,)),))
KEY = "rosters/disability_certificates/2026-11.csv"


def make_world() -> World:
    """The case services, the payroll and the proposals on the in-memory stores."""
    base = case_world(messages=False)
    records = FakeRecords()
    payroll = Payroll(entitlements=base.cases.entitlements, ledgers=FakeLedgers(records), records=records,
                      files=FakeFiles(), pricing=FakePricing(NO_TABLES))
    return World(base, FakeRosters(), FakeProposals(), FakeRules(), payroll)


@pytest.fixture()
def world() -> World:
    return make_world()


@pytest.fixture()
def recipient(world: World) -> tuple[str, str]:
    body = fresh_application()  # 肢体一级 (certificate digits 41), living and nursing approved
    case_id = approved_case(world.cases, body)
    return body["applicant"]["id_number"], case_id


def load(world: World, person: str, category: int, grade: int, status: str = "valid",
         rule: EligibilityRule = NATIONAL) -> dict[str, Any]:
    text = ("id_number,certificate_number,category,grade,valid_until,status\n"
            f"{person},{person}{category}{grade},{category},{grade},2031-05-01,{status}\n")
    world.files.put_object(BUCKET, KEY, text.encode())

    def propose(load_id: str, entries: Any) -> int:
        return disability.propose_from_certificates(world.cases.cases.entitlements, world.proposals,
                                                    lambda province, on: rule, load_id, entries, LOADED)

    return registers.load_roster(world.files, SECRET, BUCKET, "disability_certificates", KEY, "operator", LOADED,
                                 propose)


def proposed(world: World) -> dict[str, dict[str, Any]]:
    return {p["subsidy"]: p for p in comparison.listing(world.proposals, REVIEWER, HARBIN_TOWNSHIP, "proposed")
            ["proposals"]}


def test_a_grade_below_the_nursing_grades_proposes_stopping_the_nursing_subsidy_and_correcting_the_living(
        world, recipient):
    person, case_id = recipient
    answer = load(world, person, 4, 3)
    assert answer["proposals"] == 2
    found = proposed(world)
    assert (found["nursing"]["action"], found["nursing"]["effective_month"]) == ("stop", "2026-12")
    assert "肢体残疾一级变为肢体残疾三级" in found["nursing"]["reason"] and "护理补贴终止" in found["nursing"]["reason"]
    assert found["living"]["action"] == "correct"
    assert json.loads(found["living"]["new_facts"]) == {"category": 4, "grade": 3}
    assert {p["source"] for p in found.values()} == {"roster"}
    ent = world.entitlement(f"{case_id}-nursing")
    assert ent.status_in("2026-12") == "active" and ent.facts_in("2026-12")["grade"] == 1  # nothing applied yet


def test_the_reviewer_confirms_the_correction_and_the_stop(world, recipient):
    person, case_id = recipient
    load(world, person, 4, 2)
    found = proposed(world)
    assert set(found) == {"living", "nursing"} and {p["action"] for p in found.values()} == {"correct"}
    for proposal in found.values():
        comparison.settle(world.proposals, world.payroll, proposal["proposal_id"], "confirmed",
                          lambda: {"note": "残联核实换证"}, REVIEWER, LOADED)
    nursing = world.entitlement(f"{case_id}-nursing")
    assert nursing.facts_in("2026-12")["grade"] == 2 and nursing.facts_in("2026-11")["grade"] == 1
    assert nursing.status_in("2026-12") == "active"


def test_the_same_certificate_a_cancelled_one_or_the_same_change_again_proposes_nothing_new(world, recipient):
    person, _ = recipient
    assert load(world, person, 4, 1)["proposals"] == 0
    assert load(world, person, 4, 3, status="cancelled")["proposals"] == 0  # the comparison's 注销, not this
    assert load(world, person, 4, 3)["proposals"] == 2
    assert load(world, person, 4, 3)["proposals"] == 0  # uploaded again (a new version): the same change
    assert len(proposed(world)) == 2


def test_a_province_extension_keeps_the_nursing_subsidy_for_its_categories():
    first = Change("approved", "2026-05", "符合条件", "r", "t", status="active", pricing="table",
                   facts={"category": 5, "grade": 2})
    ent = Entitlement("C1-nursing", "C1", "nursing", "k", "230***********1234", "张三", HARBIN_TOWNSHIP,
                      "310101002", None, "2026-05", (first,))
    covered = certificate_change(ent, {"status": "valid", "category": "5", "grade": "3"}, EXTENDED, "2026-12")
    dropped = certificate_change(ent, {"status": "valid", "category": "5", "grade": "3"}, NATIONAL, "2026-12")
    assert covered is not None and covered.action == "correct"
    assert dropped is not None and dropped.action == "stop"
    assert certificate_change(ent, {"status": "valid", "category": "5", "grade": "2"}, NATIONAL, "2026-12") is None
