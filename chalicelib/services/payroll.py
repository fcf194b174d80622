"""The monthly payment roster (发放名册) of one 业务属地: drafted, finalized, downloaded; and what is owed back.

A roster is *drafted* as often as anyone likes (it changes nothing), then *finalized* by the 业务属地: an explicit
step, recorded with who and when, refused twice for one month. Finalizing recomputes the roster under the unit's
claim, refuses if it differs from the draft the reviewer saw (``draft_sha256``), stores the file and its plan (what
it pays each entitlement, month by month) once, then writes the plan into the ledger and marks the roster
finalized in one transaction with the claim's release. A finalization that died half-way is completed by the next
one (the plan is stored first, and applying it twice changes nothing).

Each shard of the unit (``UNIT_SHARDS``, the entitlements' hash shards) is read as one query of the entitlements'
index and a strongly consistent batch read of their ledgers (an index may lag; the ledger must not), and written as
one part file, so no process holds more than one shard's lines.
Logs carry the unit, the month, the shard and counts: never a name, an ID or an account number.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from msgspec import Struct

from ..adapters.shards import UNIT_SHARDS
from ..domain.cases.case import Actor
from ..domain.cases.writes import LockHolder
from ..domain.errors import Conflict, Forbidden, Invalid, NotFound
from ..domain.payments.entitlements import Entitlement
from ..domain.payments.ledger import Ledger, apply_payment
from ..domain.payments.owed import Standards
from ..domain.payments.roster import (
    Built,
    Totals,
    csv_text,
    merge_totals,
    plan_text,
    read_plan,
    roster_lines,
    roster_unit,
    totals,
)
from ..domain.refusals import AlreadyFinalized, LedgerBusy
from ..domain.units import within
from ..domain.values import parse_month

if TYPE_CHECKING:  # the stores' types only: no AWS library is imported by a service
    from ..adapters.ledger_table import Head, RosterRecord
    from ..adapters.payroll_files import StoredPart

log = logging.getLogger(__name__)
PAYROLL_PREFIX = "payroll/"
PAGE_SIZE = 1000
LEASE = timedelta(minutes=20)  # longer than a Lambda function may run (15 min): an expired claim is a dead one
STAGES = ("draft", "final")


class EntitlementStore(Protocol):
    """``adapters.entitlements_table.Entitlements``, or the in-memory fake of the tests."""

    def shard(self, business_unit: str, shard: int, page_size: int = ...) -> Iterable[Entitlement]: ...
    def get(self, entitlement_id: str) -> Entitlement | None: ...
    def save(self, before: Entitlement, after: Entitlement, now: datetime) -> None: ...
    def holder(self, key: str) -> LockHolder | None: ...


class LedgerStore(Protocol):
    def get(self, entitlement_id: str) -> Ledger: ...
    def many(self, entitlement_ids: Iterable[str]) -> dict[str, Ledger]: ...
    def put_all(self, business_unit: str, ledgers: Iterable[Ledger]) -> int: ...
    def save_recovery(self, business_unit: str, before: Ledger, after: Ledger, now: datetime) -> None: ...


class PayrollRecords(Protocol):
    def head(self, unit: str) -> Head: ...
    def roster(self, unit: str, month: str) -> RosterRecord | None: ...
    def rosters(self, unit: str) -> list[RosterRecord]: ...
    def save_draft(self, unit: str, month: str, draft: dict[str, Any]) -> None: ...
    def claim(self, unit: str, month: str, seq: int, by: str, now: datetime, lease_until: datetime) -> None: ...
    def set_plan(self, unit: str, seq: int, plan: dict[str, Any]) -> None: ...
    def release(self, unit: str, seq: int) -> None: ...
    def finish(self, unit: str, month: str, seq: int, final: dict[str, Any]) -> None: ...
    def record_download(self, unit: str, month: str, entry: dict[str, Any]) -> None: ...
    def add_debt_candidate(self, unit: str, entitlement_id: str) -> None: ...
    def set_debts(self, unit: str, debt_ids: set[str], covered: frozenset[str], at: str) -> None: ...


class RosterFiles(Protocol):
    def put_part(self, key: str, text: str) -> StoredPart: ...
    def combine(self, parts: list[str], key: str) -> tuple[str | None, int]: ...
    def presigned_get(self, key: str, seconds: int = ..., version_id: str | None = None) -> str: ...
    def sha256_of(self, key: str, version_id: str | None = None) -> str: ...
    def read_text(self, key: str, version_id: str | None = None) -> str: ...


class Pricing(Protocol):
    """What the 业务属地's rules say about money: its amount tables, and its province's payment setting."""

    def standards(self, business_unit: str) -> Standards: ...
    def id_policy(self, business_unit: str, month: str) -> str: ...


class Payroll(Struct, frozen=True):
    entitlements: EntitlementStore
    ledgers: LedgerStore
    records: PayrollRecords
    files: RosterFiles
    pricing: Pricing


def roster_prefix(business_unit: str, month: str, stage: str) -> str:
    return f"{PAYROLL_PREFIX}{business_unit}/{month}/{stage}/"


def _pairs(payroll: Payroll, unit: str, shard: int) -> Iterator[tuple[Entitlement, Ledger]]:
    """A shard's entitlements (one query of their index) with their ledgers, read strongly consistent by key: an
    index may lag a write by a moment, and a ledger read a moment old could pay a month the last roster paid."""
    entitlements = list(payroll.entitlements.shard(unit, shard, page_size=PAGE_SIZE))
    ledgers = payroll.ledgers.many(ent.entitlement_id for ent in entitlements) if entitlements else {}
    for ent in entitlements:
        yield ent, ledgers[ent.entitlement_id]


class Build(Struct):
    """A roster computed shard by shard and written as parts: what the draft and the final share."""

    unit: str
    month: str
    stage: str
    parts: list[str]
    plans: list[dict[str, Any]]  # the final's plan parts, one per shard: {"key", "version_id", "shard"}
    lines: int
    totals: Totals
    held: list[dict[str, Any]]
    debts: set[str]
    sha256: str
    missing_accounts: int


def _build(payroll: Payroll, unit: str, month: str, stage: str) -> Build:
    standards = payroll.pricing.standards(unit)
    policy = payroll.pricing.id_policy(unit, month)
    prefix = roster_prefix(unit, month, stage)
    digest = hashlib.sha256()
    parts, plans, shard_totals, held, debts, lines, missing = [], [], [], [], set(), 0, 0
    for shard in range(UNIT_SHARDS):
        built: Built = roster_lines(_pairs(payroll, unit, shard), month, standards, policy)
        text = csv_text(built.lines, month, header=shard == 0)
        digest.update(text.encode("utf-8"))
        key = f"{prefix}part-{shard:02d}.csv"
        payroll.files.put_part(key, text)
        parts.append(key)
        if stage == "final":
            stored_plan = payroll.files.put_part(f"{prefix}plan-{shard:02d}.tsv", plan_text(built.lines))
            plans.append({"key": stored_plan.key, "version_id": stored_plan.version_id, "shard": shard})
        shard_totals.append(totals(built.lines))
        held += [{"entitlement_id": h.entitlement_id, "months": [{"month": m, "problem": p} for m, p in h.months]}
                 for h in built.held]
        debts |= set(built.debts)
        lines += len(built.lines)
        missing += sum(1 for line in built.lines if not line.account_number)
        log.info("payroll %s part: unit=%s month=%s shard=%02d lines=%d", stage, unit, month, shard,
                 len(built.lines))
    return Build(unit, month, stage, parts, plans, lines, merge_totals(shard_totals), held, debts,
                 digest.hexdigest(), missing)


def _stored(payroll: Payroll, build: Build, now: datetime, by: str) -> dict[str, Any]:
    """Join the parts into ``roster.csv``: where it is, its version, size and checksum, and the build's figures."""
    key = f"{roster_prefix(build.unit, build.month, build.stage)}roster.csv"
    version, size = payroll.files.combine(build.parts, key)
    return {"key": key, "version_id": version, "size": size, "sha256": build.sha256, "lines": build.lines,
            "totals": build.totals, "held": build.held[:200], "held_count": len(build.held),
            "missing_accounts": build.missing_accounts, "built_at": now.isoformat(), "built_by": by}


