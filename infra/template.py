"""The CloudFormation merged into ``chalice package --merge-template`` (``make package STAGE=dev``).

``python -m infra.template --stage dev --out build/dev/resources.json`` builds it from the code's own
definitions: the tables from the PynamoDB models in ``tools.provision.MODELS`` (keys, attribute
types, indexes, projections), the topics from ``tools.provision.TOPICS``, the case clock from
``infra/case_clock.asl.json``, the Lambda functions from the Chalice app (one per ``@app.schedule``,
the unit jobs' queue worker, plus the API handler) and their IAM policies from ``infra.policies``.
Every ARN is built with ``${AWS::Partition}`` so the same template deploys to ``aws-cn`` (Beijing, Ningxia).
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from chalice.app import ScheduledEventConfig, SQSEventConfig
from chalice.utils import to_cfn_resource_name

from chalicelib.config import sms_channel
from infra import dashboard, policies, sizes
from infra.clock_definition import DEFINITION_FILE
from infra.tables import table_resources

KEY = "MaterialsKey"
TOPIC_IDS = {"case-results": "ResultsTopic", "escalations": "EscalationsTopic", "reminders": "RemindersTopic",
             "sms-outbox": "SmsOutboxTopic"}  # sms-outbox: the province's SMS gateway subscribes (SMS_CHANNEL=gateway)
ALARMS_TOPIC = "AlarmsTopic"
DEAD_LETTERS = "ScheduleDeadLetters"
UNIT_JOBS, UNIT_JOBS_DEAD_LETTERS = "UnitJobsQueue", "UnitJobsDeadLetters"  # the supervision jobs' fan-out
WORKER_TIMEOUT = 900  # seconds: Lambda's most, for one township's job (docs/performance.md)
UNIT_JOB_RECEIVES = 3  # then a unit job waits in UnitJobsDeadLetters (docs/runbook.md)
RETAIN = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
# audit digests: COMPLIANCE in prod (no one, root included, can shorten it); GOVERNANCE elsewhere
AUDIT_LOCK = {"prod": ("COMPLIANCE", 3650)}
DEFAULT_AUDIT_LOCK = ("GOVERNANCE", 30)
LOG_DAYS = 400  # logs kept over a year: a case's whole statutory course and its review


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def function_ids(app: Any) -> dict[str, tuple[str, str]]:
    """Chalice function name -> (function logical id, role logical id), as ``chalice package`` names them."""
    ids = {policies.API_HANDLER: ("APIHandler", "ApiHandlerRole")}
    for source in app.event_sources:
        name = to_cfn_resource_name(source.name)
        ids[source.name] = (name, f"{name}Role")
    return ids


def schedule_names(app: Any) -> list[str]:
    """The ``@app.schedule`` functions (EventBridge invokes them asynchronously: they get the dead-letter queue)."""
    return [source.name for source in app.event_sources if isinstance(source, ScheduledEventConfig)]


def queue_workers(app: Any) -> list[str]:
    """The ``@app.on_sqs_message`` functions (the unit jobs' worker)."""
    return [source.name for source in app.event_sources if isinstance(source, SQSEventConfig)]


def _key() -> dict[str, Any]:
    account_root = sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")
    statements = [
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": account_root},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "LogsEncryptLogGroups", "Effect": "Allow", "Principal": {"Service": sub("logs.${AWS::Region}.${AWS::URLSuffix}")},
         "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
         "Resource": "*", "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": sub(
             "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*")}}},
        {"Sid": "AlarmsPublishToEncryptedTopic", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"},
    ]
    return {"Type": "AWS::KMS::Key", **RETAIN, "Properties": {
        "Description": "Materials, audit digests, topics, queues, tables and the person-key secret",
        "EnableKeyRotation": True, "KeyPolicy": {"Version": "2012-10-17", "Statement": statements}}}


