"""Least privilege: the IAM policy of each Lambda function, as data (the one source of truth).

``infra.template`` puts each function's statements on the role Chalice creates for it
(``<Function>Role``), and ``tests/infra/test_iam_policies.py`` runs the functions' real code on moto,
records every AWS call our code makes, and checks both ways: each call is allowed by the function's
policy, and each grant is used by some recorded call or says here why the test cannot exercise it.

Resources are ``Fn::Sub`` strings. Placeholders: the pseudo parameters ``${AWS::Partition}``,
``${AWS::Region}``, ``${AWS::AccountId}`` (so the same template deploys to ``aws-cn``), ``${Prefix}``
(``subsidy-<stage>``, filled in when the template is built) and the logical ids of the template's
resources (``${MaterialsBucket}`` is the bucket's name, ``${ResultsTopic}`` and ``${SmsOutboxTopic}`` topics' ARNs,
``${CaseClock}`` the state machine's ARN, ``${CaseClock.Name}`` its name, ``${PersonKeySecret}`` the
secret's ARN, ``${MaterialsKey.Arn}`` the customer key's ARN, ``${UnitJobsQueue.Arn}`` the unit jobs' queue).
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
    # the SMS channel (SMS_CHANNEL) the grant belongs to; None: every channel
    sms_channel: str | None = None


def table(name: str, *indexes: str) -> tuple[str, ...]:
    """A table's ARN (short name, as in ``config.table_name``) and those of the named indexes."""
    base = f"{ARN}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/${{Prefix}}-{name}"
    return (base, *(f"{base}/index/{index}" for index in indexes))


def objects(bucket: str, *prefixes: str) -> tuple[str, ...]:
    return tuple(f"{ARN}:s3:::${{{bucket}}}/{prefix}*" for prefix in prefixes)


def bucket(name: str) -> tuple[str, ...]:
    return (f"{ARN}:s3:::${{{name}}}",)


GET = ("dynamodb:GetItem",)
EXECUTIONS = f"{ARN}:states:${{AWS::Region}}:${{AWS::AccountId}}:execution:${{CaseClock.Name}}:*"

# S3, SNS, SQS and Secrets Manager call KMS on the caller's behalf (SSE-KMS objects, encrypted topics,
# queue and secret): the caller needs these on the customer key, only through those services.
VIA_SERVICES = {"StringEquals": {"kms:ViaService": [f"{service}.${{AWS::Region}}.${{AWS::URLSuffix}}"
                                                    for service in ("s3", "sns", "sqs", "secretsmanager")]}}
KMS_IMPLICIT = ("S3 (SSE-KMS), SNS and SQS (encrypted topics, queue) and Secrets Manager call KMS for the caller; "
                "moto makes no KMS call to record")
KMS = Grant(("kms:Decrypt", "kms:GenerateDataKey"), ("${MaterialsKey.Arn}",),
            "objects, messages and the secret are encrypted with the customer key", KMS_IMPLICIT, VIA_SERVICES)
SECRET = Grant(("secretsmanager:GetSecretValue",), ("${PersonKeySecret}",),
               "PERSON_KEY_SECRET (keys the hash that stands for an ID number) is read once per container",
               "read at a container's first configuration load; the test process shares one configuration between "
               "functions, so only some are seen reading it")
# sns:Publish to a phone number (SMS) has no resource to name: IAM can only allow it on "*"; only the direct
# channel needs it. The gateway channel (the China regions' default) publishes to the outbox topic alone.
SMS = Grant(("sns:Publish",), ("*",), "milestone SMS to applicants' phone numbers (no resource-level permission)",
            sms_channel="direct")
SMS_OUTBOX = Grant(("sns:Publish",), ("${SmsOutboxTopic}",), "milestone SMS to the province's SMS gateway",
                   sms_channel="gateway")
RECIPIENTS = Grant(("dynamodb:Query",), table("entitlements", "by_unit_shard")[1:], "recipients per unit shard")
# the supervision jobs fanned out: the schedules read the registry and queue one message per township
UNIT_JOBS_QUEUE = "${UnitJobsQueue.Arn}"
REGISTRY = Grant(("dynamodb:Scan",), table("monitored-units"), "every registered 业务属地")
DISPATCH = (Grant(("sqs:GetQueueUrl",), (UNIT_JOBS_QUEUE,), "the queue's address, once per container",
                  "the test process shares one queue object between functions: only the first is seen asking"),
            Grant(("sqs:SendMessage",), (UNIT_JOBS_QUEUE,), "one message per township (SendMessageBatch)"))
CLOCK_REPAIR = "a clock needs repair only when Step Functions failed during a request"


