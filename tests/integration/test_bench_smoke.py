"""The benches at tiny sizes, so they cannot rot: structure and counts only, never timings."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench import performance_doc
from bench.flat_jobs import QUERIES
from bench.overhead import ROUTES
from bench.run import QUICK, Run, run


@pytest.fixture(scope="module")
def quick() -> Run:
    return run(QUICK, package=False, payroll=False)


def test_one_case_is_counted_by_service_and_operation_with_its_request_units(quick):
    case = quick.data["case"]
    counts = case.recorder.counts()
    assert counts[("s3", "PutObject")] == case.materials == 8  # the browser's uploads
    assert counts[("s3", "GetObject")] == 8  # each confirm reads the stored bytes
    assert counts[("stepfunctions", "StartExecution")] == 1
    # PynamoDB's own client is seen: 受理, the receipt that completes the materials, the push, decision and
    # notification; the 4 SMS outcomes are each one write of the message alone, the 8 registrations one write of the
    # materials part alone, and (since 2026-12-06) the 7 receipts that complete nothing one write of the receipts
    # part alone
    assert counts[("dynamodb", "TransactWriteItems")] == 1 + 1 + 3
    assert counts[("dynamodb", "PutItem")] + counts[("dynamodb", "UpdateItem")] >= 8 + 4 + 7
    read, write = case.recorder.units()
    assert read > 0 and write > 0
    assert case.transitions == 4  # the clock starts at D1: one wait per clocked phase (push, review, notify), closed
    assert case.scans() == {}


def test_every_main_route_gets_an_overhead_ratio(quick):
    rows = {row["route"]: row for row in quick.data["overhead"]["rows"]}
    assert set(rows) == set(ROUTES)
    assert all(row["ratio"] > 0 and row["calls"] >= 1 and row["samples"] >= 1 for row in rows.values())


def test_the_sweep_and_the_worklists_read_the_same_items_whatever_the_table_holds(quick):
    sizes = quick.data["flat"]
    due = QUICK.due
    for size in sizes:
        rows = size["rows"]
        assert rows[QUERIES[0]]["returned"] == 2 * due  # due tomorrow, and overdue
        assert rows[QUERIES[0]]["items_read"] == 2 * due
        assert all(row["scans"] == 0 for row in rows.values())
    first, last = sizes[0]["rows"], sizes[-1]["rows"]
    assert {label: last[label]["items_read"] for label in QUERIES} == {label: first[label]["items_read"]
                                                                     for label in QUERIES}


def test_the_cost_model_prices_every_service_and_the_province_month(quick):
    assert set(quick.data["per_1000"]) == {"Lambda", "DynamoDB", "S3", "Step Functions", "SNS", "total"}
    assert all(value > 0 for value in quick.data["per_1000"].values())
    month = quick.data["month"]
    assert month["cost"]["total"] > 0 and month["totals"]["wru"] > 0 and month["longest_calls"] > 0


def test_the_cn_north_1_model_prices_what_it_has_a_price_for_and_names_the_rest(quick):
    china = quick.data["per_1000_cny"]
    assert {"Lambda", "DynamoDB"} <= set(china["priced"]) and all(v > 0 for v in china["priced"].values())
    assert set(china["priced"]) | set(china["unpriced"]) == {"Lambda", "DynamoDB", "S3", "Step Functions", "SNS"}
    assert china["total_priced"] == pytest.approx(sum(china["priced"].values()))


def test_every_goal_of_issue_18_has_a_row_with_this_run_s_figure_or_says_it_was_not_measured(quick):
    from bench import goals

    rows = goals.rows(quick.data)
    assert [r[0] for r in rows] == [g.figure for g in goals.GOALS]
    measured = {r[0]: r for r in rows if r[2] != "not measured"}
    assert "Step Functions state transitions per case" in measured and "one PDF render, warm" in measured
    assert measured["Step Functions state transitions per case"][4] == "met"
    assert {r[0] for r in rows if r[2] == "not measured"} == {"deployment.zip", "import app from the unzipped package"}


def test_import_time_is_parsed_and_the_report_is_written(quick, tmp_path: Path):
    imports, packaged = quick.data["cold"]
    assert imports["app_us"] > 0 and imports["modules"] > 100 and packaged is None
    out = tmp_path / "performance.md"
    out.write_text(performance_doc.render(quick, "python -m bench --quick", "2026-11-29", 1.0), encoding="utf-8")
    text = out.read_text(encoding="utf-8")
    for heading in ("## 1. Calls per case", "## 2. Overhead ratio", "## 3. Flat jobs", "## 4. Cold start and size",
                    "## 5. Cost model", "## Prices"):
        assert heading in text
    assert "Scan on a request path: 0" in text


def test_the_roster_bench_runs_the_ledger_on_both_stores_and_they_agree(capsys):
    from bench import payroll

    assert payroll.main(["--entitlements", "120", "--moto", "60"]) == 0
    out = capsys.readouterr().out
    assert "the same roster as the in-memory stores (sha256): True" in out
    assert "finalize_previous" in out and "projection 1,000,000" in out and "dynamodb:BatchWriteItem" in out


def test_the_load_run_counts_requests_and_loses_no_acknowledged_write(quick):
    load = quick.data["load"]
    assert load["requests"] >= load["windows"] * load["cases"] and load["server_errors"] == 0 and load["lost"] == 0
