"""Concurrent changes to one case lose no update: the case services racing in threads on the in-memory store.

Each repository call is atomic, as one DynamoDB request is (tests/contract/test_case_store.py holds the store to
the version and lock conditions the race relies on, on moto too); the service's read → check → write cycle is left
free to interleave, which is where lost updates would come from. To make the race certain rather than likely,
``Rounds`` holds each thread after its k-th read of the case until every thread still running has made its k-th
read: every attempt then starts from the same version, the worst case the service's re-read-and-retry must survive.
The threads run without the case clock (``Deps.clock=None``, as where no clock runs).

The same races over HTTP against the embedded stack: tests/e2e.
"""
from __future__ import annotations

import concurrent.futures
import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from msgspec.structs import replace

from chalicelib.domain.cases.case import Actor
from chalicelib.domain.errors import DomainError
from chalicelib.domain.refusals import StaleCase
from chalicelib.services import cases, retrying
from tests.fakes.world import CaseWorld, case_world
from tests.support.people import SHANGHAI_WINDOW, application, declaration, fresh_application, id_number, pdf_bytes

CHINA = timezone(timedelta(hours=8))
NOW = datetime(2026, 9, 24, 10, 0, tzinfo=CHINA)
WINDOW = Actor(sub="window-310101002", name="窗口", role="window", unit=SHANGHAI_WINDOW)
WAIT_SECONDS = 20


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


class Counted:
    """The repository, counting reads and refused writes; reads wait for the round."""

    def __init__(self, repo: Any, rounds: Rounds) -> None:
        self._repo, self._rounds = repo, rounds
        self.reads = self.conflicts = 0
        self._lock = threading.Lock()

    def get(self, case_id: str) -> Any:
        case = self._repo.get(case_id)
        with self._lock:
            self.reads += 1
        self._rounds.read_together()
        return case

    def save(self, case: Any, event: Any, writes: Any = None) -> Any:
        try:
            return self._repo.save(case, event, *(() if writes is None else (writes,)))
        except StaleCase:
            with self._lock:
                self.conflicts += 1
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._repo, name)


@pytest.fixture()
def world() -> CaseWorld:
    return case_world()


def race(world: CaseWorld, contenders: int, attempt: Callable[[Any, int], Any]) -> tuple[list[Any], Counted]:
    """Run ``attempt(deps, i)`` in ``contenders`` threads at once; DomainErrors are results."""
    rounds = Rounds(contenders)
    repo = Counted(world.cases, rounds)
    racing = replace(world.deps, repo=repo, messages=replace(world.messaging, repo=world.cases))

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


def ready_case(world: CaseWorld, **overrides: Any) -> str:
    accepted = cases.accept(world.deps, fresh_application("579", **overrides), WINDOW, NOW)
    world.receive_notice(accepted["case_id"], WINDOW, NOW)
    return str(accepted["case_id"])


