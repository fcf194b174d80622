"""The audit command against the running embedded default."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from tests.e2e.conftest import PROJECT, token
from tests.support.people import SHANGHAI_WINDOW, fresh_application
from tools.local_server import clean_environment

pytestmark = pytest.mark.e2e


def test_the_audit_command_verifies_a_case_and_a_unit_on_the_local_server(server, moto_endpoint):
    headers = {"Authorization": f"Bearer {token('window', SHANGHAI_WINDOW)}"}
    case = requests.post(f"{server}/cases", json=fresh_application("777"), headers=headers, timeout=30).json()
    env = clean_environment()
    for args in (["--case", case["case_id"]], ["--unit", "23"]):
        run = subprocess.run([sys.executable, "-m", "tools.audit", *args, "--endpoint", moto_endpoint],
                             cwd=PROJECT, capture_output=True, text=True, timeout=120, env=env)
        assert run.returncode == 0, run.stdout + run.stderr
        assert json.loads(run.stdout)["valid"] is True
    # the API's address given where the stores' endpoint belongs: a specific refusal naming the option, not a traceback
    wrong = subprocess.run([sys.executable, "-m", "tools.audit", "--case", case["case_id"], "--endpoint", server],
                           cwd=PROJECT, capture_output=True, text=True, timeout=120, env=env)
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr, wrong.stdout + wrong.stderr
    refusal = json.loads(wrong.stdout)["error"]
    assert (refusal["code"], refusal["field"]) == ("STORE_UNREACHABLE", "endpoint") and server in refusal["message"]
