"""Concurrent changes to one case must not lose updates.

Why the service functions and not the Chalice test client: the handlers read the request from
``app.current_request``, one attribute of the one ``Chalice`` object, so two requests in two
threads of one process would read each other's headers and bodies (Lambda runs one request per
container at a time, so production is not affected). The threads therefore call
``chalicelib.services.cases`` with ``wiring.deps()`` and an ``Actor``, as the handlers do.

Why a lock around each repository call: moto's in-process DynamoDB is not thread-safe (its
``transact_write_items`` deep-copies the tables while another thread writes them, and fails with
"dictionary changed size during iteration"). Real DynamoDB executes each request atomically, so
the tests make every repository call atomic, and nothing more: the read → check → write cycle of
the service is left free to interleave, which is where lost updates would come from.

The racing threads run without the case clock (``Deps.clock=None``, which ``Deps`` allows "where
no clock runs"): the clock is a Step Functions execution that moto runs in threads of its own,
outside any lock, and it is not what these tests are about.

To make the race certain rather than likely, ``Rounds`` holds each thread after its k-th read of
the case until every thread still running has made its k-th read: every attempt then starts from
the same version, the worst case the service's re-read-and-retry must survive.
"""
from __future__ import annotations

import concurrent.futures
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest

from chalicelib.domain.case import Actor, Material, register_material
from chalicelib.domain.errors import DomainError
from chalicelib.domain.refusals import StaleCase
from chalicelib.services import cases, retrying
from chalicelib.wiring import deps
from tests.integration import conftest as integration
from tests.support.people import (
    SHANGHAI_WINDOW,
    declaration,
    fresh_application,
    id_number,
    pdf_bytes,
)

CHINA = timezone(timedelta(hours=8))
NOW = datetime(2026, 9, 24, 10, 0, tzinfo=CHINA)
WINDOW = Actor(sub="window-310101002", name="窗口", role="window", unit=SHANGHAI_WINDOW)
WAIT_SECONDS = 20


@pytest.fixture(scope="module")
def world() -> Any:
    yield from integration.shared_api()


@pytest.fixture()
def api(world: Any) -> Any:
    world.now = NOW.isoformat()
    return world


def fresh(**overrides: Any) -> dict[str, Any]:
    return fresh_application("579", **overrides)


class Rounds:
    """After its k-th read, each contender waits for the k-th read of every contender still running."""

    def __init__(self, contenders: int) -> None:
        self._condition = threading.Condition()
        self._running = contenders
        self._arrived = 0
        self._round = 0

    def read_together(self) -> None:
        with self._condition:
            mine = self._round
            self._arrived += 1
            if self._arrived >= self._running:
                self._next_round()
                return
            released = self._condition.wait_for(lambda: self._round != mine, timeout=WAIT_SECONDS)
            assert released, "the other contenders never read the case"

    def leave(self) -> None:
        with self._condition:
            self._running -= 1
            if self._running and self._arrived >= self._running:
                self._next_round()

    def _next_round(self) -> None:
        self._round += 1
        self._arrived = 0
        self._condition.notify_all()


