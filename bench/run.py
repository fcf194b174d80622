"""``make bench``: every figure of issue 9 in one run, printed and written to docs/performance.md.

    make bench    (= .venv/bin/python -c "from bench.run import main; raise SystemExit(main())")
    options: [--quick] [--out docs/performance.md] [--no-package] [--no-payroll]

The overhead ratios once moved with how deep in the call stack the bench started (``python -m bench`` gave ~5x
for some routes): Python 3.11 allocates its frame stack in 16 KB chunks and frees a chunk when the first frame in it
returns, so ~16,000 small moto calls at a chunk boundary each paid a system call (python/cpython#142183).
``bench.overhead`` now runs its timings beneath one reserved chunk, with the garbage collector frozen per step
(docs/decisions.md 2026-12-06); ``make bench`` still uses ``-c``.

Sections: 1 calls per case, 2 overhead ratio, 3 flat jobs (1,000 / 10,000 / 100,000 cases),
4 cold start and package size, 5 cost model (with the scheduled jobs measured per recipient), and
the payment roster bench at 20,000 entitlements, 6 a bounded load run on the local server (bench.load). ``--quick`` runs everything at tiny sizes (the
smoke test); its figures are not the published ones. The seconds each section took are printed
as information, never asserted.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bench.world import quiet

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Sizes:
    overhead_cases: int = 8
    flat: tuple[int, ...] = (1000, 10000, 100000)
    due: int = 50
    recipients: int = 1000
    payroll: int = 100_000
    payroll_moto: int = 500
    # windows, cases each (bench.load). Not 20 × 50: the embedded moto server grows ~4 MB per case (its Step Functions
    # executions and tables, measured the same at 32fe8fd), and a 20 × 50 run reached 20 GB on this 24 GB machine
    load: tuple[int, int] = (5, 20)


QUICK = Sizes(overhead_cases=1, flat=(200, 400), due=5, recipients=40, payroll=0, load=(2, 3))


@dataclass
class Run:
    sections: list[tuple[str, list[str], float]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def section(self, title: str, work: Callable[[], list[str]]) -> None:
        print(f"\n== {title}", flush=True)
        started = time.perf_counter()
        lines = work()
        seconds = time.perf_counter() - started
        print("\n".join(lines) + f"\n({seconds:.0f} s)", flush=True)
        self.sections.append((title, lines, seconds))


def run(sizes: Sizes, package: bool, payroll: bool) -> Run:
    from bench import calls_per_case, coldstart, cost, flat_jobs, jobs_month, overhead

    out = Run()

    def calls() -> list[str]:
        with quiet():
            found = calls_per_case.measure()
        out.data["case"] = found
        if found.scans():
            out.failures.append(f"Scan on a request path: {found.scans()}")
        return calls_per_case.report(found)

    def ratio() -> list[str]:
        with quiet():
            found = overhead.measure(sizes.overhead_cases)
        out.data["overhead"] = found
        return overhead.report(found)

    def flat() -> list[str]:
        with quiet():
            found = [flat_jobs.measure(size, sizes.due) for size in sizes.flat]
        out.data["flat"] = found
        if flat_jobs.summarize(found)["scans"]:
            out.failures.append("Scan in the sweep or the worklists")
        return flat_jobs.report(found)

    def cold() -> list[str]:
        imports = coldstart.importtime()
        packaged = coldstart.package() if package else None
        out.data["cold"] = (imports, packaged)
        return coldstart.report(imports, packaged)

    def costs() -> list[str]:
        with quiet():
            jobs = jobs_month.measure(sizes.recipients)
        sweep = out.data["flat"][-1]["rows"][flat_jobs.QUERIES[0]]["rru"]
        q = cost.per_case(out.data["case"])
        per_1000, month = cost.dollars_per_1000_cases(q), cost.province_month(jobs, sweep)
        out.data.update(jobs=jobs, per_1000=per_1000, month=month, per_1000_cny=cost.yuan_per_1000_cases(q))
        return jobs_month.report(jobs) + [""] + cost.report(q, per_1000, month)

    out.section("1. Calls per case", calls)
    out.section("2. Overhead ratio", ratio)
    out.section("3. Flat jobs", flat)
    out.section("4. Cold start and size", cold)
    out.section("5. Cost model", costs)

    def pdf() -> list[str]:
        from bench import pdf as pdf_bench

        found = pdf_bench.measure()
        out.data["pdf"] = found
        return pdf_bench.report(found)

    out.section("5b. One PDF render (bench.pdf)", pdf)

    def load() -> list[str]:
        from bench import load as load_run

        with quiet():
            found = load_run.measure(*sizes.load)
        out.data["load"] = found
        if found["server_errors"] or found["lost"]:
            out.failures.append(f"load run: {found['server_errors']} 5xx, {found['lost']} acknowledged writes lost")
        return load_run.report(found)

    out.section(f"6. Load on the local server ({sizes.load[0]} windows × {sizes.load[1]} cases)", load)
    if payroll and sizes.payroll:
        out.section(f"Payment roster and ledger at {sizes.payroll:,} entitlements (bench.payroll)",
                    lambda: _payroll(sizes.payroll))
    from bench import goals

    out.section("Issue 18: each figure against its goal (bench.goals)", lambda: goals.report(out.data))
    return out


def _payroll(entitlements: int) -> list[str]:
    from bench import payroll

    buffer = io.StringIO()
    logging.disable(logging.CRITICAL)
    try:
        with contextlib.redirect_stdout(buffer):
            payroll.main(["--entitlements", str(entitlements), "--moto", str(Sizes.payroll_moto)])
    finally:
        logging.disable(logging.NOTSET)
    return [line for line in buffer.getvalue().splitlines() if line and not line.startswith("{")]


def main(argv: list[str] | None = None) -> int:
    from bench import performance_doc

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (the smoke test); not the published figures")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--no-package", action="store_true")
    parser.add_argument("--no-payroll", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = run(QUICK if args.quick else Sizes(), not args.no_package, not args.no_payroll)
    total = time.perf_counter() - started
    command = "make bench" if not args.quick else "bench.run --quick"
    args.out.write_text(performance_doc.render(result, command, date.today().isoformat(), total), encoding="utf-8")
    print(f"\nwrote {args.out} ({total:.0f} s in all)")
    for failure in result.failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
