"""One PDF render: the first in a process (fonts parsed), a warm one (fonts parsed once), and its memory.

    .venv/bin/python -m bench.pdf [--warm 5]

In a fresh interpreter (``python -S``-free, the project's venv), as a Lambda container serves its first and
following PDF requests: the receipt (受理回执, QR code and CJK text) of a two-subsidy case is rendered once
(``first_ms``: fpdf2, fontTools and the fonts loaded and parsed), then ``--warm`` times more (``warm_ms``: the
median; the fonts are parsed once per process, chalicelib/adapters/pdf.py), then ``--warm`` times parsing the
fonts for each render as fpdf2's ``add_font`` does (``parsed_each_ms``, the figure before the cache). Memory:
the process's peak resident set (``peak_rss_mb``, VmHWM: ru_maxrss carries a parent's peak across exec) after all of it and after the first render alone
(``first_peak_rss_mb``), and the resident set before the first render (``before_rss_mb``, the interpreter and
``import app``'s modules not loaded: only the PDF stack). Milliseconds depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import json, resource, statistics, sys, time
def rss_mb():
    # this process's own peak (VmHWM): ru_maxrss survives exec on Linux, so a child of a large bench reads its parent's
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
before = rss_mb()
from chalicelib.adapters.pdf import render
from chalicelib.domain.cases.documents import build_document
from datetime import date
from chalicelib.domain.cases.case import Case, Status
from chalicelib.domain.rules.rules import one_time_notice
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, id_number
person = id_number()
case = Case(case_id="C20260924A1B2C3D4E5", status=Status.RESULT_RETURNED, accepting_unit=SHANGHAI_WINDOW,
            business_unit=HARBIN_TOWNSHIP, scope="cross_province", applied_on=date(2026, 9, 24),
            applied_at="2026-09-24T09:30:00+08:00", applicant={"name": "张三", "id_number": person},
            certificate={"number": person + "41"}, subsidies=("living", "nursing"), notice=one_time_notice(True),
            decision={"outcome": "approved", "subsidies": [], "decided_on": "2026-10-20"})
document = build_document(case, "receipt", "https://example.org/progress?case=C20260924A1B2C3D4E5")
started = time.perf_counter()
body = render(document).body
first = (time.perf_counter() - started) * 1000
first_peak = rss_mb()
def timed(**options):
    times = []
    for _ in range(WARM):
        started = time.perf_counter()
        assert render(document, **options).body == body
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)
warm = timed()
parsed_each = timed(parse_fonts=True)
print(json.dumps({"first_ms": round(first, 1), "warm_ms": round(warm, 1), "parsed_each_ms": round(parsed_each, 1),
                  "before_rss_mb": round(before, 1), "first_peak_rss_mb": round(first_peak, 1),
                  "peak_rss_mb": round(rss_mb(), 1), "bytes": len(body), "warm_runs": WARM}))
"""


def measure(warm: int = 5) -> dict[str, Any]:
    """first_ms, warm_ms, parsed_each_ms (median ms), before_rss_mb, first_peak_rss_mb, peak_rss_mb, bytes, warm_runs."""
    env = {**os.environ, "STAGE": "local", "AWS_DEFAULT_REGION": "cn-north-1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", f"WARM = {int(warm)}\n" + SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(figures: dict[str, Any]) -> list[str]:
    return [f"one PDF render (the receipt, {figures['bytes']:,} bytes): first in a process {figures['first_ms']:,.0f} ms, "
            f"warm {figures['warm_ms']:,.0f} ms (median of {figures['warm_runs']}; fonts parsed for each render: "
            f"{figures['parsed_each_ms']:,.0f} ms); peak RSS {figures['first_peak_rss_mb']:.0f} MB after the first "
            f"render, {figures['peak_rss_mb']:.0f} MB after all"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warm", type=int, default=5)
    args = parser.parse_args(argv)
    print("\n".join(report(measure(args.warm))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
