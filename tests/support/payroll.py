"""A hand-counted 业务属地 for the roster of 2027-01 (stated amounts: living 99, nursing 93 a month), with a ledger in
which a December roster paid every month through 2026-12 as it was owed before January's changes."""
from __future__ import annotations

from decimal import Decimal

from chalicelib.domain.payments.entitlements import Entitlement, correct, from_decision, move
from chalicelib.domain.payments.ledger import Ledger, apply_payment
from chalicelib.domain.payments.owed import Standards
from chalicelib.domain.values import months_from

UNIT = "230102001"  # 哈尔滨市道里区
MONTH = "2027-01"
LIVING, NURSING = "99.00", "93.00"
NO_TABLES = Standards(())  # every amount in this world is stated


def approved(case: str, subsidy: str, start: str, amount: str, at: str, name: str = "张三",
             unit: str = UNIT) -> Entitlement:
    granted = {"type": subsidy, "start_month": start, "monthly_amount": amount, "pricing": "stated",
               "stated_reason": "按省定标准"}
    return from_decision(case, granted, f"pk-{case}", "230***********1234", name, unit, "310101002",
                         f"{unit}001", "reviewer-1", at, account={"bank": "中国农业银行哈尔滨道里支行",
                                                                  "number": f"62284800001234{case[-2:]}"},
                         id_number="230102198001011234")


def world() -> dict[str, Entitlement]:
    """By case id; the roster of 2027-01 is counted by hand in tests/unit/test_payroll.py."""
    active = approved("C01", "living", "2026-03", LIVING, "2026-03-20T10:00:00+08:00")
    suspended = move(approved("C02", "nursing", "2026-05", NURSING, "2026-05-10T10:00:00+08:00"),
                     "suspend", "2027-01", "未按月查询登记", "reviewer-1", "2026-12-28T10:00:00+08:00")
    stopped = move(approved("C03", "living", "2026-01", LIVING, "2026-01-12T10:00:00+08:00"),
                   "stop", "2026-10", "退出低保", "reviewer-1", "2026-10-15T10:00:00+08:00")
    # applied in November, approved in January: Nov + Dec 2026 are arrears (自递交申请当月计发)
    new = approved("C04", "nursing", "2026-11", NURSING, "2027-01-05T09:00:00+08:00")
    raised = correct(approved("C05", "living", "2026-06", LIVING, "2026-06-15T10:00:00+08:00"),
                     "2026-10", "标准适用错误", "reviewer-1", "2027-01-10T10:00:00+08:00", monthly_amount="120.00")
    lowered = correct(approved("C06", "nursing", "2026-04", NURSING, "2026-04-10T10:00:00+08:00"),
                      "2026-11", "等级认定错误", "reviewer-1", "2027-01-12T10:00:00+08:00", monthly_amount="80.00")
    wrongly_paid = correct(approved("C07", "living", "2026-02", LIVING, "2026-02-10T10:00:00+08:00"),
                           "2026-12", "已纳入特困供养", "reviewer-1", "2027-01-20T10:00:00+08:00", status="stopped")
    later = approved("C08", "living", "2027-01", LIVING, "2027-02-02T10:00:00+08:00")  # approved after January
    return {e.case_id: e for e in (active, suspended, stopped, new, raised, lowered, wrongly_paid, later)}


PAID_BY_DECEMBER = {  # case -> (first month, last month, amount a month) paid by the roster of 2026-12
    "C01": ("2026-03", "2026-12", LIVING), "C02": ("2026-05", "2026-12", NURSING),
    "C03": ("2026-01", "2026-09", LIVING), "C05": ("2026-06", "2026-12", LIVING),
    "C06": ("2026-04", "2026-12", NURSING), "C07": ("2026-02", "2026-12", LIVING),
}


def ledgers() -> dict[str, Ledger]:
    """By case id: what the December roster (the unit's first finalization) paid."""
    paid = {}
    for case, ent in world().items():
        ledger = Ledger(ent.entitlement_id)
        if case in PAID_BY_DECEMBER:
            first, last, amount = PAID_BY_DECEMBER[case]
            ledger = apply_payment(ledger, "2026-12", 1, tuple((m, Decimal(amount)) for m in months_from(first, last)))
        paid[case] = ledger
    return paid


def pairs() -> list[tuple[Entitlement, Ledger]]:
    paid = ledgers()
    return [(ent, paid[case]) for case, ent in world().items()]


# The roster of 2027-01 for world(), counted by hand: (monthly, back pay, total) per case.
EXPECTED_LINES = {
    "C01": ("99.00", "0.00", "99.00"),  # active, paid through December
    "C04": ("93.00", "186.00", "279.00"),  # approved this month: 2026-11 and 2026-12 in arrears
    "C05": ("120.00", "63.00", "183.00"),  # raised from 2026-10: 3 months x 21 not yet paid
    "C06": ("80.00", "0.00", "80.00"),  # lowered from 2026-11: Nov and Dec over-paid by 13 each, a debt, not netted
    "C08": ("99.00", "0.00", "99.00"),  # approved in February: January is owed all the same
}
EXPECTED_DEBTS = {"C06": (("2026-11", "13.00"), ("2026-12", "13.00")), "C07": (("2026-12", "99.00"),)}
EXPECTED_TOTALS = {
    "living": {"count": 3, "monthly": "318.00", "back_pay": "63.00", "total": "381.00"},
    "nursing": {"count": 2, "monthly": "173.00", "back_pay": "186.00", "total": "359.00"},
    "all": {"count": 5, "monthly": "491.00", "back_pay": "249.00", "total": "740.00"},
}
