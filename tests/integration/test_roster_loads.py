"""Loading rosters from the materials bucket into the person index (moto S3 + DynamoDB)."""
from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import boto3
import pytest

from chalicelib.adapters.registers_table import RosterEntryModel, RosterLoadModel, Rosters
from chalicelib.config import load
from chalicelib.domain.errors import Invalid
from chalicelib.domain.persons import person_key
from chalicelib.services.registers import load_roster, lookup
from tests.support.people import id_number

PERSON = id_number()
OTHER = id_number(birth="19751231", sequence="456")
NOW = datetime.fromisoformat("2026-11-30T10:00:00+08:00")
LATER = datetime.fromisoformat("2026-12-31T10:00:00+08:00")
DIBAO_KEY = "rosters/dibao/2026-11.csv"
CERT_KEY = "rosters/disability_certificates/2026-11.csv"


def put(key: str, text: str, encoding: str = "utf-8-sig") -> str:
    response = boto3.client("s3").put_object(Bucket=load().materials_bucket, Key=key, Body=text.encode(encoding))
    return str(response["VersionId"])


def run(kind: str, key: str, now: datetime = NOW) -> dict[str, Any]:
    config = load()
    return load_roster(Rosters(), config.person_key_secret, config.materials_bucket, kind, key, "admin-1", now)


def dibao_csv(*rows: str) -> str:
    return "id_number,status,since,area\n" + "".join(row + "\n" for row in rows)


def test_a_loaded_roster_is_found_by_person_and_the_load_is_recorded(aws: dict[str, Any]) -> None:
    version = put(DIBAO_KEY, dibao_csv(f"{PERSON},in,2024-03-01,urban", f"{OTHER},out,2025-01-01,",
                                       "230102198001011230,in,2024-03-01,"))
    answer = run("dibao", DIBAO_KEY)
    assert answer["kind"] == "dibao" and answer["version"] == version
    assert (answer["rows"], answer["error_count"], answer["already_loaded"]) == (2, 1, False)
    assert answer["errors"] == ["line 4: id_number is not a valid 公民身份号码 (ID_NUMBER_CHECKSUM)"]

    [found] = lookup(Rosters(), load().person_key_secret, PERSON)
    assert (found.kind, found.load_id, found.loaded_at) == ("dibao", answer["load_id"], NOW.isoformat())
    assert found.fields == {"status": "in", "since": "2024-03-01", "area": "urban"}
    assert found.masked_id == PERSON[:3] + "*" * 11 + PERSON[-4:]
    assert lookup(Rosters(), load().person_key_secret, id_number(sequence="777")) == []

    record = RosterLoadModel.get(answer["load_id"])
    assert (record.kind, record.s3_key, record.s3_version, record.status) == ("dibao", DIBAO_KEY, version, "loaded")
    assert (record.loaded_by, int(record.rows), int(record.error_count)) == ("admin-1", 2, 1)


def test_loading_the_same_object_version_again_changes_nothing(aws: dict[str, Any]) -> None:
    put(DIBAO_KEY, dibao_csv(f"{PERSON},in,2024-03-01,"))
    first = run("dibao", DIBAO_KEY)
    again = run("dibao", DIBAO_KEY, now=LATER)
    assert again["already_loaded"] is True
    assert {k: v for k, v in again.items() if k != "already_loaded"} == \
        {k: v for k, v in first.items() if k not in ("already_loaded", "ignored_columns")}
    [found] = lookup(Rosters(), load().person_key_secret, PERSON)
    assert found.loaded_at == NOW.isoformat()
    assert RosterEntryModel.count(person_key(PERSON, load().person_key_secret)) == 1


def test_a_newer_load_of_the_same_kind_wins(aws: dict[str, Any]) -> None:
    put(DIBAO_KEY, dibao_csv(f"{PERSON},in,2024-03-01,"))
    run("dibao", DIBAO_KEY)
    put("rosters/dibao/2026-12.csv", dibao_csv(f"{PERSON},out,2026-12-01,"))
    newer = run("dibao", "rosters/dibao/2026-12.csv", now=LATER)
    put(CERT_KEY, "id_number,certificate_number,category,grade,valid_until,status\n"
                  f"{PERSON},{PERSON}41,4,1,2031-05-01,valid\n")
    run("disability_certificates", CERT_KEY)

    found = lookup(Rosters(), load().person_key_secret, PERSON)
    assert [(m.kind, m.fields["status"]) for m in found] == [("dibao", "out"), ("disability_certificates", "valid")]
    assert found[0].load_id == newer["load_id"]


def test_a_new_version_of_the_same_key_is_a_new_load(aws: dict[str, Any]) -> None:
    put(DIBAO_KEY, dibao_csv(f"{PERSON},in,2024-03-01,"))
    first = run("dibao", DIBAO_KEY)
    put(DIBAO_KEY, dibao_csv(f"{PERSON},out,2026-12-01,"))
    second = run("dibao", DIBAO_KEY, now=LATER)
    assert second["already_loaded"] is False and second["load_id"] != first["load_id"]
    [found] = lookup(Rosters(), load().person_key_secret, PERSON)
    assert found.fields["status"] == "out"


