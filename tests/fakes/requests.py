"""What requests keep in memory: the answers remembered under an ``Idempotency-Key`` and the progress route's limit
counters.

Each behaves as its DynamoDB adapter does (tests/contract/test_request_stores.py runs one suite on both): a key is
claimed once and a running claim taken over only after its lease ended *before* the moment given, a finished one
never; a counter takes one while it is below its limit, atomically, and gives one back only above zero. Each call
is atomic (a lock), as a DynamoDB conditional write is, so requests can race on it in threads.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from chalicelib.adapters.idempotency_table import Remembered


@dataclass
class FakeIdempotencyKeys:
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def claim(self, key: str, fingerprint: str, at: str, now: int, lease_until: int,
              expires_at: int) -> Remembered | None:
        with self.lock:
            item = self.items.get(key)
            lapsed = item is not None and item["state"] == "running" and item["lease_until"] is not None \
                and item["lease_until"] < now
            if item is None or lapsed:
                self.items[key] = {"fingerprint": fingerprint, "state": "running", "status": None, "body": None,
                                   "created_at": at, "lease_until": lease_until, "expires_at": expires_at}
                return None
            return Remembered(item["fingerprint"], item["state"], item["status"], item["body"])

    def complete(self, key: str, status: int, body: str) -> None:
        with self.lock:
            item = self.items.setdefault(key, {"fingerprint": None, "lease_until": None})  # an update puts the item
            item.update(state="done", status=status, body=body)

    def release(self, key: str) -> None:
        with self.lock:
            self.items.pop(key, None)


@dataclass
class FakeCounters:
    tallies: dict[str, int] = field(default_factory=dict)
    expires_at: dict[str, int] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def take(self, key: str, limit: int, expires_at: int) -> bool:
        with self.lock:
            if key in self.tallies and self.tallies[key] >= limit:
                return False
            self.tallies[key] = self.tallies.get(key, 0) + 1
            self.expires_at[key] = expires_at
            return True

    def give_back(self, key: str) -> None:
        with self.lock:
            if self.tallies.get(key, 0) > 0:
                self.tallies[key] -= 1

    def count(self, key: str) -> int:
        with self.lock:
            return self.tallies.get(key, 0)
