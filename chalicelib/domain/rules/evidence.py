"""Rule checks on authoritative data: the roster's answer where a roster answers, the claim otherwise.

DOMAIN.md §1 (国发〔2015〕52号): the living subsidy is for disabled persons in 低保 families (a province
may extend it to 低保边缘); the nursing subsidy for grade 一级/二级 (a province may extend it to grade
三/四 intellectual or mental disability); both need a valid 残疾人证; 特困供养 recipients get neither.
DOMAIN.md §2 (民办发〔2021〕2号): where authoritative data can be obtained by data comparison and
sharing (数据比对和共享), it stands in for the applicant's materials. So each fact a rule uses is taken
from the case's data comparison (``data_checks``, made at acceptance) when a roster answered it, and
from the application only when no roster covers it:

- a check that rests on a claim alone says so ("claimed, not confirmed by data" / "申报，未经数据比对核实")
  and may still be ``met``: the reviewer may rely on the materials (申请材料);
- a check that the claims would meet but the roster data does not is ``contradicted``; like
  ``not_met`` (the claims themselves fail), approving against it needs ``override_reason``.

Every roster fact names the load and its date it relied on, and says when that load is older than
the application month. Pure: no I/O, no clock.

Implements: 国发〔2015〕52号 (DOMAIN.md §1: who qualifies, and the exclusions) and 民办发〔2021〕2号 (DOMAIN.md §2: data
obtained by comparison and sharing stands in for the applicant's materials). That a contradiction needs an
``override_reason`` is no statute: an engineering rule, so roster data is never overridden silently.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from ..values import day_or_none
from . import rule_texts as texts
from .jurisdiction import EligibilityRule, RuleCheck, check_subsidy

MET, NOT_MET, CONTRADICTED = "met", "not_met", "contradicted"
RESULTS = (MET, NOT_MET, CONTRADICTED)
ROSTER_FACTS = {"dibao": "dibao", "tekun": "tekun"}  # circumstance -> the roster kind that answers it
CERTIFICATES = "disability_certificates"
LABELS = {"dibao": "低保 (dibao)", "dibao_edge": "低保边缘 (dibao_edge)", "tekun": "特困供养 (tekun)",
          "work_injury_care": "工伤保险生活护理费 (work_injury_care)",
          "orphan_support": "孤儿基本生活保障 (orphan_support)", "certificate": "disability category and grade"}


class Fact(Struct, frozen=True):
    """One fact a check uses: ``basis`` "roster" (with the load it came from) or "claim"."""

    name: str
    basis: str
    agrees: bool | None = None  # roster vs application; None for a claim
    source: str | None = None
    load_id: str | None = None
    loaded_at: str | None = None
    detail: str = ""
    detail_zh: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"fact": self.name, "basis": self.basis, "agrees": self.agrees, "source": self.source,
                "load_id": self.load_id, "loaded_at": self.loaded_at, "detail": self.detail}


class Evidence(Struct, frozen=True):
    """The facts as the check uses them, and where each came from."""

    circumstances: dict[str, bool]
    category: int
    grade: int
    facts: dict[str, Fact]
    certificate_invalid: tuple[str, str] | None = None  # (English, Chinese) when the roster says so


def _find(data_checks: Sequence[Mapping[str, Any]], source: str) -> Mapping[str, Any] | None:
    found = [check for check in data_checks if check.get("source") == source]
    return found[-1] if found else None


def _membership(kind: str, claimed: bool, check: Mapping[str, Any]) -> tuple[bool, Fact]:
    """A 低保 / 特困 comparison: confirmed means the roster says "in"; a contradiction, the opposite
    of the claim (records made before ``roster`` was kept are read the same way)."""
    value = True if check.get("confirmed") else not claimed
    roster = dict(check.get("roster") or check.get("match") or {})
    status = roster.get("status") or ("in" if value else "absent" if check.get("load_id") is None else "out")
    since = str(roster.get("since") or "")
    detail = "no entry" if status == "absent" else f"{status}" + (f" since {since}" if since else "")
    return value, Fact(kind, "roster", value == claimed, kind, check.get("load_id"), check.get("loaded_at"),
                       detail, texts.membership_zh(status, since))


def _certificate(certificate: Mapping[str, Any], check: Mapping[str, Any], applied_on: date
                 ) -> tuple[int, int, Fact, str | None]:
    """The DPF roster's category and grade (with whether it shows the certificate invalid)."""
    roster = dict(check.get("roster") or check.get("match") or {})
    claimed = (int(certificate["category"]), int(certificate["grade"]))
    if not roster.get("category") or not roster.get("grade"):  # an older record: the claim stands
        return (*claimed, Fact("certificate", "claim"), None)
    category, grade = int(roster["category"]), int(roster["grade"])
    status = str(roster.get("status") or ("valid" if check.get("waived") else ""))
    valid_until = str(roster.get("valid_until") or "")
    expiry = day_or_none(valid_until)
    invalid = "cancelled" if status == "cancelled" else \
        f"expired on {valid_until}" if expiry is not None and expiry < applied_on else None
    detail = f"category {category}, grade {grade}, valid until {valid_until}, {status or 'status not given'}"
    fact = Fact("certificate", "roster", (category, grade) == claimed, CERTIFICATES, check.get("load_id"),
                check.get("loaded_at"), detail, texts.certificate_zh(category, grade, status, valid_until))
    return category, grade, fact, invalid


