"""发放名册: lines (owed − paid), totals and the file a paying agent opens; the part plan; the service on fakes."""
from __future__ import annotations

import csv
import io
import random
from datetime import datetime
from decimal import Decimal

import pytest

from chalicelib.adapters.payroll_files import Source, plan
from chalicelib.domain.cases.case import Actor
from chalicelib.domain.errors import Conflict, Forbidden, Invalid
from chalicelib.domain.payments.entitlements import correct, move
from chalicelib.domain.payments.ledger import Ledger, apply_payment, debt
from chalicelib.domain.payments.roster import (
    BOM,
    HEADER,
    csv_text,
    merge_totals,
    month_ranges,
    plan_text,
    read_plan,
    roster_lines,
    roster_unit,
    totals,
)
from chalicelib.domain.values import parse_month
from chalicelib.services import payroll as service
from tests.fakes.payments import fake_payroll
from tests.support.payroll import (
    EXPECTED_DEBTS,
    EXPECTED_LINES,
    EXPECTED_TOTALS,
    LIVING,
    MONTH,
    NO_TABLES,
    UNIT,
    approved,
    ledgers,
    pairs,
    world,
)

REVIEWER = Actor("reviewer-1", "审核员", "reviewer", UNIT)


def by_case(month: str = MONTH, given=None) -> dict[str, tuple[str, str, str]]:
    built = roster_lines(given if given is not None else pairs(), month, NO_TABLES)
    return {line.case_id: (f"{line.monthly_amount:.2f}", f"{line.back_pay:.2f}", f"{line.total:.2f}")
            for line in built.lines}


def test_the_roster_has_a_line_for_each_payee_owed_minus_paid_counted_by_hand():
    assert by_case() == EXPECTED_LINES


def test_over_payments_are_debts_for_recovery_never_negative_lines():
    paid = ledgers()
    found = {case: tuple((m, f"{a:.2f}") for m, a in debt(ent, paid[case], MONTH, NO_TABLES))
             for case, ent in world().items() if debt(ent, paid[case], MONTH, NO_TABLES)}
    assert found == EXPECTED_DEBTS
    built = roster_lines(pairs(), MONTH, NO_TABLES)
    assert all(line.total > 0 and line.back_pay >= 0 for line in built.lines)


def test_totals_per_subsidy_and_over_all_are_decimal_strings_counted_by_hand():
    assert totals(roster_lines(pairs(), MONTH, NO_TABLES).lines) == EXPECTED_TOTALS


def test_a_suspension_takes_effect_from_its_month():
    assert "C02" not in by_case("2027-01")
    unpaid = [(world()["C02"], Ledger("C02-nursing"))]
    assert by_case("2026-12", unpaid) == {"C02": ("93.00", "651.00", "744.00")}  # May..Nov unpaid, then December


def test_arrears_run_from_the_application_month_across_the_year_end_and_are_paid_once():
    ent = approved("C09", "living", "2025-12", LIVING, "2026-02-03T10:00:00+08:00")
    assert by_case("2026-02", [(ent, Ledger(ent.entitlement_id))]) == {"C09": ("99.00", "198.00", "297.00")}
    paid = apply_payment(Ledger(ent.entitlement_id), "2026-02", 1,
                         tuple((m, Decimal(LIVING)) for m in ("2025-12", "2026-01", "2026-02")))
    assert by_case("2026-03", [(ent, paid)]) == {"C09": ("99.00", "0.00", "99.00")}
    assert by_case("2026-02", [(ent, paid)]) == {}  # February rebuilt after it was paid: nothing more


def test_an_approval_after_the_month_s_roster_was_finalized_is_paid_by_the_next_roster():
    ent = approved("C10", "living", "2026-10", LIVING, "2026-11-20T10:00:00+08:00")  # November's roster had run
    assert by_case("2026-12", [(ent, Ledger(ent.entitlement_id))]) == {"C10": ("99.00", "198.00", "297.00")}


