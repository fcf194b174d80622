"""The one reader of the environment fails closed: no stage by default, never the local stage inside Lambda."""
from __future__ import annotations

import pytest

from chalicelib import config


@pytest.fixture()
def fresh(monkeypatch):
    config.load.cache_clear()
    yield monkeypatch
    config.load.cache_clear()


def test_without_a_stage_nothing_starts(fresh):
    fresh.delenv("STAGE", raising=False)
    with pytest.raises(RuntimeError, match="STAGE is not set"):
        config.load()


@pytest.mark.parametrize("variable", ["AWS_LAMBDA_FUNCTION_NAME", "LAMBDA_TASK_ROOT"])
def test_the_local_stage_refuses_to_run_inside_lambda(fresh, variable):
    fresh.setenv("STAGE", "local")
    fresh.setenv(variable, "subsidy-dev-api_handler")
    with pytest.raises(RuntimeError, match="never runs inside Lambda"):
        config.load()


def test_a_deployed_stage_still_needs_its_issuer_and_key(fresh):
    fresh.setenv("STAGE", "dev")
    for name in ("JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE"):
        fresh.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="JWKS_URL"):
        config.load()


def test_the_local_stage_runs_where_it_is_asked_for(fresh):
    fresh.setenv("STAGE", "local")
    fresh.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    fresh.delenv("LAMBDA_TASK_ROOT", raising=False)
    assert config.load().is_local
