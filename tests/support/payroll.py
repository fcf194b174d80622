"""A hand-counted 业务属地 for the monthly roster of 2027-01 (living 99, nursing 93 a month)."""
from __future__ import annotations

from chalicelib.domain.entitlements import Entitlement, correct, from_decision, move

UNIT = "230102001"  # 哈尔滨市道里区
MONTH = "2027-01"
LIVING, NURSING = "99.00", "93.00"


def approved(case: str, subsidy: str, start: str, amount: str, at: str, name: str = "张三",
             unit: str = UNIT) -> Entitlement:
    granted = {"type": subsidy, "start_month": start, "monthly_amount": amount}
    return from_decision(case, granted, f"pk-{case}", "230***********1234", name, unit, "310101002",
                         f"{unit}001", "reviewer-1", at)


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
                     "2026-10", "120.00", None, "标准适用错误", "reviewer-1", "2027-01-10T10:00:00+08:00")
    lowered = correct(approved("C06", "nursing", "2026-04", NURSING, "2026-04-10T10:00:00+08:00"),
                      "2026-11", "80.00", None, "等级认定错误", "reviewer-1", "2027-01-12T10:00:00+08:00")
    wrongly_paid = correct(approved("C07", "living", "2026-02", LIVING, "2026-02-10T10:00:00+08:00"),
                           "2026-12", None, "stopped", "已纳入特困供养", "reviewer-1", "2027-01-20T10:00:00+08:00")
    later = approved("C08", "living", "2027-01", LIVING, "2027-02-02T10:00:00+08:00")  # approved after January
    return {e.case_id: e for e in (active, suspended, stopped, new, raised, lowered, wrongly_paid, later)}


# The roster of 2027-01 for world(), counted by hand: (monthly, back pay, total) per case.
EXPECTED_LINES = {
    "C01": ("99.00", "0.00", "99.00"),  # active
    "C04": ("93.00", "186.00", "279.00"),  # approved this month: 2026-11 and 2026-12 in arrears
    "C05": ("120.00", "63.00", "183.00"),  # raised from 2026-10: 3 months x 21
    "C06": ("80.00", "-26.00", "54.00"),  # lowered from 2026-11: 2 months x -13, kept negative
    "C07": ("0.00", "-99.00", "-99.00"),  # wrongly paid for 2026-12 (应退则退): a line with nothing due
}
EXPECTED_TOTALS = {
    "living": {"count": 3, "monthly": "219.00", "back_pay": "-36.00", "total": "183.00"},
    "nursing": {"count": 2, "monthly": "173.00", "back_pay": "160.00", "total": "333.00"},
    "all": {"count": 5, "monthly": "392.00", "back_pay": "124.00", "total": "516.00"},
}
