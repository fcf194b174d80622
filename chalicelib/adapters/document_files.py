"""S3: generated PDF documents under ``documents/<case_id>/`` in the materials bucket, and links to them.

Keys name the document, the case version and the start of the bytes' SHA-256, so the same version
of a document is always the same key: an existing key is left alone (written once), never rewritten.
"""
from __future__ import annotations

import base64
import hashlib
from typing import Any

from botocore.exceptions import ClientError

from ..config import load
from ..domain.cases.documents import content_disposition
from .files import _s3

LINK_SECONDS = 900
CONTENT_TYPE = "application/pdf"


class DocumentFiles:
    def __init__(self, bucket: str | None = None) -> None:
        self.bucket = bucket or load().materials_bucket

    def keep(self, key: str, body: bytes) -> bool:
        """Store ``body`` under ``key`` unless it is already there; True if this call wrote it."""
        try:
            _s3().head_object(Bucket=self.bucket, Key=key)
            return False
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        _s3().put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=CONTENT_TYPE,
                         ChecksumSHA256=digest)
        return True

    def link(self, key: str, filename: str, fallback: str) -> dict[str, Any]:
        """A short-lived presigned GET that opens the PDF in the browser under its own name."""
        url = _s3().generate_presigned_url("get_object", ExpiresIn=LINK_SECONDS, Params={
            "Bucket": self.bucket, "Key": key, "ResponseContentType": CONTENT_TYPE,
            "ResponseContentDisposition": content_disposition(filename, fallback)})
        return {"url": url, "expires_in": LINK_SECONDS}
