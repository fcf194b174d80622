"""The committee in the console's acceptance form (issue 16.6), in Chromium: the window types the applicant's village
or residents committee, checked against the hukou township as it is typed; the case records it and shows it; once
approved, the monthly 查询登记 job puts the recipient on that committee's list (before this, a case accepted in the
console never reached any committee's list)."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import time
from typing import Any

import requests
from playwright.sync_api import expect

from tests.browser.conftest import MOTO_ENDPOINTS, Desk
from tests.browser.test_console_rounds import no_problems
from tests.e2e.conftest import token
from tests.support.people import HARBIN_OTHER_TOWNSHIP, HARBIN_TOWNSHIP, SHANGHAI_WINDOW, id_number, pdf_bytes
from tools.local_server import PROJECT, clean_environment

VILLAGE = f"{HARBIN_TOWNSHIP}203"  # a village committee no other browser test files a case at
MONTH = "2026-12"  # the month after the server's stated day (2026-11-16): the first list after the approval


def call(base: str, method: str, path: str, role: str, unit: str, body: Any = None) -> Any:
    answer = requests.request(method, f"{base}{path}", json=body, timeout=30,
                              headers={"Authorization": f"Bearer {token(role, unit)}"})
    assert answer.status_code < 300, (path, answer.status_code, answer.text)
    return answer.json()


def upload_over_http(base: str, case_id: str, codes: list[str]) -> None:
    """The materials of the notice, as the window's browser would send them (the form's upload is tested elsewhere)."""
    for code in codes:
        content = pdf_bytes(code)
        declared = {"code": code, "filename": f"{code}.pdf", "content_type": "application/pdf", "size": len(content),
                    "sha256": hashlib.sha256(content).hexdigest()}
        registered = call(base, "POST", f"/cases/{case_id}/materials", "window", SHANGHAI_WINDOW, declared)
        requests.post(registered["upload"]["url"], data=registered["upload"]["fields"],
                      files={"file": (declared["filename"], content, "application/pdf")}, timeout=30)
        call(base, "POST", f"/cases/{case_id}/materials/{registered['material_id']}/confirm", "window",
             SHANGHAI_WINDOW)


def accept_with_a_committee(window: Desk, person: str) -> str:
    page = window.page
    page.get_by_role("link", name="受理新申请").first.click()
    expect(page.get_by_role("heading", name="受理新申请")).to_be_visible()
    page.get_by_label("姓名", exact=True).fill("王五")
    page.get_by_label("公民身份号码", exact=True).fill(person)
    page.get_by_label("手机号").fill("13700000000")
    page.get_by_label("户籍所在乡镇（街道）代码").fill(HARBIN_TOWNSHIP)
    page.get_by_label("户籍地址").fill("哈尔滨市道里区新阳路3号")
    page.get_by_label("残疾人证号").fill(person + "41")
    page.get_by_label("有效期至").fill("2031-05-01")
    page.get_by_label("低保", exact=True).check()

    committee = page.get_by_label("所在村（居）委会代码")
    said = page.locator('[data-error-for="applicant.committee_unit"]')
    # left empty, the form says what is missing beside the field, and sends nothing
    page.get_by_role("button", name="受理并生成一次性告知书").click()
    expect(said).to_have_text(re.compile("请填写所在村（居）委会代码"))
    expect(committee).to_be_focused()
    committee.fill(VILLAGE[:7])
    expect(said).to_have_text("已输入 7 / 12 位")
    committee.fill(f"{HARBIN_OTHER_TOWNSHIP}203")  # a committee of 南岗区, not of the hukou township
    expect(said).to_have_text(re.compile("村（居）委会不在申请人户籍所在乡镇（街道）"))
    expect(committee).to_have_attribute("aria-invalid", "true")
    window.shot("22-window-accept-committee-outside-the-hukou-township")
    assert not window.accessibility_problems()
    assert window.fits_the_office_screen()
    committee.fill(VILLAGE)
    expect(said).to_have_text("✓ 校验通过")
    window.shot("23-window-accept-committee-checked")
    page.get_by_role("button", name="受理并生成一次性告知书").click()
    page.wait_for_url(re.compile(r"#/case/C"))
    expect(page.get_by_role("heading", name="一次性告知书")).to_be_visible()
    return page.url.rsplit("/", 1)[-1]


def test_a_case_accepted_in_the_console_records_its_committee_and_reaches_its_monthly_list(desks, console_server):
    base = console_server
    window = desks()
    window.sign_in_demo("sh-window-01")
    case_id = accept_with_a_committee(window, id_number(birth="19610923", sequence="638"))

    # recorded: the case as the API gives it, and the page's summary after a reload
    case = call(base, "GET", f"/cases/{case_id}", "window", SHANGHAI_WINDOW)
    assert (case["applicant"]["committee_unit"], case["business_unit"]) == (VILLAGE, HARBIN_TOWNSHIP)
    window.page.reload()
    expect(window.page.get_by_role("heading", name="一次性告知书")).to_be_visible()  # the whole page is drawn
    facts = window.page.locator("dl.facts")
    expect(facts).to_contain_text(f"村（居）委会（每月查询登记）{VILLAGE}")
    window.shot("24-window-case-with-its-committee")
    assert not window.accessibility_problems()

    # approved by the 业务属地 (over the API), then the monthly job of December lists the recipient at the committee
    upload_over_http(base, case_id, [m["code"] for m in case["notice"]["materials"] if not m["waived"]])
    for step in ("complete", "push"):
        requests.post(f"{base}/cases/{case_id}/{step}", timeout=30,
                      headers={"Authorization": f"Bearer {token('window', SHANGHAI_WINDOW)}"})
    decided = call(base, "POST", f"/cases/{case_id}/decision", "reviewer", HARBIN_TOWNSHIP, {
        "outcome": "approved", "subsidies": [{"type": "living"}, {"type": "nursing"}], "reason": "符合条件"})
    assert decided["status"] == "result_returned", decided
    living = call(base, "GET", f"/entitlements/{case_id}-living", "reviewer", HARBIN_TOWNSHIP)
    assert (living["committee_unit"], living["committee_in_force"]) == (VILLAGE, VILLAGE)

    run = subprocess.run([sys.executable, "-m", "tools.jobs", "monthly_checks", "--now", f"{MONTH}-01T01:00:00+08:00",
                          "--endpoint", MOTO_ENDPOINTS[base]], cwd=PROJECT, capture_output=True, text=True,
                         timeout=120, env=clean_environment())
    assert run.returncode == 0, run.stdout + run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1])["job"] == "monthly_checks"
    listed: list[str] = []
    deadline = time.monotonic() + 30  # the server's own poller may be the one that runs the township's message
    while time.monotonic() < deadline:
        listed = [c["entitlement_id"] for c in call(base, "GET", f"/checks/{VILLAGE}/{MONTH}", "committee",
                                                    VILLAGE)["checks"]]
        if listed:
            break
        time.sleep(0.5)
    assert listed == [f"{case_id}-living", f"{case_id}-nursing"]
    no_problems(window)
