"""The monthly roster (发放名册) on moto: 16 shard parts in S3, joined server-side into one file."""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest

from chalicelib.adapters.entitlements_table import UNIT_SHARDS, EntitlementModel, Entitlements, to_model, unit_shard
from chalicelib.adapters.files import _s3
from chalicelib.adapters.ledger_table import HEAD, LedgerTable, PayrollModel, Payrolls
from chalicelib.adapters.payroll_files import MIN_PART, PayrollFiles
from chalicelib.config import load
from chalicelib.domain.cases.case import Actor
from chalicelib.domain.errors import Conflict
from chalicelib.domain.payments.roster import csv_text, roster_lines
from chalicelib.services import payroll as service
from chalicelib.services.payroll import Payroll
from tests.fakes.payments import FakePricing
from tests.support.payroll import (
    EXPECTED_LINES,
    EXPECTED_TOTALS,
    MONTH,
    NO_TABLES,
    NURSING,
    UNIT,
    approved,
    ledgers,
    world,
)

OTHER_UNIT = "230103001"
REVIEWER = Actor("reviewer-1", "审核员", "reviewer", UNIT)
NOW = datetime.fromisoformat("2027-01-25T10:00:00+08:00")


def insert(entitlements) -> None:
    with EntitlementModel.batch_write() as batch:
        for ent in entitlements:
            batch.save(to_model(ent))


def moto_payroll() -> Payroll:
    return Payroll(Entitlements(), LedgerTable(), Payrolls(), PayrollFiles(), FakePricing(NO_TABLES))


def paid_world() -> Payroll:
    """The hand-counted world on moto: its entitlements, and the December roster's payments in the ledger."""
    insert(list(world().values()) + [approved("C99", "nursing", "2026-03", NURSING, "2026-03-01T10:00:00+08:00",
                                              unit=OTHER_UNIT)])
    LedgerTable().put_all(UNIT, [ledger for ledger in ledgers().values() if ledger.payments])
    PayrollModel(UNIT, HEAD, seq=1).save()  # the December roster was the unit's first finalization
    return moto_payroll()


def stored(key: str, version_id: str | None = None) -> bytes:
    params: dict[str, Any] = {"Bucket": load().materials_bucket, "Key": key}
    if version_id:
        params["VersionId"] = version_id
    return bytes(boto3.client("s3").get_object(**params)["Body"].read())


def expected_text() -> str:
    """Shard by shard, as the roster is joined: each shard's lines sorted, one header."""
    by_shard: dict[int, list] = {}
    paid = ledgers()
    for case, ent in world().items():
        by_shard.setdefault(int(unit_shard(ent.business_unit, ent.entitlement_id)[-2:]), []).append((ent, paid[case]))
    return "".join(csv_text(roster_lines(by_shard.get(s, []), MONTH, NO_TABLES).lines, MONTH, header=s == 0)
                   for s in range(UNIT_SHARDS))


@pytest.fixture()
def s3_calls(aws) -> Iterator[Counter[str]]:
    calls: Counter[str] = Counter()

    def count(event_name: str, **_: object) -> None:
        calls[event_name.split(".")[-1]] += 1

    events = _s3().meta.events
    events.register("before-call.s3", count)
    yield calls
    events.unregister("before-call.s3", count)


