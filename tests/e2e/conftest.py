"""Start the embedded default (``python -m tools.local``) as its own process, on free ports."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.support.moments import SERVER_NOW
from tools.local_server import PROJECT, local_server

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
    with local_server(*extra, now=SERVER_NOW) as (base, moto):
        MOTO_ENDPOINTS[base] = moto
        yield base


def token(role: str, unit: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "tools.token", "--role", role, "--unit", unit],
        cwd=PROJECT, check=True, capture_output=True, text=True,
    )
    return out.stdout.strip()
