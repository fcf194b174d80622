"""The caller's worklist (services/worklists.py, GET /cases): each side's cases, filters, order and paging, on the
in-memory case store, whose unit indexes answer as DynamoDB's do (tests/contract/test_case_store.py).

One set of cases, built once for the module (worklists only read):

| case | 受理地 (window)      | 业务属地 (hukou) | state                                      |
|------|----------------------|------------------|--------------------------------------------|
| A    | 310101002 上海黄浦    | 230102001 道里    | complete 09-24, push due 09-30             |
| B    | 310101002            | 230103001 南岗    | complete 09-30, push due 10-10             |
| C    | 310101002            | 230102001        | awaiting materials, 收件时限 due 10-15      |
| P    | 310101002            | 230102001        | pushed 09-28, review deadline open         |
| D    | 310101003 (other)    | 230102001        | awaiting materials                         |
| E    | 230103001 哈尔滨南岗  | 230102001        | pushed 09-28 (both sides in 23)            |
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl

import pytest

from chalicelib.domain.cases.case import Actor
from chalicelib.services import cases, worklists
from tests.fakes.world import CaseWorld, case_world
from tests.support.people import (
    HARBIN_OTHER_TOWNSHIP,
    HARBIN_TOWNSHIP,
    SHANGHAI_WINDOW,
    application,
    id_number,
)

OTHER_SHANGHAI_WINDOW = "310101003"
HARBIN_WINDOW = HARBIN_OTHER_TOWNSHIP  # 南岗区 accepts for a 道里区 applicant (跨县)


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00+08:00")


def window(unit: str) -> Actor:
    return Actor(f"window-{unit}", "窗口", "window", unit)


def accept(world: CaseWorld, unit: str, hukou: str, sequence: str) -> str:
    body = application(person_id=id_number(sequence=sequence), hukou_unit=hukou)
    return str(cases.accept(world.deps, body, window(unit), at("2026-09-24"))["case_id"])


def ready(world: CaseWorld, unit: str, hukou: str, sequence: str, day: str = "2026-09-24") -> str:
    """Accepted on 09-24, every material received on ``day``: the case completes itself then (D1 starts)."""
    case_id = accept(world, unit, hukou, sequence)
    world.receive_notice(case_id, window(unit), at(day))
    return case_id


def act(world: CaseWorld, unit: str, case_id: str, action: str, day: str) -> None:
    getattr(cases, action)(world.deps, case_id, window(unit), "accepting", at(day))


@pytest.fixture(scope="module")
def world() -> Any:
    fakes = case_world(messages=False)
    built = {
        "A": ready(fakes, SHANGHAI_WINDOW, HARBIN_TOWNSHIP, "101"),
        "B": ready(fakes, SHANGHAI_WINDOW, HARBIN_OTHER_TOWNSHIP, "103", "2026-09-30"),
        "C": accept(fakes, SHANGHAI_WINDOW, HARBIN_TOWNSHIP, "105"),
        "P": ready(fakes, SHANGHAI_WINDOW, HARBIN_TOWNSHIP, "107"),
        "D": accept(fakes, OTHER_SHANGHAI_WINDOW, HARBIN_TOWNSHIP, "109"),
        "E": ready(fakes, HARBIN_WINDOW, HARBIN_TOWNSHIP, "111"),
    }
    act(fakes, SHANGHAI_WINDOW, built["P"], "push", "2026-09-28")
    act(fakes, HARBIN_WINDOW, built["E"], "push", "2026-09-28")
    return fakes, built


def listing(world: Any, role: str, unit: str, query: str = "", now: str = "2026-09-30") -> dict[str, Any]:
    """What GET /cases{query} answers ``role`` of ``unit`` on ``now``."""
    fakes, _ = world
    return worklists.worklist(fakes.cases, fakes.deps.deadlines.count, Actor(f"{role}-{unit}", "职员", role, unit),
                              dict(parse_qsl(query.lstrip("?"))), date.fromisoformat(now))


def labels(world: Any, role: str, unit: str, query: str = "", now: str = "2026-09-30") -> list[str]:
    _, built = world
    by_id = {case_id: label for label, case_id in built.items()}
    return [by_id[case["case_id"]] for case in listing(world, role, unit, query, now)["cases"]]


def every_page(world: Any, role: str, unit: str, query: str, limit: int) -> list[list[str]]:
    _, built = world
    by_id = {case_id: label for label, case_id in built.items()}
    pages: list[list[str]] = []
    token = None
    for _ in range(20):
        suffix = f"{query}&limit={limit}" if query else f"?limit={limit}"
        if token:
            suffix += f"&next_token={token}"
        page = listing(world, role, unit, suffix)
        pages.append([by_id[case["case_id"]] for case in page["cases"]])
        token = page["next_token"]
        if not token:
            return pages
    raise AssertionError(f"paging did not end: {pages}")


def next_due(case: dict[str, Any]) -> date:
    open_ones = [d["due_on"] for d in case["deadlines"] if d["state"] in ("open", "overdue")]
    return date.fromisoformat(min(open_ones)) if open_ones else date.max


class TestAWindowsWorklist:
    def test_holds_only_the_cases_its_unit_accepted(self, world):
        assert sorted(labels(world, "window", SHANGHAI_WINDOW)) == ["A", "B", "C", "P"]
        assert labels(world, "window", OTHER_SHANGHAI_WINDOW) == ["D"]
        assert labels(world, "window", HARBIN_WINDOW) == ["E"]
        assert labels(world, "window", "310101001") == []

    def test_puts_open_cases_with_the_nearest_deadline_first(self, world):
        shown = listing(world, "window", SHANGHAI_WINDOW)["cases"]
        dues = [next_due(case) for case in shown]
        assert dues == sorted(dues)
        assert labels(world, "window", SHANGHAI_WINDOW) == ["A", "B", "C", "P"]
        # C waits for its materials: 10 working days from 09-24 (the province set none), past the National Day rest
        assert dues[:3] == [date(2026, 9, 30), date(2026, 10, 10), date(2026, 10, 15)] and dues[-1] < date.max

    def test_filters_by_status(self, world):
        assert labels(world, "window", SHANGHAI_WINDOW, "?status=awaiting_push") == ["A", "B"]
        assert labels(world, "window", SHANGHAI_WINDOW, "?status=under_review") == ["P"]
        assert labels(world, "window", SHANGHAI_WINDOW, "?status=awaiting_materials") == ["C"]
        assert labels(world, "window", SHANGHAI_WINDOW, "?status=closed") == []

    def test_due_before_is_strict(self, world):
        assert labels(world, "window", SHANGHAI_WINDOW, "?due_before=2026-09-30") == []
        assert labels(world, "window", SHANGHAI_WINDOW, "?due_before=2026-10-01") == ["A"]
        assert labels(world, "window", SHANGHAI_WINDOW, "?due_before=2026-10-10") == ["A"]
        assert labels(world, "window", SHANGHAI_WINDOW, "?due_before=2026-10-11") == ["A", "B"]

    def test_due_before_and_status_combine(self, world):
        assert labels(world, "window", SHANGHAI_WINDOW, "?due_before=2026-10-11&status=under_review") == []

    def test_overdue_uses_the_clock_as_today(self, world):
        assert labels(world, "window", SHANGHAI_WINDOW, "?overdue=true", now="2026-09-30") == []
        assert labels(world, "window", SHANGHAI_WINDOW, "?overdue=true", now="2026-10-01") == ["A"]
        (case,) = listing(world, "window", SHANGHAI_WINDOW, "?overdue=true", now="2026-10-01")["cases"]
        assert [d["state"] for d in case["deadlines"] if d["kind"] == "push"] == ["overdue"]
        assert labels(world, "window", SHANGHAI_WINDOW, "?overdue=true", now="2026-10-11") == ["A", "B"]

    def test_overdue_false_is_no_filter(self, world):
        assert sorted(labels(world, "window", SHANGHAI_WINDOW, "?overdue=false")) == ["A", "B", "C", "P"]

    @pytest.mark.parametrize("limit", [1, 2, 3, 4, 5])
    def test_paging_returns_every_case_exactly_once_in_order(self, world, limit):
        pages = every_page(world, "window", SHANGHAI_WINDOW, "", limit)
        assert all(len(page) <= limit for page in pages), pages
        assert [label for page in pages for label in page] == ["A", "B", "C", "P"]

    def test_paging_with_a_filter_returns_every_match_exactly_once(self, world):
        pages = every_page(world, "window", SHANGHAI_WINDOW, "?status=awaiting_push", 1)
        assert [label for page in pages for label in page] == ["A", "B"]


class TestAReviewersWorklist:
    def test_holds_only_the_cases_pushed_to_its_unit(self, world):
        assert sorted(labels(world, "reviewer", HARBIN_TOWNSHIP)) == ["E", "P"]

    def test_never_holds_a_case_not_yet_pushed(self, world):
        # B's 业务属地 is 230103001 but B was never pushed
        assert labels(world, "reviewer", HARBIN_OTHER_TOWNSHIP) == []
        assert labels(world, "reviewer", HARBIN_TOWNSHIP, "?status=awaiting_materials") == []
        assert labels(world, "reviewer", HARBIN_TOWNSHIP, "?status=awaiting_push") == []

    def test_pages_through_every_pushed_case_exactly_once(self, world):
        pages = every_page(world, "reviewer", HARBIN_TOWNSHIP, "", 1)
        flat = [label for page in pages for label in page]
        assert sorted(flat) == ["E", "P"] and len(flat) == 2

    def test_a_reviewer_of_a_unit_that_receives_nothing_sees_nothing(self, world):
        assert labels(world, "reviewer", SHANGHAI_WINDOW) == []


class TestASupervisorsWorklist:
    @pytest.mark.parametrize("scope, expected", [
        ("23", ["A", "B", "C", "D", "E", "P"]),
        ("2301", ["A", "B", "C", "D", "E", "P"]),
        ("230102", ["A", "C", "D", "E", "P"]),
        ("230103", ["B", "E"]),
        (HARBIN_OTHER_TOWNSHIP, ["B", "E"]),
        ("31", ["A", "B", "C", "D", "P"]),
        ("310101", ["A", "B", "C", "D", "P"]),
        (OTHER_SHANGHAI_WINDOW, ["D"]),
        ("44", []),
    ])
    def test_holds_each_case_of_either_side_within_its_scope_once(self, world, scope, expected):
        found = labels(world, "supervisor", scope)
        assert sorted(found) == expected
        assert len(found) == len(set(found))

    @pytest.mark.parametrize("scope", ["23", "31"])
    def test_lists_cases_accepted_in_scope_first_then_the_rest_by_unit_nearest_deadline_first(self, world, scope):
        """Two disjoint index streams (受理地 in scope, then 业务属地 in scope): within each, by unit
        and then by the nearest deadline, as the unit indexes order them."""
        shown = listing(world, "supervisor", scope)["cases"]
        keys = []
        for case in shown:
            accepted_here = case["accepting_unit"].startswith(scope)
            unit = case["accepting_unit"] if accepted_here else case["business_unit"]
            keys.append((0 if accepted_here else 1, unit, next_due(case)))
        assert keys == sorted(keys)

    def test_filters_by_status_due_before_and_overdue(self, world):
        assert sorted(labels(world, "supervisor", "23", "?status=under_review")) == ["E", "P"]
        assert labels(world, "supervisor", "31", "?due_before=2026-10-01") == ["A"]
        assert labels(world, "supervisor", "31", "?due_before=2026-09-30") == []
        assert labels(world, "supervisor", "23", "?overdue=true", now="2026-10-01") == ["A"]

    def test_a_page_holds_at_most_limit_cases(self, world):
        page = listing(world, "supervisor", "23", "?limit=1")
        assert len(page["cases"]) <= 1, [c["case_id"] for c in page["cases"]]

    def test_paging_returns_every_case_exactly_once(self, world):
        pages = every_page(world, "supervisor", "23", "", 1)
        flat = [label for page in pages for label in page]
        assert sorted(flat) == ["A", "B", "C", "D", "E", "P"], pages
