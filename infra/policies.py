"""Least privilege: the IAM policy of each Lambda function, as data (the one source of truth).

``infra.template`` puts each function's statements on the role Chalice creates for it
(``<Function>Role``), and ``tests/infra/test_iam_policies.py`` runs the functions' real code on moto,
records every AWS call our code makes, and checks both ways: each call is allowed by the function's
policy, and each grant is used by some recorded call or says here why the test cannot exercise it.

Resources are ``Fn::Sub`` strings. Placeholders: the pseudo parameters ``${AWS::Partition}``,
``${AWS::Region}``, ``${AWS::AccountId}`` (so the same template deploys to ``aws-cn``), ``${Prefix}``
(``subsidy-<stage>``, filled in when the template is built) and the logical ids of the template's
resources (``${MaterialsBucket}`` is the bucket's name, ``${ResultsTopic}`` the topic's ARN,
``${CaseClock}`` the state machine's ARN, ``${CaseClock.Name}`` its name, ``${PersonKeySecret}`` the
secret's ARN, ``${MaterialsKey.Arn}`` the customer key's ARN).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

API_HANDLER = "api_handler"
ARN = "arn:${AWS::Partition}"


@dataclass(frozen=True)
class Grant:
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    why: str
    # set when the IAM test's scenario cannot make the call: the reason the grant is still needed
    unexercised: str | None = None
    condition: dict[str, Any] | None = None


def table(name: str, *indexes: str) -> tuple[str, ...]:
    """A table's ARN (short name, as in ``config.table_name``) and those of the named indexes."""
    base = f"{ARN}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/${{Prefix}}-{name}"
    return (base, *(f"{base}/index/{index}" for index in indexes))


def objects(bucket: str, *prefixes: str) -> tuple[str, ...]:
    return tuple(f"{ARN}:s3:::${{{bucket}}}/{prefix}*" for prefix in prefixes)


def bucket(name: str) -> tuple[str, ...]:
    return (f"{ARN}:s3:::${{{name}}}",)


GET = ("dynamodb:GetItem",)
READ = ("dynamodb:GetItem", "dynamodb:Query")
PUT_UPDATE = ("dynamodb:PutItem", "dynamodb:UpdateItem")
DESCRIBE = ("dynamodb:DescribeTable",)  # PynamoDB reads the table's description once per container
EXECUTIONS = f"{ARN}:states:${{AWS::Region}}:${{AWS::AccountId}}:execution:${{CaseClock.Name}}:*"

# S3 and SNS call KMS on the caller's behalf (SSE-KMS objects, encrypted topics): the caller needs
# these on the customer key, limited to calls that come through those services.
VIA_SERVICES = {"StringEquals": {"kms:ViaService": [f"{service}.${{AWS::Region}}.${{AWS::URLSuffix}}"
                                                    for service in ("s3", "sns", "sqs", "secretsmanager")]}}
KMS_IMPLICIT = ("S3 (SSE-KMS), SNS and SQS (encrypted topics, queue) and Secrets Manager call KMS for the caller; "
                "moto makes no KMS call to record")
KMS = Grant(("kms:Decrypt", "kms:GenerateDataKey"), ("${MaterialsKey.Arn}",),
            "objects and messages are encrypted with the customer key", KMS_IMPLICIT, VIA_SERVICES)
SECRET = Grant(("secretsmanager:GetSecretValue",), ("${PersonKeySecret}",),
               "PERSON_KEY_SECRET (keys the hash that stands for an ID number) is read once per container")
# sns:Publish to a phone number (SMS) has no resource to name: IAM can only allow it on "*"
SMS = Grant(("sns:Publish",), ("*",), "milestone SMS to applicants' phone numbers (no resource-level permission)")
DESCRIBE_ALL = "tables are described by PynamoDB once per container; any table used is described"


def _describe(*names: str) -> Grant:
    arns = tuple(arn for name in names for arn in table(name))
    return Grant(DESCRIBE, arns, DESCRIBE_ALL)


def _publish(*topics: str, unexercised: str | None = None) -> Grant:
    return Grant(("sns:Publish",), tuple(f"${{{t}}}" for t in topics), "messages to the topics' subscribers",
                 unexercised)


