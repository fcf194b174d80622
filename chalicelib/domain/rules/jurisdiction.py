"""What each 业务属地 requires: its 跨省通办 material list, and who is eligible (DOMAIN.md §1, §2).

Material rules: a province (2-digit scope) sets the base list; a city (4 digits) or county (6 digits)
may add codes, drop codes or mark codes optional, each rule versioned by its effective date.
Eligibility rules: per province, extending the national floor of 国发〔2015〕52号 (living subsidy for
低保 families, nursing subsidy for grades 一级/二级) and naming the exclusions.

Implements: 民办发〔2021〕2号 (DOMAIN.md §2: each 户籍地 configures its 跨省通办 attachment requirements; the standard
catalogue is the fallback) and 国发〔2015〕52号 (DOMAIN.md §1: the national floor — 低保 for the living subsidy, grades
一级/二级 for the nursing subsidy — the provincial extensions, and the exclusions: 特困供养 and 工伤保险生活护理费 get
neither, 孤儿基本生活保障 the nursing subsidy only; 择高 is left to the reviewer).
"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from typing import Any, Iterable, Mapping

from ..cases.applications import SUBSIDY_TYPES
from ..errors import DomainError, Invalid, Malformed
from ..units import is_township
from ..values import parse_day
from . import rule_texts as texts
from .amounts import AmountTable, check_amount_table, read_amount_table, read_int_list, read_list, read_object
from .amounts import read_scope as _scope
from .contacts import ContactRule, read_contact_rule
from .rules import CATALOGUE, MATERIAL_CODES, NoticeItem

AGENT_CODES: tuple[str, ...] = tuple(kind.code for kind in CATALOGUE if kind.for_agent)
NATIONAL = "00"  # the scope of the national default eligibility rule
CIRCUMSTANCES: dict[str, str] = {
    "dibao": "低保",
    "dibao_edge": "低保边缘",
    "tekun": "特困供养",
    "work_injury_care": "工伤保险生活护理费",
    "orphan_support": "孤儿基本生活保障",
}
LOW_INCOME_KEYS = ("dibao", "dibao_edge")
EXCLUSION_KEYS = ("tekun", "work_injury_care", "orphan_support")


@dataclass(frozen=True)
class MaterialRule:
    """A province base (``require`` set) or a city/county override (``require`` None)."""

    scope: str
    effective_from: date
    require: tuple[str, ...] | None
    add: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequiredItem:
    code: str
    required: bool


@dataclass(frozen=True)
class ResolvedMaterials:
    items: tuple[RequiredItem, ...]
    versions: tuple[str, ...]


@dataclass(frozen=True)
class EligibilityRule:
    """A province's 补贴对象 rule; ``nursing_extensions`` holds (categories, grades) pairs."""

    province: str
    effective_from: date
    living_requires_any: tuple[str, ...] = ("dibao",)
    nursing_grades: tuple[int, ...] = (1, 2)
    nursing_extensions: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = ()
    excludes_both: tuple[str, ...] = ("tekun", "work_injury_care")
    excludes_living: tuple[str, ...] = ("orphan_support",)


NATIONAL_DEFAULT = EligibilityRule(NATIONAL, date(2016, 1, 1))  # 国发〔2015〕52号, in force 2016-01-01


@dataclass(frozen=True)
class RuleCheck:
    subsidy: str
    eligible: bool
    reasons: tuple[str, ...]
    rule_version: str
    reasons_zh: tuple[str, ...] = ()  # the same reasons in Chinese, one for one (domain.rule_texts)
    result: str = ""  # "met" | "not_met" | "contradicted" (domain.evidence); "" = from ``eligible``
    basis: tuple[Mapping[str, Any], ...] = ()  # the facts used: roster or claim (domain.evidence)

    @property
    def outcome(self) -> str:
        return self.result or ("met" if self.eligible else "not_met")


def rule_version(rule: MaterialRule | EligibilityRule) -> str:
    """``"23@2026-01-01"``; the national eligibility default is ``"national-default"``."""
    if isinstance(rule, EligibilityRule):
        return "national-default" if rule.province == NATIONAL else f"{rule.province}@{rule.effective_from}"
    return f"{rule.scope}@{rule.effective_from.isoformat()}"


