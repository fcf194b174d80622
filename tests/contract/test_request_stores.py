"""One contract, two implementations: the request stores on moto (adapters/idempotency_table.py, limits_table.py) and
in memory (tests/fakes/requests.py). What the idempotency and progress services rely on: a key claimed once, a running
claim taken over only once its lease ended before the stated moment, a finished answer never, a released key free
again; a counter that takes one while below its limit, atomically, and gives one back only above zero; and both
services answering alike on both stores."""
from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest

from chalicelib.adapters.idempotency_table import IdempotencyKeys, IdempotencyModel, Remembered
from chalicelib.adapters.limits_table import Counters, LimitModel
from chalicelib.domain.errors import Conflict, Invalid
from chalicelib.services import idempotency
from tests.contract.conftest import emptied
from tests.fakes.requests import FakeCounters, FakeIdempotencyKeys

NOW = datetime.fromisoformat("2026-09-24T10:00:00+08:00")
T = int(NOW.timestamp())  # epoch seconds, as the service hands them
AT = NOW.isoformat()


@pytest.fixture()
def keys(backend: str) -> Any:
    if backend == "fake":
        return FakeIdempotencyKeys()
    emptied(IdempotencyModel)
    return IdempotencyKeys()


@pytest.fixture()
def counters(backend: str) -> Any:
    if backend == "fake":
        return FakeCounters()
    emptied(LimitModel)
    return Counters()


# --- Idempotency-Key ---------------------------------------------------------------------------------------------

def test_a_key_is_claimed_once_and_its_final_answer_remembered(keys):
    assert keys.claim("k1", "f1", AT, T, T + 90, T + 7 * 86400) is None
    assert keys.claim("k1", "f1", AT, T + 1, T + 91, T + 7 * 86400) == Remembered("f1", "running", None, None)
    assert keys.claim("k1", "f2", AT, T + 1, T + 91, T + 7 * 86400).fingerprint == "f1"
    keys.complete("k1", 201, '{"case_id": "C1"}')
    assert keys.claim("k1", "f1", AT, T + 2, T + 92, T + 7 * 86400) == Remembered("f1", "done", 201,
                                                                                  '{"case_id": "C1"}')
    assert keys.claim("k2", "f1", AT, T + 2, T + 92, T + 7 * 86400) is None  # keys are independent


def test_a_running_claim_is_taken_over_only_after_its_lease_ended_a_finished_one_never(keys):
    keys.claim("k1", "f1", AT, T, T + 90, T + 7 * 86400)
    assert keys.claim("k1", "f2", AT, T + 90, T + 180, T + 7 * 86400) is not None  # the lease's last second
    assert keys.claim("k1", "f2", AT, T + 91, T + 181, T + 7 * 86400) is None  # taken over, with its own body
    assert keys.claim("k1", "f1", AT, T + 92, T + 182, T + 7 * 86400) == Remembered("f2", "running", None, None)
    keys.complete("k1", 200, "{}")
    assert keys.claim("k1", "f3", AT, T + 10**6, T + 10**6 + 90, T + 7 * 86400) == Remembered("f2", "done", 200,
                                                                                                "{}")


def test_a_released_key_is_free_again(keys):
    keys.claim("k1", "f1", AT, T, T + 90, T + 7 * 86400)
    keys.release("k1")
    assert keys.claim("k1", "f2", AT, T + 1, T + 91, T + 7 * 86400) is None
    keys.release("k1")
    keys.release("k1")  # twice: nothing to release
    assert keys.claim("k1", "f3", AT, T + 2, T + 92, T + 7 * 86400) is None


def test_the_idempotency_service_answers_alike_on_both_stores(keys):
    body = b'{"a": 1, "b": [2, 3]}'
    assert idempotency.begin(keys, "k1", body, NOW) is None
    with pytest.raises(Conflict) as running:
        idempotency.begin(keys, "k1", b'{"b": [2, 3], "a": 1}', NOW)  # the same JSON, respaced
    assert running.value.code == "IDEMPOTENCY_IN_PROGRESS"
    idempotency.finish(keys, "k1", 201, '{"ok": true}')
    assert idempotency.begin(keys, "k1", body, NOW) == idempotency.Replay(201, '{"ok": true}')
    with pytest.raises(Invalid) as reused:
        idempotency.begin(keys, "k1", b'{"a": 2}', NOW)
    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert idempotency.begin(keys, "k2", body, NOW) is None
    idempotency.finish(keys, "k2", 409, '{"error": {}}')  # not final: forgotten
    assert idempotency.begin(keys, "k2", body, NOW) is None
    later = datetime.fromtimestamp(T + idempotency.LEASE_SECONDS + 1, NOW.tzinfo)
    assert idempotency.begin(keys, "k2", b'{"other": true}', later) is None  # a dead request's key taken over


# --- the progress route's counters -------------------------------------------------------------------------------

def test_a_counter_takes_up_to_its_limit_and_gives_back_only_above_zero(counters):
    assert counters.count("case#C1#2026-09-24") == 0
    assert [counters.take("case#C1#2026-09-24", 3, T + 86400) for _ in range(4)] == [True, True, True, False]
    assert counters.count("case#C1#2026-09-24") == 3
    counters.give_back("case#C1#2026-09-24")
    assert counters.take("case#C1#2026-09-24", 3, T + 86400) and not counters.take("case#C1#2026-09-24", 3, T)
    assert counters.take("case#C2#2026-09-24", 3, T + 86400)  # each key on its own
    assert counters.take("case#C1#2026-09-24", 5, T + 86400)  # the limit is the caller's, each time
    for _ in range(6):
        counters.give_back("case#C2#2026-09-24")
    assert counters.count("case#C2#2026-09-24") == 0
    counters.give_back("case#C3#2026-09-24")  # never taken: nothing to give back
    assert counters.count("case#C3#2026-09-24") == 0


def test_concurrent_wrong_guesses_never_compare_more_than_the_limit(counters):
    taken: list[bool] = []
    lock = threading.Lock()

    def guess() -> None:
        # each conditional update runs whole, as DynamoDB applies one item's updates one at a time
        # (moto's in-process DynamoDB is not thread-safe); no read-then-write in between to race
        with lock:
            taken.append(counters.take("case#C9#2026-09-24", 5, 0))

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert taken.count(True) == 5 and counters.count("case#C9#2026-09-24") == 5