def _tls_only(bucket_id: str) -> dict[str, Any]:
    arn = sub(f"arn:${{AWS::Partition}}:s3:::${{{bucket_id}}}")
    objects = sub(f"arn:${{AWS::Partition}}:s3:::${{{bucket_id}}}/*")
    return {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": bucket_id}, "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{
            "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, objects],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}}


def _bucket(name: str, logs_prefix: str | None, extra: dict[str, Any] | None = None,
            kms: bool = True) -> dict[str, Any]:
    encryption = ({"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Ref": KEY}},
                   "BucketKeyEnabled": True} if kms else {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}})
    properties: dict[str, Any] = {
        "BucketName": sub(f"{name}-${{AWS::AccountId}}"),
        "VersioningConfiguration": {"Status": "Enabled"},
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [encryption]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        **(extra or {}),
    }
    if logs_prefix:
        properties["LoggingConfiguration"] = {"DestinationBucketName": {"Ref": "AccessLogsBucket"},
                                              "LogFilePrefix": logs_prefix}
    return {"Type": "AWS::S3::Bucket", **RETAIN, "Properties": properties}


MATERIALS_LIFECYCLE = {"Rules": [
    {"Id": "quarantine-90-days", "Status": "Enabled", "Prefix": "quarantine/", "ExpirationInDays": 90},
    {"Id": "old-versions-1-year", "Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 365}},
    {"Id": "unfinished-uploads", "Status": "Enabled", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
]}


def materials_cors(console_origin: str | None) -> dict[str, Any]:
    """The console uploads (presigned POST) and views (presigned GET) materials in S3 directly: its one
    origin may, nothing else (no rule at all when the console shares the API's origin or is not deployed)."""
    if not console_origin:
        return {}
    return {"CorsConfiguration": {"CorsRules": [{
        "Id": "console", "AllowedOrigins": [console_origin], "AllowedMethods": ["GET", "POST"],
        "AllowedHeaders": ["content-type"], "ExposedHeaders": ["ETag"], "MaxAge": 600}]}}


def _buckets(prefix: str, stage: str, console_origin: str | None = None) -> dict[str, Any]:
    mode, days = AUDIT_LOCK.get(stage, DEFAULT_AUDIT_LOCK)
    logs = _bucket(f"{prefix}-access-logs", None, {"LifecycleConfiguration": {"Rules": [
        {"Id": "access-logs-400-days", "Status": "Enabled", "ExpirationInDays": 400}]}}, kms=False)
    return {
        "AccessLogsBucket": logs,
        "AccessLogsBucketPolicy": _logs_policy(),
        "MaterialsBucket": _bucket(f"{prefix}-materials", "materials/", {"LifecycleConfiguration": MATERIALS_LIFECYCLE,
                                                                   **materials_cors(console_origin)}),
        "MaterialsBucketPolicy": _tls_only("MaterialsBucket"),
        "AuditBucket": _bucket(f"{prefix}-audit-digests", "audit-digests/", {
            "ObjectLockEnabled": True,
            "ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled",
                                        "Rule": {"DefaultRetention": {"Mode": mode, "Days": days}}}}),
        "AuditBucketPolicy": _tls_only("AuditBucket"),
        "ConsoleBucket": _bucket(f"{prefix}-console", "console/"),
        "ConsoleBucketPolicy": _tls_only("ConsoleBucket"),
    }


def _logs_policy() -> dict[str, Any]:
    policy = _tls_only("AccessLogsBucket")
    policy["Properties"]["PolicyDocument"]["Statement"].append({
        "Sid": "S3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject", "Resource": sub("arn:${AWS::Partition}:s3:::${AccessLogsBucket}/*"),
        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}})
    return policy


def _topics(prefix: str) -> dict[str, Any]:
    topics = {logical: {"Type": "AWS::SNS::Topic", "Properties": {
        "TopicName": f"{prefix}-{name}", "KmsMasterKeyId": {"Ref": KEY}}} for name, logical in TOPIC_IDS.items()}
    topics[ALARMS_TOPIC] = {"Type": "AWS::SNS::Topic", "Properties": {
        "TopicName": f"{prefix}-alarms", "KmsMasterKeyId": {"Ref": KEY}}}
    return topics