def test_the_roster_of_a_unit_is_its_lines_in_shard_order_with_hand_counted_totals(aws):
    result = service.draft(paid_world(), UNIT, MONTH, REVIEWER, NOW)
    text = stored(result["key"], result["version_id"]).decode("utf-8")
    assert text == expected_text()
    assert result["key"] == "payroll/230102001/2027-01/draft/roster.csv"
    assert result["lines"] == 5 and result["totals"] == EXPECTED_TOTALS
    assert sorted(row.split(",")[1] for row in text.splitlines()[1:]) == sorted(EXPECTED_LINES)  # not C99
    assert result["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert result["size"] == len(text.encode("utf-8"))


def test_finalized_the_roster_is_in_the_ledger_once_and_its_file_never_changes(aws):
    payroll = paid_world()
    draft = service.draft(payroll, UNIT, MONTH, REVIEWER, NOW)
    final = service.finalize(payroll, UNIT, MONTH, lambda: {"draft_sha256": draft["sha256"]}, REVIEWER, NOW)
    assert final["key"] == "payroll/230102001/2027-01/final/roster.csv" and final["sha256"] == draft["sha256"]
    ledger = LedgerTable().get("C05-living")
    assert [(p.roster, p.seq) for p in ledger.payments] == [("2026-12", 1), (MONTH, 2)]
    assert dict(ledger.payments[-1].months) == {"2026-10": Decimal("21.00"), "2026-11": Decimal("21.00"),
                                                "2026-12": Decimal("21.00"), "2027-01": Decimal("120.00")}
    again = service.download(payroll, UNIT, MONTH, None, REVIEWER, NOW)
    assert stored(again["key"], again["version_id"]) == stored(final["key"], final["version_id"])
    assert Payrolls().roster(UNIT, MONTH).downloads[0]["by"] == "reviewer-1"
    with pytest.raises(Conflict):
        service.finalize(payroll, UNIT, MONTH, lambda: {"draft_sha256": draft["sha256"]}, REVIEWER, NOW)


def test_the_download_link_names_the_version_built_and_expires_in_fifteen_minutes(aws):
    result = service.draft(paid_world(), UNIT, MONTH, REVIEWER, NOW)
    url = urlparse(result["download_url"])
    query = parse_qs(url.query)
    assert url.path.endswith("/payroll/230102001/2027-01/draft/roster.csv")
    assert query["versionId"] == [result["version_id"]] and query["X-Amz-Expires"] == ["900"]


def test_the_same_draft_built_twice_has_the_same_sha256(aws):
    payroll = paid_world()
    first = service.draft(payroll, UNIT, MONTH, REVIEWER, NOW)
    second = service.draft(payroll, UNIT, MONTH, REVIEWER, NOW)
    assert second["sha256"] == first["sha256"] and second["version_id"] != first["version_id"]
    assert stored(first["key"], first["version_id"]) == stored(second["key"], second["version_id"])


def test_an_empty_unit_gets_a_header_only_roster(aws):
    result = service.draft(moto_payroll(), UNIT, MONTH, REVIEWER, NOW)
    assert stored(result["key"]).decode() == csv_text([], MONTH)
    assert result["lines"] == 0 and result["totals"]["all"]["count"] == 0


def lines_of(size: int, tag: str) -> str:
    """CSV-like text of about ``size`` bytes, each line different."""
    line = f"{tag}-{{:08d}},{'x' * 60}\n"
    return "".join(line.format(i) for i in range(size // len(line.format(0)) + 1))


def test_parts_of_five_mib_and_more_are_copied_by_s3_itself(s3_calls):
    files = PayrollFiles()
    big, small = lines_of(MIN_PART + MIN_PART // 10, "a"), lines_of(2000, "b")  # ~5.5 MiB, then a last small part
    files.put_part("payroll/t/1/part-00.csv", big)
    files.put_part("payroll/t/1/part-01.csv", small)
    s3_calls.clear()
    version, size = files.combine(["payroll/t/1/part-00.csv", "payroll/t/1/part-01.csv"], "payroll/t/1/roster.csv")
    assert stored("payroll/t/1/roster.csv", version) == (big + small).encode()
    assert size == len(big) + len(small)
    assert s3_calls["UploadPartCopy"] == 2 and s3_calls["UploadPart"] == 0 and s3_calls["GetObject"] == 0
    assert files.sha256_of("payroll/t/1/roster.csv", version) == hashlib.sha256((big + small).encode()).hexdigest()


def test_small_parts_are_topped_up_to_five_mib_and_the_rest_copied_by_range(s3_calls):
    files = PayrollFiles()
    small, big, tail = lines_of(MIN_PART // 5, "a"), lines_of(2 * MIN_PART + 1000, "b"), lines_of(300, "c")
    keys = [f"payroll/t/2/part-{n:02d}.csv" for n in range(4)]
    for key, text in zip(keys, (small, "", big, tail), strict=True):
        files.put_part(key, text)
    s3_calls.clear()
    version, size = files.combine(keys, "payroll/t/2/roster.csv")
    assert stored("payroll/t/2/roster.csv", version) == (small + big + tail).encode()
    # part 1: small + the head of big, read (5 MiB); part 2: big's rest copied by range; part 3: tail copied
    assert s3_calls["UploadPart"] == 1 and s3_calls["UploadPartCopy"] == 2 and s3_calls["GetObject"] == 2


def test_a_roster_under_five_mib_is_joined_in_one_put(s3_calls):
    files = PayrollFiles()
    files.put_part("payroll/t/3/part-00.csv", "h\n1\n")
    files.put_part("payroll/t/3/part-01.csv", "2\n")
    s3_calls.clear()
    version, size = files.combine(["payroll/t/3/part-00.csv", "payroll/t/3/part-01.csv"], "payroll/t/3/roster.csv")
    assert stored("payroll/t/3/roster.csv", version) == b"h\n1\n2\n" and size == 6
    assert s3_calls["CreateMultipartUpload"] == 0 and s3_calls["PutObject"] == 1
