"""One contract, two implementations: the supervision stores on moto (adapters/checks_table.py, reviews_table.py,
monitored_units.py, proposals_table.py) and in memory (tests/fakes/supervision.py). What the supervision and
comparison services rely on: items created once and a re-run changing nothing recorded, conditional updates answered
False or None, every recording kept, the sparse indexes (open checks per committee, changes, expiring certificates,
each side's proposals) in their range key's order, the review tasks paged with tokens that only their own list
accepts; and the jobs (services/monitoring.py) counting alike on both."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from msgspec.structs import replace

from chalicelib.adapters.checks_table import CheckModel, MonthlyChecks
from chalicelib.adapters.entitlements_table import EntitlementModel, Entitlements, LockModel, to_model
from chalicelib.adapters.monitored_units import MonitoredUnitModel, MonitoredUnits
from chalicelib.adapters.proposals_table import ComparisonLoadModel, LoadState, ProposalModel, Proposals
from chalicelib.adapters.reviews_table import ReviewTaskModel, ReviewTasks
from chalicelib.adapters.store import CaseRepository
from chalicelib.domain.errors import Invalid
from chalicelib.domain.payments.entitlements import Entitlement, move
from chalicelib.domain.supervision.monitoring import check_for, task_for
from chalicelib.services import monitoring
from tests.contract.conftest import emptied
from tests.fakes.cases import FakeCases
from tests.fakes.payments import FakeEntitlements
from tests.fakes.supervision import (
    FakeMonitoredUnits,
    FakeMonthlyChecks,
    FakeNotices,
    FakeProposals,
    FakeReviewTasks,
)
from tests.support.payroll import LIVING, UNIT, approved

MONTH = "2026-10"
FIRST, SECOND = f"{UNIT}001", f"{UNIT}002"  # two village committees of the township
OTHER_UNIT = "230103001"
MODELS = (CheckModel, ReviewTaskModel, MonitoredUnitModel, ComparisonLoadModel, ProposalModel, EntitlementModel,
          LockModel)


@dataclass
class Stores:
    checks: Any
    tasks: Any
    units: Any
    proposals: Any
    entitlements: Any
    cases: Any

    def add(self, ent: Entitlement) -> Entitlement:
        """What an approval's transaction writes: the entitlement."""
        if isinstance(self.entitlements, FakeEntitlements):
            return self.entitlements.add(ent)
        to_model(ent).save()
        stored = self.entitlements.get(ent.entitlement_id)
        assert stored is not None
        return stored

    def monitoring(self, notices: FakeNotices) -> monitoring.Monitoring:
        return monitoring.Monitoring(entitlements=self.entitlements, checks=self.checks, units=self.units,
                                     tasks=self.tasks, cases=self.cases, notifier=notices)


@pytest.fixture()
def stores(backend: str) -> Stores:
    if backend == "fake":
        return Stores(FakeMonthlyChecks(), FakeReviewTasks(), FakeMonitoredUnits(), FakeProposals(),
                      FakeEntitlements(), FakeCases())
    emptied(*MODELS)  # each test on empty tables
    return Stores(MonthlyChecks(), ReviewTasks(), MonitoredUnits(), Proposals(), Entitlements(), CaseRepository())


def recipient(case: str, committee: str | None = FIRST, unit: str = UNIT, subsidy: str = "living") -> Entitlement:
    return replace(approved(case, subsidy, "2026-03", LIVING, "2026-03-20T10:00:00+08:00", unit=unit),
                   committee_unit=committee)


# --- the monthly checks ----------------------------------------------------------------------------------------

def test_a_check_is_issued_once_and_a_committee_s_list_is_in_entitlement_order(stores):
    assert stores.checks.issue(check_for(recipient("C03"), MONTH))
    assert stores.checks.issue(check_for(recipient("C01"), MONTH))
    assert stores.checks.issue(check_for(recipient("C02", SECOND), MONTH))
    assert stores.checks.issue(check_for(recipient("C01"), "2026-11"))
    assert not stores.checks.issue(check_for(recipient("C01"), MONTH))
    listed = stores.checks.of_committee(FIRST, MONTH)
    assert [c.entitlement_id for c in listed] == ["C01-living", "C03-living"]
    assert listed[0] == check_for(recipient("C01"), MONTH)  # nothing recorded yet
    assert stores.checks.of_committee(FIRST, "2026-12") == []


