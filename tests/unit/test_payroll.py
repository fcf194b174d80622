"""发放名册: the monthly roster's lines, back pay, totals and CSV; the part plan; the service on fakes."""
from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from chalicelib.adapters.payroll_files import Source, StoredPart, plan
from chalicelib.domain.entitlements import Entitlement, correct, move
from chalicelib.domain.errors import Invalid
from chalicelib.domain.payroll import (
    HEADER,
    csv_text,
    merge_totals,
    months_before,
    roster_lines,
    roster_month,
    roster_unit,
    totals,
)
from chalicelib.services.payroll import build_part, build_roster, finish_roster, part_key
from tests.support.payroll import EXPECTED_LINES, EXPECTED_TOTALS, LIVING, MONTH, NURSING, UNIT, approved, world


def by_case(month: str = MONTH, entitlements: list[Entitlement] | None = None) -> dict[str, tuple[str, str, str]]:
    lines = roster_lines(entitlements if entitlements is not None else list(world().values()), month)
    return {line.case_id: (f"{line.monthly_amount:.2f}", f"{line.back_pay:.2f}", f"{line.total:.2f}")
            for line in lines}


def test_the_roster_has_a_line_for_each_payee_and_each_back_pay_counted_by_hand():
    assert by_case() == EXPECTED_LINES


def test_totals_per_subsidy_and_over_all_are_decimal_strings_counted_by_hand():
    assert totals(roster_lines(world().values(), MONTH)) == EXPECTED_TOTALS


def test_a_suspension_takes_effect_from_its_month():
    assert by_case("2026-12")["C02"] == ("93.00", "0.00", "93.00")
    assert "C02" not in by_case("2027-01")


def test_arrears_run_from_the_application_month_across_the_year_end():
    assert months_before("2026-11", "2027-01") == ["2026-11", "2026-12"]
    ent = approved("C09", "living", "2025-12", LIVING, "2026-02-03T10:00:00+08:00")
    assert by_case("2026-02", [ent]) == {"C09": ("99.00", "198.00", "297.00")}
    assert by_case("2026-03", [ent]) == {"C09": ("99.00", "0.00", "99.00")}  # settled once


def test_a_month_sees_only_the_changes_recorded_by_its_end():
    ents = world()
    ents["C01"] = correct(ents["C01"], "2026-12", "110.00", None, "标准调整", "reviewer-1", "2027-02-03T10:00:00+08:00")
    assert by_case("2027-01", list(ents.values()))["C01"] == ("99.00", "0.00", "99.00")  # a rerun of January
    assert "C08" not in by_case("2027-01", list(ents.values()))
    february = by_case("2027-02", list(ents.values()))
    assert february["C01"] == ("110.00", "22.00", "132.00")  # Dec and Jan at +11, settled in February
    assert february["C08"] == ("99.00", "99.00", "198.00")
    assert "C05" in february and february["C05"][1] == "0.00"


def test_approval_and_correction_in_the_same_month_are_not_paid_twice():
    ent = correct(approved("C10", "living", "2026-12", LIVING, "2027-01-05T10:00:00+08:00"),
                  "2026-12", "110.00", None, "标准适用错误", "reviewer-1", "2027-01-20T10:00:00+08:00")
    assert by_case("2027-01", [ent]) == {"C10": ("110.00", "110.00", "220.00")}


def test_two_corrections_in_one_month_settle_their_combined_difference():
    ent = approved("C11", "living", "2026-09", LIVING, "2026-09-05T10:00:00+08:00")
    ent = correct(ent, "2026-10", "120.00", None, "first", "reviewer-1", "2027-01-05T10:00:00+08:00")
    ent = correct(ent, "2026-10", "100.00", None, "second", "reviewer-1", "2027-01-06T10:00:00+08:00")
    assert by_case("2027-01", [ent]) == {"C11": ("100.00", "3.00", "103.00")}  # Oct..Dec at +1, not +21 then -20


