"""The hash-chained timeline verified per case and per unit, a tamper found, the daily digest of chain heads
(services/audit.py) on the in-memory case store; that the store's chain is what DynamoDB holds, tampering
included, is tests/contract/test_case_store.py."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from chalicelib.domain.cases.case import Actor
from chalicelib.domain.errors import Forbidden, Invalid
from chalicelib.services import audit, cases
from tests.fakes.world import CaseWorld, case_world
from tests.support.people import SHANGHAI_WINDOW, application, id_number

NOW = datetime.fromisoformat("2026-09-24T10:00:00+08:00")
WINDOW = Actor("window-310101002", "窗口", "window", SHANGHAI_WINDOW)


@dataclass
class Digests:
    """The audit bucket: each key written once."""

    written: dict[str, bytes] = field(default_factory=dict)

    def write_digest(self, key: str, body: bytes) -> str | None:
        assert key not in self.written
        self.written[key] = body
        return "v1"


@pytest.fixture()
def world() -> CaseWorld:
    return case_world()


def pushed_case(world: CaseWorld, sequence: str) -> str:
    accepted = cases.accept(world.deps, application(id_number(sequence=sequence)), WINDOW, NOW)
    case_id = accepted["case_id"]
    world.receive_notice(case_id, WINDOW, NOW)
    cases.complete(world.deps, case_id, WINDOW, "accepting", NOW)
    cases.push(world.deps, case_id, WINDOW, "accepting", NOW)
    return str(case_id)


def test_an_untouched_timeline_verifies_and_each_event_links_to_the_one_before(world):
    case_id = pushed_case(world, "801")
    verdict = audit.verify_case(world.cases, case_id)
    # 3 case events: accepted, the receipt of the 6th material that completes the case (sealing the 5 receipts
    # before it by their digest: since 2026-12-06 a receipt that changes nothing else is no chained event; the click
    # after it adds nothing, and a registration is no event), pushed. The milestone SMS are their messages' lines,
    # outside the chain.
    assert verdict["valid"] is True and verdict["events"] == 3 and verdict["first_broken_seq"] is None
    links, head = world.cases.chain(case_id)
    assert links[0].prev_hash == "0" * 64 and head == links[-1].hash == verdict["head"]
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(links, links[1:], strict=False))


def test_a_unit_is_verified_as_a_whole_and_reports_the_first_broken_case(world):
    good, bad = pushed_case(world, "802"), pushed_case(world, "803")
    del world.cases.events[bad][1]  # seq 2 removed from the table (of 3 since receipts alone are no events)
    report = audit.verify_unit(world.cases, "23")
    assert (report["cases"], report["valid"], report["broken"]) == (2, False, 1)
    assert report["first_broken"]["case_id"] == bad and report["first_broken"]["first_broken_seq"] == 3
    assert audit.verify_unit(world.cases, "31")["cases"] == 2 and good != bad
    supervisor = Actor("supervisor-23", "督查", "supervisor", "23")
    audit.may_verify_unit(supervisor, "2301")
    with pytest.raises(Forbidden):
        audit.may_verify_unit(supervisor, "31")
    with pytest.raises(Forbidden):
        audit.may_verify_unit(WINDOW, SHANGHAI_WINDOW)


def test_a_large_unit_is_verified_a_page_at_a_time_each_case_once_with_the_broken_on_its_page(world):
    made = [pushed_case(world, sequence) for sequence in ("805", "806", "807")]
    del world.cases.events[made[1]][2]
    pages, token = [], None
    while True:
        page = audit.verify_unit(world.cases, "23", "2", token)
        pages.append(page)
        token = page["next_token"]
        if token is None:
            break
    assert sum(page["cases"] for page in pages) == 3 and all(page["cases"] <= 2 for page in pages)
    assert sum(page["broken"] for page in pages) == 1
    [broken] = [page for page in pages if not page["valid"]]
    assert broken["first_broken"]["case_id"] == made[1]
    # the whole unit in one page when it fits; the default page is 50
    whole = audit.verify_unit(world.cases, "23")
    assert (whole["cases"], whole["broken"], whole["next_token"]) == (3, 1, None)


@pytest.mark.parametrize("limit, token, code", [("0", None, "LIMIT_RANGE"), ("101", None, "LIMIT_RANGE"),
                                                ("x", None, "LIMIT_RANGE"), ("10", "c:abc", "BAD_PAGE_TOKEN")])
def test_a_page_size_out_of_range_or_a_token_not_issued_is_refused(world, limit, token, code):
    with pytest.raises(Invalid) as refused:
        audit.verify_unit(world.cases, "23", limit, token)
    assert refused.value.code == code


def test_the_daily_digest_holds_the_chain_head_of_every_case_changed_that_day(world):
    case_id = pushed_case(world, "804")
    digests = Digests()
    result = audit.daily_digest(world.cases, digests, "2026-09-24")
    body = digests.written[result["key"]]
    # seq 3: accepted, materials completed, pushed (a receipt that changes nothing else is no chained event)
    assert json.loads(body)["cases"] == {case_id: {"seq": 3, "hash": audit.verify_case(world.cases, case_id)["head"]}}
    assert (result["cases"], result["sha256"], result["key"]) == (1, hashlib.sha256(body).hexdigest(),
                                                                   "digests/2026-09-24.json")
    assert audit.daily_digest(world.cases, Digests(), "2026-09-25")["cases"] == 0
