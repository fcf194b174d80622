"""Peak memory of each kind of Lambda function, each in a fresh process as a cold container runs it.

    .venv/bin/python -m bench.memory [--cases 30] [--entitlements 500]

A moto server runs in a process of its own (``tools.local``'s: the Step Functions interpreter on, every table,
bucket, topic and queue provisioned, the demo rules loaded), seeded by another process with ``--cases`` cases
(accepted at a Shanghai window for a Harbin township) and
``--entitlements`` entitlements of that township (``bench.payroll``'s), the cases three weeks before the functions
run (their first deadlines are due or overdue: the daily sweep has work). Then each kind runs in a fresh
interpreter that imports ``app`` as Lambda does and calls the function as Lambda would (API Gateway proxy events
into the Chalice app; the schedules' and the SQS worker's handlers with their events), against that server, and
its peak resident set is read from the kernel when it exits (``wait4``'s ru_maxrss): the figure Lambda's
"Max Memory Used" reports, less the runtime's own few MB.

Kinds (``peak_mb`` keys): ``api_import`` (``import app`` alone), ``api_case`` (POST /cases, then a material
registered), ``api_receipt_pdf`` (GET /cases/{id}/receipt as PDF: the first render of a container),
``api_worklist`` (GET /cases, 50 a page; GET /audit, 100 chains a page), ``api_roster`` (the township's 发放名册
drafted and finalized through POST /payroll/...), ``api_all`` (every request above in one container: the API
function's figure), each scheduled job of chalicelib/jobs.py by name (``daily_sweep``, ``monthly_checks`` …:
the fanned-out ones only queue their townships), and ``unit_jobs`` (the worker given the seeded township's share of
monthly_checks, yearly_reviews and certificate_reminders in turn, one SQS record each: ``--entitlements``
recipients' checks, review tasks and reminders).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOW = "2027-01-25T10:00:00+08:00"  # the roster month's 25th; the jobs run as of this moment
MONTH = "2027-01"
SEEDED = "2027-01-04T10:00:00+08:00"
UNIT = "230102001"
WINDOW = "310101002"

MOTO = """
import sys, time
from tools.local import _environment, _start_moto
_environment(int(sys.argv[1]))
moto = _start_moto(int(sys.argv[1]))
from chalicelib import clock
from chalicelib.config import load
from chalicelib.wiring import jurisdiction_rules
from tools.demo import load_demo_rules
from tools.provision import provision
provision(load())
load_demo_rules(jurisdiction_rules(), clock.now())
print("ready", flush=True)
while True:
    time.sleep(3600)
"""

# The measured processes: API Gateway proxy events straight into the Chalice app, as Lambda calls it.
API = r"""
import base64, json, os
import app as application
from chalicelib.auth import issue_local_token
from chalicelib.config import load

class Context:
    aws_request_id = "bench"
    function_name = "api_handler"
    memory_limit_in_mb = 1024
    def get_remaining_time_in_millis(self):
        return 30000

def call(method, resource, params=None, query=None, body=None, role=None, unit=None, accept="application/json"):
    path = resource
    for name, value in (params or {}).items():
        path = path.replace("{" + name + "}", value)
    headers = {"content-type": "application/json", "accept": accept, "x-clock-now": NOW, "host": "bench"}
    if role:
        headers["authorization"] = "Bearer " + issue_local_token(load().local_jwt_secret, f"{role}-{unit}", role, unit)
    event = {"resource": resource, "path": path, "httpMethod": method, "headers": headers,
             "multiValueHeaders": {k: [v] for k, v in headers.items()}, "queryStringParameters": query,
             "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
             "pathParameters": params, "stageVariables": None, "isBase64Encoded": False,
             "body": json.dumps(body) if body is not None else None,
             "requestContext": {"resourcePath": resource, "httpMethod": method, "path": path, "stage": "local",
                                "requestId": "bench-request"}}
    answer = application.app(event, Context())
    assert answer["statusCode"] < 300, (method, path, answer["statusCode"], answer.get("body", "")[:300])
    raw = answer.get("body") or ""
    if answer.get("isBase64Encoded"):
        return base64.b64decode(raw)
    return json.loads(raw) if raw else None

