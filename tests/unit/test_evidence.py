"""Rule checks on roster data: the roster's answer where a roster answers, the claim otherwise."""
from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.domain.identity import Certificate
from chalicelib.domain.rules.evidence import CONTRADICTED, MET, NOT_MET, check_with_data, evidence_from
from chalicelib.domain.rules.jurisdiction import NATIONAL_DEFAULT, read_eligibility_rule
from chalicelib.domain.rules.registers import RosterMatch, parse_roster, waivers_for
from tests.support.people import id_number

PERSON = id_number(sequence="515")
SECRET = b"unit-test-secret"
APPLIED = date(2026, 11, 20)
NOTICE = ("application_form", "id_card", "disability_certificate")
LOADED = "2026-11-02T09:00:00+08:00"
SHANGHAI = read_eligibility_rule("31", date(2025, 7, 1), {"living_requires_any": ["dibao", "dibao_edge"]})


def certificate(category: int = 4, grade: int = 1) -> dict[str, Any]:
    return {"number": f"{PERSON}{category}{grade}", "category": category, "grade": grade, "valid_until": "2031-05-01"}


def dpf(category: int = 4, grade: int = 1, valid_until: str = "2031-05-01", status: str = "valid",
        loaded_at: str = LOADED) -> RosterMatch:
    csv = ("id_number,certificate_number,category,grade,valid_until,status\n"
           f"{PERSON},{PERSON}{category}{grade},{category},{grade},{valid_until},{status}\n")
    parsed = parse_roster("disability_certificates", csv, SECRET, date(2026, 1, 1))
    assert not parsed.errors, parsed.errors
    return RosterMatch("disability_certificates", "CERTLOAD0001xyz", loaded_at, parsed.entries[0].fields)


def member(kind: str, status: str, since: str = "2024-03-01", loaded_at: str = LOADED) -> RosterMatch:
    return RosterMatch(kind, f"{kind.upper()}LOAD0001xyz", loaded_at, {"status": status, "since": since})


