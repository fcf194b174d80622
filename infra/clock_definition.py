"""The case clock (Step Functions, JSONPath ASL), generated from a table of phases.

``python -m infra.clock_definition`` rewrites ``infra/case_clock.asl.json``; a test checks the
file equals what this module generates, and cfn-lint validates it inside the template.

One Standard execution per case, named after the case. The case waits in one callback task, whatever its phase: it
stores its task token, the phase and whether it is late on the case's clock item, and times out at the phase's
deadline (``TimeoutSecondsPath``, computed by the app), which marks the deadline overdue, escalates to the
supervisors' topic, and waits on (late, no timeout). The app moves the clock with ``SendTaskSuccess`` whose output
is the next phase, and the same task waits again: one state transition per move (issue 18: Step Functions bills
transitions; the earlier machine routed each move through a Choice state and published the result on the way, 11
transitions for a full case against 4 now). The execution starts when the case enters its first clocked phase
(``phases.OFF_CLOCK``: the 收件时限 before the materials are complete is the daily sweep's alone). Telling the applicant closes the execution (``SendTaskFailure`` with
``CaseClosed``), withdrawal too (``CaseWithdrawn``). The result is returned to the 受理地 by the app on the decision.

Placeholders (CloudFormation ``DefinitionSubstitutions``, or ``adapters.clock`` locally):
``${ClocksTable}``, ``${EscalationsTopicArn}``, ``${Partition}``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalicelib.domain.cases.phases import CLOCK_END_ERRORS
from chalicelib.domain.cases.phases import PHASES as TABLE

DEFINITION_FILE = Path(__file__).with_name("case_clock.asl.json")

# phase kind -> (state name stem, has a statutory deadline): the phases the clock waits in (chalicelib.domain.cases.phases)
PHASES: dict[str, tuple[str, bool]] = {phase.key: (phase.state, phase.deadline is not None)
                                       for phase in TABLE if phase.state is not None}
WITHDRAWN_ERROR = CLOCK_END_ERRORS["withdrawn"]  # SendTaskFailure: the applicant withdrew
CLOSED_ERROR = CLOCK_END_ERRORS["closed"]  # SendTaskFailure: the applicant was told the result, the case is closed
# the app gives a phase entered after its deadline phases.NO_TIMEOUT as its seconds left: a wait that never times out
# An execution writes the clock item only while the item's restart count is the one it was started for: one a repair
# stopped (its write in flight as it was stopped) fails instead of overwriting its successor's phase and token.
OWN_ITEM = "attribute_not_exists(restarts) OR restarts = :restarts"
RESTARTS = {"N.$": "States.Format('{}', $.restarts)"}
WAIT, WAIT_LATE = "Await", "AwaitLate"


def _await(late: bool) -> dict[str, Any]:
    """The one state a case waits in, whatever its phase (``$.phase.kind``): the app's ``SendTaskSuccess`` output is
    the next phase and the state waits again — one state transition per move, no routing. A timed wait times out at
    the phase's deadline into the overdue mark and the escalation, then waits on late."""
    state: dict[str, Any] = {
        "Type": "Task",
        "Comment": "wait for the case to leave its phase" + (" (deadline passed)" if late else
                                                             " (times out at the phase's deadline)"),
        "Resource": "arn:${Partition}:states:::aws-sdk:dynamodb:updateItem.waitForTaskToken",
        "Parameters": {
            "TableName": "${ClocksTable}",
            "Key": {"case_id": {"S.$": "$.case_id"}},
            "UpdateExpression": "SET task_token = :token, clock_phase = :phase, entered_at = :at, late = :late",
            "ConditionExpression": OWN_ITEM,
            "ExpressionAttributeValues": {
                ":token": {"S.$": "$$.Task.Token"},
                ":phase": {"S.$": "$.phase.kind"},
                ":at": {"S.$": "$$.State.EnteredTime"},
                ":late": {"BOOL": True} if late else {"BOOL.$": "$.phase.late"},
                ":restarts": RESTARTS,
            },
        },
        "ResultPath": "$.phase",
        "Catch": [{"ErrorEquals": [WITHDRAWN_ERROR], "ResultPath": "$.ended", "Next": "Withdrawn"},
                  {"ErrorEquals": [CLOSED_ERROR], "ResultPath": "$.ended", "Next": "Closed"}],
        "Next": WAIT,
    }
    if not late:
        state["TimeoutSecondsPath"] = "$.phase.seconds_left"
        state["Catch"].append({"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": "MarkOverdue"})
    return state


def _overdue() -> dict[str, dict[str, Any]]:
    return {
        "MarkOverdue": {
            "Type": "Task",
            "Comment": "the phase's deadline passed: record it on the clock item (<phase>_overdue_at)",
            "Resource": "arn:${Partition}:states:::dynamodb:updateItem",
            "Parameters": {
                "TableName": "${ClocksTable}",
                "Key": {"case_id": {"S.$": "$.case_id"}},
                "UpdateExpression": "SET #overdue = :at",
                "ConditionExpression": OWN_ITEM,
                "ExpressionAttributeNames": {"#overdue.$": "States.Format('{}_overdue_at', $.phase.kind)"},
                "ExpressionAttributeValues": {":at": {"S.$": "$$.State.EnteredTime"}, ":restarts": RESTARTS},
            },
            "ResultPath": None,
            "Next": "Escalate",
        },
        "Escalate": {
            "Type": "Task",
            "Comment": "tell the supervisors that the phase's deadline passed",
            "Resource": "arn:${Partition}:states:::sns:publish",
            "Parameters": {
                "TopicArn": "${EscalationsTopicArn}",
                "Subject": "deadline-overdue",
                "Message.$": "States.JsonToString($.phase)",
                "MessageAttributes": {
                    "kind": {"DataType": "String", "StringValue.$": "$.phase.kind"},
                    "accepting_unit": {"DataType": "String", "StringValue.$": "$.phase.accepting_unit"},
                    "business_unit": {"DataType": "String", "StringValue.$": "$.phase.business_unit"},
                },
            },
            "ResultPath": None,
            "Next": WAIT_LATE,
        },
    }


def definition() -> dict[str, Any]:
    states: dict[str, Any] = {WAIT: _await(late=False), WAIT_LATE: _await(late=True), **_overdue()}
    states["Withdrawn"] = {"Type": "Succeed", "Comment": "the applicant withdrew"}
    states["Closed"] = {"Type": "Succeed", "Comment": "the applicant was told the result"}
    return {
        "Comment": "残疾人两项补贴 跨省通办: one execution per case, one waiting state for every phase; the deadlines "
                   "收件/推送/审核/补正/告知时限 time out into an overdue mark and an escalation",
        "StartAt": WAIT,
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
