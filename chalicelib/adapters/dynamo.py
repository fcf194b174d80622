"""What every DynamoDB table of the application shares."""
from __future__ import annotations


class OnDemand:
    """PynamoDB ``Meta`` base: on-demand capacity (the region comes from the environment)."""

    billing_mode = "PAY_PER_REQUEST"