def test_two_corrections_in_one_month_settle_their_combined_difference():
    ent = approved("C11", "living", "2026-09", LIVING, "2026-09-05T10:00:00+08:00")
    paid = apply_payment(Ledger(ent.entitlement_id), "2026-12", 1,
                         tuple((m, Decimal(LIVING)) for m in ("2026-09", "2026-10", "2026-11", "2026-12")))
    ent = correct(ent, "2026-10", "first", "reviewer-1", "2027-01-05T10:00:00+08:00", monthly_amount="120.00")
    ent = correct(ent, "2026-10", "second", "reviewer-1", "2027-01-06T10:00:00+08:00", monthly_amount="100.00")
    assert by_case("2027-01", [(ent, paid)]) == {"C11": ("100.00", "3.00", "103.00")}  # Oct..Dec at +1


def test_a_death_found_two_months_late_stops_from_its_month_and_the_months_paid_since_are_a_debt():
    ent = approved("C12", "nursing", "2026-03", "93.00", "2026-03-05T10:00:00+08:00")
    paid = apply_payment(Ledger(ent.entitlement_id), "2026-12", 1,
                         tuple((m, Decimal("93.00")) for m in ("2026-10", "2026-11", "2026-12")))
    dead = move(ent, "stop", "2026-11", "死亡 (2026-10-20，数据比对)", "reviewer-1", "2027-01-08T10:00:00+08:00")
    assert [(m, f"{a:.2f}") for m, a in debt(dead, paid, "2027-01", NO_TABLES)] == [
        ("2026-11", "93.00"), ("2026-12", "93.00")]


def test_lines_are_sorted_by_entitlement_id_whatever_the_input_order():
    given = pairs()
    random.Random(7).shuffle(given)
    ids = [line.entitlement_id for line in roster_lines(given, MONTH, NO_TABLES).lines]
    assert ids == sorted(ids) == ["C01-living", "C04-nursing", "C05-living", "C06-nursing", "C08-living"]


