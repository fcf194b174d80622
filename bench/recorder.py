"""Every AWS call this process makes, counted through botocore's event system.

Importing this module appends ``before-call`` / ``after-call`` handlers to
``botocore.handlers.BUILTIN_HANDLERS``, the list every botocore session copies when it is created:
boto3's default session, and the private session PynamoDB opens per connection and thread
(``pynamodb.connection.base.Connection.session`` calls ``botocore.session.get_session()``). So import
it before the first client is made (moto hooks itself in the same way). The handlers do nothing
until a ``Recorder`` is active, and record only the thread that activated it: moto's Step Functions
interpreter runs each execution in a thread of its own, and the calls it makes stand for the
service's own integrations (billed as state transitions), which are kept apart as ``machine`` calls.

DynamoDB capacity: moto answers ``ReturnConsumedCapacity`` with a constant (1.0 or 0.5 units,
whatever the item size), so the units are computed from item sizes by DynamoDB's published rules
(``bench.capacity``), reading the items through a private client while recording is paused.
"""
from __future__ import annotations

import copy
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.handlers

from bench import capacity


@dataclass
class Call:
    label: str
    service: str
    operation: str
    params: dict[str, Any]
    seconds: float = 0.0
    read_units: float = 0.0
    write_units: float = 0.0
    index_write_units: float = 0.0  # the part of write_units spent on global secondary indexes
    step_no: int = -1  # which ``Recorder.step`` occurrence made the call
    items_read: int = 0  # Query/Scan: items evaluated (ScannedCount); GetItem: 1 when found
    failed: bool = False


@dataclass
class Recorder:
    """Counts (label, service, operation); ``capacity`` turns on the DynamoDB unit computation."""

    capacity: bool = True
    label: str = "-"
    calls: list[Call] = field(default_factory=list)
    machine: Counter[tuple[str, str]] = field(default_factory=Counter)
    thread: int = 0
    steps: list[tuple[str, float]] = field(default_factory=list)  # (label, wall seconds) per occurrence
    _open: dict[int, tuple[Call, float, Any]] = field(default_factory=dict)
    _paused: bool = False
    _step_no: int = -1

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        before, self.label = (self.label, self._step_no), label
        self._step_no = len(self.steps)
        self.steps.append((label, 0.0))
        started = time.perf_counter()
        try:
            yield
        finally:
            self.steps[self._step_no] = (label, time.perf_counter() - started)
            self.label, self._step_no = before

    @contextmanager
    def paused(self) -> Iterator[None]:
        before, self._paused = self._paused, True
        try:
            yield
        finally:
            self._paused = before

    def counts(self, label: str | None = None) -> Counter[tuple[str, str]]:
        return Counter((c.service, c.operation) for c in self.calls if label is None or c.label == label)

    def units(self, label: str | None = None) -> tuple[float, float]:
        chosen = [c for c in self.calls if label is None or c.label == label]
        return sum(c.read_units for c in chosen), sum(c.write_units for c in chosen)

    def labels(self) -> list[str]:
        return list(dict.fromkeys(c.label for c in self.calls))

    def of(self, label: str) -> list[Call]:
        return [c for c in self.calls if c.label == label]

    # the botocore handlers' halves
    def before(self, service: str, operation: str, context: Any) -> None:
        if threading.get_ident() != self.thread:
            self.machine[(service, operation)] += 1
            return
        params = context.get("bench_params", {}) if isinstance(context, dict) else {}
        call = Call(self.label, service, operation, params, step_no=self._step_no)
        prior = None
        if self.capacity and service == "dynamodb":
            with self.paused():
                prior = capacity.before(operation, params)
        self._open[id(context)] = (call, time.perf_counter(), prior)

    def after(self, service: str, operation: str, parsed: Any, context: Any) -> None:
        opened = self._open.pop(id(context), None)
        if opened is None:
            return
        call, started, prior = opened
        call.seconds = time.perf_counter() - started
        if isinstance(parsed, dict):
            call.failed = bool(parsed.get("Error"))
            call.items_read = int(parsed.get("ScannedCount", len(parsed.get("Items", []))) if "Items" in parsed
                                  else 1 if parsed.get("Item") else 0)
        if self.capacity and service == "dynamodb":
            with self.paused():
                call.read_units, call.write_units, call.index_write_units = capacity.after(
                    operation, call.params, parsed, prior)
        self.calls.append(call)


_active: list[Recorder] = []


@contextmanager
def recording(recorder: Recorder) -> Iterator[Recorder]:
    recorder.thread = threading.get_ident()
    _active.append(recorder)
    try:
        yield recorder
    finally:
        _active.remove(recorder)


def _service(model: Any) -> str:
    return str(model.service_model.service_name)


def _keep_params(params: Any = None, context: Any = None, **_: Any) -> None:
    """``before-parameter-build`` sees the API parameters (``before-call`` only the serialized request)."""
    if _active and isinstance(context, dict) and isinstance(params, dict):
        context["bench_params"] = copy.deepcopy(params)


def _before_call(model: Any = None, context: Any = None, **_: Any) -> None:
    for recorder in _active:  # the machine's threads are counted even while the request thread pauses
        if not recorder._paused or threading.get_ident() != recorder.thread:
            recorder.before(_service(model), model.name, context)


def _after_call(model: Any = None, parsed: Any = None, context: Any = None, **_: Any) -> None:
    for recorder in _active:
        if not recorder._paused and threading.get_ident() == recorder.thread:
            recorder.after(_service(model), model.name, parsed, context)


def _install() -> None:
    names = {getattr(handler, "__name__", "") for _, handler, *_ in botocore.handlers.BUILTIN_HANDLERS}
    if "_before_call" not in names:
        handlers = (("before-parameter-build", _keep_params), ("before-call", _before_call),
                    ("after-call", _after_call))
        botocore.handlers.BUILTIN_HANDLERS.extend(handlers)
        import boto3

        if boto3.DEFAULT_SESSION is not None:  # created before this import: its future clients get them too
            for event, handler in handlers:
                boto3.DEFAULT_SESSION._session.register(event, handler)


_install()


def by_operation(recorder: Recorder) -> dict[str, dict[str, int]]:
    """{label: {"service:Operation": count}} in the order the labels first appeared."""
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for label in recorder.labels():
        for (service, operation), count in sorted(recorder.counts(label).items()):
            table[label][f"{service}:{operation}"] = count
    return dict(table)