def test_five_simultaneous_pushes_leave_exactly_one_pushed_event(world):
    case_id = ready_case(world)
    version = cases.complete(world.deps, case_id, WINDOW, "accepting", NOW)["version"]

    results, repo = race(world, 5, lambda d, i: cases.push(d, case_id, WINDOW, "accepting", NOW))

    won = [r for r in results if isinstance(r, dict)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 4, results
    assert all(error.status == 409 and error.code == "INVALID_TRANSITION" for error in lost), \
        [(e.status, e.code) for e in lost]
    assert repo.conflicts == 4  # all five really wrote from the same version
    case = world.cases.get(case_id)
    assert case.status.value == "under_review"
    assert case.version == version + 1  # the push (its milestone SMS changes the message, not the case)
    timeline = [e.event for e in world.cases.timeline(case_id)]
    assert timeline.count("pushed") == 1 and len(timeline) == case.version
    assert [d.kind.value for d in case.deadlines] == ["materials", "push", "review"]


def test_two_simultaneous_decisions_leave_exactly_one_decision(world):
    case_id = ready_case(world)
    cases.complete(world.deps, case_id, WINDOW, "accepting", NOW)
    cases.push(world.deps, case_id, WINDOW, "accepting", NOW)
    reviewers = [Actor(sub=f"reviewer-{n}", name="审核", role="reviewer", unit="230102001") for n in (1, 2)]
    bodies = [{"outcome": "rejected", "reason": "不符合条件"},
              {"outcome": "approved", "reason": "非重度残疾", "subsidies": [{"type": "living", "monthly_amount": "99.00"}]}]

    results, repo = race(world, 2, lambda d, i: cases.decide(d, case_id, bodies[i], reviewers[i], "business", NOW))

    won = [r for r in results if isinstance(r, dict)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert (lost[0].status, lost[0].code) == (409, "INVALID_TRANSITION")
    assert repo.conflicts == 1
    case = world.cases.get(case_id)
    assert case.status.value == "result_returned" and case.decision is not None
    assert case.decision["outcome"] == won[0]["decision"]["outcome"]
    assert case.decision["decided_by"] == won[0]["decision"]["decided_by"]
    timeline = [e.event for e in world.cases.timeline(case_id)]
    assert timeline.count("decided") == 1 and len(timeline) == case.version
    assert len(world.cases.entitlements.items) == (1 if case.decision["outcome"] == "approved" else 0)


def _registrations(world: CaseWorld, contenders: int, **overrides: Any) -> tuple[str, list[Any], list[str]]:
    accepted = cases.accept(world.deps, fresh_application("579", **overrides), WINDOW, NOW)
    case_id = accepted["case_id"]
    codes = [item["code"] for item in accepted["notice"]["materials"]][:contenders]
    assert len(codes) == contenders

    def register(d: Any, index: int) -> Any:
        code = codes[index]
        return cases.add_material(d, case_id, declaration(code, pdf_bytes(code)), WINDOW, "accepting", NOW)

    results, _ = race(world, contenders, register)
    return case_id, results, codes


@pytest.mark.parametrize("contenders", [2, 3, 6])
def test_simultaneous_registrations_of_different_materials_all_succeed(world, contenders):
    case_id, results, codes = _registrations(world, contenders)
    assert all(isinstance(r, dict) for r in results), [getattr(r, "code", r) for r in results]
    case = world.cases.get(case_id)
    assert sorted(m.code for m in case.materials) == sorted(codes)
    assert sorted(m.material_id for m in case.materials) == sorted(r["material_id"] for r in results)
    timeline = [e.event for e in world.cases.timeline(case_id)]
    assert timeline == ["accepted"] and case.version == 1  # a registration is no case change (nor is the SMS)


def test_nine_registrations_at_once_all_land_whatever_the_retry_budget(world):
    """Nine writers at once (an agent's case has nine materials), more than the service's retry budget: a
    registration is appended to the materials as stored, so only the first write of the materials can refuse the
    others (once each); every one lands, none twice, and no event is written."""
    assert retrying.RETRIES < 9
    agent = {"name": "李四", "id_number": id_number(region="310101", birth="19850505", sequence="222"),
             "relationship": "child"}
    case_id, results, codes = _registrations(world, 9, agent=agent)
    case = world.cases.get(case_id)
    assert all(isinstance(r, dict) for r in results), [getattr(r, "code", "ok") for r in results]
    assert sorted(m.material_id for m in case.materials) == sorted(r["material_id"] for r in results)
    assert [e.event for e in world.cases.timeline(case_id)] == ["accepted"]


def test_twelve_windows_accepting_the_same_person_at_the_same_instant_exactly_one_wins(world):
    body = application(id_number(sequence="953"))
    windows = [f"3101010{n:02d}" for n in range(10, 22)]
    barrier = threading.Barrier(len(windows))

    def attempt(unit: str) -> str:
        barrier.wait()
        try:
            cases.accept(world.deps, body, Actor(f"w-{unit}", "窗口", "window", unit), NOW)
            return "accepted"
        except DomainError as error:
            return error.code

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(windows)) as pool:
        outcomes = list(pool.map(attempt, windows))
    assert outcomes.count("accepted") == 1, outcomes
    assert set(outcomes) - {"accepted"} <= {"DUPLICATE_APPLICATION"}, outcomes
    assert len(world.cases.stored) == 1


def test_simultaneous_receipts_all_land_and_the_one_that_completes_is_the_only_chained_event(world):
    """Three windows confirm the last three materials at once. A receipt that completes nothing is kept alone, on
    the receipts' version as read (no version, no event, docs/decisions.md 2026-12-06): of receipts made on one read
    one lands and the others read again; the receipt that then finds itself the last is the chained change that
    completes the case, once. Every receipt lands, none is lost."""
    accepted = cases.accept(world.deps, fresh_application("579"), WINDOW, NOW)
    case_id = accepted["case_id"]
    registered = []
    for item in accepted["notice"]["materials"]:
        content = pdf_bytes(item["code"])
        slot = cases.add_material(world.deps, case_id, declaration(item["code"], content), WINDOW, "accepting", NOW)
        world.files.store(slot["upload"], content)
        registered.append(slot["material_id"])
    for material_id in registered[:-3]:
        cases.confirm_material(world.deps, case_id, material_id, WINDOW, "accepting", NOW)

    def confirm(d: Any, index: int) -> Any:
        return cases.confirm_material(d, case_id, registered[-3:][index], WINDOW, "accepting", NOW)

    results, _ = race(world, 3, confirm)
    assert all(isinstance(r, dict) and r["status"] == "received" for r in results), results
    case = world.cases.get(case_id)
    assert case.status.value == "awaiting_push" and all(m.status == "received" for m in case.materials)
    assert [e.event for e in world.cases.timeline(case_id)] == ["accepted", "materials_completed"]
    assert case.version == 2
    shown = [e["event"] for e in cases.read(world.deps, case_id, WINDOW, "accepting", NOW.date())["timeline"]]
    assert [e for e in shown if not e.startswith("message_")] == (
        ["accepted"] + ["material_received"] * (len(registered) - 1) + ["materials_completed"])
