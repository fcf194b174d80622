"""Rosters (数据比对): the person key, parsing operator CSVs, and the waivers they support."""
from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.errors import Invalid
from chalicelib.domain.identity import Certificate
from chalicelib.domain.persons import person_key
from chalicelib.domain.rules.registers import (
    RosterMatch,
    load_id_for,
    parse_roster,
    waivers_for,
)
from tests.support.people import id_number

SECRET = b"unit-test-person-key-secret-32-bytes!!"
TODAY = date(2026, 11, 30)
PERSON = id_number()
OTHER = id_number(birth="19751231", sequence="456")
X_PERSON = next(n for s in range(100, 999) if (n := id_number(sequence=str(s))).endswith("X"))
CERT_HEADER = "id_number,certificate_number,category,grade,valid_until,status"
NOTICE = ("application_form", "id_card", "disability_certificate", "photo")


def certificate_csv(*rows: str, header: str = CERT_HEADER) -> str:
    return "\n".join((header, *rows)) + "\n"


def cert_row(person: str = PERSON, category: str = "4", grade: str = "1", valid_until: str = "2031-05-01",
             status: str = "valid", number: str | None = None) -> str:
    return ",".join((person, number or person + category + grade, category, grade, valid_until, status))


def applicant_certificate(category: int = 4, grade: int = 1, person: str = PERSON) -> Certificate:
    return Certificate(f"{person}{category}{grade}", category, grade, date(2031, 5, 1))


def match(kind: str, loaded_at: str = "2026-11-01T09:00:00+08:00", load_id: str = "L1", **fields: str) -> RosterMatch:
    return RosterMatch(kind, load_id, loaded_at, fields)


def dpf(category: str = "4", grade: str = "1", valid_until: str = "2031-05-01", status: str = "valid",
        person: str = PERSON, **kwargs: str) -> RosterMatch:
    """A DPF roster entry read back from the index, as the parser would have stored it."""
    entry = parse_roster("disability_certificates",
                         certificate_csv(cert_row(person, category, grade, valid_until, status)), SECRET, TODAY)
    assert not entry.errors, entry.errors
    return match("disability_certificates", **kwargs, **entry.entries[0].fields)


# --- the person key -------------------------------------------------------------------------

def test_the_person_key_is_stable_and_ignores_spaces_and_the_case_of_x() -> None:
    assert person_key(PERSON, SECRET) == person_key(PERSON, SECRET)
    assert person_key(f" {PERSON[:6]} {PERSON[6:]}", SECRET) == person_key(PERSON, SECRET)
    assert person_key(X_PERSON.lower(), SECRET) == person_key(X_PERSON, SECRET)


def test_the_person_key_differs_by_secret_and_by_person() -> None:
    assert person_key(PERSON, SECRET) != person_key(PERSON, b"another-secret")
    assert person_key(PERSON, SECRET) != person_key(OTHER, SECRET)


def test_the_person_key_never_equals_or_contains_the_id_number() -> None:
    key = person_key(PERSON, SECRET)
    assert len(key) == 64 and key != PERSON
    assert PERSON not in key and PERSON[-8:] not in key and PERSON[:6] not in key


def test_the_person_key_refuses_an_empty_secret_and_a_wrong_shape() -> None:
    with pytest.raises(ValueError):
        person_key(PERSON, b"")
    with pytest.raises(Invalid) as raised:
        person_key(PERSON[:17], SECRET)
    assert PERSON[:17] not in raised.value.message


# --- parsing --------------------------------------------------------------------------------

def test_a_valid_certificate_row_keeps_the_key_and_a_masked_id_but_never_the_number() -> None:
    parsed = parse_roster("disability_certificates", certificate_csv(cert_row()), SECRET, TODAY)
    assert parsed.errors == []
    [entry] = parsed.entries
    assert entry.kind == "disability_certificates"
    assert entry.person_key == person_key(PERSON, SECRET)
    assert entry.masked_id == PERSON[:3] + "*" * 11 + PERSON[-4:]
    assert entry.fields == {"certificate_masked": PERSON[:3] + "*" * 13 + PERSON[-2:] + "41",
                            "category": "4", "grade": "1", "valid_until": "2031-05-01", "status": "valid"}
    assert PERSON not in repr(entry)


