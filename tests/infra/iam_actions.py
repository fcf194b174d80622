"""Which IAM actions, on which resources, an AWS API call needs (the services this app calls).

Resources are ARNs in the test's account and region (moto's): ``PARTITION``, ``REGION``, ``ACCOUNT``.
Where a service has no resource-level permission for an action, the resource is ``*``.
"""
from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import unquote

PARTITION, REGION, ACCOUNT = "aws-cn", "cn-north-1", "123456789012"
IAM_PREFIX = {"stepfunctions": "states"}

# S3 operations whose IAM action has another name
S3_ACTIONS = {
    "HeadObject": "GetObject",
    "ListObjectsV2": "ListBucket",
    "ListObjects": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "UploadPartCopy": "PutObject",
    "CopyObject": "PutObject",
}
TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                    "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
NO_RESOURCE = {("states", "SendTaskSuccess"), ("states", "SendTaskFailure"), ("states", "SendTaskHeartbeat")}


def _table(name: str, index: str | None = None) -> str:
    arn = f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
    return f"{arn}/index/{index}" if index else arn


def _dynamodb(operation: str, params: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        for item in params["TransactItems"]:
            [(kind, body)] = item.items()
            yield f"dynamodb:{TRANSACT_ACTIONS[kind]}", _table(body["TableName"])
    elif operation in ("BatchGetItem", "BatchWriteItem"):
        for name in params["RequestItems"]:
            yield f"dynamodb:{operation}", _table(name)
    else:
        yield f"dynamodb:{operation}", _table(params["TableName"], params.get("IndexName"))


def _s3(operation: str, params: dict[str, Any]) -> Iterator[tuple[str, str]]:
    action = S3_ACTIONS.get(operation, operation)
    if params.get("VersionId") and action in ("GetObject", "DeleteObject"):
        action += "Version"
    bucket = params["Bucket"]
    if action.startswith("List"):
        yield f"s3:{action}", f"arn:{PARTITION}:s3:::{bucket}"
        return
    yield f"s3:{action}", f"arn:{PARTITION}:s3:::{bucket}/{params['Key']}"
    source = params.get("CopySource")
    if source:
        text = source if isinstance(source, str) else f"{source['Bucket']}/{source['Key']}"
        path, _, version = unquote(text).lstrip("/").partition("?versionId=")
        yield ("s3:GetObjectVersion" if version else "s3:GetObject"), f"arn:{PARTITION}:s3:::{path}"


SQS_ACTIONS = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage",
               "ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}


def _queue(params: dict[str, Any]) -> str:
    """A queue's ARN from its name or URL (``https://host/<account>/<name>``)."""
    name = params.get("QueueName") or str(params["QueueUrl"]).rstrip("/").rsplit("/", 1)[-1]
    return f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{name}"


def permissions(service: str, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    prefix = IAM_PREFIX.get(service, service)
    if service == "dynamodb":
        return list(_dynamodb(operation, params))
    if service == "s3":
        return list(_s3(operation, params))
    if (prefix, operation) in NO_RESOURCE:
        return [(f"{prefix}:{operation}", "*")]
    if service == "sns":
        return [("sns:Publish", params.get("TopicArn") or params.get("TargetArn") or "*")]
    if service == "stepfunctions":
        return [(f"states:{operation}", params.get("stateMachineArn") or params.get("executionArn") or "*")]
    if service == "sqs":
        return [(f"sqs:{SQS_ACTIONS.get(operation, operation)}", _queue(params))]
    if service == "secretsmanager":
        return [(f"secretsmanager:{operation}", params["SecretId"])]
    return [(f"{prefix}:{operation}", "*")]
