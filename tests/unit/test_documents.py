"""The documents' content (domain/cases/documents.py), built from in-memory cases: no I/O."""
from __future__ import annotations

import json
from datetime import date

import pytest
from msgspec.structs import replace

from chalicelib.domain.cases.case import Case, Deadline, DeadlineKind, Status
from chalicelib.domain.cases.documents import (
    Heading,
    Paragraph,
    QrCode,
    Rows,
    Table,
    build_document,
    cn_date,
    cn_month,
    document_view,
    notice_document,
    progress_url,
    receipt_document,
    result_document,
    unit_label,
    yuan,
)
from chalicelib.domain.cases.result_texts import NO_REASON, remedies
from chalicelib.domain.errors import Conflict
from chalicelib.domain.rules.rules import NoticeItem, one_time_notice
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, id_number

PERSON = id_number(birth="19800101", sequence="123")
AGENT = id_number(region="310101", birth="19750315", sequence="246")
URL = "http://127.0.0.1:8000/progress?case=C20260924A1B2C3D4E5"


def a_case(**changes) -> Case:
    case = Case(
        case_id="C20260924A1B2C3D4E5", status=Status.AWAITING_MATERIALS, accepting_unit=SHANGHAI_WINDOW,
        business_unit=HARBIN_TOWNSHIP, scope="cross_province", applied_on=date(2026, 9, 24),
        applied_at="2026-09-24T09:30:00+08:00",
        applicant={"name": "张三", "id_number": PERSON, "phone": "13800000000", "hukou_unit": HARBIN_TOWNSHIP},
        certificate={"number": PERSON + "41", "category": 4, "grade": 1, "valid_until": "2031-05-01"},
        subsidies=("living", "nursing"), notice=one_time_notice(False), version=3)
    return replace(case, **changes)


def deadline(kind: DeadlineKind, start: date, due: date, state: str = "open", provisional: bool = False) -> Deadline:
    return Deadline(kind, start, {"push": 3, "review": 10, "notify": 3}[kind.value], due, provisional,
                    "chinesecalendar-1.11.0", state=state)


def rows_of(document) -> dict[str, str]:
    return dict(next(b for b in document.blocks if isinstance(b, Rows)).rows)


def table_of(document) -> Table:
    return next(b for b in document.blocks if isinstance(b, Table))


def test_dates_months_and_amounts_are_written_the_chinese_way():
    assert cn_date(date(2026, 10, 9)) == "2026年10月9日"
    assert cn_date("2026-01-01") == "2026年1月1日"
    assert cn_month("2026-09") == "2026年9月"
    assert yuan("99") == "99.00元" and yuan("120.5") == "120.50元"


def test_a_unit_is_named_by_province_and_county_with_its_code():
    assert unit_label(HARBIN_TOWNSHIP) == "黑龙江省道里区（230102001）"
    assert unit_label(SHANGHAI_WINDOW) == "上海市黄浦区（310101002）"
    assert unit_label("999999001") == "999999001"


@pytest.mark.parametrize("kind", ["notice", "receipt", "result_notice"])
def test_no_document_prints_the_full_id_number_or_the_birth_date(kind):
    case = a_case(agent={"name": "李四", "id_number": AGENT, "relationship": "child"},
                  decision={"outcome": "rejected", "subsidies": [], "reason": "不符合条件", "decided_on": "2026-10-20"})
    text = build_document(case, kind, URL).text()
    assert PERSON not in text and "19800101" not in text and AGENT not in text and "19750315" not in text
    assert PERSON[:3] + "*" * 11 + PERSON[-4:] in text and AGENT[:3] + "*" * 11 + AGENT[-4:] in text


def test_the_notice_tells_each_material_once_with_its_purpose_and_a_waiver_as_a_waiver():
    items = one_time_notice(False)
    waived = replace(items[3], waived=True, waiver="disability_certificates roster, load 2026-09-01T00:00:00+08:00")
    optional = replace(items[4], required=False)
    document = notice_document(a_case(notice=(*items[:3], waived, optional, items[5])))
    table = table_of(document)
    assert [row[1] for row in table.rows] == ["申请表", "身份证", "户口簿", "残疾人证", "一寸免冠照片", "银行或信用社账户"]
    assert table.rows[1][2:] == ("必须提交", "核验申请人身份")
    assert table.rows[3][2:] == ("免于提交", "已通过残疾人证数据比对核验，免于提交")
    assert table.rows[4][2] == "可选提交"
    assert rows_of(document)["业务属地"] == "黑龙江省道里区（230102001）"
    assert document.issued_at == "2026-09-24T09:30:00+08:00" and document.filename == "一次性告知书-C20260924A1B2C3D4E5.pdf"


def test_a_material_the_rules_add_without_a_chinese_purpose_keeps_the_rules_text():
    extra = NoticeItem("other_proof", "其他证明", "其他证明材料", required=True)
    assert table_of(notice_document(a_case(notice=(extra,)))).rows[0][3] == "其他证明材料"