def _publish(*topics: str, unexercised: str | None = None) -> Grant:
    return Grant(("sns:Publish",), tuple(f"${{{t}}}" for t in topics), "messages to the topics' subscribers",
                 unexercised)


def _routes(routes: str) -> str:
    return f"only {routes}, which the IAM scenario does not call (covered by the integration tests)"


API = (
    Grant(("dynamodb:GetItem", "dynamodb:PutItem"), table("cases"), "cases (writes are transactions)"),
    Grant(("dynamodb:UpdateItem",), table("cases"), "a material's registration appended to the case's materials"),
    Grant(("dynamodb:BatchGetItem",), table("cases"),
          "a case with its parts (adapters/case_tables.PARTS); a worklist page's cases by the keys its index names"),
    Grant(("dynamodb:Query",), table("cases", "by_accepting_unit", "by_business_unit")[1:], "worklists"),
    Grant(("dynamodb:PutItem", "dynamodb:Query"), table("case-events"), "the chained timeline"),
    Grant(GET, table("case-clocks"), "the clock's phase and task token"),
    Grant(("dynamodb:UpdateItem",), table("case-clocks"), "flag a clock pending repair", CLOCK_REPAIR),
    Grant(GET, table("calendar-years"), "loaded holiday calendars"),
    Grant(("dynamodb:PutItem",), table("calendar-years"), "load a year", _routes("PUT /calendar/{year}")),
    Grant(("dynamodb:Query",), table("jurisdiction-rules"), "rules in force"),
    Grant(("dynamodb:PutItem",), table("jurisdiction-rules"), "store a rule version", _routes("PUT /rules/...")),
    Grant(("dynamodb:GetItem", "dynamodb:PutItem"), table("entitlements"), "entitlements (approval, changes)"),
    Grant(("dynamodb:Query",), table("entitlements", "by_unit_shard")[1:], "the payment roster's shards"),
    Grant(("dynamodb:Query",), table("entitlements", "by_person", "by_committee")[1:], "lookups by person, committee",
          _routes("comparisons with matching records and GET /checks/...")),
    Grant(("dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"), table("person-locks"),
          "duplicate-receipt locks, in the case's transaction"),
    Grant(GET, table("person-locks"), "name the case holding a lock", _routes("an application refused as a duplicate")),
    Grant(("dynamodb:Query",), table("roster-entries"), "roster evidence for the notice"),
    Grant(("dynamodb:BatchGetItem",), table("roster-loads"), "the newest load of each roster kind (pointer items)"),
    Grant(("dynamodb:BatchWriteItem",), table("roster-entries"), "a roster's entries", _routes("POST /rosters")),
    Grant(("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"), table("roster-loads"), "each roster once",
          _routes("POST /rosters")),
    Grant(("dynamodb:PutItem",), table("comparison-loads"), "each comparison file once"),
    Grant(("dynamodb:GetItem", "dynamodb:UpdateItem"), table("comparison-loads"), "claim and finish a file",
          _routes("POST /comparisons on a file seen before")),
    Grant(("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem") , table("proposals"), "stop/suspend proposals",
          _routes("POST /comparisons with matches and POST /proposals/{id}/confirm|reject")),
    Grant(("dynamodb:Query",), table("proposals", "by_accepting_unit", "by_business_unit")[1:], "proposals by unit",
          _routes("GET /proposals/{unit}")),
    Grant(("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"), table("idempotency"),
          "Idempotency-Key claims and answers", _routes("requests with an Idempotency-Key header")),
    Grant(("dynamodb:PutItem",), table("monitored-units"), "register a 业务属地 at approval"),
    Grant(("dynamodb:Query", "dynamodb:UpdateItem"), table("monthly-checks", "by_change"), "查询登记 lists and results",
          _routes("GET/POST /checks/{unit}/{month}...")),
    Grant(("dynamodb:Query", "dynamodb:UpdateItem"), table("review-tasks"), "定期复核 tasks and results",
          _routes("GET/POST /reviews/{unit}/{year}...")),
    Grant(("dynamodb:UpdateItem",), table("progress-limits"), "the public progress route's rate limits"),
    Grant(("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchGetItem"), table("messages"),
          "milestone SMS outbox: a message's outcome and its lines on the case's timeline"),
    Grant(("dynamodb:UpdateItem",), table("messages"), "the request's first SMS attempt failed: its retry time",
          "only when the request's own SMS attempt fails (covered by tests/integration/test_messages.py)"),
    Grant(("s3:GetObject", "s3:PutObject"), objects("MaterialsBucket", "cases/"),
          "materials: presigned POST and GET, checks of the stored bytes"),
    Grant(("s3:GetObjectVersion", "s3:DeleteObjectVersion"), objects("MaterialsBucket", "cases/"),
          "a refused upload's version leaves the material's key", _routes("a confirm that refuses the bytes")),
    Grant(("s3:PutObject",), objects("MaterialsBucket", "quarantine/"), "refused bytes kept, never served",
          _routes("a confirm that refuses the bytes")),
    Grant(("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"), objects("MaterialsBucket", "payroll/"),
          "payment roster parts joined into one file; a finalized roster's plan read back into the ledger"),
    Grant(("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:PutItem"),
          table("ledger"), "the payment ledger: what finalized rosters paid, recoveries"),
    Grant(("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"),
          table("payrolls"), "rosters drafted and finalized, the unit's finalization claim, downloads, debts"),
    Grant(("s3:AbortMultipartUpload",), objects("MaterialsBucket", "payroll/"), "a failed join",
          "only when joining the parts fails"),
    Grant(("s3:GetObject", "s3:PutObject"), objects("MaterialsBucket", "documents/"), "generated PDF documents",
          _routes("GET /cases/{id}/receipt and /result-notice")),
    Grant(("s3:GetObject",), objects("MaterialsBucket", "comparisons/"), "comparison files put there by operators"),
    Grant(("s3:GetObject",), objects("MaterialsBucket", "rosters/"), "rosters put there by operators",
          _routes("POST /rosters")),
    Grant(("states:StartExecution",), ("${CaseClock}",), "one execution per case"),
    Grant(("states:DescribeExecution", "states:StopExecution"), (EXECUTIONS,), "inspect or end a case's clock",
          CLOCK_REPAIR),
    Grant(("states:SendTaskSuccess",), ("*",),
          "move the clock: task tokens have no resource-level permission (Step Functions checks the token)"),
    Grant(("states:SendTaskFailure",), ("*",), "end the clock when the applicant is told or withdraws: task tokens "
          "have no resource-level permission"),
    _publish("ResultsTopic"),
    _publish("EscalationsTopic", unexercised="only a gateway's failed receipt for a message's last attempt "
             "(POST /messages/{id}/receipt; covered by tests/integration/test_sms_gateway.py)"),
    SMS, SMS_OUTBOX, SECRET, KMS,
)

