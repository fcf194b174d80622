"""Start the embedded default (``python -m tools.local``) as its own process on free loopback ports,
wait for /health, and stop it after: for the end-to-end tests and the fuzz run."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_environment() -> dict[str, str]:
    """The caller's environment without anything that would point the server elsewhere."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in {"RESOURCE_PREFIX", "STAGE"}}


@contextlib.contextmanager
def local_server(*extra: str, now: str | None = None) -> Iterator[tuple[str, str]]:
    """(API base URL, moto endpoint) of a fresh embedded default, until the block ends; ``now``: the stated
    moment its clock starts from (CLOCK_START: it runs on from there), for every request without its own
    X-Clock-Now and for its scheduled jobs."""
    port, moto_port = free_port(), free_port()
    environment = clean_environment() | ({"CLOCK_START": now} if now else {})
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tools.local", "--port", str(port), "--moto-port", str(moto_port), *extra],
            cwd=PROJECT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"local server exited: {log.read()[-3000:]}")
                with contextlib.suppress(requests.ConnectionError):
                    if requests.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError("local server did not answer /health within 60 s")
                time.sleep(0.2)
            yield base, f"http://127.0.0.1:{moto_port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