def compared(claims: dict[str, bool], entries: list[RosterMatch], cert: dict[str, Any] | None = None,
             loads: dict[str, tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """The case's data_checks as acceptance stores them (the real comparison, not a hand-made record)."""
    cert = cert or certificate()
    declared = Certificate(cert["number"], cert["category"], cert["grade"], date(2031, 5, 1))
    return [r.as_dict() for r in waivers_for(NOTICE, declared, claims, entries, APPLIED, loads)]


def check(subsidy: str, claims: dict[str, bool], checks: list[dict[str, Any]], cert: dict[str, Any] | None = None,
          rule: Any = NATIONAL_DEFAULT) -> Any:
    return check_with_data(rule, subsidy, cert or certificate(), claims, checks, APPLIED)


def test_a_claim_no_roster_covers_stays_met_and_says_it_is_not_confirmed_by_data() -> None:
    result = check("living", {"dibao": True}, [])
    assert (result.eligible, result.outcome) == (True, MET)
    assert result.reasons == ("living subsidy needs 低保 (dibao): met", "低保 (dibao): claimed, not confirmed by data")
    assert result.reasons_zh[-1] == "低保：申报，未经数据比对核实"
    assert [(b["fact"], b["basis"]) for b in result.basis] == [("dibao", "claim")]


def test_a_claim_the_roster_confirms_is_met_and_names_the_load_and_its_date() -> None:
    result = check("living", {"dibao": True}, compared({"dibao": True}, [member("dibao", "in")]))
    assert result.outcome == MET
    assert result.reasons[-1] == ("低保 (dibao): confirmed by the dibao roster "
                                  "(load DIBAOLOAD000 of 2026-11-02: in since 2024-03-01)")
    assert "经数据比对属实" in result.reasons_zh[-1] and "2026-11-02导入" in result.reasons_zh[-1]
    assert result.basis[0]["load_id"] == "DIBAOLOAD0001xyz" and result.basis[0]["agrees"] is True


def test_a_dibao_claim_the_roster_shows_out_is_contradicted_not_met() -> None:
    result = check("living", {"dibao": True}, compared({"dibao": True}, [member("dibao", "out", "2025-06-01")]))
    assert (result.eligible, result.outcome) == (False, CONTRADICTED)
    assert result.reasons[0] == "living subsidy needs 低保 (dibao)"
    assert "the dibao roster contradicts the application" in result.reasons[1]
    assert "out since 2025-06-01" in result.reasons[1] and "application: claimed" in result.reasons[1]
    assert "与申报不一致，以名册为准" in result.reasons_zh[1]


def test_a_dibao_claim_absent_from_a_loaded_roster_is_contradicted_and_names_the_newest_load() -> None:
    loads = {"dibao": ("DIBAONEWEST01", "2026-11-10T08:00:00+08:00")}
    result = check("living", {"dibao": True}, compared({"dibao": True}, [], loads=loads))
    assert result.outcome == CONTRADICTED
    assert "load DIBAONEWEST0 of 2026-11-10: no entry" in result.reasons[1]
    assert "名册无此人" in result.reasons_zh[1]


def test_a_dibao_claim_with_no_dibao_roster_ever_loaded_rests_on_the_claim() -> None:
    result = check("living", {"dibao": True}, compared({"dibao": True}, [], loads={}))
    assert result.outcome == MET and result.basis[0]["basis"] == "claim"


def test_a_failing_claim_is_not_met_even_where_a_roster_agrees_it_fails() -> None:
    result = check("living", {}, compared({}, [member("dibao", "out")]))
    assert (result.eligible, result.outcome) == (False, NOT_MET)


def test_tekun_on_the_roster_though_not_claimed_excludes_both_subsidies() -> None:
    checks = compared({"dibao": True}, [member("dibao", "in"), member("tekun", "in", "2020-01-01")])
    for subsidy in ("living", "nursing"):
        result = check(subsidy, {"dibao": True}, checks)
        assert (result.eligible, result.outcome) == (False, CONTRADICTED)
        assert "特困供养 (tekun) excludes both subsidies" in result.reasons
        tekun = next(line for line in result.reasons if line.startswith("特困供养 (tekun): the tekun roster"))
        assert "in since 2020-01-01" in tekun and "application: not claimed" in tekun


def test_a_claimed_tekun_the_roster_shows_out_no_longer_excludes() -> None:
    checks = compared({"dibao": True, "tekun": True}, [member("dibao", "in"), member("tekun", "out", "2025-01-01")])
    assert check("living", {"dibao": True, "tekun": True}, checks).outcome == MET
    assert check("living", {"dibao": True, "tekun": True}, []).outcome == NOT_MET  # the claim alone excludes


def test_the_nursing_check_uses_the_roster_grade_where_it_differs_from_the_application() -> None:
    worse = check("nursing", {}, compared({}, [dpf(grade=3)]))  # application grade 1, roster grade 3
    assert (worse.eligible, worse.outcome) == (False, CONTRADICTED)
    assert worse.reasons[0] == "nursing subsidy needs grade 1-2"
    assert "category 4, grade 3" in worse.reasons[1] and "application: category 4, grade 1" in worse.reasons[1]
    assert "肢体残疾三级" in worse.reasons_zh[1]

    cert = certificate(grade=3)  # application grade 3, roster grade 2: the roster's grade qualifies
    better = check("nursing", {}, compared({}, [dpf(grade=2)], cert), cert)
    assert better.outcome == MET and better.basis[0]["agrees"] is False


def test_a_certificate_the_roster_confirms_is_met_and_a_claimed_one_says_so() -> None:
    confirmed = check("nursing", {}, compared({}, [dpf()]))
    assert confirmed.outcome == MET and "confirmed by the disability_certificates roster" in confirmed.reasons[-1]
    claimed = check("nursing", {}, [])
    assert claimed.reasons[-1] == "disability category and grade: claimed, not confirmed by data"
    assert claimed.reasons_zh[-1] == "残疾人证类别、等级：申报，未经数据比对核实"


def test_a_cancelled_or_expired_certificate_on_the_roster_fails_both_checks_naming_the_load() -> None:
    cancelled = compared({"dibao": True}, [dpf(status="cancelled"), member("dibao", "in")])
    for subsidy in ("living", "nursing"):
        result = check(subsidy, {"dibao": True}, cancelled)
        assert result.outcome == CONTRADICTED
        assert result.reasons[0] == ("both subsidies need a valid 残疾人证: the disability_certificates roster "
                                     "(load CERTLOAD0001 of 2026-11-02) shows it cancelled")
        assert "显示已注销" in result.reasons_zh[0]
    expired = check("nursing", {}, compared({}, [dpf(valid_until="2026-10-31")]))
    assert expired.outcome == CONTRADICTED and expired.reasons[0].endswith("shows it expired on 2026-10-31")


def test_a_load_older_than_the_application_month_is_said_to_be_so() -> None:
    old = compared({"dibao": True}, [member("dibao", "in", loaded_at="2026-09-30T09:00:00+08:00")])
    result = check("living", {"dibao": True}, old)
    assert result.outcome == MET
    assert "loaded before the application month 2026-11" in result.reasons[-1]
    assert "早于申请当月2026-11" in result.reasons_zh[-1]


def test_where_a_province_extends_to_dibao_edge_a_contradicted_dibao_can_rest_on_a_claimed_dibao_edge() -> None:
    claims = {"dibao": True, "dibao_edge": True}
    result = check("living", claims, compared(claims, [member("dibao", "out")]), rule=SHANGHAI)
    assert result.outcome == MET
    assert [(b["fact"], b["basis"], b["agrees"]) for b in result.basis] == [
        ("dibao", "roster", False), ("dibao_edge", "claim", None)]


def test_records_made_before_the_roster_field_was_kept_are_read_the_same_way() -> None:
    legacy = [{k: v for k, v in c.items() if k != "roster"} for c in compared({"dibao": True}, [member("dibao", "out")])]
    assert check("living", {"dibao": True}, legacy).outcome == CONTRADICTED
    absent = [{"type": "confirmation", "code": None, "source": "dibao", "load_id": None, "loaded_at": None,
               "waived": None, "confirmed": False, "match": {}, "mismatch": [], "notes": []}]
    assert evidence_from(certificate(), {"dibao": True}, absent, APPLIED).facts["dibao"].detail == "no entry"


def test_every_check_has_as_many_chinese_reasons_as_english_ones() -> None:
    checks = compared({"dibao": True}, [dpf(grade=3), member("dibao", "out"), member("tekun", "in")])
    for subsidy in ("living", "nursing"):
        for data in (checks, []):
            result = check(subsidy, {"dibao": True, "work_injury_care": True}, data)
            assert len(result.reasons) == len(result.reasons_zh) >= 2
            assert all(not text.isascii() for text in result.reasons_zh)
