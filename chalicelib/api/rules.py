"""Routes of the rules: the national working-day calendar, each jurisdiction's materials, eligibility, amounts,
comparison and payment settings (from a day on), and the authoritative rosters that waive materials."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from .. import config as settings
from ..domain.rules.jurisdiction import eligibility_in_force
from ..services import calendar, rules  # loaded by every request's deps() anyway; the others by their handlers
from ..wiring import calendar_years, deps, entitlement_store, jurisdiction_rules, proposals, rosters
from .pipeline import Call, handles

routes = Blueprint(__name__)


@handles(routes, "GET /calendar/deadline")
def calendar_deadline(call: Call) -> dict[str, Any]:
    return deps().deadlines.answer(call.query.get("start"), call.query.get("working_days"))


@handles(routes, "GET /calendar/{year}")
def calendar_year(call: Call, year: str) -> dict[str, Any]:
    return calendar.read_year(calendar_years(), year)


@handles(routes, "PUT /calendar/{year}")
def load_calendar_year(call: Call, year: str) -> dict[str, Any]:
    from ..services import jobs

    result, stored = calendar.load_year(calendar_years(), year, call.body(), call.actor.sub, call.now)
    if stored:
        result["recomputed"] = jobs.recompute_provisional(deps(), int(year), call.now)
    return result


@handles(routes, "POST /calendar/{year}/correction")
def correct_calendar_year(call: Call, year: str) -> dict[str, Any]:
    """纠错 of a loaded year {holidays, workdays, source, reason}: the old version kept, running deadlines recounted."""
    from ..services import jobs

    result = calendar.correct_year(calendar_years(), year, call.body(), call.actor.sub, call.now)
    result["recomputed"] = jobs.recount_running(deps(), int(year), call.now)
    return result


@handles(routes, "PUT /rules/{scope}/materials/{effective_from}")
def put_material_rule(call: Call, scope: str, effective_from: str) -> dict[str, Any]:
    return rules.put_materials(jurisdiction_rules(), call.actor, scope, effective_from, call.body, call.now)


@handles(routes, "PUT /rules/{scope}/eligibility/{effective_from}")
def put_eligibility_rule(call: Call, scope: str, effective_from: str) -> dict[str, Any]:
    return rules.put_eligibility(jurisdiction_rules(), call.actor, scope, effective_from, call.body, call.now)


@handles(routes, "PUT /rules/{scope}/amounts")
def put_amount_table(call: Call, scope: str) -> dict[str, Any]:
    return rules.put_amounts(jurisdiction_rules(), call.actor, scope, call.body, call.now)


@handles(routes, "GET /rules/{scope}")
def rules_in_force(call: Call, scope: str) -> dict[str, Any]:
    """What a 业务属地 (a 9-digit unit given as the scope) requires and pays on a day."""
    return rules.in_force(jurisdiction_rules(), scope, call.query.get("on"), call.now.date(),
                          call.query.get("agent") == "true")


@handles(routes, "PUT /rules/{scope}/comparison/{effective_from}")
def put_comparison_rule(call: Call, scope: str, effective_from: str) -> dict[str, Any]:
    """{kind: 0 | 1}: from the month of the comparison, or from the next month (per province)."""
    return rules.put_comparison_rule(jurisdiction_rules(), call.actor, scope, effective_from, call.body, call.now)


@handles(routes, "PUT /rules/{scope}/payment/{effective_from}")
def put_payment_setting(call: Call, scope: str, effective_from: str) -> dict[str, Any]:
    """A province's payment setting {roster_id_number: masked|full} from a day on."""
    return rules.put_payment_setting(jurisdiction_rules(), call.actor, scope, effective_from, call.body, call.now)


@handles(routes, "PUT /rules/{scope}/contact/{effective_from}")
def put_contact_rule(call: Call, scope: str, effective_from: str) -> dict[str, Any]:
    """{unit_name, phone}: who explains the subsidy's type and standard for a 业务属地 (result notice, approval SMS)."""
    return rules.put_contact(jurisdiction_rules(), call.actor, scope, effective_from, call.body, call.now)


@handles(routes, "PUT /rules/{scope}/review-chain/{effective_from}")
def put_review_chain(call: Call, scope: str, effective_from: str) -> dict[str, Any]:
    """A province's review chain from a day on."""
    return rules.put_review_chain(jurisdiction_rules(), call.actor, scope, effective_from, call.body, call.now)


@handles(routes, "PUT /rules/{scope}/time-limits/{effective_from}")
def put_time_limits(call: Call, scope: str, effective_from: str) -> dict[str, Any]:
    """A province's working days for the acceptance phase and a 补正, from a day on."""
    return rules.put_time_limits(jurisdiction_rules(), call.actor, scope, effective_from, call.body, call.now)


@handles(routes, "POST /rosters")
def load_roster(call: Call) -> dict[str, Any]:
    """Index an authoritative roster an operator put under rosters/ in the materials bucket."""
    from ..services import disability
    from ..services import registers as roster_loads

    body = call.object_body("{kind, key}")
    config = settings.load()
    store = jurisdiction_rules()

    def eligibility(province: str, on: Any) -> Any:
        return eligibility_in_force(rules.rules_for(store, f"{province}0000000").eligibility, province, on)

    def propose(load_id: str, entries: Any) -> int:
        """残疾状态: a recipient's category or grade changed on the DPF's certificate roster → proposals."""
        return disability.propose_from_certificates(entitlement_store(), proposals(), eligibility, load_id, entries,
                                                    call.now)

    return roster_loads.load_roster(rosters(), config.person_key_secret, config.materials_bucket,
                                    str(body.get("kind") or ""), str(body.get("key") or ""), call.actor.sub, call.now,
                                    propose)


@handles(routes, "GET /setup-gaps")
def list_setup_gaps(call: Call) -> dict[str, Any]:
    """The 户籍地 (counties) within the caller's reach with no list of materials in force: their notices tell the
    standard catalogue."""
    from ..services import setup_gaps

    return setup_gaps.material_gaps_of(jurisdiction_rules(), call.actor, call.query.get("scope"),
                                       call.query.get("on"), call.now.date())
