"""Loading rosters from the materials bucket into the person index (moto S3 + DynamoDB): what only AWS shows. The
service's behaviour runs on the in-memory registers (tests/unit/test_registers_service.py), held to the same contract
as these adapters (tests/contract/test_register_store.py)."""
from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import boto3
import pytest

from chalicelib.adapters.registers_table import RosterEntryModel, RosterLoadModel, Rosters
from chalicelib.config import load
from chalicelib.services.registers import load_roster, lookup
from tests.support.people import id_number

PERSON = id_number()
OTHER = id_number(birth="19751231", sequence="456")
NOW = datetime.fromisoformat("2026-11-30T10:00:00+08:00")
CERT_KEY = "rosters/disability_certificates/2026-11.csv"


def put(key: str, text: str, encoding: str = "utf-8-sig") -> str:
    response = boto3.client("s3").put_object(Bucket=load().materials_bucket, Key=key, Body=text.encode(encoding))
    return str(response["VersionId"])


def run(kind: str, key: str, now: datetime = NOW) -> dict[str, Any]:
    config = load()
    return load_roster(Rosters(), config.person_key_secret, config.materials_bucket, kind, key, "admin-1", now)


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
