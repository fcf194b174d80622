"""A partial approval is a partial refusal (issue 16.10): through the API on moto, the reviewer's decision → the case
view and its timeline → the result notice's PDF text → the SMS moto's SNS took."""
from __future__ import annotations

import io
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends
from pypdf import PdfReader

from chalicelib.config import load
from tests.support.people import fresh_application

NOT_NURSING = "残疾等级为三级肢体，不属于重度残疾人护理补贴的范围"


def sms_texts(case_id: str) -> list[str]:
    backend = sns_backends[DEFAULT_ACCOUNT_ID][load().region]
    return [text for _, text in backend.sms_messages.values() if case_id in text]


def pdf_text(api: Any, case_id: str) -> str:
    sent = {"X-Clock-Now": api.now, "Authorization": f"Bearer {api.token('window', '310101002')}",
            "Accept": "application/pdf"}
    answer = api.client.http.get(f"/cases/{case_id}/result-notice", headers=sent)
    assert answer.status_code == 200, answer.body
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.body)).pages).split())


def under_review(api: Any) -> str:
    """Accepted 2026-09-24 for both subsidies, complete and pushed 09-30."""
    api.now = "2026-09-24T09:30:00+08:00"
    case_id = api.ready_case(fresh_application())["case_id"]
    api.now = "2026-09-30T16:00:00+08:00"
    for step in ("complete", "push"):
        assert api.window("POST", f"/cases/{case_id}/{step}").status_code == 200
    return case_id


def test_granting_one_subsidy_of_two_needs_the_reason_the_notice_gives_with_the_remedies_and_the_sms_points_to(api):
    case_id = under_review(api)
    api.now = "2026-10-12T10:00:00+08:00"
    living_only = {"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "99.00"}]}
    refused = api.reviewer("POST", f"/cases/{case_id}/decision", living_only)
    assert (refused.status_code, refused.data["error"]["code"], refused.data["error"]["field"]) == (
        422, "NOT_GRANTED_REASON_MISSING", "reason")

    decided = api.reviewer("POST", f"/cases/{case_id}/decision", dict(living_only, reason=NOT_NURSING))
    assert decided.status_code == 200, decided.data
    assert decided.data["decision"]["not_granted"] == [{"type": "nursing", "reason": NOT_NURSING}]
    [event] = [e for e in api.window("GET", f"/cases/{case_id}").data["timeline"] if e["event"] == "decided"]
    assert event["detail"]["not_granted"] == [{"type": "nursing", "reason": NOT_NURSING}]

    notice = pdf_text(api, case_id)
    assert "认定结果予以认定困难残疾人生活补贴；不予认定重度残疾人护理补贴" in notice
    assert "不予认定的补贴及理由" in notice and f"重度残疾人护理补贴：{NOT_NURSING}" in notice
    assert "救济途径" in notice and "说明：" not in notice
    assert "可以自收到本通知书之日起六十日内向道里区人民政府申请行政复议" in notice
    assert "也可以自收到本通知书之日起六个月内依法向道里区所在地基层人民法院提起行政诉讼" in notice

    [text] = [t for t in sms_texts(case_id) if "审核" in t and "推送" not in t]
    assert text.startswith(f"【残疾人两项补贴】申请{case_id}已于10月12日审核，予以认定困难残疾人生活补贴；"
                           "未予认定重度残疾人护理补贴，理由见结果通知书，受理窗口将告知。")
    assert NOT_NURSING not in text  # the reason is the notice's and the window's, not a shared phone's
    assert "可以自收到本通知之日起六十日内向道里区人民政府申请行政复议" in text
    assert "也可以自收到本通知之日起六个月内依法向道里区所在地基层人民法院提起行政诉讼" in text