# --- materials ---------------------------------------------------------------------------------

def _codes(body: Mapping[str, Any], key: str, known: Iterable[str], code: str) -> tuple[str, ...]:
    items = read_list(body.get(key, []), key)
    allowed = frozenset(known)
    for index, item in enumerate(items):
        if not isinstance(item, str) or item not in allowed:
            raise Invalid(code, f"{item!r} is not one of {sorted(allowed)}", f"{key}[{index}]")
        if item in items[:index]:
            raise Invalid("DUPLICATE_CODE", f"{key} names {item} twice", f"{key}[{index}]")
    return tuple(items)


def _no_overlap(first: tuple[str, ...], second: tuple[str, ...], first_key: str, second_key: str) -> None:
    for index, item in enumerate(second):
        if item in first:
            raise Invalid("CONFLICTING_CODE", f"{item} is in both {first_key} and {second_key}",
                          f"{second_key}[{index}]")


def read_material_rule(scope: str, effective_from: date, body: object) -> MaterialRule:
    """``{"require": [...], "optional": [...]}`` for a province; ``{"add", "drop", "optional"}`` below it."""
    scope = _scope(scope, (2, 4, 6), "scope")
    rule = read_object(body, "body", frozenset({"require", "add", "drop", "optional"}))
    optional = _codes(rule, "optional", MATERIAL_CODES, "UNKNOWN_MATERIAL")
    if len(scope) > 2:
        if "require" in rule:
            raise Invalid("REQUIRE_ONLY_FOR_PROVINCE", "a city or county overrides with add/drop/optional",
                          "require")
        add = _codes(rule, "add", MATERIAL_CODES, "UNKNOWN_MATERIAL")
        drop = _codes(rule, "drop", MATERIAL_CODES, "UNKNOWN_MATERIAL")
        _no_overlap(add, drop, "add", "drop")
        _no_overlap(optional, drop, "optional", "drop")
        return MaterialRule(scope, effective_from, None, add, drop, optional)
    for key in ("add", "drop"):
        if key in rule:
            raise Invalid("OVERRIDE_ONLY_FOR_CITY_OR_COUNTY", "a province sets the full require list", key)
    if rule.get("require") is None:
        raise Malformed("MISSING_FIELD", "a province rule needs require (the full list)", "require")
    require = _codes(rule, "require", MATERIAL_CODES, "UNKNOWN_MATERIAL")
    if not require:
        raise Invalid("REQUIRE_EMPTY", "a province must require at least one material", "require")
    for index, item in enumerate(optional):
        if item not in require and item not in AGENT_CODES:
            raise Invalid("OPTIONAL_NOT_REQUIRED", f"{item} is not in require", f"optional[{index}]")
    return MaterialRule(scope, effective_from, require, (), (), optional)


def _latest(rules: Iterable[MaterialRule], scope: str, on: date) -> MaterialRule | None:
    found = [rule for rule in rules if rule.scope == scope and rule.effective_from <= on]
    return max(found, key=lambda rule: rule.effective_from) if found else None


def _chain(rules: list[MaterialRule], scopes: tuple[str, ...], on: date) -> list[MaterialRule]:
    """The rules in force on ``on`` for the province, city, county of ``scopes`` (province first)."""
    return [rule for scope in scopes if (rule := _latest(rules, scope, on)) is not None]


def _apply(state: dict[str, bool], rule: MaterialRule) -> dict[str, bool]:
    """One step of inheritance: ``code -> required``; ``add`` also makes an optional code required."""
    if rule.require is not None:
        state = {code: True for code in (*rule.require, *AGENT_CODES)}
    else:
        state = {code: req for code, req in state.items() if code not in rule.drop}
        state.update({code: True for code in rule.add})
    state.update({code: False for code in rule.optional if code in state})
    return state


