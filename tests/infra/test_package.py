"""`make package` as a test: the merged SAM template passes cfn-lint, and checkov finds nothing but the
written-down exceptions (infra/checkov_skips.json). Packaged once per session."""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint

from infra.bytecode import add_bytecode_to_package, cached_name
from infra.checkov_skips import skips
from infra.package import package
from infra.template import build
from infra.trim import dropped

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = ROOT / ".venv-iac" / "bin" / "checkov"


@pytest.fixture(scope="session")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("package-dev")
    (out / "resources.json").write_text(json.dumps(build("dev")), encoding="utf-8")
    yield package("dev", out, ROOT / ".wheelhouse")


def test_the_packaged_template_has_no_cfn_lint_error_in_either_china_region(packaged: Path) -> None:
    matches = lint(packaged.read_text(encoding="utf-8"),
                   config=ManualArgs(regions=["cn-north-1", "cn-northwest-1"]))
    assert [str(m) for m in matches if m.rule.id.startswith("E")] == []


def test_the_merge_reached_chalices_own_functions_and_roles(packaged: Path) -> None:
    resources = json.loads(packaged.read_text(encoding="utf-8"))["Resources"]
    sweep = resources["DailySweep"]["Properties"]
    assert sweep["Runtime"] == "python3.11" and sweep["FunctionName"] == "subsidy-dev-daily-sweep"
    assert sweep["DeadLetterQueue"]["TargetArn"] == {"Fn::GetAtt": ["ScheduleDeadLetters", "Arn"]}
    assert "Schedule" in json.dumps(sweep["Events"])  # Chalice's schedule survived the merge
    [policy] = resources["ApiHandlerRole"]["Properties"]["Policies"]
    assert policy["PolicyName"] == "APIHandlerPolicy"  # ours, not the placeholder .chalice/policy-dev.json


def test_the_deployment_package_carries_the_app_and_no_test_or_local_tooling(packaged: Path) -> None:
    names = zipfile.ZipFile(packaged.with_name("deployment.zip")).namelist()
    assert "app.py" in names and "chalicelib/config.py" in names
    assert not [n for n in names if n.startswith(("moto/", "tests/", "tools/", "bench/"))]


def test_checkov_fails_no_check_beyond_the_written_down_exceptions(packaged: Path) -> None:
    if not CHECKOV.exists():
        pytest.fail("checkov is missing: run `make iac` (make test does)")
    run = subprocess.run([str(CHECKOV), "--quiet", "--compact", "--skip-download", "--framework", "cloudformation", "-o", "json",
                          "-f", str(packaged)], capture_output=True, text=True, timeout=300)
    report = json.loads(run.stdout)
    report = report[0] if isinstance(report, list) else report
    failed = {(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]}
    written = skips()
    assert sorted(f for f in failed if f[0] not in written) == []
    assert all(len(reason) > 40 for reason in written.values())
    assert sorted(set(written) - {check for check, _ in failed}) == [], "a skip no longer needed: remove it"


# --- compiled bytecode in deployment.zip (infra/bytecode.py) ----------------------------------------------------


