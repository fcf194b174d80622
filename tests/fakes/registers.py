"""The authoritative registers in memory: the roster objects (versioned, as the materials bucket keeps them), the
load records, the person index and each kind's pointer to its newest load.

``FakeRosters`` behaves as ``adapters.registers_table.Rosters`` (tests/contract/test_register_store.py runs one
suite on both): an object reads back as text (UTF-8 or GB18030, else 422 UPLOAD_ENCODING) with its version and
SHA-256, a missing one is 422 ROSTER_MISSING; a load is recorded once, an interrupted one (left ``loading``) is
finished by running it again; a person's entries come from their newest load of each kind; a kind's newest load
moves only to a later one, whatever order loads finish in.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from msgspec.structs import replace

from chalicelib.domain.errors import Invalid
from chalicelib.domain.rules.registers import ERROR_LINES_KEPT, RosterEntry, RosterLoad, RosterMatch, newest_per_kind
from chalicelib.domain.values import uploaded_text


@dataclass
class FakeRosters:
    objects: dict[tuple[str, str], list[bytes]] = field(default_factory=dict)  # (bucket, key) -> versions
    loads: dict[str, tuple[str, RosterLoad]] = field(default_factory=dict)  # load id -> (status, load)
    newest: dict[str, tuple[str, str]] = field(default_factory=dict)  # kind -> (load id, loaded at)
    entries: dict[str, dict[str, RosterMatch]] = field(default_factory=dict)  # person key -> "<kind>#<load>" -> entry
    lock: threading.RLock = field(default_factory=threading.RLock)

    # --- what an operator's upload and an interrupted run leave (the tests' side) --------------------------------

    def put_object(self, bucket: str, key: str, body: bytes) -> str:
        """An upload to the versioned bucket; its version id."""
        with self.lock:
            versions = self.objects.setdefault((bucket, key), [])
            versions.append(body)
            return f"v{len(versions)}-{hashlib.sha256(body).hexdigest()[:8]}"

    def leave_loading(self, load_id: str) -> None:
        """A run that died while writing the entries leaves its load ``loading``."""
        with self.lock:
            self.loads[load_id] = ("loading", self.loads[load_id][1])

    # --- Rosters --------------------------------------------------------------------------------------------------

    def read_object(self, bucket: str, key: str) -> tuple[str, str | None, str]:
        with self.lock:
            versions = list(self.objects.get((bucket, key), ()))
        if not versions:
            raise Invalid("ROSTER_MISSING", "no roster object under this key", "key")
        body = versions[-1]
        text, _encoding = uploaded_text(body)
        return text, f"v{len(versions)}-{hashlib.sha256(body).hexdigest()[:8]}", hashlib.sha256(body).hexdigest()

    def get_load(self, load_id: str) -> RosterLoad | None:
        with self.lock:
            status, load = self.loads.get(load_id, ("", None))
        return load if status == "loaded" else None

    def record_load(self, roster_load: RosterLoad, entries: Sequence[RosterEntry]) -> bool:
        stored = replace(roster_load, error_lines=tuple(roster_load.error_lines[:ERROR_LINES_KEPT]))
        with self.lock:
            if roster_load.load_id in self.loads and self.loads[roster_load.load_id][0] != "loading":
                return False
            self.loads[roster_load.load_id] = ("loading", stored)
            entry_key = f"{roster_load.kind}#{roster_load.load_id}"
            for entry in entries:
                self.entries.setdefault(entry.person_key, {})[entry_key] = RosterMatch(
                    kind=entry.kind, load_id=roster_load.load_id, loaded_at=roster_load.loaded_at,
                    fields={k: str(v) for k, v in entry.fields.items()}, masked_id=entry.masked_id)
            self.loads[roster_load.load_id] = ("loaded", stored)
            held = self.newest.get(roster_load.kind)
            if held is None or held[1] < roster_load.loaded_at:  # as the pointer's condition compares the strings
                self.newest[roster_load.kind] = (roster_load.load_id, roster_load.loaded_at)
            return True

    def newest_loads(self) -> dict[str, tuple[str, str]]:
        with self.lock:
            return dict(self.newest)

    def entries_for(self, person_key: str) -> list[RosterMatch]:
        with self.lock:
            matches = list(self.entries.get(person_key, {}).values())
        return sorted(newest_per_kind(matches).values(), key=lambda match: match.kind)
