"""One contract, two implementations: the jurisdictions' rule store on moto (adapters/rules_table.py) and in memory
(tests/fakes/rules.py), so that the rules service's tests on the fake say something about production."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from chalicelib.adapters.rules_table import JurisdictionRules
from chalicelib.domain.cases.case import Actor
from chalicelib.domain.errors import Conflict
from chalicelib.domain.refusals import RuleExists
from chalicelib.domain.rules.rules import StoredRule
from chalicelib.services import rules
from tests.fakes.rules import FakeRules
from tests.integration.conftest import moto_world

NOW = datetime.fromisoformat("2026-09-01T10:00:00+08:00")
ADMIN = Actor("admin-23", "省管理员", "admin", "23")


@pytest.fixture(params=["fake", "moto"])
def store(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "fake":
        yield FakeRules()
        return
    with moto_world():
        yield JurisdictionRules()


def rule(scope: str, effective_from: str, body: dict[str, Any]) -> StoredRule:
    return StoredRule(scope, "materials", effective_from, body, "admin-23", NOW.isoformat())


def test_versions_come_back_per_scope_in_key_order(store):
    store.put(rule("23", "2026-07-01", {"require": ["id_card"]}), "materials#2026-07-01", replace_if=False)
    store.put(rule("23", "2026-01-01", {"require": ["photo"]}), "materials#2026-01-01", replace_if=False)
    store.put(rule("2301", "2026-01-01", {"add": ["pledge"]}), "materials#2026-01-01", replace_if=False)
    assert [r.effective_from for r in store.of_scope("23")] == ["2026-01-01", "2026-07-01"]
    assert [r.scope for r in store.for_scopes(["23", "2301", "230102"])] == ["23", "23", "2301"]
    assert store.of_scope("31") == []


def test_a_key_is_refused_twice_unless_it_may_be_replaced(store):
    store.put(rule("23", "2027-01-01", {"require": ["id_card"]}), "materials#2027-01-01", replace_if=False)
    with pytest.raises(RuleExists):
        store.put(rule("23", "2027-01-01", {"require": ["photo"]}), "materials#2027-01-01", replace_if=False)
    store.put(rule("23", "2027-01-01", {"require": ["photo"]}), "materials#2027-01-01", replace_if=True)
    assert [r.body for r in store.of_scope("23")] == [{"require": ["photo"]}]


def test_the_rules_service_answers_alike_on_both_stores(store):
    rules.put_materials(store, ADMIN, "23", "2026-01-01", lambda: {"require": ["id_card", "photo"]}, NOW)
    with pytest.raises(Conflict) as in_force:  # a version in force never changes
        rules.put_materials(store, ADMIN, "23", "2026-01-01", lambda: {"require": ["id_card"]}, NOW)
    assert in_force.value.code == "RULE_IN_FORCE"
    answer = rules.in_force(store, "230102001", "2026-09-01", NOW.date(), False)
    assert [item["code"] for item in answer["materials"]["items"]] == ["id_card", "photo"]