POLICIES: dict[str, tuple[Grant, ...]] = {
    API_HANDLER: API,
    "daily_sweep": (
        Grant(("dynamodb:Query",), table("cases", "by_running_phase")[1:],
              "the sparse due-day index and the census of running deadlines"),
        Grant(("dynamodb:BatchGetItem",), table("cases"), "the cases the due-day index names, by key",
              "only when a deadline is due or passed on the run's date"),
        Grant(("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"), table("cases"),
              "reminder and overdue marks (transactions)", "only when a deadline is due or passed on the run's date"),
        Grant(("dynamodb:PutItem",), table("case-events"), "timeline events, in the case's transaction",
              "only when a deadline is due or passed on the run's date"),
        Grant(("dynamodb:Query",), table("case-clocks", "by_pending")[1:], "clocks waiting for repair"),
        Grant(("dynamodb:GetItem", "dynamodb:UpdateItem"), table("case-clocks"), "repair a clock", CLOCK_REPAIR),
        Grant(GET, table("calendar-years"), "the loaded holiday calendar", "cached by the API's run in the same process"),
        Grant(("states:StartExecution",), ("${CaseClock}",), "restart a case's missing clock", CLOCK_REPAIR),
        Grant(("states:DescribeExecution",), (EXECUTIONS,), "is the case's clock still running?", CLOCK_REPAIR),
        _publish("RemindersTopic", "EscalationsTopic", unexercised="only when a deadline is due or passed"),
        SECRET, KMS,
    ),
    "message_retries": (
        Grant(("dynamodb:Query",), table("messages", "by_pending")[1:], "messages whose next attempt is due"),
        Grant(("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"), table("messages"),
              "attempts and outcomes (the outcome with its timeline line, on the message alone)",
              "only when an SMS attempt is due"),
        Grant(("dynamodb:GetItem", "dynamodb:BatchGetItem"), table("cases"), "the applicant's number",
              "only when an SMS attempt is due"),
        Grant(SMS.actions, SMS.resources, SMS.why, "only when an SMS attempt is due", sms_channel="direct"),
        Grant(SMS_OUTBOX.actions, SMS_OUTBOX.resources, SMS_OUTBOX.why, "only when an SMS attempt is due",
              sms_channel="gateway"),
        _publish("EscalationsTopic", unexercised="only after the last retry"),
        SECRET, KMS,
    ),
    "calendar_check": (
        Grant(GET, table("calendar-years"), "is next year's calendar loaded?", "acts in December only"),
        _publish("EscalationsTopic", unexercised="published only in December when next year is missing"),
        SECRET, KMS,
    ),
    "audit_digest": (
        Grant(("dynamodb:Query",), table("case-events", "by_day")[1:],
              "yesterday's chain heads: the cases changed that day (the sparse index: each case's first event)"),
        Grant(("dynamodb:Query",), table("case-events")[:1],
              "yesterday's chain heads: each changed case's events of that day, from the first the index names",
              "only when a case changed on the digest's day (the scenario's schedules run months after its case)"),
        Grant(("s3:PutObject",), objects("AuditBucket", "digests/"), "one digest object per day (Object Lock)"),
        SECRET, KMS,
    ),
    "monthly_checks": (REGISTRY, *DISPATCH, SECRET, KMS),
    "monthly_checks_escalation": (
        Grant(("dynamodb:Scan", "dynamodb:UpdateItem"), table("monitored-units"),
              "every registered 业务属地; escalated once per unit and day"),
        Grant(("dynamodb:Query",), table("monthly-checks", "by_open")[1:], "checks still unrecorded"),
        _publish("EscalationsTopic"),
        SECRET, KMS,
    ),
    "yearly_reviews": (REGISTRY, *DISPATCH, SECRET, KMS),
    "certificate_reminders": (REGISTRY, *DISPATCH, SECRET, KMS),
    # one township's share of the three jobs above, per queued message (services/unit_jobs.py)
    "unit_jobs": (
        RECIPIENTS,
        Grant(("dynamodb:PutItem",), table("monthly-checks"), "one 查询登记 item per recipient and month"),
        Grant(("dynamodb:BatchGetItem",), table("cases"),
              "the recipient's certificate dates (review tasks not created yet): a case and its parts"),
        Grant(("dynamodb:BatchGetItem", "dynamodb:PutItem"), table("review-tasks"), "one review task per recipient"),
        Grant(("dynamodb:UpdateItem",), table("review-tasks"), "mark a certificate reminder sent (or unmark it)",
              "only when a certificate expires six months after the run's month"),
        Grant(("dynamodb:Query",), table("review-tasks", "by_expiry")[1:], "certificates expiring in six months"),
        Grant(GET, table("entitlements"), "is the recipient with an expiring certificate still paid?",
              "only when a certificate expires six months after the run's month"),
        _publish("RemindersTopic", unexercised="only when a certificate expires in six months"),
        Grant(("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"), (UNIT_JOBS_QUEUE,),
              "Lambda's event source mapping reads the queue with the worker's role",
              "the Lambda service polls the queue, not the code under test"),
        SECRET, KMS,
    ),
    "monthly_comparison": (
        Grant(("s3:ListBucket",), bucket("MaterialsBucket"), "files waiting under comparisons/",
              condition={"StringLike": {"s3:prefix": ["comparisons/*"]}}),
        Grant(("s3:GetObject",), objects("MaterialsBucket", "comparisons/"), "read each comparison file"),
        Grant(("dynamodb:PutItem", "dynamodb:UpdateItem"), table("comparison-loads"), "each file runs once"),
        Grant(GET, table("comparison-loads"), "a file claimed before", "only for a file seen by an earlier run"),
        Grant(("dynamodb:Query",), table("entitlements", "by_person")[1:], "match records to entitlements",
              "only for records that match a recipient"),
        Grant(("dynamodb:PutItem",), table("proposals"), "stop/suspend proposals", "only for matching records"),
        Grant(("dynamodb:Query",), table("jurisdiction-rules"), "the province's effective month",
              "only for matching records"),
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


def grants(function: str, scheduled: bool, sms_channel: str = "gateway") -> tuple[Grant, ...]:
    """The function's grants for the stage's SMS channel (``config.sms_channel``; the template sets SMS_CHANNEL
    to the same value so the functions never need what the policy does not grant)."""
    own = tuple(g for g in POLICIES[function] if g.sms_channel in (None, sms_channel))
    return own + (logs(function), XRAY) + ((DEAD_LETTER,) if scheduled else ())


def statements(function: str, scheduled: bool, sms_channel: str = "gateway") -> list[dict[str, Any]]:
    """The IAM statements (with ``Fn::Sub`` resources, ``${Prefix}`` still a placeholder)."""
    out = []
    for number, grant in enumerate(grants(function, scheduled, sms_channel), 1):
        statement: dict[str, Any] = {"Sid": f"G{number}", "Effect": "Allow", "Action": list(grant.actions),
                                     "Resource": [{"Fn::Sub": resource} for resource in grant.resources]}
        if grant.condition:
            statement["Condition"] = grant.condition
        out.append(statement)
    return out
