"""bench.overhead runs its timings below one deep frame (no stack chunk boundary within them): structure, never timings."""
from __future__ import annotations

import sys

import pytest

from bench.overhead import STACK_SLOTS, _one_chunk


def test_the_work_runs_below_the_frame_that_reserves_the_stack_and_its_answer_comes_back():
    def work() -> list[int]:
        frame = sys._getframe()
        sizes = []
        while frame is not None:
            sizes.append(frame.f_code.co_stacksize)
            frame = frame.f_back
        return sizes

    sizes = _one_chunk(work)
    assert sizes[1] == STACK_SLOTS  # called by the frame that reserves the stack


def test_an_error_of_the_work_is_raised_as_it_is():
    def work() -> None:
        raise LookupError("x")

    with pytest.raises(LookupError):
        _one_chunk(work)