def _resolved(state: dict[str, bool], has_agent: bool, versions: tuple[str, ...]) -> ResolvedMaterials:
    items = tuple(RequiredItem(kind.code, state[kind.code]) for kind in CATALOGUE
                  if kind.code in state and (has_agent or not kind.for_agent))
    return ResolvedMaterials(items, versions)


def materials_in_force(
    rules: Iterable[MaterialRule], business_unit: str, on: date, has_agent: bool
) -> ResolvedMaterials:
    """The 跨省通办 materials the 业务属地 requires on ``on``: province base, then city, then county."""
    if not is_township(business_unit):
        raise Invalid("UNIT_FORMAT", "business unit must be a string of exactly 9 digits", "business_unit")
    chain = _chain(list(rules), (business_unit[:2], business_unit[:4], business_unit[:6]), on)
    if not chain or chain[0].require is None:
        raise Invalid("NO_MATERIAL_RULES", f"no material rules for {business_unit[:2]} on {on.isoformat()}",
                      "business_unit")
    state: dict[str, bool] = {}
    for rule in chain:
        state = _apply(state, rule)
    return _resolved(state, has_agent, tuple(rule_version(rule) for rule in chain))


def standard_materials(has_agent: bool) -> ResolvedMaterials:
    """The standard catalogue of DOMAIN.md §2, every item required: the fallback without rules."""
    return _resolved({kind.code: True for kind in CATALOGUE}, has_agent, ("standard",))


def notice_items(materials: ResolvedMaterials) -> tuple[NoticeItem, ...]:
    """The one-time notice (一次性告知) lines for resolved materials."""
    kinds = {kind.code: kind for kind in CATALOGUE}
    return tuple(NoticeItem(item.code, kinds[item.code].name, kinds[item.code].purpose, item.required)
                 for item in materials.items)


def check_material_rules(rules: Iterable[MaterialRule]) -> list[str]:
    """The offending rows of a rule set: overrides without a province rule in force, drops of codes
    outside the province base, optional marks on codes not listed, and any date on which an
    applicant without an agent would have no required material at all."""
    rules = list(rules)
    problems: list[str] = []
    seen: set[tuple[str, date]] = set()
    for rule in rules:
        if (rule.scope, rule.effective_from) in seen:
            problems.append(f"{rule_version(rule)} is defined twice")
        seen.add((rule.scope, rule.effective_from))
    leaves = {rule.scope for rule in rules}
    for leaf in sorted(leaves):
        scopes = tuple(dict.fromkeys(leaf[:n] for n in (2, 4, 6) if n <= len(leaf)))
        for on in sorted({rule.effective_from for rule in rules if rule.scope in scopes}):
            problems.extend(_check_on(_chain(rules, scopes, on), on))
    return list(dict.fromkeys(problems))


def _check_on(chain: list[MaterialRule], on: date) -> list[str]:
    if not chain:
        return []
    if chain[0].require is None:
        return [f"{rule_version(chain[0])} has no province rule in force on {on.isoformat()}"]
    base, problems = chain[0], []
    state: dict[str, bool] = {}
    for rule in chain:
        for code in rule.drop:
            if code not in (*(base.require or ()), *AGENT_CODES):
                problems.append(f"{rule_version(rule)} drops {code}, which is not in the base {rule_version(base)}")
        for code in rule.optional:
            if code not in state and code not in rule.add and rule.require is None:
                problems.append(f"{rule_version(rule)} marks {code} optional, which is not required there")
        state = _apply(state, rule)
    if not any(item.required for item in _resolved(state, False, ()).items):
        last = chain[-1]
        what = "requires no material" if last.require is not None else "drops every required material"
        problems.append(f"{rule_version(last)} {what}")
    return problems


# --- eligibility -------------------------------------------------------------------------------

def _extensions(value: object) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    result = []
    for index, item in enumerate(read_list(value, "nursing_extensions")):
        field = f"nursing_extensions[{index}]"
        entry = read_object(item, field, frozenset({"categories", "grades"}))
        categories = read_int_list(entry.get("categories"), f"{field}.categories", 1, 7, "CATEGORY_FORMAT")
        grades = read_int_list(entry.get("grades"), f"{field}.grades", 1, 4, "GRADE_FORMAT")
        if not categories or not grades:
            raise Invalid("EXTENSION_EMPTY", "an extension names at least one category and one grade", field)
        result.append((categories, grades))
    return tuple(result)


