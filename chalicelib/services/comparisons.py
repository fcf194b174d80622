"""Wiring of the monthly data comparison for the routes and the schedule (adapters from config)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..adapters.files import MaterialFiles
from ..config import load
from ..wiring import entitlement_store, jurisdiction_rules, proposals, rosters
from . import comparison, rules


def run(kind: str, key: str, by: str, now: datetime) -> dict[str, Any]:
    config = load()
    return comparison.compare(
        rosters(), proposals(), entitlement_store(), config.person_key_secret, config.materials_bucket, kind, key,
        by, now, lambda province: rules.comparison_offsets(jurisdiction_rules(), province, now.date()))


def run_pending(by: str, now: datetime) -> dict[str, Any]:
    """Every file under comparisons/<kind>/: those already done answer at once without work."""
    results = []
    for key in MaterialFiles().keys_under(comparison.PREFIX):
        kind = key[len(comparison.PREFIX):].split("/", 1)[0]
        results.append(run(kind, key, by, now))
    return {"files": len(results), "processed": sum(1 for r in results if not r["already_done"]),
            "proposals": sum(int(r["proposals"]) for r in results if not r["already_done"])}
