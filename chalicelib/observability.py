"""Logs, metrics and traces for the operators (AWS Lambda Powertools), set up once.

Logs: one JSON object per line on stdout (CloudWatch Logs), ``service`` from POWERTOOLS_SERVICE_NAME,
``correlation_id`` on every line of a request or a scheduled run, ``case_id`` while one case is
handled. Our own modules (the ``chalicelib`` loggers) write through the same handler. Every line
passes a mask that replaces anything shaped like an 18-character ID number (身份证号) or a mobile
number: the code never logs them, and the mask is the second line of defence.

Metrics: CloudWatch embedded metric format (EMF) on stdout, namespace ``SubsidyCrossProvince``,
dimension ``service`` (plus ``Phase`` D1/D2/D3 for the deadline metrics). A request or a scheduled
run collects its metrics and flushes them once at its end; a metric outside either is flushed at
once. POWERTOOLS_METRICS_DISABLED (or POWERTOOLS_DEV) silences them.

Traces: X-Ray through the Powertools Tracer (boto3 and botocore patched), one subsegment per route
or scheduled run annotated with the route (or job) and the case id, never personal data. Only in a
deployed stage inside Lambda: the X-Ray SDK costs ~0.3 s to import, so nothing loads it elsewhere.
The Lambda package does not carry the SDK (the China regions, where the functions run, offer no X-Ray
with Lambda; docs/decisions.md): where tracing is wanted and the SDK is absent, the functions run
untraced (Lambda's active tracing still records each invocation) and say so once.
"""
from __future__ import annotations

import functools
import json
import logging
import re
import sys
import threading
import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.filters import SuppressFilter
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from msgspec import Struct, field

from . import config

if TYPE_CHECKING:  # the annotations only: the metrics set-up needs no case module
    from .domain.cases.outcomes import Census, DeadlineFact

NAMESPACE = "SubsidyCrossProvince"
CORRELATION_HEADER = "X-Correlation-Id"
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")  # 8 to 64 characters, no spaces or quotes

