"""Administrators and supervisors in the console (issue 19.3 and 19.5), in Chromium against the local server: a county
残联's admin adds a local material to its 户籍地's list and sees its county leave the set-up gaps; the province's
supervisor sees the gaps left; the national admin loads a calendar year, is shown the dates a second load conflicts on
and corrects it; a province's admin sets its review chain, time limits and amount table and loads a roster. 湖南 (43)
and the year 2031: a province and a year no other browser test touches."""
from __future__ import annotations

import re
from typing import Any

import boto3
from playwright.sync_api import expect

from tests.browser.conftest import MOTO_ENDPOINTS, SCREENSHOTS, Desk, case_over_http
from tests.browser.test_console_rounds import no_problems
from tests.support.people import SHANGHAI_WINDOW, application, id_number

COUNTY = "430103"  # 长沙市天心区: no list of its own, its city's or 湖南's
OTHER_COUNTY = "430102"  # 芙蓉区: stays a gap


def sign_in(desk: Desk, role: str, unit: str) -> Any:
    """The picker's role and unit; the console opens the role's home page."""
    page = desk.page
    page.goto(f"{desk.base}/console/#/signin")
    page.get_by_label("角色", exact=True).select_option(role)
    page.get_by_label("单位代码").fill(unit)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"#/(?!signin)[a-z-]+$"))
    return page


def go(page: Any, link: str, heading: str) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()


def test_a_county_admin_adds_a_local_material_and_its_gap_closes_then_the_supervisor_sees_the_rest(desks):
    admin = desks()
    page = sign_in(admin, "dpf_admin", COUNTY)
    expect(page.get_by_role("heading", name="证明材料清单", level=1)).to_be_visible()
    expect(page.get_by_text("本户籍地尚未制定证明材料清单，按标准清单告知").first).to_be_visible()
    gaps = page.get_by_role("table", name="尚无清单的县（区）")
    expect(gaps.get_by_role("row", name=re.compile(COUNTY))).to_be_visible()
    admin.shot("40-admin-materials-standard-list-and-gap")

    page.get_by_label("材料代码（小写英文字母、数字、下划线）").fill("residence_proof")
    page.get_by_label("材料名称（中文）").fill("Residence")
    page.get_by_label("用途（中文）").fill("核实申请人在本县实际居住")
    page.get_by_role("button", name="保存材料").click()
    expect(page.get_by_text("错误：请用中文填写（告知书按此打印）")).to_be_visible()  # next to its field
    expect(page.get_by_label("材料名称（中文）")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("材料名称（中文）").fill("居住证明")
    page.get_by_role("button", name="保存材料").click()
    expect(page.get_by_text(re.compile(r"已保存：居住证明（430103@2026-11-16），自2026年11月16日起告知"))).to_be_visible()
    in_force = page.get_by_role("table", name="现行证明材料")
    expect(in_force.get_by_role("row", name=re.compile("居住证明 核实申请人在本县实际居住 必须提交"))).to_be_visible()
    expect(page.get_by_text("本范围内各县（区）均已有证明材料清单。")).to_be_visible()
    expect(page.get_by_text("本户籍地尚未制定证明材料清单，按标准清单告知")).to_have_count(0)
    admin.shot("41-admin-material-added-gap-closed")
    assert admin.fits_the_office_screen() and admin.accessibility_problems() == []
    no_problems(admin, allowed=("status of 422",))  # the English name, refused on purpose

    supervisor = desks()
    page = sign_in(supervisor, "supervisor", "43")
    expect(page.get_by_role("heading", name="设置缺口")).to_be_visible()
    expect(page.get_by_text(re.compile(r"本范围 \d+ 个县（区）中 \d+ 个尚无证明材料清单"))).to_be_visible()
    page.get_by_role("link", name="查看尚无清单的县（区）").click()
    expect(page.get_by_role("heading", name="清单缺口", level=1)).to_be_visible()
    gaps = page.get_by_role("table", name="尚无清单的县（区）")
    expect(gaps.get_by_role("row", name=re.compile(f"{OTHER_COUNTY} 芙蓉区"))).to_be_visible()
    expect(gaps.get_by_role("row", name=re.compile(COUNTY))).to_have_count(0)
    page.evaluate("window.scrollTo(0, 0)")  # the first screen: 122 counties make a long page
    page.screenshot(path=str(SCREENSHOTS / "42-supervisor-setup-gaps.png"))
    no_problems(supervisor)


def test_the_national_admin_loads_a_year_sees_the_conflicting_dates_and_corrects_it(desks):
    desk = desks()
    page = desk.page
    page.goto(f"{desk.base}/console/")
    page.get_by_label("选择演示用户").select_option("national-calendar-admin")
    page.get_by_role("button", name="以此用户登录").click()
    page.wait_for_url(re.compile(r"#/materials$"))
    go(page, "节假日安排", "节假日安排")
    page.get_by_label("年份").fill("2031")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_text("2031 年的节假日安排尚未载入。")).to_be_visible()

    page.get_by_label("休息日（节假日）").fill("2031-01-01 2031-10-01 2031-10-02")
    page.get_by_label("依据（如 国办发明电〔2026〕x号）").fill("国办发明电〔2030〕1号")
    page.get_by_role("button", name="载入").click()
    expect(page.get_by_text(re.compile("已载入 2031 年"))).to_be_visible()
    expect(page.get_by_text("3 天：2031年1月1日，2031年10月1日，2031年10月2日")).to_be_visible()

    page.get_by_label("休息日（节假日）").fill("2031-01-01, 2031-10-01, 2031-10-03")
    page.get_by_role("button", name="载入").click()
    conflict = page.locator(".conflict")
    expect(conflict.get_by_role("heading", name="与已知安排冲突的日期（2 天）")).to_be_visible()
    expect(conflict.get_by_role("listitem")).to_have_text(["2031年10月2日", "2031年10月3日"])
    desk.shot("43-admin-calendar-conflicting-dates")

    page.get_by_role("button", name="提交纠错").click()
    expect(page.get_by_text("错误：此项必填")).to_be_visible()  # the reason
    page.get_by_label("纠错理由（纠错时必填）").fill("国务院办公厅更正通知：国庆调整为10月1日、3日")
    page.get_by_role("button", name="提交纠错").click()
    corrected = page.get_by_role("heading", name="2031 年安排已纠错")
    expect(corrected).to_be_visible()
    expect(page.get_by_text("改变的日期（2 天）：")).to_be_visible()
    expect(page.get_by_text("3 天：2031年1月1日，2031年10月1日，2031年10月3日")).to_be_visible()
    desk.shot("44-admin-calendar-corrected")
    assert desk.fits_the_office_screen() and desk.accessibility_problems() == []
    no_problems(desk, allowed=("status of 409", "status of 400", "status of 404"))