def _may_pay(actor: Actor, unit: str) -> None:
    """The 业务属地's reviewers, or an admin over it, build, finalize and download its rosters."""
    if not ((actor.role == "reviewer" and actor.unit == unit) or (actor.role == "admin" and within(actor.unit, unit))):
        raise Forbidden("UNIT_OUT_OF_REACH", "only the 业务属地's reviewers or its admins handle its rosters")


def _refresh_debts(payroll: Payroll, build: Build, covered: frozenset[str], now: datetime) -> None:
    payroll.records.set_debts(build.unit, build.debts, covered, now.isoformat())


def draft(payroll: Payroll, business_unit: str, month: str, actor: Actor, now: datetime) -> dict[str, Any]:
    """A draft of the roster (free to rebuild): its file, totals, held months and a link to download it."""
    unit, month = roster_unit(business_unit), parse_month(month)
    _may_pay(actor, unit)
    record = payroll.records.roster(unit, month)
    if record is not None and record.status == "finalized":
        raise Conflict("ROSTER_FINALIZED", f"the roster of {month} was finalized on {record.final['finalized_at'][:10]}"
                       if record.final else f"the roster of {month} was finalized", "month")
    covered = payroll.records.head(unit).debt_candidates
    build = _build(payroll, unit, month, "draft")
    stored = _stored(payroll, build, now, actor.sub)
    try:
        payroll.records.save_draft(unit, month, stored)
    except AlreadyFinalized:
        raise Conflict("ROSTER_FINALIZED", f"the roster of {month} was finalized meanwhile", "month") from None
    _refresh_debts(payroll, build, covered, now)
    return _answer(payroll, unit, month, "draft", stored)


