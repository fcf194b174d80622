"""Print a local-stage JWT: ``python -m tools.token --role window --unit 310101002``.

With ``--demo NAME`` it takes role and unit from a demo user in ``demo/units.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from chalicelib.auth import issue_local_token
from chalicelib.config import DEFAULT_LOCAL_JWT_SECRET
from chalicelib.domain.access import ROLES
from chalicelib.domain.units import is_committee, is_scope_code

DEMO = Path(__file__).resolve().parent.parent / "demo" / "units.json"


def demo_users() -> list[dict[str, str]]:
    return list(json.loads(DEMO.read_text(encoding="utf-8"))["users"])


def demo_user(sub: str) -> dict[str, str] | None:
    return next((u for u in demo_users() if u["sub"] == sub), None)


def token_for(role: str, unit: str, sub: str | None = None, name: str = "", ttl: int = 12 * 3600) -> str:
    """A local-stage token; ValueError names what is wrong (the command and the console's picker share it)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(sorted(ROLES))}")
    if not (is_scope_code(unit) or (role == "committee" and is_committee(unit))):
        raise ValueError("unit must be 2, 4, 6 or 9 digits (a committee: 12)")
    if role == "sms_gateway" and len(unit) != 2:
        raise ValueError("an SMS gateway's unit is its 2-digit province")
    secret = os.environ.get("LOCAL_JWT_SECRET", DEFAULT_LOCAL_JWT_SECRET)
    return issue_local_token(secret, sub or f"{role}-{unit}", role, unit, name, ttl)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", choices=sorted(ROLES))
    parser.add_argument("--unit", help="9-digit township unit, or 2/4/6-digit scope (sms_gateway: 2-digit province)")
    parser.add_argument("--sub", default=None)
    parser.add_argument("--name", default="")
    parser.add_argument("--demo", help="sub of a demo user in demo/units.json")
    parser.add_argument("--ttl", type=int, default=12 * 3600, help="seconds")
    args = parser.parse_args(argv)
    if args.demo:
        user = demo_user(args.demo)
        if user is None:
            parser.error(f"no demo user {args.demo}")
        role, unit, sub, name = user["role"], user["unit"], user["sub"], user["name"]
    else:
        if not args.role or not args.unit:
            parser.error("give --role and --unit, or --demo")
        role, unit, sub, name = args.role, args.unit, args.sub, args.name
    try:
        print(token_for(role, unit, sub, name, args.ttl))
    except ValueError as error:
        parser.error(f"--unit: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
