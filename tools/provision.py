"""Create every table, bucket, topic, queue and the case-clock state machine from the definitions the
code itself uses. Used by the embedded default (``make run``) and the tests; deployed stages get
the same resources from CloudFormation (``infra/``).
"""
from __future__ import annotations

from chalicelib.adapters.calendar_table import CalendarYearModel
from chalicelib.adapters.case_tables import MODELS as CASE_MODELS
from chalicelib.adapters.case_tables import create_tables
from chalicelib.adapters.checks_table import MODELS as CHECK_MODELS
from chalicelib.adapters.clock import CaseClock
from chalicelib.adapters.clock_table import ClockModel
from chalicelib.adapters.entitlements_table import MODELS as ENTITLEMENT_MODELS
from chalicelib.adapters.files import MaterialFiles
from chalicelib.adapters.idempotency_table import MODELS as IDEMPOTENCY_MODELS
from chalicelib.adapters.job_queue import create_queues
from chalicelib.adapters.ledger_table import MODELS as LEDGER_MODELS
from chalicelib.adapters.limits_table import MODELS as LIMIT_MODELS
from chalicelib.adapters.messages_table import MODELS as MESSAGE_MODELS
from chalicelib.adapters.monitored_units import MODELS as MONITORED_UNIT_MODELS
from chalicelib.adapters.notify import create_topics
from chalicelib.adapters.proposals_table import MODELS as PROPOSAL_MODELS
from chalicelib.adapters.registers_table import MODELS as ROSTER_MODELS
from chalicelib.adapters.reviews_table import MODELS as REVIEW_MODELS
from chalicelib.adapters.rules_table import MODELS as RULE_MODELS
from chalicelib.config import Config
from infra.clock_definition import substituted

TOPICS = ("case-results", "escalations", "reminders", "sms-outbox")  # sms-outbox: the SMS gateway channel
MODELS = (CASE_MODELS + (ClockModel, CalendarYearModel) + ROSTER_MODELS + RULE_MODELS + ENTITLEMENT_MODELS
          + PROPOSAL_MODELS + IDEMPOTENCY_MODELS + LIMIT_MODELS + MESSAGE_MODELS
          + CHECK_MODELS + MONITORED_UNIT_MODELS + REVIEW_MODELS  # 查询登记, 定期复核
          + LEDGER_MODELS)  # the payment ledger and the rosters' records


def provision(config: Config) -> dict[str, object]:
    create_tables(MODELS)
    MaterialFiles(config.materials_bucket).create_bucket(config.region)
    MaterialFiles(config.audit_bucket).create_locked_bucket(config.region)
    topics = create_topics([f"{config.prefix}-{name}" for name in TOPICS])
    unit_jobs = create_queues()  # the supervision jobs' per-township queue and its dead-letter queue
    partition = config.clock_state_machine_arn.split(":")[1]
    account = config.clock_state_machine_arn.split(":")[4]
    definition = substituted({
        "ClocksTable": ClockModel.Meta.table_name,
        "EscalationsTopicArn": config.escalations_topic_arn,
        "Partition": partition,
    })
    machine = config.clock_state_machine_arn.split(":stateMachine:")[1]
    arn = CaseClock(config.clock_state_machine_arn).create_state_machine(
        machine, definition, f"arn:{partition}:iam::{account}:role/{config.prefix}-case-clock")
    assert arn == config.clock_state_machine_arn, (arn, config.clock_state_machine_arn)
    return {
        "tables": [model.Meta.table_name for model in MODELS],
        "bucket": config.materials_bucket,
        "topics": sorted(topics.values()),
        "state_machine": arn,
        "unit_jobs_queue": unit_jobs,
    }


def stop_executions(state_machine_arn: str) -> None:
    """Stop what still runs: moto's interpreter threads would outlive an in-process mock otherwise."""
    import boto3

    sfn = boto3.client("stepfunctions")
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=state_machine_arn,
                                                               statusFilter="RUNNING"):
        for execution in page["executions"]:
            try:
                sfn.stop_execution(executionArn=execution["executionArn"])
            except Exception:  # noqa: BLE001 - moto cannot stop an execution still starting; it ends with the mock
                pass
