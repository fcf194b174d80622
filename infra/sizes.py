"""Each Lambda function's memory and timeout, from measured peaks (``python -m bench.memory``, 2026-12-06).

Chalice gives every function 128 MB and 60 s. The figures below were measured from the trimmed package
(build/dev/package/deployment.zip unzipped, no site-packages), each function kind in a fresh process against a
moto server holding 30 cases accepted three weeks earlier and 500 entitlements of one township: the peak resident
set (``wait4``'s ru_maxrss, what Lambda reports as Max Memory Used less the runtime's few MB) and the wall time
in moto. Memory is at least twice the peak; Lambda also gives CPU in proportion to memory (1,769 MB is one vCPU),
which the API's cold start and PDF rendering feel and the I/O-bound jobs hardly do. docs/decisions.md has the
reasoning; tests/infra/test_sizes.py holds the table to the template and to the headroom rule.
"""
from __future__ import annotations

from dataclasses import dataclass

API_GATEWAY_LIMIT = 29  # seconds: API Gateway's integration timeout; a request running longer answers nobody
HEADROOM = 2.0  # memory / measured peak, at least


@dataclass(frozen=True)
class Size:
    memory_mb: int
    timeout_s: int
    peak_mb: float  # measured (bench.memory, 2026-12-06)
    why: str


SIZES: dict[str, Size] = {
    # every route in one container: a case accepted and a material registered (96.5 MB alone: two botocore
    # sessions, boto3's and PynamoDB's), the first receipt PDF (137.2 MB alone: fonts parsed and kept), a
    # worklist and an audit page, a 500-entitlement roster drafted and finalized (94.0 MB alone); a
    # 100,000-entitlement draft adds ~36 MiB (bench.payroll, sharded). 512 MB: 2.7x, and 4x the CPU of 128 MB.
    "api_handler": Size(512, API_GATEWAY_LIMIT, 190.7, "all routes in one container, PDF and roster included"),
    # one township's monthly checks, review tasks and reminders of 500 recipients, streamed (68.0 MB at 50): flat
    "unit_jobs": Size(256, 900, 68.7, "Lambda's most for one township's job (infra/template.WORKER_TIMEOUT)"),
    # the day's due cases are read into a list: 64.7 MB with 5, 70.4 MB with 30 (~0.23 MB a case): a province's
    # busy day of ~1,200 due cases would reach ~340 MB; 4.2 s for 30 cases in moto
    "daily_sweep": Size(512, 600, 70.4, "grows with the day's due cases"),
    "calendar_check": Size(256, 60, 52.3, "reads next year's calendar rows"),
    "audit_digest": Size(256, 120, 64.0, "the chain heads of the cases changed that day"),
    "monthly_checks": Size(256, 60, 56.6, "queues one message per registered township"),
    "monthly_checks_escalation": Size(256, 120, 56.5, "reads the month's unrecorded checks per township"),
    "yearly_reviews": Size(256, 60, 56.4, "queues one message per registered township"),
    "certificate_reminders": Size(256, 60, 56.5, "queues one message per registered township"),
    # measured with no file under comparisons/: a province's data file is read whole; sized like the API until
    # measured with one, and Lambda's longest run
    "monthly_comparison": Size(512, 900, 61.1, "not yet measured with a province's data file"),
    "message_retries": Size(256, 120, 56.5, "the milestone messages due for a retry"),
}


def properties(name: str) -> dict[str, int]:
    """The template's ``MemorySize`` and ``Timeout`` of function ``name`` (Chalice's own ``name``)."""
    size = SIZES[name]
    return {"MemorySize": size.memory_mb, "Timeout": size.timeout_s}
