"""infra/sizes.py: every function has a memory and a timeout from a measured peak, with the headroom the table
promises, and the template carries them (the figures: bench.memory; the reasons: docs/decisions.md)."""
from __future__ import annotations

import app
from infra.sizes import API_GATEWAY_LIMIT, HEADROOM, SIZES
from infra.template import WORKER_TIMEOUT, build, function_ids, queue_workers


def test_every_function_has_a_size_and_memory_at_least_twice_its_measured_peak() -> None:
    assert set(SIZES) == set(function_ids(app.app))
    for name, size in SIZES.items():
        assert size.memory_mb >= HEADROOM * size.peak_mb, name
        assert 128 <= size.memory_mb <= 10240 and 1 <= size.timeout_s <= 900, name
        assert len(size.why) > 10, name


def test_the_api_gives_up_with_api_gateway_and_a_queue_worker_runs_as_long_as_its_queue_allows() -> None:
    assert SIZES["api_handler"].timeout_s == API_GATEWAY_LIMIT
    for worker in queue_workers(app.app):
        assert SIZES[worker].timeout_s == WORKER_TIMEOUT


def test_the_template_carries_each_functions_memory_and_timeout() -> None:
    resources = build("dev")["Resources"]
    for name, (function_id, _) in function_ids(app.app).items():
        properties = resources[function_id]["Properties"]
        assert (properties["MemorySize"], properties["Timeout"]) == (SIZES[name].memory_mb, SIZES[name].timeout_s)