def test_the_latest_recording_wins_every_recording_is_kept_and_a_re_issue_resets_nothing(stores):
    stores.checks.issue(check_for(recipient("C01"), MONTH))
    moved = stores.checks.record(FIRST, MONTH, "C01-living", "moved", "迁往大连", "committee-1",
                                 "2026-10-10T09:00:00+08:00")
    assert (moved.result, moved.note, moved.recorded_by) == ("moved", "迁往大连", "committee-1")
    present = stores.checks.record(FIRST, MONTH, "C01-living", "present", "", "committee-2",
                                   "2026-10-20T09:00:00+08:00")
    assert (present.result, present.note, present.recorded_at) == ("present", "", "2026-10-20T09:00:00+08:00")
    assert [dict(r) for r in present.recordings] == [
        {"result": "moved", "note": "迁往大连", "by": "committee-1", "at": "2026-10-10T09:00:00+08:00"},
        {"result": "present", "note": "", "by": "committee-2", "at": "2026-10-20T09:00:00+08:00"}]
    assert not stores.checks.issue(check_for(recipient("C01"), MONTH))
    assert stores.checks.of_committee(FIRST, MONTH) == [present]


def test_recording_a_check_that_was_never_issued_answers_none(stores):
    stores.checks.issue(check_for(recipient("C01"), MONTH))
    assert stores.checks.record(FIRST, MONTH, "C02-living", "present", "", "c", "2026-10-10T09:00:00+08:00") is None
    assert stores.checks.record(SECOND, MONTH, "C01-living", "present", "", "c", "2026-10-10T09:00:00+08:00") is None
    assert stores.checks.record(FIRST, "2026-11", "C01-living", "present", "", "c", "2026-11-10T09:00:00+08:00") \
        is None
    assert [c.entitlement_id for c in stores.checks.of_committee(FIRST, MONTH)] == ["C01-living"]


def test_open_checks_are_counted_per_committee_and_changes_listed_until_a_committee_says_present(stores):
    for case, committee in (("C01", FIRST), ("C02", FIRST), ("C03", SECOND), ("C04", SECOND), ("C05", SECOND)):
        stores.checks.issue(check_for(recipient(case, committee), MONTH))
    stores.checks.issue(check_for(recipient("C09", f"{OTHER_UNIT}001", OTHER_UNIT), MONTH))
    assert stores.checks.open_by_committee(UNIT, MONTH) == {FIRST: 2, SECOND: 3}
    at = "2026-10-10T09:00:00+08:00"
    stores.checks.record(SECOND, MONTH, "C04-living", "deceased", "已去世", "c2", at)
    stores.checks.record(FIRST, MONTH, "C01-living", "present", "", "c1", at)
    stores.checks.record(SECOND, MONTH, "C03-living", "moved", "户籍迁出", "c2", at)
    assert stores.checks.open_by_committee(UNIT, MONTH) == {FIRST: 1, SECOND: 1}
    assert [(c.entitlement_id, c.result) for c in stores.checks.changes(UNIT, MONTH)] == [
        ("C03-living", "moved"), ("C04-living", "deceased")]
    stores.checks.record(SECOND, MONTH, "C03-living", "present", "核实有误", "c2", at)  # the committee corrects
    assert [c.entitlement_id for c in stores.checks.changes(UNIT, MONTH)] == ["C04-living"]
    assert stores.checks.open_by_committee(UNIT, MONTH) == {FIRST: 1, SECOND: 1}  # recorded stays recorded
    assert stores.checks.open_by_committee(OTHER_UNIT, MONTH) == {f"{OTHER_UNIT}001": 1}
    assert stores.checks.changes(OTHER_UNIT, MONTH) == [] and stores.checks.open_by_committee(UNIT, "2026-11") == {}


# --- the yearly review tasks -----------------------------------------------------------------------------------

