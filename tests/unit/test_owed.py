"""What is owed for an entitlement and a month (domain.payments.owed), and the decision's back pay priced by it."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.domain.errors import Conflict, Invalid
from chalicelib.domain.payments.decision import price_grant
from chalicelib.domain.payments.entitlements import allowed_moves, correct, from_decision, move
from chalicelib.domain.payments.owed import Standards, owed, owed_through, total
from chalicelib.domain.rules.amounts import AmountRow, AmountTable, money
from chalicelib.domain.rules.jurisdiction import demo_rules_from

DEMO = Path(__file__).resolve().parents[2] / "demo" / "rules.json"
DAOLI = "230102001"  # 哈尔滨市道里区
FACTS = {"category": 4, "grade": 1, "low_income": "dibao", "area": "urban"}
BIRTH = "1980-05-10"


def demo() -> Standards:
    return Standards(tuple(demo_rules_from(json.loads(DEMO.read_text(encoding="utf-8"))).amounts))


def row(start: str, amount: str, end: str | None = None, **conditions: object) -> AmountRow:
    return AmountRow("living", date.fromisoformat(start), None if end is None else date.fromisoformat(end),
                     Decimal(amount), None, **conditions)  # type: ignore[arg-type]


def entitlement(start: str = "2026-05", unit: str = DAOLI, subsidy: str = "living", birth: str = BIRTH,
                facts: dict[str, object] | None = None, stated: str | None = None):
    granted = {"type": subsidy, "start_month": start, "monthly_amount": stated,
               "pricing": "stated" if stated else "table", "stated_reason": "no row" if stated else None}
    return from_decision("C1", granted, "pk", "230***********1234", "张三", unit, "310101002", None, "r1",
                         f"{start}-20T10:00:00+08:00", facts=facts or FACTS, birth=birth)


def grant(standards: Standards, start: str, through: str, subsidy: str = "nursing", amount: str | None = None,
          override: str | None = None, unit: str = DAOLI) -> dict:
    item = {"type": subsidy, "start_month": start, "monthly_amount": amount}
    return price_grant(item, unit, FACTS, BIRTH, through, standards, override, "r1", f"{through}-20T10:00:00+08:00",
                       "subsidies[0]")


# --- the decision's back pay (what the result notice says) ------------------------------------------------------

def test_the_decision_s_back_pay_follows_the_mid_year_change_of_standard():
    priced = grant(demo(), "2026-05", "2026-08")
    assert [(m["month"], m["amount"]) for m in priced["back_pay"]["months"]] == [
        ("2026-05", "100.00"), ("2026-06", "100.00"), ("2026-07", "120.00"), ("2026-08", "120.00")]
    assert priced["back_pay"]["total"] == "440.00" and priced["monthly_amount"] == "120.00"
    assert priced["back_pay"]["months"][2]["standard"] == "table 23 rows[3] from 2026-07-01"


def test_the_decision_s_back_pay_crosses_a_year_boundary():
    standards = Standards((AmountTable("22", (row("2025-07-01", "99.00", "2026-12-31"), row("2027-01-01", "105.00"))),))
    priced = grant(standards, "2026-11", "2027-02", subsidy="living", unit="220102001")
    assert [m["amount"] for m in priced["back_pay"]["months"]] == ["99.00", "99.00", "105.00", "105.00"]
    assert priced["back_pay"]["total"] == "408.00"


def test_a_decision_in_the_application_month_owes_that_one_month():
    priced = grant(demo(), "2026-03", "2026-03", unit="420102001")
    assert [m["month"] for m in priced["back_pay"]["months"]] == ["2026-03"]
    assert priced["back_pay"]["total"] == "125.00"


def test_a_month_without_a_standard_needs_a_stated_amount_and_an_override_reason():
    standards = Standards((AmountTable("23", (row("2026-07-01", "90.00"),)),))
    with pytest.raises(Invalid) as refused:
        grant(standards, "2026-05", "2026-08", subsidy="living")
    assert (refused.value.code, refused.value.field) == ("NO_AMOUNT_STANDARD", "subsidies[0].monthly_amount")
    assert "2026-05" in refused.value.message
    with pytest.raises(Invalid):  # an amount alone is not an override
        grant(standards, "2026-05", "2026-08", subsidy="living", amount="80.00")
    priced = grant(standards, "2026-05", "2026-08", subsidy="living", amount="80.00", override="省厅批复按80元")
    assert priced["pricing"] == "stated" and priced["back_pay"]["total"] == "320.00"
    assert "省厅批复按80元" in priced["stated_reason"]
    assert priced["back_pay"]["months"][0]["standard"].startswith("stated by r1 on 2026-08-20: no standard for 2026-05")


def test_a_stated_amount_that_contradicts_the_table_is_refused():
    with pytest.raises(Invalid) as refused:
        grant(demo(), "2026-05", "2026-08", amount="99.00", override="想多给")
    assert (refused.value.code, "120.00" in refused.value.message) == ("AMOUNT_MISMATCH", True)


def test_without_any_table_the_reviewer_states_the_amount():
    priced = grant(Standards(()), "2026-05", "2026-06", amount="88.00")
    assert (priced["pricing"], priced["back_pay"]["total"]) == ("stated", "176.00")
    with pytest.raises(Invalid) as refused:
        grant(Standards(()), "2026-05", "2026-06")
    assert refused.value.code == "AMOUNT_REQUIRED"


# --- owed, month by month ----------------------------------------------------------------------------------------

def test_a_later_change_of_standard_reaches_the_months_it_covers():
    table = AmountTable("23", (row("2026-01-01", "90.00", "2026-12-31"), row("2027-01-01", "95.00")))
    ent = entitlement(start="2026-11")
    assert [m.amount for m in owed_through(ent, "2027-02", Standards((table,)))] == [
        Decimal("90.00"), Decimal("90.00"), Decimal("95.00"), Decimal("95.00")]


def test_an_age_band_crossed_after_approval_changes_the_amount_from_the_month_after_the_birthday():
    table = AmountTable("23", (row("2020-01-01", "90.00", max_age=59), row("2020-01-01", "120.00", min_age=60)))
    ent = entitlement(start="2026-01", birth="1966-03-15")  # 60 on 2026-03-15
    amounts = {m.month: m.amount for m in owed_through(ent, "2026-05", Standards((table,)))}
    assert amounts["2026-03"] == Decimal("90.00")  # 59 on the 1st of March
    assert amounts["2026-04"] == Decimal("120.00")


def test_leaving_dibao_for_dibao_edge_prices_the_months_after_by_the_edge_standard():
    table = AmountTable("23", (row("2020-01-01", "100.00", low_income="dibao"),
                               row("2020-01-01", "70.00", low_income="dibao_edge")))
    ent = correct(entitlement(start="2026-01"), "2026-04", "转为低保边缘", "r1", "2026-05-02T10:00:00+08:00",
                  facts={"low_income": "dibao_edge"})
    amounts = [m.amount for m in owed_through(ent, "2026-05", Standards((table,)))]
    assert amounts == [Decimal("100.00")] * 3 + [Decimal("70.00")] * 2


def test_a_month_the_table_does_not_cover_is_owed_an_unknown_amount_never_zero():
    table = AmountTable("23", (row("2026-01-01", "90.00", "2026-06-30"),))
    ent = entitlement(start="2026-06")
    june, july = owed_through(ent, "2026-07", Standards((table,)))
    assert june.amount == Decimal("90.00") and (july.amount, july.problem) == (None, "NO_AMOUNT_STANDARD")
    assert total([june, july]) == Decimal("90.00")


def test_suspended_stopped_and_before_the_start_owe_nothing():
    ent = move(entitlement(start="2026-05"), "suspend", "2026-07", "服刑", "r1", "2026-07-03T10:00:00+08:00")
    ent = move(ent, "resume", "2026-09", "刑满", "r1", "2026-09-03T10:00:00+08:00")
    ent = move(ent, "stop", "2026-11", "死亡", "r1", "2026-11-03T10:00:00+08:00")
    statuses = {m.month: (m.status, m.amount) for m in owed_through(ent, "2026-12", demo())}
    assert statuses["2026-06"][0] == "active" and statuses["2026-07"] == ("suspended", Decimal("0.00"))
    assert statuses["2026-09"][0] == "active" and statuses["2026-11"] == ("stopped", Decimal("0.00"))
    assert owed(ent, "2026-04", demo()).status == "none"


def test_a_stated_amount_holds_until_a_correction_returns_to_the_table():
    ent = entitlement(start="2026-05", stated="80.00")
    ent = correct(ent, "2026-08", "按标准表", "r1", "2026-08-02T10:00:00+08:00", pricing="table")
    amounts = [m.amount for m in owed_through(ent, "2026-08", demo())]
    assert amounts == [Decimal("80.00")] * 3 + [Decimal("90.00")]  # 23's living standard from 2026-07: 90.00


# --- the status in force -------------------------------------------------------------------------------------------

def test_a_back_dated_correction_before_a_stop_does_not_undo_it_and_one_from_its_month_does():
    stopped = move(entitlement(start="2026-05"), "stop", "2026-09", "死亡", "r1", "2026-10-02T10:00:00+08:00")
    before = correct(stopped, "2026-08", "金额纠正", "r1", "2026-10-03T10:00:00+08:00", status="active")
    assert before.status_in("2026-10") == "stopped" and before.release_month() == "2026-09"
    undone = correct(stopped, "2026-09", "比对错误，本人健在", "r1", "2026-10-03T10:00:00+08:00", status="active")
    assert undone.status_in("2026-10") == "active" and undone.release_month() is None


def test_an_amount_correction_recorded_after_a_stop_does_not_reactivate():
    ent = correct(entitlement(start="2026-05"), "2026-11", "标准适用错误", "r1", "2026-10-01T10:00:00+08:00",
                  monthly_amount="95.00")
    ent = move(ent, "stop", "2026-10", "迁出", "r1", "2026-10-05T10:00:00+08:00")
    assert ent.status_in("2026-12") == "stopped"


def test_the_moves_allowed_follow_the_status_in_force_in_their_month():
    ent = move(entitlement(start="2026-05"), "stop", "2026-12", "迁出", "r1", "2026-10-05T10:00:00+08:00")
    assert allowed_moves(ent, "2026-10") == ["suspend", "stop"]
    assert allowed_moves(ent, "2026-12") == []
    suspended = move(ent, "suspend", "2026-10", "服刑", "r1", "2026-10-06T10:00:00+08:00")
    assert suspended.status_in("2026-11") == "suspended" and suspended.status_in("2026-12") == "stopped"
    with pytest.raises(Conflict):
        move(ent, "resume", "2026-12", "x", "r1", "2026-10-07T10:00:00+08:00")


def test_money_is_two_places():
    assert money(Decimal("90")) == "90.00"
