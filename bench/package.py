"""The Lambda package: its size, what fills it, and ``import app`` from it unzipped, read-only.

    .venv/bin/python -m bench.package [--zip build/dev/package/deployment.zip] [--against OLD.zip] [--runs 7]

Without ``--zip`` it runs ``make package STAGE=dev`` first (infra/package.py: chalice package, the trim of
infra/trim.py, the bytecode of infra/bytecode.py). Figures: ``zip_bytes``, ``unzipped_bytes``, ``files``,
``pycs``, ``sources`` (``.py`` files shipped), ``largest`` (deflated bytes of the ten largest top-level
entries), and ``import_us``: the median of ``runs`` cumulative microseconds of ``import app`` in a fresh
``python -S -X importtime`` in the unzipped, read-only package (no site-packages; as bench/coldstart.py
does it, see there). With ``--against`` another zip is timed in the same loop, run for run alternately
(``against_import_us``), since this machine's load moves a single figure by a factor of two; its sizes are
reported beside (``against_zip_bytes``, ``against_unzipped_bytes``).
"""
from __future__ import annotations

import argparse
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


def import_times(archives: list[Path], runs: int) -> list[list[int]]:
    """``import app`` µs from each archive unzipped read-only, ``runs`` times, the archives alternating."""
    folders = [Path(tempfile.mkdtemp(prefix="subsidy-bench-package-")) for _ in archives]
    try:
        for archive, folder in zip(archives, folders, strict=True):
            _extract(archive, folder, bytecode=True)
        times: list[list[int]] = [[] for _ in archives]
        for _ in range(runs):
            for index, folder in enumerate(folders):
                times[index].append(_import_us(folder))
        return times
    finally:
        for folder in folders:
            for path, _, _ in os.walk(folder):
                os.chmod(path, 0o755)
            shutil.rmtree(folder)


def measure(archive: Path | None = None, against: Path | None = None, runs: int = 7) -> dict[str, Any]:
    """zip_bytes, unzipped_bytes, files, pycs, sources, largest, import_us, import_runs_us; with ``against``:
    against_zip_bytes, against_unzipped_bytes, against_import_us, against_import_runs_us."""
    archive = archive or build()
    figures = sizes(archive)
    archives = [archive, *([against] if against else [])]
    times = import_times(archives, runs)
    figures.update(import_us=int(statistics.median(times[0])), import_runs_us=times[0])
    if against:
        other = sizes(against)
        figures.update(against_zip_bytes=other["zip_bytes"], against_unzipped_bytes=other["unzipped_bytes"],
                       against_import_us=int(statistics.median(times[1])), against_import_runs_us=times[1])
    return figures


def report(figures: dict[str, Any]) -> list[str]:
    lines = [f"deployment.zip {figures['zip_bytes']:,} bytes ({figures['zip_bytes'] / MB:.1f} MB; unzipped "
             f"{figures['unzipped_bytes'] / MB:.1f} MB, {figures['files']} files, {figures['pycs']} pycs, "
             f"{figures['sources']} .py); import app from it unzipped, read-only: {figures['import_us']:,} µs "
             f"(median of {len(figures['import_runs_us'])})",
             "  largest (deflated): " + ", ".join(f"{name} {size / MB:.2f} MB" for name, size in figures["largest"].items())]
    if "against_zip_bytes" in figures:
        lines.append(f"against: {figures['against_zip_bytes']:,} bytes (unzipped {figures['against_unzipped_bytes'] / MB:.1f} MB);"
                     f" import app {figures['against_import_us']:,} µs, in the same loop")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip", type=Path)
    parser.add_argument("--against", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    print("\n".join(report(measure(args.zip, args.against, args.runs))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
