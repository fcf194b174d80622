"""The monthly data comparison job, and the people who confirm or reject what it proposes.

``compare`` is restartable and processes each file (by kind and content) exactly once: the load is claimed
before any proposal is written, every proposal is put only if absent, and the load is marked done
last. A rerun of a finished file changes nothing; a rerun of an interrupted one completes it.
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol

from msgspec import Struct

from ..domain.cases.case import Actor
from ..domain.errors import Conflict, Forbidden, Invalid, NotFound
from ..domain.payments.entitlements import correct, move
from ..domain.supervision.comparison import KINDS, effective_month, parse_file, proposal_fields, proposes
from ..domain.units import within
from .entitlements import save
from .payroll import Payroll

if TYPE_CHECKING:  # the stores' types only: no AWS library is imported by a service
    from ..adapters.entitlements_table import Entitlements
    from ..adapters.proposals_table import LoadState

log = logging.getLogger(__name__)
PREFIX = "comparisons/"


class ProposalStore(Protocol):
    """``adapters.proposals_table.Proposals``, or the in-memory one of the tests (tests/fakes/supervision.py)."""

    def load_state(self, load_id: str) -> LoadState | None: ...
    def start_load(self, load_id: str, kind: str, key: str, month: str, by: str, at: str) -> bool: ...
    def finish_load(self, load_id: str, rows: int, errors: int, proposals: int) -> None: ...
    def propose(self, fields: dict[str, Any]) -> bool: ...
    def get(self, proposal_id: str) -> dict[str, Any] | None: ...
    def decide(self, proposal_id: str, status: str, by: str, at: str, note: str) -> bool: ...
    def of_side(self, side: str, unit: str, status: str | None) -> list[dict[str, Any]]: ...


class Comparisons(Struct, frozen=True):
    """What a data comparison needs (built in ``wiring``): the uploaded files (read, and listed under
    comparisons/), the proposals, the recipients, the key that stands for ID numbers, and the province's rule
    of effective months in force on a day."""

    files: Any  # adapters.rosters.Rosters: read_object(bucket, key) -> (text, version, sha256)
    listing: Any  # adapters.files.MaterialFiles: keys_under(prefix)
    proposals: ProposalStore
    entitlements: Entitlements
    secret: bytes
    bucket: str
    offsets_for: Callable[[str, date], Mapping[str, int]]


def run(deps: Comparisons, kind: str, key: str, by: str, now: datetime) -> dict[str, Any]:
    """One file under comparisons/<kind>/ (POST /comparisons)."""
    return compare(deps.files, deps.proposals, deps.entitlements, deps.secret, deps.bucket, kind, key, by, now,
                   lambda province: deps.offsets_for(province, now.date()))


def run_pending(deps: Comparisons, by: str, now: datetime) -> dict[str, Any]:
    """Every file under comparisons/<kind>/: those already done answer at once without work (the schedule)."""
    results = [run(deps, key[len(PREFIX):].split("/", 1)[0], key, by, now) for key in deps.listing.keys_under(PREFIX)]
    return {"files": len(results), "processed": sum(1 for r in results if not r["already_done"]),
            "proposals": sum(int(r["proposals"]) for r in results if not r["already_done"])}


def compare(reader: Any, proposals: ProposalStore, entitlements: Entitlements, secret: bytes, bucket: str,
            kind: str, key: str, by: str, now: datetime, offsets_for: Callable[[str], Mapping[str, int]]
            ) -> dict[str, Any]:
    """Match one authoritative file against recipients and propose stops or suspensions."""
    if kind not in KINDS:
        raise Invalid("UNKNOWN_COMPARISON", f"kind must be one of {sorted(KINDS)}", "kind")
    if not key.startswith(PREFIX) or key == PREFIX:
        raise Invalid("COMPARISON_KEY", f"the file must be under {PREFIX} in the materials bucket", "key")
    text, _version, sha256 = reader.read_object(bucket, key)
    # Keyed by kind and content: the same file uploaded again (a new S3 version) is not run twice.
    load_id = hashlib.sha256(f"{kind}/{sha256}".encode()).hexdigest()
    month = f"{now:%Y-%m}"
    if not proposals.start_load(load_id, kind, key, month, by, now.isoformat()):
        state = proposals.load_state(load_id)
        assert state is not None
        return {"load_id": load_id, "kind": kind, "already_done": True, "rows": state.rows,
                "errors": state.errors, "proposals": state.proposals}
    parsed = parse_file(kind, text, secret)
    action, subsidies, meaning = KINDS[kind]
    proposed = 0
    for row in parsed.rows:
        for ent in entitlements.of_person(row.person_key):
            # the stop or suspension takes effect from the province's rule applied to the event's month: a death
            # found months late stops the months paid since, which the ledger then shows as over-paid (应退则退)
            effective = effective_month(kind, offsets_for(ent.business_unit[:2]), f"{row.event_date:%Y-%m}")
            if not proposes(ent, action, subsidies, effective):
                continue
            fields = proposal_fields(ent, f"{load_id[:16]}-{ent.entitlement_id}", load_id, kind, action, meaning,
                                     row.event_date.isoformat(), effective, now.isoformat(), "comparison")
            if proposals.propose(fields):
                proposed += 1
    proposals.finish_load(load_id, len(parsed.rows), len(parsed.errors), proposed)
    log.info("comparison %s (%s): %d rows, %d errors, %d proposals", load_id[:12], kind, len(parsed.rows),
             len(parsed.errors), proposed)
    return {"load_id": load_id, "kind": kind, "already_done": False, "rows": len(parsed.rows),
            "errors": len(parsed.errors), "error_lines": parsed.errors[:100], "proposals": proposed}


def _proposal(proposals: ProposalStore, proposal_id: str) -> dict[str, Any]:
    found = proposals.get(proposal_id)
    if found is None:
        raise NotFound("PROPOSAL_NOT_FOUND", f"no proposal {proposal_id[:80]}", "proposal_id")
    return found


def settle(proposals: ProposalStore, payroll: Payroll, proposal_id: str, verdict: str, read_body: Callable[[], Any],
           actor: Actor, now: datetime) -> dict[str, Any]:
    """A reviewer of the 业务属地 confirms (the entitlement stops or is suspended from the proposed
    month, the reason kept) or rejects (with a note) a proposal."""
    proposal = _proposal(proposals, proposal_id)
    if not (actor.role == "reviewer" and actor.unit == proposal["business_unit"]):
        raise Forbidden("PROPOSAL_OUT_OF_REACH", "only the 业务属地's reviewers decide its proposals")
    body = read_body()  # deny first: the body is read only within reach
    note = body.get("note") if isinstance(body, dict) else None
    if not isinstance(note, str) or not note.strip():
        raise Invalid("MISSING_FIELD", "a note is required (what was checked)", "note")
    if proposal["status"] != "proposed":
        raise Conflict("PROPOSAL_DECIDED", f"this proposal was already {proposal['status']}", "status")
    if verdict == "confirmed":
        ent = payroll.entitlements.get(proposal["entitlement_id"])
        if ent is None:
            raise NotFound("ENTITLEMENT_NOT_FOUND", "the entitlement is gone", "entitlement_id")
        reason = f"{proposal['reason']}: {note}"
        if proposal["action"] == "correct":  # a certificate roster's new category or grade (services/disability.py)
            updated = correct(ent, proposal["effective_month"], reason, actor.sub, now.isoformat(),
                              facts=json.loads(proposal.get("new_facts") or "{}"))
        else:
            updated = move(ent, proposal["action"], proposal["effective_month"], reason, actor.sub, now.isoformat())
        save(payroll, ent, updated, now)  # a debt it creates goes on the unit's recovery list
    if not proposals.decide(proposal_id, verdict, actor.sub, now.isoformat(), note.strip()):
        raise Conflict("PROPOSAL_DECIDED", "someone decided this proposal first", "status")
    return _proposal(proposals, proposal_id)


PRIVATE_TO_BUSINESS = frozenset({"report_contact"})  # a reporter's phone: for the 业务属地 checking the report


def listing(proposals: ProposalStore, actor: Actor, unit: str, status: str | None) -> dict[str, Any]:
    """The 业务属地's reviewers see their proposals; the 受理地's window sees the outcome of the cases
    it accepted; supervisors see either side within their scope."""
    if status is not None and status not in ("proposed", "confirmed", "rejected"):
        raise Invalid("UNKNOWN_STATUS", "status must be proposed, confirmed or rejected", "status")
    if actor.role == "reviewer" and actor.unit == unit:
        side = "business"
    elif actor.role == "window" and actor.unit == unit:
        side = "accepting"
    elif actor.role == "supervisor" and within(actor.unit, unit):
        side = "business"
    else:
        raise Forbidden("PROPOSAL_OUT_OF_REACH", "these proposals are not within your unit's reach")
    listed = proposals.of_side(side, unit, status)
    if side == "accepting":  # the 受理地 sees each outcome, not how to reach the person who reported a change
        listed = [{k: v for k, v in p.items() if k not in PRIVATE_TO_BUSINESS} for p in listed]
    return {"unit": unit, "side": side, "proposals": listed}
