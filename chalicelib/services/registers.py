"""Loading authoritative rosters from S3, and looking a person up in them (数据比对).

Nothing here logs an ID number: loads are logged by kind, load id and counts; lookups not at all.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Callable, Protocol

from ..domain.errors import Invalid
from ..domain.persons import person_key
from ..domain.rules.registers import (
    CERTIFICATES,
    ERROR_LINES_KEPT,
    RosterEntry,
    RosterLoad,
    RosterMatch,
    load_id_for,
    parse_roster,
    roster_kind,
)

log = logging.getLogger(__name__)
ROSTER_PREFIX = "rosters/"


class RosterStore(Protocol):
    """``adapters.rosters.Rosters``, or a fake."""

    def read_object(self, bucket: str, key: str) -> tuple[str, str | None, str]: ...
    def get_load(self, load_id: str) -> RosterLoad | None: ...
    def record_load(self, roster_load: RosterLoad, entries: Sequence[RosterEntry]) -> bool: ...
    def entries_for(self, person_key: str) -> list[RosterMatch]: ...
    def newest_loads(self) -> dict[str, tuple[str, str]]: ...


def load_roster(
    rosters: RosterStore, secret: bytes, bucket: str, kind: str, key: str, loaded_by: str, now: datetime,
    on_certificates: Callable[[str, Sequence[RosterEntry]], int] | None = None,
) -> dict[str, Any]:
    """Load the newest version of ``key`` as a ``kind`` roster; loading the same version again
    changes nothing and answers ``already_loaded``. ``on_certificates`` (a DPF certificate roster): what proposes
    the changes of a recipient's category or grade (services/disability.py), run before the load is recorded so
    an interrupted load proposes again; answers the number of proposals."""
    roster_kind(kind)
    if not isinstance(key, str) or not key.startswith(ROSTER_PREFIX) or key == ROSTER_PREFIX:
        raise Invalid("ROSTER_KEY", f"roster objects live under {ROSTER_PREFIX} in the materials bucket", "key")
    text, version, sha256 = rosters.read_object(bucket, key)
    load_id = load_id_for(bucket, key, version, sha256)
    done = rosters.get_load(load_id)
    if done is not None:
        return _answer(done, already_loaded=True)
    parsed = parse_roster(kind, text, secret, now.date())
    roster_load = RosterLoad(
        load_id=load_id, kind=kind, bucket=bucket, key=key, version=version, sha256=sha256,
        loaded_by=loaded_by, loaded_at=now.isoformat(), rows=len(parsed.entries),
        error_count=len(parsed.errors), error_lines=tuple(parsed.errors[:ERROR_LINES_KEPT]),
    )
    proposals = on_certificates(load_id, parsed.entries) if on_certificates and kind == CERTIFICATES else None
    if not rosters.record_load(roster_load, parsed.entries):  # another run finished it meanwhile
        return _answer(rosters.get_load(load_id) or roster_load, already_loaded=True)
    log.info("roster %s loaded from %s: load %s, %d rows, %d refused, ignored columns %s",
             kind, key, load_id, roster_load.rows, roster_load.error_count, list(parsed.ignored_columns))
    answer = _answer(roster_load, already_loaded=False)
    answer["ignored_columns"] = list(parsed.ignored_columns)
    if proposals is not None:
        answer["proposals"] = proposals
    return answer


def lookup(rosters: RosterStore, secret: bytes, id_number: str) -> list[RosterMatch]:
    """The person's newest entry of each roster kind (by person key; the number is not stored)."""
    return rosters.entries_for(person_key(id_number, secret))


def _answer(roster_load: RosterLoad, already_loaded: bool) -> dict[str, Any]:
    return {
        "load_id": roster_load.load_id, "kind": roster_load.kind, "key": roster_load.key,
        "version": roster_load.version, "loaded_at": roster_load.loaded_at, "loaded_by": roster_load.loaded_by,
        "rows": roster_load.rows, "error_count": roster_load.error_count,
        "errors": list(roster_load.error_lines), "already_loaded": already_loaded,
    }
