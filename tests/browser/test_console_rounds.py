"""The console's other round trips in Chromium: a 补正 (supplement) from the Harbin reviewer to the
Shanghai window and back; an application filed by an agent (委托代理人) and then withdrawn (撤回).
Every page is checked for Content-Security-Policy violations and other console errors."""
from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Desk, case_over_http
from tests.browser.test_console import file_for
from tests.support.people import HARBIN_TOWNSHIP, application, id_number


def case_under_review(base: str, person: str) -> str:
    """A case accepted, completed and pushed over the API today: under review in Harbin."""
    return case_over_http(base, application(person), ("complete", "push"))


def no_problems(desk: Desk, allowed: tuple[str, ...] = ()) -> None:
    """No CSP violation (listened for in the page) and no console error beyond the expected API refusals."""
    assert desk.csp_violations() == []
    assert not [p for p in desk.problems if not any(a in p for a in allowed)], desk.problems


def open_case(desk: Desk, case_id: str) -> Any:
    desk.page.goto(f"{desk.base}/console/#/case/{case_id}")
    expect(desk.page.get_by_role("heading", name=f"案件 {case_id}")).to_be_visible()
    return desk.page


def test_a_supplement_goes_from_the_reviewer_to_the_window_and_back_in_the_browser(desks, console_server):
    case_id = case_under_review(console_server, id_number(birth="19720214", sequence="516"))

    reviewer = desks()
    reviewer.sign_in_demo("hrb-reviewer-01")
    page = open_case(reviewer, case_id)
    # the page carries its policy itself, naming this stage's storage (moto) beside its own origin
    meta = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content") or ""
    assert re.search(r"connect-src 'self' http://127\.0\.0\.1:\d+;", meta), meta
    checks = page.get_by_role("table").filter(has_text="符合条件")
    expect(checks).to_contain_text("生活补贴须属低保")  # the rule checks in Chinese, from the API's reasons_zh
    expect(checks).not_to_contain_text("needs")
    page.get_by_label("需补正的材料").select_option("bank_account")
    page.get_by_label("需补正的内容").fill("银行卡复印件不清晰，请重新提交")
    page.get_by_role("button", name=re.compile("发出补正要求")).click()
    expect(page.get_by_role("status")).to_have_text("已发出补正要求")
    expect(page.locator("dl.facts")).to_contain_text("待补正")
    expect(page.get_by_role("row", name=re.compile("审核时限"))).to_contain_text("已暂停")
    reviewer.shot("15-reviewer-supplement-requested")
    assert not reviewer.accessibility_problems()

    window = desks()
    window.sign_in_demo("sh-window-01")
    page = open_case(window, case_id)
    expect(page.get_by_text("业务属地要求补正：银行卡复印件不清晰，请重新提交")).to_be_visible()
    row = page.locator('li.material[data-code="bank_account"]')
    expect(row.locator(".material-state")).to_have_text("状态：需补正：银行卡复印件不清晰，请重新提交")
    expect(page.locator('li.material[data-code="id_card"] input[type="file"]')).to_have_count(0)  # only what was asked
    page.get_by_role("button", name="补正材料已送达").click()  # too early: nothing new received yet
    expect(page.locator(".step .form-error")).to_contain_text("补正材料尚未全部收到")
    row.locator('input[type="file"]').set_input_files(file_for("bank_account"))
    row.get_by_role("button", name=re.compile("上传")).click()
    expect(row.locator(".material-state")).to_have_text("状态：✓ 已收到（已核验）")
    # the 补正 receipt shows the case anew: the earlier refusal is gone, the receipt is in the timeline
    expect(page.get_by_role("status")).to_have_text("银行或信用社账户已收到")
    expect(page.locator(".step .form-error")).to_have_text("")
    expect(page.locator("ol.timeline li").last).to_contain_text(re.compile("收到材料 — sh-window-01.*：银行或信用社账户"))
    window.shot("16-window-supplement-uploaded")
    assert not window.accessibility_problems()
    page.get_by_role("button", name="补正材料已送达").click()
    expect(page.get_by_role("status")).to_have_text("已送达补正材料")
    expect(page.locator("dl.facts")).to_contain_text("业务属地审核中")

    page = reviewer.page
    page.reload()
    expect(page.locator("dl.facts")).to_contain_text("业务属地审核中")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text(re.compile("要求补正 — hrb-reviewer-01.*：银行卡复印件不清晰，请重新提交"))
    expect(timeline).to_contain_text(re.compile("收到材料 — sh-window-01.*：银行或信用社账户"))
    expect(timeline).to_contain_text("补正材料已送达")
    expect(page.get_by_role("row", name=re.compile("审核时限"))).to_contain_text(re.compile("剩\\d+个工作日"))
    expect(page.get_by_role("button", name="提交审核决定")).to_be_visible()  # back with the reviewer to decide
    reviewer.shot("17-reviewer-case-back-after-supplement")
    no_problems(reviewer)
    no_problems(window, allowed=("422",))  # the early 补正已送达 is refused by the API, on purpose


