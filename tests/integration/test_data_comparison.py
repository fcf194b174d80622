"""Monthly data comparison: each kind of file, the province's effective month, confirm and reject."""
from __future__ import annotations

from datetime import datetime

import boto3
import pytest

from chalicelib.adapters.proposals_table import Proposals
from chalicelib.config import load
from chalicelib.domain.cases.case import Actor
from chalicelib.domain.errors import DomainError
from chalicelib.services import comparison, rules
from chalicelib.wiring import entitlement_store, jurisdiction_rules, payroll, rosters
from tests.integration.test_entitlements import approved_case
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, fresh_application

RUN_AT = datetime.fromisoformat("2026-11-05T02:00:00+08:00")  # the November comparison
REVIEWER = Actor("reviewer-230102001", "审核", "reviewer", HARBIN_TOWNSHIP)


def run(kind: str, rows: list[tuple[str, str]], name: str = "2026-11.csv") -> dict:
    key = f"comparisons/{kind}/{name}"
    text = "id_number,event_date\n" + "".join(f"{person},{day}\n" for person, day in rows)
    boto3.client("s3").put_object(Bucket=load().materials_bucket, Key=key, Body=text.encode())
    config = load()
    return comparison.compare(rosters(), Proposals(), entitlement_store(), config.person_key_secret,
                              config.materials_bucket, kind, key, "operator", RUN_AT,
                              lambda province: rules.comparison_offsets(jurisdiction_rules(), province,
                                                                        RUN_AT.date()))


@pytest.fixture()
def recipient(api):
    body = fresh_application()
    case_id = approved_case(api, body)
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
def test_each_kind_of_file_proposes_its_action_from_the_month_after_the_event_by_default(api, recipient, kind,
                                                                                        action, subsidies):
    person, case_id = recipient
    result = run(kind, [(person, "2026-10-20")])
    assert (result["rows"], result["errors"], result["proposals"]) == (1, 0, len(subsidies))
    listed = comparison.listing(Proposals(), REVIEWER, HARBIN_TOWNSHIP, "proposed")["proposals"]
    assert {p["subsidy"] for p in listed} == subsidies
    assert {(p["action"], p["effective_month"]) for p in listed} == {(action, "2026-11")}  # event 2026-10-20
    # nothing stopped yet: a person must confirm
    assert entitlement_store().get(f"{case_id}-living").status_in("2026-11") == "active"


def test_a_province_rule_sets_the_effective_month(api, recipient):
    person, _ = recipient
    admin = Actor("admin-23", "管理员", "admin", "23")
    rules.put_comparison_rule(jurisdiction_rules(), admin, "23", "2026-01-01", lambda: {"deaths": 0}, RUN_AT)
    run("deaths", [(person, "2026-09-02")])  # a death two months before the comparison that found it
    listed = comparison.listing(Proposals(), REVIEWER, HARBIN_TOWNSHIP, "proposed")["proposals"]
    assert {p["effective_month"] for p in listed} == {"2026-09"}  # from the month of the death


def test_a_file_is_processed_exactly_once_and_bad_rows_are_reported_without_the_number(api, recipient):
    person, _ = recipient
    first = run("deaths", [(person, "2026-10-20"), ("23010219800101123X", "not-a-date"), ("123", "2026-10-01")])
    assert (first["rows"], first["errors"], first["proposals"]) == (1, 2, 2)
    assert all("123" not in line.split(":", 1)[1] for line in first["error_lines"])
    again = run("deaths", [(person, "2026-10-20"), ("23010219800101123X", "not-a-date"), ("123", "2026-10-01")])
    assert again["already_done"] is True and again["proposals"] == 2
    assert len(comparison.listing(Proposals(), REVIEWER, HARBIN_TOWNSHIP, None)["proposals"]) == 2


