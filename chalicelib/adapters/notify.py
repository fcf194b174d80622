"""SNS: the result feed to the 受理地, and (from the clock issue on) escalations."""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Mapping

from botocore.exceptions import BotoCoreError, ClientError

from ..config import load
from ..domain.cases.phases import BY_DEADLINE
from ..domain.refusals import SendFailed


@lru_cache(maxsize=1)
def _sns() -> Any:
    import boto3  # with the first client: GET /cases makes none (issue 18)

    return boto3.client("sns", region_name=load().region)


class Notifier:
    def __init__(self, results_topic_arn: str | None = None, escalations_topic_arn: str | None = None,
                 reminders_topic_arn: str | None = None) -> None:
        config = load()
        self.results_topic_arn = results_topic_arn or config.results_topic_arn
        self.escalations_topic_arn = escalations_topic_arn or config.escalations_topic_arn
        self.reminders_topic_arn = reminders_topic_arn or config.reminders_topic_arn

    def _publish(self, topic: str, subject: str, message: Mapping[str, Any], attributes: Mapping[str, str]) -> str:
        response = _sns().publish(
            TopicArn=topic, Subject=subject,
            Message=json.dumps(message, ensure_ascii=False, sort_keys=True),
            MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
        )
        return str(response["MessageId"])

    def remind(self, case: Any, deadline: Any) -> str:
        """The last working day before a deadline: remind the side that owes the next step."""
        owner = case.business_unit if BY_DEADLINE[deadline.kind].owner == "business" else case.accepting_unit
        return self._publish(self.reminders_topic_arn, "deadline-reminder", {
            "case_id": case.case_id, "kind": deadline.kind.value, "due_on": deadline.due_on.isoformat(),
            "unit": owner}, {"kind": deadline.kind.value, "unit": owner})

    def escalate(self, case: Any, deadline: Any) -> str:
        """A deadline passed and the clock did not say so: tell the supervisors."""
        return self._publish(self.escalations_topic_arn, "deadline-overdue", {
            "case_id": case.case_id, "kind": deadline.kind.value, "due_on": deadline.due_on.isoformat(),
            "accepting_unit": case.accepting_unit, "business_unit": case.business_unit, "source": "sweep"},
            {"kind": deadline.kind.value, "accepting_unit": case.accepting_unit,
             "business_unit": case.business_unit})

    def calendar_missing(self, year: int) -> str:
        return self._publish(self.escalations_topic_arn, "calendar-missing", {
            "year": year, "action": f"load {year} with PUT /calendar/{year} from the 国务院办公厅 notice"},
            {"kind": "calendar_missing"})

    def publish_result(self, message: Mapping[str, Any]) -> str:
        """Tell the 受理地 at once that its case was decided (实时返回).

        The accepting unit is a message attribute so each window's subscription can filter on it.
        """
        return self._publish(self.results_topic_arn, "case-result", message, {
            "accepting_unit": str(message["accepting_unit"]), "business_unit": str(message["business_unit"]),
            "outcome": str(message["outcome"])})

    def send_sms(self, phone_number: str, text: str) -> str:
        """One transactional SMS (E.164 number); the SNS MessageId, or ``SendFailed``."""
        try:
            response = _sns().publish(PhoneNumber=phone_number, Message=text, MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}})
        except ClientError as error:
            raise SendFailed(str(error.response.get("Error", {}).get("Code") or "ClientError")) from None
        except BotoCoreError as error:
            raise SendFailed(type(error).__name__) from None
        return str(response["MessageId"])

    def message_failed(self, case: Any, milestone: str, attempts: int, error_code: str) -> str:
        """A milestone SMS failed after every retry: tell the supervisors of both units (no phone number)."""
        return self._publish(self.escalations_topic_arn, "message-failed", {
            "case_id": case.case_id, "milestone": milestone, "channel": "sms", "attempts": attempts,
            "error": error_code, "accepting_unit": case.accepting_unit, "business_unit": case.business_unit,
            "action": "受理窗口请以电话、当面或书面方式告知申请人 (tell the applicant by other means)"},
            {"kind": "message_failed", "accepting_unit": case.accepting_unit, "business_unit": case.business_unit})

    def checks_overdue(self, business_unit: str, month: str, unrecorded: int, committees: Mapping[str, int]) -> str:
        """From the 25th: a township's monthly 查询登记 items still unrecorded, per committee (counts only)."""
        return self._publish(self.escalations_topic_arn, "monthly-check-overdue", {
            "business_unit": business_unit, "month": month, "unrecorded": unrecorded,
            "committees": dict(committees), "action": f"GET /checks/<committee>/{month} for each committee listed"},
            {"business_unit": business_unit, "kind": "monthly_check_overdue"})

    def certificate_expiring(self, business_unit: str, message: Mapping[str, Any]) -> str:
        """Six months before a 残疾人证 expires: tell the 业务属地 (the message carries a masked id only)."""
        return self._publish(self.reminders_topic_arn, "certificate-expiring", message,
                             {"business_unit": business_unit, "kind": "certificate_expiring"})


def create_topics(names: list[str]) -> dict[str, str]:
    """Create topics by name (local runs; CloudFormation in deployed stages): name -> ARN."""
    return {name: _sns().create_topic(Name=name)["TopicArn"] for name in names}
