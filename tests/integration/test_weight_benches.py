"""The issue-18 bench modules answer with the keys the performance table reads (no timing is asserted):
bench.pdf (one PDF render), bench.package (the package's sizes; its import timing needs `make package`) and
bench.memory (needs the package and a moto server: run by hand, `python -m bench.memory`)."""
from __future__ import annotations

import zipfile
from pathlib import Path

from bench import package, pdf


def test_the_pdf_bench_measures_a_first_and_a_warm_render_and_the_memory() -> None:
    figures = pdf.measure(warm=1)
    assert set(figures) == {"first_ms", "warm_ms", "parsed_each_ms", "before_rss_mb", "first_peak_rss_mb",
                            "peak_rss_mb", "bytes", "warm_runs"}
    assert figures["bytes"] > 10_000 and figures["peak_rss_mb"] >= figures["first_peak_rss_mb"] > 0
    assert all(figures[key] > 0 for key in ("first_ms", "warm_ms", "parsed_each_ms"))
    assert pdf.report(figures)[0].startswith("one PDF render")


def test_the_package_bench_counts_what_a_zip_holds(tmp_path: Path) -> None:
    archive = tmp_path / "deployment.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr("app.py", "X = 1\n")
        out.writestr("__pycache__/app.cpython-311.pyc", b"pyc")
        out.writestr("vendor/mod.pyc", b"pyc")
    sizes = package.sizes(archive)
    assert (sizes["files"], sizes["pycs"], sizes["sources"]) == (3, 2, 1)
    assert sizes["zip_bytes"] == archive.stat().st_size and set(sizes["largest"]) == {"app.py", "__pycache__", "vendor"}
