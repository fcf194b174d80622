"""The console end to end in Chromium: a Shanghai window accepts a Harbin applicant's case and uploads
its materials (one refused, with the reason beside it), completes and pushes; the Harbin reviewer sees it
in the inbox with its badge, opens a material in the page, reads the rule checks and decides; the window
records the notification; another unit's window reads a 403 as a sentence; the supervisor sees counts."""
from __future__ import annotations

import re
import struct
import zlib
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Desk, case_over_http
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, application, id_number, pdf_bytes


def png_bytes(red: int = 200) -> bytes:
    """A real 8×8 PNG (so the reviewer's page can render it)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes([red, 40, 40]) * 8 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def file_for(code: str) -> dict[str, Any]:
    if code == "photo":
        return {"name": "一寸照片.png", "mimeType": "image/png", "buffer": png_bytes()}
    return {"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(code)}


def accept_in_the_browser(window: Desk, person: str) -> str:
    page = window.page
    page.get_by_role("link", name="受理新申请").first.click()
    expect(page.get_by_role("heading", name="受理新申请")).to_be_visible()
    window.shot("02-window-accept-form")
    assert not window.accessibility_problems()
    page.get_by_label("姓名", exact=True).fill("张三")  # not 代理人姓名
    id_box = page.get_by_label("公民身份号码", exact=True)
    wrong = person[:-1] + ("0" if person[-1] != "0" else "1")
    id_box.fill(wrong)  # the check character is wrong: said at once, next to the field
    expect(page.locator('[data-error-for="applicant.id_number"]')).to_have_text(re.compile("校验位不符"))
    expect(id_box).to_have_attribute("aria-invalid", "true")
    window.shot("03-window-accept-id-checked-as-typed")
    id_box.fill(person)
    expect(page.locator('[data-error-for="applicant.id_number"]')).to_have_text("✓ 校验通过")
    page.get_by_label("手机号").fill("13800000000")
    page.get_by_label("户籍所在乡镇（街道）代码").fill(HARBIN_TOWNSHIP)
    page.get_by_label("所在村（居）委会代码").fill(HARBIN_TOWNSHIP + "001")
    page.get_by_label("户籍地址").fill("哈尔滨市道里区兆麟街1号")
    page.get_by_label("残疾人证号").fill(person + "81")  # category 8 does not exist
    expect(page.locator('[data-error-for="certificate.number"]')).to_have_text(re.compile("残疾类别位应为 1–7"))
    page.get_by_label("残疾人证号").fill(person + "41")
    page.get_by_label("有效期至").fill("2031-05-01")
    page.get_by_label("低保", exact=True).check()
    assert window.fits_the_office_screen()
    page.get_by_role("button", name="受理并生成一次性告知书").click()
    page.wait_for_url(re.compile(r"#/case/C"))
    expect(page.get_by_role("heading", name="一次性告知书")).to_be_visible()  # at once, from the answer
    return page.url.rsplit("/", 1)[-1]


def upload_materials(window: Desk) -> None:
    page = window.page
    items = page.locator("li.material")
    codes = [items.nth(i).get_attribute("data-code") for i in range(items.count())]
    assert {"id_card", "bank_account", "photo"} <= set(codes)  # 道里区 drops the household register (demo rules)
    # a refused upload: a "PDF" whose bytes are not a PDF; the reason stands beside that material
    row = page.locator('li.material[data-code="bank_account"]')
    row.locator('input[type="file"]').set_input_files(
        {"name": "银行账户.pdf", "mimeType": "application/pdf", "buffer": b"scanned on a phone, saved as text"})
    row.get_by_role("button", name=re.compile("上传")).click()
    expect(row.locator('[data-error-for="material:bank_account"]')).to_have_text(
        re.compile("文件内容与其类型不符"))
    expect(row.locator(".material-state")).to_have_text("状态：未收到")
    window.shot("05-window-upload-refused")
    assert not window.accessibility_problems()
    for code in codes:
        row = page.locator(f'li.material[data-code="{code}"]')
        if row.locator('input[type="file"]').count() == 0:
            continue  # waived
        row.locator('input[type="file"]').set_input_files(file_for(code))
        button = row.get_by_role("button", name=re.compile("上传"))
        button.focus()
        page.keyboard.press("Enter")
        expect(row.locator(".material-state")).to_have_text("状态：✓ 已收到（已核验）")


def test_a_case_goes_from_the_shanghai_window_to_the_harbin_reviewer_and_back_in_the_browser(desks):
    window = desks()
    page = window.sign_in_demo("sh-window-01")
    expect(page.get_by_role("heading", name="本窗口受理的案件")).to_be_visible()
    window.shot("01-window-worklist")
    assert not window.accessibility_problems()

    person = id_number(birth="19700512", sequence="315")
    case_id = accept_in_the_browser(window, person)
    window.shot("04-window-notice-at-once")
    # print: the API's PDF of the notice (Accept: application/pdf) as a blob URL in the PDF viewer
    with page.expect_response(lambda r: r.url.endswith(f"/cases/{case_id}/notice")
                              and r.headers.get("content-type", "").startswith("application/pdf")):
        with window.context.expect_page() as opened:
            page.get_by_role("button", name="打印一次性告知书").click()
    assert opened.value.url.startswith("blob:")
    opened.value.close()
    upload_materials(window)
    # the last required material completes the case: the page shows it anew, D1 running, the push the next step
    expect(page.get_by_role("status")).to_have_text(re.compile("已收到，材料已收齐，推送时限起算"))
    expect(page.locator("dl.facts")).to_contain_text("待推送")
    expect(page.get_by_role("button", name="确认材料收齐")).to_have_count(0)
    expect(page.get_by_role("row", name=re.compile("推送时限"))).to_contain_text(re.compile("剩\\d+个工作日"))
    window.shot("06-window-materials-received")
    page.emulate_media(media="print")
    window.shot("07-window-notice-print-view")
    page.emulate_media(media="screen")
    page.get_by_role("button", name="推送至业务属地").click()
    expect(page.get_by_role("status")).to_have_text("已推送至业务属地")
    window.shot("08-window-pushed")

    reviewer = desks()
    inbox = reviewer.sign_in_demo("hrb-reviewer-01")
    expect(inbox.get_by_role("heading", name="待审核案件（按期限排序）")).to_be_visible()
    line = inbox.get_by_role("row", name=re.compile(case_id))
    expect(line).to_contain_text("审核时限")
    expect(line).to_contain_text(re.compile("剩\\d+个工作日"))
    assert reviewer.fits_the_office_screen()
    reviewer.shot("09-reviewer-inbox")
    assert not reviewer.accessibility_problems()
    line.get_by_role("link", name=case_id).click()
    expect(inbox.get_by_role("heading", name=f"案件 {case_id}")).to_be_visible()
    inbox.get_by_role("button", name="查看一寸免冠照片").click()
    picture = inbox.get_by_role("img", name=re.compile("材料：一寸免冠照片"))
    expect(picture).to_be_visible()
    inbox.wait_for_function("img => img.complete && img.naturalWidth === 8", arg=picture.element_handle())
    checks = inbox.get_by_role("table").filter(has_text="符合条件")
    expect(checks).to_contain_text("困难残疾人生活补贴")
    expect(checks).to_contain_text("✓ 符合条件")
    reviewer.shot("10-reviewer-case-material-and-rule-checks")
    assert not reviewer.accessibility_problems()
    inbox.get_by_label("理由（不予批准时必填）").fill("低保户，一级肢体残疾")
    inbox.get_by_role("button", name="提交审核决定").click()
    expect(inbox.get_by_role("status")).to_have_text(re.compile("审核决定已提交"))
    expect(inbox.get_by_role("heading", name="审核决定")).to_be_visible()
    expect(inbox.locator("body")).to_contain_text(re.compile("困难残疾人生活补贴：每月 \\d+\\.\\d\\d 元"))
    reviewer.shot("11-reviewer-decided")

    page.reload()
    expect(page.get_by_text("审核结果已返回")).to_be_visible()
    page.get_by_label("告知方式").select_option("phone")
    page.get_by_label("备注").fill("电话告知本人")
    page.get_by_role("button", name="记录已告知申请人").click()
    expect(page.get_by_role("status")).to_have_text("已记录告知，案件办结")
    expect(page.locator("dl.facts")).to_contain_text("已办结")
    timeline = page.locator("ol.timeline")
    for step in ("受理", "材料收齐", "推送至业务属地", "查看材料", "作出决定", "已告知申请人"):
        expect(timeline).to_contain_text(step)
    window.shot("12-window-notified-timeline")

    stranger = desks()
    other = stranger.sign_in_as("window", "310101003")
    other.goto(f"{stranger.base}/console/#/case/{case_id}")
    expect(other.get_by_role("alert").filter(has_text="此案件不在您所在单位的办理范围内")).to_be_visible()
    expect(other.locator("main")).not_to_contain_text("暂无案件")  # nothing of the page before leaks in
    stranger.shot("13-other-unit-403")

    for desk in (window, reviewer, stranger):
        assert not [p for p in desk.problems if "403" not in p and "422" not in p], desk.problems


def overdue_case(base: str) -> str:
    """A case whose materials were complete on 2026-10-09 and was never pushed: D1 is long passed."""
    return case_over_http(base, application(id_number(birth="19650303", sequence="427")), ("complete",),
                          now="2026-10-09T10:00:00+08:00")


def test_the_supervisor_sees_overdue_cases_counted_by_unit_and_phase(desks, console_server):
    late = overdue_case(console_server)
    supervisor = desks()
    page = supervisor.sign_in_demo("hlj-supervisor")
    expect(page.get_by_role("heading", name="超期督办")).to_be_visible()
    row = page.get_by_role("row", name=re.compile(f"{SHANGHAI_WINDOW}.*推送时限"))
    expect(row).to_contain_text(re.compile(r"\d+ 件"))
    expect(row).to_contain_text(late)
    expect(row).to_contain_text(re.compile("已超期\\d+个工作日"))
    expect(page.locator("p.totals")).to_contain_text(re.compile(r"推送时限 [1-9]\d* 件"))
    assert supervisor.fits_the_office_screen()
    supervisor.shot("14-supervisor-overdue-by-unit-and-phase")
    assert not supervisor.accessibility_problems()


def test_the_accessibility_audit_finds_an_unlabelled_field_and_pale_text(desks):
    desk = desks()
    desk.sign_in_demo("sh-window-01")
    assert not desk.accessibility_problems()
    desk.page.evaluate("""() => document.querySelector('main').append(
        Object.assign(document.createElement('input'), {name: 'bare'}),
        Object.assign(document.createElement('p'), {textContent: '浅灰色的字', style: 'color: #aaaaaa'}))""")
    problems = desk.accessibility_problems()
    assert "no label: bare" in problems
    assert any(p.startswith("contrast 2.") and p.endswith("浅灰色的字") for p in problems), problems
