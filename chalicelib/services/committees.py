"""The committee of an entitlement: which village or residents committee (村/居委会) checks the recipient each month.

The application names it (``applicant.committee_unit``, required) and the approval's entitlements carry it, so the
committee's monthly 查询登记 list holds the recipient from the first month the job issues. A reviewer of the 业务属地,
or an admin over it, sets or changes it later (the person moved within the township, the window typed it wrong, an
entitlement approved before the field was required has none) with a reason: one line of the entitlement's history,
effective from the next month (``domain.payments.entitlements.change_committee``), written conditioned on the version
read so that two concurrent changes cannot both land on the same version (the loser is 409 CONCURRENT_UPDATE).

Implements: the 每月查询登记 of DOMAIN.md §3 (黑民发〔2021〕6号 四(三)); who may change it, the effective month and the
version check are engineering rules (docs/decisions.md, 2026-12-06).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable

from ..domain.cases.case import Actor
from ..domain.errors import Conflict
from ..domain.payments.entitlements import Entitlement, change_committee, read_committee_change
from ..domain.units import within
from .entitlements import entitlement_or_404, out_of_reach, save, view
from .payroll import Payroll

log = logging.getLogger(__name__)


def committee_reach(actor: Actor, ent: Entitlement) -> None:
    """Deny by default: a reviewer of the entitlement's 业务属地, or an admin whose scope holds it (province, city,
    county or the township itself). Every other caller — the 受理地's window, supervisors, committees, another
    township's reviewer — is answered as for an entitlement that does not exist."""
    allowed = (actor.role == "reviewer" and actor.unit == ent.business_unit) or (
        actor.role == "admin" and within(actor.unit, ent.business_unit))
    if not allowed:
        raise out_of_reach()


def set_committee(payroll: Payroll, entitlement_id: str, read_body: Callable[[], Any], actor: Actor,
                  now: datetime) -> dict[str, Any]:
    """PUT ``{committee, reason, version?}``: the entitlement afterwards. The committee set last, sent again, answers
    the entitlement unchanged (PUT is idempotent); a ``version`` other than the stored one is 409 CONCURRENT_UPDATE,
    and so is a write that finds the entitlement changed since it was read."""
    ent = entitlement_or_404(payroll, entitlement_id)
    committee_reach(actor, ent)  # deny first: the body is read only within reach
    asked = read_committee_change(read_body(), ent.business_unit)
    if asked.version is not None and asked.version != ent.version:
        raise Conflict("CONCURRENT_UPDATE", f"the entitlement is at version {ent.version}, not {asked.version}: "
                       "read it again", "version")
    month = f"{now:%Y-%m}"
    updated = change_committee(ent, asked.committee, asked.reason, actor.sub, now.isoformat(), month)
    if updated is ent:
        return view(ent, payroll.ledgers.get(ent.entitlement_id), payroll.pricing.standards(ent.business_unit), month)
    stored, ledger, standards = save(payroll, ent, updated, now)
    log.info("committee changed: entitlement=%s unit=%s from=%s to=%s effective=%s", ent.entitlement_id,
             ent.business_unit, ent.committee_unit, asked.committee, stored.history[-1].effective_month)
    return view(stored, ledger, standards, month)