def test_a_bom_crlf_line_ends_spaces_and_header_case_are_accepted() -> None:
    text = "\ufeff" + "ID_Number , Status,since,Area\r\n" + f" {PERSON} ,IN,2024-03-01,Rural\r\n"
    parsed = parse_roster("dibao", text, SECRET, TODAY)
    assert parsed.errors == []
    assert parsed.entries[0].fields == {"status": "in", "since": "2024-03-01", "area": "rural"}


def test_the_area_of_a_dibao_row_is_optional() -> None:
    parsed = parse_roster("dibao", f"id_number,status,since\n{PERSON},out,2025-01-01\n", SECRET, TODAY)
    assert parsed.entries[0].fields == {"status": "out", "since": "2025-01-01"}


def test_a_tekun_roster_reads_status_and_since() -> None:
    parsed = parse_roster("tekun", f"id_number,status,since\n{PERSON},in,2020-06-01\n", SECRET, TODAY)
    assert parsed.entries[0].kind == "tekun" and parsed.entries[0].fields["status"] == "in"


def test_bad_rows_are_reported_by_line_without_the_id_number_and_the_rest_is_loaded() -> None:
    bad_checksum = PERSON[:-1] + ("0" if PERSON[-1] != "0" else "1")
    text = certificate_csv(
        cert_row(),                                          # line 2: fine
        cert_row(bad_checksum),                              # line 3: checksum
        cert_row(OTHER, category="8", number=OTHER + "81"),  # line 4: unknown category
        cert_row(OTHER, valid_until="2031-02-30"),           # line 5: not a real date
        cert_row(OTHER, status="lost"),                      # line 6: unknown status
        cert_row(OTHER, number=OTHER + "42"),                # line 7: number disagrees with grade
        "",                                                  # line 8: blank, skipped
        cert_row(OTHER, number=PERSON + "41"),               # line 9: someone else's certificate
        f"{OTHER},1",                                        # line 10: short row
        cert_row(OTHER),                                     # line 11: fine
    )
    parsed = parse_roster("disability_certificates", text, SECRET, TODAY)
    assert [e.person_key for e in parsed.entries] == [person_key(PERSON, SECRET), person_key(OTHER, SECRET)]
    assert [e.split(":")[0] for e in parsed.errors] == [f"line {n}" for n in (3, 4, 5, 6, 7, 9, 10)]
    assert "ID_NUMBER_CHECKSUM" in parsed.errors[0]
    assert "category must be 1..7" in parsed.errors[1]
    assert "valid_until must be a date" in parsed.errors[2]
    assert "status must be one of" in parsed.errors[3]
    assert "disagree" in parsed.errors[4]
    assert "holder's ID number" in parsed.errors[5]
    for line in parsed.errors:
        for number in (PERSON, OTHER, bad_checksum, PERSON[:6], OTHER[6:14]):
            assert number not in line


def test_an_unknown_region_is_refused_without_quoting_the_address_code() -> None:
    unknown = id_number(region="999999")
    parsed = parse_roster("dibao", f"id_number,status,since\n{unknown},in,2024-01-01\n", SECRET, TODAY)
    assert parsed.entries == []
    assert parsed.errors == ["line 2: id_number is not a valid 公民身份号码 (ID_NUMBER_REGION)"]


def test_a_person_twice_in_one_file_keeps_the_first_row() -> None:
    text = f"id_number,status,since\n{PERSON},in,2024-01-01\n{PERSON.lower()},out,2025-01-01\n"
    parsed = parse_roster("dibao", text, SECRET, TODAY)
    assert [e.fields["status"] for e in parsed.entries] == ["in"]
    assert parsed.errors == ["line 3: same person as line 2 (that row is kept)"]


def test_membership_rows_check_status_since_and_area() -> None:
    text = f"id_number,status,since,area\n{PERSON},maybe,2024/01/01,suburb\n"
    [error] = parse_roster("dibao", text, SECRET, TODAY).errors
    assert error.startswith("line 2: ") and "status" in error and "since" in error and "area" in error


def test_columns_outside_the_schema_are_dropped_and_named() -> None:
    text = f"id_number,name,status,since\n{PERSON},张三,in,2024-01-01\n"
    parsed = parse_roster("tekun", text, SECRET, TODAY)
    assert parsed.ignored_columns == ("name",)
    assert "张三" not in repr(parsed.entries)


