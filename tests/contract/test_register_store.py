"""One contract, two implementations: the authoritative registers on moto (adapters/registers_table.py: S3 objects,
the load records, the person index) and in memory (tests/fakes/registers.py), so that the registers service's tests
on the fake (tests/unit/test_registers_service.py) say something about production. What the service relies on: an
object read back as text (UTF-8 or GB18030) with its version and SHA-256, a missing one 422 ROSTER_MISSING, an
unreadable one 422 UPLOAD_ENCODING; a load recorded once and finished by running it again when it was interrupted;
a person's entries from their newest load of each kind; each kind's newest load, whatever order loads finish in."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from chalicelib.adapters.registers_table import RosterEntryModel, RosterLoadModel, Rosters
from chalicelib.config import load
from chalicelib.domain.errors import Invalid
from chalicelib.domain.rules.registers import ERROR_LINES_KEPT, RosterEntry, RosterLoad
from tests.contract.conftest import emptied
from tests.fakes.registers import FakeRosters

BUCKET = "subsidy-test-materials"  # the fake's; on moto, the provisioned materials bucket
NOW, LATER = "2026-11-30T10:00:00+08:00", "2026-12-31T10:00:00+08:00"


@dataclass
class Store:
    rosters: Any
    bucket: str

    def put(self, key: str, body: bytes) -> str:
        """An operator's upload: the new version's id."""
        if isinstance(self.rosters, FakeRosters):
            return self.rosters.put_object(self.bucket, key, body)
        return str(boto3.client("s3").put_object(Bucket=self.bucket, Key=key, Body=body)["VersionId"])

    def leave_loading(self, load_id: str) -> None:
        """What a run that died while writing the entries leaves."""
        if isinstance(self.rosters, FakeRosters):
            self.rosters.leave_loading(load_id)
        else:
            RosterLoadModel(load_id).update(actions=[RosterLoadModel.status.set("loading")])

    def entries_of(self, person_key: str) -> int:
        """Every entry stored for the person, of any load."""
        if isinstance(self.rosters, FakeRosters):
            return len(self.rosters.entries.get(person_key, {}))
        return RosterEntryModel.count(person_key)


@pytest.fixture()
def store(backend: str) -> Store:
    if backend == "fake":
        return Store(FakeRosters(), BUCKET)
    emptied(RosterEntryModel, RosterLoadModel)  # each test on empty tables and no roster objects
    s3, bucket = boto3.client("s3"), load().materials_bucket
    for version in s3.list_object_versions(Bucket=bucket, Prefix="rosters/").get("Versions", []):
        s3.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
    return Store(Rosters(), bucket)


def a_load(load_id: str, kind: str = "dibao", at: str = NOW, rows: int = 1, errors: tuple[str, ...] = ()) -> RosterLoad:
    return RosterLoad(load_id=load_id, kind=kind, bucket=BUCKET, key=f"rosters/{kind}/{load_id}.csv", version="v1",
                      sha256="a" * 64, loaded_by="admin-1", loaded_at=at, rows=rows, error_count=len(errors),
                      error_lines=errors)


def entry(person: str, kind: str = "dibao", status: str = "in") -> RosterEntry:
    return RosterEntry(kind=kind, person_key=person, masked_id="230***********1234",
                       fields={"status": status, "since": "2024-03-01"})


# --- the objects -------------------------------------------------------------------------------------------------

def test_an_object_reads_back_as_text_with_its_newest_version_and_digest(store):
    first = store.put("rosters/dibao/a.csv", "id_number,status\n".encode("utf-8-sig"))
    newer = store.put("rosters/dibao/a.csv", "id_number,status,姓名\n".encode())
    assert first != newer
    text, version, digest = store.rosters.read_object(store.bucket, "rosters/dibao/a.csv")
    assert (text, version) == ("id_number,status,姓名\n", newer)
    assert digest == hashlib.sha256("id_number,status,姓名\n".encode()).hexdigest()
    store.put("rosters/dibao/gbk.csv", "id_number,姓名\n".encode("gb18030"))
    assert store.rosters.read_object(store.bucket, "rosters/dibao/gbk.csv")[0] == "id_number,姓名\n"


def test_a_missing_or_unreadable_object_is_refused_naming_the_key(store):
    for bucket, key in ((store.bucket, "rosters/dibao/missing.csv"), ("no-such-bucket-here", "rosters/dibao/a.csv")):
        with pytest.raises(Invalid) as missing:
            store.rosters.read_object(bucket, key)
        assert (missing.value.code, missing.value.field, missing.value.status) == ("ROSTER_MISSING", "key", 422)
    store.put("rosters/dibao/binary.csv", b"id_number,status,since\n\xff\xfe\x00")
    with pytest.raises(Invalid) as unreadable:
        store.rosters.read_object(store.bucket, "rosters/dibao/binary.csv")
    assert (unreadable.value.code, unreadable.value.field) == ("UPLOAD_ENCODING", "key")


# --- loads and the person index ----------------------------------------------------------------------------------

def test_a_load_is_recorded_once_with_its_first_error_lines_and_its_entries(store):
    assert store.rosters.get_load("L1") is None
    errors = tuple(f"line {n}: refused" for n in range(2, ERROR_LINES_KEPT + 12))
    recorded = a_load("L1", rows=2, errors=errors)
    assert store.rosters.record_load(recorded, [entry("p1"), entry("p2", status="out")])
    stored = store.rosters.get_load("L1")
    assert stored.error_lines == errors[:ERROR_LINES_KEPT] and stored.error_count == len(errors)
    assert (stored.kind, stored.key, stored.version, stored.loaded_by, stored.loaded_at, stored.rows) == (
        "dibao", "rosters/dibao/L1.csv", "v1", "admin-1", NOW, 2)
    assert not store.rosters.record_load(a_load("L1", at=LATER), [entry("p3")])
    assert store.rosters.get_load("L1").loaded_at == NOW and store.rosters.entries_for("p3") == []
    [found] = store.rosters.entries_for("p2")
    assert (found.kind, found.load_id, found.loaded_at, dict(found.fields), found.masked_id) == (
        "dibao", "L1", NOW, {"status": "out", "since": "2024-03-01"}, "230***********1234")


def test_an_interrupted_load_is_not_done_and_running_it_again_finishes_it_over_the_same_entries(store):
    store.rosters.record_load(a_load("L1"), [entry("p1")])
    store.leave_loading("L1")
    assert store.rosters.get_load("L1") is None
    assert store.rosters.record_load(a_load("L1", at=LATER), [entry("p1")])
    assert store.rosters.get_load("L1").loaded_at == LATER
    assert store.entries_of("p1") == 1
    assert [m.loaded_at for m in store.rosters.entries_for("p1")] == [LATER]


def test_a_person_s_entries_come_from_their_newest_load_of_each_kind(store):
    store.rosters.record_load(a_load("L2", at=LATER), [entry("p1", status="out")])
    store.rosters.record_load(a_load("L1"), [entry("p1"), entry("p2")])  # older, finished after
    store.rosters.record_load(a_load("L3", "disability_certificates"), [entry("p1", "disability_certificates",
                                                                              "valid")])
    found = store.rosters.entries_for("p1")
    assert [(m.kind, m.load_id, m.fields["status"]) for m in found] == [
        ("dibao", "L2", "out"), ("disability_certificates", "L3", "valid")]
    assert [m.load_id for m in store.rosters.entries_for("p2")] == ["L1"]
    assert store.rosters.entries_for("p9") == [] and store.entries_of("p1") == 3


def test_each_kind_s_newest_load_moves_only_to_a_later_one(store):
    assert store.rosters.newest_loads() == {}
    store.rosters.record_load(a_load("L2", at=LATER), [entry("p1")])
    store.rosters.record_load(a_load("L1"), [entry("p2")])  # stamped earlier, finished after
    store.rosters.record_load(a_load("L3", "tekun"), [])
    assert store.rosters.newest_loads() == {"dibao": ("L2", LATER), "tekun": ("L3", NOW)}
    store.leave_loading("L2")  # the pointer stays with the newest finished load
    assert store.rosters.newest_loads()["dibao"] == ("L2", LATER)
    store.rosters.record_load(a_load("L4", at="2027-01-31T10:00:00+08:00"), [])
    assert store.rosters.newest_loads()["dibao"] == ("L4", "2027-01-31T10:00:00+08:00")
