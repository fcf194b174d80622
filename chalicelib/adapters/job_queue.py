"""SQS: ``<prefix>-unit-jobs``, one message per (job, 业务属地, period) for the per-township worker.

Deployed, the queue (with its dead-letter queue, redrive after ``MAX_RECEIVES`` receives, and the
customer key) comes from the template (``infra/template.py``); ``create_queues`` makes the same pair
on moto for ``make run`` and the tests. Messages carry the dispatcher's correlation id as a message
attribute, so the worker's log lines share it.
"""
from __future__ import annotations

import json
from functools import cached_property, lru_cache
from typing import Any, Mapping, Sequence

from ..config import load, unit_jobs_dead_letters, unit_jobs_queue
from ..observability import MESSAGE_CORRELATION

BATCH = 10  # SendMessageBatch takes at most 10 entries
MAX_RECEIVES = 3  # then the message moves to the dead-letter queue


@lru_cache(maxsize=1)
def _sqs() -> Any:
    import boto3  # with the first client: GET /cases makes none (issue 18)

    return boto3.client("sqs", region_name=load().region)


class NotQueued(Exception):
    """SQS refused some entries of a batch: the dispatcher fails and its run is retried (the worker's jobs are
    idempotent, so units queued twice do nothing twice). Carries SQS's codes, never a message body."""


class UnitJobQueue:
    def __init__(self, name: str | None = None) -> None:
        self.name = name or unit_jobs_queue()

    @cached_property
    def url(self) -> str:
        return str(_sqs().get_queue_url(QueueName=self.name)["QueueUrl"])

    def send(self, bodies: Sequence[Mapping[str, str]], correlation_id: str | None = None) -> int:
        """Every body as one message, ``BATCH`` to a call; the number of calls made."""
        attributes = {MESSAGE_CORRELATION: {"DataType": "String", "StringValue": correlation_id}} \
            if correlation_id else {}
        calls = 0
        for start in range(0, len(bodies), BATCH):
            entries = [{"Id": str(number), "MessageBody": json.dumps(dict(body), sort_keys=True),
                        "MessageAttributes": attributes}
                       for number, body in enumerate(bodies[start:start + BATCH])]
            response = _sqs().send_message_batch(QueueUrl=self.url, Entries=entries)
            calls += 1
            failed = response.get("Failed") or []
            if failed:
                codes = sorted({str(entry.get("Code")) for entry in failed})
                raise NotQueued(f"{len(failed)} of {len(entries)} unit jobs not queued: {', '.join(codes)}")
        return calls


    # --- what Lambda's event source mapping does when deployed: the local runner and tests poll ---------

    def receive(self, limit: int = 10, visibility_seconds: int | None = None) -> list[dict[str, Any]]:
        """Up to ``limit`` messages as the records of a Lambda SQS event (``body``, ``receiptHandle``,
        ``messageAttributes`` with ``stringValue``)."""
        extra = {} if visibility_seconds is None else {"VisibilityTimeout": visibility_seconds}
        response = _sqs().receive_message(QueueUrl=self.url, MaxNumberOfMessages=limit, MessageAttributeNames=["All"],
                                          AttributeNames=["All"], **extra)
        return [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                 "attributes": m.get("Attributes", {}), "eventSource": "aws:sqs",
                 "messageAttributes": {name: {"stringValue": value.get("StringValue"), "dataType": value["DataType"]}
                                       for name, value in (m.get("MessageAttributes") or {}).items()}}
                for m in response.get("Messages", [])]

    def delete(self, record: Mapping[str, Any]) -> None:
        _sqs().delete_message(QueueUrl=self.url, ReceiptHandle=record["receiptHandle"])

    def dead_letters(self) -> int:
        """Messages waiting in the dead-letter queue (approximate, as SQS counts)."""
        url = _sqs().get_queue_url(QueueName=unit_jobs_dead_letters())["QueueUrl"]
        attributes = _sqs().get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def create_queues(visibility_seconds: int = 30) -> str:
    """The queue and its dead-letter queue on moto (``tools.provision``); the queue's URL."""
    sqs = _sqs()
    dead = sqs.create_queue(QueueName=unit_jobs_dead_letters())["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": str(MAX_RECEIVES)})
    return str(sqs.create_queue(QueueName=unit_jobs_queue(), Attributes={
        "VisibilityTimeout": str(visibility_seconds), "RedrivePolicy": redrive})["QueueUrl"])
