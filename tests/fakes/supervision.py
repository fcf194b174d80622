"""The supervision stores in memory: the monthly checks, the yearly review tasks, the registry of 业务属地, the
comparison loads and their proposals, and the topics the jobs publish to.

Each behaves as its DynamoDB adapter does for what the services use (tests/contract/test_supervision_stores.py runs
one suite on both): an item is created only if absent and a conditional update refused by answering False or None,
as the adapter answers a failed condition; lists come back in the order of the table's range key or index; the
review tasks page with the same tokens (a token for another list, or none of ours, is 422 BAD_PAGE_TOKEN). Each call
is atomic (a lock), as a DynamoDB request is.
"""
from __future__ import annotations

import base64
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Mapping

from msgspec.structs import replace

from chalicelib.adapters.proposals_table import FIELDS, LoadState
from chalicelib.domain.errors import Invalid
from chalicelib.domain.supervision.monitoring import Check, ReviewTask


@dataclass
class _CheckItem:
    check: Check
    open_key: str | None  # "<business unit>#<month>" while unrecorded (the by_open index)
    change_key: str | None  # "<committee's township>#<month>" while the latest result is not present (by_change)


@dataclass
class FakeMonthlyChecks:
    items: dict[tuple[str, str, str], _CheckItem] = field(default_factory=dict)  # (committee, month, entitlement)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def issue(self, check: Check) -> bool:
        key = (check.committee_unit, check.month, check.entitlement_id)
        with self.lock:
            if key in self.items:
                return False
            fresh = replace(check, result=None, note=None, recorded_by=None, recorded_at=None, recordings=())
            self.items[key] = _CheckItem(fresh, f"{check.business_unit}#{check.month}", None)
            return True

    def of_committee(self, committee_unit: str, month: str) -> list[Check]:
        with self.lock:
            return [self.items[key].check for key in sorted(self.items) if key[:2] == (committee_unit, month)]

    def record(self, committee_unit: str, month: str, entitlement_id: str, result: str, note: str, by: str,
               at: str) -> Check | None:
        with self.lock:
            item = self.items.get((committee_unit, month, entitlement_id))
            if item is None:
                return None
            recording = {"result": result, "note": note, "by": by, "at": at}
            item.check = replace(item.check, result=result, note=note, recorded_by=by, recorded_at=at,
                                 recordings=(*item.check.recordings, recording))
            item.open_key = None
            item.change_key = None if result == "present" else f"{committee_unit[:9]}#{month}"
            return item.check

    def open_by_committee(self, business_unit: str, month: str) -> dict[str, int]:
        with self.lock:
            counted = Counter(key[0] for key, item in self.items.items()
                              if item.open_key == f"{business_unit}#{month}")
        return dict(sorted(counted.items()))

    def changes(self, business_unit: str, month: str) -> list[Check]:
        with self.lock:
            found = [item.check for item in self.items.values() if item.change_key == f"{business_unit}#{month}"]
        return sorted(found, key=lambda c: (c.entitlement_id, c.committee_unit))  # the index's range key


@dataclass
class FakeReviewTasks:
    items: dict[tuple[str, int], dict[str, ReviewTask]] = field(default_factory=dict)  # (unit, year) -> id -> task
    lock: threading.RLock = field(default_factory=threading.RLock)

    def existing(self, business_unit: str, year: int, entitlement_ids: list[str]) -> set[str]:
        with self.lock:
            tasks = self.items.get((business_unit, year), {})
            return {ent_id for ent_id in entitlement_ids if ent_id in tasks}

    def create(self, task: ReviewTask) -> bool:
        with self.lock:
            tasks = self.items.setdefault((task.business_unit, task.year), {})
            if task.entitlement_id in tasks:
                return False
            tasks[task.entitlement_id] = replace(task, outcome=None, note=None, recorded_by=None, recorded_at=None,
                                                 reminded_at=None, recordings=())
            return True

    def page(self, business_unit: str, year: int, limit: int, token: str | None) -> tuple[list[ReviewTask], str | None]:
        task_key = f"{business_unit}#{year}"
        after = _decode(token, task_key)
        with self.lock:
            tasks = self.items.get((business_unit, year), {})
            ids = [ent_id for ent_id in sorted(tasks) if after is None or ent_id > after]
            page = [tasks[ent_id] for ent_id in ids[:limit]]
        more = len(ids) > limit  # moto answers a LastEvaluatedKey only when an item is left
        return page, _encode(task_key, page[-1].entitlement_id) if more else None

    def record(self, business_unit: str, year: int, entitlement_id: str, outcome: str, note: str, by: str,
               at: str, method: str | None = None) -> ReviewTask | None:
        with self.lock:
            tasks = self.items.get((business_unit, year), {})
            task = tasks.get(entitlement_id)
            if task is None:
                return None
            recording = {"outcome": outcome, "note": note, "by": by, "at": at, "method": method}
            tasks[entitlement_id] = replace(task, status="done", outcome=outcome, note=note, recorded_by=by,
                                            recorded_at=at, recordings=(*task.recordings, recording), method=method)
            return tasks[entitlement_id]

    def expiring(self, business_unit: str, month: str) -> list[ReviewTask]:
        with self.lock:
            found = [task for (unit, _), tasks in self.items.items() if unit == business_unit
                     for task in tasks.values() if task.certificate_expiry == month]
        return sorted(found, key=lambda t: (t.entitlement_id, t.year))  # the index's range key, then the year

    def mark_reminded(self, task: ReviewTask, at: str) -> bool:
        with self.lock:
            tasks = self.items.get((task.business_unit, task.year), {})
            stored = tasks.get(task.entitlement_id)
            if stored is None or stored.reminded_at is not None:
                return False
            tasks[task.entitlement_id] = replace(stored, reminded_at=at)
            return True

    def unmark_reminded(self, task: ReviewTask) -> None:
        with self.lock:
            tasks = self.items.get((task.business_unit, task.year), {})
            if task.entitlement_id in tasks:
                tasks[task.entitlement_id] = replace(tasks[task.entitlement_id], reminded_at=None)


