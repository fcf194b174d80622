"""The 业务属地 explains the standard (issue 16.8): through the API on moto, an admin configures the 业务属地's unit and
consultation phone → the reviewer approves → the result notice's PDF text and the SMS moto's SNS took name that
unit and phone, never the window; a 业务属地 with none configured says so (and GET /rules shows the gap)."""
from __future__ import annotations

from typing import Any

from tests.integration.test_partial_approval import pdf_text, sms_texts
from tests.support.people import HARBIN_OTHER_TOWNSHIP, HARBIN_TOWNSHIP, fresh_application

DAOLI = {"unit_name": "哈尔滨市道里区民政局", "phone": "0451-84600000"}
EXPLAINS = "享受补贴政策的类型及标准由哈尔滨市道里区民政局负责解释，咨询电话：0451-84600000。"


def approved(api: Any, unit: str, decision: dict[str, Any]) -> str:
    """Accepted 2026-09-24, complete and pushed 09-30, decided 10-12 by the 业务属地's reviewer."""
    api.now = "2026-09-24T09:30:00+08:00"
    body = fresh_application(hukou_unit=unit)  # at the unit's first committee
    case_id = api.ready_case(body)["case_id"]
    api.now = "2026-09-30T16:00:00+08:00"
    for step in ("complete", "push"):
        assert api.window("POST", f"/cases/{case_id}/{step}").status_code == 200
    api.now = "2026-10-12T10:00:00+08:00"
    answer = api.reviewer("POST", f"/cases/{case_id}/decision", decision, unit=unit)
    assert answer.status_code == 200, answer.data
    return case_id


def test_the_configured_contact_of_the_business_unit_is_on_the_notice_and_in_the_sms(api):
    api.now = "2026-09-20T10:00:00+08:00"
    outside = api.call("PUT", "/rules/230102/contact/2021-04-22", "admin", "31", DAOLI)
    assert (outside.status_code, outside.data["error"]["code"]) == (403, "SCOPE_OUT_OF_REACH")
    bad = api.call("PUT", "/rules/230102/contact/2021-04-22", "admin", "23", dict(DAOLI, phone="84600000"))
    assert (bad.status_code, bad.data["error"]["code"], bad.data["error"]["field"]) == (422, "PHONE_FORMAT", "phone")
    stored = api.call("PUT", "/rules/230102/contact/2021-04-22", "admin", "23", DAOLI)
    assert stored.status_code == 200, stored.data
    shown = api.window("GET", "/rules/230102001?on=2026-10-12").data["contact"]
    assert shown == {"unit": HARBIN_TOWNSHIP, "configured": True, **DAOLI, "scope": "230102",
                     "effective_from": "2021-04-22"}
    gap = api.window("GET", f"/rules/{HARBIN_OTHER_TOWNSHIP}?on=2026-10-12").data["contact"]
    assert (gap["configured"], gap["phone"]) == (False, None)

    full = {"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "99.00"},
                                                 {"type": "nursing", "monthly_amount": "120.00"}]}
    case_id = approved(api, HARBIN_TOWNSHIP, full)
    case = api.window("GET", f"/cases/{case_id}").data
    assert case["decision"]["contact"]["unit_name"] == "哈尔滨市道里区民政局"
    assert EXPLAINS in pdf_text(api, case_id)
    [text] = [t for t in sms_texts(case_id) if "审核通过" in t]
    assert text == f"【残疾人两项补贴】申请{case_id}已于10月12日审核通过。{EXPLAINS}"

    partial = {"outcome": "approved", "reason": "残疾等级为三级肢体，不属于重度残疾人护理补贴的范围",
               "subsidies": [{"type": "living", "monthly_amount": "99.00"}]}
    partial_id = approved(api, HARBIN_TOWNSHIP, partial)
    assert pdf_text(api, partial_id).count(EXPLAINS) == 1
    [partial_text] = [t for t in sms_texts(partial_id) if "予以认定" in t]
    assert partial_text.endswith("第四十六条）。" + EXPLAINS)


def test_a_business_unit_without_a_contact_is_named_with_no_phone_set_up_never_the_windows(api):
    api.now = "2026-09-20T10:00:00+08:00"
    assert api.call("PUT", "/rules/230102/contact/2021-04-22", "admin", "23", DAOLI).status_code == 200  # not 南岗区
    full = {"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "99.00"},
                                                 {"type": "nursing", "monthly_amount": "120.00"}]}
    case_id = approved(api, HARBIN_OTHER_TOWNSHIP, full)
    line = "享受补贴政策的类型及标准由黑龙江省南岗区（230103001）负责解释，咨询电话：尚未设置（业务属地未登记咨询电话）。"
    notice = pdf_text(api, case_id)
    assert line in notice and "哈尔滨市道里区民政局" not in notice and "0451-84600000" not in notice
    [text] = [t for t in sms_texts(case_id) if "审核通过" in t]
    assert text.endswith(line) and "黄浦区" not in text and "310101002" not in text
