"""The case clock (Step Functions, JSONPath ASL), generated from a table of phases.

``python -m infra.clock_definition`` rewrites ``infra/case_clock.asl.json``; a test checks the
file equals what this module generates, and cfn-lint validates it inside the template.

One Standard execution per case, named after the case. Each phase waits on a callback task that
stores its task token on the case's clock item; the statutory phases time out at the deadline
(``TimeoutSecondsPath``, computed by the app), mark the deadline overdue, escalate to the
supervisors' topic, and wait on. The app moves the clock with ``SendTaskSuccess`` whose output
is the next phase; a decision's result is published to the 受理地's results topic on the way.
Withdrawal ends the execution (``SendTaskFailure`` with ``CaseWithdrawn``).

Placeholders (CloudFormation ``DefinitionSubstitutions``, or ``adapters.clock`` locally):
``${ClocksTable}``, ``${EscalationsTopicArn}``, ``${ResultsTopicArn}``, ``${Partition}``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalicelib.domain.cases.phases import PHASES as TABLE

DEFINITION_FILE = Path(__file__).with_name("case_clock.asl.json")

# phase kind -> (state name stem, has a statutory deadline): the phases the clock waits in (chalicelib.domain.cases.phases)
PHASES: dict[str, tuple[str, bool]] = {phase.key: (phase.state, phase.deadline is not None)
                                       for phase in TABLE if phase.state is not None}
WITHDRAWN_ERROR = "CaseWithdrawn"
# An execution writes the clock item only while the item's restart count is the one it was started for: one a repair
# stopped (its write in flight as it was stopped) fails instead of overwriting its successor's phase and token.
OWN_ITEM = "attribute_not_exists(restarts) OR restarts = :restarts"
RESTARTS = {"N.$": "States.Format('{}', $.restarts)"}


def _await(kind: str, late: bool) -> dict[str, Any]:
    stem, deadline = PHASES[kind]
    state: dict[str, Any] = {
        "Type": "Task",
        "Comment": f"wait for the case to leave phase {kind}" + (" (deadline passed)" if late else ""),
        "Resource": "arn:${Partition}:states:::aws-sdk:dynamodb:updateItem.waitForTaskToken",
        "Parameters": {
            "TableName": "${ClocksTable}",
            "Key": {"case_id": {"S.$": "$.case_id"}},
            "UpdateExpression": "SET task_token = :token, clock_phase = :phase, entered_at = :at, late = :late",
            "ConditionExpression": OWN_ITEM,
            "ExpressionAttributeValues": {
                ":token": {"S.$": "$$.Task.Token"},
                ":phase": {"S": kind},
                ":at": {"S.$": "$$.State.EnteredTime"},
                ":late": {"BOOL": late},
                ":restarts": RESTARTS,
            },
        },
        "ResultPath": "$.phase",
        "Catch": [{"ErrorEquals": [WITHDRAWN_ERROR], "ResultPath": "$.ended", "Next": "Withdrawn"}],
        "Next": "Route",
    }
    if deadline and not late:
        state["TimeoutSecondsPath"] = "$.phase.seconds_left"
        state["Catch"].append({"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout",
                               "Next": f"Mark{stem}Overdue"})
    return state


def _overdue(kind: str) -> dict[str, dict[str, Any]]:
    stem, _ = PHASES[kind]
    return {
        f"Mark{stem}Overdue": {
            "Type": "Task",
            "Comment": f"the {kind} deadline passed: record it on the clock item",
            "Resource": "arn:${Partition}:states:::dynamodb:updateItem",
            "Parameters": {
                "TableName": "${ClocksTable}",
                "Key": {"case_id": {"S.$": "$.case_id"}},
                "UpdateExpression": "SET #overdue = :at",
                "ConditionExpression": OWN_ITEM,
                "ExpressionAttributeNames": {"#overdue": f"{kind}_overdue_at"},
                "ExpressionAttributeValues": {":at": {"S.$": "$$.State.EnteredTime"}, ":restarts": RESTARTS},
            },
            "ResultPath": None,
            "Next": f"Escalate{stem}",
        },
        f"Escalate{stem}": {
            "Type": "Task",
            "Comment": f"tell the supervisors that the {kind} deadline passed",
            "Resource": "arn:${Partition}:states:::sns:publish",
            "Parameters": {
                "TopicArn": "${EscalationsTopicArn}",
                "Subject": "deadline-overdue",
                "Message.$": "States.JsonToString($.phase)",
                "MessageAttributes": {
                    "kind": {"DataType": "String", "StringValue": kind},
                    "accepting_unit": {"DataType": "String", "StringValue.$": "$.phase.accepting_unit"},
                    "business_unit": {"DataType": "String", "StringValue.$": "$.phase.business_unit"},
                },
            },
            "ResultPath": None,
            "Next": f"Await{stem}Late",
        },
    }


def _choice(name: str, publish_result: bool) -> dict[str, Any]:
    """Route (after a move) or Resume (a fresh or repaired execution) to the phase's state."""
    choices: list[dict[str, Any]] = []
    for kind, (stem, deadline) in PHASES.items():
        target = "PublishResult" if kind == "notify" and publish_result else f"Await{stem}"
        if deadline:
            choices.append({"And": [{"Variable": "$.phase.kind", "StringEquals": kind},
                                    {"Variable": "$.phase.late", "BooleanEquals": True}],
                            "Next": f"Await{stem}Late"})
        choices.append({"Variable": "$.phase.kind", "StringEquals": kind, "Next": target})
    return {"Type": "Choice", "Comment": f"{name}: go to the state of $.phase.kind", "Choices": choices,
            "Default": "Closed"}


def definition() -> dict[str, Any]:
    states: dict[str, Any] = {"Resume": _choice("Resume", publish_result=False),
                              "Route": _choice("Route", publish_result=True)}
    for kind, (stem, deadline) in PHASES.items():
        states[f"Await{stem}"] = _await(kind, late=False)
        if deadline:
            states[f"Await{stem}Late"] = _await(kind, late=True)
            states.update(_overdue(kind))
    states["PublishResult"] = {
        "Type": "Task",
        "Comment": "return the result to the 受理地 at once (实时返回)",
        "Resource": "arn:${Partition}:states:::sns:publish",
        "Parameters": {
            "TopicArn": "${ResultsTopicArn}",
            "Subject": "case-result",
            "Message.$": "States.JsonToString($.phase.result)",
            "MessageAttributes": {
                "accepting_unit": {"DataType": "String", "StringValue.$": "$.phase.accepting_unit"},
                "business_unit": {"DataType": "String", "StringValue.$": "$.phase.business_unit"},
                "outcome": {"DataType": "String", "StringValue.$": "$.phase.result.outcome"},
            },
        },
        "ResultPath": None,
        "Next": "AwaitNotify",
    }
    states["Withdrawn"] = {"Type": "Succeed", "Comment": "the applicant withdrew"}
    states["Closed"] = {"Type": "Succeed", "Comment": "the applicant was told the result"}
    return {
        "Comment": "残疾人两项补贴 跨省通办: one execution per case; statutory clocks D1/D2/D3",
        "StartAt": "Resume",
        "States": states,
    }


def render() -> str:
    return json.dumps(definition(), ensure_ascii=False, indent=2) + "\n"


def substituted(values: dict[str, str]) -> str:
    """The definition with its ``${Name}`` placeholders filled (what CloudFormation does)."""
    text = DEFINITION_FILE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    return text


if __name__ == "__main__":
    DEFINITION_FILE.write_text(render(), encoding="utf-8")
    print(f"wrote {DEFINITION_FILE}")
