"""Payments in the console (issue 19.4), in Chromium: the 业务属地's reviewer confirms or rejects the proposals a self
report made (with a note), drafts the month's 发放名册, finalizes it and downloads it — the file checked as the paying
agent opens it (UTF-8 with its byte-order mark, the Chinese headers, one line per entitlement paid, the totals the
page showed) — then finds a stop after payment on the recovery list and the entitlement with its history."""
from __future__ import annotations

import csv
import io
import re
from typing import Any

import requests
from playwright.sync_api import expect

from tests.browser.conftest import Desk, case_over_http
from tests.browser.test_accessibility import audit, blocking
from tests.browser.test_console_committee import call
from tests.browser.test_console_rounds import no_problems
from tests.support.moments import SERVER_TODAY
from tests.support.people import application, id_number

TOWNSHIP = "230102002"  # 哈尔滨市道里区, a township no other browser test files a case at: its roster is this test's
MONTH = SERVER_TODAY[:7]  # 2026-11: the month the page opens on
HEADER = ["补贴对象编号", "案件编号", "姓名", "公民身份号码", "补贴类别", "村(居)委会", "开户银行", "账号", "本月金额",
          "补发金额", "补发月份", "合计"]


def approved(base: str, name: str, person: str, account: str) -> str:
    body = application(person, hukou_unit=TOWNSHIP)
    body["applicant"].update(name=name, bank_account={"bank": "哈尔滨银行道里支行", "number": account})
    case_id = case_over_http(base, body, ("complete", "push"))
    decided = call(base, "POST", f"/cases/{case_id}/decision", "reviewer", TOWNSHIP, {
        "outcome": "approved", "subsidies": [{"type": "living"}, {"type": "nursing"}], "reason": "符合条件"})
    assert decided["status"] == "result_returned", decided
    return case_id


def self_report(base: str, case_id: str, person: str, change: str, note: str) -> None:
    answer = requests.post(f"{base}/progress/report", timeout=30, json={
        "case_id": case_id, "id_suffix": person[-6:], "change": change, "reporter": "family", "note": note})
    assert answer.status_code == 202, answer.text


def proposal_of(page: Any, entitlement_id: str) -> Any:
    return page.locator("tr[data-proposal]").filter(has=page.get_by_role("link", name=entitlement_id, exact=True))


def sign_in_as_the_reviewer(desk: Desk) -> Any:
    page = desk.sign_in_as("reviewer", TOWNSHIP)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="补贴发放").click()
    expect(page.get_by_role("heading", name="补贴发放", exact=True)).to_be_visible()
    return page


