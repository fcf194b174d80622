"""Alarms and the CloudWatch dashboard operators watch (docs/runbook.md says what each alarm means).

Metric names follow the contract in the team notes: namespace ``SubsidyCrossProvince``, dimension
``service`` = ``subsidy-cross-province`` plus ``Phase`` (D0 materials, D1 push, D2 decision, DS 补正, D3
notification) for
``DeadlineMet``, ``DeadlineMissed``, ``OpenCases``, ``OverdueCases``; ``MessageSendFailed`` by service.
The daily sweep logs one ``{"event": "case_overdue", "phase", "unit"}`` line per overdue case: the
Logs Insights widget counts them by unit.
"""
from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.cases.phases import TIMED

NAMESPACE = "SubsidyCrossProvince"
SERVICE = "subsidy-cross-province"
PHASES = tuple(str(phase.code) for phase in TIMED)  # D0, D1, D2, DS, D3 (chalicelib.domain.cases.phases)
ALARMS_TOPIC = "AlarmsTopic"


def _alarm(description: str, metric: dict[str, Any], threshold: float = 0, period: int = 300) -> dict[str, Any]:
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmDescription": description, **metric, "Statistic": "Sum", "Period": period, "EvaluationPeriods": 1,
        "Threshold": threshold, "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching",
        "AlarmActions": [{"Ref": ALARMS_TOPIC}], "OKActions": [{"Ref": ALARMS_TOPIC}]}}


def _dims(**dims: Any) -> list[dict[str, Any]]:
    return [{"Name": name, "Value": value} for name, value in dims.items()]


def alarms(prefix: str, functions: dict[str, tuple[str, str]], tables: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (function_id, _) in functions.items():
        for metric in ("Errors", "Throttles"):
            out[f"{function_id}{metric}Alarm"] = _alarm(
                f"{name}: Lambda {metric.lower()} (see docs/runbook.md#alarms)",
                {"Namespace": "AWS/Lambda", "MetricName": metric, "Dimensions": _dims(FunctionName={"Ref": function_id})})
    for table_id, table in tables.items():
        for metric in ("ReadThrottleEvents", "WriteThrottleEvents"):
            out[f"{table_id}{metric}Alarm"] = _alarm(
                f"{table['Properties']['TableName']}: DynamoDB {metric}",
                {"Namespace": "AWS/DynamoDB", "MetricName": metric, "Dimensions": _dims(TableName={"Ref": table_id})})
    for metric in ("ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"):
        out[f"CaseClock{metric}Alarm"] = _alarm(
            f"case clock: {metric} (an execution ended other than by withdrawal or closing)",
            {"Namespace": "AWS/States", "MetricName": metric, "Dimensions": _dims(StateMachineArn={"Ref": "CaseClock"})})
    out["ScheduleDeadLettersAlarm"] = _alarm(
        "a scheduled job failed after its retries: its event waits in the dead-letter queue",
        {"Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
         "Dimensions": _dims(QueueName={"Fn::GetAtt": ["ScheduleDeadLetters", "QueueName"]})})
    out["UnitJobsDeadLettersAlarm"] = _alarm(
        "a township's monthly check, review or reminder job failed its receives: it waits in the unit jobs' "
        "dead-letter queue (docs/runbook.md)",
        {"Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
         "Dimensions": _dims(QueueName={"Fn::GetAtt": ["UnitJobsDeadLetters", "QueueName"]})})
    for phase in PHASES:
        out[f"DeadlineMissed{phase}Alarm"] = _alarm(
            f"a statutory deadline ({phase}) was missed", {
                "Namespace": NAMESPACE, "MetricName": "DeadlineMissed", "Dimensions": _dims(service=SERVICE, Phase=phase)},
            period=3600)
    out["MessageSendFailedAlarm"] = _alarm(
        "an applicant's SMS could not be sent after its retries",
        {"Namespace": NAMESPACE, "MetricName": "MessageSendFailed", "Dimensions": _dims(service=SERVICE)}, period=3600)
    return out


def _metric_widget(title: str, metrics: list[list[Any]], stat: str = "Sum", period: int = 300,
                   width: int = 12) -> dict[str, Any]:
    return {"type": "metric", "width": width, "height": 6, "properties": {
        "title": title, "metrics": metrics, "stat": stat, "period": period, "region": "${AWS::Region}",
        "view": "timeSeries"}}


def dashboard(prefix: str, functions: dict[str, tuple[str, str]]) -> dict[str, Any]:
    daily = 86400
    by_phase = [[NAMESPACE, metric, "service", SERVICE, "Phase", phase] for metric in ("OpenCases",)
                for phase in PHASES]
    overdue = [[NAMESPACE, "OverdueCases", "service", SERVICE, "Phase", phase] for phase in PHASES]
    deadlines = [[NAMESPACE, metric, "service", SERVICE, "Phase", phase]
                 for metric in ("DeadlineMet", "DeadlineMissed") for phase in PHASES]
    errors = [["AWS/Lambda", "Errors", "FunctionName", f"${{{fid}}}"] for fid, _ in functions.values()]
    throttles = [["AWS/Lambda", "Throttles", "FunctionName", f"${{{fid}}}"] for fid, _ in functions.values()]
    sweep_logs = "/aws/lambda/" + f"{prefix}-daily-sweep"
    query = (f"SOURCE '{sweep_logs}' | filter event = \"case_overdue\" "
             "| stats count(*) as overdue by unit, phase | sort overdue desc | limit 100")
    widgets = [
        _metric_widget("Open cases by phase (daily census)", by_phase, "Maximum", daily),
        _metric_widget("Overdue cases by phase (daily census)", overdue, "Maximum", daily),
        _metric_widget("Deadlines met / missed by phase", deadlines, "Sum", daily),
        {"type": "log", "width": 12, "height": 6, "properties": {
            "title": "Overdue cases by responsible unit (today's sweep)", "query": query,
            "region": "${AWS::Region}", "view": "table"}},
        _metric_widget("Lambda errors", errors),
        _metric_widget("Lambda throttles", throttles),
        {"type": "metric", "width": 12, "height": 6, "properties": {
            "title": "DynamoDB throttled requests", "stat": "Sum", "period": 300, "region": "${AWS::Region}",
            "metrics": [[{"expression": f"SEARCH('{{AWS/DynamoDB,TableName}} MetricName=\"ThrottledRequests\" "
                                        f"TableName=\"{prefix}-\"', 'Sum', 300)", "id": "throttles"}]]}},
        _metric_widget("Case clock executions", [["AWS/States", m, "StateMachineArn", "${CaseClock}"]
                                                 for m in ("ExecutionsStarted", "ExecutionsFailed",
                                                           "ExecutionsTimedOut")]),
    ]
    return {"Type": "AWS::CloudWatch::Dashboard", "Properties": {
        "DashboardName": f"{prefix}-operations",
        "DashboardBody": {"Fn::Sub": json.dumps({"widgets": widgets}, ensure_ascii=False)}}}