# 18-character ID number: 17 digits and a check character, and the 残疾人证 number (the ID number and
# two digits). Case ids (C + yyyymmdd + hex) may hold 18 digits in a row, but start "20"; no province
# code does, so those are left alone.
ID_NUMBER = re.compile(r"(?<!\d)(?!20)[1-9]\d{16}[\dXx](?:\d{2})?(?!\d)")
# Mainland mobile numbers, with or without +86/0086 and spaces or dashes (138 0013 8000).
MOBILE = re.compile(r"(?<!\d)(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
MASKED_ID, MASKED_PHONE = "[id-number masked]", "[phone masked]"


def mask(text: str) -> str:
    """``text`` with every ID-number-shaped and mobile-shaped run replaced."""
    return MOBILE.sub(MASKED_PHONE, ID_NUMBER.sub(MASKED_ID, text))


class MaskingFormatter(LambdaPowertoolsFormatter):
    """The Powertools JSON line, masked as a whole (message, extra keys, exception text alike).
    Chinese stays as is (no \\u escapes), so a number right after a Chinese character is still found."""

    def __init__(self) -> None:
        super().__init__(json_serializer=functools.partial(json.dumps, ensure_ascii=False, default=str,
                                                           separators=(",", ":")))

    def serialize(self, log: Mapping[str, Any]) -> str:  # type: ignore[override]
        return mask(super().serialize(log))  # type: ignore[arg-type]


class CurrentStdout(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``sys.stdout`` as it is at each line (Lambda's stdout; a test's capture)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


def _logger() -> Logger:
    handler = CurrentStdout(sys.stdout)
    structured = Logger(service=config.service_name(), logger_handler=handler, logger_formatter=MaskingFormatter())
    ours = logging.getLogger("chalicelib")  # every chalicelib.* module logger propagates here
    if handler not in ours.handlers:
        ours.addHandler(handler)
    ours.setLevel(logging.INFO)
    # In Lambda the runtime's root handler would print our lines again as plain text; Powertools
    # already keeps the service's own logger out of it.
    for root_handler in logging.getLogger().handlers:
        if type(root_handler).__module__ != "_pytest.logging":
            root_handler.addFilter(SuppressFilter("chalicelib"))
    return structured


log = _logger()


# --- correlation ids ------------------------------------------------------------------------------

def _fresh() -> str:
    while True:
        candidate = str(uuid.uuid4())
        if mask(candidate) == candidate:  # a uuid could, rarely, hold a phone-shaped run of digits
            return candidate


def correlation_id(sent: str | None, request_id: str | None) -> str:
    """The client's ``X-Correlation-Id`` when well formed, else API Gateway's request id, else new."""
    for candidate in (sent, request_id):
        if candidate and WELL_FORMED.fullmatch(candidate) and mask(candidate) == candidate:
            return candidate
    return _fresh()


# --- metrics --------------------------------------------------------------------------------------

class _Batch(Struct):
    """What one request or scheduled run emitted: counts add up, a gauge keeps its last value."""

    values: dict[tuple[str, str | None], float] = field(default_factory=dict)

    def add(self, name: str, phase: str | None, value: float, gauge: bool) -> None:
        key = (name, phase)
        self.values[key] = value if gauge else self.values.get(key, 0.0) + value


_local = threading.local()


def _emit(batch: _Batch) -> None:
    """One EMF document per dimension set (all metrics of a document share its dimensions)."""
    groups: dict[str | None, list[tuple[str, float]]] = {}
    for (name, phase), value in batch.values.items():
        groups.setdefault(phase, []).append((name, value))
    for phase, values in groups.items():
        metrics = EphemeralMetrics(namespace=NAMESPACE, service=config.service_name())
        if phase is not None:
            metrics.add_dimension(name="Phase", value=phase)
        for name, value in values:
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
        metrics.flush_metrics()


def _record(name: str, phase: str | None, value: float, gauge: bool = False) -> None:
    batch: _Batch | None = getattr(_local, "batch", None)
    if batch is not None:
        batch.add(name, phase, value, gauge)
    else:  # outside a request or a scheduled run (a tool calling a service): now
        single = _Batch()
        single.add(name, phase, value, gauge)
        _emit(single)


def count(name: str, phase: str | None = None, value: float = 1) -> None:
    _record(name, phase, value)


def gauge(name: str, phase: str | None, value: float) -> None:
    _record(name, phase, value, gauge=True)


def deadlines(facts: Iterable[DeadlineFact]) -> None:
    """DeadlineMet / DeadlineMissed per phase; a missed deadline also gets a log line."""
    for fact in facts:
        if fact.outcome == "met":
            count("DeadlineMet", fact.phase)
        elif fact.outcome == "missed":
            count("DeadlineMissed", fact.phase)
            log.warning("deadline missed", event="deadline_missed", case_id=fact.case_id, phase=fact.phase,
                        unit=fact.unit, due_on=fact.due_on.isoformat())


def census(found: Census) -> None:
    """The daily sweep's gauges, and one ``case_overdue`` line per deadline past due."""
    for phase, running in found.running.items():
        gauge("OpenCases", phase, running)
        gauge("OverdueCases", phase, found.overdue.get(phase, 0))
    for fact in found.overdue_cases:
        log.warning("case overdue", event="case_overdue", case_id=fact.case_id, phase=fact.phase,
                    unit=fact.unit, due_on=fact.due_on.isoformat())


# --- traces ---------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _tracer() -> Any:
    if not config.tracing_wanted():
        return None
    try:
        import aws_xray_sdk  # noqa: F401 - not in the Lambda package (requirements-dev.txt)
    except ImportError:
        log.warning("tracing_unavailable", reason="the X-Ray SDK is not packaged")
        return None
    from aws_lambda_powertools import Tracer  # loads the X-Ray SDK

    return Tracer(service=config.service_name(), patch_modules=("boto3", "botocore"))


@contextmanager
def _traced(name: str, annotations: Mapping[str, str | None]) -> Iterator[None]:
    tracer = _tracer()
    if tracer is None:
        yield
        return
    with tracer.provider.in_subsegment(f"## {name}") as subsegment:
        for key, value in annotations.items():
            if value:
                subsegment.put_annotation(key, value)
        yield


# --- one request, one scheduled run ------------------------------------------------------------------

@contextmanager
def _scope(correlation: str, trace_name: str, **keys: str | None) -> Iterator[None]:
    """Keys on every line, metrics collected and flushed once, a trace subsegment."""
    present = {k: v for k, v in keys.items() if v}
    log.thread_safe_clear_keys()
    log.thread_safe_append_keys(correlation_id=correlation, **present)
    _local.batch = _Batch()
    try:
        with _traced(trace_name, present):
            yield
    finally:
        batch, _local.batch = _local.batch, None
        try:
            _emit(batch)
        finally:
            log.thread_safe_clear_keys()


def about_case(case_id: str) -> None:
    """From now on in this request or run, every line carries ``case_id``."""
    log.thread_safe_append_keys(case_id=case_id)


Answer = TypeVar("Answer")


def request(headers: Mapping[str, str], context: Mapping[str, Any] | None, route: str, case_id: str | None,
            call: Callable[[], Answer], status: Callable[[Answer], int]) -> tuple[str, Answer]:
    """Run one API request in its scope; (the correlation id to return, the answer). One access line
    per request: route, status, case id, correlation id (no query string, no body)."""
    correlation = correlation_id(headers.get(CORRELATION_HEADER.lower()), (context or {}).get("requestId"))
    with _scope(correlation, route, route=route, case_id=case_id):
        answer = call()
        code = status(answer)
        (log.error if code >= 500 else log.info)("request", status=code)
    return correlation, answer


Job = TypeVar("Job", bound=Callable[..., Any])


def run_job(name: str, call: Callable[[], Answer], event_id: str | None = None) -> Answer:
    """One scheduled run in its scope: a correlation id (the EventBridge event id, else new), one
    ``job_done`` line with the run's counts, metrics flushed at the end. ``tools.jobs`` uses it too."""
    with _scope(correlation_id(None, event_id), f"job {name}", job=name):
        try:
            result = call()
        except Exception:
            log.exception("scheduled job failed")
            raise
        counts = {k: v for k, v in result.items() if isinstance(v, (int, float, str, bool))} \
            if isinstance(result, dict) else {}
        log.info("scheduled job done", event="job_done", stats=counts)
    return result


def current_correlation_id() -> str | None:
    """The correlation id of the request or run in progress (a dispatcher hands it to the messages it queues)."""
    value = log.thread_safe_get_current_keys().get("correlation_id")
    return value if isinstance(value, str) else None


MESSAGE_CORRELATION = "correlation_id"  # the SQS message attribute carrying the sender's correlation id


def _message_correlation(record: Mapping[str, Any]) -> str | None:
    attribute = (record.get("messageAttributes") or {}).get(MESSAGE_CORRELATION) or {}
    value = attribute.get("stringValue")
    return value if isinstance(value, str) else record.get("messageId")


def queued(handler: Job) -> Job:
    """Decorates an ``@app.on_sqs_message`` handler taking one record: each record of the event runs through
    ``run_job`` under the handler's name, with the sender's correlation id (else the message id). An exception
    propagates, so SQS redelivers the batch."""

    @functools.wraps(handler)
    def run(event: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        results = []
        for record in event:
            raw = record.to_dict() if hasattr(record, "to_dict") else record
            results.append(run_job(handler.__name__, functools.partial(handler, record, *args, **kwargs),
                                   _message_correlation(raw)))
        return {"records": results}

    run.observed = True  # type: ignore[attr-defined]
    return run  # type: ignore[return-value]


def scheduled(job: Job) -> Job:
    """Decorates an ``@app.schedule`` handler: each run goes through ``run_job`` under the handler's name."""

    @functools.wraps(job)
    def run(event: Any, *args: Any, **kwargs: Any) -> Any:
        event_id = getattr(event, "event_id", None) or (event.get("id") if isinstance(event, dict) else None)
        return run_job(job.__name__, lambda: job(event, *args, **kwargs), event_id)

    run.observed = True  # type: ignore[attr-defined]  # a test checks every schedule of the app carries it
    return run  # type: ignore[return-value]
