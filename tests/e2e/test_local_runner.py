"""The local runner (``make run``) as a neighbour on the machine would meet it (issue 17.12): tokens only for the
console's own page, unknown routes in the API's error format, no personal numbers in its access log, a clear exit
on a taken port, and a prompt stop on SIGTERM."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tools.console_server import loopback_only, masked_path

pytestmark = pytest.mark.e2e
PROJECT = Path(__file__).resolve().parents[2]


def test_a_token_is_handed_only_to_a_loopback_host_and_the_consoles_own_origin(server):
    port = server.rsplit(":", 1)[1]
    for headers in ({"Host": f"evil.example:{port}"}, {"Origin": "http://evil.example"},
                    {"Host": f"127.0.0.1:{port}", "Origin": f"http://rebound.example:{port}"}):
        refused = requests.post(f"{server}/console/local/token", json={"sub": "sh-window-01"}, headers=headers,
                                timeout=10)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "NOT_THE_CONSOLE", headers
    own = requests.post(f"{server}/console/local/token", json={"sub": "sh-window-01"},
                        headers={"Origin": server}, timeout=10)
    assert own.status_code == 200 and own.json()["token"]


def test_the_loopback_rule_by_itself():
    assert loopback_only("127.0.0.1:8000", None) is None
    assert loopback_only("localhost:8000", "http://localhost:8000") is None
    assert loopback_only("[::1]:8000", None) is None
    assert loopback_only("attacker.example:8000", None) is not None
    assert loopback_only("127.0.0.1:8000", "http://attacker.example") is not None


def test_an_unknown_route_answers_in_the_apis_error_format(server):
    for method in ("GET", "POST", "DELETE"):
        answer = requests.request(method, f"{server}/no/such/route", timeout=10)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "ROUTE_NOT_FOUND", method


def test_the_access_log_masks_id_and_mobile_numbers():
    line = '"GET /progress?id=230102198001011236&phone=13800138000 HTTP/1.1" 200 -'
    masked = masked_path(line)
    assert "230102198001011236" not in masked and "13800138000" not in masked
    assert "230***********1236" in masked and "138****8000" in masked


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_taken_port_is_a_clear_error_and_an_exit_not_a_hang():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "tools.local", "--port", str(taken), "--moto-port",
                               str(_free_port())], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "already in use" in done.stderr


def test_sigterm_stops_the_runner_promptly():
    port, moto_port = _free_port(), _free_port()
    process = subprocess.Popen([sys.executable, "-m", "tools.local", "--port", str(port), "--moto-port",
                                str(moto_port)], cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        requests.get(f"http://127.0.0.1:{port}/health", timeout=2)  # a kept-alive connection is open
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0  # liveness bound, not a timing claim: it used to take 15-35 s
    finally:
        if process.poll() is None:
            process.kill()
