"""`make package` as a test: the merged SAM template passes cfn-lint, and checkov finds nothing but the
written-down exceptions (infra/checkov_skips.json). Packaged once per session."""
from __future__ import annotations

import json
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint

from infra.checkov_skips import skips
from infra.package import package
from infra.template import build

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
