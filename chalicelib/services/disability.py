"""残疾状态 from a DPF certificate roster: proposals for the 业务属地 when a recipient's category or grade changed.

Called by the roster load (services/registers.load_roster) for a ``disability_certificates`` roster, before the load
is recorded, so an interrupted load proposes again when it is run again; each proposal is put once per change and
entitlement, whichever load shows it (a monthly roster saying the same again proposes nothing new). The reviewer
confirms (``comparison.settle``: the stop, or the facts corrected from the effective month) or rejects it, as a data
comparison's. Logs counts only, never an ID number.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable

from ..domain.rules.jurisdiction import EligibilityRule
from ..domain.rules.registers import RosterEntry
from ..domain.supervision.comparison import proposal_fields
from ..domain.supervision.disability import KIND, certificate_change
from ..domain.values import add_months

if TYPE_CHECKING:
    from ..adapters.entitlements_table import Entitlements
    from .comparison import ProposalStore

log = logging.getLogger(__name__)


def propose_from_certificates(entitlements: Entitlements, proposals: ProposalStore,
                              eligibility_for: Callable[[str, date], EligibilityRule], load_id: str,
                              entries: Sequence[RosterEntry], now: datetime) -> int:
    """One proposal per recipient's entitlement whose certificate changed; the number put."""
    month = add_months(f"{now:%Y-%m}", 1)  # from the month after the roster says so
    proposed = 0
    for entry in entries:
        for ent in entitlements.of_person(entry.person_key):
            effective = max(month, ent.start_month)
            if ent.status_in(effective) == "stopped":
                continue
            change = certificate_change(ent, entry.fields, eligibility_for(ent.business_unit[:2], now.date()),
                                        effective)
            if change is None:
                continue
            # the same change of the same entitlement is proposed once, whichever load (or upload) shows it
            fields = {**proposal_fields(ent, f"cert-{ent.entitlement_id}-{change.before}-{change.after}", load_id,
                                        KIND, change.action, change.reason, now.date().isoformat(), effective,
                                        now.isoformat(), "roster"),
                      "new_facts": json.dumps(dict(change.facts), sort_keys=True)}
            if proposals.propose(fields):
                proposed += 1
    log.info("certificate roster %s: %d proposals of a changed category or grade", load_id[:12], proposed)
    return proposed
