"""What ``import app`` loads (issue 18: a cold start ≤ 250 ms): every route is registered, but the services and
adapters only some routes or jobs use load with their first use, not with the app (docs/decisions.md
2026-12-06). What every request's ``deps()`` needs (the case store, PynamoDB, botocore) still loads with it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# loaded by their routes' or jobs' first use only
ROUTE_ONLY = (
    "chalicelib.services.worklists", "chalicelib.services.corrections", "chalicelib.services.material_reads",
    "chalicelib.services.documents", "chalicelib.adapters.document_files", "chalicelib.domain.cases.documents",
    "chalicelib.services.progress", "chalicelib.services.reports", "chalicelib.services.survival",
    "chalicelib.services.committees", "chalicelib.services.recoveries", "chalicelib.services.comparison",
    "chalicelib.services.disability", "chalicelib.services.jobs", "chalicelib.services.setup_gaps",
    "chalicelib.services.audit", "chalicelib.services.supervision", "chalicelib.services.idempotency",
    "chalicelib.services.unit_jobs", "chalicelib.services.monitoring", "chalicelib.adapters.checks_table",
    "chalicelib.adapters.ledger_table", "chalicelib.adapters.payroll_files", "chalicelib.adapters.proposals_table",
    "chalicelib.adapters.idempotency_table", "chalicelib.adapters.job_queue", "chalicelib.adapters.limits_table",
    "chalicelib.adapters.reviews_table", "chalicelib.domain.supervision.comparison",
)
# loaded with the first client or check that needs them, which GET /cases makes none of: boto3 (the adapters make
# their clients on first use), s3transfer and multiprocessing with it; python-stdnum (its package loads pydoc and
# sysconfig) with the first ID number or GB/T 2260 lookup
FIRST_USE_ONLY = ("boto3", "boto3.session", "s3transfer", "multiprocessing", "stdnum", "stdnum.util", "stdnum.numdb",
                  "stdnum.cn.ric", "pydoc")
# what every request's deps() is built from
EVERY_REQUEST = ("chalicelib.services.cases", "chalicelib.adapters.store", "pynamodb.models", "botocore.client")


def _loaded_by_import_app() -> set[str]:
    probe = "import json, sys, app; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True,
                          env={**os.environ, "STAGE": "local", "AWS_DEFAULT_REGION": "cn-north-1"})
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_import_app_registers_every_route_but_loads_no_route_only_module() -> None:
    loaded = _loaded_by_import_app()
    assert sorted(name for name in ROUTE_ONLY if name in loaded) == []
    assert sorted(name for name in EVERY_REQUEST if name not in loaded) == []


def test_import_app_loads_neither_boto3_nor_python_stdnum() -> None:
    loaded = _loaded_by_import_app()
    assert sorted(name for name in FIRST_USE_ONLY if name in loaded) == []


def test_every_route_only_module_exists() -> None:
    """The list above names modules that are there (a rename would make the first test pass for nothing)."""
    import importlib.util

    assert [name for name in ROUTE_ONLY + FIRST_USE_ONLY if importlib.util.find_spec(name) is None] == []


def test_the_package_benchs_first_request_is_a_windows_get_cases() -> None:
    from bench.package import first_request_event

    event = first_request_event()
    assert (event["requestContext"]["httpMethod"], event["requestContext"]["resourcePath"]) == ("GET", "/cases")
    assert event["headers"]["authorization"].startswith("Bearer ")
