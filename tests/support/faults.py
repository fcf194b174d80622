"""Faults at the AWS boundary: every botocore call our code makes, counted, and one of them made to fail.

``botocore.client.BaseClient._make_api_call`` is where boto3's client methods and PynamoDB's connection both
end, after the SDK's own retries would have run (they sit inside the call): a fault raised there is what the
application sees when the SDK has given up. Only calls made on the thread that opened the block count, so moto's
Step Functions interpreter (its own threads, the state machine's own role) and nothing else is never touched.

``recording()`` lists the calls a block makes (a dry run); ``injecting(n, kind)`` lets calls 0..n-1 through and
makes call ``n`` fail as ``kind``:

- ``throttle``: the service's throttling error (DynamoDB ``ProvisionedThroughputExceededException``, S3
  ``SlowDown`` 503, the others ``ThrottlingException`` 400);
- ``server``: a 5xx (DynamoDB ``InternalServerError`` 500, S3 ``InternalError`` 500, the others
  ``ServiceUnavailable`` 503);
- ``timeout``: ``ReadTimeoutError`` and the call never reached the service;
- ``lost_reply``: the call is made and takes effect, then the client sees ``ReadTimeoutError`` (the answer lost).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.client
from botocore.exceptions import ClientError, ReadTimeoutError

KINDS = ("throttle", "server", "timeout", "lost_reply")


READS = ("Get", "BatchGet", "Query", "Scan", "Describe", "List", "Head")


@dataclass(frozen=True)
class Call:
    service: str
    operation: str

    @property
    def writes(self) -> bool:
        """Whether the call changes something (a read whose answer is lost changed nothing: a timeout)."""
        return not self.operation.startswith(READS)

    def __str__(self) -> str:
        return f"{self.service}.{self.operation}"


@dataclass
class Shot:
    """One block under injection: the calls it made (up to and including the failed one) and whether it fired."""

    index: int
    kind: str
    calls: list[Call] = field(default_factory=list)
    fired: Call | None = None


def _client_error(call: Call, kind: str) -> ClientError:
    if kind == "throttle":
        code, status = {"dynamodb": ("ProvisionedThroughputExceededException", 400),
                        "s3": ("SlowDown", 503)}.get(call.service, ("ThrottlingException", 400))
    else:
        code, status = {"dynamodb": ("InternalServerError", 500),
                        "s3": ("InternalError", 500)}.get(call.service, ("ServiceUnavailable", 503))
    return ClientError({"Error": {"Code": code, "Message": f"injected {kind}"},
                        "ResponseMetadata": {"HTTPStatusCode": status, "MaxAttemptsReached": True}},
                       call.operation)


def _timeout(client: Any) -> ReadTimeoutError:
    return ReadTimeoutError(endpoint_url=client.meta.endpoint_url)


class Faults:
    """The patch (installed by ``installed()``), and the one block at a time that counts or injects."""

    def __init__(self) -> None:
        self._shot: Shot | None = None
        self._thread: int | None = None

    @contextmanager
    def recording(self) -> Iterator[list[Call]]:
        """The block's calls, in order; nothing fails."""
        shot = Shot(-1, "none")
        with self._armed(shot):
            yield shot.calls

    @contextmanager
    def injecting(self, index: int, kind: str) -> Iterator[Shot]:
        """Call ``index`` of the block fails as ``kind``; ``Shot.fired`` names it (None: the block made fewer)."""
        assert kind in KINDS, kind
        shot = Shot(index, kind)
        with self._armed(shot):
            yield shot

    @contextmanager
    def _armed(self, shot: Shot) -> Iterator[None]:
        assert self._shot is None, "one block at a time"
        self._shot, self._thread = shot, threading.get_ident()
        try:
            yield
        finally:
            self._shot, self._thread = None, None

    def call(self, make_call: Any, client: Any, operation: str, params: dict[str, Any]) -> Any:
        shot = self._shot
        if shot is None or threading.get_ident() != self._thread:
            return make_call(client, operation, params)
        call = Call(client.meta.service_model.service_name, operation)
        number = len(shot.calls)
        shot.calls.append(call)
        if number != shot.index:
            return make_call(client, operation, params)
        shot.fired = call
        if shot.kind == "timeout":
            raise _timeout(client)
        if shot.kind == "lost_reply":
            make_call(client, operation, params)
            raise _timeout(client)
        raise _client_error(call, shot.kind)


@contextmanager
def installed() -> Iterator[Faults]:
    """Patch botocore for the block (a module's tests); restored afterwards."""
    faults = Faults()
    original = botocore.client.BaseClient._make_api_call

    def patched(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        return faults.call(original, self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = patched  # type: ignore[method-assign]
    try:
        yield faults
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]
