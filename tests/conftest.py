"""Test-wide environment, set before any chalicelib module reads it (table names, stage)."""
from __future__ import annotations

import os

os.environ.update({
    "STAGE": "local",
    "RESOURCE_PREFIX": "subsidy-test",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "cn-north-1",
    # SNS straight to the number, as the milestone SMS tests expect (cn-north-1 alone would choose the gateway
    # channel); tests/integration/test_sms_gateway.py switches to the gateway
    "SMS_CHANNEL": "direct",
})
for variable in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "CLOCK_NOW", "CONSOLE_ORIGIN"):
    os.environ.pop(variable, None)
