"""Milestone messages to the applicant (告知): one SMS per milestone, the templates as data.

受理 accepted, 推送 pushed, 决定 decided, 告知 notified: each sends one text to the applicant's mobile
number. A text stays within one SMS segment (70 characters in UCS-2, which any Chinese text needs),
signature included. It names the case number, the day, the next step and, on a decision, the
outcome and where to learn more. No ID number, no name, no amounts, no reasons: a phone is often
shared within a family, and the amounts and reasons are the 受理地 window's to explain in person
(or the 业务属地's, DOMAIN.md §2 step 6).

Exceptions (issue 16): an approval names who explains the subsidy's type and standard, the 业务属地's unit and
its consultation phone as configured (16.8; ``result_texts.explains_standard``, the result notice's sentence), not
the window; and a partial approval is a partial refusal, so its text also names the subsidy not granted and the
remedies (16.10; ``result_texts``, the result notice's own wording), but not the reason: like a refusal's, it is in the
result notice and the window's to explain. An approval's text runs to several segments (a concatenated SMS, 67
characters each), at most ``MAX_DECISION_SMS_CHARS``.

Delivery: tried once right after the case change is stored; failed sends are retried by the
``message_retries`` schedule after ``RETRY_DELAYS`` (5, 10, 20, 40 minutes), then the message is
``failed`` and reported to the supervisors.

Implements: no statute for the SMS itself — an engineering rule. It serves the 告知 of 民办发〔2021〕2号 (DOMAIN.md §2:
step 5, the applicant is told "by suitable means"; 最多跑一次), and its texts quote the limits of steps 2 (D1, 3 working
days) and 3 (D2, 10).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Mapping

from .case import Case
from .result_texts import explains_standard, not_granted, remedies, subsidy_names

SIGNATURE = "【残疾人两项补贴】"
MAX_SMS_CHARS = 70
SEGMENT_CHARS = 67  # one part of a concatenated UCS-2 SMS
MAX_DECISION_SMS_CHARS = 8 * SEGMENT_CHARS  # SNS takes up to 1,600 characters per publish; eight parts is plenty
TEMPLATES: Mapping[str, str] = {
    "accepted": "您的补贴申请已于{day}受理，编号{case_id}。材料收齐后3个工作日内推送户籍地。",
    "pushed": "申请{case_id}已于{day}推送户籍地审核，期限10个工作日。",
    "decided/approved": "申请{case_id}已于{day}审核通过。{explains}",
    "decided/partial": "申请{case_id}已于{day}审核，予以认定{granted}；未予认定{refused}，理由见结果通知书，"
                       "受理窗口将告知。{remedies}{explains}",
    "decided/rejected": "申请{case_id}已于{day}审核未通过，受理窗口将告知理由，也可凭编号查询进度。",
    "notified": "申请{case_id}的审核结果已于{day}告知，本次办理完毕。",
}
MILESTONES: tuple[str, ...] = ("accepted", "pushed", "decided", "notified")
STATUSES: tuple[str, ...] = ("pending", "sent", "failed", "skipped")
RETRY_DELAYS: tuple[timedelta, ...] = tuple(timedelta(minutes=m) for m in (5, 10, 20, 40))
MAX_ATTEMPTS = 1 + len(RETRY_DELAYS)  # the first try in the request, then the retries
LEASE = timedelta(minutes=2)  # an attempt in flight; after that a retry may take the message over


def milestones_reached(case: Case) -> tuple[str, ...]:
    """The milestones ``case`` has reached (in ``MILESTONES`` order), each of which queued its message: accepted
    always, then pushed, decided and notified once the case holds that step."""
    reached = {"accepted": True, "pushed": case.pushed_on is not None, "decided": case.decision is not None,
               "notified": case.notification is not None}
    return tuple(milestone for milestone in MILESTONES if reached[milestone])


def milestone_between(before: Case | None, after: Case) -> str | None:
    """The milestone a stored change reached (``before`` None: the case was just accepted): the first reached by
    ``after`` and not by ``before`` (``milestones_reached``, the one rule of both)."""
    earlier = set(milestones_reached(before)) if before is not None else set()
    return next((milestone for milestone in milestones_reached(after) if milestone not in earlier), None)


def render(milestone: str, case: Case, on: date) -> str:
    """The whole SMS text: signature, then the milestone's template filled."""
    values = {"case_id": case.case_id, "day": f"{on.month}月{on.day}日"}
    key = milestone
    if milestone == "decided":
        decision = case.decision or {}
        key = f"decided/{decision.get('outcome', 'approved')}"
        if key == "decided/approved":
            values["explains"] = explains_standard(decision.get("contact"), case.business_unit)
            refused = not_granted(decision, case.subsidies)
            if refused:
                return _partial(case, values, decision, refused)
    return SIGNATURE + TEMPLATES[key].format(**values)


def _partial(case: Case, values: dict[str, str], decision: Mapping[str, Any], refused: list[dict[str, Any]]) -> str:
    """A partial approval: what is granted and what is not, where the reason is (the result notice, the window: no
    reason in an SMS), and the remedies, whose time runs from the notice."""
    return SIGNATURE + TEMPLATES["decided/partial"].format(
        **values, granted=subsidy_names([item["type"] for item in decision.get("subsidies") or ()]),
        refused=subsidy_names([item["type"] for item in refused]), remedies=remedies(case.business_unit, "本通知"))


def sms_number(phone: object) -> str | None:
    """E.164 for a mainland mobile number; None for a landline or no number (nothing to send).

    A stored number that is neither goes out as given (with +86), so SNS refuses it and the
    message takes the retry path: the window may correct the number meanwhile."""
    if not isinstance(phone, str) or not phone or phone.startswith("0"):
        return None
    return "+86" + phone


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failed tries, or None: give up (failed)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + RETRY_DELAYS[attempts - 1]
