"""``make job JOB=monthly-checks`` against the running embedded default: the dispatch queues one message
per registered township on moto's SQS, the worker runs them (this process, or the runner's poller)."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import boto3
import pytest

from tests.e2e.conftest import PROJECT
from tools.local_server import clean_environment

pytestmark = pytest.mark.e2e
# townships no other end-to-end test files a case in (the server is shared: approvals register their 业务属地)
TOWNSHIPS = ["220102001", "420102001"]


def client(service, endpoint):
    return boto3.client(service, endpoint_url=endpoint, region_name="cn-north-1", aws_access_key_id="local",
                        aws_secret_access_key="local")  # noqa: S106 - moto accepts anything


def waiting(sqs, name):
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return sum(int(v) for v in found.values())


def test_the_monthly_checks_job_queues_every_township_and_the_worker_empties_the_queue(server, moto_endpoint):
    for unit in TOWNSHIPS:
        client("dynamodb", moto_endpoint).put_item(TableName="subsidy-local-monitored-units",
                                                   Item={"business_unit": {"S": unit}})
    run = subprocess.run([sys.executable, "-m", "tools.jobs", "monthly_checks", "--now", "2026-10-01T01:00:00+08:00",
                          "--endpoint", moto_endpoint], cwd=PROJECT, capture_output=True, text=True, timeout=120,
                         env=clean_environment())
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    registered = client("dynamodb", moto_endpoint).scan(TableName="subsidy-local-monitored-units", Select="COUNT")
    assert registered["Count"] >= len(TOWNSHIPS)
    assert (result["job"], result["period"], result["queued"], result["send_calls"]) == (
        "monthly_checks", "2026-10", registered["Count"], -(-registered["Count"] // 10))  # ten to a batch
    worker = result["worker"]
    assert (worker["dropped"], worker["failed"]) == (0, 0)
    # no recipients in these townships: nothing to issue (the runner's poller may have taken some messages)
    assert all(worker["units"][unit]["issued"] == 0 for unit in TOWNSHIPS if unit in worker["units"])
    sqs, deadline = client("sqs", moto_endpoint), time.monotonic() + 30
    while waiting(sqs, "subsidy-local-unit-jobs") and time.monotonic() < deadline:  # the runner's poller may hold one
        time.sleep(0.2)
    assert waiting(sqs, "subsidy-local-unit-jobs") == 0
    assert waiting(sqs, "subsidy-local-unit-jobs-dead-letters") == 0