def _clock(prefix: str) -> dict[str, Any]:
    clocks_table = f"arn:${{AWS::Partition}}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/{prefix}-case-clocks"
    role_statements = [
        {"Sid": "ClockItems", "Effect": "Allow", "Action": "dynamodb:UpdateItem", "Resource": sub(clocks_table)},
        {"Sid": "Escalations", "Effect": "Allow", "Action": "sns:Publish", "Resource": {"Ref": "EscalationsTopic"}},
        {"Sid": "EncryptedTopics", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Resource": {"Fn::GetAtt": [KEY, "Arn"]},
         "Condition": {"StringEquals": {"kms:ViaService": sub("sns.${AWS::Region}.${AWS::URLSuffix}")}}},
        # CloudWatch Logs delivery and X-Ray have no resource-level permissions (documented in the runbook)
        {"Sid": "LogDeliveryHasNoResourceLevelPermissions", "Effect": "Allow", "Resource": "*", "Action": [
            "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups"]},
        {"Sid": "TracesHaveNoResourceLevelPermissions", "Effect": "Allow", "Resource": "*",
         "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]},
    ]
    return {
        "CaseClockRole": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]},
            "Policies": [{"PolicyName": "CaseClock", "PolicyDocument": {
                "Version": "2012-10-17", "Statement": role_statements}}]}},
        "CaseClockLogs": {"Type": "AWS::Logs::LogGroup", **RETAIN, "Properties": {
            "LogGroupName": f"/aws/vendedlogs/states/{prefix}-case-clock", "RetentionInDays": LOG_DAYS,
            "KmsKeyId": {"Fn::GetAtt": [KEY, "Arn"]}}},
        "CaseClock": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "StateMachineName": f"{prefix}-case-clock",
            "StateMachineType": "STANDARD",
            "RoleArn": {"Fn::GetAtt": ["CaseClockRole", "Arn"]},
            # Fn::Sub rather than Definition + DefinitionSubstitutions: cfn-lint's E3601 knows only arn:aws:
            "DefinitionString": {"Fn::Sub": [_definition_text(), {
                "ClocksTable": f"{prefix}-case-clocks",
                "EscalationsTopicArn": {"Ref": "EscalationsTopic"},
            }]},
            "LoggingConfiguration": {"Level": "ERROR", "IncludeExecutionData": False, "Destinations": [
                {"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": ["CaseClockLogs", "Arn"]}}}]},
            "TracingConfiguration": {"Enabled": {"Fn::If": [IN_CHINA, False, True]}},
        }},
    }


def _definition_text() -> str:
    """The ASL file, compact, with its ``${Partition}`` placeholder as the pseudo parameter."""
    definition = json.loads(DEFINITION_FILE.read_text(encoding="utf-8"))
    return json.dumps(definition, ensure_ascii=False, separators=(",", ":")).replace("${Partition}", "${AWS::Partition}")


def _secret(prefix: str) -> dict[str, Any]:
    return {"PersonKeySecret": {"Type": "AWS::SecretsManager::Secret", **RETAIN, "Properties": {
        "Name": f"{prefix}/person-key",
        "Description": "Keys the hash that stands for an ID number in indexes: never rotate (the index would break)",
        "KmsKeyId": {"Ref": KEY},
        "GenerateSecretString": {"PasswordLength": 64, "ExcludePunctuation": True}}}}


def _dead_letters() -> dict[str, Any]:
    return {DEAD_LETTERS: {"Type": "AWS::SQS::Queue", "Properties": {
        "MessageRetentionPeriod": 1209600, "KmsMasterKeyId": {"Ref": KEY}}}}