def _encode(task_key: str, entitlement_id: str) -> str:
    """The adapter's token: DynamoDB's LastEvaluatedKey as JSON, base64."""
    key = {"entitlement_id": {"S": entitlement_id}, "task_key": {"S": task_key}}
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def _decode(token: str | None, expected_task_key: str) -> str | None:
    """The entitlement to resume after; a token not issued for this very list is refused as the adapter does."""
    if not token:
        return None
    refused = Invalid("BAD_PAGE_TOKEN", "next_token is not one this API issued", "next_token")
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        raise refused from None
    if not isinstance(key, dict) or set(key) != {"task_key", "entitlement_id"} or not all(
            isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in key.values()) \
            or key["task_key"]["S"] != expected_task_key:
        raise refused
    return str(key["entitlement_id"]["S"])


@dataclass
class FakeMonitoredUnits:
    escalated_on: dict[str, str | None] = field(default_factory=dict)  # unit -> the day of its last escalation
    lock: threading.RLock = field(default_factory=threading.RLock)

    def register(self, business_unit: str) -> None:
        with self.lock:
            self.escalated_on.setdefault(business_unit, None)

    def all(self) -> list[str]:
        with self.lock:
            return sorted(self.escalated_on)

    def first_escalation_on(self, business_unit: str, day: str) -> bool:
        """As the adapter's conditional update: it also puts a unit not registered yet."""
        with self.lock:
            if self.escalated_on.get(business_unit) == day:
                return False
            self.escalated_on[business_unit] = day
            return True


@dataclass
class FakeProposals:
    loads: dict[str, dict[str, Any]] = field(default_factory=dict)
    proposals: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def load_state(self, load_id: str) -> LoadState | None:
        with self.lock:
            load = self.loads.get(load_id)
        if load is None:
            return None
        return LoadState(load["status"], load["rows"], load["errors"], load["proposals"])

    def start_load(self, load_id: str, kind: str, key: str, month: str, by: str, at: str) -> bool:
        with self.lock:
            if load_id in self.loads and self.loads[load_id]["status"] != "loading":
                return False
            self.loads[load_id] = {"kind": kind, "key": key, "status": "loading", "comparison_month": month,
                                   "loaded_by": by, "loaded_at": at, "rows": 0, "errors": 0, "proposals": 0}
            return True

    def finish_load(self, load_id: str, rows: int, errors: int, proposals: int) -> None:
        with self.lock:
            self.loads.setdefault(load_id, {}).update(status="done", rows=rows, errors=errors, proposals=proposals)

    def propose(self, fields: Mapping[str, Any]) -> bool:
        unknown = set(fields) - set(FIELDS)
        if unknown:  # PynamoDB refuses an attribute the model does not have
            raise ValueError(f"Attribute {sorted(unknown)[0]} specified does not exist")
        with self.lock:
            if fields["proposal_id"] in self.proposals:
                return False
            self.proposals[fields["proposal_id"]] = {**dict.fromkeys(FIELDS), **fields, "status": "proposed"}
            return True

    def get(self, proposal_id: str) -> dict[str, Any] | None:
        with self.lock:
            found = self.proposals.get(proposal_id)
            return dict(found) if found is not None else None

    def decide(self, proposal_id: str, status: str, by: str, at: str, note: str) -> bool:
        with self.lock:
            found = self.proposals.get(proposal_id)
            if found is None or found["status"] != "proposed":
                return False
            found.update(status=status, decided_by=by, decided_at=at, note=note)
            return True

    def of_side(self, side: str, unit: str, status: str | None) -> list[dict[str, Any]]:
        attribute = "business_unit" if side == "business" else "accepting_unit"
        with self.lock:
            found = [dict(p) for p in self.proposals.values()
                     if p[attribute] == unit and (status is None or p["status"] == status)]
        return sorted(found, key=lambda p: f"{p['status']}#{p['proposal_id']}")  # the index's range key


@dataclass
class FakeNotices:
    """The escalations and reminders topics, for the supervision jobs (``adapters.notify.Notifier``'s two calls)."""

    overdue: list[dict[str, Any]] = field(default_factory=list)
    expiring: list[dict[str, Any]] = field(default_factory=list)
    refuse_reminders: bool = False  # SNS refuses every reminder (the job unmarks it for the next run)

    def checks_overdue(self, business_unit: str, month: str, unrecorded: int, committees: Mapping[str, int]) -> str:
        self.overdue.append({"business_unit": business_unit, "month": month, "unrecorded": unrecorded,
                             "committees": dict(committees)})
        return f"sns-overdue-{len(self.overdue)}"

    def certificate_expiring(self, business_unit: str, message: Mapping[str, Any]) -> str:
        if self.refuse_reminders:
            raise RuntimeError("the reminders topic refused the message")
        self.expiring.append(dict(message, business_unit=business_unit))
        return f"sns-expiring-{len(self.expiring)}"
