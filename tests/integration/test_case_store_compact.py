"""The case item's deadlines on moto, kept compact (``adapters/case_tables.compact_deadlines``): each deadline one
short string, the calendar version once for the case; the case reads back exactly as it was saved, a case item
written before (each deadline a map, whole or without its empty fields) reads as it did, and the bench's full case
keeps its case item under 1 KB (one write unit) through every change."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace

from chalicelib.adapters.case_tables import (
    CALENDAR,
    CaseModel,
    compact_deadlines,
    expand_deadline,
    to_model,
)
from chalicelib.adapters.store import CaseRepository
from chalicelib.domain.cases.case import Case, Deadline, DeadlineKind, Status
from chalicelib.domain.cases.records import deadline_record
from tests.contract.test_case_store import a_case, event
from tests.integration.conftest import moto_world

VERSION = "chinesecalendar-1.11.0"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def repo() -> Iterator[CaseRepository]:
    with moto_world():
        yield CaseRepository()


def deadlines() -> tuple[Deadline, ...]:
    """Every field a deadline may have set: met, paused with days left, resumed, reminded, overdue and recorded,
    provisional, on another calendar version."""
    return (
        Deadline(DeadlineKind.MATERIALS, date(2026, 9, 24), 20, date(2026, 10, 29), False, VERSION, "met",
                 closed_on=date(2026, 9, 30)),
        Deadline(DeadlineKind.PUSH, date(2026, 9, 30), 3, date(2026, 10, 12), False, VERSION, "met",
                 closed_on=date(2026, 10, 9), reminded_on=date(2026, 10, 10)),
        Deadline(DeadlineKind.REVIEW, date(2026, 10, 9), 10, date(2026, 10, 27), True, "chinesecalendar-1.12.0",
                 "open", counted_from=date(2026, 10, 16), counted_days=7, reminded_on=date(2026, 10, 26),
                 overdue_recorded_on=date(2026, 10, 28)),
        Deadline(DeadlineKind.SUPPLEMENT, date(2026, 10, 12), 5, date(2026, 10, 19), False, VERSION, "paused",
                 paused_on=date(2026, 10, 14), remaining_working_days=0),
        Deadline(DeadlineKind.NOTIFY, date(2026, 10, 20), 3, date(2026, 10, 23), False, VERSION, "cancelled",
                 closed_on=date(2026, 10, 21)),
    )


def with_deadlines(case_id: str) -> Case:
    return replace(a_case(case_id, status=Status.UNDER_REVIEW), deadlines=deadlines(), pushed_on=date(2026, 10, 9))


def test_each_deadline_is_one_string_and_the_calendar_version_is_kept_once(repo):
    saved = repo.save(with_deadlines("CK1"), event())
    body = CaseModel.get("CK1").body.as_dict()
    assert body[CALENDAR] == VERSION
    assert body["deadlines"][0] == "materials 2026-09-24 20 2026-10-29 met c=2026-09-30"
    assert body["deadlines"][2] == ("review 2026-10-09 10 2026-10-27 open p v=chinesecalendar-1.12.0 cf=2026-10-16 "
                                    "cd=7 rm=2026-10-26 o=2026-10-28")
    assert all(isinstance(d, str) for d in body["deadlines"])
    read = repo.get("CK1")
    assert read.deadlines == deadlines() and read == saved
    assert replace(read, chain_head="") == replace(with_deadlines("CK1"), version=1)


def test_a_case_without_deadlines_keeps_no_calendar_version(repo):
    repo.save(a_case("CK2"), event())
    body = CaseModel.get("CK2").body.as_dict()
    assert CALENDAR not in body and body["deadlines"] == []
    assert repo.get("CK2").deadlines == ()


def _stored_as(case: Case, body: dict[str, Any] | None) -> None:
    """The case item as an earlier layout wrote it: ``body`` (None: the whole record, the layout before the parts)."""
    item = to_model(case, body)
    item.version = 0  # saving counts it on to 1, as the case's one event says
    item.save(add_version_condition=False)


@pytest.mark.parametrize("layout", ["whole record", "deadlines as maps"])
def test_a_case_item_written_with_each_deadline_a_map_reads_as_it_did_and_is_written_compact_next(repo, layout):
    case_id = {"whole record": "CK3", "deadlines as maps": "CK4"}[layout]
    stored = repo.save(a_case(case_id), event())
    case = replace(with_deadlines(case_id), chain_head=stored.chain_head)
    if layout == "whole record":
        _stored_as(case, None)
    else:  # the case item's body until 2026-12-06: each deadline a map without its empty fields
        body = {k: v for k, v in to_model(case).body.as_dict().items()
                if v is not None and k not in ("case_id", "status", "accepting_unit", "business_unit")}
        body["deadlines"] = [{k: v for k, v in deadline_record(d).items() if v is not None} for d in case.deadlines]
        _stored_as(case, body)
    assert all(isinstance(d, dict) for d in CaseModel.get(case_id).body.as_dict()["deadlines"])
    read = repo.get(case_id)
    assert replace(read, chain_head="") == replace(with_deadlines(case_id), version=1)
    repo.save(replace(read, status=Status.SUPPLEMENT_REQUESTED), event("supplement_requested"))
    assert all(isinstance(d, str) for d in CaseModel.get(case_id).body.as_dict()["deadlines"])
    again = repo.get(case_id)
    assert again.deadlines == deadlines() and again.status == Status.SUPPLEMENT_REQUESTED


def test_a_deadline_a_string_cannot_hold_is_kept_as_a_map_beside_the_strings():
    records = [deadline_record(d) for d in deadlines()]
    records[1] = dict(records[1], calendar_version="calendar with spaces")
    records[3] = dict(records[3], calendar_version="a=b")
    stored, calendar = compact_deadlines(records)
    assert calendar == VERSION and isinstance(stored[0], str)
    assert isinstance(stored[1], dict) and isinstance(stored[3], dict)
    expanded = [expand_deadline(d, calendar) for d in stored]
    assert expanded == [{k: v for k, v in r.items() if v is not None} for r in records]


# run in a process of its own: the bench's recorder hooks the clients it sees created (PynamoDB keeps its own)
BENCH_CASE_ITEM_SIZES = """
import json
from bench.calls_per_case import measure
from bench.capacity import item_size
from bench.world import quiet
from chalicelib.adapters.case_tables import CaseModel

with quiet():
    found = measure()
sizes = {}
for call in found.recorder.calls:
    for entry in call.params.get("TransactItems", []) if call.operation == "TransactWriteItems" else []:
        put = entry.get("Put")
        if put and put["TableName"] == CaseModel.Meta.table_name and "#" not in put["Item"]["case_id"]["S"]:
            sizes[call.label] = max(sizes.get(call.label, 0), item_size(put["Item"]))
print(json.dumps(sizes))
"""


def test_the_bench_case_item_stays_under_one_write_unit_through_the_whole_case():
    """The case item as each transaction of ``bench.calls_per_case`` writes it (受理, receipts, push, decision,
    notification): under 1 KB as DynamoDB counts it, so each is one write unit (twice, in a transaction)."""
    run = subprocess.run([sys.executable, "-c", BENCH_CASE_ITEM_SIZES], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert run.returncode == 0, run.stderr[-3000:]
    sizes = json.loads(run.stdout.strip().splitlines()[-1])
    assert {"POST /cases", "POST /cases/{id}/push", "POST /cases/{id}/decision",
            "POST /cases/{id}/notification"} <= set(sizes)
    assert max(sizes.values()) < 1024, sizes
