"""Verifying the hash-chained timelines, and the daily digest of chain heads (tamper evidence).

The digest of a day lists, for every case changed that day, the last sequence number and chain hash;
written to a bucket with Object Lock (deployed template), it lets anyone prove later that a timeline
was not rewritten after that day.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Protocol

from ..domain.cases.audit import first_break
from ..domain.cases.case import Actor
from ..domain.errors import Forbidden, Invalid
from ..domain.units import is_scope_code, within
from ..domain.values import parse_day


class Chains(Protocol):
    def chain(self, case_id: str) -> Any: ...
    def heads_of_day(self, day: str) -> dict[str, tuple[int, str]]: ...
    def worklist(self, side: str, scope: str, due_before: str | None, status: str | None, pushed_only: bool,
                 limit: int, token: str | None) -> Any: ...


class DigestWriter(Protocol):
    def write_digest(self, key: str, body: bytes) -> str | None: ...


def verify_case(repo: Chains, case_id: str) -> dict[str, Any]:
    links, head = repo.chain(case_id)
    return first_break(case_id, links, head).as_dict()


def verify_unit(repo: Chains, unit: str) -> dict[str, Any]:
    """Every case accepted in, or owned by, a unit (or scope): how many verify, and the first broken."""
    if not is_scope_code(unit):
        raise Invalid("UNIT_FORMAT", "unit must be a 2, 4, 6 or 9 digit code", "unit")
    checked, broken, seen = 0, [], set()
    for side in ("accepting", "business"):
        token = None
        while True:
            page = repo.worklist(side, unit, None, None, False, 100, token)
            for case in page.cases:
                if case.case_id in seen:
                    continue
                seen.add(case.case_id)
                checked += 1
                verdict = verify_case(repo, case.case_id)
                if not verdict["valid"]:
                    broken.append(verdict)
            token = page.next_token
            if not token:
                break
    return {"unit": unit, "cases": checked, "valid": not broken, "first_broken": broken[0] if broken else None,
            "broken": len(broken)}


def daily_digest(repo: Chains, writer: DigestWriter, raw_day: str) -> dict[str, Any]:
    """The chain heads of every case changed on ``day``, written once as JSON with its own SHA-256."""
    day = parse_day(raw_day, "day").isoformat()
    heads = repo.heads_of_day(day)
    body = json.dumps({"day": day, "cases": {case_id: {"seq": seq, "hash": link}
                                              for case_id, (seq, link) in sorted(heads.items())}},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    key = f"digests/{day}.json"
    version = writer.write_digest(key, body)
    return {"day": day, "cases": len(heads), "key": key, "sha256": hashlib.sha256(body).hexdigest(),
            "version": version}


def may_verify_unit(actor: Actor, unit: str) -> None:
    if actor.role not in ("supervisor", "admin") or not (unit == actor.unit or within(actor.unit, unit)
                                                        or unit.startswith(actor.unit)):
        raise Forbidden("UNIT_OUT_OF_REACH", "only supervisors and admins over the unit verify it")