def fill_applicant(page: Any, person: str) -> None:
    page.get_by_label("姓名", exact=True).fill("李四")
    page.get_by_label("公民身份号码", exact=True).fill(person)
    page.get_by_label("手机号").fill("13900000000")
    page.get_by_label("户籍所在乡镇（街道）代码").fill(HARBIN_TOWNSHIP)
    page.get_by_label("所在村（居）委会代码").fill(HARBIN_TOWNSHIP + "002")
    page.get_by_label("户籍地址").fill("哈尔滨市道里区中央大街2号")
    page.get_by_label("残疾人证号").fill(person + "51")
    page.get_by_label("有效期至").fill("2032-03-01")
    page.get_by_label("低保", exact=True).check()


def test_an_agent_files_for_the_applicant_and_the_window_later_records_the_withdrawal(desks):
    window = desks()
    page = window.sign_in_demo("sh-window-01")
    page.get_by_role("link", name="受理新申请").first.click()
    person = id_number(birth="19580817", sequence="231")
    fill_applicant(page, person)
    agent_box = page.get_by_label("代理人公民身份号码")
    expect(agent_box).to_be_hidden()
    page.get_by_label(re.compile("由代理人申请")).check()
    expect(page.get_by_label("代理人姓名")).to_be_focused()
    expect(agent_box).to_be_visible()
    agent = id_number(region="310101", birth="19850302", sequence="472")
    line = page.locator('[data-error-for="agent.id_number"]')
    agent_box.fill(person)  # the applicant's own number
    expect(line).to_have_text(re.compile("代理人不能是申请人本人"))
    expect(agent_box).to_have_attribute("aria-invalid", "true")
    agent_box.fill(agent[:-1] + ("0" if agent[-1] != "0" else "1"))
    expect(line).to_have_text(re.compile("校验位不符"))
    agent_box.fill(agent[:10])
    expect(line).to_have_text("已输入 10 / 18 位")
    page.get_by_role("button", name="受理并生成一次性告知书").click()  # submitted incomplete: said beside it
    expect(line).to_have_text(re.compile("身份证号应为 18 位"))
    agent_box.fill(agent)
    expect(line).to_have_text("✓ 校验通过")
    page.get_by_label("代理人姓名").fill("李小四")
    page.get_by_role("button", name="受理并生成一次性告知书").click()
    expect(page.locator('[data-error-for="agent.relationship"]')).to_have_text(re.compile("请选择代理人与申请人的关系"))
    page.get_by_label("代理人与申请人的关系").select_option("child")
    assert window.fits_the_office_screen()
    window.shot("18-window-accept-by-agent")
    assert not window.accessibility_problems()
    page.get_by_role("button", name="受理并生成一次性告知书").click()
    page.wait_for_url(re.compile(r"#/case/C"))
    case_id = page.url.rsplit("/", 1)[-1]
    notice = page.locator("#notice")
    for code, name in (("agent_id_card", "代理人身份证"), ("agent_relationship_proof", "委托关系证明"),
                       ("pledge", "承诺书")):  # the agent's items, told once with the rest
        expect(notice.locator(f'li.material[data-code="{code}"]')).to_contain_text(name)
    expect(page.locator("dl.facts")).to_contain_text(re.compile("李小四（子女；身份证 310\\*+\\d{3}[0-9X]）"))
    window.shot("19-window-notice-with-agent-items")

    reason = page.get_by_label("撤回原因")
    page.get_by_role("button", name="撤回申请…").click()  # no reason yet: said beside the field
    expect(page.locator('[data-error-for="reason"]')).to_have_text(re.compile("此项必填"))
    reason.fill("申请人决定回户籍地办理")
    page.get_by_role("button", name="撤回申请…").click()
    expect(page.get_by_text(f"确认撤回案件 {case_id}？原因：申请人决定回户籍地办理")).to_be_visible()
    keep = page.get_by_role("button", name="不撤回")
    expect(keep).to_be_focused()  # the safe choice first: Enter does not withdraw
    window.shot("20-window-withdrawal-confirm-step")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="确认撤回")).to_be_hidden()
    expect(page.locator("dl.facts")).to_contain_text("收取材料中")  # nothing happened
    page.get_by_role("button", name="撤回申请…").click()
    page.get_by_role("button", name="确认撤回").click()
    expect(page.get_by_role("status")).to_have_text("申请已撤回")
    expect(page.locator("dl.facts")).to_contain_text("已撤回")
    expect(page.locator("ol.timeline")).to_contain_text("撤回 — ")
    expect(page.locator("ol.timeline")).to_contain_text("原因：申请人决定回户籍地办理")
    expect(page.get_by_role("heading", name="撤回申请")).to_have_count(0)
    window.shot("21-window-withdrawn")
    assert not window.accessibility_problems()
    no_problems(window)
