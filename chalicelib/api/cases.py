"""Routes of the case: 受理, materials, 申请材料收齐, 推送, 资格认定, 告知, 补正, withdrawal, the full numbers, and the SMS
gateway's receipts for the case's milestone messages. Thin: each calls one service — ``services.cases``, which every
request's ``deps()`` loads anyway, or one only its routes need, imported by the handler (not with ``app``)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from ..services import cases
from ..wiring import deps, messaging, payroll
from .pipeline import Call, handles

routes = Blueprint(__name__)


@handles(routes, "POST /cases")
def accept_case(call: Call) -> dict[str, Any]:
    return cases.accept(deps(), call.body(), call.actor, call.now)


@handles(routes, "GET /cases")
def list_cases(call: Call) -> dict[str, Any]:
    from ..services import worklists

    return worklists.worklist(deps().repo, deps().deadlines.count, call.actor, call.query, call.now.date())


@handles(routes, "GET /cases/{case_id}")
def get_case(call: Call, case_id: str) -> dict[str, Any]:
    return cases.read(call.deps(), case_id, call.actor, call.relation, call.now.date())


@handles(routes, "POST /cases/{case_id}/materials")
def add_material(call: Call, case_id: str) -> dict[str, Any]:
    return cases.add_material(call.deps(), case_id, call.body(), call.actor, call.relation, call.now)


@handles(routes, "POST /cases/{case_id}/materials/{material_id}/confirm")
def confirm_material(call: Call, case_id: str, material_id: str) -> dict[str, Any]:
    return cases.confirm_material(call.deps(), case_id, material_id, call.actor, call.relation, call.now)


@handles(routes, "GET /cases/{case_id}/materials/{material_id}")
def open_material(call: Call, case_id: str, material_id: str) -> dict[str, Any]:
    """A received material as a short-lived presigned GET (the console shows it in the page); recorded."""
    from ..services import material_reads

    return material_reads.open_material(call.deps(), case_id, material_id, call.actor, call.relation, call.now)


@handles(routes, "POST /cases/{case_id}/complete")
def complete(call: Call, case_id: str) -> dict[str, Any]:
    return cases.complete(call.deps(), case_id, call.actor, call.relation, call.now)


@handles(routes, "POST /cases/{case_id}/push")
def push(call: Call, case_id: str) -> dict[str, Any]:
    return cases.push(call.deps(), case_id, call.actor, call.relation, call.now)


@handles(routes, "POST /cases/{case_id}/decision")
def decide(call: Call, case_id: str) -> dict[str, Any]:
    return cases.decide(call.deps(), case_id, call.body(), call.actor, call.relation, call.now)


@handles(routes, "POST /cases/{case_id}/review")
def give_opinion(call: Call, case_id: str) -> dict[str, Any]:
    return cases.give_opinion(call.deps(), case_id, call.body(), call.actor, call.relation, call.now)


@handles(routes, "POST /cases/{case_id}/correction")
def propose_correction(call: Call, case_id: str) -> dict[str, Any]:
    """纠错 {outcome, subsidies, reason, override_reason?}: the chain's first step proposes; the service checks the
    step before it reads the body."""
    from ..services import corrections

    return corrections.propose(call.deps(), payroll(), case_id, call.body, call.actor, call.relation, call.now)


@handles(routes, "POST /cases/{case_id}/correction/review")
def review_correction(call: Call, case_id: str) -> dict[str, Any]:
    """{opinion: agree | send_back, reason}: the holder of the step the correction is at."""
    from ..services import corrections

    return corrections.review(call.deps(), payroll(), case_id, call.body, call.actor, call.relation, call.now)


@handles(routes, "POST /cases/{case_id}/notification")
def notify(call: Call, case_id: str) -> dict[str, Any]:
    return cases.notify(call.deps(), case_id, call.body(), call.actor, call.relation, call.now)


@handles(routes, "POST /cases/{case_id}/withdraw")
def withdraw(call: Call, case_id: str) -> dict[str, Any]:
    return cases.withdraw(call.deps(), case_id, call.body(), call.actor, call.relation, call.now)


@handles(routes, "POST /cases/{case_id}/supplement-request")
def request_supplement(call: Call, case_id: str) -> dict[str, Any]:
    return cases.request_supplement(call.deps(), case_id, call.body(), call.actor, call.relation, call.now)


@handles(routes, "POST /cases/{case_id}/supplement")
def send_supplement(call: Call, case_id: str) -> dict[str, Any]:
    body = call.body() if call.has_body else None  # the body may be left out
    return cases.send_supplement(call.deps(), case_id, body, call.actor, call.relation, call.now)


@handles(routes, "GET /cases/{case_id}/identity")
def read_identity(call: Call, case_id: str) -> dict[str, Any]:
    """Full ID and phone numbers (everywhere else they are masked); the read is recorded."""
    return cases.identity(call.deps(), case_id, call.actor, call.relation, call.now)


@handles(routes, "POST /messages/{message_id}/receipt")
def sms_receipt(call: Call, message_id: str) -> dict[str, Any]:
    """The province's SMS gateway reports a delivery {status: delivered|failed, at, error_code?, attempt?}:
    delivered on the timeline, or a failed attempt back into the retries (then failed and reported)."""
    from ..services import sms_receipts

    return sms_receipts.record(messaging(), message_id, call.body, call.actor, call.relation, call.now)
