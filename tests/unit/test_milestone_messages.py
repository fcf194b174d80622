"""Milestone SMS templates and retry policy, and what the progress answer keeps (pure domain, no I/O)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from msgspec.structs import replace

from chalicelib.domain.cases.case import Case, Event, Status
from chalicelib.domain.cases.messages import (
    MAX_ATTEMPTS,
    MAX_DECISION_SMS_CHARS,
    MAX_SMS_CHARS,
    SEGMENT_CHARS,
    TEMPLATES,
    milestone_between,
    next_attempt,
    render,
    sms_number,
)
from chalicelib.domain.cases.progress import (
    case_window,
    client_window,
    progress_view,
    suffix_matches,
)
from chalicelib.domain.cases.result_texts import remedies

CHINA = timezone(timedelta(hours=8))
LONGEST_ID = "C20261231FFFFFFFFFF"  # what cases.Deps.new_id makes: C + yyyymmdd + 10 hex


def case(**changes) -> Case:
    base = Case(case_id=LONGEST_ID, status=Status.AWAITING_MATERIALS, accepting_unit="310101002",
                business_unit="230102001", scope="cross_province", applied_on=date(2026, 12, 31),
                applied_at="2026-12-31T10:00:00+08:00",
                applicant={"name": "张三", "id_number": "23010219800101123X", "phone": "13800000000"},
                certificate={}, subsidies=("living",), notice=())
    return replace(base, **changes)


@pytest.mark.parametrize("milestone, decision", [
    ("accepted", None), ("pushed", None), ("decided", {"outcome": "rejected"}), ("notified", None)])
def test_every_text_but_an_approvals_fits_one_sms_segment_with_the_longest_case_number_and_date(milestone, decision):
    text = render(milestone, case(decision=decision), date(2026, 12, 31))
    assert len(text) <= MAX_SMS_CHARS, (len(text), text)
    assert LONGEST_ID in text and "12月31日" in text


LONGEST_CONTACT = {"unit": "230102001", "configured": True, "unit_name": "哈" * 40, "phone": "0451-84600000-123456",
                   "scope": "230102", "effective_from": "2021-04-22"}
DAOLI_CONTACT = dict(LONGEST_CONTACT, unit_name="哈尔滨市道里区民政局", phone="0451-84600000")
PARTIAL = {"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "99.00"}],
           "reason": "残疾等级为三级肢体，不属于护理补贴范围",
           "not_granted": [{"type": "nursing", "reason": "残疾等级为三级肢体，不属于护理补贴范围"}],
           "contact": DAOLI_CONTACT}


def test_an_approval_names_the_business_units_contact_for_the_standard_not_the_window():
    approved = {"outcome": "approved", "subsidies": [{"type": "living"}], "not_granted": [], "contact": DAOLI_CONTACT}
    text = render("decided", case(decision=approved), date(2026, 12, 31))
    assert text == (f"【残疾人两项补贴】申请{LONGEST_ID}已于12月31日审核通过。"
                    "享受补贴政策的类型及标准由哈尔滨市道里区民政局负责解释，咨询电话：0451-84600000。")
    longest = render("decided", case(decision=dict(approved, contact=LONGEST_CONTACT)), date(2026, 12, 31))
    assert len(longest) <= 2 * SEGMENT_CHARS  # two parts of a concatenated SMS at most


def test_an_approval_without_a_configured_contact_says_no_phone_is_set_up():
    for contact in ({"unit": "230102001", "configured": False, "unit_name": None, "phone": None}, None):
        approved = {"outcome": "approved", "subsidies": [{"type": "living"}], "not_granted": [], "contact": contact}
        text = render("decided", case(decision=approved), date(2026, 12, 31))
        assert text.endswith("享受补贴政策的类型及标准由黑龙江省道里区（230102001）负责解释，"
                             "咨询电话：尚未设置（业务属地未登记咨询电话）。")
        assert "310101002" not in text and "黄浦区" not in text and "受理窗口" not in text


def test_every_template_is_used_and_none_holds_a_digit_of_money():
    rendered = {render(m, case(decision={"outcome": o}), date(2026, 1, 1))
                for m in ("accepted", "pushed", "decided", "notified") for o in ("approved", "rejected")}
    rendered.add(render("decided", case(subsidies=("living", "nursing"), decision=PARTIAL), date(2026, 1, 1)))
    assert len(rendered) == len(TEMPLATES)
    assert not any("元" in text for text in rendered)


def test_a_partial_approval_names_the_subsidy_not_granted_and_the_notices_remedies_but_not_the_reason():
    text = render("decided", case(subsidies=("living", "nursing"), decision=PARTIAL), date(2026, 12, 31))
    assert text.startswith(f"【残疾人两项补贴】申请{LONGEST_ID}已于12月31日审核，予以认定困难残疾人生活补贴；"
                           "未予认定重度残疾人护理补贴，理由见结果通知书，受理窗口将告知。")
    assert "残疾等级" not in text and "理由：" not in text  # a phone is often shared within a family
    assert remedies("230102001", "本通知") in text  # the result notice's wording, from the same function
    assert "六十日内向道里区人民政府申请行政复议" in text and "六个月内依法向道里区所在地基层人民法院提起行政诉讼" in text
    assert text.endswith("享受补贴政策的类型及标准由哈尔滨市道里区民政局负责解释，咨询电话：0451-84600000。")
    assert len(text) <= MAX_DECISION_SMS_CHARS


def test_however_long_the_reason_the_sms_stays_within_its_segments_and_never_carries_it():
    long_reason = "经入户核查，" + "家庭人均收入高于当地低保标准" * 60
    decision = dict(PARTIAL, reason=long_reason, not_granted=[{"type": "nursing", "reason": long_reason}],
                    contact=LONGEST_CONTACT)
    text = render("decided", case(subsidies=("living", "nursing"), decision=decision), date(2026, 12, 31))
    assert len(text) <= MAX_DECISION_SMS_CHARS and "入户核查" not in text
    assert remedies("230102001", "本通知") in text and text.endswith("咨询电话：0451-84600000-123456。")


def test_a_partial_approval_stored_without_its_list_still_names_what_was_left_out():
    legacy = {"outcome": "approved", "subsidies": [{"type": "living"}], "reason": None}
    text = render("decided", case(subsidies=("living", "nursing"), decision=legacy), date(2026, 12, 31))
    assert "未予认定重度残疾人护理补贴，理由见结果通知书" in text


def test_the_milestone_of_each_stored_change():
    accepted = case()
    pushed = replace(accepted, pushed_on=date(2026, 9, 30), status=Status.UNDER_REVIEW)
    decided = replace(pushed, decision={"outcome": "approved"}, status=Status.RESULT_RETURNED)
    notified = replace(decided, notification={"method": "sms"}, status=Status.CLOSED)
    assert [milestone_between(None, accepted), milestone_between(accepted, pushed),
            milestone_between(pushed, decided), milestone_between(decided, notified)] == [
        "accepted", "pushed", "decided", "notified"]
    assert milestone_between(pushed, replace(pushed, status=Status.SUPPLEMENT_REQUESTED)) is None
    assert milestone_between(accepted, replace(accepted, status=Status.WITHDRAWN)) is None


def test_retries_back_off_then_give_up_after_the_last_attempt():
    now = datetime(2026, 9, 24, 10, 0, tzinfo=CHINA)
    delays = [next_attempt(n, now) for n in range(1, MAX_ATTEMPTS + 1)]
    assert [d - now if d else None for d in delays] == [
        timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20), timedelta(minutes=40), None]


def test_only_mobile_numbers_get_an_sms_number():
    assert sms_number("13800000000") == "+8613800000000"
    assert sms_number("0451-87654321") is None and sms_number(None) is None and sms_number("") is None


def test_the_suffix_compares_the_last_six_characters_whatever_the_case_of_x():
    assert suffix_matches("23010219800101123X", "01123x") and suffix_matches("23010219800101123X", "01123X")
    assert not suffix_matches("23010219800101123X", "011230")
    assert not suffix_matches("", "01123X")


def test_the_progress_answer_keeps_milestones_and_drops_every_other_event_and_detail():
    events = [Event("2026-09-24T10:00:00+08:00", "accepted", "window-1", "310101002", {"subsidies": ["living"]}),
              Event("2026-09-24T10:01:00+08:00", "message_sent", "system:messages", "310101002", {"x": 1}),
              Event("2026-09-25T10:00:00+08:00", "identity_read", "reviewer-1", "230102001", {}),
              Event("2026-10-09T10:00:00+08:00", "decided", "reviewer-1", "230102001",
                    {"outcome": "rejected", "reason": "收入超过", "subsidies": []})]
    view = progress_view(case(status=Status.RESULT_RETURNED), events)
    assert view == {"case_id": LONGEST_ID, "status": {"code": "result_returned", "label": "已作出决定，待告知"},
                    "milestones": [{"code": "accepted", "label": "受理", "on": "2026-09-24"},
                                   {"code": "decided", "label": "作出决定", "on": "2026-10-09",
                                    "outcome": {"code": "rejected", "label": "不予认定"}}]}


def test_windows_end_where_their_key_says_and_retry_after_counts_to_the_end():
    now = datetime(2026, 9, 24, 10, 3, 20, tzinfo=CHINA)
    client = client_window("198.51.100.7", b"k" * 32, now, 600)
    day = case_window("C1", now)
    assert client.retry_after(now) == 400 and "198.51.100.7" not in client.key
    assert day.key == "case#C1#2026-09-24" and day.retry_after(now) == 13 * 3600 + 56 * 60 + 40
    assert client_window("198.51.100.7", b"k" * 32, now + timedelta(seconds=400), 600).key != client.key
