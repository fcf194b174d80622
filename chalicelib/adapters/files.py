"""S3: presigned uploads of the electronic materials, and checking what actually landed.

moto (and a careless client) does not enforce presigned-POST conditions, so ``inspect`` is the
real guard: it reads the stored object back and reports its size, type, SHA-256 and first bytes.
Objects are never deleted or overwritten by the application: each material has its own key,
and the bucket is versioned, so a second upload to the same key is a new version.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError
from msgspec import Struct

from ..config import load
from ..domain.cases.uploads import active_content
from ..domain.errors import Invalid

UPLOAD_SECONDS = 900
DOWNLOAD_SECONDS = 300  # a material opened in the console: long enough to render it
HEAD_BYTES = 16


class StoredObject(Struct, frozen=True):
    size: int
    content_type: str
    sha256: str
    head: bytes
    version_id: str | None
    active: str | None = None  # what in the bytes could run (domain.cases.uploads.active_content)


@lru_cache(maxsize=1)
def _s3() -> Any:
    import boto3  # with the first client: GET /cases makes none (issue 18)

    return boto3.client("s3", region_name=load().region)


class MaterialFiles:
    def __init__(self, bucket: str | None = None) -> None:
        self.bucket = bucket or load().materials_bucket

    def presigned_upload(self, key: str, content_type: str, size: int) -> dict[str, Any]:
        """A presigned POST limited to exactly the declared size and type."""
        post = _s3().generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
            ExpiresIn=UPLOAD_SECONDS,
        )
        return {"url": post["url"], "fields": post["fields"], "expires_in": UPLOAD_SECONDS}

    def presigned_download(
        self, key: str, version_id: str | None, content_type: str, filename: str
    ) -> dict[str, Any]:
        """A short-lived presigned GET of exactly ``version_id``, shown inline in the browser."""
        params: dict[str, Any] = {
            "Bucket": self.bucket, "Key": key, "ResponseContentType": content_type,
            "ResponseContentDisposition": f"inline; filename*=UTF-8''{quote(filename, safe='')}",
        }
        if version_id:
            params["VersionId"] = version_id
        url = _s3().generate_presigned_url("get_object", Params=params, ExpiresIn=DOWNLOAD_SECONDS)
        return {"url": url, "expires_in": DOWNLOAD_SECONDS}

    def inspect(self, key: str, field: str) -> StoredObject:
        """Read the newest version of the object and measure it; 422 if nothing was uploaded."""
        try:
            response = _s3().get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in {"NoSuchKey", "404"}:
                raise Invalid("UPLOAD_MISSING", "nothing has been uploaded for this material yet", field) from None
            raise
        digest = hashlib.sha256()
        body = bytearray()  # at most MAX_MATERIAL_BYTES (20 MB): the scan for active content needs it whole
        for chunk in response["Body"].iter_chunks(chunk_size=1024 * 1024):
            digest.update(chunk)
            body += chunk
        content_type = response.get("ContentType", "")
        return StoredObject(
            size=len(body),
            content_type=content_type,
            sha256=digest.hexdigest(),
            head=bytes(body[:HEAD_BYTES]),
            version_id=response.get("VersionId"),
            active=active_content(content_type.split(";")[0].strip().lower(), bytes(body)),
        )

    def quarantine(self, key: str, version_id: str | None) -> str:
        """Move a refused upload's version to ``quarantine/``: copied there, then that version removed
        from the material's key, so nothing refused can be served as the material."""
        target = f"quarantine/{key}/{version_id or 'null'}"
        source: dict[str, str] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            source["VersionId"] = version_id
        _s3().copy_object(Bucket=self.bucket, Key=target, CopySource=source)
        if version_id:
            _s3().delete_object(Bucket=self.bucket, Key=key, VersionId=version_id)
        else:
            _s3().delete_object(Bucket=self.bucket, Key=key)
        return target

    def write_digest(self, key: str, body: bytes) -> str | None:
        """Write an audit digest (the deployed bucket has Object Lock: a version cannot be removed)."""
        response = _s3().put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json")
        return response.get("VersionId")

    def create_locked_bucket(self, region: str) -> None:
        """The audit-digest bucket with Object Lock (local runs; CloudFormation in deployed stages)."""
        self._create(region, ObjectLockEnabledForBucket=True)

    def _create(self, region: str, **options: Any) -> None:
        kwargs: dict[str, Any] = {"Bucket": self.bucket, **options}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            _s3().create_bucket(**kwargs)
        except ClientError as error:
            if error.response["Error"]["Code"] not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise

    def keys_under(self, prefix: str) -> list[str]:
        """Every key under ``prefix`` (operators' uploads: a few files a month)."""
        keys: list[str] = []
        for page in _s3().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys.extend(str(item["Key"]) for item in page.get("Contents", []))
        return sorted(keys)

    def create_bucket(self, region: str) -> None:
        """Create the versioned, private bucket (local runs; CloudFormation in deployed stages)."""
        self._create(region)
        s3 = _s3()
        s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        s3.put_public_access_block(
            Bucket=self.bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True, "IgnorePublicAcls": True,
                "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
            },
        )