SWEEP = (
    Grant(READ, table("cases", "by_due"), "the sparse due-day index, then each case"),
    Grant(PUT_UPDATE + ("dynamodb:ConditionCheckItem",), table("cases"), "reminder / overdue marks (transactions)"),
    Grant(("dynamodb:PutItem",), table("case-events"), "timeline events, in the case's transaction"),
    Grant(READ + PUT_UPDATE, table("case-clocks", "by_pending"), "clock items: pending repairs"),
    Grant(GET, table("calendar-years"), "the loaded holiday calendar"),
    Grant(("states:StartExecution",), ("${CaseClock}",), "restart a case's missing clock",
          "a clock goes missing only when Step Functions failed during a request"),
    Grant(("states:DescribeExecution",), (EXECUTIONS,), "is the case's clock still running?",
          "a clock goes missing only when Step Functions failed during a request"),
    _publish("RemindersTopic", "EscalationsTopic"),
    _describe("cases", "case-events", "case-clocks", "calendar-years"),
    SECRET, KMS,
)

MONITORING_TABLES = ("entitlements", "monthly-checks", "monitored-units", "review-tasks", "cases")

ITEMS = ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
         "dynamodb:ConditionCheckItem")
ALL_TABLES = ("cases", "case-events", "case-clocks", "calendar-years", "roster-entries", "roster-loads",
              "jurisdiction-rules", "entitlements", "person-locks", "comparison-loads", "proposals", "idempotency",
              "monthly-checks", "monitored-units", "review-tasks", "progress-limits", "messages")
MATERIAL_PREFIXES = ("cases/", "quarantine/", "documents/", "payroll/")

API = (
    Grant(ITEMS, tuple(arn for name in ALL_TABLES for arn in table(name)), "cases, timelines, rules, entitlements ..."),
    Grant(("dynamodb:Query",), table("cases", "by_accepting_unit", "by_business_unit", "by_due")[1:]
          + table("case-events", "by_day")[1:] + table("entitlements", "by_person", "by_committee", "by_unit")[1:]
          + table("proposals", "by_accepting_unit", "by_business_unit")[1:]
          + table("monthly-checks", "by_change", "by_open")[1:] + table("review-tasks", "by_expiry")[1:],
          "worklists and lookups by index"),
    Grant(("dynamodb:BatchWriteItem",), table("roster-entries"), "a roster's entries"),
    Grant(("dynamodb:BatchGetItem",), table("review-tasks"), "review tasks"),
    Grant(("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"), objects("MaterialsBucket", *MATERIAL_PREFIXES),
          "materials (presigned POST/GET, checks), generated PDFs, payroll files"),
    Grant(("s3:DeleteObjectVersion",), objects("MaterialsBucket", "cases/"), "a refused upload leaves its key"),
    Grant(("s3:GetObject", "s3:GetObjectVersion"), objects("MaterialsBucket", "rosters/", "comparisons/"),
          "authoritative rosters and comparison files put there by operators"),
    Grant(("s3:AbortMultipartUpload",), objects("MaterialsBucket", "payroll/"), "a failed roster join",
          "only when joining the parts fails"),
    Grant(("states:StartExecution",), ("${CaseClock}",), "one execution per case"),
    Grant(("states:DescribeExecution", "states:StopExecution"), (EXECUTIONS,), "inspect or end a case's clock"),
    Grant(("states:SendTaskSuccess", "states:SendTaskFailure"), ("*",),
          "task tokens have no resource-level permission (Step Functions authorizes the token itself)"),
    _publish("ResultsTopic", "EscalationsTopic"),
    SMS,
    _describe(*ALL_TABLES),
    SECRET, KMS,
)

