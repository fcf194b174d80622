"""Load demo/rules.json through the same admin services the API uses (what `make run` does).

The figures are demo data: each entry says so ("demo": true, with a note), and none may be used
for real payments before it is checked against the province's own notice.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from chalicelib.domain.cases.case import Actor
from chalicelib.services import rules

DEMO_RULES = Path(__file__).resolve().parent.parent / "demo" / "rules.json"
WRAPPER_KEYS = {"scope", "province", "effective_from", "demo", "note"}


def _body(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key not in WRAPPER_KEYS}


def load_demo_rules(store: rules.RuleStore, now: datetime, path: Path = DEMO_RULES) -> dict[str, int]:
    data = json.loads(path.read_text(encoding="utf-8"))
    counts = {"materials": 0, "eligibility": 0, "amounts": 0, "contacts": 0, "review_chains": 0}

    def admin(scope: str) -> Actor:
        return Actor("demo-loader", "demo data", "admin", scope[:2])

    for entry in sorted(data["materials"], key=lambda e: (len(e["scope"]), e["effective_from"])):
        rules.put_materials(store, admin(entry["scope"]), entry["scope"], entry["effective_from"],
                            lambda entry=entry: _body(entry), now)
        counts["materials"] += 1
    for entry in data["eligibility"]:
        rules.put_eligibility(store, admin(entry["province"]), entry["province"], entry["effective_from"],
                              lambda entry=entry: _body(entry), now)
        counts["eligibility"] += 1
    for entry in data["amounts"]:
        rules.put_amounts(store, admin(entry["scope"]), entry["scope"], lambda entry=entry: _body(entry), now)
        counts["amounts"] += 1
    for entry in data.get("review_chains", []):  # each province's chain from a day on (domain.cases.review_chain)
        rules.put_review_chain(store, admin(entry["province"]), entry["province"], entry["effective_from"],
                               lambda entry=entry: _body(entry), now)
        counts["review_chains"] += 1
    for entry in data.get("contacts", []):  # who explains the standard: the result notice and the approval SMS
        rules.put_contact(store, admin(entry["scope"]), entry["scope"], entry["effective_from"],
                          lambda entry=entry: _body(entry), now)
        counts["contacts"] += 1
    return counts