def test_a_confirmed_proposal_stops_the_entitlement_with_the_reason_and_the_accepting_window_sees_it(api, recipient):
    person, case_id = recipient
    run("deaths", [(person, "2026-10-20")])
    proposals = comparison.listing(Proposals(), REVIEWER, HARBIN_TOWNSHIP, "proposed")["proposals"]
    living = next(p for p in proposals if p["subsidy"] == "living")
    with pytest.raises(DomainError) as no_note:
        comparison.settle(Proposals(), payroll(), living["proposal_id"], "confirmed", lambda: {}, REVIEWER, RUN_AT)
    assert no_note.value.code == "MISSING_FIELD"
    outsider = Actor("reviewer-x", "x", "reviewer", "230103001")
    with pytest.raises(DomainError) as out_of_reach:
        comparison.settle(Proposals(), payroll(), living["proposal_id"], "confirmed", lambda: {"note": "x"},
                          outsider, RUN_AT)
    assert out_of_reach.value.status == 403

    confirmed = comparison.settle(Proposals(), payroll(), living["proposal_id"], "confirmed",
                                  lambda: {"note": "经公安死亡数据核实"}, REVIEWER, RUN_AT)
    assert confirmed["status"] == "confirmed"
    ent = entitlement_store().get(f"{case_id}-living")
    assert (ent.status_in("2026-11"), ent.history[-1].effective_month) == ("stopped", "2026-11")
    assert "死亡" in ent.history[-1].reason and "经公安死亡数据核实" in ent.history[-1].reason
    with pytest.raises(DomainError) as twice:
        comparison.settle(Proposals(), payroll(), living["proposal_id"], "rejected", lambda: {"note": "x"},
                          REVIEWER, RUN_AT)
    assert twice.value.code == "PROPOSAL_DECIDED"

    window = Actor("window-1", "窗口", "window", SHANGHAI_WINDOW)
    seen = comparison.listing(Proposals(), window, SHANGHAI_WINDOW, "confirmed")["proposals"]
    assert [p["proposal_id"] for p in seen] == [living["proposal_id"]]


def test_a_rejected_proposal_leaves_the_entitlement_as_it_was(api, recipient):
    person, case_id = recipient
    run("imprisonments", [(person, "2026-10-01")])
    [first, *_] = comparison.listing(Proposals(), REVIEWER, HARBIN_TOWNSHIP, "proposed")["proposals"]
    rejected = comparison.settle(Proposals(), payroll(), first["proposal_id"], "rejected",
                                 lambda: {"note": "同名不同人，已核实身份证号"}, REVIEWER, RUN_AT)
    assert rejected["status"] == "rejected" and rejected["note"] == "同名不同人，已核实身份证号"
    assert entitlement_store().get(first["entitlement_id"]).status_in("2026-11") == "active"


def test_the_comparison_routes_run_a_file_list_and_confirm_over_the_api(api, recipient):
    person, case_id = recipient
    key = "comparisons/deaths/2026-11-api.csv"
    boto3.client("s3").put_object(Bucket=load().materials_bucket, Key=key,
                                  Body=f"id_number,event_date\n{person},2026-10-30\n".encode())
    api.now = "2026-11-05T10:00:00+08:00"
    assert api.call("POST", "/comparisons", "reviewer", HARBIN_TOWNSHIP, {"kind": "deaths", "key": key}
                    ).status_code == 403
    ran = api.call("POST", "/comparisons", "admin", "23", {"kind": "deaths", "key": key})
    assert (ran.status_code, ran.data["proposals"]) == (201, 2)
    listed = api.reviewer("GET", "/proposals?status=proposed").data["proposals"]
    assert len(listed) == 2
    confirmed = api.reviewer("POST", f"/proposals/{listed[0]['proposal_id']}/confirm", {"note": "已核实"})
    assert confirmed.status_code == 200 and confirmed.data["status"] == "confirmed"
    outcome = api.window("GET", "/proposals?status=confirmed").data["proposals"]
    assert [p["case_id"] for p in outcome] == [case_id]
    assert api.call("GET", f"/proposals?unit={HARBIN_TOWNSHIP}", "window", "440103001").status_code == 403
