"""A small schemathesis run (tools/fuzz.py) against the session's local server: no 5xx, every answer as the OpenAPI
document describes it (status, Content-Type, body schema), every error in the JSON format.

The admin fuzzes with the scope 65 (新疆), which no other test uses: the fuzzer stores whatever rules its
examples make valid, and the case test relies on 黑龙江's demo amount table.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.e2e.conftest import PROJECT
from tests.support.moments import SERVER_TODAY

pytestmark = pytest.mark.e2e


def test_a_small_fuzz_run_finds_no_server_error_and_no_answer_the_document_does_not_describe(server):
    run = subprocess.run(
        [sys.executable, "-m", "tools.fuzz", "--base-url", server, "--max-examples", "1", "--max-coverage", "4",
         "--seed", "20261001", "--as", "admin=65", "--today", SERVER_TODAY],
        cwd=PROJECT, capture_output=True, text=True, timeout=240,
    )
    assert "requests in" in run.stdout, run.stdout[-6000:] + run.stderr[-3000:]
    assert run.returncode == 0, run.stdout[-6000:]  # 1: a check failed (tools/fuzz.CHECKS); 2: the fuzzer failed
