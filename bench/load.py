"""A bounded load run on the local server (issue 17.11): W windows accept N cases each, in parallel, and every
tenth case has two of its materials registered at the same moment (a conflicting pair on one case item).

Reported: requests, throughput, p50/p95 latency, 5xx answers (0 expected) and acknowledged writes lost (0
expected: every case answered 201 is readable, every material answered 201 is on its case). Counts and
percentiles, never asserted as timings (the smoke test runs it tiny).

    .venv/bin/python -c "from bench.load import main; raise SystemExit(main())" [--windows 20] [--cases 50]
"""
from __future__ import annotations

import argparse
import hashlib
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import requests

from tests.support.people import application, id_number, pdf_bytes
from tools.token import token_for

MOMENT = "2026-10-12T10:00:00+08:00"
RACE_EVERY = 10


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    cases: dict[str, str] = field(default_factory=dict)  # acknowledged (201): case -> the accepting window's unit
    materials: dict[str, set[str]] = field(default_factory=dict)  # case -> acknowledged material ids
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1


def _window(base: str, index: int, cases: int, tally: Tally) -> None:
    unit = f"310101{index + 1:03d}"
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token_for('window', unit, f'load-window-{index}')}", "X-Clock-Now": MOMENT}

    def call(method: str, path: str, body: Any) -> requests.Response:
        started = time.perf_counter()
        answer = session.request(method, base + path, json=body, headers=headers, timeout=120)
        tally.note(time.perf_counter() - started, answer.status_code)
        return answer

    for n in range(cases):
        born = date(1940, 1, 1) + timedelta(days=index * 400 + n)
        accepted = call("POST", "/cases", application(id_number(birth=born.strftime("%Y%m%d"), sequence="531")))
        if accepted.status_code != 201:
            continue
        case = accepted.json()
        with tally.lock:
            tally.cases[case["case_id"]] = unit
        if n % RACE_EVERY:
            continue
        code = case["notice"]["materials"][0]["code"]

        def register(k: int, case_id: str = case["case_id"], code: str = code) -> tuple[str, requests.Response]:
            content = pdf_bytes(f"{case_id}-{k}")
            declared = {"code": code, "filename": f"{code}-{k}.pdf", "content_type": "application/pdf",
                        "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
            started = time.perf_counter()
            answer = requests.post(f"{base}/cases/{case_id}/materials", json=declared, headers=headers, timeout=120)
            tally.note(time.perf_counter() - started, answer.status_code)
            return case_id, answer

        with ThreadPoolExecutor(max_workers=2) as pair:
            for case_id, answer in pair.map(register, (1, 2)):
                if answer.status_code == 201:
                    with tally.lock:
                        tally.materials.setdefault(case_id, set()).add(answer.json()["material_id"])


def measure(windows: int, cases: int, base: str | None = None) -> dict[str, Any]:
    if base is None:
        from tools.local_server import local_server

        with local_server("--sweep-every", "3600") as (started_base, _moto):
            return measure(windows, cases, started_base)
    tally = Tally()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=windows) as pool:
        list(pool.map(lambda i: _window(base, i, cases, tally), range(windows)))
    seconds = time.perf_counter() - started
    lost = _lost(base, tally)
    ordered = sorted(tally.latencies)
    return {
        "windows": windows, "cases": cases, "requests": len(ordered), "seconds": seconds,
        "throughput": len(ordered) / seconds if seconds else 0.0,
        "p50_ms": 1000 * statistics.median(ordered) if ordered else 0.0,
        "p95_ms": 1000 * ordered[int(0.95 * (len(ordered) - 1))] if ordered else 0.0,
        "statuses": dict(sorted(tally.statuses.items())),
        "server_errors": sum(count for status, count in tally.statuses.items() if status >= 500),
        "acknowledged": len(tally.cases) + sum(len(ids) for ids in tally.materials.values()),
        "lost": lost,
    }


def _lost(base: str, tally: Tally) -> int:
    """Acknowledged writes that are not there: cases answered 201 that their window cannot read, materials
    answered 201 missing from their case."""
    lost = 0
    for case_id, unit in tally.cases.items():
        headers = {"Authorization": f"Bearer {token_for('window', unit, 'load-reader')}", "X-Clock-Now": MOMENT}
        answer = requests.get(f"{base}/cases/{case_id}", headers=headers, timeout=60)
        if answer.status_code != 200:
            lost += 1 + len(tally.materials.get(case_id, set()))
            continue
        stored = {m["material_id"] for m in answer.json()["materials"]}
        lost += len(tally.materials.get(case_id, set()) - stored)
    return lost


def report(found: dict[str, Any]) -> list[str]:
    return [
        f"{found['windows']} windows × {found['cases']} cases (every {RACE_EVERY}th with two materials registered "
        f"at once): {found['requests']:,} requests in {found['seconds']:.1f} s = {found['throughput']:.1f} req/s",
        f"latency p50 {found['p50_ms']:.0f} ms, p95 {found['p95_ms']:.0f} ms; answers {found['statuses']}",
        f"5xx: {found['server_errors']} (goal 0); acknowledged writes {found['acknowledged']:,}, "
        f"lost {found['lost']} (goal 0)",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--windows", type=int, default=20)
    parser.add_argument("--cases", type=int, default=50)
    args = parser.parse_args(argv)
    found = measure(args.windows, args.cases)
    print("\n".join(report(found)))
    return 1 if found["server_errors"] or found["lost"] else 0
