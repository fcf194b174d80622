"""The unit of work of a case change, as plain data: what is written with the case and its timeline event.

A service decides the case, its event and ``Writes``: person locks claimed, checked and released (重复领取),
the entitlements an approval creates and the 业务属地 it puts under supervision, the milestone messages queued or
finished, the existing entitlements a corrected decision changes (纠错). ``CaseRepository.save``
(adapters/store.py) turns them into one DynamoDB transaction, and the in-memory repository of the tests
(tests/fakes/cases.py) applies them the same way, all or nothing: the case conditioned on its version, the event
on its sequence number being new, and each item here on its own condition. A refusal is ``LockHeld`` when a lock
this change claims or checks belongs to another case (named, for ``holder_month``), else ``StaleCase``
(domain.refusals).

Person locks are ``<person key>#<subsidy>#application`` while an application is open and
``<person key>#<subsidy>#entitlement`` held by the person's entitlement from its start month (``held_from``),
released from the month it is stopped for good (``released_from``): from then on it is free to be taken again.

Implements: no statute — an engineering rule (one transaction per case change, docs/decisions.md 2026-11-29 and
2026-12-05); the locks enforce 重复领取 (DOMAIN.md §3).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from msgspec import Struct
from msgspec.structs import replace

from ..payments.entitlements import Entitlement
from ..refusals import LockTaken
from .audit import GENESIS, event_hash
from .case import Case, Event
from .outbox import MessagePut
from .records import event_record

APPLICATION, ENTITLEMENT = "application", "entitlement"


def lock_key(person_key: str, subsidy: str, kind: str) -> str:
    return f"{person_key}#{subsidy}#{kind}"


class LockClaim(Struct, frozen=True):
    """A person lock taken for ``case_id``: only if nobody holds it (``free_from`` None) or — an entitlement's
    lock — nobody holds it or the entitlement holding it is released by the month ``free_from``."""

    key: str
    case_id: str
    masked_id: str
    created_at: str
    free_from: str | None = None
    held_from: str | None = None  # entitlement locks: the start month
    released_from: str | None = None  # entitlement locks: stopped for good from this month


class LockCheck(Struct, frozen=True):
    """Nothing written: the lock must be free for ``month`` (nobody holds it, or it is released by then)."""

    key: str
    month: str


class LockRelease(Struct, frozen=True):
    """The lock deleted (an application closed or withdrawn)."""

    key: str


def released_by(released_from: str | None, month: str | None) -> bool:
    """Whether a lock that exists is free for ``month`` (None: never): its entitlement is released by then."""
    return month is not None and released_from is not None and released_from <= month


def entitlement_claim(ent: Entitlement, now: datetime) -> LockClaim:
    """The lock an entitlement holds, as its history says (released from its release month, if any), taken for
    its start month."""
    return LockClaim(lock_key(ent.person_key, ent.subsidy, ENTITLEMENT), ent.case_id, ent.masked_id,
                     now.isoformat(), free_from=ent.start_month, held_from=ent.start_month,
                     released_from=ent.release_month())


class LockHolder(Struct, frozen=True):
    """Who holds a person lock: the case, the person's masked ID number, and (an entitlement lock) its start."""

    case_id: str
    masked_id: str
    held_from: str | None


class EntitlementUpdate(Struct, frozen=True):
    """An existing entitlement changed (a line added to its history), written only while it is still at the
    version it was read at (``entitlement.version``). Where its release month changed, its person lock follows:
    ``lock`` is put while nobody or this case holds it; ``held_by``: another case's entitlement holds it from on or
    after this one's release, and must still (nothing written)."""

    entitlement: Entitlement
    lock: LockClaim | None = None
    held_by: str | None = None

    @property
    def lock_key(self) -> str:
        return lock_key(self.entitlement.person_key, self.entitlement.subsidy, ENTITLEMENT)


def entitlement_update(before: Entitlement, after: Entitlement, holder: Callable[[str], LockHolder | None],
                       now: datetime) -> EntitlementUpdate:
    """``before`` changed to ``after``, with its lock as the new history says. ``holder`` reads a lock's holder; it
    is asked only when the release month changed. ``LockTaken`` where another entitlement of the person holds the
    lock for months this change would pay again (重复领取)."""
    released = after.release_month()
    changed = replace(after, version=before.version)
    if released == before.release_month():
        return EntitlementUpdate(changed)
    key = lock_key(after.person_key, after.subsidy, ENTITLEMENT)
    held = holder(key)
    if held is None or held.case_id == after.case_id:
        return EntitlementUpdate(changed, lock=entitlement_claim(after, now))
    if released is not None and held.held_from is not None and released <= held.held_from:
        return EntitlementUpdate(changed, held_by=held.case_id)
    raise LockTaken(after.entitlement_id, held.case_id, held.masked_id, held.held_from)


class Writes(Struct, frozen=True):
    """Everything written with one case change besides the case and its event."""

    claims: tuple[LockClaim, ...] = ()
    checks: tuple[LockCheck, ...] = ()
    releases: tuple[LockRelease, ...] = ()
    entitlements: tuple[Entitlement, ...] = ()  # new entitlements (put only if absent)
    messages: tuple[MessagePut, ...] = ()
    holder_month: str | None = None  # a refusal names the holder of a claimed or checked lock as of this month
    supervised: tuple[str, ...] = ()  # 业务属地 registered for the monthly and yearly supervision jobs (idempotent)
    updates: tuple[EntitlementUpdate, ...] = ()  # existing entitlements changed with the case (纠错)

    def __add__(self, other: Writes) -> Writes:
        return Writes(self.claims + other.claims, self.checks + other.checks, self.releases + other.releases,
                      self.entitlements + other.entitlements, self.messages + other.messages,
                      self.holder_month or other.holder_month, self.supervised + other.supervised,
                      self.updates + other.updates)

    @property
    def guards(self) -> tuple[str, ...]:
        """The locks whose holder a refused transaction names (``LockHeld``), in order."""
        return tuple(c.key for c in self.claims) + tuple(c.key for c in self.checks)


NO_WRITES = Writes()  # a case change that writes nothing besides the case and its event


class Appended(Struct, frozen=True):
    """A case's next timeline event as stored: its sequence number (the new case version), its record and its
    link in the hash chain (domain.audit)."""

    seq: int
    record: dict[str, Any]
    prev_hash: str
    chain_hash: str


def appended(case: Case, event: Event) -> Appended:
    """``event`` as the next link of ``case``'s timeline (``case`` as read: its version and chain head)."""
    seq = case.version + 1
    record = event_record(event)
    prev = case.chain_head or GENESIS
    return Appended(seq, record, prev, event_hash(case.case_id, seq, record, prev))
