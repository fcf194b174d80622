"""Verify hash-chained timelines from the command line (against `make run`, or any endpoint):

    .venv/bin/python -m tools.audit --case C20260924A1B2C3D4E5
    .venv/bin/python -m tools.audit --unit 23            # every case accepted in or owned by a scope
    .venv/bin/python -m tools.audit --digest 2026-09-24  # write that day's chain heads to the audit bucket

Exit 0 when every chain verifies, 1 when a link is broken (the first broken link is printed).
"""
from __future__ import annotations

import argparse
import json
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--case")
    target.add_argument("--unit")
    target.add_argument("--digest", metavar="YYYY-MM-DD")
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"))
    args = parser.parse_args(argv)
    os.environ.setdefault("STAGE", "local")
    os.environ["AWS_ENDPOINT_URL"] = args.endpoint
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "cn-north-1")

    from botocore.exceptions import BotoCoreError, ClientError
    from pynamodb.exceptions import PynamoDBException

    from chalicelib.adapters.files import MaterialFiles
    from chalicelib.config import load
    from chalicelib.domain.errors import DomainError
    from chalicelib.services import audit
    from chalicelib.wiring import deps

    try:
        if args.case:
            result = audit.verify_case(deps().repo, args.case)
        elif args.unit:
            result = audit.verify_unit(deps().repo, args.unit)
        else:
            result = audit.daily_digest(deps().repo, MaterialFiles(load().audit_bucket), args.digest)
    except DomainError as error:
        print(json.dumps(error.to_body(), ensure_ascii=False))
        return 2
    except (PynamoDBException, BotoCoreError, ClientError) as error:  # the tables not there: say where it looked
        print(json.dumps({"error": {
            "code": "STORE_UNREACHABLE", "field": "endpoint",
            "message": f"the case tables could not be read at {args.endpoint} ({type(error).__name__}); --endpoint "
                       "is the AWS endpoint the stores answer on (make run's embedded one: http://127.0.0.1:5000), "
                       "not the API's"}}, ensure_ascii=False))
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0 if result.get("valid", True) else 1


if __name__ == "__main__":
    sys.exit(main())
