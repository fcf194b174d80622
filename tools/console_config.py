"""Write the deployed console's ``config.json`` (``make deploy`` puts it beside the console's files in S3).

``python -m tools.console_config --out build/dev/console/config.json --stage dev --api https://.../api
--issuer https://cognito-idp.cn-north-1.amazonaws.com.cn/<pool> --domain https://<prefix>.auth.<region>...
--client-id <app client> --redirect-uri https://<console origin>/console/
[--index-out build/dev/console/index.html --materials-bucket <bucket> --region cn-north-1]``

With ``--index-out`` it also writes the console's ``index.html`` with the Content-Security-Policy of this
deployment (``tools/console_csp.py``): the API, the identity provider's token endpoint and the materials
bucket, nothing else.

The console reads it at start (``console/js/app.js``): ``auth.kind = "oidc"`` sends people to the
identity provider (authorization code + PKCE); the local stage's picker exists only under ``make run``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tools.console_csp import deployed_policy, materials_origin, with_policy

INDEX = Path(__file__).resolve().parent.parent / "console" / "index.html"


def deployed_config(stage: str, api: str, domain: str, client_id: str, redirect_uri: str,
                    scope: str = "openid") -> dict[str, Any]:
    """Cognito hosted UI endpoints under ``domain``; every address must be https."""
    for name, url in (("api", api), ("domain", domain), ("redirect_uri", redirect_uri)):
        if urlsplit(url).scheme != "https":
            raise ValueError(f"{name} must be an https address, got {url!r}")
    domain = domain.rstrip("/")
    return {
        "stage": stage,
        "api": api.rstrip("/"),
        "auth": {"kind": "oidc", "authorization_endpoint": f"{domain}/oauth2/authorize",
                 "token_endpoint": f"{domain}/oauth2/token", "client_id": client_id,
                 "redirect_uri": redirect_uri, "scope": scope},
    }


def deployed_index(config: dict[str, Any], bucket: str, region: str, html: str | None = None) -> str:
    """The console's index.html with the policy of this deployment in its CSP ``<meta>``."""
    source = html if html is not None else INDEX.read_text(encoding="utf-8")
    return with_policy(source, deployed_policy(config, materials_origin(bucket, region)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--stage", required=True)
    parser.add_argument("--api", required=True, help="the API's base URL (https)")
    parser.add_argument("--domain", required=True, help="the identity provider's hosted-UI domain (https)")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--redirect-uri", required=True, help="the console's own address, registered at the IdP")
    parser.add_argument("--scope", default="openid")
    parser.add_argument("--index-out", type=Path, help="also write index.html with this deployment's CSP")
    parser.add_argument("--materials-bucket", help="with --index-out: the materials bucket (presigned uploads, views)")
    parser.add_argument("--region", help="with --index-out: the bucket's region")
    args = parser.parse_args(argv)
    if args.index_out and not (args.materials_bucket and args.region):
        parser.error("--index-out needs --materials-bucket and --region")
    try:
        config = deployed_config(args.stage, args.api, args.domain, args.client_id, args.redirect_uri, args.scope)
    except ValueError as error:
        parser.error(str(error))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(args.out)
    if args.index_out:
        args.index_out.parent.mkdir(parents=True, exist_ok=True)
        args.index_out.write_text(deployed_index(config, args.materials_bucket, args.region), encoding="utf-8")
        print(args.index_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
