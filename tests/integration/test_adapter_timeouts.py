"""A call that times out (no answer at all) is the storage error it is, in every adapter, never an AttributeError:
PynamoDB's ``cause_response_code`` raises one when botocore's error carries no response, so the adapters read the
code through ``adapters.dynamo.error_code``. On moto, with a timeout injected at the conditional write."""
from __future__ import annotations

import pytest
from pynamodb.exceptions import PynamoDBException

from chalicelib.adapters.idempotency_table import IdempotencyKeys
from chalicelib.adapters.limits_table import Counters
from tests.support import faults


@pytest.mark.parametrize("kind", ["timeout", "throttle"])
def test_a_conditional_write_that_fails_without_a_condition_answer_raises_the_storage_error(aws, kind):
    with faults.installed() as installed, installed.injecting(0, kind):
        with pytest.raises(PynamoDBException) as raised:
            IdempotencyKeys().claim("k-1", "f" * 64, "2026-09-24T10:00:00+08:00", 1000, 1060, 90000)
    assert not isinstance(raised.value.__context__, AttributeError)


def test_a_counter_whose_write_times_out_raises_the_storage_error(aws):
    with faults.installed() as installed, installed.injecting(0, "timeout"):
        with pytest.raises(PynamoDBException):
            Counters().take("window#1", 3, 2000)
