"""The contract suites' shared parts: each module runs its tests on the in-memory fake and on moto (one moto world per
module, the fake first with no AWS at all), each moto test on empty tables."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.conftest import moto_world


@pytest.fixture(scope="module", params=["fake", "moto"])
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """One moto world for the module's moto runs (the fake runs first, with no AWS at all)."""
    if request.param == "fake":
        yield "fake"
        return
    with moto_world():
        yield "moto"


def emptied(*models: Any) -> None:
    """Every item of the models' tables deleted: each moto test starts on empty tables."""
    for model in models:
        with model.batch_write() as batch:
            for item in model.scan():
                batch.delete(item)