def test_a_roster_drafted_finalized_and_downloaded_then_a_debt_on_the_recovery_list(desks, console_server):
    base = console_server
    first_person, second_person = id_number(birth="19480302", sequence="815"), id_number(birth="19490403", sequence="826")
    first = approved(base, "赵一", first_person, "6217000011112222")
    second = approved(base, "赵二", second_person, "6217000033334444")
    self_report(base, first, first_person, "dibao_exit", "家属说已退出低保")  # a proposal for the living subsidy
    self_report(base, second, second_person, "death", "11月14日去世")  # one for each subsidy

    reviewer = desks()
    page = sign_in_as_the_reviewer(reviewer)
    expect(page.get_by_role("table", name=re.compile("待确认的变动提议（3）"))).to_be_visible()
    expect(page.get_by_text("暂无应退款项")).to_be_visible()  # an empty list says so
    expect(page.get_by_text("暂无发放名册")).to_be_visible()
    expect(page.get_by_text("正在载入……")).to_have_count(0)
    granted = page.get_by_role("table", name="已批准的补贴对象（2 件）")  # the unit's decided cases, latest first
    for case_id in (first, second):
        expect(granted.get_by_role("row", name=re.compile(case_id)).get_by_role("link", name=re.compile("每月"))
               ).to_have_count(2)
    reviewer.shot("60-payments-proposals")
    assert reviewer.accessibility_problems() == [] and blocking(audit(page)) == []

    # proposals: a note is required; one rejected, two confirmed
    row = proposal_of(page, f"{first}-living")
    row.get_by_role("button", name="驳回").click()
    expect(row.get_by_text("此项必填")).to_be_visible()
    row.get_by_label(f"{first}-living 的核实说明（确认或驳回时必填）").fill("低保名册核实：仍在保")
    row.get_by_role("button", name="驳回").click()
    expect(page.get_by_role("table", name=re.compile("待确认的变动提议（2）"))).to_be_visible()
    for subsidy in ("living", "nursing"):
        row = proposal_of(page, f"{second}-{subsidy}")
        expect(row).to_contain_text("自2026年12月起停发")
        row.get_by_label(f"{second}-{subsidy} 的核实说明（确认或驳回时必填）").fill("村委会核实：已去世")
        row.get_by_role("button", name="确认").click()
        expect(proposal_of(page, f"{second}-{subsidy}")).to_have_count(0)
    expect(page.get_by_text("暂无待确认的提议")).to_be_visible()
    decided = page.get_by_role("table", name="已处理的提议")
    expect(decided).to_contain_text("已驳回")
    expect(decided).to_contain_text("低保名册核实：仍在保")
    expect(decided).not_to_contain_text("reported")  # the reasons' English gloss is left out
    assert call(base, "GET", f"/entitlements/{second}-living", "reviewer", TOWNSHIP)["history"][-1]["kind"] == "stop"

    # the roster of the month: drafted, then finalized
    expect(page.get_by_label("发放月份")).to_have_value(MONTH)
    page.get_by_role("button", name="生成名册草稿").click()
    card = page.locator("div.roster")
    expect(card).to_contain_text("2026年11月发放名册（草稿）")
    expect(card).to_contain_text("4 行")  # two recipients, two subsidies each: November is paid before December's stop
    expect(page.get_by_role("button", name="下载名册草稿（CSV）")).to_be_visible()
    reviewer.shot("61-payments-roster-draft")
    total = re.search(r"合计 ([0-9.]+) 元", card.inner_text())
    assert total, card.inner_text()
    page.get_by_role("button", name="确认发放").click()
    expect(card).to_contain_text("2026年11月发放名册（已确认发放）")
    expect(page.get_by_role("button", name="确认发放")).to_have_count(0)
    expect(page.get_by_role("table", name="已生成的发放名册")).to_contain_text("已确认发放")

    # downloaded through the page (a fresh 15-minute presigned URL, the download recorded), read as the paying agent reads it
    with page.expect_download() as download:
        page.get_by_role("button", name="下载发放名册（CSV）").click()
    content = download.value.path().read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    lines = {r[0]: dict(zip(HEADER, r, strict=True)) for r in rows[1:]}
    assert sorted(lines) == sorted(f"{c}-{s}" for c in (first, second) for s in ("living", "nursing"))
    assert {lines[f"{first}-living"][k] for k in ("姓名", "开户银行", "账号", "补贴类别")} == {
        "赵一", "哈尔滨银行道里支行", "6217000011112222", "困难残疾人生活补贴"}
    assert lines[f"{second}-nursing"]["补贴类别"] == "重度残疾人护理补贴"
    assert f"{sum(float(r['合计']) for r in lines.values()):.2f}" == total.group(1)
    listed = call(base, "GET", f"/payroll/{TOWNSHIP}", "reviewer", TOWNSHIP)["rosters"]
    assert [(r["month"], r["status"], r["downloads"]) for r in listed] == [(MONTH, "finalized", 1)]
    reviewer.shot("62-payments-roster-finalized")
    assert blocking(audit(page)) == []

    # a stop from November, after November was paid: the recovery list, and the entitlement with its history
    call(base, "POST", f"/entitlements/{first}-nursing/status", "reviewer", TOWNSHIP,
         {"action": "stop", "effective_month": MONTH, "reason": "复核：残疾等级已变更，不符合护理补贴条件"})
    page.reload()
    recoveries = page.get_by_role("table", name=re.compile("应退则退：1 个补贴对象"))
    expect(recoveries).to_contain_text("2026年11月")
    expect(recoveries).to_contain_text("赵一")
    expect(page.get_by_text("暂无待确认的提议")).to_be_visible()
    expect(page.get_by_text("正在载入……")).to_have_count(0)
    reviewer.shot("63-payments-recovery-list")
    recoveries.get_by_role("link", name=f"{first}-nursing").click()
    expect(page.get_by_role("heading", name=f"补贴待遇 {first}-nursing")).to_be_visible()
    expect(page.locator("ol.timeline")).to_contain_text("批准享受：自2026年11月起，正常发放，理由：审核决定批准")
    expect(page.locator("ol.timeline")).to_contain_text("停止发放：自2026年11月起，理由：复核：残疾等级已变更")
    expect(page.get_by_role("table", name="逐月台账")).to_contain_text("2026年11月")
    reviewer.shot("64-payments-entitlement-with-its-history")
    assert reviewer.fits_the_office_screen() and reviewer.accessibility_problems() == [] and blocking(audit(page)) == []

    # the case the entitlement came from links back to each of its entitlements
    page.get_by_role("link", name=first, exact=True).click()
    expect(page.get_by_role("heading", name=f"案件 {first}")).to_be_visible()
    page.get_by_role("link", name="困难残疾人生活补贴的待遇及变更记录").click()
    expect(page.get_by_role("heading", name=f"补贴待遇 {first}-living")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("业务属地黑龙江省道里区 230102002")
    no_problems(reviewer, allowed=("status of 422",))  # the empty note, answered 422 on purpose
