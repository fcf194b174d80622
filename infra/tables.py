"""DynamoDB tables for the template, generated from the PynamoDB models (``tools.provision.MODELS``).

Keys, attribute types, global and local secondary indexes with their projections and the billing
mode come from each model's own schema (what PynamoDB sends to ``CreateTable``), so the template
cannot drift from the code; ``tests/infra/test_template.py`` also compares them with the tables
PynamoDB creates on moto. Every table: point-in-time recovery, deletion protection, the customer key,
kept on stack deletion.
"""
from __future__ import annotations

from typing import Any

from pynamodb.models import Model

from chalicelib.config import resource_prefix
from tools.provision import MODELS

TTL_ATTRIBUTE = "expires_at"  # housekeeping only: no deadline ever depends on TTL (moto never expires)


def short_name(model: type[Model]) -> str:
    """The name the code gives ``config.table_name`` (without the stage prefix of this process)."""
    return str(model.Meta.table_name).removeprefix(f"{resource_prefix()}-")


def logical_id(model: type[Model]) -> str:
    return "".join(part.capitalize() for part in short_name(model).split("-")) + "Table"


def _keys(schema: list[dict[str, str]]) -> list[dict[str, str]]:
    """HASH first, as DynamoDB requires (PynamoDB lists them in attribute order)."""
    return sorted(({"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in schema),
                  key=lambda k: k["KeyType"] != "HASH")


def _projection(index: dict[str, Any]) -> dict[str, Any]:
    projection = {"ProjectionType": index["projection"]["ProjectionType"]}
    if index["projection"].get("NonKeyAttributes"):
        projection["NonKeyAttributes"] = list(index["projection"]["NonKeyAttributes"])
    return projection


def table_properties(model: type[Model], prefix: str, key_id: str) -> dict[str, Any]:
    schema = model._get_schema()
    properties: dict[str, Any] = {
        "TableName": f"{prefix}-{short_name(model)}",
        "BillingMode": getattr(model.Meta, "billing_mode", None) or "PROVISIONED",
        "AttributeDefinitions": sorted(schema["attribute_definitions"], key=lambda a: a["AttributeName"]),
        "KeySchema": _keys(schema["key_schema"]),
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "DeletionProtectionEnabled": True,
        "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Ref": key_id}},
    }
    for kind, name in (("global_secondary_indexes", "GlobalSecondaryIndexes"),
                       ("local_secondary_indexes", "LocalSecondaryIndexes")):
        indexes = [{"IndexName": index["index_name"], "KeySchema": _keys(index["key_schema"]),
                    "Projection": _projection(index)} for index in schema.get(kind) or []]
        if indexes:
            properties[name] = sorted(indexes, key=lambda i: i["IndexName"])
    if TTL_ATTRIBUTE in model.get_attributes():
        properties["TimeToLiveSpecification"] = {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    return properties


def table_resources(prefix: str, key_id: str) -> dict[str, Any]:
    return {logical_id(model): {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain",
                                "UpdateReplacePolicy": "Retain", "Properties": table_properties(model, prefix, key_id)}
            for model in MODELS}
