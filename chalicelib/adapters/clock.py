"""Step Functions: the case clock's executions (start, move, end, inspect).

Errors are translated at this border: every method either does its job or raises
``ClockUnavailable``, which the service turns into a pending flag for the sweep to repair.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Mapping

from botocore.exceptions import BotoCoreError, ClientError

from ..config import load
from ..domain.cases.phases import CLOCK_END_ERRORS
from ..domain.refusals import ClockUnavailable


@lru_cache(maxsize=1)
def _sfn() -> Any:
    import boto3  # with the first client: GET /cases makes none (issue 18)

    return boto3.client("stepfunctions", region_name=load().region)


def _call(operation: str, **kwargs: Any) -> Any:
    try:
        return getattr(_sfn(), operation)(**kwargs)
    except (ClientError, BotoCoreError) as error:
        raise ClockUnavailable(f"{operation}: {error}") from error


class CaseClock:
    def __init__(self, state_machine_arn: str | None = None) -> None:
        self.state_machine_arn = state_machine_arn or load().clock_state_machine_arn

    def execution_arn(self, name: str) -> str:
        # arn:<partition>:states:<region>:<account>:stateMachine:<sm> -> ...:execution:<sm>:<name>
        prefix, machine = self.state_machine_arn.split(":stateMachine:")
        return f"{prefix}:execution:{machine}:{name}"

    def start(self, name: str, case_id: str, phase: Mapping[str, Any], restarts: int = 0) -> None:
        """Start the case's execution at ``phase``; a repeated start of the same name is harmless. ``restarts``: the
        clock item's restart count this execution belongs to (its writes to the item are conditioned on it, so an
        execution stopped by a repair cannot overwrite its successor's phase and token)."""
        try:
            _sfn().start_execution(stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(
                {"case_id": case_id, "phase": dict(phase), "restarts": restarts}, ensure_ascii=False))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise ClockUnavailable(f"start_execution: {error}") from error
        except BotoCoreError as error:
            raise ClockUnavailable(f"start_execution: {error}") from error

    def advance(self, task_token: str, phase: Mapping[str, Any]) -> None:
        """Release the waiting task: the case moved on to ``phase``."""
        _call("send_task_success", taskToken=task_token, output=json.dumps(dict(phase), ensure_ascii=False))

    def end(self, task_token: str, final_phase: str) -> None:
        """End the execution in the state of the case's final phase: Closed (told) or Withdrawn."""
        _call("send_task_failure", taskToken=task_token, error=CLOCK_END_ERRORS[final_phase], cause=final_phase)

    def stop(self, name: str, reason: str) -> None:
        try:
            _sfn().stop_execution(executionArn=self.execution_arn(name), cause=reason[:200])
        except ClientError as error:
            if error.response["Error"]["Code"] not in {"ExecutionDoesNotExist"}:
                raise ClockUnavailable(f"stop_execution: {error}") from error
        except BotoCoreError as error:
            raise ClockUnavailable(f"stop_execution: {error}") from error

    def status(self, name: str) -> str | None:
        """RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, or None when there is no such execution."""
        try:
            return str(_sfn().describe_execution(executionArn=self.execution_arn(name))["status"])
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionDoesNotExist":
                return None
            raise ClockUnavailable(f"describe_execution: {error}") from error
        except BotoCoreError as error:
            raise ClockUnavailable(f"describe_execution: {error}") from error

    def create_state_machine(self, name: str, definition: str, role_arn: str) -> str:
        """Create the machine (local runs; CloudFormation in deployed stages)."""
        machines = _call("list_state_machines")["stateMachines"]
        for machine in machines:
            if machine["name"] == name:
                _call("update_state_machine", stateMachineArn=machine["stateMachineArn"], definition=definition)
                return str(machine["stateMachineArn"])
        return str(_call("create_state_machine", name=name, definition=definition, roleArn=role_arn,
                         type="STANDARD")["stateMachineArn"])