def _unit_jobs(prefix: str) -> dict[str, Any]:
    """The per-township job queue: SQS hides a message for 6x the worker's timeout (AWS's advice for an event
    source), after ``UNIT_JOB_RECEIVES`` receives it moves to the dead-letter queue, kept 14 days."""
    return {
        UNIT_JOBS: {"Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": f"{prefix}-unit-jobs", "KmsMasterKeyId": {"Ref": KEY},
            "VisibilityTimeout": 6 * WORKER_TIMEOUT, "MessageRetentionPeriod": 4 * 86400,
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [UNIT_JOBS_DEAD_LETTERS, "Arn"]},
                              "maxReceiveCount": UNIT_JOB_RECEIVES}}},
        UNIT_JOBS_DEAD_LETTERS: {"Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": f"{prefix}-unit-jobs-dead-letters", "KmsMasterKeyId": {"Ref": KEY},
            "MessageRetentionPeriod": 1209600}},
    }


def _worker(app: Any, name: str) -> dict[str, Any]:
    """A queue worker's overrides: Lambda's longest timeout, and the event source pointed at the template's queue
    (Chalice names it by the queue name it saw at import, with no stage; same key ``Fn::Sub``, so the merge
    replaces it, and the reference orders the queue before the mapping)."""
    event_id = to_cfn_resource_name(f"{name}-sqs-event-source")
    return {"Timeout": WORKER_TIMEOUT, "Events": {event_id: {"Properties": {
        "Queue": {"Fn::Sub": f"${{{UNIT_JOBS}.Arn}}"}}}}}


ENVIRONMENT = {
    "MATERIALS_BUCKET": {"Ref": "MaterialsBucket"},
    "AUDIT_BUCKET": {"Ref": "AuditBucket"},
    "RESULTS_TOPIC_ARN": {"Ref": "ResultsTopic"},
    "ESCALATIONS_TOPIC_ARN": {"Ref": "EscalationsTopic"},
    "REMINDERS_TOPIC_ARN": {"Ref": "RemindersTopic"},
    "CLOCK_STATE_MACHINE_ARN": {"Ref": "CaseClock"},
    "PERSON_KEY_SECRET_ARN": {"Ref": "PersonKeySecret"},
    "SMS_OUTBOX_TOPIC_ARN": {"Ref": "SmsOutboxTopic"},
    # the receipt's QR code and progress address: the public API's own address, known only once it exists
    # (a custom domain, or the first deploy's endpoint), so a parameter rather than a reference to RestAPI
    "PUBLIC_BASE_URL": {"Ref": "PublicBaseUrl"},
}
PARAMETERS = {"PublicBaseUrl": {
    "Type": "String", "Default": "", "AllowedPattern": "^(https://[^\\s/]+(/[^\\s]*)?)?$",
    "Description": "https address the applicants' progress page is reached at (printed and QR-coded on receipts); "
                   "empty: receipts give the way in words only"}}


def _subbed(value: Any, prefix: str) -> Any:
    """Fill ``${Prefix}`` in; wrap every string that still names a variable in ``Fn::Sub``."""
    if isinstance(value, dict):
        if set(value) == {"Fn::Sub"}:
            return {"Fn::Sub": value["Fn::Sub"].replace("${Prefix}", prefix)}
        return {k: _subbed(v, prefix) for k, v in value.items()}
    if isinstance(value, list):
        return [_subbed(v, prefix) for v in value]
    if isinstance(value, str) and "${" in value:
        return {"Fn::Sub": value.replace("${Prefix}", prefix)}
    return value