def _answer(payroll: Payroll, unit: str, month: str, stage: str, stored: dict[str, Any]) -> dict[str, Any]:
    return {"business_unit": unit, "month": month, "status": "finalized" if stage == "final" else "draft",
            **{k: v for k, v in stored.items() if k != "plans"},
            "download_url": payroll.files.presigned_get(stored["key"], version_id=stored.get("version_id"))}


def finalize(payroll: Payroll, business_unit: str, month: str, read_body: Callable[[], Any], actor: Actor,
             now: datetime) -> dict[str, Any]:
    """发放: the roster paid as drafted. ``{draft_sha256}``: the draft the reviewer checked; 409 if the roster
    would now differ (rebuild the draft), if it was finalized already, or while another finalization runs."""
    unit, month = roster_unit(business_unit), parse_month(month)
    _may_pay(actor, unit)  # deny first: the body is read only within reach
    body = read_body()
    expected = body.get("draft_sha256") if isinstance(body, dict) else None
    if not isinstance(expected, str) or len(expected) != 64:
        raise Invalid("MISSING_FIELD", "draft_sha256 (the sha256 of the draft you checked) is required",
                      "draft_sha256")
    record = payroll.records.roster(unit, month)
    if record is not None and record.status == "finalized":
        raise Conflict("ROSTER_FINALIZED", f"the roster of {month} was finalized already", "month")
    head = payroll.records.head(unit)
    if head.finalizing and head.finalizing.get("plan"):  # a finalization that died after storing its plan
        _complete(payroll, unit, head.finalizing, now)
        head = payroll.records.head(unit)
    seq = head.seq + 1
    try:
        payroll.records.claim(unit, month, seq, actor.sub, now, now + LEASE)
    except LedgerBusy as busy:
        raise Conflict("LEDGER_BUSY", f"the roster of {busy.month} is being finalized (until {busy.until[11:16]}); "
                       "try again in a few minutes", "month") from None
    build = _build(payroll, unit, month, "final")
    if build.sha256 != expected.lower():
        payroll.records.release(unit, seq)
        raise Conflict("DRAFT_STALE", "the roster changed since that draft (an approval, a correction or a stop); "
                       "build the draft again and check it", "draft_sha256")
    stored = _stored(payroll, build, now, actor.sub)
    final = dict(stored, finalized_at=now.isoformat(), finalized_by=actor.sub, seq=seq, plans=build.plans)
    payroll.records.set_plan(unit, seq, final)
    _complete(payroll, unit, {"month": month, "seq": seq, "plan": final}, now)
    _refresh_debts(payroll, build, head.debt_candidates, now)
    log.info("payroll finalized: unit=%s month=%s seq=%d lines=%d", unit, month, seq, build.lines)
    return _answer(payroll, unit, month, "final", final)


