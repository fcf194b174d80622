"""The case-clock definition: generated from the phase table, and valid for an outside validator."""
from __future__ import annotations

import json

from cfnlint.api import ManualArgs, lint

from infra.clock_definition import DEFINITION_FILE, PHASES, definition, render


def test_the_committed_definition_is_the_generated_one():
    assert DEFINITION_FILE.read_text(encoding="utf-8") == render(), "run: python -m infra.clock_definition"


def test_the_wait_times_out_into_an_overdue_mark_and_an_escalation_then_waits_late():
    states = definition()["States"]
    waiting, late = states["Await"], states["AwaitLate"]
    for state in (waiting, late):
        assert state["Resource"].endswith(":aws-sdk:dynamodb:updateItem.waitForTaskToken")
        catches = {tuple(c["ErrorEquals"]): c["Next"] for c in state["Catch"]}
        assert catches[("CaseWithdrawn",)] == "Withdrawn" and catches[("CaseClosed",)] == "Closed"
        assert state["Next"] == "Await"  # the next phase waits in the same state: one transition per move
    catches = {tuple(c["ErrorEquals"]): c["Next"] for c in waiting["Catch"]}
    assert waiting["TimeoutSecondsPath"] == "$.phase.seconds_left"
    assert catches[("States.Timeout",)] == "MarkOverdue"
    assert states["MarkOverdue"]["Next"] == "Escalate" and states["Escalate"]["Next"] == "AwaitLate"
    assert "TimeoutSecondsPath" not in late
    assert all(deadline for _stem, deadline in PHASES.values())  # every phase the clock waits in is timed


def _lint_errors(definition_text: str) -> list[str]:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"CaseClock": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "RoleArn": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/case-clock"},
            "Definition": json.loads(definition_text),
            "DefinitionSubstitutions": {"ClocksTable": "t", "EscalationsTopicArn": "e"}}}},
    }
    matches = lint(json.dumps(template), config=ManualArgs(regions=["cn-north-1", "us-east-1"]))
    return [str(m) for m in matches if m.rule.id.startswith("E")]


def test_cfn_lint_would_catch_a_broken_definition():
    broken = definition()
    del broken["States"]["Await"]["Resource"]
    broken["States"]["Escalate"]["Next"] = 7
    assert _lint_errors(json.dumps(broken).replace("${Partition}", "aws"))


def test_cfn_lint_finds_no_error_in_the_state_machine_as_deployed():
    # cfn-lint's E3601 schema only knows the "aws" partition in service-integration ARNs
    # (arn:aws-cn:states:::... is refused though Step Functions in China requires it), so the
    # structure is validated with the partition placeholder filled in as "aws".
    definition_text = DEFINITION_FILE.read_text(encoding="utf-8").replace("${Partition}", "aws")
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "CaseClock": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "StateMachineType": "STANDARD",
                    "RoleArn": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/case-clock"},
                    "Definition": json.loads(definition_text),
                    "DefinitionSubstitutions": {
                        "ClocksTable": "subsidy-dev-case-clocks",
                        "EscalationsTopicArn": {"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:esc"},
                    },
                },
            }
        },
    }
    matches = lint(json.dumps(template), config=ManualArgs(regions=["cn-north-1", "cn-northwest-1", "us-east-1"]))
    errors = [str(m) for m in matches if m.rule.id.startswith("E")]
    assert errors == []