def evidence_from(certificate: Mapping[str, Any], low_income: Mapping[str, Any],
                  data_checks: Sequence[Mapping[str, Any]], applied_on: date) -> Evidence:
    """The facts for the rule checks: each roster that answered replaces the claim it answered."""
    circumstances = {key: bool(value) for key, value in low_income.items()}
    facts: dict[str, Fact] = {key: Fact(key, "claim") for key, value in circumstances.items() if value}
    for key, kind in ROSTER_FACTS.items():
        check = _find(data_checks, kind)
        if check is not None and check.get("type") == "confirmation":
            circumstances[key], facts[key] = _membership(key, circumstances.get(key, False), check)
    category, grade = int(certificate["category"]), int(certificate["grade"])
    facts["certificate"] = Fact("certificate", "claim")
    invalid: tuple[str, str] | None = None
    check = _find(data_checks, CERTIFICATES)
    if check is not None:
        category, grade, facts["certificate"], what = _certificate(certificate, check, applied_on)
        if what is not None:
            load = _load(facts["certificate"])
            invalid = (f"both subsidies need a valid 残疾人证: the {CERTIFICATES} roster ({load[0]}) shows it {what}",
                       texts.certificate_invalid_zh(_what_zh(what), load[1]))
    return Evidence(circumstances, category, grade, facts, invalid)


def _what_zh(what: str) -> str:
    return "已注销" if what == "cancelled" else f"已于{what.removeprefix('expired on ')}过期"


def _load(fact: Fact) -> tuple[str, str]:
    day = (fact.loaded_at or "")[:10] or "date unknown"
    if fact.load_id is None:
        return f"loaded {day}", f"{day}导入"
    return f"load {fact.load_id[:12]} of {day}", f"{day}导入，批次{fact.load_id[:12]}"


def _older(fact: Fact, applied_on: date) -> str | None:
    """The application month, when the load that answered was made in an earlier month."""
    month = f"{applied_on:%Y-%m}"
    return month if fact.loaded_at and fact.loaded_at[:7] < month else None


def _basis_line(fact: Fact, claimed: Any, applied_on: date) -> tuple[str, str]:
    label = LABELS[fact.name]
    if fact.basis == "claim":
        return f"{label}: claimed, not confirmed by data", texts.claimed_zh(fact.name)
    load, load_zh = _load(fact)
    older = _older(fact, applied_on)
    late = f", loaded before the application month {older}" if older else ""
    if fact.agrees:
        english = f"{label}: confirmed by the {fact.source} roster ({load}{late}: {fact.detail})"
    else:
        english = (f"{label}: the {fact.source} roster contradicts the application ({load}{late}: {fact.detail}; "
                   f"application: {claimed}); the roster is used")
    return english, texts.roster_fact_zh(fact.name, fact.source or "", bool(fact.agrees), fact.detail_zh, load_zh,
                                         older)


def _used(rule: EligibilityRule, subsidy: str) -> tuple[str, ...]:
    """The facts a subsidy's rule reads, in the order the reasons name them."""
    needs = rule.living_requires_any if subsidy == "living" else ("certificate",)
    excludes = (*rule.excludes_both, *(rule.excludes_living if subsidy == "living" else ()))
    return tuple(dict.fromkeys((*needs, *excludes)))


def _claimed(name: str, certificate: Mapping[str, Any], low_income: Mapping[str, Any]) -> str:
    if name == "certificate":
        return f"category {certificate['category']}, grade {certificate['grade']}"
    return "claimed" if low_income.get(name) else "not claimed"


def check_with_data(rule: EligibilityRule, subsidy: str, certificate: Mapping[str, Any],
                    low_income: Mapping[str, Any], data_checks: Sequence[Mapping[str, Any]],
                    applied_on: date) -> RuleCheck:
    """``check_subsidy`` on the facts of ``evidence_from``: met, not_met (the application itself
    fails) or contradicted (the application would pass, the roster data does not)."""
    claims = {key: bool(value) for key, value in low_income.items()}
    on_claims = check_subsidy(rule, subsidy, int(certificate["category"]), int(certificate["grade"]), claims)
    evidence = evidence_from(certificate, low_income, data_checks, applied_on)
    on_data = check_subsidy(rule, subsidy, evidence.category, evidence.grade, evidence.circumstances)
    reasons = list(zip(on_data.reasons, on_data.reasons_zh, strict=True))
    if evidence.certificate_invalid is not None:
        reasons = [*(reasons if not on_data.eligible else []), evidence.certificate_invalid]
    met = on_data.eligible and evidence.certificate_invalid is None
    used = [evidence.facts[name] for name in _used(rule, subsidy) if name in evidence.facts]
    reasons += [_basis_line(fact, _claimed(fact.name, certificate, low_income), applied_on) for fact in used]
    result = MET if met else CONTRADICTED if on_claims.eligible else NOT_MET
    return replace(on_data, eligible=met, reasons=tuple(en for en, _ in reasons),
                   reasons_zh=tuple(zh for _, zh in reasons), result=result,
                   basis=tuple(fact.as_dict() for fact in used))
