"""A village committee's month (每月查询登记, issue 19.1) in Chromium on a phone-size screen: three recipients
approved at the committee over the API, the month's list issued by the monthly job, then the committee signs in, sees the
list, the deadline and how many are unrecorded, taps one result per recipient (a change with its note), watches the
unrecorded count go down, and the API shows each result recorded."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import MOTO_ENDPOINTS, Desk, case_over_http
from tests.browser.test_accessibility import audit, blocking
from tests.browser.test_console_committee import call
from tests.browser.test_console_rounds import no_problems
from tests.support.moments import SERVER_TODAY
from tests.support.people import HARBIN_TOWNSHIP, application, id_number
from tools.local_server import PROJECT, clean_environment

VILLAGE = f"{HARBIN_TOWNSHIP}204"  # a committee no other browser test files a case at
MONTH = SERVER_TODAY[:7]  # the month the server and the browser are in (2026-11): the page opens on it
PHONE = {"width": 390, "height": 844}
NAMES = ("李一", "李二", "李三")


def approved_at_the_village(base: str, name: str, sequence: str) -> str:
    body = application(id_number(birth="19500101", sequence=sequence), hukou_unit=HARBIN_TOWNSHIP)
    body["applicant"].update(name=name, committee_unit=VILLAGE)
    body["subsidies"] = ["living"]
    case_id = case_over_http(base, body, ("complete", "push"))
    decided = call(base, "POST", f"/cases/{case_id}/decision", "reviewer", HARBIN_TOWNSHIP,
                   {"outcome": "approved", "subsidies": [{"type": "living"}], "reason": "符合条件"})
    assert decided["status"] == "result_returned", decided
    return case_id


def issue_the_months_list(base: str, expected: int) -> list[dict[str, Any]]:
    run = subprocess.run([sys.executable, "-m", "tools.jobs", "monthly_checks", "--now", f"{MONTH}-01T01:00:00+08:00",
                          "--endpoint", MOTO_ENDPOINTS[base]], cwd=PROJECT, capture_output=True, text=True,
                         timeout=120, env=clean_environment())
    assert run.returncode == 0, run.stdout + run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1])["job"] == "monthly_checks"
    checks: list[dict[str, Any]] = []
    deadline = time.monotonic() + 30  # the server's own poller may be the one that runs the township's message
    while time.monotonic() < deadline:
        checks = call(base, "GET", f"/checks/{VILLAGE}/{MONTH}", "committee", VILLAGE)["checks"]
        if len(checks) >= expected:
            break
        time.sleep(0.5)
    return checks


def sign_in_as_the_committee(desk: Desk) -> Any:
    page = desk.page
    page.set_viewport_size(PHONE)
    page.goto(f"{desk.base}/console/#/signin")
    page.get_by_label("角色", exact=True).select_option("committee")
    page.get_by_label("单位代码").fill(VILLAGE)
    page.get_by_label("显示名称（可不填）").fill("兆麟街道第二〇四居委会")
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"#/checks$"))
    return page


def recipient(page: Any, name: str) -> Any:
    return page.locator("li.check-item").filter(has=page.get_by_role("heading", name=name, exact=True))


def fits_the_phone(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_committee_records_its_month_on_a_phone(desks, console_server):
    base = console_server
    cases = {name: approved_at_the_village(base, name, f"{71 + i}{i}") for i, name in enumerate(NAMES)}
    listed = issue_the_months_list(base, len(NAMES))
    assert sorted(c["entitlement_id"] for c in listed) == sorted(f"{c}-living" for c in cases.values())

    committee = desks()
    page = sign_in_as_the_committee(committee)
    expect(page.get_by_role("heading", name="每月查询登记 · 2026年11月")).to_be_visible()
    expect(page.get_by_role("navigation", name="主导航").get_by_role("link", name="每月查询登记")).to_be_visible()
    counts = page.locator("p.check-counts")
    expect(counts).to_contain_text("未登记 3 人次")
    expect(counts).to_contain_text("共 3 人次，已登记 0 人次")
    expect(page.get_by_text("登记截止：2026年11月25日")).to_be_visible()
    expect(page.get_by_text(re.compile("2026年11月30日后不能再登记"))).to_be_visible()
    expect(page.get_by_role("heading", name="已登记（0）")).to_be_visible()
    expect(page.get_by_text("暂无记录", exact=True)).to_be_visible()
    for name in NAMES:
        expect(recipient(page, name)).to_contain_text("困难残疾人生活补贴")
        expect(recipient(page, name)).to_contain_text("未登记")
    # big tap targets: every result button at least 44 × 44 CSS pixels, and nothing wider than the phone
    boxes = [b.bounding_box() for b in page.locator("li.check-item button").all() if b.is_visible()]
    assert len(boxes) == 4 * len(NAMES) and all(b["height"] >= 44 and b["width"] >= 44 for b in boxes), boxes
    assert fits_the_phone(page)
    committee.shot("30-committee-month")
    assert committee.accessibility_problems() == [] and blocking(audit(page)) == []

    # 在世且情况未变: one tap
    recipient(page, "李一").get_by_role("button", name="在世且情况未变").click()
    expect(counts).to_contain_text("未登记 2 人次")
    expect(page.get_by_role("heading", name="已登记（1）")).to_be_visible()
    expect(recipient(page, "李一")).to_contain_text("✓ 已登记：在世且情况未变")

    # 死亡: the note is asked for, and refused when left empty
    second = recipient(page, "李二")
    second.get_by_role("button", name="死亡").click()
    note = second.get_by_label("情况说明（必填）")
    expect(note).to_be_focused()
    committee.shot("31-committee-change-with-its-note")
    assert blocking(audit(page)) == []  # the note open, its form in the list
    second.get_by_role("button", name="提交登记：死亡").click()
    expect(second.get_by_text("此项必填")).to_be_visible()  # the API's MISSING_FIELD, beside the note
    note.fill("11月10日因病去世，家属告知")
    second.get_by_role("button", name="提交登记：死亡").click()
    expect(counts).to_contain_text("未登记 1 人次")
    expect(recipient(page, "李二")).to_contain_text("✓ 已登记：死亡（11月10日因病去世，家属告知）")

    third = recipient(page, "李三")
    third.get_by_role("button", name="迁出").click()
    third.get_by_label("情况说明（必填）").fill("户口已迁往南岗区")
    third.get_by_role("button", name="提交登记：迁出").click()
    expect(counts).to_contain_text("✓ 已全部登记")
    expect(counts).to_contain_text("共 3 人次，已登记 3 人次")
    expect(page.get_by_text("已全部登记", exact=True)).to_be_visible()
    assert fits_the_phone(page)
    committee.shot("32-committee-month-all-recorded")
    assert committee.accessibility_problems() == [] and blocking(audit(page)) == []

    # recorded: as the API gives the list, and as the township's reviewer sees the changes
    recorded = {c["entitlement_id"]: (c["result"], c["note"])
                for c in call(base, "GET", f"/checks/{VILLAGE}/{MONTH}", "committee", VILLAGE)["checks"]}
    assert recorded == {f"{cases['李一']}-living": ("present", ""),
                        f"{cases['李二']}-living": ("deceased", "11月10日因病去世，家属告知"),
                        f"{cases['李三']}-living": ("moved", "户口已迁往南岗区")}
    changes = call(base, "GET", f"/checks/{HARBIN_TOWNSHIP}/{MONTH}/changes", "reviewer", HARBIN_TOWNSHIP)["changes"]
    assert {c["entitlement_id"] for c in changes} >= {f"{cases['李二']}-living", f"{cases['李三']}-living"}

    # a correction until the month ends: 李一 after all moved; the page after a reload still shows each result
    page.reload()
    expect(counts).to_contain_text("已登记 3 人次")
    first = recipient(page, "李一")
    expect(first.get_by_role("button", name="在世且情况未变")).to_have_attribute("aria-pressed", "true")
    first.get_by_role("button", name="其他变化").click()
    first.get_by_label("情况说明（必填）").fill("已入住养老院")
    first.get_by_role("button", name="提交登记：其他变化").click()
    expect(recipient(page, "李一")).to_contain_text("✓ 已登记：其他变化（已入住养老院）")

    # the month before: closed (its last day has passed), and empty at this committee — both said
    page.get_by_role("link", name="上个月（2026年10月）").click()
    expect(page.get_by_role("heading", name="每月查询登记 · 2026年10月")).to_be_visible()
    expect(page.get_by_text("该月查询登记已于2026年10月31日关闭，不能再登记或更改。")).to_be_visible()
    expect(page.get_by_text("暂无记录：该月名单上没有补贴对象")).to_be_visible()
    assert fits_the_phone(page)

    # 大字模式（适老化） on the phone: still one column, nothing wider than the screen, the buttons larger still
    page.get_by_role("link", name="下个月（2026年11月）").click()
    expect(counts).to_contain_text("已登记 3 人次")
    page.get_by_role("button", name="大字模式（适老化）").click()
    expect(page.get_by_role("button", name="大字模式（适老化）")).to_have_attribute("aria-pressed", "true")
    assert fits_the_phone(page)
    boxes = [b.bounding_box() for b in page.locator("li.check-item button").all() if b.is_visible()]
    assert all(b["height"] >= 48 and b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"] for b in boxes), boxes
    committee.shot("34-committee-month-large-text")
    page.get_by_role("button", name="大字模式（适老化）").click()
    no_problems(committee, allowed=("status of 422",))  # the empty note, answered 422 on purpose

    # the township's reviewer sees what the committee reported on the payments page, and confirms the death: nothing
    # stopped before, the entitlement stops from the next month now
    assert call(base, "GET", f"/entitlements/{cases['李二']}-living", "reviewer", HARBIN_TOWNSHIP)["history"][-1][
        "kind"] == "approved"
    reviewer = desks()
    page = reviewer.sign_in_as("reviewer", HARBIN_TOWNSHIP)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="补贴发放").click()
    reported = page.get_by_role("table", name=re.compile("村（居）委会报告的变化"))
    row = reported.locator(f'tr[data-change="{cases["李二"]}-living"]')
    expect(row).to_contain_text("2026年11月：死亡（11月10日因病去世，家属告知）")
    expect(reported.locator(f'tr[data-change="{cases["李三"]}-living"]')).to_contain_text("迁出（户口已迁往南岗区）")
    expect(reported.locator(f'tr[data-change="{cases["李一"]}-living"]')).to_contain_text("其他变化（已入住养老院）")
    expect(row.get_by_label(re.compile("李二 自哪个月起"))).to_have_value("2026-12")
    row.get_by_role("button", name="核实后确认").click()
    expect(row).to_contain_text("✓ 已确认：自2026年12月起停止发放")
    reviewer.shot("33-township-confirms-what-the-committee-reported")
    assert blocking(audit(page)) == []
    stopped = call(base, "GET", f"/entitlements/{cases['李二']}-living", "reviewer", HARBIN_TOWNSHIP)["history"][-1]
    assert (stopped["kind"], stopped["effective_month"]) == ("stop", "2026-12")
    assert stopped["reason"].startswith("村（居）委会每月查询登记：死亡，11月10日因病去世")
    no_problems(reviewer)
