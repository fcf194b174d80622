"""The console says in Chinese whatever the server can put before it: every timeline event kind on the
domain's list (chalicelib/domain/cases/timeline.py), every error code the routes it calls can answer with, and
the detail of each event. Run in Chromium on the console's own module (console/js/labels.js)."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from chalicelib.domain.cases.timeline import EVENT_KINDS

PROJECT = Path(__file__).resolve().parents[2]
ERRORS = {"Malformed", "Unauthenticated", "Forbidden", "NotFound", "Conflict", "TooLarge", "Invalid",
          "UnsupportedMedia", "RateLimited", "DomainError"}
# what stands behind the routes the console calls: the wrapper and tokens, cases, materials, documents, worklists
CONSOLE_SOURCES = [
    "chalicelib/api/pipeline.py", "chalicelib/auth.py", "chalicelib/domain/access.py", "chalicelib/domain/cases/applications.py",
    "chalicelib/domain/cases/case.py", "chalicelib/domain/cases/review_chain.py", "chalicelib/domain/identity.py", "chalicelib/domain/cases/uploads.py",
    "chalicelib/domain/payments/decision.py",
    "chalicelib/domain/units.py", "chalicelib/domain/values.py", "chalicelib/domain/cases/documents.py",
    "chalicelib/services/cases.py", "chalicelib/services/material_reads.py", "chalicelib/services/documents.py",
    "chalicelib/services/idempotency.py", "chalicelib/services/worklists.py", "chalicelib/adapters/store.py",
    "chalicelib/adapters/files.py",
    # the committees' 每月查询登记 and payments (issue 19): checks, proposals, rosters, recoveries, entitlements
    "chalicelib/services/supervision.py", "chalicelib/domain/supervision/monitoring.py", "chalicelib/services/payroll.py",
    "chalicelib/services/comparison.py", "chalicelib/services/recoveries.py", "chalicelib/services/entitlements.py",
    "chalicelib/domain/payments/roster.py", "chalicelib/domain/payments/entitlements.py",
    # the administrators' pages: material lists, set-up gaps, tables, limits, the calendar, rosters
    "chalicelib/services/rules.py", "chalicelib/services/calendar.py", "chalicelib/services/setup_gaps.py",
    "chalicelib/services/registers.py", "chalicelib/domain/rules/amounts.py", "chalicelib/domain/rules/registers.py",
    "chalicelib/domain/rules/time_limits.py",
]


def error_codes() -> set[str]:
    """The literal codes of the domain errors raised in CONSOLE_SOURCES."""
    codes: set[str] = set()
    for source in CONSOLE_SOURCES:
        for node in ast.walk(ast.parse((PROJECT / source).read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ERRORS
                    and node.args and isinstance(node.args[0], ast.Constant)):
                codes.add(node.args[0].value)
    return codes


def labels(browser: Any, base: str, script: str, arg: Any = None) -> Any:
    page = browser.new_page()
    page.goto(f"{base}/console/config.json")
    try:
        return page.evaluate(f"async (arg) => {{ const L = await import('/console/js/labels.js'); {script} }}", arg)
    finally:
        page.close()


def test_the_console_names_every_timeline_event_kind_the_server_writes_in_chinese(browser, console_server):
    names = labels(browser, console_server, "return L.EVENTS;")
    missing = [kind for kind in EVENT_KINDS if kind not in names]
    assert missing == [], f"console/js/labels.js EVENTS lacks {missing}"
    assert all(not names[kind].isascii() for kind in EVENT_KINDS)


def test_the_console_has_a_chinese_message_for_every_error_code_its_routes_can_answer(browser, console_server):
    codes = error_codes()
    assert {"ID_NUMBER_CHECKSUM", "AGENT_IS_APPLICANT", "INVALID_TRANSITION", "TOKEN_EXPIRED"} <= codes  # walk works
    messages = labels(browser, console_server, "return L.MESSAGES;")
    assert sorted(codes - set(messages)) == []
    assert [code for code in codes if messages[code].isascii()] == []


def test_each_event_detail_is_written_in_chinese(browser, console_server):
    samples = [
        {"event": "material_viewed", "detail": {"code": "photo"}},
        {"event": "message_sent", "detail": {"milestone": "pushed", "channel": "sms", "attempts": 1}},
        {"event": "message_failed", "detail": {"milestone": "decided", "attempts": 5, "error": "SMS_REFUSED"}},
        {"event": "message_skipped", "detail": {"milestone": "accepted", "reason": "no_mobile_number"}},
        {"event": "deadline_overdue", "detail": {"kind": "push", "due_on": "2026-10-14"}},
        {"event": "deadline_recounted", "detail": {"kind": "review", "was_due_on": "2027-01-05",
                                                   "due_on": "2027-01-08", "provisional": False}},
        {"event": "applicant_notified", "detail": {"method": "in_person"}},
        {"event": "decided", "detail": {"outcome": "rejected", "reason": "不符合条件"}},
        {"event": "withdrawn", "detail": {"reason": "回户籍地办理"}},
        {"event": "supplement_requested", "detail": {"items": [{"code": "photo", "description": "照片模糊"}]}},
    ]
    texts = labels(browser, console_server, "return arg.map(L.eventDetail);", samples)
    assert texts == ["一寸免冠照片", "推送短信", "审核决定短信，已尝试 5 次，已报督查", "受理短信",
                     "推送时限，到期日 2026年10月14日", "审核时限：2027年1月5日 → 2027年1月8日", "当面告知",
                     "不予批准，理由：不符合条件", "原因：回户籍地办理", "照片模糊"]


def test_dates_time_limits_and_days_are_written_as_the_pdfs_and_sms_write_them(browser, console_server):
    """One date function (ui.dateText) for every date shown; the phases by their names, never D0–D3 or DS; days as
    "3个工作日"; units by name with their code (issue 19.6)."""
    page = browser.new_page()
    page.goto(f"{console_server}/console/config.json")
    shown = page.evaluate("""async () => {
        const U = await import('/console/js/ui.js');
        const L = await import('/console/js/labels.js');
        return {dates: [U.dateText('2026-09-24'), U.dateText('2026-10-09T16:05:00+08:00'), U.dateText(''),
                        U.monthText('2026-12'), U.dateTime('2026-11-16T10:00:00+08:00')],
                phases: L.PHASE, short: L.PHASE_SHORT,
                units: ['230102001', '31', '230102001203', '2301', '999999001'].map(U.unitText),
                left: [U.deadlineText({state: 'open', working_days_left: 3}),
                       U.deadlineText({state: 'overdue', working_days_overdue: 2}),
                       U.deadlineText({state: 'paused', remaining_working_days: 7})]};
    }""")
    page.close()
    assert shown["dates"] == ["2026年9月24日", "2026年10月9日", "", "2026年12月", "2026年11月16日 10:00"]
    assert shown["short"] == {"materials": "收件时限", "push": "推送时限", "review": "审核时限", "supplement": "补正时限",
                              "notify": "告知时限"}
    assert shown["phases"]["push"] == "推送时限（3个工作日）" and shown["phases"]["review"] == "审核时限（10个工作日）"
    assert shown["left"] == ["剩3个工作日", "已超期2个工作日", "已暂停（剩7个工作日）"]
    # units by name with their code, as the PDFs name them (units.place_name); the code alone where no name is known
    assert shown["units"] == ["黑龙江省道里区 230102001", "上海市 31", "黑龙江省道里区 230102001203", "2301", "999999001"]


def test_a_waived_material_and_the_data_checks_are_said_in_chinese(browser, console_server):
    page = browser.new_page()
    page.goto(f"{console_server}/console/config.json")
    texts = page.evaluate("""async () => {
        const L = await import('/console/js/labels.js');
        const R = await import('/console/js/views/review.js');
        return [L.waiverText('disability_certificates roster, load 2026-09-01T10:00:00+08:00'),
                R.dataCheckText({type: 'waiver', code: 'disability_certificate', source: 'disability_certificates',
                                 waived: true}),
                R.dataCheckText({type: 'waiver', code: 'disability_certificate', source: 'disability_certificates',
                                 waived: false,
                                 mismatch: ['grade: roster 2, application 1', 'status: roster cancelled']}),
                R.dataCheckText({type: 'confirmation', source: 'dibao', confirmed: false,
                                 mismatch: ['status: roster out (since 2026-01-01), application claims 低保']})];
    }""")
    page.close()
    assert texts == ["已通过残疾人证数据比对核验，免于提交", "残疾人证名册：证件有效，免交残疾人证",
                     "残疾人证名册：与申请不一致，不免交（不一致：残疾等级、状态）",
                     "低保名册：与申报不一致（不一致：状态）"]


def test_a_rule_check_contradicted_by_roster_data_is_said_apart_from_one_not_met(browser, console_server):
    page = browser.new_page()
    page.goto(f"{console_server}/console/config.json")
    texts = page.evaluate("""async () => {
        const R = await import('/console/js/views/review.js');
        return [{result: 'met', eligible: true}, {result: 'not_met', eligible: false},
                {result: 'contradicted', eligible: false}, {eligible: true}, {eligible: false}].map(R.ruleResultText);
    }""")
    page.close()
    assert texts == ["✓ 符合条件", "✗ 不符合条件", "✗ 与数据比对不一致（以名册为准）", "✓ 符合条件", "✗ 不符合条件"]
