"""Integration fixtures: moto-backed DynamoDB, S3 and SNS, and the Chalice test client."""
from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

import app as application
from chalicelib.auth import issue_local_token
from chalicelib.config import load
from chalicelib.wiring import calendar_years, jurisdiction_rules
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, declaration, pdf_bytes
from tools.local import stop_waits_for_start
from tools.provision import provision, stop_executions


@contextmanager
def moto_world() -> Iterator[dict[str, Any]]:
    """moto with the Step Functions interpreter on (a stop waiting for its execution's start, as ``make run``),
    every resource provisioned, caches cleared."""
    stop_waits_for_start()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        created = provision(load())
        calendar_years().forget()
        jurisdiction_rules().forget()
        yield created
        stop_executions(str(created["state_machine"]))


@pytest.fixture()
def aws() -> Iterator[dict[str, Any]]:
    with moto_world() as created:
        yield created


def shared_api() -> Iterator[Api]:
    """One moto world and test client for a whole module (its tests use cases of their own)."""
    with moto_world(), Client(application.app, stage_name="local") as client:
        yield Api(client)


@dataclass
class Api:
    """The Chalice test client with tokens and a clock: each call names who and when."""

    client: Any
    now: str = "2026-09-24T10:00:00+08:00"

    def token(self, role: str, unit: str, sub: str | None = None) -> str:
        secret = load().local_jwt_secret
        assert secret
        return issue_local_token(secret, sub or f"{role}-{unit}", role, unit)

    def call(self, method: str, path: str, role: str | None = None, unit: str | None = None,
             body: Any = None, raw: str | None = None, headers: dict[str, str] | None = None) -> Any:
        sent = {"Content-Type": "application/json", "X-Clock-Now": self.now, **(headers or {})}
        if role and unit:
            sent["Authorization"] = f"Bearer {self.token(role, unit)}"
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = getattr(self.client.http, method.lower())(path, headers=sent, body=payload)
        response.data = json.loads(response.body) if response.body else None
        return response

    def invoke(self, function: str, event: Any = None) -> Any:
        """A scheduled function (default: EventBridge's scheduled event) or the SQS worker, run at ``now``: the
        local stage's CLOCK_NOW is set for the call, so no schedule reads the day the suite runs."""
        if event is None:
            event = self.client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event",
                                                         detail={}, resources=[])
        with stated_moment(self.now):
            return self.client.lambda_.invoke(function, event)

    def window(self, method: str, path: str, body: Any = None, unit: str = SHANGHAI_WINDOW) -> Any:
        return self.call(method, path, "window", unit, body)

    def reviewer(self, method: str, path: str, body: Any = None, unit: str = HARBIN_TOWNSHIP) -> Any:
        return self.call(method, path, "reviewer", unit, body)

    def upload(self, case_id: str, code: str, content: bytes | None = None) -> dict[str, Any]:
        """Register a material, put its bytes where the presigned POST points, confirm it."""
        content = content if content is not None else pdf_bytes(code)
        registered = self.window("POST", f"/cases/{case_id}/materials", declaration(code, content))
        assert registered.status_code == 201, registered.data
        store_object(registered.data["upload"], content)
        return self.window("POST", f"/cases/{case_id}/materials/{registered.data['material_id']}/confirm").data

    def ready_case(self, body: dict[str, Any], materials_on: str | None = None) -> dict[str, Any]:
        """A case accepted (at ``now``) and with every required material received (at ``materials_on``, from then
        on ``now``): the last one completes the case, and D1 runs from that day."""
        case = self.window("POST", "/cases", body).data
        if materials_on is not None:
            self.now = materials_on
        for item in case["notice"]["materials"]:
            self.upload(case["case_id"], item["code"])
        return case


@contextmanager
def stated_moment(moment: str) -> Iterator[None]:
    """CLOCK_NOW for the block (what ``chalicelib.clock.now`` honours in the local stage)."""
    before = os.environ.get("CLOCK_NOW")
    os.environ["CLOCK_NOW"] = moment
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("CLOCK_NOW", None)
        else:
            os.environ["CLOCK_NOW"] = before


def store_object(upload: dict[str, Any], content: bytes) -> None:
    """What a browser's presigned POST would store (moto in-process cannot take the POST)."""
    fields = upload["fields"]
    bucket = upload["url"].rstrip("/").rsplit("/", 1)[-1] if "amazonaws" not in upload["url"].split("/")[2] \
        else upload["url"].split("//")[1].split(".")[0]
    boto3.client("s3").put_object(Bucket=bucket, Key=fields["key"], Body=content,
                                  ContentType=fields["Content-Type"])


def subscribe(topic_arn: str, name: str) -> str:
    """An SQS queue receiving the topic's raw messages, as a window's or supervisor's feed would."""
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn,
                                  Attributes={"RawMessageDelivery": "true"})
    return queue


def wait_messages(queue: str, count: int, seconds: float = 10.0) -> list[dict[str, Any]]:
    """The next ``count`` messages on ``queue`` (the state machine publishes asynchronously)."""
    sqs = boto3.client("sqs")
    received: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while len(received) < count and time.monotonic() < deadline:
        batch = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        for message in batch:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            received.append(json.loads(message["Body"]))
        if not batch:
            time.sleep(0.05)
    return received


def topic(aws: dict[str, Any], name: str) -> str:
    return next(arn for arn in aws["topics"] if arn.endswith(name))


@pytest.fixture()
def api(aws: dict[str, Any]) -> Iterator[Api]:
    with Client(application.app, stage_name="local") as client:
        yield Api(client)
