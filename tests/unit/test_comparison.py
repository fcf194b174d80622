"""The pure parts of the monthly data comparison."""
from __future__ import annotations

import pytest

from chalicelib.domain.errors import Invalid
from chalicelib.domain.persons import person_key
from chalicelib.domain.supervision.comparison import DEFAULT_OFFSETS, KINDS, effective_month, parse_file, read_offsets
from tests.support.people import id_number

SECRET = b"test-secret"


def test_the_effective_month_follows_the_province_offset_across_a_year_boundary():
    assert effective_month("deaths", {"deaths": 0}, "2026-12") == "2026-12"
    assert effective_month("deaths", {"deaths": 1}, "2026-12") == "2027-01"
    assert effective_month("hukou_moves", {}, "2026-05") == "2026-06"  # national default: next month


def test_every_kind_has_a_default_offset_and_an_action():
    assert set(DEFAULT_OFFSETS) == set(KINDS)
    assert {action for action, _, _ in KINDS.values()} == {"stop", "suspend"}


def test_a_province_rule_names_known_kinds_with_zero_or_one():
    assert read_offsets({"deaths": 0, "certificate_expiries": 1}) == {"deaths": 0, "certificate_expiries": 1}
    for bad, field in (({"births": 0}, "births"), ({"deaths": 2}, "deaths"), ({"deaths": True}, "deaths")):
        with pytest.raises(Invalid) as raised:
            read_offsets(bad)
        assert raised.value.field == field


def test_rows_are_keyed_by_the_person_hash_and_bad_rows_are_reported_by_line():
    person = id_number(sequence="991")
    text = f"\ufeffID_Number,Event_Date,name\n{person},2026-10-01,张三\n{person},2026-13-01,x\nabc,2026-10-01,y\n"
    parsed = parse_file("deaths", text, SECRET)
    assert [(r.line, r.person_key) for r in parsed.rows] == [(2, person_key(person, SECRET))]
    assert parsed.errors == ["line 3: event_date is not YYYY-MM-DD",
                             "line 4: id_number is not an 18-character 公民身份号码"]


def test_a_file_without_the_needed_columns_is_refused():
    with pytest.raises(Invalid) as raised:
        parse_file("deaths", "id_number,date\n", SECRET)
    assert raised.value.code == "COMPARISON_HEADER"


def test_one_rule_says_which_entitlement_a_change_proposes_for_and_from_when():
    """The data comparison, a self report and a survival check all ask ``proposes`` (services/comparison.py,
    services/reports.py): its subsidy, not already stopped, a suspension only of an active one, never before its
    start (the fields say the same month)."""
    from chalicelib.domain.payments.entitlements import move
    from chalicelib.domain.supervision.comparison import proposal_fields, proposes
    from tests.support.payroll import LIVING, approved

    ent = approved("C1", "living", "2026-03", LIVING, "2026-03-20T10:00:00+08:00")
    stopped = move(ent, "stop", "2026-06", "迁出", "r1", "2026-06-02T10:00:00+08:00")
    suspended = move(ent, "suspend", "2026-06", "待核实", "r1", "2026-06-02T10:00:00+08:00")
    assert proposes(ent, "stop", ("living", "nursing"), "2026-01")
    assert not proposes(ent, "stop", ("nursing",), "2026-07")
    assert not proposes(stopped, "stop", ("living",), "2026-07") and proposes(stopped, "stop", ("living",), "2026-05")
    assert not proposes(suspended, "suspend", ("living",), "2026-07") and proposes(suspended, "stop", ("living",),
                                                                                    "2026-07")
    fields = proposal_fields(ent, "p1", "l1", "deaths", "stop", "死亡", "2026-01-05", "2026-01", "t", "comparison")
    assert fields["effective_month"] == "2026-03" and fields["entitlement_id"] == ent.entitlement_id
