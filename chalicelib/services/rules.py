"""Jurisdiction rules: admins keep them for their own scope; acceptance and decisions apply them.

Every 户籍地 sets what it requires and pays; a window in another province applies those rules
without knowing them (issue 4). Rules are versions with effective dates, validated as a whole chain
(province → city → county) before anything is stored, and never changed once in force.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from msgspec import Struct

from ..domain.cases.case import Actor
from ..domain.cases.phases import DeadlineKind
from ..domain.cases.review_chain import SINGLE_STEP, Chain, chain_in_force, chain_record, read_chain
from ..domain.errors import Conflict, Forbidden, Invalid
from ..domain.payments.owed import Standards
from ..domain.payments.roster import ID_POLICIES
from ..domain.refusals import RuleExists
from ..domain.rules.amounts import AmountTable, check_amount_table, read_amount_table
from ..domain.rules.contacts import Contact, contact_in_force, contact_view, read_contact_rule
from ..domain.rules.evidence import check_with_data
from ..domain.rules.jurisdiction import (
    EligibilityRule,
    MaterialRule,
    ResolvedMaterials,
    RuleCheck,
    check_material_rules,
    eligibility_in_force,
    materials_in_force,
    notice_items,
    read_eligibility_rule,
    read_material_rule,
    rule_version,
    standard_materials,
)
from ..domain.rules.rules import NoticeItem, StoredRule
from ..domain.rules.time_limits import limits_from, limits_view, read_time_limits
from ..domain.units import is_scope_code, within
from ..domain.values import parse_day

KINDS = ("materials", "eligibility", "amounts")
log = logging.getLogger(__name__)


class RuleStore(Protocol):
    def of_scope(self, scope: str) -> list[StoredRule]: ...
    def for_scopes(self, scopes: list[str]) -> list[StoredRule]: ...
    def put(self, rule: StoredRule, rule_key: str, replace_if: bool) -> None: ...


class Rules(Struct, frozen=True):
    """Every rule version that applies to one 业务属地 (its province, city and county)."""

    materials: list[MaterialRule]
    eligibility: list[EligibilityRule]
    amounts: list[AmountTable]


def _scopes(unit: str) -> list[str]:
    return [unit[:2], unit[:4], unit[:6]]


def _parse(stored: list[StoredRule]) -> Rules:
    materials, eligibility, amounts = [], [], []
    newest_table: dict[str, StoredRule] = {}
    for rule in stored:
        if rule.kind == "materials":
            materials.append(read_material_rule(rule.scope, date.fromisoformat(rule.effective_from), rule.body))
        elif rule.kind == "eligibility":
            eligibility.append(read_eligibility_rule(rule.scope, date.fromisoformat(rule.effective_from), rule.body))
        elif rule.kind == "amounts" and (rule.scope not in newest_table
                                         or rule.loaded_at > newest_table[rule.scope].loaded_at):
            newest_table[rule.scope] = rule
    amounts = [read_amount_table(rule.scope, rule.body) for rule in newest_table.values()]
    return Rules(materials, eligibility, amounts)


def rules_for(store: RuleStore, business_unit: str) -> Rules:
    return _parse(store.for_scopes(_scopes(business_unit)))


def required_materials(rules: Rules, business_unit: str, on: date, has_agent: bool) -> ResolvedMaterials:
    """What the 业务属地 requires on ``on``; the standard catalogue where no list of its own or above it is in force."""
    return materials_in_force(rules.materials, business_unit, on, has_agent)


def notice_for(store: RuleStore | None, business_unit: str, on: date, has_agent: bool) -> tuple[NoticeItem, ...]:
    """The one-time notice (一次性告知) for this applicant under the 业务属地's rules on ``on``."""
    if store is None:
        return notice_items(standard_materials(has_agent))
    return notice_items(required_materials(rules_for(store, business_unit), business_unit, on, has_agent))


