"""docs/performance.md, rewritten by each ``make bench`` from the run's own figures."""
from __future__ import annotations

import os
from typing import Any


def _summary(run: Any) -> list[str]:
    data = run.data
    lines = []
    case = data.get("case")
    if case is not None:
        rec = case.recorder
        read, write = rec.units()
        total = sum(rec.counts().values())
        browser = sum(n for label in rec.labels() if label.startswith("upload") for n in rec.counts(label).values())
        lines.append(f"- **Calls per case**: {total} AWS calls ({total - browser} by the app, {browser} browser "
                     f"uploads) over {sum(1 for label, _ in rec.steps if not label.startswith('upload'))} API "
                     f"requests; {read:.1f} read and {write:.1f} write request units; "
                     f"{case.transitions} Step Functions state transitions; Scan on a request path: "
                     f"{sum(case.scans().values())}.")
    if "overhead" in data:
        ratios = ", ".join(f"{row['route']} {row['ratio']:.2f}" for row in data["overhead"]["rows"])
        lines.append(f"- **Overhead ratio** (median handler time / median time of its bare AWS calls): {ratios}.")
    if "flat" in data:
        from bench.flat_jobs import summarize

        summary = summarize(data["flat"])
        ratios = ", ".join(f"{label} {ratio:.2f}" for label, ratio in summary["ratios"].items())
        sizes = " / ".join(f"{size['cases']:,}" for size in data["flat"])
        lines.append(f"- **Flat jobs** (items read, largest/smallest over {sizes} cases): {ratios}; "
                     f"Scan calls {summary['scans']}.")
    if "cold" in data:
        imports, packaged = data["cold"]
        size = (f"; deployment.zip {packaged['zip_bytes']:,} bytes ({packaged['zip_bytes'] / 1e6:.1f} MB, "
                f"{packaged['unzipped_bytes'] / 1e6:.1f} MB unzipped); `import app` from the unzipped, read-only "
                f"package {packaged['import_shipped_us']:,} µs with its pycs "
                f"({packaged['import_sources_us']:,} µs without)" if packaged else "; package not built")
        lines.append(f"- **Cold start**: `import app` {imports['app_us']:,} µs cumulative, {imports['modules']} "
                     f"modules{size}.")
    if "per_1000" in data:
        per = ", ".join(f"{k} ${v:.4f}" for k, v in data["per_1000"].items())
        month = data["month"]
        lines.append(f"- **Cost per 1,000 cases** (us-east-1 list prices): {per}.")
        if data.get("per_1000_cny"):
            china = data["per_1000_cny"]
            lines.append("- **Cost per 1,000 cases** (cn-north-1 prices, CNY): "
                         + ", ".join(f"{k} ¥{v:.4f}" for k, v in china["priced"].items())
                         + f"; priced services ¥{china['total_priced']:.4f}"
                         + (f"; not priced: {', '.join(china['unpriced'])}." if china["unpriced"] else "."))
        lines.append("- **One month of a 1,000,000-recipient province's scheduled jobs**: "
                     + ", ".join(f"{k} ${v:.2f}" for k, v in month["cost"].items())
                     + f"; the supervision jobs run per township (unit_jobs): the longest single run "
                     f"({month['longest_job']}, one township) makes {month['longest_calls']:,.0f} sequential calls, "
                     f"{month['longest_seconds']:,.0f} s at 10 ms a call (Lambda's limit 900 s: a township fits up "
                     f"to ≈{month['largest_township']:,.0f} recipients).")
    return lines


def _prices() -> list[str]:
    from bench.cost import CHINA_PRICES, CHINA_READ_ON, PRICES, PRICES_READ_ON, SMS_CHINA

    lines = [f"Prices (us-east-1, USD, read {PRICES_READ_ON} from stored copies of the pages; free tiers left out):",
             "", "| item | price | source | checked |", "|---|---|---|---|"]
    for name, price in PRICES.items():
        lines.append(f"| {name} | {price.usd:.10g} per {price.per} | {price.source} | {price.status} |")
    lines += ["", f"China (Beijing) cn-north-1, CNY, read {CHINA_READ_ON} (the model's second column; a service "
              "without a price is listed as not priced):", "", "| item | price | source | checked |", "|---|---|---|---|"]
    for name, china in CHINA_PRICES.items():
        shown = f"¥{china.cny:.10g} per {china.per}" if china.cny is not None else f"not priced ({china.per})"
        lines.append(f"| {name} | {shown} | {china.source} | {china.status} |")
    lines += ["", f"SMS: {SMS_CHINA}."]
    return lines


