"""Tamper-evident timelines: each event carries the hash of the one before it.

hash = SHA-256 of the canonical JSON of (case id, sequence, time, event, actor, unit, detail, previous
hash). Changing, removing or reordering any stored event breaks every link after it; ``first_break``
names the first.

Implements: no statute — an engineering rule; no document in DOMAIN.md names a hash chain. It makes tamper-evident
the record each case keeps: the application and materials the 受理地 records (民办发〔2021〕2号 step 1, DOMAIN.md §2)
and the reasons recorded when a decision is corrected (纠错容错, DOMAIN.md §3: 民发〔2022〕79号).
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable, Mapping

from msgspec import Struct
from msgspec.structs import replace

from .case import SEAL, Case, broken_seal

GENESIS = "0" * 64


def event_hash(case_id: str, seq: int, record: Mapping[str, Any], prev_hash: str) -> str:
    canonical = json.dumps(
        {"case_id": case_id, "seq": seq, "at": record["at"], "event": record["event"], "actor": record["actor"],
         "unit": record["unit"], "detail": record.get("detail") or {}, "prev": prev_hash},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Link(Struct, frozen=True):
    seq: int
    record: Mapping[str, Any]
    prev_hash: str | None
    hash: str | None


class Verdict(Struct, frozen=True):
    case_id: str
    events: int
    valid: bool
    first_broken_seq: int | None
    reason: str | None
    head: str

    def as_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "events": self.events, "valid": self.valid,
                "first_broken_seq": self.first_broken_seq, "reason": self.reason, "head": self.head}


def first_break(case_id: str, links: Iterable[Link], head: str | None) -> Verdict:
    """Walk the chain from the genesis; the case item's stored head must be the last hash."""
    expected_prev, count, last_seq = GENESIS, 0, 0
    for link in sorted(links, key=lambda l: l.seq):
        count += 1
        if link.seq != last_seq + 1:
            return Verdict(case_id, count, False, link.seq, f"sequence jumps from {last_seq} to {link.seq}",
                           expected_prev)
        if link.prev_hash != expected_prev:
            return Verdict(case_id, count, False, link.seq, "the previous-hash link does not match", expected_prev)
        recomputed = event_hash(case_id, link.seq, link.record, expected_prev)
        if link.hash != recomputed:
            return Verdict(case_id, count, False, link.seq, "the event's content does not match its hash",
                           expected_prev)
        expected_prev, last_seq = recomputed, link.seq
    if head is not None and head != expected_prev:
        return Verdict(case_id, count, False, last_seq + 1, "events after the last one are missing", expected_prev)
    return Verdict(case_id, count, True, None, None, expected_prev)


def seals(links: Iterable[Link]) -> list[tuple[int, str]]:
    """The receipt seals the chain carries: (sequence number, digest) of each sealing event (``case.sealed``)."""
    return [(link.seq, link.record["detail"][SEAL]) for link in links if SEAL in (link.record.get("detail") or {})]


def with_seals(verdict: Verdict, links: Iterable[Link], case: Case) -> Verdict:
    """A chain that holds, its receipt seals checked against the receipts stored now (``case.broken_seal``): the
    receipts are kept outside the chain, so a receipt rewritten in the table breaks the event that sealed it."""
    broken = broken_seal(case, seals(links)) if verdict.valid else None
    if broken is None:
        return verdict
    return replace(verdict, valid=False, first_broken_seq=broken,
                   reason="the receipts this event sealed are no longer the receipts stored")
