"""The console's ID and certificate checks (console/js/identity.js) give the API's answers on the same
samples: the same first failing check, by code (chalicelib/domain/identity.py)."""
from __future__ import annotations

from datetime import date
from typing import Any

from stdnum.cn.ric import calc_check_digit

from chalicelib.domain.errors import DomainError
from chalicelib.domain.identity import parse_certificate, validate_id_number

TODAY = date(2026, 11, 29)


def signed(body17: str) -> str:
    return body17 + calc_check_digit(body17 + "0")


def flipped(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


ID_SAMPLES = [
    signed("23010219800101123"), signed("31010119491001001"), signed("11010519491231002"),
    signed("44030420000229004"),  # 29 February of a leap year
    next(signed(f"2301021980010112{d}") for d in "0123456789" if signed(f"2301021980010112{d}").endswith("X")),
    flipped(signed("23010219800101123")),  # check character wrong
    signed("23010219800101123").lower(), " ".join([signed("23010219800101123")[:6], signed("23010219800101123")[6:]]),
    "2301021980010112", "23010219800101123456", "2301021980O101123X", "23010219800101123Y", "",
    signed("23010219810229123"),  # no 29 February in 1981
    signed("23010219801301123"), signed("23010220300101123"),  # month 13; born in the future
    signed("23010218991231123"),  # before 1900
    signed("99010219800101123"), signed("00010219800101123"),  # no such province
]


def python_answer(validate: Any, *args: Any) -> str:
    try:
        validate(*args)
    except DomainError as error:
        return error.code
    return "OK"


def test_the_id_number_checks_in_the_browser_give_the_same_answers_as_the_api(browser, console_server):
    page = browser.new_page()
    page.goto(f"{console_server}/console/config.json")
    answers = page.evaluate("""async ([samples, today]) => {
        const { checkIdNumber } = await import('/console/js/identity.js');
        return samples.map((s) => { const r = checkIdNumber(s, today); return r.ok ? 'OK' : r.code; });
    }""", [ID_SAMPLES, TODAY.isoformat()])
    expected = [python_answer(validate_id_number, s, TODAY, "applicant.id_number") for s in ID_SAMPLES]
    assert answers == expected
    assert {"OK", "ID_NUMBER_CHECKSUM", "ID_NUMBER_LENGTH", "ID_NUMBER_FORMAT", "ID_NUMBER_BIRTH_DATE",
            "ID_NUMBER_REGION", "MISSING_FIELD"} == set(expected)  # every check is exercised
    page.close()


def test_the_certificate_checks_in_the_browser_give_the_same_answers_as_the_api(browser, console_server):
    holder = signed("23010219800101123")
    samples = [(holder + "41", "2031-05-01"), (holder + "11", "2027-01-01"), (holder + "74", "2026-11-29"),
               (holder + "81", "2031-05-01"), (holder + "05", "2031-05-01"), (holder + "45", "2031-05-01"),
               (holder + "4", "2031-05-01"), (flipped(holder) + "41", "2031-05-01"), (holder + "41", "2026-11-28"),
               (holder.lower()[:-1] + holder[-1] + "21", "2031-05-01"), (holder + "41", "")]
    page = browser.new_page()
    page.goto(f"{console_server}/console/config.json")
    answers = page.evaluate("""async ([samples, holder, today]) => {
        const { checkCertificate } = await import('/console/js/identity.js');
        return samples.map(([n, v]) => { const r = checkCertificate(n, v, holder, today); return r.ok ? 'OK' : r.code; });
    }""", [samples, holder, TODAY.isoformat()])
    expected = [python_answer(parse_certificate, n, v, holder, TODAY, "certificate") for n, v in samples]
    assert answers == expected
    assert len(set(expected)) >= 6
    page.close()