def test_an_interrupted_load_is_finished_by_running_it_again(aws: dict[str, Any]) -> None:
    put(DIBAO_KEY, dibao_csv(f"{PERSON},in,2024-03-01,"))
    first = run("dibao", DIBAO_KEY)
    RosterLoadModel(first["load_id"]).update(actions=[RosterLoadModel.status.set("loading")])
    again = run("dibao", DIBAO_KEY, now=LATER)
    assert again["already_loaded"] is False
    assert RosterLoadModel.get(first["load_id"]).status == "loaded"
    assert RosterEntryModel.count(person_key(PERSON, load().person_key_secret)) == 1


@pytest.mark.parametrize(("kind", "key", "code"), [
    ("dibao", "rosters/dibao/missing.csv", "ROSTER_MISSING"),
    ("pensions", DIBAO_KEY, "UNKNOWN_ROSTER"),
    ("dibao", "cases/C1/materials/M1", "ROSTER_KEY"),
    ("dibao", "rosters/", "ROSTER_KEY"),
])
def test_bad_requests_are_refused_with_a_code(aws: dict[str, Any], kind: str, key: str, code: str) -> None:
    with pytest.raises(Invalid) as raised:
        run(kind, key)
    assert (raised.value.code, raised.value.status) == (code, 422)


def test_a_roster_saved_by_excel_on_chinese_windows_gb18030_is_read(aws: dict[str, Any]) -> None:
    put("rosters/dibao/gbk.csv", "id_number,status,since,姓名\n" + f"{PERSON},in,2024-03-01,张三\n", encoding="gb18030")
    assert run("dibao", "rosters/dibao/gbk.csv")["rows"] == 1


def test_a_file_that_is_neither_utf8_nor_gb18030_or_lacks_columns_is_refused_and_not_recorded(
        aws: dict[str, Any]) -> None:
    boto3.client("s3").put_object(Bucket=load().materials_bucket, Key="rosters/dibao/binary.csv",
                                  Body=b"id_number,status,since\n\xff\xfe\x00")
    with pytest.raises(Invalid) as raised:
        run("dibao", "rosters/dibao/binary.csv")
    assert (raised.value.code, raised.value.field) == ("UPLOAD_ENCODING", "key")
    put("rosters/dibao/short.csv", f"id_number,status\n{PERSON},in\n")
    with pytest.raises(Invalid) as raised:
        run("dibao", "rosters/dibao/short.csv")
    assert raised.value.code == "ROSTER_HEADER"
    assert list(RosterLoadModel.scan()) == []


def test_no_id_number_reaches_the_logs_or_the_index(aws: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    text = ("id_number,certificate_number,category,grade,valid_until,status,name\n"
            f"{PERSON},{PERSON}41,4,1,2031-05-01,valid,张三\n"
            f"{OTHER},{OTHER}62,6,2,2020-01-01,cancelled,李四\n"
            f"{OTHER[:-1]}0,{OTHER}62,6,2,2020-01-01,cancelled,王五\n")
    put(CERT_KEY, text)
    with caplog.at_level(logging.DEBUG):
        answer = run("disability_certificates", CERT_KEY)
        lookup(Rosters(), load().person_key_secret, PERSON)
    assert answer["rows"] == 2 and answer["ignored_columns"] == ["name"]
    assert "roster disability_certificates loaded" in caplog.text
    assert any(r.name.startswith(("botocore", "pynamodb")) for r in caplog.records)  # the requests were seen
    stored = json.dumps([item.attribute_values for item in RosterEntryModel.scan()], default=str, ensure_ascii=False)
    stored += json.dumps([item.attribute_values for item in RosterLoadModel.scan()], default=str, ensure_ascii=False)
    for secret_text in (PERSON, OTHER, OTHER[:-1] + "0", PERSON[6:14], OTHER[6:14], "张三"):
        assert secret_text not in caplog.text
        assert secret_text not in stored
        assert secret_text not in json.dumps(answer, ensure_ascii=False)


def test_the_newest_load_of_each_kind_ever_loaded_is_known(aws: dict[str, Any]) -> None:
    assert Rosters().newest_loads() == {}
    put(DIBAO_KEY, dibao_csv(f"{PERSON},in,2024-03-01,"))
    first = run("dibao", DIBAO_KEY)
    put("rosters/dibao/2026-12.csv", dibao_csv(f"{OTHER},in,2026-12-01,"))
    newer = run("dibao", "rosters/dibao/2026-12.csv", now=LATER)
    RosterLoadModel(first["load_id"]).update(actions=[RosterLoadModel.status.set("loading")])
    assert Rosters().newest_loads() == {"dibao": (newer["load_id"], LATER.isoformat())}


def test_an_older_load_finishing_last_does_not_become_the_newest(aws: dict[str, Any]) -> None:
    put("rosters/dibao/2026-12.csv", dibao_csv(f"{OTHER},in,2026-12-01,"))
    newer = run("dibao", "rosters/dibao/2026-12.csv", now=LATER)
    put(DIBAO_KEY, dibao_csv(f"{PERSON},in,2024-03-01,"))
    older = run("dibao", DIBAO_KEY)  # stamped earlier, finished after
    assert older["load_id"] != newer["load_id"]
    assert Rosters().newest_loads() == {"dibao": (newer["load_id"], LATER.isoformat())}
