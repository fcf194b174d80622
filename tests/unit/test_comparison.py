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
