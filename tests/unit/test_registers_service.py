"""Loading rosters into the person index and looking a person up (services/registers.py) on the in-memory registers
(tests/fakes/registers.py). The same store contract runs on moto (S3 and DynamoDB) in
tests/contract/test_register_store.py; what only AWS shows (no ID number in the stored items or the SDK's logs) stays
in tests/integration/test_roster_loads.py."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from chalicelib.domain.errors import Invalid
from chalicelib.domain.persons import person_key
from chalicelib.services.registers import load_roster, lookup
from tests.fakes.registers import FakeRosters
from tests.support.people import id_number

SECRET = b"k" * 32
BUCKET = "subsidy-test-materials"
PERSON = id_number()
OTHER = id_number(birth="19751231", sequence="456")
NOW = datetime.fromisoformat("2026-11-30T10:00:00+08:00")
LATER = datetime.fromisoformat("2026-12-31T10:00:00+08:00")
DIBAO_KEY = "rosters/dibao/2026-11.csv"
CERT_KEY = "rosters/disability_certificates/2026-11.csv"


@pytest.fixture()
def rosters() -> FakeRosters:
    return FakeRosters()


def put(rosters: FakeRosters, key: str, text: str, encoding: str = "utf-8-sig") -> str:
    return rosters.put_object(BUCKET, key, text.encode(encoding))


def run(rosters: FakeRosters, kind: str, key: str, now: datetime = NOW) -> dict[str, Any]:
    return load_roster(rosters, SECRET, BUCKET, kind, key, "admin-1", now)


def dibao_csv(*rows: str) -> str:
    return "id_number,status,since,area\n" + "".join(row + "\n" for row in rows)


def test_a_loaded_roster_is_found_by_person_and_the_load_is_recorded(rosters):
    version = put(rosters, DIBAO_KEY, dibao_csv(f"{PERSON},in,2024-03-01,urban", f"{OTHER},out,2025-01-01,",
                                                "230102198001011230,in,2024-03-01,"))
    answer = run(rosters, "dibao", DIBAO_KEY)
    assert answer["kind"] == "dibao" and answer["version"] == version
    assert (answer["rows"], answer["error_count"], answer["already_loaded"]) == (2, 1, False)
    assert answer["errors"] == ["line 4: id_number is not a valid 公民身份号码 (ID_NUMBER_CHECKSUM)"]

    [found] = lookup(rosters, SECRET, PERSON)
    assert (found.kind, found.load_id, found.loaded_at) == ("dibao", answer["load_id"], NOW.isoformat())
    assert found.fields == {"status": "in", "since": "2024-03-01", "area": "urban"}
    assert found.masked_id == PERSON[:3] + "*" * 11 + PERSON[-4:]
    assert lookup(rosters, SECRET, id_number(sequence="777")) == []

    record = rosters.get_load(answer["load_id"])  # None unless recorded as finished
    assert record is not None
    assert (record.kind, record.key, record.version) == ("dibao", DIBAO_KEY, version)
    assert (record.loaded_by, record.rows, record.error_count) == ("admin-1", 2, 1)


def test_loading_the_same_object_version_again_changes_nothing(rosters):
    put(rosters, DIBAO_KEY, dibao_csv(f"{PERSON},in,2024-03-01,"))
    first = run(rosters, "dibao", DIBAO_KEY)
    again = run(rosters, "dibao", DIBAO_KEY, now=LATER)
    assert again["already_loaded"] is True
    assert {k: v for k, v in again.items() if k != "already_loaded"} == \
        {k: v for k, v in first.items() if k not in ("already_loaded", "ignored_columns")}
    [found] = lookup(rosters, SECRET, PERSON)
    assert found.loaded_at == NOW.isoformat()
    assert len(rosters.entries[person_key(PERSON, SECRET)]) == 1


def test_a_newer_load_of_the_same_kind_wins(rosters):
    put(rosters, DIBAO_KEY, dibao_csv(f"{PERSON},in,2024-03-01,"))
    run(rosters, "dibao", DIBAO_KEY)
    put(rosters, "rosters/dibao/2026-12.csv", dibao_csv(f"{PERSON},out,2026-12-01,"))
    newer = run(rosters, "dibao", "rosters/dibao/2026-12.csv", now=LATER)
    put(rosters, CERT_KEY, "id_number,certificate_number,category,grade,valid_until,status\n"
                           f"{PERSON},{PERSON}41,4,1,2031-05-01,valid\n")
    run(rosters, "disability_certificates", CERT_KEY)

    found = lookup(rosters, SECRET, PERSON)
    assert [(m.kind, m.fields["status"]) for m in found] == [("dibao", "out"), ("disability_certificates", "valid")]
    assert found[0].load_id == newer["load_id"]


def test_a_new_version_of_the_same_key_is_a_new_load(rosters):
    put(rosters, DIBAO_KEY, dibao_csv(f"{PERSON},in,2024-03-01,"))
    first = run(rosters, "dibao", DIBAO_KEY)
    put(rosters, DIBAO_KEY, dibao_csv(f"{PERSON},out,2026-12-01,"))
    second = run(rosters, "dibao", DIBAO_KEY, now=LATER)
    assert second["already_loaded"] is False and second["load_id"] != first["load_id"]
    [found] = lookup(rosters, SECRET, PERSON)
    assert found.fields["status"] == "out"


def test_an_interrupted_load_is_finished_by_running_it_again(rosters):
    put(rosters, DIBAO_KEY, dibao_csv(f"{PERSON},in,2024-03-01,"))
    first = run(rosters, "dibao", DIBAO_KEY)
    rosters.leave_loading(first["load_id"])
    again = run(rosters, "dibao", DIBAO_KEY, now=LATER)
    assert again["already_loaded"] is False
    assert rosters.loads[first["load_id"]][0] == "loaded"
    assert len(rosters.entries[person_key(PERSON, SECRET)]) == 1


@pytest.mark.parametrize(("kind", "key", "code"), [
    ("dibao", "rosters/dibao/missing.csv", "ROSTER_MISSING"),
    ("pensions", DIBAO_KEY, "UNKNOWN_ROSTER"),
    ("dibao", "cases/C1/materials/M1", "ROSTER_KEY"),
    ("dibao", "rosters/", "ROSTER_KEY"),
])
def test_bad_requests_are_refused_with_a_code(rosters, kind: str, key: str, code: str) -> None:
    with pytest.raises(Invalid) as raised:
        run(rosters, kind, key)
    assert (raised.value.code, raised.value.status) == (code, 422)


def test_a_roster_saved_by_excel_on_chinese_windows_gb18030_is_read(rosters):
    put(rosters, "rosters/dibao/gbk.csv", "id_number,status,since,姓名\n" + f"{PERSON},in,2024-03-01,张三\n",
        encoding="gb18030")
    assert run(rosters, "dibao", "rosters/dibao/gbk.csv")["rows"] == 1


def test_a_file_that_is_neither_utf8_nor_gb18030_or_lacks_columns_is_refused_and_not_recorded(rosters):
    rosters.put_object(BUCKET, "rosters/dibao/binary.csv", b"id_number,status,since\n\xff\xfe\x00")
    with pytest.raises(Invalid) as raised:
        run(rosters, "dibao", "rosters/dibao/binary.csv")
    assert (raised.value.code, raised.value.field) == ("UPLOAD_ENCODING", "key")
    put(rosters, "rosters/dibao/short.csv", f"id_number,status\n{PERSON},in\n")
    with pytest.raises(Invalid) as raised:
        run(rosters, "dibao", "rosters/dibao/short.csv")
    assert raised.value.code == "ROSTER_HEADER"
    assert rosters.loads == {}


def test_the_newest_load_of_each_kind_ever_loaded_is_known(rosters):
    assert rosters.newest_loads() == {}
    put(rosters, DIBAO_KEY, dibao_csv(f"{PERSON},in,2024-03-01,"))
    first = run(rosters, "dibao", DIBAO_KEY)
    put(rosters, "rosters/dibao/2026-12.csv", dibao_csv(f"{OTHER},in,2026-12-01,"))
    newer = run(rosters, "dibao", "rosters/dibao/2026-12.csv", now=LATER)
    rosters.leave_loading(first["load_id"])
    assert rosters.newest_loads() == {"dibao": (newer["load_id"], LATER.isoformat())}


def test_an_older_load_finishing_last_does_not_become_the_newest(rosters):
    put(rosters, "rosters/dibao/2026-12.csv", dibao_csv(f"{OTHER},in,2026-12-01,"))
    newer = run(rosters, "dibao", "rosters/dibao/2026-12.csv", now=LATER)
    put(rosters, DIBAO_KEY, dibao_csv(f"{PERSON},in,2024-03-01,"))
    older = run(rosters, "dibao", DIBAO_KEY)  # stamped earlier, finished after
    assert older["load_id"] != newer["load_id"]
    assert rosters.newest_loads() == {"dibao": (newer["load_id"], LATER.isoformat())}
