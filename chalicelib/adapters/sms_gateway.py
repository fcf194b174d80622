"""The two SMS channels behind one interface, chosen by ``SMS_CHANNEL`` (``config.sms_channel``).

- ``direct``: SNS ``Publish`` with ``PhoneNumber`` (``Notifier.send_sms``), where SNS sends SMS.
- ``gateway``: SNS ``Publish`` of one JSON message per attempt to the KMS-encrypted
  ``<prefix>-sms-outbox`` topic, which the province's SMS gateway subscribes to (HTTPS or SQS); the
  gateway reports the delivery with ``POST /messages/{message_id}/receipt``.

Either way the SNS MessageId comes back (for the gateway: the topic took the message) or
``SendFailed`` with SNS's error code (never the number).
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Callable

from botocore.exceptions import BotoCoreError, ClientError

from ..config import load
from ..domain.cases.sms_receipts import OutgoingSms, Sent, outbox_message
from ..domain.refusals import SendFailed
from .notify import Notifier


@lru_cache(maxsize=1)
def _sns() -> Any:
    import boto3  # with the first client: GET /cases makes none (issue 18)

    return boto3.client("sns", region_name=load().region)


class DirectSms:
    name = "direct"

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier

    def send(self, sms: OutgoingSms) -> Sent:
        return Sent(self.notifier.send_sms(sms.phone_number, sms.text), self.name)


class GatewaySms:
    name = "gateway"

    def __init__(self, topic_arn: str) -> None:
        self.topic_arn = topic_arn

    def send(self, sms: OutgoingSms) -> Sent:
        body, attributes = outbox_message(sms)
        try:
            response = _sns().publish(
                TopicArn=self.topic_arn, Subject="sms",
                Message=json.dumps(body, ensure_ascii=False, sort_keys=True),
                MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()})
        except ClientError as error:
            raise SendFailed(str(error.response.get("Error", {}).get("Code") or "ClientError")) from None
        except BotoCoreError as error:
            raise SendFailed(type(error).__name__) from None
        return Sent(str(response["MessageId"]), self.name)


class ConfiguredSms:
    """The channel ``SMS_CHANNEL`` names, read at each send (one configuration per container)."""

    def __init__(self, notifier: Notifier, channel: Callable[[], str] = lambda: load().sms_channel,
                 outbox_topic_arn: Callable[[], str] = lambda: load().sms_outbox_topic_arn) -> None:
        self.notifier = notifier
        self.channel = channel
        self.outbox_topic_arn = outbox_topic_arn

    def send(self, sms: OutgoingSms) -> Sent:
        if self.channel() == GatewaySms.name:
            return GatewaySms(self.outbox_topic_arn()).send(sms)
        return DirectSms(self.notifier).send(sms)