def test_a_province_admin_sets_its_chain_time_limits_and_amounts_and_loads_a_roster(desks, console_server):
    desk = desks()
    page = sign_in(desk, "admin", "43")
    go(page, "审核流程", "审核流程")
    page.get_by_label("生效日期").fill("2027-01-01")  # a later day: no case of today's changes
    page.get_by_role("button", name="保存审核流程").click()
    expect(page.get_by_text("已保存：湖南省 43 自2027年1月1日起 初审 → 审核 → 审定。")).to_be_visible()
    desk.shot("45-admin-review-chain")

    go(page, "办理时限", "办理时限")
    expect(page.get_by_text("现行：收件时限10个工作日，补正时限10个工作日。")).to_be_visible()
    page.get_by_label("生效日期").fill("2027-01-01")
    page.get_by_label("收件时限（工作日，1–60）").fill("61")
    page.get_by_role("button", name="保存时限").click()
    expect(page.get_by_text("错误：数值超出允许范围")).to_be_visible()
    page.get_by_label("收件时限（工作日，1–60）").fill("15")
    page.get_by_role("button", name="保存时限").click()
    expect(page.get_by_text("已保存：湖南省 43 自2027年1月1日起生效。")).to_be_visible()
    desk.shot("46-admin-time-limits")

    go(page, "补贴标准", "补贴标准表")
    page.get_by_label("月标准（元）").fill("100.00")
    page.get_by_role("button", name="增加一行").click()
    row = page.get_by_role("group", name="第 2 行")
    row.get_by_label("补贴").select_option("nursing")
    row.get_by_label("月标准（元）").fill("120.00")
    row.get_by_label("残疾等级（如 1,2；空为不限）").fill("1,2")
    page.get_by_role("button", name="载入标准表").click()
    expect(page.get_by_text("已载入 湖南省 43 的标准表，共 2 行。")).to_be_visible()
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("table", name="适用的标准表").get_by_role("row", name="湖南省 43 2 行")).to_be_visible()
    desk.shot("47-admin-amount-table")

    s3 = boto3.client("s3", endpoint_url=MOTO_ENDPOINTS[console_server], region_name="cn-north-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    stranger = id_number(region=COUNTY, sequence="947")
    # a 特困供养 roster naming only a stranger: it contradicts no other test's applicant (a 低保 roster would: every
    # applicant claiming 低保 without an entry in it)
    s3.put_object(Bucket="subsidy-local-materials", Key="rosters/tekun/2026-11-hunan.csv",
                  Body=f"id_number,status,since\n{stranger},in,2024-01-01\n".encode("utf-8-sig"))
    go(page, "名册与数据比对", "名册与数据比对")
    page.get_by_label("名册种类").select_option("tekun")
    page.get_by_label("文件位置（rosters/ 下）").fill("rosters/tekun/missing.csv")
    page.get_by_role("button", name="载入名册").click()
    expect(page.get_by_text("错误：存储桶中此位置没有文件，请核对文件位置")).to_be_visible()
    page.get_by_label("文件位置（rosters/ 下）").fill("rosters/tekun/2026-11-hunan.csv")
    page.get_by_role("button", name="载入名册").click()
    result = page.get_by_role("heading", name="特困供养名册")
    expect(result).to_be_visible()
    expect(page.get_by_text("1 行，错误 0 行")).to_be_visible()
    expect(page.get_by_text("0 件", exact=True)).to_be_visible()

    s3.put_object(Bucket="subsidy-local-materials", Key="comparisons/deaths/2026-11-hunan.csv",
                  Body=f"id_number,event_date\n{stranger},2026-10-30\n".encode())
    page.get_by_label("比对数据").select_option("deaths")
    page.get_by_label("文件位置（comparisons/ 下）").fill("comparisons/deaths/2026-11-hunan.csv")
    page.get_by_role("button", name="运行比对").click()
    expect(page.get_by_role("heading", name="死亡比对")).to_be_visible()
    expect(page.get_by_text("0 件（由业务属地审核人员确认或驳回）")).to_be_visible()  # no recipient of the file
    desk.shot("48-admin-roster-and-comparison-loaded")
    assert desk.fits_the_office_screen() and desk.accessibility_problems() == []
    no_problems(desk, allowed=("status of 422", "status of 404"))


def test_the_supervisor_sees_late_steps_by_unit_and_phase_beside_the_set_up_gaps(desks, console_server):
    # complete on 2026-10-09 at the 上海 window for a 芙蓉区 applicant and never pushed: its 推送时限 long passed
    late = case_over_http(console_server, application(id_number(region=OTHER_COUNTY, sequence="951"),
                                                      hukou_unit=f"{OTHER_COUNTY}001"), ("complete",),
                          now="2026-10-09T10:00:00+08:00")
    desk = desks()
    page = sign_in(desk, "supervisor", "43")
    expect(page.get_by_role("heading", name="超期督办", level=1)).to_be_visible()
    matrix = page.get_by_role("table", name="超期环节：按单位和阶段")
    expect(matrix.get_by_role("columnheader", name="推送时限")).to_be_visible()
    expect(matrix.get_by_role("row", name=re.compile(f"{SHANGHAI_WINDOW} 1 件"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(f"{SHANGHAI_WINDOW}.*推送时限"))).to_contain_text(late)
    expect(page.get_by_text(re.compile(r"本范围 \d+ 个县（区）中 \d+ 个尚无证明材料清单"))).to_be_visible()
    desk.shot("51-supervisor-late-steps-by-unit-and-phase-and-gaps")
    assert desk.fits_the_office_screen() and desk.accessibility_problems() == []
    no_problems(desk)