def _functions(app: Any, prefix: str, console_origin: str | None = None, sms_channel: str = "gateway") -> dict[str, Any]:
    """Overrides of Chalice's own function and role resources (deep-merged by ``chalice package``)."""
    ids = function_ids(app)
    missing = sorted(set(ids) - set(policies.POLICIES))
    if missing:
        raise SystemExit(f"no IAM policy for {', '.join(missing)}: add it to infra/policies.py POLICIES")
    unsized = sorted(set(ids) - set(sizes.SIZES))
    if unsized:
        raise SystemExit(f"no memory or timeout for {', '.join(unsized)}: measure it (bench.memory), add it to "
                         "infra/sizes.py SIZES")
    schedules, workers = set(schedule_names(app)), set(queue_workers(app))
    resources: dict[str, Any] = {}
    for name, (function_id, role_id) in ids.items():
        document = {"Version": "2012-10-17",
                    "Statement": _subbed(policies.statements(name, name in schedules, sms_channel), prefix)}
        resources[role_id] = {"Properties": {"Policies": [{"PolicyName": f"{function_id}Policy",
                                                           "PolicyDocument": document}]}}
        deployed_name = policies.function_name(name).replace("${Prefix}", prefix)
        properties: dict[str, Any] = {"FunctionName": deployed_name, "Environment": {"Variables": {
            **ENVIRONMENT, "SMS_CHANNEL": sms_channel,  # the channel its IAM policy was built for
            # X-Ray: Lambda's active tracing (its daemon) where it is offered; the tracer off in the China regions
            "POWERTOOLS_TRACE_DISABLED": {"Fn::If": [IN_CHINA, "true", "false"]},
            **({"CONSOLE_ORIGIN": console_origin} if console_origin else {})}},
            "Tracing": {"Fn::If": [IN_CHINA, {"Ref": "AWS::NoValue"}, "Active"]},  # SAM: Lambda's TracingConfig
            **sizes.properties(name)}  # memory and timeout from measured peaks (infra/sizes.py)
        resources[f"{function_id}Logs"] = {"Type": "AWS::Logs::LogGroup", **RETAIN, "Properties": {
            "LogGroupName": f"/aws/lambda/{deployed_name}", "RetentionInDays": LOG_DAYS,
            "KmsKeyId": {"Fn::GetAtt": [KEY, "Arn"]}}}
        if name in schedules:
            properties["DeadLetterQueue"] = {"Type": "SQS", "TargetArn": {"Fn::GetAtt": [DEAD_LETTERS, "Arn"]}}
        if name in workers:
            properties.update(_worker(app, name))
        resources[function_id] = {"Properties": properties}
    return resources


# Lambda's X-Ray integration (active tracing and its daemon) is not offered in the China regions (aws-cn): there
# the tracer is off and nothing asks for traces; elsewhere every function, the API and the clock are traced.
IN_CHINA = "InChinaRegions"
CONDITIONS: dict[str, Any] = {IN_CHINA: {"Fn::Equals": [{"Ref": "AWS::Partition"}, "aws-cn"]}}


# API Gateway's own answers (no route, no token, throttled, its own errors) in the API's error format rather than
# API Gateway's {"message": ...}; a 401 says how to authenticate (RFC 6750). The local runner answers alike.
GATEWAY_ANSWERS: dict[str, tuple[int, str]] = {
    "MISSING_AUTHENTICATION_TOKEN": (404, "ROUTE_NOT_FOUND"),  # API Gateway's answer to a path no route has
    "RESOURCE_NOT_FOUND": (404, "ROUTE_NOT_FOUND"),
    "UNAUTHORIZED": (401, "TOKEN_MISSING"),
    "ACCESS_DENIED": (403, "ROLE_NOT_ALLOWED"),
    "THROTTLED": (429, "THROTTLED"),
    "QUOTA_EXCEEDED": (429, "THROTTLED"),
    "REQUEST_TOO_LARGE": (413, "BODY_TOO_LARGE"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "UNSUPPORTED_MEDIA_TYPE"),
    "INTEGRATION_TIMEOUT": (504, "TIMEOUT"),
    "DEFAULT_4XX": (0, "REQUEST_REFUSED"),  # 0: the status API Gateway chose
    "DEFAULT_5XX": (0, "INTERNAL"),
}


