"""The merge template: tables as PynamoDB creates them, a role policy per function, partition-aware ARNs."""
from __future__ import annotations

import json
import re
from typing import Any

import boto3

from app import app
from infra import policies
from infra.tables import logical_id, short_name
from infra.template import build, function_ids
from tests.integration.conftest import moto_world
from tools.provision import MODELS


def _keys(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return sorted((k["AttributeName"], k["KeyType"]) for k in schema)


def _indexes(indexes: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {i["IndexName"]: (_keys(i["KeySchema"]), i["Projection"]["ProjectionType"],
                             sorted(i["Projection"].get("NonKeyAttributes", []))) for i in indexes or []}


def test_every_table_in_the_template_has_the_keys_types_and_indexes_pynamodb_creates():
    template = build("dev")["Resources"]
    with moto_world():
        client = boto3.client("dynamodb")
        for model in MODELS:
            created = client.describe_table(TableName=model.Meta.table_name)["Table"]
            declared = template[logical_id(model)]["Properties"]
            assert declared["TableName"] == f"subsidy-dev-{short_name(model)}"
            assert _keys(declared["KeySchema"]) == _keys(created["KeySchema"]), model.__name__
            assert declared["KeySchema"][0]["KeyType"] == "HASH"
            assert sorted(map(tuple, (d.values() for d in declared["AttributeDefinitions"]))) == sorted(
                map(tuple, (d.values() for d in created["AttributeDefinitions"]))), model.__name__
            assert _indexes(declared.get("GlobalSecondaryIndexes")) == _indexes(
                created.get("GlobalSecondaryIndexes")), model.__name__
            assert _indexes(declared.get("LocalSecondaryIndexes")) == _indexes(
                created.get("LocalSecondaryIndexes")), model.__name__
            assert created["BillingModeSummary"]["BillingMode"] == declared["BillingMode"]


def test_every_table_keeps_point_in_time_recovery_deletion_protection_and_the_customer_key():
    tables = [r for r in build("dev")["Resources"].values() if r.get("Type") == "AWS::DynamoDB::Table"]
    assert len(tables) == len(MODELS)
    for table in tables:
        properties = table["Properties"]
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert properties["DeletionProtectionEnabled"] is True and table["DeletionPolicy"] == "Retain"
        assert properties["SSESpecification"]["KMSMasterKeyId"] == {"Ref": "MaterialsKey"}


def test_each_chalice_function_gets_its_own_policy_on_its_own_role_and_the_deployed_names():
    resources = build("prod")["Resources"]
    ids = function_ids(app)
    assert set(ids) == {"api_handler", *(source.name for source in app.event_sources)}
    for name, (function_id, role_id) in ids.items():
        [policy] = resources[role_id]["Properties"]["Policies"]
        assert policy["PolicyDocument"]["Statement"], name
        environment = resources[function_id]["Properties"]["Environment"]["Variables"]
        assert environment["PERSON_KEY_SECRET_ARN"] == {"Ref": "PersonKeySecret"}
        assert "PERSON_KEY_SECRET" not in environment  # never the key itself
        assert resources[function_id]["Properties"]["FunctionName"].startswith("subsidy-prod-")


def test_no_statement_allows_every_action_and_star_resources_are_the_documented_exceptions():
    for name in policies.POLICIES:
        for grant in policies.grants(name, scheduled=name != policies.API_HANDLER):
            assert all(action != "*" and not action.endswith(":*") for action in grant.actions), (name, grant)
            if "*" in grant.resources:
                assert grant.actions[0].split(":")[0] in {"sns", "xray", "states"}, (name, grant)
                assert "resource-level" in grant.why, (name, grant)


def test_every_arn_in_the_template_is_built_with_the_partition():
    text = json.dumps(build("dev"))
    assert not re.search(r"arn:aws(-cn)?:", text), "use arn:${AWS::Partition}:"
    assert "arn:${AWS::Partition}:" in text


def test_the_prod_audit_bucket_locks_in_compliance_mode_and_other_stages_in_governance():
    def lock(stage: str) -> dict[str, Any]:
        return build(stage)["Resources"]["AuditBucket"]["Properties"]["ObjectLockConfiguration"]["Rule"]
    assert lock("prod")["DefaultRetention"]["Mode"] == "COMPLIANCE"
    assert lock("dev")["DefaultRetention"]["Mode"] == "GOVERNANCE"


def test_a_console_origin_opens_the_materials_bucket_and_the_functions_to_that_origin_alone():
    with_console = build("dev", console_origin="https://console.example.cn")["Resources"]
    rules = with_console["MaterialsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert [rule["AllowedOrigins"] for rule in rules] == [["https://console.example.cn"]]
    assert set(rules[0]["AllowedMethods"]) == {"GET", "POST"}
    assert with_console["APIHandler"]["Properties"]["Environment"]["Variables"]["CONSOLE_ORIGIN"] == \
        "https://console.example.cn"
    without = build("dev")["Resources"]
    assert "CorsConfiguration" not in without["MaterialsBucket"]["Properties"]
    assert "CONSOLE_ORIGIN" not in without["APIHandler"]["Properties"]["Environment"]["Variables"]


def test_the_receipts_public_address_is_a_parameter_every_function_receives():
    template = build("dev")
    assert template["Parameters"]["PublicBaseUrl"]["Default"] == ""
    for resource in template["Resources"].values():
        variables = resource.get("Properties", {}).get("Environment", {}).get("Variables")
        if variables is not None:
            assert variables["PUBLIC_BASE_URL"] == {"Ref": "PublicBaseUrl"}


def _publish_resources(statements: list[dict[str, Any]]) -> list[Any]:
    return [resource for s in statements if "sns:Publish" in s["Action"] for resource in s["Resource"]]


def test_the_sms_outbox_topic_is_encrypted_and_each_function_gets_the_channel_its_policy_was_built_for():
    from tools.provision import TOPICS

    ids = function_ids(app)
    for channel, phone_grant in (("gateway", False), ("direct", True)):
        resources = build("prod", sms_channel=channel)["Resources"]
        outbox = resources["SmsOutboxTopic"]["Properties"]
        assert outbox == {"TopicName": "subsidy-prod-sms-outbox", "KmsMasterKeyId": {"Ref": "MaterialsKey"}}
        for name in ("api_handler", "message_retries"):
            function_id, role_id = ids[name]
            environment = resources[function_id]["Properties"]["Environment"]["Variables"]
            assert environment["SMS_CHANNEL"] == channel
            assert environment["SMS_OUTBOX_TOPIC_ARN"] == {"Ref": "SmsOutboxTopic"}
            published = _publish_resources(resources[role_id]["Properties"]["Policies"][0]["PolicyDocument"][
                "Statement"])
            assert ({"Fn::Sub": "*"} in published) is phone_grant, (channel, name)  # SMS to any number: direct only
            assert ({"Fn::Sub": "${SmsOutboxTopic}"} in published) is not phone_grant, (channel, name)
    assert {f"subsidy-prod-{name}" for name in TOPICS} <= {
        r["Properties"]["TopicName"] for r in build("prod")["Resources"].values() if r.get("Type") == "AWS::SNS::Topic"}


def test_tracing_is_on_where_lambda_offers_it_and_off_in_the_china_regions():
    template = build("dev")
    assert template["Conditions"]["InChinaRegions"] == {"Fn::Equals": [{"Ref": "AWS::Partition"}, "aws-cn"]}
    functions = [r for r in template["Resources"].values() if "FunctionName" in r.get("Properties", {})]
    assert functions
    for function in functions:
        properties = function["Properties"]
        assert properties["Tracing"] == {"Fn::If": ["InChinaRegions", {"Ref": "AWS::NoValue"}, "Active"]}
        assert properties["Environment"]["Variables"]["POWERTOOLS_TRACE_DISABLED"] == \
            {"Fn::If": ["InChinaRegions", "true", "false"]}
    assert template["Resources"]["RestAPI"]["Properties"]["TracingEnabled"] == {"Fn::If": ["InChinaRegions", False,
                                                                                             True]}


def test_the_tracer_is_never_wanted_in_a_china_region(monkeypatch):
    from chalicelib.config import tracing_wanted

    monkeypatch.setenv("STAGE", "dev")
    monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")
    monkeypatch.delenv("POWERTOOLS_TRACE_DISABLED", raising=False)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    assert tracing_wanted()
    for region in ("cn-north-1", "cn-northwest-1"):
        monkeypatch.setenv("AWS_REGION", region)
        assert not tracing_wanted()


def test_api_gateways_own_answers_are_in_the_apis_error_format_and_a_401_names_bearer():
    template = build("dev")["Resources"]
    answers = {r["Properties"]["ResponseType"]: r["Properties"] for r in template.values()
               if r.get("Type") == "AWS::ApiGateway::GatewayResponse"}
    assert {"MISSING_AUTHENTICATION_TOKEN", "UNAUTHORIZED", "ACCESS_DENIED", "THROTTLED", "DEFAULT_4XX",
            "DEFAULT_5XX"} <= set(answers)
    for kind, properties in answers.items():
        assert properties["RestApiId"] == {"Ref": "RestAPI"}
        # API Gateway fills $context.error.messageString with a JSON string, quotes included
        body = properties["ResponseTemplates"]["application/json"].replace("$context.error.messageString",
                                                                           json.dumps("Missing Authentication Token"))
        error = json.loads(body)["error"]
        assert set(error) == {"code", "message", "field"} and re.fullmatch(r"[A-Z][A-Z0-9_]*", error["code"]), kind
    assert answers["UNAUTHORIZED"]["ResponseParameters"]["gatewayresponse.header.WWW-Authenticate"] == "'Bearer'"
    assert answers["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"
