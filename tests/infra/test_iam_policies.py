"""Least privilege, checked against what the functions really do.

``scenario_calls.py`` runs in a subprocess under the recorder plugin (``aws_calls.py``): the API
through a case and its neighbours, and every schedule invoked as EventBridge would. Each recorded
(function, action, resource) must be allowed by that function's policy (``infra/policies.py``), and
each grant must be used by some recorded call or say why the scenario cannot make it.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from app import app
from chalicelib.config import SMS_CHANNELS, load, unit_jobs_queue
from infra import policies
from infra.template import schedule_names
from tests.infra.iam_actions import ACCOUNT, PARTITION, REGION

ROOT = Path(__file__).resolve().parents[2]
Record = tuple[str, str, str, str]  # function, action, resource, SMS channel


def _names() -> dict[str, str]:
    config = load()
    return {"AWS::Partition": PARTITION, "AWS::Region": REGION, "AWS::AccountId": ACCOUNT,
            "AWS::URLSuffix": "amazonaws.com.cn", "Prefix": config.prefix,
            "MaterialsBucket": config.materials_bucket, "AuditBucket": config.audit_bucket,
            "ResultsTopic": config.results_topic_arn, "EscalationsTopic": config.escalations_topic_arn,
            "SmsOutboxTopic": config.sms_outbox_topic_arn,
            "RemindersTopic": config.reminders_topic_arn, "CaseClock": config.clock_state_machine_arn,
            "CaseClock.Name": config.clock_state_machine_arn.rsplit(":", 1)[1],
            "PersonKeySecret": f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:subsidy-test/person-key-*",
            "MaterialsKey.Arn": "key", "ScheduleDeadLetters.Arn": "queue",
            "UnitJobsQueue.Arn": f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{unit_jobs_queue()}"}


def resolve(resource: str) -> str:
    names = _names()
    return re.sub(r"\$\{([^}]+)\}", lambda m: names[m.group(1)], resource)


def _allows(grant: policies.Grant, action: str, resource: str) -> bool:
    return action in grant.actions and any(fnmatchcase(resource, resolve(r)) for r in grant.resources)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[set[Record]]:
    out = tmp_path_factory.mktemp("calls") / "calls.jsonl"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.infra.aws_calls",
                          "tests/infra/scenario_calls.py"], cwd=ROOT, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "AWS_CALLS_OUT": str(out)})
    assert run.returncode == 0, run.stdout[-3000:]
    yield {tuple(json.loads(line)) for line in out.read_text(encoding="utf-8").splitlines() if line}


def _grants(function: str, channel: str) -> tuple[policies.Grant, ...]:
    return policies.grants(function, scheduled=function in schedule_names(app), sms_channel=channel)


def test_every_function_of_the_app_was_exercised(recorded: set[Record]) -> None:
    """Each schedule runs at a stated moment in late December (scenario_calls.SCHEDULES_RUN_AT), when every one
    of them acts: the calendar check and the monthly checks' escalation included."""
    functions = {policies.API_HANDLER, *(source.name for source in app.event_sources)}
    assert functions - {function for function, _, _, _ in recorded} == set()


def test_the_scenario_ran_with_both_sms_channels(recorded: set[Record]) -> None:
    assert {channel for _, _, _, channel in recorded} == {"direct", "gateway"}


def test_every_call_a_function_makes_is_allowed_by_its_own_policy_for_its_sms_channel(recorded: set[Record]) -> None:
    refused = sorted(f"{function} ({channel}): {action} on {resource}" for function, action, resource, channel
                     in recorded if not any(_allows(g, action, resource) for g in _grants(function, channel)))
    assert refused == [], "add these to infra/policies.py:\n" + "\n".join(refused)


def test_every_grant_is_used_or_says_why_the_scenario_cannot_use_it(recorded: set[Record]) -> None:
    """A grant of both channels may be used under either; a channel's own grant must be used under that channel."""
    unused = []
    for function in policies.POLICIES:
        for grant in {id(g): g for channel in SMS_CHANNELS for g in _grants(function, channel)}.values():
            calls = [(a, r) for f, a, r, c in recorded if f == function and grant.sms_channel in (None, c)]
            for action in grant.actions:
                for resource in grant.resources:
                    single = policies.Grant((action,), (resource,), grant.why)
                    if grant.unexercised is None and not any(_allows(single, a, r) for a, r in calls):
                        unused.append(f"{function}: {action} on {resource}")
    assert unused == [], "remove these from infra/policies.py, or say why they are needed:\n" + "\n".join(sorted(unused))