FINDINGS = """\
## What the figures point at

- Write units (section 1): the case indexes hold keys and the few attributes the worklists filter on, and a case is
  a small case item plus parts that change seldom (docs/decisions.md, 2026-12-06). What is left is the all-or-nothing
  rule: each of a case's 16 material requests writes the case item and its chained timeline event in one transaction
  (a transaction doubles the units). Going under 150 means recording a material's registration outside the case
  (it is not a legal fact) and each material as its own item: about 105 units less by the figures here, a change of
  the timeline's contract.
- `GET /cases`: a page of 50 cases is one Query of keys and one BatchGetItem of the cases and their parts; the
  handler's own Python is ~70 ms of it (profile outside moto). The ratio moves between 1.1 and 3.6 from run to run
  on this shared machine (section 2), most of the handler's time being inside moto's answer, which PynamoDB
  deserialises into models and the bare replay does not.
- Cost: DynamoDB is now half of it, Step Functions a quarter (5 transitions a case), S3 a fifth (eight 300 KB
  materials kept a month). The goal of $0.35 needs the write units above.
- Cold start: `import app` is dominated by PynamoDB and botocore (section 4); the API's routes load every service.
  A handler module for the scheduled functions that does not import the routes would take them under 250 ms.
- The embedded moto server grows ~4 MB per case (its Step Functions executions and tables; the same at 32fe8fd),
  so the load run is 5 windows × 20 cases: 20 × 50 reached 20 GB on this machine.
"""

NOTES = """\
## How to read these figures

- Counts and request units do not depend on the machine; milliseconds do. The overhead ratio compares
  two timings taken on the same moto backend in the same run; the machine here is shared (two cores,
  other work running), so expect the ratios to move by ±30% between runs.
- AWS calls are counted by botocore hooks (`bench/recorder.py`) added to every botocore session,
  which includes PynamoDB's own per-thread session. moto's Step Functions interpreter runs the case
  clock in its own threads; its DynamoDB and SNS tasks are the service's integrations, counted apart.
- DynamoDB request units are computed from item sizes by DynamoDB's published rules
  (`bench/capacity.py`): moto answers `ReturnConsumedCapacity` with a constant whatever the size, and
  not at all for TransactWriteItems. Writes include every global secondary index the write touches.
- Overhead: each route's calls are replayed right after it with a plain boto3 client (writes without
  their conditions, task success as a heartbeat). Profiles show ≥ 95% of a handler's time inside its
  AWS calls (moto's serializer); push and decision wake the case clock, which moto runs in a thread of
  this process, so their ratios include the machine competing for the interpreter. The worklist's
  ratio has varied between 1.2 and 3.4 from run to run on this machine while a profile of the route
  shows 99% of its time in its one Query: treat it as noise until measured against DynamoDB.
- The bench drives each step after the case clock has stored its task token (as it long has when a
  person takes the next step), so the app's token poll reads once.
- Flat jobs: the constant set (due, overdue, in review) is real cases at one window and one 业务属地;
  the background cases carry the indexed attributes only (no query returns them). Seeding is
  `CaseModel.batch_write` with the cyclic garbage collector paused.
- The payment roster bench drafts and finalizes 100,000 entitlements through the payroll service on the
  in-memory stores (tests/fakes, held to the adapters' contract): our code's items per second and memory. moto
  evaluates a GSI query by walking the whole table (100,000 would take ~15 minutes), so the AWS calls are
  counted on 500 entitlements through the real adapters, which must produce the same roster (sha256).
"""


def render(run: Any, command: str, day: str, seconds: float) -> str:
    parts = ["# Performance: what a case costs, and how the cost grows", "",
             f"Latest run: `{command}` on {day}, {seconds:.0f} s on {os.cpu_count()} cores "
             "(the figures below are rewritten by every run).", "", "## The figures against their goals (issue 18)",
             ""]
    from bench import goals

    parts += goals.markdown(run.data) + ["", "## Summary", ""]
    parts += _summary(run)
    if run.failures:
        parts += ["", "**Failures:** " + "; ".join(run.failures)]
    for title, lines, took in run.sections:
        parts += ["", f"## {title}", "", "```", *lines, "```", f"({took:.0f} s)"]
    parts += ["", FINDINGS, "## Prices", ""] + _prices() + ["", NOTES]
    return "\n".join(parts) + "\n"