def case_ids():
    return json.loads(os.environ["BENCH_CASES"])["cases"]

def receipt_pdf():
    body = call("GET", "/cases/{case_id}/receipt", {"case_id": case_ids()[0]}, role="window", unit=WINDOW,
                accept="application/pdf")
    assert body[:4] == b"%PDF"

def worklist():
    call("GET", "/cases", query={"limit": "50"}, role="window", unit=WINDOW)
    call("GET", "/audit", query={"unit": "23", "limit": "100"}, role="supervisor", unit="23")

def case():
    made = call("POST", "/cases", body=json.loads(os.environ["BENCH_BODY"]), role="window", unit=WINDOW)
    call("POST", "/cases/{case_id}/materials", {"case_id": made["case_id"]}, body=json.loads(os.environ["BENCH_MATERIAL"]),
         role="window", unit=WINDOW)

def roster(month=MONTH):
    params = {"unit": UNIT, "month": month}
    draft = call("POST", "/payroll/{unit}/{month}", params, role="reviewer", unit=UNIT)
    call("POST", "/payroll/{unit}/{month}/finalize", params, body={"draft_sha256": draft["sha256"]},
         role="reviewer", unit=UNIT)
"""

KINDS_API = {
    "api_import": "pass",
    "api_case": "case()",
    "api_receipt_pdf": "receipt_pdf()",
    "api_worklist": "worklist()",
    "api_roster": "roster()",
    "api_all": "case(); receipt_pdf(); worklist(); roster('2026-12')",  # a month api_roster left alone
}

JOB = r"""
import json
import app as application
event = {"version": "0", "account": "123456789012", "region": "cn-north-1", "detail": {},
         "detail-type": "Scheduled Event", "source": "aws.events", "time": "2027-01-25T02:00:00Z",
         "id": "bench-schedule", "resources": []}
print(json.dumps(getattr(application, JOB_NAME)(event, None), default=str)[:300])
"""

UNIT_JOBS = r"""
import json
import app as application
worker, done = application.app.handler_map["unit_jobs"], []
# the township's share of each fanned-out job, as SQS hands the worker one message at a time
for job, period in (("monthly_checks", "2027-01"), ("yearly_reviews", "2027"), ("certificate_reminders", "2027-01-25")):
    body = json.dumps({"job": job, "unit": UNIT, "period": period})
    record = {"messageId": f"bench-{job}", "receiptHandle": "bench", "body": body, "attributes": {},
              "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
              "eventSourceARN": "arn:aws-cn:sqs:cn-north-1:123456789012:unit-jobs", "awsRegion": "cn-north-1"}
    done.append(worker({"Records": [record]}, None)["records"][0])
print(json.dumps(done, default=str)[:500])
"""

SEED = r"""
import json, os, sys
from bench import payroll as bench_payroll  # pops AWS_ENDPOINT_URL (bench.world): set again below
os.environ.pop("RESOURCE_PREFIX", None)  # bench.world names its own tables
os.environ.update(json.loads(os.environ["BENCH_ENV"]))
from datetime import datetime
sys.path.insert(0, ".")
exec(API)
from tests.support.people import fresh_application
NOW = SEEDED  # accepted three weeks before the functions run: their first deadlines are due or overdue by then
made = []
for n in range(CASES):
    body = fresh_application()
    case_id = call("POST", "/cases", body=body, role="window", unit=WINDOW)["case_id"]
    made.append(case_id)
bench_payroll.write_entitlements(bench_payroll.entitlements(ENTITLEMENTS, MONTH), datetime.fromisoformat(NOW))
NOW = RUN
from tests.support.people import declaration, pdf_bytes
print(json.dumps({"cases": made, "bodies": [fresh_application() for _ in range(10)],
                  "material": declaration("photo", pdf_bytes("photo"))}))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(port: int) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "STAGE": "local", "PYTHONPATH": str(ROOT),
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "MOTO_PORT": str(port), "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "cn-north-1", "CLOCK_NOW": NOW,
            "POWERTOOLS_METRICS_DISABLED": "true", "PUBLIC_BASE_URL": "https://example.org"}