def test_the_receipt_before_completion_says_when_each_step_starts():
    table = table_of(receipt_document(a_case(), URL))
    assert [row[0] for row in table.rows] == ["材料推送", "资格认定", "结果告知"]
    assert [row[2] for row in table.rows] == ["自申请材料收齐之日起3个工作日内", "自收到推送材料之日起10个工作日内",
                                               "自收到认定结果之日起3个工作日内"]
    assert [row[3:] for row in table.rows] == [("材料收齐后起算", "—"), ("推送后起算", "—"), ("认定后起算", "—")]


def test_the_receipt_shows_each_known_deadline_with_its_start_and_due_day_and_state():
    case = a_case(status=Status.UNDER_REVIEW, deadlines=(
        deadline(DeadlineKind.PUSH, date(2026, 9, 30), date(2026, 10, 10), state="met"),
        deadline(DeadlineKind.REVIEW, date(2026, 12, 28), date(2027, 1, 11), provisional=True)))
    rows = table_of(receipt_document(case, URL)).rows
    assert rows[0][3:] == ("2026年9月30日", "2026年10月10日（已按期完成）")
    assert rows[1][3:] == ("2026年12月28日", "2027年1月11日（暂定：该年度节假日安排尚未公布）")
    assert rows[2][3:] == ("认定后起算", "—")


def test_a_resumed_deadline_counts_from_the_day_it_resumed_and_a_paused_one_says_so():
    resumed = replace(deadline(DeadlineKind.REVIEW, date(2026, 10, 9), date(2026, 10, 30)),
                      counted_from=date(2026, 10, 20), counted_days=7)
    assert table_of(receipt_document(a_case(deadlines=(resumed,)), URL)).rows[1][3] == "2026年10月20日"
    paused = deadline(DeadlineKind.REVIEW, date(2026, 10, 9), date(2026, 10, 22), state="paused")
    assert table_of(receipt_document(a_case(deadlines=(paused,)), URL)).rows[1][4].endswith("（补正中，暂停计算）")


def test_the_receipt_tells_how_to_follow_progress_with_a_qr_code_of_the_public_page():
    document = receipt_document(a_case(), URL)
    assert [b for b in document.blocks if isinstance(b, QrCode)] == [QrCode(URL, "扫码查询办理进度")]
    text = document.text()
    assert "C20260924A1B2C3D4E5" in text and "公民身份号码后六位" in text and "POST /progress" in text
    assert rows_of(document)["补贴计发"] == "经认定符合条件的，自递交申请当月（2026年9月）起计发"


def test_without_a_public_address_the_receipt_prints_the_way_in_words_and_no_qr_code():
    document = receipt_document(a_case(), None)
    assert not [b for b in document.blocks if isinstance(b, QrCode)]
    assert "公民身份号码后六位" in document.text() and "POST /progress" in document.text()


def test_the_progress_address_carries_the_case_number_only():
    assert progress_url("https://subsidy.example.cn/", "C1") == "https://subsidy.example.cn/progress?case=C1"
    assert progress_url(None, "C1") is None


LIVING_GRANT = {"type": "living", "monthly_amount": "99.00", "start_month": "2026-09",
                "back_pay": {"from_month": "2026-09", "through_month": "2026-10", "total": "198.00", "months": []}}
NURSING_GRANT = {"type": "nursing", "monthly_amount": "120.50", "start_month": "2026-09"}
NOT_NURSING = "残疾等级为三级肢体，不属于重度残疾人护理补贴的范围"


def test_an_approval_lists_each_subsidy_with_its_amount_start_month_and_back_pay():
    decision = {"outcome": "approved", "reason": "符合条件", "decided_on": "2026-10-20", "not_granted": [],
                "subsidies": [LIVING_GRANT, NURSING_GRANT]}
    document = result_document(a_case(status=Status.RESULT_RETURNED, decision=decision))
    assert rows_of(document)["认定结果"] == "符合条件，予以认定"
    assert rows_of(document)["认定日期"] == "2026年10月20日"
    assert table_of(document).rows == (("困难残疾人生活补贴", "99.00元", "2026年9月", "198.00元"),
                                       ("重度残疾人护理补贴", "120.50元", "2026年9月", "—"))
    text = document.text()
    assert "说明：符合条件" in text and "救济途径" not in text and "不予认定" not in text
    assert document.issued_at == "2026-10-20T00:00:00+08:00" and document.issuer == "黑龙江省道里区（230102001）"


