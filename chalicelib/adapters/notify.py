"""SNS: the result feed to the 受理地, and (from the clock issue on) escalations."""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Mapping

import boto3

from ..config import load


@lru_cache(maxsize=1)
def _sns() -> Any:
    return boto3.client("sns", region_name=load().region)


class Notifier:
    def __init__(self, results_topic_arn: str | None = None) -> None:
        self.results_topic_arn = results_topic_arn or load().results_topic_arn

    def publish_result(self, message: Mapping[str, Any]) -> str:
        """Tell the 受理地 at once that its case was decided (实时返回).

        The accepting unit is a message attribute so each window's subscription can filter on it.
        """
        response = _sns().publish(
            TopicArn=self.results_topic_arn,
            Subject="case-result",
            Message=json.dumps(message, ensure_ascii=False, sort_keys=True),
            MessageAttributes={
                "accepting_unit": {"DataType": "String", "StringValue": str(message["accepting_unit"])},
                "business_unit": {"DataType": "String", "StringValue": str(message["business_unit"])},
                "outcome": {"DataType": "String", "StringValue": str(message["outcome"])},
            },
        )
        return str(response["MessageId"])


def create_topics(names: list[str]) -> dict[str, str]:
    """Create topics by name (local runs; CloudFormation in deployed stages): name -> ARN."""
    return {name: _sns().create_topic(Name=name)["TopicArn"] for name in names}