def rule_checks(rules: Rules, business_unit: str, applied_on: date, subsidies: tuple[str, ...],
                certificate: dict[str, Any], low_income: dict[str, Any],
                data_checks: Sequence[Mapping[str, Any]] = ()) -> list[RuleCheck]:
    """The eligibility check of each requested subsidy, under the province's rule on the application day,
    on the roster data of the case's comparison where a roster answered (domain.evidence)."""
    rule = eligibility_in_force(rules.eligibility, business_unit[:2], applied_on)
    return [check_with_data(rule, subsidy, certificate, low_income, data_checks, applied_on)
            for subsidy in subsidies]


def check_view(check: RuleCheck) -> dict[str, Any]:
    return {"subsidy": check.subsidy, "eligible": check.eligible, "result": check.outcome,
            "reasons": list(check.reasons), "reasons_zh": list(check.reasons_zh),
            "basis": [dict(fact) for fact in check.basis], "rule_version": check.rule_version}


def facts_of(certificate: Mapping[str, Any], low_income: Mapping[str, Any], applicant: Mapping[str, Any]
             ) -> dict[str, Any]:
    """The facts a standard may depend on, as the application states them (domain.payments.entitlements)."""
    level = "dibao" if low_income.get("dibao") else "dibao_edge" if low_income.get("dibao_edge") else None
    return {"category": int(certificate["category"]), "grade": int(certificate["grade"]), "low_income": level,
            "area": applicant.get("area")}


class RulePricing(Struct, frozen=True):
    """What a 业务属地's rules say about money: its amount tables (as ``Standards``) and its province's payment
    setting (what a roster shows of the ID number)."""

    store: RuleStore

    def standards(self, business_unit: str) -> Standards:
        return Standards(tuple(rules_for(self.store, business_unit).amounts))

    def id_policy(self, business_unit: str, month: str) -> str:
        return str(payment_setting(self.store, business_unit[:2], date.fromisoformat(f"{month}-01"))
                   ["roster_id_number"])


# --- admin -------------------------------------------------------------------------------------

def _own_scope(actor: Actor, scope: str, lengths: tuple[int, ...]) -> None:
    if not is_scope_code(scope) or len(scope) not in lengths:
        raise Invalid("SCOPE_FORMAT", f"scope must have {' or '.join(map(str, lengths))} digits", "scope")
    if not (len(scope) >= len(actor.unit) and scope.startswith(actor.unit)):
        raise Forbidden("SCOPE_OUT_OF_REACH", f"an admin of {actor.unit} may not set rules for {scope}")


def _store(store: RuleStore, actor: Actor, scope: str, kind: str, effective_from: date, body: dict[str, Any],
           now: datetime, rule_key: str) -> None:
    """Store a version; one already in force is history and is never replaced."""
    rule = StoredRule(scope, kind, effective_from.isoformat(), body, actor.sub, now.isoformat())
    in_force = effective_from <= now.date()
    try:
        store.put(rule, rule_key, replace_if=not in_force)
    except RuleExists:
        raise Conflict("RULE_IN_FORCE", f"{scope} {kind} from {effective_from} is in force and cannot change; "
                       "add a version with a later effective date", "effective_from") from None


def _materials_reach(actor: Actor, scope: str) -> None:
    """An admin keeps the lists of its scope and below; a 残联 admin of a city or county (``dpf_admin``) keeps its
    own 户籍地's list and nobody else's (黑民发〔2021〕6号: the 市/县 残联 sets it up); any other role, none."""
    if actor.role == "admin":
        _own_scope(actor, scope, (2, 4, 6))
    elif actor.role == "dpf_admin":  # its unit is a city or county (the route's relation, domain.access)
        if scope != actor.unit:
            raise Forbidden("SCOPE_OUT_OF_REACH", f"a 残联 admin of {actor.unit} keeps the list of {actor.unit} only, "
                            f"not of {scope}")
    else:
        raise Forbidden("ROLE_NOT_ALLOWED", f"a {actor.role} may not set material lists")