def test_a_back_dated_stop_recorded_this_month_is_overpaid():
    ent = move(approved("C12", "nursing", "2026-03", NURSING, "2026-03-05T10:00:00+08:00"),
               "stop", "2026-11", "死亡 (数据比对)", "reviewer-1", "2027-01-08T10:00:00+08:00")
    assert by_case("2027-01", [ent]) == {"C12": ("0.00", "-186.00", "-186.00")}


def test_lines_are_sorted_by_entitlement_id_whatever_the_input_order():
    ents = list(world().values())
    random.Random(7).shuffle(ents)
    ids = [line.entitlement_id for line in roster_lines(ents, MONTH)]
    assert ids == sorted(ids) == ["C01-living", "C04-nursing", "C05-living", "C06-nursing", "C07-living"]


def test_the_csv_has_its_header_plain_amounts_and_no_timestamp():
    text = csv_text(roster_lines(world().values(), MONTH))
    rows = text.split("\n")
    assert rows[0] == ",".join(HEADER) == \
        "entitlement_id,case_id,masked_id,name,subsidy,committee_unit,monthly_amount,back_pay,total"
    assert rows[2] == "C04-nursing,C04,230***********1234,张三,nursing,230102001001,93.00,186.00,279.00"
    assert rows[5] == "C07-living,C07,230***********1234,张三,living,230102001001,0.00,-99.00,-99.00"
    assert text.endswith("\n") and "\r" not in text and len(rows) == 7
    assert csv_text([], header=False) == ""


def test_the_same_month_built_twice_is_byte_identical():
    ents = list(world().values())
    first = csv_text(roster_lines(ents, MONTH)).encode("utf-8")
    random.Random(3).shuffle(ents)
    assert csv_text(roster_lines(ents, MONTH)).encode("utf-8") == first


def test_a_name_with_a_comma_is_quoted():
    ent = approved("C13", "living", "2026-03", LIVING, "2026-03-20T10:00:00+08:00", name='王,"五"')
    assert csv_text(roster_lines([ent], MONTH), header=False) == \
        'C13-living,C13,230***********1234,"王,""五""",living,230102001001,99.00,0.00,99.00\n'


def test_merged_shard_totals_equal_the_totals_of_all_lines():
    lines = roster_lines(world().values(), MONTH)
    assert merge_totals([totals(lines[:2]), totals(lines[2:]), totals([])]) == totals(lines)
    assert totals([]) == {"all": {"count": 0, "monthly": "0.00", "back_pay": "0.00", "total": "0.00"}}


@pytest.mark.parametrize("month", ["2027-1", "2027-13", "1999-12", "２０２７-01", "2027/01", 202701, None])
def test_a_month_must_be_yyyy_mm(month):
    with pytest.raises(Invalid) as raised:
        roster_month(month)
    assert raised.value.code == "MONTH_FORMAT" and raised.value.status == 422


@pytest.mark.parametrize("unit", ["23010200", "2301020011", "23010200a", "２３０１０２００１", None])
def test_a_business_unit_must_be_nine_digits(unit):
    with pytest.raises(Invalid) as raised:
        roster_unit(unit)
    assert raised.value.code == "UNIT_FORMAT"


# --- the part plan (pure) ------------------------------------------------------------------------

def covered(parts) -> list[tuple[str, int]]:
    return [(segment.source.key, offset) for part in parts for segment in part
            for offset in range(segment.start, segment.end)]


@pytest.mark.parametrize("sizes", [[3, 10, 2, 0, 7], [5, 5, 5], [1, 1, 1], [12], [4, 6], [0, 0], [2, 13, 1]])
def test_the_plan_copies_large_stretches_reads_at_most_one_minimum_and_covers_every_byte_once(sizes):
    sources = [Source(f"part-{i:02d}.csv", None, size) for i, size in enumerate(sizes)]
    parts = plan(sources, min_part=5)
    assert covered(parts) == [(s.key, offset) for s in sources for offset in range(s.size)]
    assert all(sum(seg.end - seg.start for seg in part) >= 5 for part in parts[:-1])
    assert all(sum(seg.end - seg.start for seg in part) <= 5 for part in parts if len(part) > 1)