def test_a_task_is_created_once_and_existing_names_the_entitlements_that_have_one(stores):
    assert stores.tasks.create(task_for(recipient("C01"), 2026, "2031-05"))
    assert stores.tasks.create(task_for(recipient("C02"), 2026, None))
    assert not stores.tasks.create(task_for(recipient("C01"), 2026, "2029-01"))
    assert stores.tasks.create(task_for(recipient("C01"), 2027, "2031-05"))
    assert stores.tasks.existing(UNIT, 2026, ["C01-living", "C03-living", "C02-living"]) == {"C01-living",
                                                                                              "C02-living"}
    assert stores.tasks.existing(UNIT, 2028, ["C01-living"]) == set()
    assert stores.tasks.existing(OTHER_UNIT, 2026, ["C01-living"]) == set()
    [first, _] = stores.tasks.page(UNIT, 2026, 10, None)[0]
    assert first == task_for(recipient("C01"), 2026, "2031-05")  # the first creation's expiry, nothing recorded


def test_tasks_page_in_entitlement_order_with_tokens_that_only_their_own_list_accepts(stores):
    for n in (5, 2, 7, 1, 3, 6, 4):
        stores.tasks.create(task_for(recipient(f"C0{n}"), 2026, None))
    stores.tasks.create(task_for(recipient("C08"), 2027, None))
    seen, token, pages = [], None, 0
    while True:
        page, token = stores.tasks.page(UNIT, 2026, 3, token)
        seen += [t.entitlement_id for t in page]
        pages += 1
        if token is None:
            break
    assert seen == [f"C0{n}-living" for n in range(1, 8)] and pages == 3
    first_page, token = stores.tasks.page(UNIT, 2026, 3, None)
    assert token is not None
    for foreign in ((UNIT, 2027), (OTHER_UNIT, 2026)):
        with pytest.raises(Invalid) as refused:
            stores.tasks.page(*foreign, 3, token)
        assert (refused.value.code, refused.value.field) == ("BAD_PAGE_TOKEN", "next_token")
    for forged in ("bm90LWEta2V5", "!!!", "e30="):  # "not-a-key", not base64, "{}"
        with pytest.raises(Invalid) as refused:
            stores.tasks.page(UNIT, 2026, 3, forged)
        assert refused.value.code == "BAD_PAGE_TOKEN"
    assert stores.tasks.page(UNIT, 2026, 10, "") == stores.tasks.page(UNIT, 2026, 10, None)
    assert stores.tasks.page(OTHER_UNIT, 2026, 10, None) == ([], None)


def test_recording_a_review_keeps_every_recording_and_an_unknown_task_answers_none(stores):
    stores.tasks.create(task_for(recipient("C01"), 2026, "2031-05"))
    stores.tasks.record(UNIT, 2026, "C01-living", "change_needed", "待核实", "r1", "2026-11-02T09:00:00+08:00")
    done = stores.tasks.record(UNIT, 2026, "C01-living", "confirmed", "入户核查无变化", "r2",
                               "2026-11-03T09:00:00+08:00", "home_visit")
    assert (done.status, done.outcome, done.note, done.recorded_by) == ("done", "confirmed", "入户核查无变化", "r2")
    assert [r["outcome"] for r in done.recordings] == ["change_needed", "confirmed"]
    assert (done.method, [r["method"] for r in done.recordings]) == ("home_visit", [None, "home_visit"])
    assert stores.tasks.page(UNIT, 2026, 10, None)[0] == [done]
    assert stores.tasks.record(UNIT, 2027, "C01-living", "confirmed", "x", "r1", "2026-11-03T09:00:00+08:00") is None
    assert stores.tasks.record(UNIT, 2026, "C02-living", "confirmed", "x", "r1", "2026-11-03T09:00:00+08:00") is None
    assert not stores.tasks.create(task_for(recipient("C01"), 2026, "2031-05"))  # the outcome stays
    assert stores.tasks.page(UNIT, 2026, 10, None)[0][0].outcome == "confirmed"