def gateway_responses() -> dict[str, Any]:
    resources: dict[str, Any] = {}
    for kind, (status, code) in GATEWAY_ANSWERS.items():
        properties: dict[str, Any] = {
            "RestApiId": {"Ref": "RestAPI"}, "ResponseType": kind,
            "ResponseTemplates": {"application/json": '{"error": {"code": "%s", "message": '
                                  '$context.error.messageString, "field": null}}' % code},
            "ResponseParameters": {"gatewayresponse.header.Content-Type": "'application/json; charset=utf-8'",
                                   "gatewayresponse.header.X-Content-Type-Options": "'nosniff'"},
        }
        if status:
            properties["StatusCode"] = str(status)
        if status == 401:
            properties["ResponseParameters"]["gatewayresponse.header.WWW-Authenticate"] = "'Bearer'"
        resources[f"Gateway{''.join(part.title() for part in kind.split('_'))}"] = {
            "Type": "AWS::ApiGateway::GatewayResponse", "Properties": properties}
    return resources


def build(stage: str, app: Any | None = None, console_origin: str | None = None,
          sms_channel: str = "gateway") -> dict[str, Any]:
    """``console_origin``: the web console's origin when it is served apart from the API (CONSOLE_ORIGIN, read
    by Chalice when routes are registered too, so it must be set for ``chalice package`` as well).
    ``sms_channel``: SMS_CHANNEL for every function and the IAM grants it needs (gateway: the China regions)."""
    if app is None:
        from app import app as chalice_app

        app = chalice_app
    prefix = f"subsidy-{stage}"
    resources: dict[str, Any] = {KEY: _key(), "MaterialsKeyAlias": {"Type": "AWS::KMS::Alias", "Properties": {
        "AliasName": f"alias/{prefix}-materials", "TargetKeyId": {"Ref": KEY}}}}
    resources.update(table_resources(prefix, KEY))
    resources.update(_buckets(prefix, stage, console_origin))
    resources.update(_topics(prefix))
    resources.update(_clock(prefix))
    resources.update(_secret(prefix))
    resources.update(_dead_letters())
    resources.update(_unit_jobs(prefix))
    resources.update(_functions(app, prefix, console_origin, sms_channel))
    resources["RestAPI"] = {"Properties": {"TracingEnabled": {"Fn::If": [IN_CHINA, False, True]}}}
    resources.update(gateway_responses())
    ids = function_ids(app)
    resources.update(dashboard.alarms(prefix, ids, table_resources(prefix, KEY)))
    resources["Dashboard"] = dashboard.dashboard(prefix, ids)
    return {"Parameters": PARAMETERS, "Conditions": CONDITIONS, "Resources": resources, "Outputs": {
        "MaterialsBucketName": {"Value": {"Ref": "MaterialsBucket"}},
        "AuditBucketName": {"Value": {"Ref": "AuditBucket"}},
        "ConsoleBucketName": {"Value": {"Ref": "ConsoleBucket"}},
        "CaseClockArn": {"Value": {"Ref": "CaseClock"}},
        "AlarmsTopicArn": {"Value": {"Ref": ALARMS_TOPIC}},
    }}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.stage == "local":
        raise SystemExit("the local stage runs on moto (make run); package dev or prod")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    origin = (os.environ.get("CONSOLE_ORIGIN") or "").strip().rstrip("/") or None
    if origin and not origin.startswith("https://"):
        raise SystemExit(f"CONSOLE_ORIGIN must be an https origin, got {origin!r}")
    # SMS_CHANNEL at packaging (make package SMS_CHANNEL=direct); unset: the region's default (gateway in cn-*)
    channel = sms_channel(os.environ.get("AWS_DEFAULT_REGION") or "cn-north-1", os.environ.get("SMS_CHANNEL"))
    args.out.write_text(json.dumps(build(args.stage, console_origin=origin, sms_channel=channel), indent=1,
                                   ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
