"""Verifying the hash-chained timelines, and the daily digest of chain heads (tamper evidence).

The digest of a day lists, for every case changed that day, the last sequence number and chain hash;
written to a bucket with Object Lock (deployed template), it lets anyone prove later that a timeline
was not rewritten after that day.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Protocol

from ..domain.cases.audit import first_break, seals, with_seals
from ..domain.cases.case import Actor, Case
from ..domain.errors import Forbidden, Invalid
from ..domain.units import is_scope_code, within
from ..domain.values import parse_count, parse_day
from .worklists import scope_page


class Chains(Protocol):
    def chain(self, case_id: str) -> Any: ...
    def get(self, case_id: str) -> Case: ...
    def heads_of_day(self, day: str) -> dict[str, tuple[int, str]]: ...
    def worklist(self, side: str, scope: str, due_before: str | None, status: str | None, pushed_only: bool,
                 limit: int, token: str | None, exclude_accepting: str | None = None) -> Any: ...


class DigestWriter(Protocol):
    def write_digest(self, key: str, body: bytes) -> str | None: ...


def verify_case(repo: Chains, case_id: str) -> dict[str, Any]:
    """The case's chain walked from the genesis; when it holds, each receipt seal in it checked against the receipts
    stored now (receipts are kept outside the chain, and sealed by the next chained event: ``case.receipts_sha256``)."""
    links, head = repo.chain(case_id)
    verdict = first_break(case_id, links, head)
    if verdict.valid and seals(links):  # the case (its receipts) read only when there is a seal to check
        verdict = with_seals(verdict, links, repo.get(case_id))
    return verdict.as_dict()


PAGE_DEFAULT, PAGE_MAX = 50, 100


def _cases_page(repo: Chains, unit: str, limit: int, token: str | None) -> tuple[list[Any], str | None]:
    """At most ``limit`` cases of ``unit`` and the token of the rest, read as the supervisor's worklist reads a scope
    (``worklists.scope_page``: the cases accepted within it, then those it owns that were accepted elsewhere)."""
    return scope_page(repo, unit, None, None, limit, token)


def verify_unit(repo: Chains, unit: str, limit: str | None = None, token: str | None = None) -> dict[str, Any]:
    """One page of the cases accepted in, or owned by, a unit (or scope), each case's chain verified: how many
    verify, the first broken, and ``next_token`` for the next page (null after the last). A request verifies at
    most ``limit`` chains (one Query each), however large the province."""
    if not is_scope_code(unit):
        raise Invalid("UNIT_FORMAT", "unit must be a 2, 4, 6 or 9 digit code", "unit")
    size = parse_count(str(PAGE_DEFAULT) if limit is None else limit, "limit", 1, PAGE_MAX, "LIMIT_RANGE")
    cases, next_token = _cases_page(repo, unit, size, token)
    broken = []
    for case in cases:
        verdict = verify_case(repo, case.case_id)
        if not verdict["valid"]:
            broken.append(verdict)
    return {"unit": unit, "cases": len(cases), "valid": not broken, "first_broken": broken[0] if broken else None,
            "broken": len(broken), "next_token": next_token}


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