def test_expiring_certificates_are_found_across_years_and_reminded_once_until_unmarked(stores):
    stores.tasks.create(task_for(recipient("C02"), 2026, "2027-04"))
    stores.tasks.create(task_for(recipient("C01"), 2026, "2027-04"))
    stores.tasks.create(task_for(recipient("C01"), 2027, "2027-04"))
    stores.tasks.create(task_for(recipient("C03"), 2026, "2031-05"))
    stores.tasks.create(task_for(recipient("C04"), 2026, None))
    stores.tasks.create(task_for(recipient("C09", unit=OTHER_UNIT), 2026, "2027-04"))
    expiring = stores.tasks.expiring(UNIT, "2027-04")
    assert sorted((t.entitlement_id, t.year) for t in expiring) == [("C01-living", 2026), ("C01-living", 2027),
                                                                     ("C02-living", 2026)]
    assert [t.entitlement_id for t in expiring][-1] == "C02-living"  # in the index's range key order
    task = next(t for t in expiring if t.entitlement_id == "C02-living")
    assert stores.tasks.mark_reminded(task, "2026-10-01")
    assert not stores.tasks.mark_reminded(task, "2026-10-02")
    assert [t.reminded_at for t in stores.tasks.expiring(UNIT, "2027-04") if t.entitlement_id == "C02-living"] == [
        "2026-10-01"]
    stores.tasks.unmark_reminded(task)
    assert stores.tasks.mark_reminded(task, "2026-10-03")
    assert not stores.tasks.mark_reminded(replace(task, year=2028), "2026-10-03")  # no such task


# --- the registry of 业务属地 -------------------------------------------------------------------------------------

def test_units_are_registered_once_and_escalated_at_most_once_a_day(stores):
    assert stores.units.all() == []
    for unit in (OTHER_UNIT, UNIT, OTHER_UNIT):
        stores.units.register(unit)
    assert stores.units.all() == [UNIT, OTHER_UNIT]
    assert stores.units.first_escalation_on(UNIT, "2026-10-26")
    assert not stores.units.first_escalation_on(UNIT, "2026-10-26")
    stores.units.register(UNIT)  # a registration keeps the day's mark
    assert not stores.units.first_escalation_on(UNIT, "2026-10-26")
    assert stores.units.first_escalation_on(UNIT, "2026-10-27")
    assert stores.units.first_escalation_on(OTHER_UNIT, "2026-10-26")
    assert stores.units.first_escalation_on("230104001", "2026-10-26")  # the update puts an unregistered unit
    assert stores.units.all() == [UNIT, OTHER_UNIT, "230104001"]


# --- comparison loads and proposals ------------------------------------------------------------------------------

def proposal(proposal_id: str, business: str = UNIT, accepting: str = "310101002", **more: Any) -> dict[str, Any]:
    return {"proposal_id": proposal_id, "load_id": "L1", "entitlement_id": f"{proposal_id}-living",
            "case_id": proposal_id, "business_unit": business, "accepting_unit": accepting, "subsidy": "living",
            "masked_id": "230***********1234", "kind": "deaths", "action": "stop", "reason": "死亡",
            "effective_month": "2026-11", "event_date": "2026-10-20", "created_at": "2026-11-05T02:00:00+08:00",
            **more}


def test_a_load_is_claimed_resumed_while_loading_and_never_run_twice_once_done(stores):
    assert stores.proposals.load_state("L1") is None
    assert stores.proposals.start_load("L1", "deaths", "comparisons/deaths/a.csv", "2026-11", "op", "t1")
    assert stores.proposals.load_state("L1") == LoadState("loading", 0, 0, 0)
    assert stores.proposals.start_load("L1", "deaths", "comparisons/deaths/a.csv", "2026-11", "op", "t2")  # resumes
    stores.proposals.finish_load("L1", 10, 2, 3)
    assert stores.proposals.load_state("L1") == LoadState("done", 10, 2, 3)
    assert not stores.proposals.start_load("L1", "deaths", "comparisons/deaths/a.csv", "2026-11", "op", "t3")
    assert stores.proposals.load_state("L1") == LoadState("done", 10, 2, 3)


REPORT_FIELDS = ("source", "reporter", "report_channel", "reported_by", "received_by", "report_contact", "new_facts")