@pytest.mark.parametrize("text", ["", "id_number,status\n", "id_number,status,since,status\n"])
def test_a_file_without_the_required_header_is_refused_whole(text: str) -> None:
    with pytest.raises(Invalid) as raised:
        parse_roster("dibao", text, SECRET, TODAY)
    assert raised.value.code == "ROSTER_HEADER"


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(Invalid) as raised:
        parse_roster("pensions", "id_number\n", SECRET, TODAY)
    assert raised.value.code == "UNKNOWN_ROSTER"


def test_a_load_is_identified_by_the_object_version_or_else_its_content() -> None:
    assert load_id_for("b", "rosters/dibao/a.csv", "v1", "aa") == load_id_for("b", "rosters/dibao/a.csv", "v1", "bb")
    assert load_id_for("b", "rosters/dibao/a.csv", "v1", "aa") != load_id_for("b", "rosters/dibao/a.csv", "v2", "aa")
    assert load_id_for("b", "k", None, "aa") != load_id_for("b", "k", None, "bb")
    assert load_id_for("b", "k", "null", "aa") == load_id_for("b", "k", None, "aa")


# --- waivers --------------------------------------------------------------------------------

def test_a_valid_matching_certificate_on_the_dpf_roster_waives_the_material() -> None:
    [result] = waivers_for(NOTICE, applicant_certificate(), {}, [dpf()], TODAY)
    assert result.as_dict() == {
        "type": "waiver", "code": "disability_certificate", "source": "disability_certificates",
        "load_id": "L1", "loaded_at": "2026-11-01T09:00:00+08:00", "waived": True, "confirmed": None,
        "match": {"category": "4", "grade": "1", "valid_until": "2031-05-01"}, "mismatch": [], "notes": [],
        "roster": {"category": "4", "grade": "1", "status": "valid", "valid_until": "2031-05-01"},
    }


def test_a_different_expiry_still_waives_and_the_roster_date_is_noted() -> None:
    [result] = waivers_for(NOTICE, applicant_certificate(), {}, [dpf(valid_until="2030-01-01")], TODAY)
    assert result.waived is True
    assert result.notes == ("valid_until: roster 2030-01-01, application 2031-05-01",)


def test_no_certificate_waiver_without_a_roster_entry_or_when_the_notice_does_not_ask_for_it() -> None:
    assert waivers_for(NOTICE, applicant_certificate(), {}, [], TODAY) == []
    assert waivers_for(("id_card",), applicant_certificate(), {}, [dpf()], TODAY) == []


def test_a_different_grade_is_shown_not_hidden() -> None:
    [result] = waivers_for(NOTICE, applicant_certificate(grade=1), {}, [dpf(grade="2")], TODAY)
    assert result.waived is False and result.match == {}
    assert result.mismatch == (
        f"certificate_number: roster {PERSON[:3]}{'*' * 13}{PERSON[-2:]}42, "
        f"application {PERSON[:3]}{'*' * 13}{PERSON[-2:]}41",
        "grade: roster 2, application 1",
    )


def test_a_different_category_is_shown() -> None:
    [result] = waivers_for(NOTICE, applicant_certificate(category=4), {}, [dpf(category="6")], TODAY)
    assert "category: roster 6, application 4" in result.mismatch and result.waived is False


def test_a_cancelled_certificate_is_not_waived() -> None:
    [result] = waivers_for(NOTICE, applicant_certificate(), {}, [dpf(status="cancelled")], TODAY)
    assert result.waived is False and result.mismatch == ("status: roster cancelled",)


def test_an_expired_certificate_is_not_waived_but_one_valid_through_today_is() -> None:
    [expired] = waivers_for(NOTICE, applicant_certificate(), {}, [dpf(valid_until="2026-11-29")], TODAY)
    assert expired.waived is False
    assert expired.mismatch == ("valid_until: roster 2026-11-29, expired before 2026-11-30",)
    [last_day] = waivers_for(NOTICE, applicant_certificate(), {}, [dpf(valid_until="2026-11-30")], TODAY)
    assert last_day.waived is True