POLICIES: dict[str, tuple[Grant, ...]] = {
    API_HANDLER: API,
    "daily_sweep": SWEEP,
    "message_retries": (
        Grant(("dynamodb:Query",), table("messages", "by_pending")[1:], "messages whose next attempt is due"),
        Grant(GET + PUT_UPDATE, table("messages"), "attempts and outcomes"),
        Grant(GET + ("dynamodb:ConditionCheckItem", "dynamodb:PutItem", "dynamodb:UpdateItem"), table("cases"),
              "the applicant's number; a failure recorded on the timeline"),
        Grant(("dynamodb:PutItem",), table("case-events"), "timeline events, in the case's transaction"),
        SMS,
        _publish("EscalationsTopic"),
        _describe("messages", "cases", "case-events"),
        SECRET, KMS,
    ),
    "calendar_check": (
        Grant(GET, table("calendar-years"), "is next year's calendar loaded?"),
        _publish("EscalationsTopic", unexercised="published only in December when next year is missing"),
        _describe("calendar-years"),
        SECRET, KMS,
    ),
    "audit_digest": (
        Grant(("dynamodb:Query",), table("case-events", "by_day"), "yesterday's chain heads"),
        Grant(("s3:PutObject",), objects("AuditBucket", "digests/"), "one digest object per day (Object Lock)"),
        _describe("case-events"),
        SECRET, KMS,
    ),
    "monthly_checks": (
        Grant(("dynamodb:Scan",), table("monitored-units"), "every registered 业务属地"),
        Grant(("dynamodb:Query",), table("entitlements", "by_unit"), "recipients per unit shard"),
        Grant(("dynamodb:PutItem",), table("monthly-checks"), "one 查询登记 item per recipient and month"),
        _describe("monitored-units", "entitlements", "monthly-checks"),
        SECRET, KMS,
    ),
    "monthly_checks_escalation": (
        Grant(("dynamodb:Scan",), table("monitored-units"), "every registered 业务属地"),
        Grant(("dynamodb:Query",), table("monthly-checks", "by_open"), "checks still unrecorded"),
        Grant(("dynamodb:UpdateItem",), table("monitored-units"), "escalated once per unit and day"),
        _publish("EscalationsTopic"),
        _describe("monitored-units", "monthly-checks"),
        SECRET, KMS,
    ),
    "yearly_reviews": (
        Grant(("dynamodb:Scan",), table("monitored-units"), "every registered 业务属地"),
        Grant(("dynamodb:Query",), table("entitlements", "by_unit"), "recipients per unit shard"),
        Grant(("dynamodb:BatchGetItem", "dynamodb:PutItem"), table("review-tasks"), "one review task per recipient"),
        _describe("monitored-units", "entitlements", "review-tasks"),
        SECRET, KMS,
    ),
    "certificate_reminders": (
        Grant(("dynamodb:Scan",), table("monitored-units"), "every registered 业务属地"),
        Grant(("dynamodb:Query",), table("entitlements", "by_unit"), "recipients per unit shard"),
        Grant(("dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"),
              table("review-tasks", "by_expiry"), "review tasks and certificate-expiry reminders"),
        _publish("RemindersTopic"),
        _describe("monitored-units", "entitlements", "review-tasks"),
        SECRET, KMS,
    ),
    "monthly_comparison": (
        Grant(("s3:ListBucket",), bucket("MaterialsBucket"), "files waiting under comparisons/",
              condition={"StringLike": {"s3:prefix": ["comparisons/*"]}}),
        Grant(("s3:GetObject",), objects("MaterialsBucket", "comparisons/"), "read each comparison file"),
        Grant(GET + PUT_UPDATE, table("comparison-loads"), "each file runs once"),
        Grant(("dynamodb:Query",), table("entitlements", "by_person"), "match records to entitlements"),
        Grant(("dynamodb:PutItem",), table("proposals"), "stop/suspend proposals"),
        _describe("comparison-loads", "entitlements", "proposals"),
        SECRET, KMS,
    ),
}


# Scheduled functions run asynchronously: after two retries Lambda sends the event to the queue
DEAD_LETTER = Grant(("sqs:SendMessage",), ("${ScheduleDeadLetters.Arn}",),
                    "a scheduled job that failed its retries leaves its event in the dead-letter queue",
                    "the Lambda service sends it with the function's role; no test process can fail that way")


# X-Ray has no resource-level permissions; segments go to the daemon over UDP, not through our code's clients
XRAY = Grant(("xray:PutTraceSegments", "xray:PutTelemetryRecords"), ("*",), "active tracing (no resource-level "
             "permission exists)", "the Lambda runtime's X-Ray daemon sends the segments, not the code under test")


def function_name(name: str) -> str:
    """The deployed function's name (set by the template): ``${Prefix}-daily-sweep``."""
    return "${Prefix}-" + name.replace("_", "-")


def logs(name: str) -> Grant:
    group = f"{ARN}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:/aws/lambda/{function_name(name)}:*"
    return Grant(("logs:CreateLogStream", "logs:PutLogEvents"), (group,),
                 "the function's own log group (created by the template with its retention)",
                 "the Lambda runtime writes the logs with the function's role")


def grants(function: str, scheduled: bool) -> tuple[Grant, ...]:
    return POLICIES[function] + (logs(function), XRAY) + ((DEAD_LETTER,) if scheduled else ())


def statements(function: str, scheduled: bool) -> list[dict[str, Any]]:
    """The IAM statements (with ``Fn::Sub`` resources, ``${Prefix}`` still a placeholder)."""
    out = []
    for number, grant in enumerate(grants(function, scheduled), 1):
        statement: dict[str, Any] = {"Sid": f"G{number}", "Effect": "Allow", "Action": list(grant.actions),
                                     "Resource": [{"Fn::Sub": resource} for resource in grant.resources]}
        if grant.condition:
            statement["Condition"] = grant.condition
        out.append(statement)
    return out
