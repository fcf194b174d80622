"""Start the embedded default (``python -m tools.local``) as its own process, on free ports."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

PROJECT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


MOTO_ENDPOINTS: dict[str, str] = {}


@pytest.fixture(scope="session")
def moto_endpoint(server: str) -> str:
    """The moto server inside the session's embedded default (for commands that talk to it)."""
    return MOTO_ENDPOINTS[server]


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    yield from _serve()


@pytest.fixture(scope="session")
def scaled_server() -> Iterator[str]:
    """The embedded default with a time scale: one working day lasts 0.3 s on the case clocks."""
    yield from _serve("--seconds-per-working-day", "0.3", "--sweep-every", "3600")


def _serve(*extra: str) -> Iterator[str]:
    port, moto_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in {"RESOURCE_PREFIX", "STAGE"}}
    log_path = PROJECT / f".e2e-server-{port}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.local", "--port", str(port), "--moto-port", str(moto_port), *extra],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"local server exited: {log_path.read_text()}")
            try:
                if requests.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("local server did not answer /health within 60 s")
            time.sleep(0.2)
        MOTO_ENDPOINTS[base] = f"http://127.0.0.1:{moto_port}"
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        log_path.unlink(missing_ok=True)


def token(role: str, unit: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "tools.token", "--role", role, "--unit", unit],
        cwd=PROJECT, check=True, capture_output=True, text=True,
    )
    return out.stdout.strip()