def _prelude() -> str:
    return f"NOW = {NOW!r}\nMONTH = {MONTH!r}\nUNIT = {UNIT!r}\nWINDOW = {WINDOW!r}\n"


def _run(script: str, env: dict[str, str], task: Path | None = None) -> tuple[float, str]:
    """A fresh process, waited for with ``wait4`` (its own rusage, not the sum of all children): in the unzipped
    package ``task`` with no site-packages (``python -S``, as Lambda's /var/task), else in the project's venv."""
    if task is not None:
        env = {key: value for key, value in env.items() if key != "PYTHONPATH"} | {"PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-S", "-c", script] if task is not None else [sys.executable, "-c", script]
    child = subprocess.Popen(command, cwd=task or ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout and child.stderr
    out, err = child.stdout.read(), child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(f"measured process failed ({child.returncode}): {out[-3000:]}\n{err[-3000:]}")
    return usage.ru_maxrss / 1024, (out.strip().splitlines() or [""])[-1]


def measure(cases: int = 30, entitlements: int = 500, archive: Path | None = None) -> dict[str, Any]:
    """peak_mb: {kind: MB}; seconds: {kind: wall seconds}; cases, entitlements: the seeded world's size; package:
    the deployment.zip the functions ran from (default: build/dev/package/deployment.zip, made when missing)."""
    import shutil
    import tempfile

    from bench.package import PACKAGE, build
    from chalicelib.jobs import JOBS

    archive = archive or (PACKAGE if PACKAGE.exists() else build())
    task = Path(tempfile.mkdtemp(prefix="subsidy-bench-memory-"))
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(task)

    port = _free_port()
    env = _environment(port)
    server = subprocess.Popen([sys.executable, "-c", MOTO, str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout
        if server.stdout.readline().strip() != "ready":
            raise RuntimeError("the moto server did not start")
        seed = _prelude() + f"CASES = {cases}\nENTITLEMENTS = {entitlements}\nAPI = {API!r}\nSEEDED = {SEEDED!r}\n" \
            f"RUN = {NOW!r}\n" + SEED
        _, made = _run(seed, {**env, "BENCH_ENV": json.dumps(env)})
        seeded = json.loads(made)
        env = {**env, "BENCH_CASES": made, "BENCH_MATERIAL": json.dumps(seeded["material"])}
        peaks: dict[str, float] = {}
        seconds: dict[str, float] = {}
        said: dict[str, str] = {}
        for kind, body in KINDS_API.items():
            started = time.perf_counter()
            fresh = {"BENCH_BODY": json.dumps(seeded["bodies"].pop())}  # an applicant of its own
            peaks[kind], _ = _run(_prelude() + API + body + "\n", env | fresh, task)
            seconds[kind] = round(time.perf_counter() - started, 1)
        for job in JOBS:
            if not job.schedule:
                continue
            started = time.perf_counter()
            peaks[job.name], said[job.name] = _run(f"JOB_NAME = {job.name!r}\n" + JOB, env, task)
            seconds[job.name] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        peaks["unit_jobs"], said["unit_jobs"] = _run(_prelude() + UNIT_JOBS, env, task)
        seconds["unit_jobs"] = round(time.perf_counter() - started, 1)
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(task)
    return {"peak_mb": {kind: round(mb, 1) for kind, mb in peaks.items()}, "seconds": seconds, "cases": cases,
            "entitlements": entitlements, "package": str(archive), "results": said}


def report(figures: dict[str, Any]) -> list[str]:
    lines = [f"Peak RSS of each function kind, a fresh process each from {figures['package']} unzipped "
             f"({figures['cases']} cases, {figures['entitlements']} entitlements of one township in moto)"]
    for kind, mb in figures["peak_mb"].items():
        lines.append(f"  {kind:28} {mb:7.1f} MB  {figures['seconds'][kind]:6.1f} s")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=30)
    parser.add_argument("--entitlements", type=int, default=500)
    parser.add_argument("--zip", type=Path, help="the package to run from (default: build/dev/package/deployment.zip)")
    args = parser.parse_args(argv)
    print("\n".join(report(measure(args.cases, args.entitlements, args.zip))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