def read_eligibility_rule(province: str, effective_from: date, body: object) -> EligibilityRule:
    """``{"living_requires_any", "nursing_grades", "nursing_extensions", "excludes_both",
    "excludes_living"}``, each optional (the national default where absent)."""
    province = _scope(province, (2,), "province")
    rule = read_object(body, "body", frozenset({"living_requires_any", "nursing_grades", "nursing_extensions",
                                                "excludes_both", "excludes_living"}))
    national = NATIONAL_DEFAULT
    living = _codes(rule, "living_requires_any", LOW_INCOME_KEYS, "UNKNOWN_CIRCUMSTANCE") \
        if "living_requires_any" in rule else national.living_requires_any
    if "dibao" not in living:
        raise Invalid("BELOW_NATIONAL_FLOOR", "the living subsidy always covers 低保 families (国发〔2015〕52号)",
                      "living_requires_any")
    grades = read_int_list(rule["nursing_grades"], "nursing_grades", 1, 4, "GRADE_FORMAT") \
        if "nursing_grades" in rule else national.nursing_grades
    if not {1, 2} <= set(grades):
        raise Invalid("BELOW_NATIONAL_FLOOR", "the nursing subsidy always covers grades 1-2 (国发〔2015〕52号)",
                      "nursing_grades")
    both = _codes(rule, "excludes_both", EXCLUSION_KEYS, "UNKNOWN_CIRCUMSTANCE") \
        if "excludes_both" in rule else national.excludes_both
    living_only = _codes(rule, "excludes_living", EXCLUSION_KEYS, "UNKNOWN_CIRCUMSTANCE") \
        if "excludes_living" in rule else tuple(key for key in national.excludes_living if key not in both)
    _no_overlap(both, living_only, "excludes_both", "excludes_living")
    extensions = _extensions(rule.get("nursing_extensions", []))
    return EligibilityRule(province, effective_from, living, grades, extensions, both, living_only)


def eligibility_in_force(rules: Iterable[EligibilityRule], province: str, on: date) -> EligibilityRule:
    """The province's rule with the latest ``effective_from <= on``, else the national default."""
    found = [rule for rule in rules if rule.province == province and rule.effective_from <= on]
    return max(found, key=lambda rule: rule.effective_from) if found else NATIONAL_DEFAULT


def _numbers(values: tuple[int, ...]) -> str:
    ordered = sorted(values)
    if len(ordered) > 1 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}-{ordered[-1]}"
    return ", ".join(str(value) for value in ordered)


def _nursing_rule(rule: EligibilityRule) -> str:
    text = f"nursing subsidy needs grade {_numbers(rule.nursing_grades)}"
    for categories, grades in rule.nursing_extensions:
        noun = "categories" if len(categories) > 1 else "category"
        text += f", or grade {_numbers(grades)} for {noun} {', '.join(str(c) for c in categories)}"
    return text


def _named(key: str) -> str:
    return f"{CIRCUMSTANCES[key]} ({key})"


