"""Who explains the standard (issue 16.8): the 业务属地's unit and consultation phone as configuration with effective
dates (domain/rules/contacts.py), set by admins through the rules service on the in-memory rule store."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from chalicelib.domain.cases.case import Actor
from chalicelib.domain.errors import Conflict, Forbidden, Invalid, Malformed
from chalicelib.domain.rules.contacts import ContactRule, contact_in_force, contact_view, read_contact_rule
from chalicelib.domain.rules.jurisdiction import demo_rules_from
from chalicelib.services import rules
from tests.fakes.rules import FakeRules
from tests.support.people import HARBIN_OTHER_TOWNSHIP, HARBIN_TOWNSHIP

CHINA = timezone(timedelta(hours=8))
NOW = datetime(2026, 9, 24, 10, 0, tzinfo=CHINA)
DEMO = Path(__file__).resolve().parents[2] / "demo" / "rules.json"
DAOLI = {"unit_name": "哈尔滨市道里区民政局", "phone": "0451-84600000"}


def admin(unit: str) -> Actor:
    return Actor("admin-1", "管理员", "admin", unit)


def rule(scope: str, start: str, name: str, phone: str = "0451-84600000") -> ContactRule:
    return ContactRule(scope, date.fromisoformat(start), name, phone)


@pytest.mark.parametrize("phone", ["0451-84600000", "021-63210000", "0451-84600000-123", "13800000000", "12345",
                                   "12349", "96111"])
def test_a_landline_a_mobile_or_a_service_number_is_a_phone(phone):
    assert read_contact_rule("230102", date(2026, 1, 1), dict(DAOLI, phone=f" {phone} ")).phone == phone


@pytest.mark.parametrize("body, error, code, field", [
    ("道里区", Malformed, "WRONG_TYPE", "body"),
    ({"phone": "0451-84600000"}, Malformed, "MISSING_FIELD", "unit_name"),
    (dict(DAOLI, unit_name="  "), Malformed, "MISSING_FIELD", "unit_name"),
    (dict(DAOLI, unit_name="局" * 41), Invalid, "TOO_LONG", "unit_name"),
    (dict(DAOLI, unit_name="道里区\u202e民政局"), Invalid, "NAME_CHARACTERS", "unit_name"),
    ({"unit_name": "哈尔滨市道里区民政局"}, Malformed, "MISSING_FIELD", "phone"),
    (dict(DAOLI, phone="84600000"), Invalid, "PHONE_FORMAT", "phone"),
    (dict(DAOLI, phone="0451 84600000"), Invalid, "PHONE_FORMAT", "phone"),
    (dict(DAOLI, phone=84600000), Malformed, "WRONG_TYPE", "phone"),
    (dict(DAOLI, email="x@example.cn"), Invalid, "UNKNOWN_FIELD", "email"),
])
def test_each_error_of_a_contact_names_its_field(body, error, code, field):
    with pytest.raises(error) as raised:
        read_contact_rule("230102", date(2026, 1, 1), body)
    assert (raised.value.code, raised.value.field) == (code, field)


def test_the_most_specific_scope_in_force_on_the_day_wins():
    versions = [rule("23", "2021-04-22", "黑龙江省民政厅"), rule("230102", "2026-03-01", "哈尔滨市道里区民政局"),
                rule("230102", "2026-10-01", "哈尔滨市道里区民政局（新址）", "0451-84611111"),
                rule("230102001", "2027-01-01", "道里区兆麟街道办事处")]
    assert contact_in_force(versions, HARBIN_TOWNSHIP, date(2026, 2, 1)).rule == versions[0]
    assert contact_in_force(versions, HARBIN_TOWNSHIP, date(2026, 9, 30)).rule == versions[1]
    assert contact_in_force(versions, HARBIN_TOWNSHIP, date(2026, 10, 1)).rule == versions[2]
    assert contact_in_force(versions, HARBIN_TOWNSHIP, date(2027, 1, 1)).rule == versions[3]
    assert contact_in_force(versions, HARBIN_OTHER_TOWNSHIP, date(2027, 1, 1)).rule == versions[0]


def test_with_nothing_in_force_the_contact_is_not_configured_and_says_so():
    contact = contact_in_force([rule("230102", "2026-10-01", "哈尔滨市道里区民政局"), rule("31", "2021-04-22", "上海")],
                               HARBIN_TOWNSHIP, date(2026, 9, 30))
    assert not contact.configured
    assert contact_view(contact) == {"unit": HARBIN_TOWNSHIP, "configured": False, "unit_name": None, "phone": None,
                                     "scope": None, "effective_from": None}


def test_an_admin_sets_the_contact_of_its_own_scope_and_the_decision_day_finds_it():
    store = FakeRules()
    stored = rules.put_contact(store, admin("2301"), "230102", "2026-10-01", lambda: DAOLI, NOW)
    assert stored == {"scope": "230102", "kind": "contact", "effective_from": "2026-10-01", **DAOLI}
    assert not rules.contact_for(store, HARBIN_TOWNSHIP, date(2026, 9, 30)).configured
    assert rules.decision_contact(store, HARBIN_TOWNSHIP, date(2026, 10, 9)) == {
        "unit": HARBIN_TOWNSHIP, "configured": True, **DAOLI, "scope": "230102", "effective_from": "2026-10-01"}
    assert rules.decision_contact(store, HARBIN_OTHER_TOWNSHIP, date(2026, 10, 9))["configured"] is False
    assert not rules.contact_for(None, HARBIN_TOWNSHIP, date(2026, 10, 9)).configured


def test_a_contact_outside_the_admins_scope_or_in_force_already_cannot_be_set():
    store = FakeRules()
    with pytest.raises(Forbidden):
        rules.put_contact(store, admin("31"), "230102", "2026-10-01", lambda: DAOLI, NOW)
    with pytest.raises(Invalid) as bad_scope:
        rules.put_contact(store, admin("23"), "2301020", "2026-10-01", lambda: DAOLI, NOW)
    assert bad_scope.value.code == "SCOPE_FORMAT"
    rules.put_contact(store, admin("23"), "230102001", "2026-09-01", lambda: DAOLI, NOW)
    with pytest.raises(Conflict) as in_force:
        rules.put_contact(store, admin("23"), "230102001", "2026-09-01", lambda: dict(DAOLI, phone="12345"), NOW)
    assert in_force.value.code == "RULE_IN_FORCE"


def test_the_demo_gives_each_demo_province_a_county_contact_marked_demo():
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    contacts = demo_rules_from(data).contacts
    assert {c.scope[:2] for c in contacts} == {"23", "31", "22", "42"}
    assert contact_in_force(contacts, HARBIN_TOWNSHIP, date(2026, 10, 9)).rule.unit_name == "哈尔滨市道里区民政局"
    assert all(entry["demo"] is True and "placeholder" in entry["note"] for entry in data["contacts"])
