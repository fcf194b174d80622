"""What every DynamoDB table of the application shares."""
from __future__ import annotations

from pynamodb.exceptions import PynamoDBException


class OnDemand:
    """PynamoDB ``Meta`` base: on-demand capacity (the region comes from the environment)."""

    billing_mode = "PAY_PER_REQUEST"


def error_code(error: PynamoDBException) -> str | None:
    """The AWS error code of a failed call; None when it failed without an answer (a timeout), where PynamoDB's
    ``cause_response_code`` raises AttributeError (botocore's HTTP errors carry ``response = None``)."""
    response = getattr(error.cause, "response", None) or {}
    return response.get("Error", {}).get("Code")
