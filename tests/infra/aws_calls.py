"""A pytest plugin recording every AWS call our code makes, by Lambda function, for the IAM test.

``pytest -p tests.infra.aws_calls`` with ``AWS_CALLS_OUT=<file>``: every botocore API call and every
presigned URL or POST (signed with the function's credentials, so it needs the same permission) is
written as ``[function, action, resource, sms channel]`` lines. A call is ours when ``app.py`` or the request
pipeline is on the stack; the function is the ``@app.schedule`` handler on the stack, else the API handler. Calls
made by the tests themselves (a browser's upload, provisioning) and by moto's Step Functions interpreter (the
state machine's own role) have no ``app.py`` frame and are not recorded.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import botocore.client
import botocore.signers

from infra.policies import API_HANDLER

APP_FILE = str(Path(__file__).resolve().parents[2] / "app.py")
# the API's handlers run behind the request pipeline's view (chalicelib/api/pipeline.py)
ENTRY_FILES = frozenset({APP_FILE, str(Path(__file__).resolve().parents[2] / "chalicelib" / "api" / "pipeline.py")})
_records: list[list[str]] = []


def _function() -> str | None:
    from app import app

    schedules = {source.name for source in app.event_sources}
    frame = sys._getframe(2)
    ours = False
    while frame is not None:
        if frame.f_code.co_filename in ENTRY_FILES:
            ours = True
            if frame.f_code.co_filename == APP_FILE and frame.f_code.co_name in schedules:
                return frame.f_code.co_name
        frame = frame.f_back
    return API_HANDLER if ours else None


def _record(service: str, operation: str, params: dict[str, Any]) -> None:
    from tests.infra.iam_actions import permissions

    function = _function()
    if function is not None:
        from chalicelib.config import sms_channel

        # the grants differ by SMS channel (infra.policies.grants); not config.load(), which may call AWS itself
        channel = sms_channel(os.environ.get("AWS_DEFAULT_REGION") or "", os.environ.get("SMS_CHANNEL"))
        for action, resource in permissions(service, operation, params):
            _records.append([function, action, resource, channel])


def pytest_configure(config: Any) -> None:
    if not os.environ.get("AWS_CALLS_OUT"):
        return
    make_call = botocore.client.BaseClient._make_api_call
    presign_url = botocore.signers.generate_presigned_url
    presign_post = botocore.signers.generate_presigned_post

    def recorded_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        _record(self.meta.service_model.service_name, operation_name, api_params)
        return make_call(self, operation_name, api_params)

    def recorded_url(self: Any, ClientMethod: str, Params: Any = None, *args: Any, **kwargs: Any) -> Any:  # noqa: N803
        operation = self.meta.method_to_api_mapping.get(ClientMethod, ClientMethod)
        _record(self.meta.service_model.service_name, operation, dict(Params or {}))
        return presign_url(self, ClientMethod, Params, *args, **kwargs)

    def recorded_post(self: Any, Bucket: str, Key: str, *args: Any, **kwargs: Any) -> Any:  # noqa: N803
        _record("s3", "PutObject", {"Bucket": Bucket, "Key": Key})
        return presign_post(self, Bucket, Key, *args, **kwargs)

    # client classes pick the presigners up from the module when they are created (after this)
    botocore.client.BaseClient._make_api_call = recorded_call  # type: ignore[method-assign]
    botocore.signers.generate_presigned_url = recorded_url
    botocore.signers.generate_presigned_post = recorded_post


def pytest_unconfigure(config: Any) -> None:
    out = os.environ.get("AWS_CALLS_OUT")
    if out:
        Path(out).write_text("\n".join(json.dumps(r) for r in _records) + "\n", encoding="utf-8")