def _complete(payroll: Payroll, unit: str, claim: dict[str, Any], now: datetime) -> None:
    """Write a stored plan into the ledger shard by shard (again, harmlessly, after a crash: a ledger takes each
    finalization once), then mark the roster finalized and release the claim."""
    final, month, seq = claim["plan"], str(claim["month"]), int(claim["seq"])
    written = 0
    for part in final["plans"]:
        plan = read_plan(payroll.files.read_text(part["key"], part.get("version_id")))
        if not plan:
            continue
        ledgers = payroll.ledgers.many(plan)  # strongly consistent, by key
        changed = []
        for entitlement_id, months in sorted(plan.items()):
            before = ledgers[entitlement_id]
            after = apply_payment(before, month, seq, months)
            if after is not before:
                changed.append(after)
        written += payroll.ledgers.put_all(unit, changed)
    try:
        payroll.records.finish(unit, month, seq, final)
    except AlreadyFinalized:
        raise Conflict("ROSTER_FINALIZED", f"the roster of {month} was finalized already", "month") from None
    log.info("payroll ledger written: unit=%s month=%s seq=%d ledgers=%d", unit, month, seq, written)


def download(payroll: Payroll, business_unit: str, month: str, stage: str | None, actor: Actor,
             now: datetime) -> dict[str, Any]:
    """The roster's record and a 15-minute link to its file (the final one, or ``stage=draft``); each download
    is recorded with who and when."""
    unit, month = roster_unit(business_unit), parse_month(month)
    _may_pay(actor, unit)
    stage = stage or "final"
    if stage not in STAGES:
        raise Invalid("UNKNOWN_STAGE", "stage must be final or draft", "stage")
    record = payroll.records.roster(unit, month)
    stored = (record.final if stage == "final" else record.draft) if record else None
    if record is None or stored is None:
        raise NotFound("ROSTER_NOT_FOUND", f"no {stage} roster of {month} for {unit}", "month")
    payroll.records.record_download(unit, month, {"by": actor.sub, "role": actor.role, "at": now.isoformat(),
                                                  "stage": stage, "sha256": stored["sha256"]})
    answer = _answer(payroll, unit, month, stage, stored)
    answer["downloads"] = len(record.downloads) + 1
    return answer


def listing(payroll: Payroll, business_unit: str, actor: Actor) -> dict[str, Any]:
    """The unit's rosters: month, status, totals, who finalized."""
    unit = roster_unit(business_unit)
    _may_pay(actor, unit)
    rosters = []
    for record in payroll.records.rosters(unit):
        shown = record.final or record.draft or {}
        rosters.append({"month": record.month, "status": record.status, "lines": shown.get("lines"),
                        "totals": shown.get("totals"), "sha256": shown.get("sha256"),
                        "finalized_at": (record.final or {}).get("finalized_at"),
                        "finalized_by": (record.final or {}).get("finalized_by"), "downloads": len(record.downloads)})
    return {"business_unit": unit, "rosters": rosters}