def test_the_newest_load_of_a_kind_decides() -> None:
    old = dpf(grade="2", loaded_at="2026-10-01T09:00:00+08:00", load_id="OLD")
    new = dpf(grade="1", loaded_at="2026-11-01T01:00:00+00:00", load_id="NEW")
    [result] = waivers_for(NOTICE, applicant_certificate(grade=1), {}, [new, old], TODAY)
    assert result.waived is True and result.load_id == "NEW"


def test_a_dibao_roster_showing_in_confirms_the_claim() -> None:
    entry = match("dibao", status="in", since="2024-03-01", area="urban")
    [result] = waivers_for(NOTICE, applicant_certificate(), {"dibao": True}, [entry], TODAY)
    assert result.as_dict() == {
        "type": "confirmation", "code": None, "source": "dibao", "load_id": "L1",
        "loaded_at": "2026-11-01T09:00:00+08:00", "waived": None, "confirmed": True,
        "match": {"status": "in", "since": "2024-03-01", "area": "urban"}, "mismatch": [], "notes": [],
        "roster": {"status": "in", "since": "2024-03-01", "area": "urban"},
    }


def test_a_dibao_roster_showing_out_contradicts_the_claim() -> None:
    entry = match("dibao", status="out", since="2025-06-01")
    [result] = waivers_for(NOTICE, applicant_certificate(), {"dibao": True}, [entry], TODAY)
    assert result.confirmed is False
    assert result.mismatch == ("status: roster out (since 2025-06-01), application claims 低保",)


def test_a_claimed_dibao_absent_from_every_roster_is_a_mismatch() -> None:
    [result] = waivers_for(NOTICE, applicant_certificate(), {"dibao": True}, [], TODAY)
    assert result.confirmed is False and result.load_id is None
    assert result.mismatch == ("status: no entry in any loaded 低保 roster, application claims 低保",)


def test_dibao_on_the_roster_but_not_claimed_is_shown_and_out_unclaimed_is_silent() -> None:
    [result] = waivers_for(NOTICE, applicant_certificate(), {"dibao": False}, [match("dibao", status="in",
                                                                                    since="2024-03-01")], TODAY)
    assert result.confirmed is False and "application does not claim 低保" in result.mismatch[0]
    assert waivers_for(NOTICE, applicant_certificate(), {}, [match("dibao", status="out", since="2024-03-01")],
                       TODAY) == []


def test_tekun_membership_is_shown_with_its_exclusion() -> None:
    [result] = waivers_for(NOTICE, applicant_certificate(), {}, [match("tekun", status="in", since="2020-01-01")],
                           TODAY)
    assert result.source == "tekun" and result.confirmed is False
    assert result.notes == ("特困供养 recipients receive neither subsidy (国发〔2015〕52号)",)


def test_all_results_together_are_json_friendly() -> None:
    import json

    entries = [dpf(), match("dibao", status="in", since="2024-03-01")]
    results = waivers_for(NOTICE, applicant_certificate(), {"dibao": True}, entries, TODAY)
    assert [(r.type, r.source) for r in results] == [("waiver", "disability_certificates"),
                                                     ("confirmation", "dibao")]
    json.dumps([r.as_dict() for r in results])
    assert PERSON not in json.dumps([r.as_dict() for r in results])


def test_with_the_loads_known_a_kind_never_loaded_compares_nothing() -> None:
    loads = {"disability_certificates": ("C1", "2026-11-01T09:00:00+08:00")}
    assert waivers_for(NOTICE, applicant_certificate(), {"dibao": True, "tekun": True}, [], TODAY, loads) == []


def test_with_the_loads_known_a_claim_absent_from_the_roster_names_its_newest_load() -> None:
    loads = {"dibao": ("D7", "2026-10-05T09:00:00+08:00")}
    [result] = waivers_for(NOTICE, applicant_certificate(), {"dibao": True}, [], TODAY, loads)
    assert (result.confirmed, result.load_id, result.loaded_at) == (False, "D7", "2026-10-05T09:00:00+08:00")
    assert result.roster == {"status": "absent"}
    assert result.mismatch == ("status: no entry in any loaded 低保 roster, application claims 低保",)


def test_a_certificate_mismatch_keeps_what_the_roster_says() -> None:
    [result] = waivers_for(NOTICE, applicant_certificate(grade=1), {}, [dpf(grade="2")], TODAY)
    assert result.waived is False
    assert result.roster == {"category": "4", "grade": "2", "status": "valid", "valid_until": "2031-05-01"}
