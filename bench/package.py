"""The Lambda package: its size, what fills it, and ``import app`` from it unzipped, read-only.

    .venv/bin/python -m bench.package [--zip build/dev/package/deployment.zip] [--against OLD.zip] [--runs 7]
                                      [--first-request http://127.0.0.1:5000]

Without ``--zip`` it runs ``make package STAGE=dev`` first (infra/package.py: chalice package, the trim of
infra/trim.py, the bytecode of infra/bytecode.py). Figures: ``zip_bytes``, ``unzipped_bytes``, ``files``,
``pycs``, ``sources`` (``.py`` files shipped), ``largest`` (deflated bytes of the ten largest top-level
entries), and ``import_us``: the median of ``runs`` cumulative microseconds of ``import app`` in a fresh
``python -S -X importtime`` in the unzipped, read-only package (no site-packages; as bench/coldstart.py
does it, see there). With ``--against`` another zip is timed in the same loop, run for run alternately
(``against_import_us``), since this machine's load moves a single figure by a factor of two; its sizes are
reported beside (``against_zip_bytes``, ``against_unzipped_bytes``).

``--first-request ENDPOINT`` also times what a cold API container does up to its first answer: ``import app``
and one ``GET /cases`` (a window's worklist, the local stage's token) handed to ``app.app`` as API Gateway's
event, in a fresh ``python -S`` in the unzipped package, its AWS calls to ``ENDPOINT`` (the moto server of a
running ``make run``, whose cases it lists). ``first_request_us``: the median of ``runs`` wall-clock
microseconds from before ``import app`` to the answer (and ``against_first_request_us``), so what ``import app``
no longer loads but the first request does is counted again.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.coldstart import _extract, _importtime_rows

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "build" / "dev" / "package" / "deployment.zip"
MB = 1_000_000


def build(stage: str = "dev") -> Path:
    done = subprocess.run(["make", "package", f"STAGE={stage}"], cwd=ROOT, check=True, capture_output=True, text=True,
                          timeout=900)
    found = re.findall(r"(\S*deployment\.zip)", done.stdout)
    return ROOT / found[-1]


def sizes(archive: Path) -> dict[str, Any]:
    with zipfile.ZipFile(archive) as opened:
        infos = opened.infolist()
    tops: Counter[str] = Counter()
    for info in infos:
        tops[info.filename.split("/")[0]] += info.compress_size
    return {"zip_bytes": archive.stat().st_size, "unzipped_bytes": sum(i.file_size for i in infos),
            "files": len(infos), "pycs": sum(1 for i in infos if i.filename.endswith(".pyc")),
            "sources": sum(1 for i in infos if i.filename.endswith(".py")), "largest": dict(tops.most_common(10))}


def _import_us(folder: Path) -> int:
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "STAGE": "local", "AWS_DEFAULT_REGION": "cn-north-1"}
    done = subprocess.run([sys.executable, "-S", "-X", "importtime", "-c", "import app"], cwd=folder, env=env,
                          capture_output=True, text=True, check=True)
    return int(_importtime_rows(done.stderr)["app_us"])


FIRST_REQUEST = """
import json, os, time
started = time.perf_counter_ns()
import app
imported = time.perf_counter_ns()
answer = app.app(json.loads(os.environ["BENCH_EVENT"]), None)
answered = time.perf_counter_ns()
print(json.dumps({"import_us": (imported - started) // 1000, "first_request_us": (answered - started) // 1000,
                  "status": answer["statusCode"]}))