class AtomicRequests:
    """The real repository, one request at a time (as DynamoDB would execute them)."""

    def __init__(self, repo: Any, rounds: Rounds | None = None, lock: Any = None) -> None:
        self._repo = repo
        self._rounds = rounds
        self._lock = lock or threading.Lock()
        self.reads = 0
        self.conflicts = 0

    def get(self, case_id: str) -> Any:
        with self._lock:
            self.reads += 1
            case = self._repo.get(case_id)
        if self._rounds is not None:
            self._rounds.read_together()
        return case

    def save(self, case: Any, event: Any, extra: Any = None) -> Any:
        with self._lock:
            try:
                return self._repo.save(case, event, extra)
            except StaleCase:
                self.conflicts += 1
                raise

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._repo, name)

        def atomic(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return method(*args, **kwargs)

        return atomic


def race(contenders: int, attempt: Callable[[Any, int], Any]) -> tuple[list[Any], AtomicRequests]:
    """Run ``attempt(deps, i)`` in ``contenders`` threads at once; DomainErrors are results."""
    rounds = Rounds(contenders)
    repo = AtomicRequests(deps().repo, rounds)
    # the winner's milestone SMS runs after its commit while the losers still read: its calls take the same lock
    # (moto's in-process backends are not thread-safe; DynamoDB and SNS are)
    messages = deps().messages
    one_at_a_time = {name: AtomicRequests(getattr(messages, name), lock=repo._lock)
                     for name in ("repo", "outbox", "sender", "sms") if getattr(messages, name) is not None}
    racing = replace(deps(), repo=repo, clock=None, messages=replace(messages, **one_at_a_time))

    def run(index: int) -> Any:
        try:
            return attempt(racing, index)
        except DomainError as error:
            return error
        finally:
            rounds.leave()

    with concurrent.futures.ThreadPoolExecutor(max_workers=contenders) as pool:
        results = list(pool.map(run, range(contenders)))
    return results, repo


def ready_case(api: Any) -> str:
    return api.ready_case(fresh())["case_id"]


def test_five_simultaneous_pushes_leave_exactly_one_pushed_event(api):
    case_id = ready_case(api)
    assert api.window("POST", f"/cases/{case_id}/complete").status_code == 200
    version = api.window("GET", f"/cases/{case_id}").data["version"]

    results, repo = race(5, lambda d, i: cases.push(d, case_id, WINDOW, "accepting", NOW))

    won = [r for r in results if isinstance(r, dict)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 4, results
    assert all(error.status == 409 and error.code == "INVALID_TRANSITION" for error in lost), \
        [(e.status, e.code) for e in lost]
    assert repo.conflicts == 4  # all five really wrote from the same version

    case = api.window("GET", f"/cases/{case_id}").data
    assert case["status"] == "under_review"
    assert case["version"] == version + 2  # the push and its milestone SMS (message_sent)
    assert [e["event"] for e in case["timeline"]].count("pushed") == 1
    assert len(case["timeline"]) == case["version"]
    assert [d["kind"] for d in case["deadlines"]] == ["push", "review"]


def test_two_simultaneous_decisions_leave_exactly_one_decision(api):
    case_id = ready_case(api)
    api.window("POST", f"/cases/{case_id}/complete")
    api.window("POST", f"/cases/{case_id}/push")
    reviewers = [Actor(sub=f"reviewer-{n}", name="审核", role="reviewer", unit="230102001") for n in (1, 2)]
    bodies = [{"outcome": "rejected", "reason": "不符合条件"},
              {"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "99.00"}]}]

    results, repo = race(2, lambda d, i: cases.decide(d, case_id, bodies[i], reviewers[i], "business", NOW))

    won = [r for r in results if isinstance(r, dict)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert (lost[0].status, lost[0].code) == (409, "INVALID_TRANSITION")
    assert repo.conflicts == 1
    case = api.reviewer("GET", f"/cases/{case_id}").data
    assert case["status"] == "result_returned"
    assert case["decision"]["outcome"] == won[0]["decision"]["outcome"]
    assert case["decision"]["decided_by"] == won[0]["decision"]["decided_by"]
    assert [e["event"] for e in case["timeline"]].count("decided") == 1
    assert len(case["timeline"]) == case["version"]


def _registrations(api: Any, contenders: int, **overrides: Any) -> tuple[str, list[Any], list[str]]:
    accepted = api.window("POST", "/cases", fresh(**overrides)).data
    case_id = accepted["case_id"]
    codes = [item["code"] for item in accepted["notice"]["materials"]][:contenders]
    assert len(codes) == contenders

    def register(d: Any, index: int) -> Any:
        code = codes[index]
        return cases.add_material(d, case_id, declaration(code, pdf_bytes(code)), WINDOW, "accepting", NOW)

    results, _ = race(contenders, register)
    return case_id, results, codes


@pytest.mark.parametrize("contenders", [2, 3])
def test_simultaneous_registrations_of_different_materials_all_succeed(api, contenders):
    case_id, results, codes = _registrations(api, contenders)
    assert all(isinstance(r, dict) for r in results), [getattr(r, "code", r) for r in results]
    case = api.window("GET", f"/cases/{case_id}").data
    assert sorted(m["code"] for m in case["materials"]) == sorted(codes)
    assert sorted(m["material_id"] for m in case["materials"]) == sorted(r["material_id"] for r in results)
    assert [e["event"] for e in case["timeline"]].count("material_registered") == contenders
    assert case["version"] == 2 + contenders == len(case["timeline"])  # 2: accepted, message_sent


def test_six_simultaneous_registrations_of_different_materials_all_succeed(api):
    case_id, results, codes = _registrations(api, 6)
    assert all(isinstance(r, dict) for r in results), [getattr(r, "code", r) for r in results]
    case = api.window("GET", f"/cases/{case_id}").data
    assert sorted(m["code"] for m in case["materials"]) == sorted(codes)
    assert [e["event"] for e in case["timeline"]].count("material_registered") == 6
    assert case["version"] == 8 == len(case["timeline"])  # accepted, message_sent, six registrations


def test_a_registration_that_runs_out_of_retries_is_a_409_and_stores_nothing(api):
    """Nine writers at once (an agent's case has nine materials): whoever exhausts the service's
    retry budget gets 409, and leaves no half-written material or event behind."""
    agent = {"name": "李四", "id_number": id_number(region="310101", birth="19850505", sequence="222"),
             "relationship": "child"}
    case_id, results, codes = _registrations(api, 9, agent=agent)
    case = api.window("GET", f"/cases/{case_id}").data
    succeeded = [r for r in results if isinstance(r, dict)]
    failed = [r for r in results if isinstance(r, DomainError)]
    assert len(succeeded) == min(9, retrying.RETRIES), [getattr(r, "code", "ok") for r in results]
    assert all((error.status, error.code) == (409, "CONCURRENT_UPDATE") for error in failed), \
        [(e.status, e.code) for e in failed]
    assert sorted(m["material_id"] for m in case["materials"]) == sorted(r["material_id"] for r in succeeded)
    assert [e["event"] for e in case["timeline"]].count("material_registered") == len(succeeded)
    assert case["version"] == 2 + len(succeeded) == len(case["timeline"])  # 2: accepted, message_sent


# --- the repository's own guard ---------------------------------------------------------------


def _material(code: str) -> Material:
    return Material(material_id=f"m-{code}", code=code, filename=f"{code}.pdf", content_type="application/pdf",
                    size=10, sha256="0" * 64, object_key=f"k/{code}", registered_at=NOW.isoformat())


def test_a_second_save_from_the_same_stale_copy_is_a_version_conflict(api):
    case_id = api.window("POST", "/cases", fresh()).data["case_id"]
    repo = deps().repo
    stale = repo.get(case_id)
    assert stale.version == 2  # accepted, and the 受理 SMS recorded (message_sent)

    first, first_event = register_material(stale, _material("photo"), WINDOW, NOW)
    saved = repo.save(first, first_event)
    assert saved.version == 3

    second, second_event = register_material(stale, _material("id_card"), WINDOW, NOW)
    with pytest.raises(StaleCase):
        repo.save(second, second_event)

    stored = repo.get(case_id)
    assert stored.version == 3
    assert [m.code for m in stored.materials] == ["photo"]
    timeline = repo.timeline(case_id)
    assert [e.event for e in timeline] == ["accepted", "message_sent", "material_registered"]
    assert timeline[2].detail["code"] == "photo"


def test_saving_a_new_case_under_an_existing_id_is_a_version_conflict(api):
    case_id = api.window("POST", "/cases", fresh()).data["case_id"]
    repo = deps().repo
    existing = repo.get(case_id)
    recreated, event = register_material(replace(existing, version=0), _material("photo"), WINDOW, NOW)
    with pytest.raises(StaleCase):
        repo.save(recreated, event)
    assert repo.get(case_id).version == 2
    assert [e.event for e in repo.timeline(case_id)] == ["accepted", "message_sent"]
