"""生存验证 records (issue 16.7): the reader and the history line (domain/supervision/survival.py) and the service
(services/survival.py) on the in-memory stores — the 业务属地's reviewer or the recipient's committee records a check,
listed on the entitlement's history, nothing in force changes; everyone else is answered as for an unknown
entitlement. The route on moto: tests/integration/test_disability_status.py."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from chalicelib.domain.cases.case import Actor
from chalicelib.domain.errors import DomainError
from chalicelib.domain.supervision.survival import read_check
from chalicelib.services import survival
from tests.support.people import HARBIN_TOWNSHIP, fresh_application
from tests.unit.test_comparison_service import World, approved_case
from tests.unit.test_disability_status import make_world

NOW = datetime.fromisoformat("2026-11-20T10:00:00+08:00")
REVIEWER = Actor("reviewer-230102001", "审核", "reviewer", HARBIN_TOWNSHIP)
CHECK = {"method": "home_visit", "on": "2026-11-18", "result": "alive"}


@pytest.fixture()
def world() -> World:
    return make_world()


@pytest.fixture()
def recipient(world: World) -> tuple[str, str]:
    body = fresh_application()
    return body["applicant"]["id_number"], approved_case(world.cases, body)


def code_of(call: Any) -> str:
    with pytest.raises(DomainError) as error:
        call()
    return error.value.code


@pytest.mark.parametrize("changed, expected", [
    ({"method": "video"}, "UNKNOWN_METHOD"), ({"on": "2026-11-21"}, "DATE_IN_FUTURE"), ({"on": "18/11"}, "DATE_FORMAT"),
    ({"result": "gone"}, "UNKNOWN_RESULT"), ({"result": "deceased"}, "MISSING_FIELD"),
    ({"note": "x" * 501}, "TOO_LONG"), ({"note": 3}, "WRONG_TYPE"),
])
def test_the_reader_refuses_each_wrong_field(changed, expected):
    assert code_of(lambda: read_check({**CHECK, **changed}, date(2026, 11, 20))) == expected


def test_the_reviewer_records_a_check_on_the_history_and_nothing_in_force_changes(world, recipient):
    _, case_id = recipient
    answer = survival.record(world.payroll, f"{case_id}-living", lambda: CHECK, REVIEWER, NOW)
    assert answer == {"entitlement_id": f"{case_id}-living", "recorded": True, "proposals": 0,
                      "check": {"method": "home_visit", "on": "2026-11-18", "result": "alive", "note": "",
                                "unit": HARBIN_TOWNSHIP}}
    ent = world.entitlement(f"{case_id}-living")
    line = ent.history[-1].as_dict()
    assert (line["kind"], line["effective_month"], line["check"]["method"]) == ("survival_check", "2026-11",
                                                                             "home_visit")
    assert "生存验证（入户走访）：在世" in line["reason"]
    assert ent.status_in("2026-12") == "active"
    again = survival.record(world.payroll, f"{case_id}-living", lambda: CHECK, REVIEWER, NOW)
    assert again["recorded"] is False and len(world.entitlement(f"{case_id}-living").history) == len(ent.history)


def test_the_committee_of_the_recipient_records_and_others_are_refused_before_the_body_is_read(world, recipient):
    _, case_id = recipient
    ent = world.entitlement(f"{case_id}-living")
    committee = Actor("committee-1", "村委会", "committee", str(ent.committee_unit))
    recorded = survival.record(world.payroll, ent.entitlement_id,
                               lambda: {"method": "phone", "on": "2026-11-19", "result": "not_verified",
                                        "note": "电话无人接听"}, committee, NOW)
    assert recorded["check"]["unit"] == ent.committee_unit

    def unread() -> Any:
        raise AssertionError("the body was read")

    for outsider in (Actor("r2", "审核", "reviewer", "230102002"), Actor("c2", "村委会", "committee", "230102002001"),
                     Actor("w", "窗口", "window", ent.accepting_unit)):
        assert code_of(lambda who=outsider: survival.record(world.payroll, ent.entitlement_id, unread, who, NOW)) == \
            "ENTITLEMENT_OUT_OF_REACH"
    assert code_of(lambda: survival.record(world.payroll, f"{case_id}-nothing", unread, REVIEWER, NOW)) == \
        "ENTITLEMENT_OUT_OF_REACH"
