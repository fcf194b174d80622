"""生存验证 records (``POST /entitlements/{id}/survival-checks``): the 业务属地's reviewer, or the committee that checks
the recipient (村/居委会, the committee in force in the check's month or set last), records a verification — face
check, home visit or phone — with its day and result, as a line of the entitlement's history (GET /entitlements/{id}
lists it). Deny by default: anyone else, and an unknown entitlement, get the one ENTITLEMENT_OUT_OF_REACH answer
before the body is read. Logs the entitlement and the result, never an ID number."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable

from ..domain.cases.case import Actor
from ..domain.payments.entitlements import Entitlement
from ..domain.supervision.survival import METHODS, read_check, record_check
from .comparison import Comparisons
from .entitlements import entitlement_or_404, out_of_reach, save
from .payroll import Payroll
from .reports import propose_change

log = logging.getLogger(__name__)


def survival_reach(actor: Actor, ent: Entitlement, month: str) -> None:
    allowed = (actor.role == "reviewer" and actor.unit == ent.business_unit) or (
        actor.role == "committee" and actor.unit in (ent.committee_in(month), ent.committee_unit))
    if not allowed:
        raise out_of_reach()


def record(payroll: Payroll, entitlement_id: str, read_body: Callable[[], Any], actor: Actor, now: datetime,
           proposals: Comparisons | None = None) -> dict[str, Any]:
    """201 ``{entitlement_id, check, recorded, proposals}``: ``recorded`` false when the same check was recorded
    before. A check that found the person deceased proposes stopping each of the person's entitlements (as a
    reported death does: ``reports.propose_change``), for the 业务属地's reviewer to confirm — never a stop by
    itself; ``proposals`` counts the new ones."""
    ent = entitlement_or_404(payroll, entitlement_id)
    survival_reach(actor, ent, f"{now:%Y-%m}")  # deny first: the body is read only within reach
    check = read_check(read_body(), now.date())
    updated = record_check(ent, check, actor.unit, actor.sub, now.isoformat())
    if updated is not ent:
        save(payroll, ent, updated, now)
        log.info("survival check: entitlement=%s unit=%s method=%s result=%s", ent.entitlement_id, actor.unit,
                 check.method, check.result)
    proposed = 0
    if check.result == "deceased" and proposals is not None:  # again on a repeated check: each proposal put once
        proposed = propose_change(
            proposals, ent.person_key, "death", now, f"survival-{check.on.isoformat()}", f"survival:{ent.entitlement_id}",
            "survival_check", f"生存验证（{METHODS[check.method]}，{check.on.isoformat()}）：已死亡；{check.note}",
            {"reported_by": actor.sub, "received_by": actor.unit})
    return {"entitlement_id": ent.entitlement_id, "check": check.as_dict(actor.unit), "recorded": updated is not ent,
            "proposals": proposed}
