"""Re-read and retry when someone else wrote first: the one loop every conditional case write goes through.

A change is read → checked → written with one conditional transaction. When the store refuses it as stale
(``domain.refusals.StaleCase``) the attempt is run again after a short jittered pause that grows with each try,
reading afresh, so commutative changes (two materials registered at once) both land, while a transition re-checked
against the new status leaves exactly one winner. After ``retries`` stale attempts: ``KeptChanging``, which each
caller answers in its own way (409, a message left pending, a case left for tomorrow's sweep).
"""
from __future__ import annotations

import logging
import random
import time
from typing import Callable, TypeVar

from ..domain.refusals import StaleCase

log = logging.getLogger(__name__)
RETRIES = 8  # optimistic retries on a stale write (docs/decisions.md)
T = TypeVar("T")


class KeptChanging(Exception):
    """Every attempt found the case (or what it writes with it) changed meanwhile."""


def pause(attempt: int) -> None:
    """The pause after stale attempt ``attempt`` (0, 1, …): up to 20 ms more each time, jittered so that the
    writers that collided do not collide again."""
    time.sleep(random.uniform(0, 0.02 * (attempt + 1)))


def on_stale(attempt: Callable[[int], T], what: str, retries: int = RETRIES) -> T:
    """``attempt(n)`` for n = 0, 1, … until it returns; each ``StaleCase`` pauses and tries again. Each attempt
    reads what it changes afresh (the first may use what the caller has just read: a stale copy only fails the
    conditional write). Any other exception ends the loop at once."""
    for n in range(retries):
        try:
            return attempt(n)
        except StaleCase:
            log.info("%s changed concurrently; re-reading", what)
            pause(n)
    raise KeptChanging(what)
