"""Test-wide environment, set before any chalicelib module reads it (table names, stage)."""
from __future__ import annotations

import os
from datetime import datetime

import pytest

os.environ.update({
    "STAGE": "local",
    "RESOURCE_PREFIX": "subsidy-test",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "cn-north-1",
    # SNS straight to the number, as the milestone SMS tests expect (cn-north-1 alone would choose the gateway
    # channel); tests/integration/test_sms_gateway.py switches to the gateway
    "SMS_CHANNEL": "direct",
})
for variable in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "CLOCK_NOW", "CLOCK_START", "CONSOLE_ORIGIN"):
    os.environ.pop(variable, None)


# --- make test-dates: the date-sensitive tests again, the real clock moved to a stated day ----------------------
# Every scenario states its moment (X-Clock-Now, CLOCK_NOW, dates passed to the jobs); this is the proof: with
# ``--today`` (or SUITE_TODAY, which the subprocesses the tests start inherit) the process's real clock reads that
# day, 10:00 Asia/Shanghai, and ticks on. Tests marked ``dated`` (the schedules, the jobs, tokens' lifetimes,
# the ledger's months; every unit test) must pass under any day.
SUITE_TODAY = "SUITE_TODAY"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--today", default=None, metavar="YYYY-MM-DD",
                     help="move the real clock to this day (10:00 Asia/Shanghai, ticking) for the whole run")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "dated: date-sensitive; make test-dates runs it again under several days")
    day = config.getoption("--today") or os.environ.get(SUITE_TODAY)
    if day:
        import time_machine

        os.environ[SUITE_TODAY] = day
        moment = datetime.fromisoformat(f"{day}T10:00:00+08:00")
        config._suite_travel = time_machine.travel(moment, tick=True)  # type: ignore[attr-defined]
        config._suite_travel.start()  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    travel = getattr(config, "_suite_travel", None)
    if travel is not None:
        travel.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    day = os.environ.get(SUITE_TODAY)
    return f"real clock moved to {day} 10:00 Asia/Shanghai (--today)" if day else None


# besides every unit test (token lifetimes included): the modules whose scenarios run the schedules, the jobs,
# deadlines and retries by the clock, and the payment ledger's months end to end
DATED_MODULES = frozenset({
    "tests/infra/test_iam_policies.py", "tests/integration/test_sweep.py", "tests/integration/test_clock.py",
    "tests/integration/test_unit_jobs.py", "tests/integration/test_monthly_checks.py",
    "tests/integration/test_calendar_years.py", "tests/integration/test_messages.py",
    "tests/integration/test_payment_ledger.py",
})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        where = item.path.relative_to(config.rootpath).as_posix()
        if where.startswith("tests/unit/") or where in DATED_MODULES:
            item.add_marker(pytest.mark.dated)
