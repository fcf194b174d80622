"""What each 业务属地 requires: its 跨省通办 material list, and who is eligible (DOMAIN.md §1, §2).

Material rules: a province (2-digit scope) sets the base list; a city (4 digits) or county (6 digits)
may add codes, drop codes or mark codes optional, each rule versioned by its effective date. Where the province set
no list, a city's or county's list applies over the standard catalogue. Any list may define local items beyond the
catalogue (``local``: a code, a Chinese name and purpose, required or not), which the notice prints as they are.
Eligibility rules: per province, extending the national floor of 国发〔2015〕52号 (living subsidy for
低保 families, nursing subsidy for grades 一级/二级) and naming the exclusions.

Implements: 民办发〔2021〕2号 (DOMAIN.md §2: each 户籍地 configures its 跨省通办 attachment requirements; the standard
catalogue is the fallback), 黑民发〔2021〕6号 (the 市/县 残联 sets up the 户籍地's list of materials, 建立户籍地所需证明材料,
items of its own included) and 国发〔2015〕52号 (DOMAIN.md §1: the national floor — 低保 for the living subsidy, grades
一级/二级 for the nursing subsidy — the provincial extensions, and the exclusions: 特困供养 and 工伤保险生活护理费 get
neither, 孤儿基本生活保障 the nursing subsidy only; 择高 is left to the reviewer).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Mapping

from msgspec import Struct
from msgspec import field as struct_field
from msgspec.structs import replace

from ..cases.applications import SUBSIDY_TYPES
from ..errors import DomainError, Invalid, Malformed
from ..structs import compared
from ..units import is_township
from ..values import check_name, parse_day
from . import rule_texts as texts
from .amounts import AmountTable, check_amount_table, read_amount_table, read_int_list, read_list, read_object
from .amounts import read_scope as _scope
from .contacts import ContactRule, read_contact_rule
from .rules import CATALOGUE, MATERIAL_CODE, MATERIAL_CODES, STANDARD, NoticeItem

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
LOCAL_FIELDS = frozenset({"code", "name", "purpose", "required"})
MAX_LOCAL_ITEMS = 20
MAX_LOCAL_NAME = 30
MAX_LOCAL_PURPOSE = 100
_STANDARD_NAMES = {kind.name: kind.code for kind in CATALOGUE}


class LocalItem(Struct, frozen=True):
    """An item a 户籍地's list adds beyond the catalogue: its code, Chinese name and purpose (用途), as the notice
    prints them."""

    code: str
    name: str
    purpose: str
    required: bool


class MaterialRule(Struct, frozen=True):
    """A province base (``require`` set) or a city/county override (``require`` None); either may define
    ``local`` items beyond the catalogue."""

    scope: str
    effective_from: date
    require: tuple[str, ...] | None
    add: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    local: tuple[LocalItem, ...] = ()


ANNOTATIONS = frozenset({"source", "local"})  # what annotates a RequiredItem: no part of its equality


class RequiredItem(Struct, frozen=True):
    """One item required (or optional) of an applicant; ``source`` (the version that made it what it is, or
    "standard") and ``local`` (a local item's name and purpose) annotate it and take no part in equality."""

    code: str
    required: bool
    source: str = ""
    local: LocalItem | None = None

    def __eq__(self, other: object) -> bool:
        return type(other) is RequiredItem and compared(self, ANNOTATIONS) == compared(other, ANNOTATIONS)

    def __hash__(self) -> int:
        return hash(compared(self, ANNOTATIONS))


class ResolvedMaterials(Struct, frozen=True):
    items: tuple[RequiredItem, ...]
    versions: tuple[str, ...]

    @property
    def standard(self) -> bool:
        """No list of the 户籍地 or above it was in force: the standard catalogue was used (a set-up gap)."""
        return self.versions == (STANDARD,)


class EligibilityRule(Struct, frozen=True):
    """A province's 补贴对象 rule; ``nursing_extensions`` holds (categories, grades) pairs."""

    province: str
    effective_from: date
    living_requires_any: tuple[str, ...] = ("dibao",)
    nursing_grades: tuple[int, ...] = (1, 2)
    nursing_extensions: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = ()
    excludes_both: tuple[str, ...] = ("tekun", "work_injury_care")
    excludes_living: tuple[str, ...] = ("orphan_support",)


NATIONAL_DEFAULT = EligibilityRule(NATIONAL, date(2016, 1, 1))  # 国发〔2015〕52号, in force 2016-01-01


class RuleCheck(Struct, frozen=True):
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

def _codes(body: Mapping[str, Any], key: str, known: Iterable[str], code: str,
           local_codes: bool = False) -> tuple[str, ...]:
    """The distinct codes of ``body[key]``, each one of ``known`` (or, with ``local_codes``, of a local item's form:
    one a list above defines)."""
    items = read_list(body.get(key, []), key)
    allowed = frozenset(known)
    for index, item in enumerate(items):
        local = local_codes and isinstance(item, str) and MATERIAL_CODE.fullmatch(item) is not None
        if not isinstance(item, str) or (item not in allowed and not local):
            also = " or a local item's code defined above" if local_codes else ""
            raise Invalid(code, f"{item!r} is not one of {sorted(allowed)}{also}", f"{key}[{index}]")
        if item in items[:index]:
            raise Invalid("DUPLICATE_CODE", f"{key} names {item} twice", f"{key}[{index}]")
    return tuple(items)


def _no_overlap(first: tuple[str, ...], second: tuple[str, ...], first_key: str, second_key: str) -> None:
    for index, item in enumerate(second):
        if item in first:
            raise Invalid("CONFLICTING_CODE", f"{item} is in both {first_key} and {second_key}",
                          f"{second_key}[{index}]")


def _has_chinese(value: str) -> bool:
    """At least one CJK ideograph (U+3400..U+4DBF, U+4E00..U+9FFF), as the regex class of those ranges found it:
    compiling that class took ~2 ms of every cold start (the compiler builds a bitmap of its 27,000 characters)."""
    return any("\u3400" <= char <= "\u4dbf" or "\u4e00" <= char <= "\u9fff" for char in value)


def _text(entry: Mapping[str, Any], key: str, field: str, longest: int) -> str:
    value = entry.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Malformed("MISSING_FIELD", f"{field} is required: the notice prints it", field)
    if not isinstance(value, str):
        raise Malformed("WRONG_TYPE", f"{field} must be a string", field)
    value = value.strip()
    if len(value) > longest:
        raise Invalid("TOO_LONG", f"{field} has at most {longest} characters", field)
    check_name(value, field)
    if not _has_chinese(value):
        raise Invalid("NOT_CHINESE", f"{field} is printed on the notice for the applicant: write it in Chinese", field)
    return value


def _local_item(entry: object, field: str) -> LocalItem:
    item = read_object(entry, field, LOCAL_FIELDS)
    code = item.get("code")
    if code is None:
        raise Malformed("MISSING_FIELD", f"{field}.code is required", f"{field}.code")
    if not isinstance(code, str) or not MATERIAL_CODE.fullmatch(code):
        raise Invalid("LOCAL_CODE_FORMAT", f"{field}.code is 2 to 40 of a-z, 0-9 and _, starting with a letter "
                      "(e.g. residence_proof)", f"{field}.code")
    if code in MATERIAL_CODES:
        raise Invalid("LOCAL_CODE_IS_STANDARD", f"{code} is a catalogue code: list it in add or optional instead",
                      f"{field}.code")
    name = _text(item, "name", f"{field}.name", MAX_LOCAL_NAME)
    if name in _STANDARD_NAMES:
        raise Invalid("LOCAL_NAME_IS_STANDARD", f"{name} is the catalogue item {_STANDARD_NAMES[name]}: list it in "
                      "add or optional instead", f"{field}.name")
    purpose = _text(item, "purpose", f"{field}.purpose", MAX_LOCAL_PURPOSE)
    required = item.get("required")
    if required is None:
        raise Malformed("MISSING_FIELD", f"{field}.required is required: true (必须提交) or false (可选提交)",
                        f"{field}.required")
    if not isinstance(required, bool):
        raise Malformed("WRONG_TYPE", f"{field}.required must be true or false", f"{field}.required")
    return LocalItem(code, name, purpose, required)


def _local_items(rule: Mapping[str, Any]) -> tuple[LocalItem, ...]:
    """``local``: the items this list adds beyond the catalogue, each with its code, Chinese name and purpose."""
    entries = read_list(rule.get("local", []), "local")
    if len(entries) > MAX_LOCAL_ITEMS:
        raise Invalid("TOO_MANY_ITEMS", f"a list defines at most {MAX_LOCAL_ITEMS} local items", "local")
    items: list[LocalItem] = []
    for index, entry in enumerate(entries):
        item = _local_item(entry, f"local[{index}]")
        for earlier in items:
            if earlier.code == item.code:
                raise Invalid("DUPLICATE_CODE", f"local names {item.code} twice", f"local[{index}].code")
            if earlier.name == item.name:
                raise Invalid("DUPLICATE_NAME", f"local names {item.name} twice", f"local[{index}].name")
        items.append(item)
    return tuple(items)


def _not_local(codes: tuple[str, ...], local: tuple[LocalItem, ...], key: str) -> None:
    own = {item.code for item in local}
    for index, code in enumerate(codes):
        if code in own:
            raise Invalid("CONFLICTING_CODE", f"{code} is this list's own local item: set its required flag instead",
                          f"{key}[{index}]")


def read_material_rule(scope: str, effective_from: date, body: object) -> MaterialRule:
    """``{"require": [...], "optional": [...]}`` for a province; ``{"add", "drop", "optional"}`` below it; either
    with ``local`` items. ``drop`` and ``optional`` of a city or county may also name a local item of a list above
    (checked against the chain by ``check_material_rules``)."""
    scope = _scope(scope, (2, 4, 6), "scope")
    rule = read_object(body, "body", frozenset({"require", "add", "drop", "optional", "local"}))
    below = len(scope) > 2
    optional = _codes(rule, "optional", MATERIAL_CODES, "UNKNOWN_MATERIAL", local_codes=below)
    local = _local_items(rule)
    _not_local(optional, local, "optional")
    if below:
        if "require" in rule:
            raise Invalid("REQUIRE_ONLY_FOR_PROVINCE", "a city or county overrides with add/drop/optional",
                          "require")
        add = _codes(rule, "add", MATERIAL_CODES, "UNKNOWN_MATERIAL")
        drop = _codes(rule, "drop", MATERIAL_CODES, "UNKNOWN_MATERIAL", local_codes=True)
        _not_local(drop, local, "drop")
        _no_overlap(add, drop, "add", "drop")
        _no_overlap(optional, drop, "optional", "drop")
        return MaterialRule(scope, effective_from, None, add, drop, optional, local)
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
    return MaterialRule(scope, effective_from, require, (), (), optional, local)


def _latest(rules: Iterable[MaterialRule], scope: str, on: date) -> MaterialRule | None:
    found = [rule for rule in rules if rule.scope == scope and rule.effective_from <= on]
    return max(found, key=lambda rule: rule.effective_from) if found else None


def _chain(rules: list[MaterialRule], scopes: tuple[str, ...], on: date) -> list[MaterialRule]:
    """The rules in force on ``on`` for the province, city, county of ``scopes`` (province first)."""
    return [rule for scope in scopes if (rule := _latest(rules, scope, on)) is not None]


class _State(Struct, frozen=True):
    """The list as inheritance has made it so far: ``code -> required``, the local items defined, and which
    version made each item what it is."""

    required: dict[str, bool]
    local: dict[str, LocalItem]
    source: dict[str, str]


_STANDARD_STATE = _State({kind.code: True for kind in CATALOGUE}, {}, {kind.code: STANDARD for kind in CATALOGUE})


def _apply(state: _State, rule: MaterialRule) -> _State:
    """One step of inheritance; ``add`` also makes an optional code required; a province base starts afresh."""
    version = rule_version(rule)
    if rule.require is not None:
        codes = (*rule.require, *AGENT_CODES)
        required, local, source = {c: True for c in codes}, {}, {c: version for c in codes}
    else:
        required = {code: req for code, req in state.required.items() if code not in rule.drop}
        local = {code: item for code, item in state.local.items() if code not in rule.drop}
        source = {code: state.source[code] for code in required}
        required.update({code: True for code in rule.add})
        source.update({code: version for code in rule.add})
    for item in rule.local:
        required[item.code], local[item.code], source[item.code] = item.required, item, version
    for code in rule.optional:
        if code in required:
            required[code], source[code] = False, version
    return _State(required, local, source)


def _resolved(state: _State, has_agent: bool, versions: tuple[str, ...]) -> ResolvedMaterials:
    """Catalogue items in catalogue order (the agent's only with an agent), then local items as defined."""
    items = [RequiredItem(kind.code, state.required[kind.code], state.source[kind.code]) for kind in CATALOGUE
             if kind.code in state.required and (has_agent or not kind.for_agent)]
    items += [RequiredItem(code, state.required[code], state.source[code], item)
              for code, item in state.local.items()]
    return ResolvedMaterials(tuple(items), versions)


def materials_in_force(
    rules: Iterable[MaterialRule], business_unit: str, on: date, has_agent: bool
) -> ResolvedMaterials:
    """The 跨省通办 materials the 业务属地 requires on ``on``: province base, then city, then county. Without a
    province base the city's and county's lists apply over the standard catalogue; with no list at all in force
    the standard catalogue is used (``standard``: a set-up gap)."""
    if not is_township(business_unit):
        raise Invalid("UNIT_FORMAT", "business unit must be a string of exactly 9 digits", "business_unit")
    chain = _chain(list(rules), (business_unit[:2], business_unit[:4], business_unit[:6]), on)
    if not chain:
        return standard_materials(has_agent)
    # over the catalogue, the first list in force adopts what it leaves as it is: the notice names that list
    state = replace(_STANDARD_STATE, source={code: rule_version(chain[0]) for code in _STANDARD_STATE.required})
    for rule in chain:
        state = _apply(state, rule)
    base = () if chain[0].require is not None else (STANDARD,)
    return _resolved(state, has_agent, base + tuple(rule_version(rule) for rule in chain))


def standard_materials(has_agent: bool) -> ResolvedMaterials:
    """The standard catalogue of DOMAIN.md §2, every item required: the fallback without rules."""
    return _resolved(_STANDARD_STATE, has_agent, (STANDARD,))


def has_list_in_force(rules: Iterable[MaterialRule], county: str, on: date) -> bool:
    """Whether a list of the county, its city or its province is in force on ``on``; none is a set-up gap (the
    notice then tells the standard catalogue)."""
    return bool(_chain(list(rules), (county[:2], county[:4], county[:6]), on))


def material_gaps(rules: Iterable[MaterialRule], counties: Iterable[str], on: date) -> tuple[str, ...]:
    """The counties (户籍地) of ``counties`` with no list of their own, their city's or their province's in force on
    ``on``: the set-up gaps of 黑民发〔2021〕6号's duty, whose notices tell the standard catalogue."""
    rules = list(rules)
    return tuple(county for county in counties if not has_list_in_force(rules, county, on))


def notice_items(materials: ResolvedMaterials) -> tuple[NoticeItem, ...]:
    """The one-time notice (一次性告知) lines for resolved materials: a local item with its own name and purpose."""
    kinds = {kind.code: kind for kind in CATALOGUE}
    return tuple(NoticeItem(item.code, item.local.name, item.local.purpose, item.required, source=item.source)
                 if item.local is not None else
                 NoticeItem(item.code, kinds[item.code].name, kinds[item.code].purpose, item.required,
                            source=item.source)
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
    """A chain in force on ``on``; without a province base its lists apply over the standard catalogue."""
    if not chain:
        return []
    base, problems = chain[0], []
    base_codes = (*base.require, *AGENT_CODES) if base.require is not None else tuple(MATERIAL_CODES)
    base_name = rule_version(base) if base.require is not None else "standard catalogue"
    state = _STANDARD_STATE
    for rule in chain:
        for code in rule.drop:
            if code in MATERIAL_CODES and code not in base_codes:
                problems.append(f"{rule_version(rule)} drops {code}, which is not in the base {base_name}")
            elif code not in MATERIAL_CODES and code not in state.local:
                problems.append(f"{rule_version(rule)} drops {code}, which no list above it defines")
        for code in rule.optional:
            if code not in state.required and code not in rule.add and rule.require is None:
                problems.append(f"{rule_version(rule)} marks {code} optional, which is not required there")
        for item in rule.local:
            if item.code in state.local and rule.require is None:
                problems.append(f"{rule_version(rule)} defines {item.code}, which {state.source[item.code]} "
                                "defines already")
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

class DemoRules(Struct, frozen=True):
    materials: list[MaterialRule]
    eligibility: list[EligibilityRule]
    amounts: list[AmountTable]
    contacts: list[ContactRule] = struct_field(default_factory=list)


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