def test_a_partial_approval_gives_the_reason_for_the_subsidy_not_granted_and_the_remedies_of_a_refusal():
    decision = {"outcome": "approved", "reason": NOT_NURSING, "decided_on": "2026-10-20", "subsidies": [LIVING_GRANT],
                "not_granted": [{"type": "nursing", "reason": NOT_NURSING}]}
    document = result_document(a_case(status=Status.RESULT_RETURNED, decision=decision))
    assert rows_of(document)["认定结果"] == "予以认定困难残疾人生活补贴；不予认定重度残疾人护理补贴"
    assert table_of(document).rows == (("困难残疾人生活补贴", "99.00元", "2026年9月", "198.00元"),)
    paragraphs = [b.text for b in document.blocks if isinstance(b, (Heading, Paragraph))]
    refused = paragraphs.index("不予认定的补贴及理由")
    assert paragraphs[refused + 1] == f"重度残疾人护理补贴：{NOT_NURSING}"
    assert paragraphs[refused + 2] == "救济途径"
    assert paragraphs[refused + 3] == remedies(HARBIN_TOWNSHIP)  # the very sentence a full refusal prints
    assert "六十日内向道里区人民政府申请行政复议" in paragraphs[refused + 3]
    assert "六个月内依法向道里区所在地基层人民法院提起行政诉讼" in paragraphs[refused + 3]
    assert not any(p.startswith("说明") for p in paragraphs)  # the reason is no 说明 under 符合条件


DAOLI_CONTACT = {"unit": HARBIN_TOWNSHIP, "configured": True, "unit_name": "哈尔滨市道里区民政局",
                 "phone": "0451-84600000", "scope": "230102", "effective_from": "2021-04-22"}
NO_CONTACT = {"unit": HARBIN_TOWNSHIP, "configured": False, "unit_name": None, "phone": None, "scope": None,
              "effective_from": None}


def test_an_approval_says_the_business_units_configured_contact_explains_the_standard():
    decision = {"outcome": "approved", "reason": None, "decided_on": "2026-10-20", "not_granted": [],
                "subsidies": [LIVING_GRANT, NURSING_GRANT], "contact": DAOLI_CONTACT}
    paragraphs = [b.text for b in result_document(a_case(status=Status.RESULT_RETURNED, decision=decision)).blocks
                  if isinstance(b, Paragraph)]
    assert "享受补贴政策的类型及标准由哈尔滨市道里区民政局负责解释，咨询电话：0451-84600000。" in paragraphs


def test_without_a_configured_contact_the_notice_names_the_unit_and_says_no_phone_is_set_up_never_the_window():
    for contact in (NO_CONTACT, None):  # None: a decision stored before contacts were kept
        decision = {"outcome": "approved", "reason": NOT_NURSING, "decided_on": "2026-10-20",
                    "subsidies": [LIVING_GRANT], "not_granted": [{"type": "nursing", "reason": NOT_NURSING}],
                    "contact": contact}
        paragraphs = [b.text for b in result_document(a_case(status=Status.RESULT_RETURNED, decision=decision)).blocks
                      if isinstance(b, Paragraph)]
        [line] = [p for p in paragraphs if p.startswith("享受补贴政策的类型及标准")]
        assert line == "享受补贴政策的类型及标准由黑龙江省道里区（230102001）负责解释，咨询电话：尚未设置（业务属地未登记咨询电话）。"
        assert SHANGHAI_WINDOW not in line and "黄浦区" not in line


def test_a_refusal_leaves_the_standard_unexplained():
    decision = {"outcome": "rejected", "subsidies": [], "reason": "不符合条件", "decided_on": "2026-10-20",
                "contact": DAOLI_CONTACT}
    assert "享受补贴政策" not in result_document(a_case(status=Status.RESULT_RETURNED, decision=decision)).text()


def test_a_partial_approval_stored_before_reasons_were_required_says_none_was_recorded():
    decision = {"outcome": "approved", "reason": None, "decided_on": "2026-10-20", "subsidies": [LIVING_GRANT]}
    text = result_document(a_case(status=Status.RESULT_RETURNED, decision=decision)).text()
    assert f"重度残疾人护理补贴：{NO_REASON}" in text and "救济途径" in text


def test_a_refusal_gives_the_reason_and_the_remedies_with_their_time_limits_and_bodies():
    decision = {"outcome": "rejected", "subsidies": [], "reason": "家庭不在低保范围内", "decided_on": "2026-10-20"}
    text = result_document(a_case(status=Status.RESULT_RETURNED, decision=decision)).text()
    assert "不符合条件，不予认定" in text and "家庭不在低保范围内" in text
    assert "六十日内向道里区人民政府申请行政复议" in text
    assert "六个月内依法向道里区所在地基层人民法院提起行政诉讼" in text
    assert "行政复议法》第二十条" in text and "行政诉讼法》第四十六条" in text
    assert remedies(HARBIN_TOWNSHIP) in text


@pytest.mark.parametrize("status", [Status.AWAITING_MATERIALS, Status.UNDER_REVIEW, Status.WITHDRAWN])
def test_a_result_notice_needs_a_decision(status):
    with pytest.raises(Conflict) as refused:
        result_document(a_case(status=status))
    assert refused.value.code == "RESULT_NOT_DECIDED"


def test_the_json_form_is_plain_json_with_the_same_blocks():
    view = document_view(receipt_document(a_case(), URL))
    assert json.loads(json.dumps(view, ensure_ascii=False)) == view
    assert view["document"] == "receipt" and view["version"] == 3
    assert {block["type"] for block in view["blocks"]} == {"rows", "heading", "table", "paragraph", "qr"}
