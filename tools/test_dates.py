"""The date-sensitive tests (marker ``dated``) again under other days, two runs at a time (the machine's two
cores): each run moves its process's real clock to one day (tests/conftest.py, ``--today``). ``make test`` runs the
whole suite on its first day and this on the others, so no test may depend on the day CI happens to run.

    .venv/bin/python -m tools.test_dates 2027-06-29 2026-12-31
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def run(day: str) -> tuple[str, int, str]:
    """One run under ``day``: (day, exit status, its output)."""
    with tempfile.TemporaryFile("w+") as out:
        status = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "dated",
                                 "--today", day], cwd=PROJECT, stdout=out, stderr=subprocess.STDOUT).returncode
        out.seek(0)
        return day, status, out.read()


def main(argv: list[str]) -> int:
    days = [date.fromisoformat(day).isoformat() for day in argv]
    if not days:
        print("usage: python -m tools.test_dates YYYY-MM-DD [YYYY-MM-DD ...]", file=sys.stderr)
        return 2
    failed_runs, counts = 0, {"passed": 0, "failed": 0}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for day, status, output in pool.map(run, days):
            lines = output.rstrip().splitlines()
            summary = lines[-1] if lines else "no output"
            print(f"--- dated tests with the real clock on {day}: {summary}")
            for kind in counts:
                found = re.search(rf"(\d+) {kind}", summary)
                counts[kind] += int(found.group(1)) if found else 0
            if status != 0:
                failed_runs += 1
                print(output[-20000:])
    print(f"dated: {counts['passed']} passed, {counts['failed']} failed")
    return 1 if failed_runs or not counts["passed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