@pytest.fixture(scope="module")
def archive(packaged: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(packaged.with_name("deployment.zip"))


def test_the_package_carries_a_pyc_for_app_and_every_chalicelib_module(archive: zipfile.ZipFile) -> None:
    names = set(archive.namelist())
    ours = [n for n in names if n == "app.py" or (n.startswith("chalicelib/") and n.endswith(".py"))]
    assert len(ours) > 20 and [n for n in ours if cached_name(n) not in names] == []
    assert f"__pycache__/app.{sys.implementation.cache_tag}.pyc" in names


def test_every_pyc_is_an_unchecked_hash_pyc_of_its_own_source_and_only_uncompilable_files_have_none(
        archive: zipfile.ZipFile) -> None:
    names = set(archive.namelist())
    sources = {cached_name(n): n for n in names if n.endswith(".py")}
    pycs = [n for n in names if n.endswith(".pyc")]
    cached = [n for n in pycs if "/__pycache__/" in f"/{n}"]
    sourceless = [n for n in pycs if n not in cached]
    assert len(pycs) > 800 and sorted(set(cached) - set(sources)) == []
    # ours keep their sources; the wheels' modules ship as pycs alone, with no .py beside
    assert {sources[n].split("/")[0] for n in cached} == {"app.py", "chalicelib"}
    assert len(sourceless) > 600 and [n for n in sourceless if n[:-1] in names or n.startswith("chalicelib/")] == []
    for pyc in pycs:
        data = archive.read(pyc)
        assert data[:4] == importlib.util.MAGIC_NUMBER, pyc
        assert int.from_bytes(data[4:8], "little") == 0b01, pyc  # hash-based, unchecked
        if pyc in sources:
            assert data[8:16] == importlib.util.source_hash(archive.read(sources[pyc])), pyc
    for missing in sorted(set(sources) - set(pycs)):
        with pytest.raises((SyntaxError, ValueError)):
            compile(archive.read(sources[missing]), sources[missing], "exec", dont_inherit=True)


def test_the_package_leaves_out_what_infra_trim_drops_and_stays_under_15_mb(packaged: Path,
                                                                             archive: zipfile.ZipFile) -> None:
    names = archive.namelist()
    assert [n for n in names if dropped(n[:-1] if n.endswith(".pyc") and "__pycache__" not in n else n)] == []
    assert not [n for n in names if n.startswith(("PIL/", "aws_xray_sdk/", "wrapt/"))]
    assert packaged.with_name("deployment.zip").stat().st_size <= 15_000_000


def test_the_package_is_written_in_name_order_with_chalices_fixed_time_and_the_sources_modes(
        archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    modes = {i.filename: i.external_attr for i in infos}
    pairs = [(modes[n], modes[cached_name(n)]) for n in modes if n.endswith(".py") and cached_name(n) in modes]
    assert len(pairs) > 100 and [pair for pair in pairs if pair[0] != pair[1]] == []


def test_compiling_the_package_again_from_a_process_with_other_imports_gives_the_same_bytes(packaged: Path,
                                                                                          tmp_path: Path) -> None:
    again = tmp_path / "package"  # pytest's process, not `make package`'s: the same bytes all the same
    again.mkdir()
    shutil.copy(packaged, again / "sam.json")
    shutil.copy(packaged.with_name("deployment.zip"), again / "deployment.zip")
    assert add_bytecode_to_package(again).done
    assert (again / "deployment.zip").read_bytes() == packaged.with_name("deployment.zip").read_bytes()


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def test_importing_app_from_the_unzipped_read_only_package_loads_pycs_and_compiles_or_writes_nothing(
        archive: zipfile.ZipFile, tmp_path: Path) -> None:
    task = tmp_path / "task"  # as /var/task: read-only (root could still write, so writing is allowed here)
    archive.extractall(task)
    for path in [*task.rglob("*"), task]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    before = _snapshot(task)
    env = {"PATH": "/usr/bin:/bin", "STAGE": "local", "AWS_DEFAULT_REGION": "cn-north-1"}  # bytecode writes allowed
    try:
        done = subprocess.run([sys.executable, "-S", "-v", "-c", "import app; print(app.__spec__.cached)"], cwd=task,
                              env=env, capture_output=True, text=True, timeout=120, check=True)
        after = _snapshot(task)
    finally:
        for path in [task, *task.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
    compiled = [line for line in done.stderr.splitlines()
                if line.startswith(f"# code object from {task}") and line.endswith(".py")]
    loaded = [line for line in done.stderr.splitlines() if line.startswith(f"# code object from '{task}")]
    assert compiled == [] and len(loaded) > 250  # 278 on 2026-12-06, what only some routes use loads with them
    assert done.stdout.strip() == str(task / "__pycache__" / f"app.{sys.implementation.cache_tag}.pyc")
    assert after == before


USES = """
import boto3
import app
from chalicelib.adapters.pdf import render
from chalicelib.domain.cases.documents import KINDS, build_document
from infra_trim_case import a_case
for kind in KINDS:
    assert render(build_document(a_case(), kind, "https://example.org/progress?case=C1")).body.startswith(b"%PDF")
for region in ("cn-north-1", "cn-northwest-1", "us-east-1"):
    for service in SERVICES:
        boto3.client(service, region_name=region, aws_access_key_id="x", aws_secret_access_key="y")
print("ok")
"""

CASE = """
from datetime import date
from chalicelib.domain.cases.case import Case, Status
from chalicelib.domain.rules.rules import one_time_notice
def a_case():
    return Case(case_id="C20260924A1B2C3D4E5", status=Status.RESULT_RETURNED, accepting_unit="310101002",
                business_unit="230102001", scope="cross_province", applied_on=date(2026, 9, 24),
                applied_at="2026-09-24T09:30:00+08:00", applicant={"name": "张三䶮", "id_number": "11010519491231002X"},
                certificate={"number": "11010519491231002X41"}, subsidies=("living", "nursing"),
                notice=one_time_notice(True), decision={"outcome": "rejected", "subsidies": [], "reason": "不符合条件",
                                                        "decided_on": "2026-10-20"})
"""


def test_the_unzipped_package_alone_renders_every_document_and_creates_every_client_the_code_uses(
        archive: zipfile.ZipFile, tmp_path: Path) -> None:
    from infra.trim import SERVICES

    task = tmp_path / "task"
    archive.extractall(task)
    (tmp_path / "helper").mkdir()
    (tmp_path / "helper" / "infra_trim_case.py").write_text(CASE, encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "STAGE": "local", "AWS_DEFAULT_REGION": "cn-north-1",
           "PYTHONPATH": str(tmp_path / "helper")}
    script = f"SERVICES = {sorted(SERVICES)!r}\n" + USES
    done = subprocess.run([sys.executable, "-S", "-B", "-c", script], cwd=task, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"