def rows_of(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_the_file_opens_as_chinese_in_excel_with_accounts_and_masked_ids():
    text = csv_text(roster_lines(pairs(), MONTH, NO_TABLES).lines, MONTH)
    rows = rows_of(text)
    assert rows[0] == list(HEADER) and rows[0][:4] == ["补贴对象编号", "案件编号", "姓名", "公民身份号码"]
    assert rows[2] == ["C04-nursing", "C04", "张三", "230***********1234", "重度残疾人护理补贴", "230102001001",
                       "中国农业银行哈尔滨道里支行", "6228480000123404", "93.00", "186.00", "2026-11至2026-12",
                       "279.00"]
    assert text.count("\r\n") == 6 and text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert csv_text([], MONTH, header=False) == ""


def test_the_full_id_number_only_where_the_province_asks_for_it():
    built = roster_lines(pairs(), MONTH, NO_TABLES, id_policy="full")
    assert {line.id_shown for line in built.lines} == {"230102198001011234"}


def test_the_same_lines_are_the_same_bytes():
    given = pairs()
    first = csv_text(roster_lines(given, MONTH, NO_TABLES).lines, MONTH).encode("utf-8")
    random.Random(3).shuffle(given)
    assert csv_text(roster_lines(given, MONTH, NO_TABLES).lines, MONTH).encode("utf-8") == first


def test_a_name_with_a_comma_is_quoted_and_a_formula_is_not_run():
    ent = approved("C13", "living", "2026-03", LIVING, "2026-03-20T10:00:00+08:00", name='王,"五"')
    odd = approved("C14", "living", "2026-03", LIVING, "2026-03-20T10:00:00+08:00", name="=HYPERLINK(1)")
    built = roster_lines([(ent, Ledger(ent.entitlement_id)), (odd, Ledger(odd.entitlement_id))], "2026-03", NO_TABLES)
    rows = list(csv.reader(io.StringIO(csv_text(built.lines, "2026-03", header=False), newline="")))
    assert rows[0][2] == '王,"五"' and rows[1][2] == "'=HYPERLINK(1)"


def test_months_read_as_runs():
    assert month_ranges(["2026-11", "2026-12", "2027-01", "2027-03"]) == "2026-11至2027-01；2027-03"
    assert month_ranges([]) == ""


def test_the_plan_reads_back_what_each_line_pays():
    lines = roster_lines(pairs(), MONTH, NO_TABLES).lines
    plan_read = read_plan(plan_text(lines))
    assert plan_read["C05-living"] == (("2026-10", Decimal("21.00")), ("2026-11", Decimal("21.00")),
                                       ("2026-12", Decimal("21.00")), ("2027-01", Decimal("120.00")))
    assert set(plan_read) == {line.entitlement_id for line in lines}


def test_merged_shard_totals_equal_the_totals_of_all_lines():
    lines = roster_lines(pairs(), MONTH, NO_TABLES).lines
    assert merge_totals([totals(lines[:2]), totals(lines[2:]), totals([])]) == totals(lines)
    assert totals([]) == {"all": {"count": 0, "monthly": "0.00", "back_pay": "0.00", "total": "0.00"}}


@pytest.mark.parametrize("month", ["2027-1", "2027-13", "1999-12", "２０２７-01", "2027/01", 202701, None])
def test_a_month_must_be_yyyy_mm(month):
    with pytest.raises(Invalid) as raised:
        parse_month(month)
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


# --- the service on the fakes ----------------------------------------------------------------------

def paid_world():
    payroll = fake_payroll(NO_TABLES)
    paid = ledgers()
    for case, ent in world().items():
        payroll.entitlements.add(ent)
        if paid[case].payments:
            payroll.ledgers.put_all(UNIT, [paid[case]])
    payroll.records.heads[UNIT] = {"seq": 1, "finalizing": None, "debt_ids": set(), "debt_candidates": set(),
                                   "debts_built_at": None}
    return payroll


NOW = datetime.fromisoformat("2027-01-25T10:00:00+08:00")


def test_a_draft_joins_the_shards_with_one_header_and_can_be_rebuilt_freely():
    payroll = paid_world()
    first = service.draft(payroll, UNIT, MONTH, REVIEWER, NOW)
    again = service.draft(payroll, UNIT, MONTH, REVIEWER, NOW)
    assert first["sha256"] == again["sha256"] and first["status"] == "draft"
    text = payroll.files.read_text(first["key"], first["version_id"])
    assert text.count("补贴对象编号") == 1 and first["lines"] == 5 and first["totals"] == EXPECTED_TOTALS
    assert first["key"] == "payroll/230102001/2027-01/draft/roster.csv"
    assert payroll.ledgers.get("C01-living").applied_seq == 1  # a draft pays nothing
    assert payroll.records.head(UNIT).debt_ids == {"C06-nursing", "C07-living"}


def test_finalizing_writes_the_ledger_once_and_is_refused_twice():
    payroll = paid_world()
    draft = service.draft(payroll, UNIT, MONTH, REVIEWER, NOW)
    final = service.finalize(payroll, UNIT, MONTH, lambda: {"draft_sha256": draft["sha256"]}, REVIEWER, NOW)
    assert (final["status"], final["finalized_by"], final["sha256"]) == ("finalized", "reviewer-1", draft["sha256"])
    assert payroll.ledgers.get("C04-nursing").paid() == {"2026-11": Decimal("93.00"), "2026-12": Decimal("93.00"),
                                                          "2027-01": Decimal("93.00")}
    assert service.draft(payroll, UNIT, "2027-02", REVIEWER, NOW)["totals"]["all"]["back_pay"] == "0.00"
    for attempt in (lambda: service.finalize(payroll, UNIT, MONTH, lambda: {"draft_sha256": draft["sha256"]}, REVIEWER, NOW),
                    lambda: service.draft(payroll, UNIT, MONTH, REVIEWER, NOW)):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.code == "ROSTER_FINALIZED"


def test_a_stale_draft_is_refused_and_nothing_is_paid():
    payroll = paid_world()
    draft = service.draft(payroll, UNIT, MONTH, REVIEWER, NOW)
    payroll.entitlements.add(approved("C20", "living", "2026-12", LIVING, "2027-01-26T10:00:00+08:00"))
    with pytest.raises(Conflict) as refused:
        service.finalize(payroll, UNIT, MONTH, lambda: {"draft_sha256": draft["sha256"]}, REVIEWER, NOW)
    assert refused.value.code == "DRAFT_STALE"
    assert payroll.records.head(UNIT).finalizing is None and payroll.ledgers.get("C04-nursing").paid() == {}


def test_a_finalization_that_died_after_storing_its_plan_is_completed_by_the_next_one():
    payroll = paid_world()
    draft = service.draft(payroll, UNIT, MONTH, REVIEWER, NOW)
    finish = payroll.records.finish
    payroll.records.finish = lambda *args: (_ for _ in ()).throw(RuntimeError("the function died"))
    with pytest.raises(RuntimeError):
        service.finalize(payroll, UNIT, MONTH, lambda: {"draft_sha256": draft["sha256"]}, REVIEWER, NOW)
    payroll.records.finish = finish
    assert payroll.records.head(UNIT).finalizing["plan"]  # the claim keeps its stored plan
    february = service.draft(payroll, UNIT, "2027-02", REVIEWER, NOW)
    service.finalize(payroll, UNIT, "2027-02", lambda: {"draft_sha256": february["sha256"]}, REVIEWER, NOW)
    assert payroll.records.roster(UNIT, MONTH).status == "finalized"  # January completed first
    paid = payroll.ledgers.get("C04-nursing").paid()
    assert paid == {m: Decimal("93.00") for m in ("2026-11", "2026-12", "2027-01", "2027-02")}  # each once


def test_only_the_unit_s_reviewers_or_admins_over_it_handle_its_rosters():
    payroll = paid_world()
    for actor in (Actor("w", "窗口", "window", UNIT), Actor("r", "审核", "reviewer", "230103001"),
                  Actor("a", "管理", "admin", "31")):
        with pytest.raises(Forbidden):
            service.draft(payroll, UNIT, MONTH, actor, NOW)
    assert service.draft(payroll, UNIT, MONTH, Actor("a", "管理", "admin", "2301"), NOW)["lines"] == 5


def test_each_download_is_recorded():
    payroll = paid_world()
    draft = service.draft(payroll, UNIT, MONTH, REVIEWER, NOW)
    service.finalize(payroll, UNIT, MONTH, lambda: {"draft_sha256": draft["sha256"]}, REVIEWER, NOW)
    first = service.download(payroll, UNIT, MONTH, None, REVIEWER, NOW)
    second = service.download(payroll, UNIT, MONTH, "final", REVIEWER, NOW)
    assert (first["downloads"], second["downloads"], second["sha256"]) == (1, 2, draft["sha256"])
    assert [d["by"] for d in payroll.records.roster(UNIT, MONTH).downloads] == ["reviewer-1", "reviewer-1"]
    with pytest.raises(Invalid):
        service.download(payroll, UNIT, MONTH, "other", REVIEWER, NOW)


@pytest.mark.parametrize(("unit", "month", "code"), [("23010200", MONTH, "UNIT_FORMAT"), (UNIT, "2027-1", "MONTH_FORMAT")])
def test_the_roster_checks_its_unit_and_month(unit, month, code):
    with pytest.raises(Invalid) as raised:
        service.draft(paid_world(), unit, month, REVIEWER, NOW)
    assert raised.value.code == code and raised.value.status == 422
