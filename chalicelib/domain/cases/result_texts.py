"""The sentences the result notice (``documents.result_document``) and the decision SMS (``messages.render``) share,
each written in one place: what was not granted and why, the remedies (救济途径), and who explains the standard.

Who explains the standard: 享受补贴政策的类型及标准由业务属地负责解释 (民办发〔2021〕2号 step 6, DOMAIN.md §2), so an
approval names the 业务属地's unit and its consultation phone as configured (``domain/rules/contacts``), kept on the
decision. Where none was configured it names the unit by its place and says that no phone is set up — never the
受理地 window's.

The remedies, checked against the statutes:
- 《中华人民共和国行政复议法》(2023年9月1日修订, in force 2024-01-01) 第二十条: a reconsideration is
  applied for within 60 days of the day the applicant knew or should have known of the act; 第二十四条:
  the county-level people's government handles reconsideration of acts of its own departments (the
  county 民政 office decides the subsidies, DOMAIN.md §1) and of the township governments below it.
- 《中华人民共和国行政诉讼法》(2017年修正) 第四十六条: a suit is filed within 6 months of the day the
  applicant knew or should have known of the act; 第十八条: before the people's court where the
  organ that first acted is located; 第十四条: a 基层人民法院 hears first instance.
So a refusal — whole, or of one subsidy of the two (a partial approval) — names the 业务属地's county government and
the basic court where it sits.

Implements: the two laws above, for the decision of 民办发〔2021〕2号 step 3 (DOMAIN.md §2) told at step 5.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from ..rules.contacts import stored_contact
from ..units import county_name, place_name
from .applications import SUBSIDY_NAMES

NO_REASON = "认定时未记录理由，请向业务属地询问"  # a partial approval stored before a reason was required
NO_PHONE = "尚未设置（业务属地未登记咨询电话）"


def unit_label(unit: str) -> str:
    """黑龙江省道里区（230102001）: the names the code table has, and the code for the township."""
    name = place_name(unit)
    return name if name == unit else f"{name}（{unit}）"


def explains_standard(contact: Mapping[str, Any] | None, business_unit: str) -> str:
    """享受补贴政策的类型及标准由<业务属地单位名>负责解释，咨询电话：<phone>。 from the decision's ``contact``; without a
    configured one, the unit's place name and "not set up"."""
    name, phone = stored_contact(contact)
    return f"享受补贴政策的类型及标准由{name or unit_label(business_unit)}负责解释，咨询电话：{phone or NO_PHONE}。"


def _county(business_unit: str) -> str:
    """道里区: the county whose government hears the reconsideration (the unit itself where the table has no name)."""
    return county_name(business_unit[:6]) or unit_label(business_unit)


def remedies(business_unit: str, received: str = "本通知书") -> str:
    """救济途径: 行政复议 within 60 days, 行政诉讼 within 6 months, counted from receiving ``received`` (本通知书 on the
    result notice, 本通知 in the SMS)."""
    county = _county(business_unit)
    return (f"申请人如对本决定不服，可以自收到{received}之日起六十日内向{county}人民政府申请行政复议，"
            f"也可以自收到{received}之日起六个月内依法向{county}所在地基层人民法院提起行政诉讼"
            "（《中华人民共和国行政复议法》第二十条、《中华人民共和国行政诉讼法》第四十六条）。")


def not_granted(decision: Mapping[str, Any], requested: Sequence[str]) -> list[dict[str, Any]]:
    """The subsidies applied for and not granted, each with its reason: the decision's own list where it has one,
    else (a decision stored before the list) every requested subsidy it does not grant, reason unrecorded."""
    listed = decision.get("not_granted")
    if listed is not None:
        return [dict(item) for item in listed]
    granted = {item["type"] for item in decision.get("subsidies") or ()}
    if decision.get("outcome") == "rejected":
        return [{"type": kind, "reason": decision.get("reason")} for kind in requested]
    return [{"type": kind, "reason": None} for kind in requested if granted and kind not in granted]


def subsidy_names(kinds: Sequence[str]) -> str:
    return "、".join(SUBSIDY_NAMES[kind] for kind in kinds)
