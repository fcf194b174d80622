"""The case-clock definition: generated from the phase table, and valid for an outside validator."""
from __future__ import annotations

import json

from cfnlint.api import ManualArgs, lint

from infra.clock_definition import DEFINITION_FILE, PHASES, definition, render


def test_the_committed_definition_is_the_generated_one():
    assert DEFINITION_FILE.read_text(encoding="utf-8") == render(), "run: python -m infra.clock_definition"


def test_every_statutory_phase_times_out_into_an_overdue_mark_and_an_escalation():
    states = definition()["States"]
    for stem, has_deadline in PHASES.values():
        waiting = states[f"Await{stem}"]
        assert waiting["Resource"].endswith(":aws-sdk:dynamodb:updateItem.waitForTaskToken")
        catches = {tuple(c["ErrorEquals"]): c["Next"] for c in waiting["Catch"]}
        assert catches[("CaseWithdrawn",)] == "Withdrawn"
        if has_deadline:
            assert waiting["TimeoutSecondsPath"] == "$.phase.seconds_left"
            assert catches[("States.Timeout",)] == f"Mark{stem}Overdue"
            assert states[f"Mark{stem}Overdue"]["Next"] == f"Escalate{stem}"
            assert states[f"Escalate{stem}"]["Next"] == f"Await{stem}Late"
            assert "TimeoutSecondsPath" not in states[f"Await{stem}Late"]
        else:
            assert "TimeoutSecondsPath" not in waiting


def _lint_errors(definition_text: str) -> list[str]:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"CaseClock": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "RoleArn": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/case-clock"},
            "Definition": json.loads(definition_text),
            "DefinitionSubstitutions": {"ClocksTable": "t", "EscalationsTopicArn": "e", "ResultsTopicArn": "r"}}}},
    }
    matches = lint(json.dumps(template), config=ManualArgs(regions=["cn-north-1", "us-east-1"]))
    return [str(m) for m in matches if m.rule.id.startswith("E")]


def test_cfn_lint_would_catch_a_broken_definition():
    broken = definition()
    del broken["States"]["AwaitPush"]["Resource"]
    broken["States"]["Route"]["Choices"][0]["Next"] = 7
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
                        "ResultsTopicArn": {"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:res"},
                    },
                },
            }
        },
    }
    matches = lint(json.dumps(template), config=ManualArgs(regions=["cn-north-1", "cn-northwest-1", "us-east-1"]))
    errors = [str(m) for m in matches if m.rule.id.startswith("E")]
    assert errors == []
