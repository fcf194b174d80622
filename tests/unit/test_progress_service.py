"""The progress lookup (services/progress.py) on the in-memory case store and counters (tests/fakes): each client
counted on its own under keyed hashes, and a wrong suffix answered after the same time as an unknown number. The
counters' contract runs on moto in tests/contract/test_request_stores.py; the route in tests/integration."""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain.cases.case import Actor
from chalicelib.services import cases, progress
from tests.fakes.cases import FakeCases
from tests.fakes.requests import FakeCounters
from tests.fakes.world import case_world
from tests.support.people import SHANGHAI_WINDOW, fresh_application

NOW = datetime.fromisoformat("2026-09-24T10:00:00+08:00")
SECRET = b"k" * 32
UNKNOWN_CASE = "C20260924DEADBEEF00"
WINDOW = Actor("window-310101002", "窗口", "window", SHANGHAI_WINDOW)
NO_WAIT = progress.Pace(wait=lambda seconds: None)  # the floor's wait is measured below, not slept here


def test_each_client_is_counted_on_its_own():
    counters, limits = FakeCounters(), progress.Limits(client_lookups=2, client_window_seconds=600, case_failures=5)
    repo = FakeCases()

    def ask(client: str) -> str:
        try:
            progress.lookup(repo, counters, limits, SECRET, client, lambda: {"case_id": "C1", "id_suffix": "123456"},
                            NOW, NO_WAIT)
        except Exception as error:  # noqa: BLE001 - the code is what the test compares
            return getattr(error, "code", repr(error))
        return "ok"

    assert [ask("198.51.100.7"), ask("198.51.100.7"), ask("198.51.100.7")] == [
        "PROGRESS_NOT_FOUND", "PROGRESS_NOT_FOUND", "TOO_MANY_LOOKUPS"]
    assert ask("203.0.113.9") == "PROGRESS_NOT_FOUND"
    stored = list(counters.tallies)
    assert not any("198.51.100.7" in key for key in stored)  # addresses kept only as keyed hashes


class StoppedClock:
    """The lookup's own time source: each reading advances by the step given, and waits are recorded."""

    def __init__(self, step: float) -> None:
        self.now, self.step, self.waited = 100.0, step, []

    def clock(self) -> float:
        self.now += self.step
        return self.now

    def wait(self, seconds: float) -> None:
        self.waited.append(seconds)
        self.now += seconds


def test_a_wrong_suffix_and_an_unknown_number_are_answered_after_the_same_time():
    world = case_world()
    case = cases.accept(world.deps, fresh_application(), WINDOW, NOW)
    counters = FakeCounters()
    limits = progress.Limits(50, 60, 50)
    spent = {}
    for name, wanted, step in (("wrong suffix", {"case_id": case["case_id"], "id_suffix": "00000X"}, 0.004),
                               ("unknown case", {"case_id": UNKNOWN_CASE, "id_suffix": "00000X"}, 0.001)):
        clock = StoppedClock(step)
        started = clock.now
        try:
            progress.lookup(world.cases, counters, limits, SECRET, f"client-{name}", lambda wanted=wanted: wanted,
                            NOW, progress.Pace(clock.clock, clock.wait))
        except Exception as error:  # noqa: BLE001 - the 404 is the point
            assert getattr(error, "code", None) == "PROGRESS_NOT_FOUND"
        spent[name] = clock.now - started
        assert clock.waited, name
    assert abs(spent["wrong suffix"] - spent["unknown case"]) < 0.02
    assert min(spent.values()) >= progress.NOT_FOUND_FLOOR