def test_a_self_reports_proposal_keeps_who_reported_it_and_where(stores):
    """个人主动申报 (issue 16.7): the same proposals, with their source and the report's particulars."""
    report = {"source": "self_report", "reporter": "family", "report_channel": "window", "reported_by": "w1",
              "received_by": "440103001", "report_contact": "13800000001"}
    assert stores.proposals.propose(proposal("P2", kind="self_report_death", **report))
    assert stores.proposals.get("P2") == {**proposal("P2", kind="self_report_death", **report), "status": "proposed",
                                          "decided_by": None, "decided_at": None, "note": None, "new_facts": None}
    assert [p["source"] for p in stores.proposals.of_side("business", UNIT, "proposed")] == ["self_report"]


def test_a_certificate_rosters_proposal_keeps_the_new_facts(stores):
    """残疾状态 (issue 16.7): a correction's facts, as the JSON text the service wrote."""
    fields = {"source": "roster", "kind": "certificate_grade_change", "action": "correct",
              "new_facts": '{"category": 4, "grade": 3}'}
    assert stores.proposals.propose(proposal("P3", **fields))
    assert stores.proposals.get("P3") == {**proposal("P3", **fields), **dict.fromkeys(REPORT_FIELDS[1:6]),
                                          "status": "proposed", "decided_by": None, "decided_at": None, "note": None}


def test_a_proposal_is_put_once_and_decided_once(stores):
    assert stores.proposals.get("P1") is None
    assert stores.proposals.propose(proposal("P1"))
    assert not stores.proposals.propose(proposal("P1", reason="another run"))
    assert stores.proposals.get("P1") == {**proposal("P1"), "status": "proposed", "decided_by": None,
                                          "decided_at": None, "note": None, **dict.fromkeys(REPORT_FIELDS)}
    assert stores.proposals.decide("P1", "confirmed", "r1", "2026-11-06T09:00:00+08:00", "已核实")
    assert not stores.proposals.decide("P1", "rejected", "r2", "2026-11-06T10:00:00+08:00", "x")
    assert not stores.proposals.decide("P9", "rejected", "r2", "2026-11-06T10:00:00+08:00", "x")
    decided = stores.proposals.get("P1")
    assert (decided["status"], decided["decided_by"], decided["note"]) == ("confirmed", "r1", "已核实")
    assert stores.proposals.get("P9") is None


def test_each_side_lists_its_proposals_by_status_then_id(stores):
    for proposal_id in ("P3", "P1", "P2"):
        stores.proposals.propose(proposal(proposal_id))
    stores.proposals.propose(proposal("P4", business=OTHER_UNIT, accepting="440103001"))
    stores.proposals.decide("P1", "rejected", "r1", "2026-11-06T09:00:00+08:00", "同名不同人")
    stores.proposals.decide("P3", "confirmed", "r1", "2026-11-06T09:00:00+08:00", "已核实")
    assert [p["proposal_id"] for p in stores.proposals.of_side("business", UNIT, None)] == ["P3", "P2", "P1"]
    assert [p["proposal_id"] for p in stores.proposals.of_side("business", UNIT, "proposed")] == ["P2"]
    assert [p["proposal_id"] for p in stores.proposals.of_side("accepting", "310101002", "confirmed")] == ["P3"]
    assert [p["proposal_id"] for p in stores.proposals.of_side("accepting", "440103001", None)] == ["P4"]
    assert stores.proposals.of_side("accepting", UNIT, None) == []
    assert stores.proposals.of_side("business", UNIT, "rejected")[0] == stores.proposals.get("P1")


# --- the supervision jobs, alike on both -------------------------------------------------------------------------

