"""The checkov checks this template does not pass, each with its reason (``infra/checkov_skips.json``).

``python -m infra.checkov_skips`` prints them comma-separated for ``checkov --skip-check``; the
infra test runs checkov with the same list and fails on any other failed check.
"""
from __future__ import annotations

import json
from pathlib import Path

SKIPS_FILE = Path(__file__).with_name("checkov_skips.json")


def skips() -> dict[str, str]:
    return dict(json.loads(SKIPS_FILE.read_text(encoding="utf-8")))


if __name__ == "__main__":
    print(",".join(sorted(skips())))
