"""Cold start and size: what ``import app`` costs, and how big the Lambda package is.

    .venv/bin/python -m bench.coldstart [--no-package]

- ``python -X importtime -c "import app"``: the cumulative microseconds of the top-level ``app``
  import (the work a cold Lambda container does before its first request, less the runtime's own
  start), the modules imported, and the heaviest packages under it. The microseconds depend on the
  machine; the module count does not.
- The package: ``make package STAGE=dev`` when the Makefile has that target, otherwise
  ``chalice package --stage dev`` on a copy of app.py, chalicelib/, requirements.txt and .chalice/
  (a stage's IAM policy file that does not exist yet is stubbed in the copy: it does not change the
  zip). Chalice keeps the dependency part in ``.chalice/deployments`` keyed by requirements.txt;
  the copy lives under the system temp directory keyed the same way, so only the first run
  downloads the wheels. Reported: deployment.zip bytes, and the unzipped size (Lambda's limits are
  50 MB zipped for a direct upload and 250 MB unzipped).
- ``import app`` FROM THE PACKAGE, as a cold Lambda does it: deployment.zip unzipped into a read-only
  directory, ``python -S -X importtime`` there with ``PYTHONDONTWRITEBYTECODE=1`` and a bare
  environment (no site-packages: only the package and the standard library), eleven runs, the median (five
  gave medians 230-312 ms on this shared 2-core machine within minutes, at load 0.5-2);
  once as shipped (with the pycs ``infra/bytecode.py`` adds) and once with every ``__pycache__/``
  left out (what a sources-only zip costs: every module compiled on every cold start).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MB = 1_000_000


def importtime(python: str = sys.executable) -> dict[str, Any]:
    env = {**os.environ, "STAGE": "local", "AWS_DEFAULT_REGION": "cn-north-1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([python, "-X", "importtime", "-c", "import app"], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return _importtime_rows(done.stderr)


def _importtime_rows(stderr: str) -> dict[str, Any]:
    rows = []
    for line in stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if found:
            rows.append((int(found.group(2)), len(found.group(3)) // 2, found.group(4)))
    app_us = next(cumulative for cumulative, depth, name in rows if depth == 0 and name == "app")
    top = sum(cumulative for cumulative, depth, _ in rows if depth == 0)
    # the heaviest packages: the largest cumulative time of any import of each top-level package
    heavy: dict[str, int] = {}
    for cumulative, _, name in rows:
        root = name.split(".")[0]
        heavy[root] = max(heavy.get(root, 0), cumulative)
    heaviest = sorted(((us, name) for name, us in heavy.items() if name not in ("app", "chalicelib")),
                      reverse=True)[:8]
    return {"app_us": app_us, "all_top_level_us": top, "modules": len(rows), "heaviest": heaviest}


def _extract(archive: Path, into: Path, bytecode: bool) -> None:
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            if bytecode or "__pycache__/" not in info.filename:
                opened.extract(info, into)
    for folder, _, names in os.walk(into):  # read-only, as /var/task is (root still could write: see the env)
        for name in names:
            os.chmod(os.path.join(folder, name), 0o444)
        os.chmod(folder, 0o555)


RUNS = 11


def package_importtime(archive: Path, bytecode: bool = True, runs: int = RUNS) -> dict[str, Any]:
    """``import app`` from ``archive`` unzipped read-only: the median of ``runs`` cumulative µs of ``app``."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "STAGE": "local",
           "AWS_DEFAULT_REGION": "cn-north-1"}
    work = Path(tempfile.mkdtemp(prefix="subsidy-bench-unzipped-"))
    try:
        _extract(archive, work, bytecode)
        times = []
        for _ in range(runs):
            done = subprocess.run([sys.executable, "-S", "-X", "importtime", "-c", "import app"], cwd=work, env=env,
                                  capture_output=True, text=True, check=True)
            times.append(_importtime_rows(done.stderr)["app_us"])
    finally:
        for folder, _, _ in os.walk(work):
            os.chmod(folder, 0o755)
        shutil.rmtree(work)
    return {"app_us": sorted(times)[len(times) // 2], "runs": times}


def _has_make_package() -> bool:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    return re.search(r"^package\s*:", makefile, re.MULTILINE) is not None


def _copy_project(work: Path, stage: str) -> list[str]:
    import json

    notes = []
    project = work / "project"
    if project.exists():
        shutil.rmtree(project / "chalicelib", ignore_errors=True)
    project.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "app.py", project / "app.py")
    shutil.copy2(ROOT / "requirements.txt", project / "requirements.txt")
    shutil.copytree(ROOT / "chalicelib", project / "chalicelib",
                    ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    chalice = project / ".chalice"
    chalice.mkdir(exist_ok=True)
    for source in (ROOT / ".chalice").iterdir():
        if source.is_file():
            shutil.copy2(source, chalice / source.name)
    config = json.loads((chalice / "config.json").read_text(encoding="utf-8"))
    policy = config.get("stages", {}).get(stage, {}).get("iam_policy_file")
    if policy and not (chalice / policy).exists():
        (chalice / policy).write_text('{"Version": "2012-10-17", "Statement": []}', encoding="utf-8")
        notes.append(f".chalice/{policy} missing: stubbed in the copy")
    return notes


def package(stage: str = "dev") -> dict[str, Any]:
    started = time.perf_counter()
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "cn-north-1")}
    notes: list[str] = []
    archive = None
    if _has_make_package():
        try:
            done = subprocess.run(["make", "package", f"STAGE={stage}"], cwd=ROOT, env=env, check=True,
                                  capture_output=True, text=True, timeout=600)
            found = re.findall(r"(\S*deployment\.zip)", done.stdout)
            if found and (ROOT / found[-1]).exists():
                archive, how = ROOT / found[-1], f"make package STAGE={stage}"
            else:
                notes.append("make package named no deployment.zip")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            notes.append(f"make package failed ({type(error).__name__}): chalice package used instead")
    if archive is None:
        key = hashlib.sha256((ROOT / "requirements.txt").read_bytes()).hexdigest()[:12]
        work = Path(tempfile.gettempdir()) / f"subsidy-bench-package-{key}"
        notes += _copy_project(work, stage)
        out = work / "out"
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([str(Path(sys.executable).parent / "chalice"), "package", "--stage", stage, str(out)],
                       cwd=work / "project", env=env, check=True, capture_output=True)
        archive, how = out / "deployment.zip", f"chalice package --stage {stage} (on a copy of the project)"
    with zipfile.ZipFile(archive) as opened:
        unzipped = sum(info.file_size for info in opened.infolist())
        files = len(opened.infolist())
        pycs = sum(1 for name in opened.namelist() if name.endswith(".pyc"))
    shipped, sources = package_importtime(archive, bytecode=True), package_importtime(archive, bytecode=False)
    return {"zip_bytes": archive.stat().st_size, "unzipped_bytes": unzipped, "files": files, "how": how,
            "notes": notes, "seconds": time.perf_counter() - started, "pycs": pycs,
            "import_shipped_us": shipped["app_us"], "import_sources_us": sources["app_us"]}


def report(imports: dict[str, Any], packaged: dict[str, Any] | None) -> list[str]:
    lines = [f"import app: {imports['app_us']:,} µs cumulative (python -X importtime; all top-level imports "
             f"incl. interpreter start {imports['all_top_level_us']:,} µs), {imports['modules']} modules",
             "  heaviest: " + ", ".join(f"{name} {us / 1000:.0f} ms" for us, name in imports["heaviest"])]
    if packaged:
        lines.append(f"deployment.zip: {packaged['zip_bytes']:,} bytes = {packaged['zip_bytes'] / MB:.1f} MB "
                     f"(unzipped {packaged['unzipped_bytes'] / MB:.1f} MB, {packaged['files']} files) "
                     f"from {packaged['how']}" + (f"; {'; '.join(packaged['notes'])}" if packaged["notes"] else ""))
        lines.append(f"import app from the unzipped package (read-only, median of {RUNS}): "
                     f"{packaged['import_shipped_us']:,} µs as shipped ({packaged['pycs']} pycs), "
                     f"{packaged['import_sources_us']:,} µs with the __pycache__ left out (compiled at every cold start)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-package", action="store_true")
    args = parser.parse_args(argv)
    print("\n".join(report(importtime(), None if args.no_package else package())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
