"""残疾状态: a DPF (残联) certificate roster that shows a recipient's category or grade changed.

When a ``disability_certificates`` roster is loaded, each recipient whose valid certificate now says another
category or grade than the entitlement's facts gets a *proposal* for the 业务属地, never a change by itself:

- the nursing subsidy no longer covered under the province's eligibility rule in force (below grade 2, unless a
  provincial extension covers the category and grade: ``jurisdiction.check_subsidy``) → stop it;
- otherwise → correct the facts (category, grade) from the month after the load, so the amount is the province's
  standard for the new grade (an entitlement priced by the table; a stated amount stays the reviewer's).

A cancelled certificate is the data comparison's ``certificate_cancellations`` (domain/supervision/comparison.py).

Implements: the dynamic check of disability status (DOMAIN.md §3; 民发〔2022〕79号), the nursing subsidy's grades
(国发〔2015〕52号, DOMAIN.md §1) and the standard by grade (amounts configured per province).
"""
from __future__ import annotations

from typing import Any, Mapping

from msgspec import Struct

from ..identity import CATEGORY_NAMES, GRADE_NAMES
from ..payments.entitlements import Entitlement
from ..rules.jurisdiction import EligibilityRule, check_subsidy

KIND = "certificate_grade_change"


class StatusChange(Struct, frozen=True):
    action: str  # "stop" | "correct"
    facts: Mapping[str, int]  # the roster's category and grade
    reason: str
    before: str  # category and grade digits as the entitlement has them ("41"; "00" where none was recorded)
    after: str  # as the roster says


def _named(category: Any, grade: Any) -> str:
    try:
        return f"{CATEGORY_NAMES[int(category)]}残疾{GRADE_NAMES[int(grade)]}"
    except (KeyError, TypeError, ValueError):
        return "未记录"


def certificate_change(ent: Entitlement, roster: Mapping[str, str], rule: EligibilityRule, month: str
                       ) -> StatusChange | None:
    """What the roster's certificate means for one entitlement in ``month``, or None (no change to propose)."""
    if roster.get("status") != "valid":
        return None
    try:
        category, grade = int(roster["category"]), int(roster["grade"])
    except (KeyError, ValueError):
        return None
    facts = ent.facts_in(month)
    if (facts.get("category"), facts.get("grade")) == (category, grade):
        return None
    new = {"category": category, "grade": grade}
    before = f"{facts.get('category') or 0}{facts.get('grade') or 0}"
    after = f"{category}{grade}"
    told = f"残联残疾人证名册：残疾类别和等级由{_named(facts.get('category'), facts.get('grade'))}变为{_named(category, grade)}"
    if ent.subsidy == "nursing":
        check = check_subsidy(rule, "nursing", category, grade, {})
        if not check.eligible:
            return StatusChange("stop", new, f"{told}，{check.reasons_zh[0]}（护理补贴终止）", before, after)
    return StatusChange("correct", new, f"{told}（按新等级的补贴标准）", before, after)
