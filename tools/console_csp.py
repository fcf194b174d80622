"""The console's Content-Security-Policy, one builder for every stage.

The policy travels in ``console/index.html`` as ``<meta http-equiv="Content-Security-Policy">``, so the
static files carry it wherever they are served (S3 has no response headers of its own). The committed
file holds the base policy (``'self'`` only: a console sharing its origin with the API and the files);
each stage writes its own copy with the origins its configuration needs, and nothing else:

- local (``tools/console_server.py``): the embedded default's S3 (moto, another port) for uploads and
  the in-page viewer; the same policy also goes out as a header, with ``frame-ancestors`` (which a
  ``<meta>`` cannot carry);
- deployed (``python -m tools.console_config --index-out``): the API origin and the identity provider's
  token endpoint (``connect-src``; the sign-in page itself is a navigation, outside CSP), and the
  materials bucket's virtual-hosted origin (presigned POST uploads, presigned GET views).
"""
from __future__ import annotations

import re
from typing import Iterable
from urllib.parse import urlsplit

META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">')


def origin(url: str) -> str:
    """``https://host[:port]`` of an address; ValueError for anything without a scheme and host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) address: {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def _sources(*groups: Iterable[str]) -> str:
    seen = dict.fromkeys(source for group in groups for source in group if source)
    return " ".join(seen)


def policy(connect: Iterable[str] = (), storage: Iterable[str] = ()) -> str:
    """The console's policy: scripts, styles and fonts from its own origin only; ``connect`` (API, token
    endpoint) for fetch; ``storage`` (the materials bucket) for fetch, uploads, images and frames."""
    storage = tuple(storage)
    own = ("'self'",)
    return "; ".join((
        "default-src 'self'", "script-src 'self'", "style-src 'self'",
        "connect-src " + _sources(own, connect, storage),
        "img-src " + _sources(own, ("blob:", "data:"), storage),
        "frame-src " + _sources(own, ("blob:",), storage),
        "object-src 'none'", "base-uri 'none'", "form-action 'self'",
    ))


def with_policy(html: str, csp: str) -> str:
    """``html`` with its one CSP ``<meta>`` set to ``csp`` (ValueError when there is not exactly one)."""
    if len(META.findall(html)) != 1:
        raise ValueError("index.html must carry exactly one Content-Security-Policy <meta>")
    tag = f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
    return META.sub(lambda _match: tag, html)


def materials_origin(bucket: str, region: str) -> str:
    """The origin of the presigned URLs the API hands out for ``bucket``, as boto3 addresses them."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    s3 = boto3.client("s3", region_name=region, config=Config(signature_version=UNSIGNED))
    return origin(s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}))


def deployed_policy(config: dict[str, object], storage: str) -> str:
    """The policy for a deployed console: its config.json's API and token endpoint, and the bucket."""
    auth = config.get("auth") or {}
    assert isinstance(auth, dict)
    connect = [origin(str(config["api"]))] if config.get("api") else []
    if auth.get("token_endpoint"):
        connect.append(origin(str(auth["token_endpoint"])))
    return policy(connect, [storage])