def put_materials(store: RuleStore, actor: Actor, scope: str, raw_from: str, read_body: Callable[[], Any],
                  now: datetime) -> dict:
    _materials_reach(actor, scope)  # deny first: the body is read only within the caller's scope
    effective_from = parse_day(raw_from, "effective_from")
    body = read_body()
    rule = read_material_rule(scope, effective_from, body)
    ancestors = sorted({scope[:2], scope[:4], scope})
    chain = [r for r in _parse([s for s in _stored(store, ancestors) if s.kind == "materials"]).materials
             if not (r.scope == scope and r.effective_from == effective_from)]
    problems = check_material_rules(chain + [rule])
    if problems:
        raise Invalid("RULES_REFUSED", "; ".join(problems), "body")
    _store(store, actor, scope, "materials", effective_from, dict(body), now, f"materials#{effective_from}")
    return {"scope": scope, "kind": "materials", "version": rule_version(rule), "effective_from": raw_from}


def _stored(store: RuleStore, scopes: list[str]) -> list[StoredRule]:
    """Fresh reads (no cache) for validating a change."""
    return [rule for scope in scopes for rule in store.of_scope(scope)]


def put_eligibility(store: RuleStore, actor: Actor, scope: str, raw_from: str, read_body: Callable[[], Any],
                    now: datetime) -> dict:
    _own_scope(actor, scope, (2,))
    effective_from = parse_day(raw_from, "effective_from")
    body = read_body()
    rule = read_eligibility_rule(scope, effective_from, body)
    _store(store, actor, scope, "eligibility", effective_from, dict(body), now, f"eligibility#{effective_from}")
    return {"scope": scope, "kind": "eligibility", "version": rule_version(rule), "effective_from": raw_from}


def put_amounts(store: RuleStore, actor: Actor, scope: str, read_body: Callable[[], Any], now: datetime) -> dict:
    """A whole amount table for a province or city; its rows carry their own dates. The newest
    loaded table is the one in force; earlier ones stay stored as history."""
    _own_scope(actor, scope, (2, 4))
    body = read_body()
    table = read_amount_table(scope, body)
    problems = check_amount_table(table)
    if problems:
        raise Invalid("AMOUNT_TABLE_REFUSED", "; ".join(problems), "rows")
    _store(store, actor, scope, "amounts", now.date(), dict(body), now, f"amounts#{now.isoformat()}")
    return {"scope": scope, "kind": "amounts", "rows": len(table.rows), "loaded_at": now.isoformat()}


def in_force(store: RuleStore, unit: str, raw_on: str | None, today: date, has_agent: bool) -> dict[str, Any]:
    """GET /rules/{unit}: what a 业务属地 requires and pays on a day, and which versions say so."""
    if not (is_scope_code(unit) and len(unit) == 9):
        raise Invalid("UNIT_FORMAT", "give a 9-digit township unit", "unit")
    on = parse_day(raw_on, "on") if raw_on else today
    rules = rules_for(store, unit)
    materials = required_materials(rules, unit, on, has_agent)
    eligibility = eligibility_in_force(rules.eligibility, unit[:2], on)
    return {
        "unit": unit, "on": on.isoformat(),
        "materials": {"items": [{"code": i.code, "name": i.name, "purpose": i.purpose, "required": i.required,
                                 "source": i.source} for i in notice_items(materials)],
                      "versions": list(materials.versions),
                      # no list of the 户籍地 or above it: a set-up gap (GET /setup-gaps), the notice says so
                      "standard_list_used": materials.standard},
        "eligibility": {"version": rule_version(eligibility),
                        "living_requires_any": list(eligibility.living_requires_any),
                        "nursing_grades": list(eligibility.nursing_grades),
                        "nursing_extensions": [{"categories": list(c), "grades": list(g)}
                                               for c, g in eligibility.nursing_extensions],
                        "excludes_both": list(eligibility.excludes_both),
                        "excludes_living": list(eligibility.excludes_living)},
        "amount_tables": [{"scope": t.scope, "rows": len(t.rows)} for t in rules.amounts
                          if within(t.scope, unit)],
        # who explains the standard (configured: false is a set-up gap: the notice says no phone is set up)
        "contact": contact_view(contact_for(store, unit, on)),
        # the 业务属地 province's limits (its 补正 limit applies to its cases)
        "time_limits": limits_view(_province_setting(store, "time_limits", unit[:2], on)),
    }


