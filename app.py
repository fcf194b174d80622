"""The application's table of contents: one Chalice app, its routes by context (each a blueprint behind the one
request pipeline, ``chalicelib/api/pipeline.py``, with its facts in the one route table, ``chalicelib/api/routes.py``),
the unit_jobs worker, and one schedule per scheduled job (``chalicelib/jobs.py``)."""
from __future__ import annotations

import gc

# No cyclic collection while the modules load: what they build lives as long as the container, so each collection
# during the import (~100, ~13 ms of it) walked objects that could never be garbage. Frozen at the end, below.
_COLLECTING = gc.isenabled()
gc.disable()

from typing import Any, Callable

from chalice import Chalice

from chalicelib import clock
from chalicelib import config as settings
from chalicelib import jobs as scheduled_jobs
from chalicelib import observability as observe
from chalicelib.api import cases, documents, payments, public, rules, supervision
from chalicelib.api.pipeline import HANDLERS
from chalicelib.api.routes import BY_KEY
from chalicelib.wiring import monitoring as monitoring_deps

app = Chalice(app_name="subsidy-cross-province", configure_logs=False)  # JSON lines: chalicelib/observability.py
app.api.binary_types.append("application/pdf")  # the documents; API Gateway also needs a matching Accept

# --- the API, by context ---------------------------------------------------------------------------------------
app.register_blueprint(public.routes)  # health, the OpenAPI document, 进度查询 (no token)
app.register_blueprint(cases.routes)  # 受理, materials, 推送, 资格认定, 告知, 补正, withdrawal, SMS receipts
app.register_blueprint(documents.routes)  # 一次性告知书, 受理回执, 结果通知书 (JSON or PDF)
app.register_blueprint(rules.routes)  # calendar, materials, eligibility, amounts, settings, rosters
app.register_blueprint(payments.routes)  # entitlements, proposals, 追回, 发放名册
app.register_blueprint(supervision.routes)  # 查询登记, 定期复核, data comparison, audit
assert set(HANDLERS) == set(BY_KEY), f"routes without a handler: {sorted(set(BY_KEY) - set(HANDLERS))}"

# --- the unit_jobs worker: one township's share of a monthly or yearly job at a time -----------------------------
# monthly_checks, yearly_reviews and certificate_reminders only queue one message per registered 业务属地
# (one Lambda run cannot walk a province's recipients); the unit_jobs worker does one township at a time.
UNIT_JOB_CONCURRENCY = 10  # workers at once (SQS event source ScalingConfig; at least 2)


@app.on_sqs_message(queue=settings.unit_jobs_queue(), batch_size=1, maximum_concurrency=UNIT_JOB_CONCURRENCY)
@observe.queued
def unit_jobs(record: Any) -> dict[str, Any]:
    """One township's share of monthly_checks, yearly_reviews or certificate_reminders ({job, unit, period}).
    A malformed message is logged and dropped; an AWS failure raises: SQS redelivers, then dead-letters it."""
    from chalicelib.services import unit_jobs as unit_work  # the worker's own: not loaded by the API's cold start

    return unit_work.work(monitoring_deps(), record.body)


# --- the scheduled jobs: one EventBridge schedule per entry of chalicelib/jobs.py's table ----------------------

def _scheduled(job: scheduled_jobs.Job) -> Callable[[Any], dict[str, Any]]:
    def handler(event: Any) -> dict[str, Any]:
        return job.run(clock.now())

    # named after its job everywhere, tracebacks and the IAM test's stack walk included (tests/infra/aws_calls.py)
    handler.__code__ = handler.__code__.replace(co_name=job.name, co_qualname=job.name)
    handler.__name__ = handler.__qualname__ = job.name
    handler.__doc__ = job.doc
    return handler


# each handler is also a module attribute of its name: a deployed function's handler is "app.<name>"
for _job in scheduled_jobs.JOBS:
    if _job.schedule:
        globals()[_job.name] = app.schedule(_job.schedule, name=_job.name)(observe.scheduled(_scheduled(_job)))

# What the import built stays for the container's life: out of every later collection's walk (gc.freeze), and the
# collector on again with its counts at zero (docs/decisions.md 2026-12-06).
gc.freeze()
if _COLLECTING:
    gc.enable()
