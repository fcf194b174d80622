"""The events' sparse day index on moto (``case_tables.DayIndex``): only a case's first event of a (local) day has its
day, the case item keeps the day of its newest event, and ``CaseRepository.heads_of_day`` answers what it answered
when every event had its day — for each case changed that day, its last sequence number and chain hash that day —
events stored before (each with its day) included. What the digest relies on is the contract's
(tests/contract/test_case_store.py)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import boto3
import pytest
from msgspec.structs import replace

from chalicelib.adapters.case_tables import CaseModel, EventModel, event_day
from chalicelib.adapters.store import CaseRepository
from chalicelib.domain.cases.case import Case
from tests.contract.conftest import emptied
from tests.contract.test_case_store import NOW, a_case, event
from tests.integration.conftest import moto_world

DAYS = [NOW + timedelta(days=n) for n in range(3)]  # 2026-09-24 .. 26, 10:00 in China


@pytest.fixture(scope="module")
def world() -> Iterator[None]:
    with moto_world():
        yield


@pytest.fixture()
def repo(world: None) -> CaseRepository:
    emptied(CaseModel, EventModel)
    return CaseRepository()


def every_head(case_ids: list[str], day: str) -> dict[str, tuple[int, str]]:
    """The answer from every stored event (what the index gave when it held them all)."""
    heads: dict[str, tuple[int, str]] = {}
    for case_id in case_ids:
        for e in EventModel.query(case_id, consistent_read=True):
            if event_day(e.at) == day and (case_id not in heads or int(e.seq) > heads[case_id][0]):
                heads[case_id] = (int(e.seq), e.chain_hash or "")
    return heads


def changes(repo: CaseRepository, case: Case, *moments: datetime) -> Case:
    for at in moments:
        case = repo.save(case, event("identity_read", at))
    return case


def indexed(case_id: str) -> list[tuple[int, str | None]]:
    return [(int(e.seq), e.day) for e in EventModel.query(case_id, consistent_read=True)]


def test_only_a_case_s_first_event_of_each_day_is_in_the_day_index(repo):
    case = repo.save(a_case("C1"), event(at=DAYS[0]))
    assert case.last_day == "2026-09-24" and CaseModel.get("C1").last_day == "2026-09-24"
    case = changes(repo, repo.get("C1"), DAYS[0] + timedelta(hours=1), DAYS[1], DAYS[1] + timedelta(hours=2),
                   DAYS[1] + timedelta(hours=3), DAYS[2])
    assert indexed("C1") == [(1, "2026-09-24"), (2, None), (3, "2026-09-25"), (4, None), (5, None),
                             (6, "2026-09-26")]
    assert all(e.case_seq is None for e in EventModel.query("C1") if e.day is None)
    assert repo.get("C1").last_day == "2026-09-26" == case.last_day


def test_the_heads_of_each_day_are_each_case_s_last_event_that_day_over_several_days_and_cases(repo):
    c1 = repo.save(a_case("C1"), event(at=DAYS[0]))
    c1 = changes(repo, c1, DAYS[0] + timedelta(hours=1), DAYS[0] + timedelta(hours=2), DAYS[1],
                 DAYS[2], DAYS[2] + timedelta(hours=5))
    c2 = repo.save(a_case("C2"), event(at=DAYS[1]))
    c2 = changes(repo, c2, DAYS[1] + timedelta(minutes=5), DAYS[1] + timedelta(minutes=6))
    c3 = repo.save(a_case("C3"), event(at=DAYS[0]))
    c3 = changes(repo, c3, DAYS[2])
    for moment in DAYS + [DAYS[2] + timedelta(days=1)]:
        day = moment.date().isoformat()
        assert repo.heads_of_day(day) == every_head(["C1", "C2", "C3"], day)
    assert repo.heads_of_day("2026-09-24") == {"C1": (3, every_head(["C1"], "2026-09-24")["C1"][1]),
                                               "C3": (1, every_head(["C3"], "2026-09-24")["C3"][1])}
    assert repo.heads_of_day("2026-09-25")["C2"] == (3, c2.chain_head)
    assert repo.heads_of_day("2026-09-26") == {"C1": (6, c1.chain_head), "C3": (2, c3.chain_head)}
    assert repo.heads_of_day("2026-09-27") == {}


def test_a_day_met_again_after_another_is_in_the_index_again_and_its_head_is_its_last_event(repo):
    """Events are not always in time order (a clock set back): a day the case comes back to starts again."""
    case = changes(repo, repo.save(a_case("C1"), event(at=DAYS[0])), DAYS[1], DAYS[0] + timedelta(hours=3),
                   DAYS[0] + timedelta(hours=4))
    assert indexed("C1") == [(1, "2026-09-24"), (2, "2026-09-25"), (3, "2026-09-24"), (4, None)]
    assert repo.heads_of_day("2026-09-24") == {"C1": (4, case.chain_head)} == every_head(["C1"], "2026-09-24")
    assert repo.heads_of_day("2026-09-25") == every_head(["C1"], "2026-09-25")


def stored_before(case_id: str) -> None:
    """The case's events and case item as they were stored before the sparse index: every event with its day and
    sequence, the case item without the day of its newest event."""
    client = boto3.client("dynamodb")
    for e in EventModel.query(case_id, consistent_read=True):
        client.update_item(TableName=EventModel.Meta.table_name,
                           Key={"case_id": {"S": case_id}, "seq": {"N": str(e.seq)}},
                           UpdateExpression="SET #d = :d, case_seq = :s", ExpressionAttributeNames={"#d": "day"},
                           ExpressionAttributeValues={":d": {"S": event_day(e.at)},
                                                      ":s": {"S": f"{case_id}#{int(e.seq):08d}"}})
    client.update_item(TableName=CaseModel.Meta.table_name, Key={"case_id": {"S": case_id}},
                       UpdateExpression="REMOVE last_day")


def test_events_stored_before_each_with_its_day_give_the_same_heads_and_the_case_goes_on_sparse(repo):
    old = changes(repo, repo.save(a_case("C1"), event(at=DAYS[0])), DAYS[0] + timedelta(hours=1), DAYS[1],
                  DAYS[1] + timedelta(hours=1))
    changes(repo, repo.save(a_case("C2"), event(at=DAYS[0])), DAYS[0] + timedelta(hours=2))
    stored_before("C1")
    stored_before("C2")
    assert all(day is not None for _, day in indexed("C1") + indexed("C2"))
    read = repo.get("C1")
    assert read.last_day == "" and replace(read, chain_head="") == replace(old, chain_head="")
    assert repo.heads_of_day("2026-09-24") == every_head(["C1", "C2"], "2026-09-24")
    assert repo.heads_of_day("2026-09-25") == {"C1": (4, old.chain_head)}
    # the next change of a case stored before: its event has its day (the case item did not know the last one's)
    case = changes(repo, read, DAYS[1] + timedelta(hours=2), DAYS[1] + timedelta(hours=3), DAYS[2])
    assert indexed("C1")[4:] == [(5, "2026-09-25"), (6, None), (7, "2026-09-26")]
    assert repo.heads_of_day("2026-09-25") == {"C1": (6, every_head(["C1"], "2026-09-25")["C1"][1])}
    assert repo.heads_of_day("2026-09-26") == {"C1": (7, case.chain_head)}
    for day in ("2026-09-24", "2026-09-25", "2026-09-26"):
        assert repo.heads_of_day(day) == every_head(["C1", "C2"], day)