"""
WINDOW = ("window", "310101002")  # make run's demo window (黄浦区南京东路街道)


def first_request_event() -> dict[str, Any]:
    """API Gateway's event for a window's ``GET /cases``, with a local-stage token (as chalice local builds it)."""
    from chalicelib.auth import issue_local_token
    from chalicelib.config import DEFAULT_LOCAL_JWT_SECRET

    role, unit = WINDOW
    token = issue_local_token(os.environ.get("LOCAL_JWT_SECRET", DEFAULT_LOCAL_JWT_SECRET), f"{role}-{unit}", role,
                              unit)
    return {"requestContext": {"httpMethod": "GET", "resourcePath": "/cases", "path": "/cases",
                               "identity": {"sourceIp": "127.0.0.1"}},
            "headers": {"authorization": f"Bearer {token}", "accept": "application/json"},
            "pathParameters": None, "multiValueQueryStringParameters": None, "stageVariables": {}, "body": None,
            "isBase64Encoded": False}


def _first_request_us(folder: Path, endpoint: str, event: dict[str, Any]) -> int:
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "STAGE": "local", "AWS_DEFAULT_REGION": "cn-north-1",
           "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
           "BENCH_EVENT": json.dumps(event)}
    done = subprocess.run([sys.executable, "-S", "-c", FIRST_REQUEST], cwd=folder, env=env, capture_output=True,
                          text=True, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    if found["status"] != 200:
        raise RuntimeError(f"GET /cases answered {found['status']}: is `make run` serving {endpoint}?")
    return int(found["first_request_us"])


def import_times(archives: list[Path], runs: int, endpoint: str | None = None) -> tuple[list[list[int]], list[list[int]]]:
    """``import app`` µs from each archive unzipped read-only, ``runs`` times, the archives alternating; with
    ``endpoint``, also ``import app`` and one ``GET /cases`` answered (µs), in the same loop."""
    folders = [Path(tempfile.mkdtemp(prefix="subsidy-bench-package-")) for _ in archives]
    event = first_request_event() if endpoint else {}
    try:
        for archive, folder in zip(archives, folders, strict=True):
            _extract(archive, folder, bytecode=True)
        times: list[list[int]] = [[] for _ in archives]
        requests: list[list[int]] = [[] for _ in archives]
        for _ in range(runs):
            for index, folder in enumerate(folders):
                times[index].append(_import_us(folder))
                if endpoint:
                    requests[index].append(_first_request_us(folder, endpoint, event))
        return times, requests
    finally:
        for folder in folders:
            for path, _, _ in os.walk(folder):
                os.chmod(path, 0o755)
            shutil.rmtree(folder)


def measure(archive: Path | None = None, against: Path | None = None, runs: int = 7,
            first_request: str | None = None) -> dict[str, Any]:
    """zip_bytes, unzipped_bytes, files, pycs, sources, largest, import_us, import_runs_us; with ``against``:
    against_zip_bytes, against_unzipped_bytes, against_import_us, against_import_runs_us; with
    ``first_request`` (an endpoint): first_request_us, first_request_runs_us (and against_ ones)."""
    archive = archive or build()
    figures = sizes(archive)
    archives = [archive, *([against] if against else [])]
    times, requests = import_times(archives, runs, first_request)
    figures.update(import_us=int(statistics.median(times[0])), import_runs_us=times[0])
    if first_request:
        figures.update(first_request_us=int(statistics.median(requests[0])), first_request_runs_us=requests[0])
    if against:
        other = sizes(against)
        figures.update(against_zip_bytes=other["zip_bytes"], against_unzipped_bytes=other["unzipped_bytes"],
                       against_import_us=int(statistics.median(times[1])), against_import_runs_us=times[1])
        if first_request:
            figures.update(against_first_request_us=int(statistics.median(requests[1])),
                           against_first_request_runs_us=requests[1])
    return figures


def report(figures: dict[str, Any]) -> list[str]:
    lines = [f"deployment.zip {figures['zip_bytes']:,} bytes ({figures['zip_bytes'] / MB:.1f} MB; unzipped "
             f"{figures['unzipped_bytes'] / MB:.1f} MB, {figures['files']} files, {figures['pycs']} pycs, "
             f"{figures['sources']} .py); import app from it unzipped, read-only: {figures['import_us']:,} µs "
             f"(median of {len(figures['import_runs_us'])})",
             "  largest (deflated): " + ", ".join(f"{name} {size / MB:.2f} MB" for name, size in figures["largest"].items())]
    if "first_request_us" in figures:
        lines.append(f"import app and one GET /cases answered: {figures['first_request_us']:,} µs (median of "
                     f"{len(figures['first_request_runs_us'])}, wall clock)")
    if "against_zip_bytes" in figures:
        lines.append(f"against: {figures['against_zip_bytes']:,} bytes (unzipped {figures['against_unzipped_bytes'] / MB:.1f} MB);"
                     f" import app {figures['against_import_us']:,} µs, in the same loop"
                     + (f"; import app and one GET /cases {figures['against_first_request_us']:,} µs"
                        if "against_first_request_us" in figures else ""))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip", type=Path)
    parser.add_argument("--against", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--first-request", metavar="ENDPOINT",
                        help="also time import app + one GET /cases against this moto endpoint (make run's)")
    args = parser.parse_args(argv)
    print("\n".join(report(measure(args.zip, args.against, args.runs, args.first_request))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
