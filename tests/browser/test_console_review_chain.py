"""The review chain in the console (issues 16.1 and 19.2), in Chromium: a province's three steps (湖北, set here by its
admin over the API from 2026-11-01), each step's holder signing in with its own role and unit, seeing the case in
its inbox, the chain with the step that holds the case, agreeing or sending back with a reason, and the last step's
holder deciding."""
from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Desk, case_over_http
from tests.browser.test_console_committee import call
from tests.browser.test_console_rounds import no_problems
from tests.support.people import application, id_number

TOWNSHIP = "420102001"  # 武汉市江岸区 (湖北): a province no other browser test files a case in
COUNTY = TOWNSHIP[:6]
CHAIN = {"steps": [{"label": "初审", "role": "reviewer"}, {"label": "审核", "role": "dpf_reviewer"},
                   {"label": "审定", "role": "approver"}]}


def open_from_inbox(desk: Desk, role: str, unit: str, case_id: str) -> Any:
    page = desk.sign_in_as(role, unit)
    expect(page.get_by_role("heading", name="待审核案件（按期限排序）")).to_be_visible()
    page.get_by_role("link", name=case_id).click()
    expect(page.get_by_role("heading", name=f"案件 {case_id}")).to_be_visible()
    return page


def current_step(page: Any) -> str:
    return str(page.locator("ol.chain li[aria-current=step]").inner_text())


def test_three_steps_in_the_console_with_a_send_back_then_the_decision(desks, console_server):
    call(console_server, "PUT", "/rules/42/review-chain/2026-11-01", "admin", "42", CHAIN)
    case_id = case_over_http(console_server, application(id_number(sequence="931"), hukou_unit=TOWNSHIP), ("push",))

    township = desks()
    page = open_from_inbox(township, "reviewer", TOWNSHIP, case_id)
    assert current_step(page).startswith("初审") and page.get_by_role("heading", name="审核决定").count() == 0
    township.shot("25-township-first-step-of-the-chain")
    page.get_by_role("button", name="同意，转审核").click()
    expect(page.locator("ol.chain li[aria-current=step]")).to_contain_text("审核")
    expect(page.get_by_text("当前由县残联审核办理审核。")).to_be_visible()

    dpf = desks()
    page = open_from_inbox(dpf, "dpf_reviewer", COUNTY, case_id)
    page.get_by_role("button", name="退回上一环节").click()
    expect(page.get_by_text("退回时须填写理由")).to_be_visible()  # the API's REASON_REQUIRED, in Chinese
    page.get_by_label("退回理由（退回时必填）").fill("残疾人证等级与照片不符，请核实")
    page.get_by_role("button", name="退回上一环节").click()
    expect(page.locator("ol.chain li[aria-current=step]")).to_contain_text("初审")
    expect(page.get_by_text(re.compile("审核退回初审，理由：残疾人证等级与照片不符"))).to_be_visible()
    dpf.shot("26-county-dpf-sent-back-with-its-reason")

    page = open_from_inbox(township, "reviewer", TOWNSHIP, case_id)
    page.get_by_role("button", name="同意，转审核").click()
    expect(page.locator("ol.chain li[aria-current=step]")).to_contain_text("审核")
    page = open_from_inbox(dpf, "dpf_reviewer", COUNTY, case_id)
    page.get_by_role("button", name="同意，转审定").click()
    expect(page.locator("ol.chain li[aria-current=step]")).to_contain_text("审定")

    civil = desks()
    page = open_from_inbox(civil, "approver", COUNTY, case_id)
    expect(page.get_by_role("heading", name="审核决定")).to_be_visible()  # the last step decides
    page.get_by_role("button", name="提交审核决定").click()
    expect(page.get_by_text("审核决定已提交，结果已实时返回受理地")).to_be_visible()
    civil.shot("27-county-civil-affairs-decided-at-the-last-step")
    assert civil.fits_the_office_screen() and civil.accessibility_problems() == []
    no_problems(township)
    no_problems(civil)
    no_problems(dpf, allowed=("status of 422",))  # the send-back without its reason, answered 422 on purpose
