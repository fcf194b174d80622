"""The benches' moto world: environment first, the call recorder hooked in before any client exists,
then every resource provisioned and the Chalice app driven through its test client.

The applicant and materials are the tests' own support data (``tests/support/people.py``).
"""
from __future__ import annotations

import os
import sys

if "pytest" not in sys.modules:  # under pytest, tests/conftest.py has set the environment
    os.environ.update({"STAGE": "local", "RESOURCE_PREFIX": "subsidy-bench", "AWS_ACCESS_KEY_ID": "bench",
                       "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "cn-north-1"})
    for variable in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "CLOCK_NOW", "AWS_SESSION_TOKEN"):
        os.environ.pop(variable, None)

import json  # noqa: E402 - the environment above must be set before chalicelib reads it
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

from bench import recorder  # noqa: E402,F401 - hooks botocore before the first client is created

SHANGHAI_WINDOW = "310101002"  # 黄浦区南京东路街道 (受理地)
HARBIN_TOWNSHIP = "230102001"  # 哈尔滨市道里区 (业务属地)


@contextmanager
def quiet() -> Iterator[None]:
    """The app's JSON log lines and EMF metric lines stay out of the report."""
    import contextlib
    import io
    import logging

    logging.disable(logging.CRITICAL)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        logging.disable(logging.NOTSET)


@contextmanager
def no_gc() -> Iterator[None]:
    """Bulk seeding: Python's cyclic collector walks every live object again and again as moto's
    tables grow (100,000 cases: ~5x slower with it on); nothing seeded is cyclic garbage."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def moto_world() -> Iterator[dict[str, Any]]:
    """moto with the Step Functions interpreter on (as the tests and ``make run``), all resources."""
    from moto import mock_aws

    from bench import capacity
    from chalicelib.config import load
    from chalicelib.wiring import calendar_years, jurisdiction_rules
    from tools.local import stop_waits_for_start
    from tools.provision import provision, stop_executions

    stop_waits_for_start()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        capacity.forget_tables()
        created = provision(load())
        calendar_years().forget()
        jurisdiction_rules().forget()
        try:
            yield created
        finally:
            stop_executions(str(created["state_machine"]))


@dataclass
class Driver:
    """The Chalice test client with a token per role and the local stage's clock header."""

    client: Any
    now: str = "2026-09-24T09:30:00+08:00"

    def call(self, method: str, path: str, role: str, unit: str, body: Any = None) -> Any:
        from chalicelib.auth import issue_local_token
        from chalicelib.config import load

        secret = load().local_jwt_secret
        assert secret, "the bench runs the local stage"
        headers = {"Content-Type": "application/json", "X-Clock-Now": self.now,
                   "Authorization": f"Bearer {issue_local_token(secret, f'{role}-{unit}', role, unit)}"}
        response = getattr(self.client.http, method.lower())(path, headers=headers,
                                                              body=json.dumps(body) if body is not None else None)
        data = json.loads(response.body) if response.body else None
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path} answered {response.status_code}: {data}")
        return data

    def window(self, method: str, path: str, body: Any = None) -> Any:
        return self.call(method, path, "window", SHANGHAI_WINDOW, body)

    def reviewer(self, method: str, path: str, body: Any = None) -> Any:
        return self.call(method, path, "reviewer", HARBIN_TOWNSHIP, body)


@contextmanager
def driver() -> Iterator[Driver]:
    from chalice.test import Client

    import app as application

    with Client(application.app, stage_name="local") as client:
        yield Driver(client)


def browser_upload(upload: dict[str, Any], content: bytes) -> None:
    """What the browser's presigned POST stores (moto in process cannot take the POST itself)."""
    import boto3

    fields = upload["fields"]
    host = upload["url"].split("/")[2]
    bucket = host.split(".")[0] if "amazonaws" in host else upload["url"].rstrip("/").rsplit("/", 1)[-1]
    boto3.client("s3").put_object(Bucket=bucket, Key=fields["key"], Body=content, ContentType=fields["Content-Type"])


def settle(case_id: str, phase: str, seconds: float = 10.0) -> None:
    """Wait until the case's clock waits in ``phase`` with a task token, as it long has by the time
    a person takes the next step (the app would otherwise poll for it, and the count would depend on
    the machine's speed)."""
    from chalicelib.adapters.clock_table import ClockItems

    items = ClockItems()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = items.get(case_id)
        if state is not None and state.phase == phase and state.task_token:
            return
        time.sleep(0.01)
    raise RuntimeError(f"the clock of {case_id} did not reach {phase} in {seconds} s")