def test_a_small_run_is_topped_up_from_the_next_source_and_the_rest_is_copied():
    parts = plan([Source("a", None, 2), Source("b", None, 13)], min_part=5)
    assert [[(s.source.key, s.start, s.end) for s in part] for part in parts] == [[("a", 0, 2), ("b", 0, 3)],
                                                                                 [("b", 3, 13)]]


# --- the service on fakes ------------------------------------------------------------------------

@dataclass
class FakeStore:
    shards: dict[int, list[Entitlement]]
    page_sizes: list[int] = field(default_factory=list)

    def shard(self, business_unit: str, shard: int, page_size: int = 500) -> Iterator[Entitlement]:
        self.page_sizes.append(page_size)
        yield from (e for e in self.shards.get(shard, []) if e.business_unit == business_unit)


@dataclass
class FakeFiles:
    objects: dict[str, bytes] = field(default_factory=dict)

    def put_part(self, key: str, text: str) -> StoredPart:
        self.objects[key] = text.encode("utf-8")
        return StoredPart(key, "etag", len(self.objects[key]), None)

    def combine(self, parts: list[str], key: str) -> tuple[str | None, int]:
        self.objects[key] = b"".join(self.objects[part] for part in parts)
        return "v1", len(self.objects[key])

    def presigned_get(self, key: str, seconds: int = 900, version_id: str | None = None) -> str:
        return f"https://example.invalid/{key}?versionId={version_id}&expires={seconds}"

    def sha256_of(self, key: str, version_id: str | None = None) -> str:
        return hashlib.sha256(self.objects[key]).hexdigest()


def spread() -> FakeStore:
    ents = sorted(world().values(), key=lambda e: e.entitlement_id)
    return FakeStore({3: ents[4:], 0: ents[:2], 15: ents[2:4]})


def test_the_roster_joins_the_shards_in_order_with_one_header_and_merged_totals():
    files = FakeFiles()
    result = build_roster(spread(), files, UNIT, MONTH)
    text = files.objects[result["key"]].decode("utf-8")
    assert result["key"] == "payroll/230102001/2027-01/roster.csv"
    assert text.count("entitlement_id,") == 1 and text.startswith("entitlement_id,")
    assert [row.split(",")[1] for row in text.splitlines()[1:]] == ["C01", "C05", "C06", "C07", "C04"]
    assert result["lines"] == 5 and result["totals"] == totals(roster_lines(world().values(), MONTH))
    assert result["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert files.objects[part_key(UNIT, MONTH, 1)] == b""  # an empty shard still has its (empty) part
    assert build_roster(spread(), FakeFiles(), UNIT, MONTH)["sha256"] == result["sha256"]


def test_a_shard_is_read_with_a_page_size_and_parts_can_be_finished_from_their_json():
    store, files = spread(), FakeFiles()
    parts = [build_part(store, files, UNIT, MONTH, shard, page_size=250).as_dict() for shard in range(16)]
    assert set(store.page_sizes) == {250}
    assert finish_roster(files, UNIT, MONTH, parts)["lines"] == 5
    with pytest.raises(Invalid) as raised:
        finish_roster(files, UNIT, MONTH, parts[:15])
    assert raised.value.code == "PARTS_INCOMPLETE"


@pytest.mark.parametrize(("unit", "month", "code"), [("23010200", MONTH, "UNIT_FORMAT"), (UNIT, "2027-1", "MONTH_FORMAT")])
def test_the_roster_checks_its_unit_and_month(unit, month, code):
    with pytest.raises(Invalid) as raised:
        build_roster(spread(), FakeFiles(), unit, month)
    assert raised.value.code == code and raised.value.status == 422