def _put_province_setting(store: RuleStore, actor: Actor, scope: str, raw_from: str, kind: str,
                          read_body: Callable[[], Any],
                          read: Callable[[Any], Mapping[str, Any]], now: datetime) -> dict[str, Any]:
    """A province's setting of ``kind`` from a day on (a version in force is history and never changes): the
    caller's scope first, then the day, then the body read by ``read``."""
    _own_scope(actor, scope, (2,))
    effective_from = parse_day(raw_from, "effective_from")
    setting = dict(read(read_body()))
    _store(store, actor, scope, kind, effective_from, setting, now, f"{kind}#{effective_from}")
    return {"scope": scope, "kind": kind, "effective_from": raw_from, "setting": setting}


def _province_setting(store: RuleStore, kind: str, province: str, on: date) -> Mapping[str, Any] | None:
    """The body of the province's setting of ``kind`` in force on ``on``, or None where it set none."""
    versions = [r for r in store.for_scopes([province]) if r.kind == kind and r.effective_from <= on.isoformat()]
    return max(versions, key=lambda r: r.effective_from).body if versions else None


def put_comparison_rule(store: RuleStore, actor: Actor, scope: str, raw_from: str, read_body: Callable[[], Any],
                        now: datetime) -> dict[str, Any]:
    """A province's effective months for stops found by data comparison: {kind: 0 | 1}."""
    from ..domain.supervision.comparison import (
        read_offsets,  # the comparison's own: not loaded by import app
    )

    stored = _put_province_setting(store, actor, scope, raw_from, "comparison", read_body, read_offsets, now)
    offsets = stored.pop("setting")
    return {**stored, "offsets": offsets}


def comparison_offsets(store: RuleStore, province: str, on: date) -> dict[str, int]:
    """The province's rule in force on ``on`` (the national default where it set none)."""
    from ..domain.supervision.comparison import (  # the monthly comparison's only
        DEFAULT_OFFSETS,
        read_offsets,
    )

    body = _province_setting(store, "comparison", province, on)
    return dict(DEFAULT_OFFSETS, **(read_offsets(body) if body is not None else {}))


# --- a province's payment setting --------------------------------------------------------------------

DEFAULT_PAYMENT = {"roster_id_number": "masked"}


def read_payment_setting(body: object) -> dict[str, str]:
    """{roster_id_number: masked | full}: what the paying agent's roster shows of the ID number."""
    if not isinstance(body, dict):
        raise Invalid("WRONG_TYPE", "the body must be an object {roster_id_number}", "body")
    unknown = set(body) - set(DEFAULT_PAYMENT)
    if unknown:
        raise Invalid("UNKNOWN_FIELD", f"{sorted(unknown)[0]!r} is not one of {sorted(DEFAULT_PAYMENT)}",
                      sorted(unknown)[0])
    policy = body.get("roster_id_number")
    if policy not in ID_POLICIES:
        raise Invalid("UNKNOWN_ID_POLICY", f"roster_id_number must be one of {', '.join(ID_POLICIES)}",
                      "roster_id_number")
    return {"roster_id_number": str(policy)}


def put_payment_setting(store: RuleStore, actor: Actor, scope: str, raw_from: str, read_body: Callable[[], Any],
                        now: datetime) -> dict[str, Any]:
    """A province's payment setting from a day on."""
    stored = _put_province_setting(store, actor, scope, raw_from, "payment", read_body, read_payment_setting, now)
    setting = stored.pop("setting")
    return {**stored, **setting}


def payment_setting(store: RuleStore, province: str, on: date) -> dict[str, str]:
    """The province's payment setting in force on ``on`` (masked ID numbers where it set none)."""
    body = _province_setting(store, "payment", province, on)
    return read_payment_setting(body) if body is not None else dict(DEFAULT_PAYMENT)


# --- who explains the standard: the 业务属地's unit and consultation phone ------------------------------------------

