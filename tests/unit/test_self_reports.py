"""个人主动申报 (issue 16.7): the reader (domain/supervision/reports.py) and the service (services/reports.py) on the
in-memory stores — a report becomes proposals for the 业务属地, never a stop; a wrong suffix is answered as an
unknown case, after the same time; the lookup's limits. The routes run on moto in
tests/integration/test_self_reports.py."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from chalicelib.domain.cases.case import Actor
from chalicelib.domain.errors import DomainError
from chalicelib.domain.supervision.reports import read_report
from chalicelib.services import cases, comparison, progress, reports, rules
from chalicelib.services.comparison import Comparisons
from chalicelib.services.payroll import Payroll
from tests.fakes.payments import FakeFiles, FakeLedgers, FakePricing, FakeRecords
from tests.fakes.registers import FakeRosters
from tests.fakes.requests import FakeCounters
from tests.fakes.rules import FakeRules
from tests.fakes.supervision import FakeProposals
from tests.fakes.world import SECRET, case_world
from tests.support.payroll import NO_TABLES
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, fresh_application
from tests.unit.test_comparison_service import BUCKET, REVIEWER, World, approved_case

NOW = datetime.fromisoformat("2026-11-12T10:00:00+08:00")
LIMITS = progress.Limits(client_lookups=30, client_window_seconds=600, case_failures=5)
NO_WAIT = progress.Pace(wait=lambda seconds: None)
OTHER_WINDOW = Actor("window-440103001", "窗口", "window", "440103001")
UNKNOWN_CASE = "C20260924DEADBEEF00"


@pytest.fixture()
def world() -> World:
    base = case_world(messages=False)
    records = FakeRecords()
    payroll = Payroll(entitlements=base.cases.entitlements, ledgers=FakeLedgers(records), records=records,
                      files=FakeFiles(), pricing=FakePricing(NO_TABLES))
    return World(base, FakeRosters(), FakeProposals(), FakeRules(), payroll)


@pytest.fixture()
def recipient(world: World) -> tuple[str, str]:
    body = fresh_application()
    case_id = approved_case(world.cases, body)
    return body["applicant"]["id_number"], case_id


def deps(world: Any) -> Comparisons:
    return Comparisons(files=world.files, listing=None, proposals=world.proposals,
                       entitlements=world.cases.cases.entitlements, secret=SECRET, bucket=BUCKET,
                       offsets_for=lambda province, on: rules.comparison_offsets(world.rules, province, on))


def body(case_id: str, person: str, **more: Any) -> dict[str, Any]:
    return {"case_id": case_id, "id_suffix": person[-6:], "change": "death", "reporter": "family",
            "note": "11月10日去世", **more}


def code_of(call: Any) -> str:
    with pytest.raises(DomainError) as error:
        call()
    return error.value.code


@pytest.mark.parametrize("changed, expected", [
    ({"change": "gone"}, "UNKNOWN_CHANGE"), ({"reporter": "neighbour"}, "UNKNOWN_REPORTER"),
    ({"note": "x" * 201}, "TOO_LONG"), ({"note": 5}, "WRONG_TYPE"), ({"change": "other", "note": " "}, "MISSING_FIELD"),
    ({"note": "a\u202eb"}, "NOTE_CHARACTERS"), ({"contact": "call me"}, "CONTACT_FORMAT"),
    ({"id_suffix": "12345"}, "ID_SUFFIX_FORMAT"), ({"case_id": "C-1"}, "CASE_ID_FORMAT"),
])
def test_the_reader_refuses_each_malformed_field(changed, expected):
    assert code_of(lambda: read_report({**body("C1", "230102195001011234"), **changed})) == expected


def test_the_reader_takes_a_report_with_a_contact_and_an_upper_case_number():
    report = read_report(body("c1", "23010219500101123x", contact="0451-84600000"))
    assert (report.case_id, report.id_suffix, report.contact) == ("C1", "01123X", "0451-84600000")


def test_a_public_report_of_a_death_proposes_stopping_both_subsidies_and_stops_nothing(world, recipient):
    person, case_id = recipient
    answer = reports.report_publicly(deps(world), world.cases.deps.repo, FakeCounters(), LIMITS, "198.51.100.7",
                                     lambda: body(case_id, person), NOW, NO_WAIT)
    assert set(answer) == {"case_id", "change", "received_on", "report_id"}
    assert (answer["case_id"], answer["received_on"]) == (case_id, "2026-11-12")
    listed = comparison.listing(world.proposals, REVIEWER, HARBIN_TOWNSHIP, "proposed")["proposals"]
    assert {(p["subsidy"], p["action"], p["effective_month"], p["source"], p["reporter"], p["report_channel"])
            for p in listed} == {("living", "stop", "2026-12", "self_report", "family", "public"),
                                 ("nursing", "stop", "2026-12", "self_report", "family", "public")}
    assert all("家属经进度查询页申报" in p["reason"] and "11月10日去世" in p["reason"] for p in listed)
    assert world.entitlement(f"{case_id}-living").status_in("2026-12") == "active"  # a person must confirm
    # the same form sent again the same day is the same report
    reports.report_publicly(deps(world), world.cases.deps.repo, FakeCounters(), LIMITS, "198.51.100.7",
                            lambda: body(case_id, person), NOW, NO_WAIT)
    assert len(comparison.listing(world.proposals, REVIEWER, HARBIN_TOWNSHIP, None)["proposals"]) == 2


def test_leaving_dibao_proposes_the_living_subsidy_only_and_the_reviewer_confirms_it(world, recipient):
    person, case_id = recipient
    recorded = reports.report_at_window(deps(world), world.cases.deps.repo, FakeCounters(), LIMITS,
                                        lambda: body(case_id, person, change="dibao_exit", reporter="self", note=""),
                                        OTHER_WINDOW, NOW)
    assert recorded["proposals"] == 1
    [proposal] = comparison.listing(world.proposals, REVIEWER, HARBIN_TOWNSHIP, "proposed")["proposals"]
    assert (proposal["subsidy"], proposal["received_by"], proposal["report_channel"]) == ("living", "440103001",
                                                                                         "window")
    comparison.settle(world.proposals, world.payroll, proposal["proposal_id"], "confirmed",
                      lambda: {"note": "民政核实已退出低保"}, REVIEWER, NOW)
    assert world.entitlement(f"{case_id}-living").status_in("2026-12") == "stopped"
    assert world.entitlement(f"{case_id}-nursing").status_in("2026-12") == "active"


def test_another_change_proposes_a_suspension_to_check(world, recipient):
    person, case_id = recipient
    reports.report_at_window(deps(world), world.cases.deps.repo, FakeCounters(), LIMITS,
                             lambda: body(case_id, person, change="other", note="长期住院"), OTHER_WINDOW, NOW)
    listed = comparison.listing(world.proposals, REVIEWER, HARBIN_TOWNSHIP, "proposed")["proposals"]
    assert {p["action"] for p in listed} == {"suspend"} and len(listed) == 2


def test_a_wrong_suffix_and_an_unknown_case_get_the_lookups_one_answer_and_propose_nothing(world, recipient):
    person, case_id = recipient
    counters = FakeCounters()
    wrong = code_of(lambda: reports.report_publicly(
        deps(world), world.cases.deps.repo, counters, LIMITS, "198.51.100.7",
        lambda: body(case_id, person, id_suffix="000000"), NOW, NO_WAIT))
    unknown = code_of(lambda: reports.report_publicly(
        deps(world), world.cases.deps.repo, counters, LIMITS, "198.51.100.7",
        lambda: body(UNKNOWN_CASE, person), NOW, NO_WAIT))
    at_window = code_of(lambda: reports.report_at_window(
        deps(world), world.cases.deps.repo, counters, LIMITS, lambda: body(case_id, person, id_suffix="000000"),
        OTHER_WINDOW, NOW))
    assert wrong == unknown == at_window == "PROGRESS_NOT_FOUND"
    assert comparison.listing(world.proposals, REVIEWER, HARBIN_TOWNSHIP, None)["proposals"] == []


def test_a_wrong_suffix_is_held_back_as_long_as_the_lookups(world, recipient):
    person, case_id = recipient
    waited: list[float] = []
    pace = progress.Pace(clock=lambda: 100.0, wait=waited.append)
    with pytest.raises(DomainError):
        reports.report_publicly(deps(world), world.cases.deps.repo, FakeCounters(), LIMITS, "198.51.100.7",
                                lambda: body(case_id, person, id_suffix="000000"), NOW, pace)
    assert waited == [progress.NOT_FOUND_FLOOR]


def test_reports_spend_the_lookups_limits_per_client_and_per_case(world, recipient):
    person, case_id = recipient
    counters = FakeCounters()
    limits = progress.Limits(client_lookups=2, client_window_seconds=600, case_failures=2)

    def report(client: str, suffix: str) -> str:
        try:
            reports.report_publicly(deps(world), world.cases.deps.repo, counters, limits, client,
                                    lambda: body(case_id, person, id_suffix=suffix), NOW, NO_WAIT)
        except DomainError as error:
            return error.code
        return "ok"

    assert [report("198.51.100.7", "000000"), report("198.51.100.7", "000000"),
            report("198.51.100.7", person[-6:])] == ["PROGRESS_NOT_FOUND", "PROGRESS_NOT_FOUND", "TOO_MANY_LOOKUPS"]
    # the case's two wrong tries of the day are spent: even the right suffix is refused, from another client too
    assert report("203.0.113.9", person[-6:]) == "CASE_LOCKED"
    assert code_of(lambda: reports.report_at_window(
        deps(world), world.cases.deps.repo, counters, limits, lambda: body(case_id, person), OTHER_WINDOW,
        NOW)) == "CASE_LOCKED"


def test_a_report_before_any_entitlement_proposes_nothing_and_answers_alike(world):
    application = fresh_application()
    window = Actor("window-310101002", "窗口", "window", SHANGHAI_WINDOW)
    case_id = cases.accept(world.cases.deps, application, window, NOW)["case_id"]
    answer = reports.report_publicly(deps(world), world.cases.deps.repo, FakeCounters(), LIMITS, "198.51.100.7",
                                     lambda: body(case_id, application["applicant"]["id_number"]), NOW, NO_WAIT)
    assert set(answer) == {"case_id", "change", "received_on", "report_id"}
    assert comparison.listing(world.proposals, REVIEWER, HARBIN_TOWNSHIP, None)["proposals"] == []