def check_subsidy(
    rule: EligibilityRule, subsidy: str, category: int, grade: int, circumstances: Mapping[str, bool]
) -> RuleCheck:
    """Whether a person qualifies for one subsidy under ``rule``; the reasons name the rules applied.

    ``circumstances``: dibao, dibao_edge, tekun, work_injury_care, orphan_support (absent = False).
    Both subsidies may be held together; 择高 against other allowances is decided by the reviewer.
    """
    if subsidy not in SUBSIDY_TYPES:
        raise Invalid("UNKNOWN_SUBSIDY", f"{subsidy!r} is not one of {', '.join(SUBSIDY_TYPES)}", "subsidy")
    if not 1 <= category <= 7:
        raise Invalid("CERTIFICATE_CATEGORY", "category must be 1 to 7", "category")
    if not 1 <= grade <= 4:
        raise Invalid("CERTIFICATE_GRADE", "grade must be 1 to 4", "grade")
    unknown = sorted(set(circumstances) - set(CIRCUMSTANCES))
    if unknown:
        raise Invalid("UNKNOWN_CIRCUMSTANCE", f"unknown circumstances {unknown}", "circumstances")
    has = {key for key, value in circumstances.items() if value}
    failed: list[tuple[str, str]] = []  # (English, Chinese) of each unmet rule
    if subsidy == "living":
        needs = f"living subsidy needs {' or '.join(_named(key) for key in rule.living_requires_any)}"
        needs_zh = texts.living_needs_zh(tuple(CIRCUMSTANCES[key] for key in rule.living_requires_any))
        if not has & set(rule.living_requires_any):
            failed.append((needs, needs_zh))
    else:
        needs = _nursing_rule(rule)
        needs_zh = texts.nursing_needs_zh(rule.nursing_grades, rule.nursing_extensions)
        covered = grade in rule.nursing_grades or any(
            category in categories and grade in grades for categories, grades in rule.nursing_extensions)
        if not covered:
            failed.append((needs, needs_zh))
    for key in rule.excludes_both:
        if key in has:
            failed.append((f"{_named(key)} excludes both subsidies", texts.excludes_both_zh(CIRCUMSTANCES[key])))
    for key in rule.excludes_living:
        if key in has and subsidy == "living":
            failed.append((f"{_named(key)} excludes the living subsidy", texts.excludes_living_zh(CIRCUMSTANCES[key])))
    reasons = failed or [(f"{needs}: met", texts.met_zh(needs_zh))]
    return RuleCheck(subsidy, not failed, tuple(en for en, _ in reasons), rule_version(rule),
                     tuple(zh for _, zh in reasons))


# --- demo configuration ------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoRules:
    materials: list[MaterialRule]
    eligibility: list[EligibilityRule]
    amounts: list[AmountTable]
    contacts: list[ContactRule] = dataclass_field(default_factory=list)


def _entries(data: Mapping[str, Any], key: str) -> Iterable[tuple[str, dict[str, Any]]]:
    for index, entry in enumerate(read_list(data.get(key), key)):
        field = f"{key}[{index}]"
        if not isinstance(entry, dict) or entry.get("demo") is not True or not isinstance(entry.get("note"), str):
            raise Invalid("DEMO_NOT_MARKED", "every demo entry needs \"demo\": true and a note", field)
        yield field, {k: v for k, v in entry.items() if k not in ("demo", "note")}


def _within(field: str, error: DomainError) -> DomainError:
    return type(error)(error.code, error.message, f"{field}.{error.field}" if error.field else field)


def demo_rules_from(data: dict[str, Any]) -> DemoRules:
    """Parse demo/rules.json (already decoded) with the same readers the API uses, and check it."""
    demo = DemoRules([], [], [])
    for key in ("materials", "eligibility", "amounts", "contacts"):
        for field, entry in _entries(data, key):
            try:
                if key == "contacts":
                    start = parse_day(entry.pop("effective_from", None), "effective_from")
                    demo.contacts.append(read_contact_rule(entry.pop("scope", None), start, entry))
                elif key == "materials":
                    start = parse_day(entry.pop("effective_from", None), "effective_from")
                    demo.materials.append(read_material_rule(entry.pop("scope", None), start, entry))
                elif key == "eligibility":
                    start = parse_day(entry.pop("effective_from", None), "effective_from")
                    demo.eligibility.append(read_eligibility_rule(entry.pop("province", None), start, entry))
                else:
                    demo.amounts.append(read_amount_table(entry.pop("scope", None), entry))
            except DomainError as error:
                raise _within(field, error) from None
    problems = check_material_rules(demo.materials)
    problems += [f"amounts {table.scope}: {p}" for table in demo.amounts for p in check_amount_table(table)]
    if problems:
        raise Invalid("DEMO_RULES_INCONSISTENT", "; ".join(problems), "rules")
    return demo