def test_the_monthly_checks_and_their_escalation_count_alike_on_both_stores(stores):
    for ent in (recipient("C01"), recipient("C01", subsidy="nursing"), recipient("C02", SECOND),
                recipient("C03", None), recipient("C09", f"{OTHER_UNIT}001", OTHER_UNIT)):
        stores.add(ent)
    gone = stores.add(recipient("C04"))
    stores.entitlements.save(gone, move(gone, "stop", "2026-09", "死亡", "r1", "2026-09-10T10:00:00+08:00"),
                             datetime.fromisoformat("2026-09-10T10:00:00+08:00"))
    notices = FakeNotices()
    deps = stores.monitoring(notices)
    stats = monitoring.issue_monthly_checks(deps, [UNIT], MONTH)
    assert stats["units"][UNIT] == {"issued": 3, "already_issued": 0, "unassigned": 1, "committee_outside_unit": 0,
                                    "not_checked": 1}
    assert monitoring.issue_monthly_checks(deps, [UNIT], MONTH)["already_issued"] == 3
    assert stores.units.all() == [UNIT]
    stores.checks.record(FIRST, MONTH, "C01-living", "present", "", "c1", "2026-10-10T09:00:00+08:00")
    early = monitoring.escalate_unrecorded(deps, MONTH, datetime.fromisoformat("2026-10-24T09:00:00+08:00"))
    assert early["due"] is False
    due = monitoring.escalate_unrecorded(deps, MONTH, datetime.fromisoformat("2026-10-26T09:00:00+08:00"))
    assert (due["escalated"], due["unrecorded"], due["units_read"]) == (1, 2, 1)
    assert notices.overdue == [{"business_unit": UNIT, "month": MONTH, "unrecorded": 2,
                                "committees": {FIRST: 1, SECOND: 1}}]
    again = monitoring.escalate_unrecorded(deps, MONTH, datetime.fromisoformat("2026-10-26T15:00:00+08:00"))
    assert (again["escalated"], again["already_today"]) == (0, 1) and len(notices.overdue) == 1


def test_review_tasks_and_certificate_reminders_count_alike_on_both_stores(stores):
    for ent in (recipient("C01"), recipient("C01", subsidy="nursing"), recipient("C02", SECOND)):
        stores.add(ent)
    notices = FakeNotices(refuse_reminders=True)
    deps = stores.monitoring(notices)
    first = monitoring.yearly_review_tasks(deps, [UNIT], 2026)
    assert first["units"][UNIT] == {"created": 3, "already_created": 0, "not_reviewed": 0,
                                    "no_certificate_date": 3}  # no case on file: no expiry
    assert (monitoring.yearly_review_tasks(deps, [UNIT], 2026)["already_created"]) == 3
    for ent_id in ("C01-living", "C01-nursing"):  # a certificate expiring six months after October
        stores.tasks.create(task_for(stores.entitlements.get(ent_id), 2027, "2027-04"))
    refused = monitoring.certificate_expiry_reminders(deps, [UNIT], date(2026, 10, 1))
    assert (refused["certificate_expiry"], refused["failed"], refused["reminded"]) == ("2027-04", 2, 0)
    notices.refuse_reminders = False
    sent = monitoring.certificate_expiry_reminders(deps, [UNIT], date(2026, 10, 2))
    assert (sent["reminded"], sent["already_reminded"]) == (2, 0)
    assert sorted(m["entitlement_id"] for m in notices.expiring) == ["C01-living", "C01-nursing"]
    rerun = monitoring.certificate_reminders_for_unit(deps, UNIT, date(2026, 10, 20))
    assert (rerun["reminded"], rerun["already_reminded"], rerun["tasks_created"]) == (0, 2, 0)


def test_a_committee_change_moves_the_next_month_s_check_and_never_this_month_s_alike_on_both_stores(stores):
    """Issue 16.6: a change made in October takes effect from November; October's re-run issues nothing anywhere."""
    from chalicelib.domain.payments.entitlements import change_committee

    ent = stores.add(recipient("C01"))
    deps = stores.monitoring(FakeNotices())
    assert monitoring.issue_monthly_checks(deps, [UNIT], MONTH)["issued"] == 1
    stores.entitlements.save(ent, change_committee(ent, SECOND, "迁居本镇另一社区", "r1", "2026-10-20T10:00:00+08:00",
                                                   MONTH), datetime.fromisoformat("2026-10-20T10:00:00+08:00"))
    rerun = monitoring.issue_monthly_checks(deps, [UNIT], MONTH)
    assert (rerun["issued"], rerun["already_issued"]) == (0, 1)
    assert [c.entitlement_id for c in stores.checks.of_committee(FIRST, MONTH)] == ["C01-living"]
    assert stores.checks.of_committee(SECOND, MONTH) == []
    assert monitoring.issue_monthly_checks(deps, [UNIT], "2026-11")["issued"] == 1
    assert stores.checks.of_committee(FIRST, "2026-11") == []
    assert [c.entitlement_id for c in stores.checks.of_committee(SECOND, "2026-11")] == ["C01-living"]