def put_contact(store: RuleStore, actor: Actor, scope: str, raw_from: str, read_body: Callable[[], Any],
                now: datetime) -> dict[str, Any]:
    """{unit_name, phone} for a province, city, county or one 业务属地 (9 digits) from a day on; the most specific
    scope in force wins. A version in force is history and never changes."""
    _own_scope(actor, scope, (2, 4, 6, 9))
    effective_from = parse_day(raw_from, "effective_from")
    body = read_body()
    rule = read_contact_rule(scope, effective_from, body)
    _store(store, actor, scope, "contact", effective_from, {"unit_name": rule.unit_name, "phone": rule.phone}, now,
           f"contact#{effective_from}")
    return {"scope": scope, "kind": "contact", "effective_from": raw_from, "unit_name": rule.unit_name,
            "phone": rule.phone}


def contact_for(store: RuleStore | None, unit: str, on: date) -> Contact:
    """The contact of the 业务属地 ``unit`` in force on ``on`` (not configured where no scope over it set one)."""
    if store is None:
        return Contact(unit, None)
    stored = store.for_scopes([unit[:2], unit[:4], unit[:6], unit])
    return contact_in_force([read_contact_rule(r.scope, date.fromisoformat(r.effective_from), r.body)
                             for r in stored if r.kind == "contact"], unit, on)


def decision_contact(store: RuleStore | None, unit: str, on: date) -> dict[str, Any]:
    """What a decision keeps of the contact on its day; a missing one is logged as a set-up gap."""
    contact = contact_for(store, unit, on)
    if not contact.configured:
        log.warning("no contact (unit name and phone) configured for 业务属地 %s on %s: the result notice and the SMS "
                    "say no phone is set up", unit, on, extra={"event": "contact_not_configured", "unit": unit})
    return contact_view(contact)


# --- a province's time limits where no statute sets one (收件时限, 补正时限) -----------------------------------------

def put_time_limits(store: RuleStore, actor: Actor, scope: str, raw_from: str, read_body: Callable[[], Any],
                    now: datetime) -> dict[str, Any]:
    """A province's working days for the acceptance phase and a 补正, from a day on."""
    stored = _put_province_setting(store, actor, scope, raw_from, "time_limits", read_body, read_time_limits, now)
    setting = stored.pop("setting")
    return {**stored, **limits_view(setting)}


def time_limits(store: RuleStore | None, province: str, on: date) -> dict[DeadlineKind, int]:
    """The working days of the limits ``province`` set that are in force on ``on`` ({}: the defaults)."""
    return limits_from(_province_setting(store, "time_limits", province, on)) if store is not None else {}


# --- a province's review chain (初审 → 审核 → 审定, 公示; domain.cases.review_chain) -----------------------------------

def put_review_chain(store: RuleStore, actor: Actor, scope: str, raw_from: str, read_body: Callable[[], Any],
                     now: datetime) -> dict[str, Any]:
    """A province's chain of review steps from a day on; a case keeps the chain in force on its push day."""
    _own_scope(actor, scope, (2,))  # deny first: the body is read only within the caller's scope
    effective_from = parse_day(raw_from, "effective_from")
    chain = read_chain(scope, effective_from, read_body())
    body = {"steps": [{key: value for key, value in (("label", step.label), ("role", step.role),
                                                     ("publicity_days", step.publicity_days)) if value is not None}
                      for step in chain.steps]}
    _store(store, actor, scope, "review_chain", effective_from, body, now, f"review_chain#{effective_from}")
    return {"scope": scope, "kind": "review_chain", "effective_from": raw_from, **chain_record(chain)}


def chain_for(store: RuleStore | None, business_unit: str, on: date) -> Chain:
    """The review chain of the 业务属地's province in force on ``on`` (the single township step where it set none)."""
    if store is None:
        return SINGLE_STEP
    province = business_unit[:2]
    chains = [read_chain(r.scope, date.fromisoformat(r.effective_from), r.body)
              for r in store.for_scopes([province]) if r.kind == "review_chain"]
    return chain_in_force(chains, province, on)
