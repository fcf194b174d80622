"""S3: the monthly payment roster's part files, combined server-side into one ``roster.csv``.

Each shard writes its own part; ``combine`` joins them with a multipart upload so that a
province's million lines never sit in one Lambda's memory. S3 wants every part but the last to be
at least 5 MiB, and shards are of any size, so the parts are planned as byte ranges of the sources:

- a stretch of one source of at least 5 MiB (or the last stretch) is copied by S3 itself
  (``upload_part_copy``, with a ``CopySourceRange`` when it is not the whole source);
- small sources are read and concatenated, but only up to 5 MiB at a time: a run of small parts
  is topped up from the next source to exactly 5 MiB and uploaded, and the rest of that source is
  copied (or starts the next run).

A roster under 5 MiB in all is read and written with one ``put_object``. Sources are pinned to the
version read when combining starts (the bucket is versioned), and the roster's version is returned
so the checksum and the download link name exactly the bytes built.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from contextlib import suppress
from typing import Any

from botocore.exceptions import ClientError
from msgspec import Struct

from ..config import load
from .files import _s3

MIN_PART = 5 * 1024 * 1024  # S3's minimum size of every part but the last
CONTENT_TYPE = "text/csv; charset=utf-8"
DOWNLOAD_SECONDS = 900
CHUNK = 1024 * 1024


class StoredPart(Struct, frozen=True):
    key: str
    etag: str
    size: int
    version_id: str | None


class Source(Struct, frozen=True):
    key: str
    version_id: str | None
    size: int


class Segment(Struct, frozen=True):
    """Bytes ``start`` up to, not including, ``end`` of one source object."""

    source: Source
    start: int
    end: int

    @property
    def whole(self) -> bool:
        return self.start == 0 and self.end == self.source.size


def plan(sources: Sequence[Source], min_part: int = MIN_PART) -> list[tuple[Segment, ...]]:
    """The output parts, in order: each a tuple of segments; a single segment is copied by S3,
    several are read and joined (never more than ``min_part`` bytes). Every part but the last is
    at least ``min_part``."""
    planned: list[tuple[Segment, ...]] = []
    pending: list[Segment] = []
    pending_size = 0
    for source in sources:
        start = 0
        while start < source.size:
            if not pending and source.size - start >= min_part:
                planned.append((Segment(source, start, source.size),))
                start = source.size
                continue
            take = min(source.size - start, min_part - pending_size)
            pending.append(Segment(source, start, start + take))
            pending_size, start = pending_size + take, start + take
            if pending_size == min_part:
                planned.append(tuple(pending))
                pending, pending_size = [], 0
    if pending:
        planned.append(tuple(pending))
    return planned


class PayrollFiles:
    def __init__(self, bucket: str | None = None) -> None:
        self.bucket = bucket or load().materials_bucket

    def put_part(self, key: str, text: str) -> StoredPart:
        """One shard's lines as a UTF-8 object."""
        body = text.encode("utf-8")
        response = _s3().put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=CONTENT_TYPE)
        return StoredPart(key, str(response["ETag"]), len(body), response.get("VersionId"))

    def combine(self, parts: list[str], key: str) -> tuple[str | None, int]:
        """Join ``parts`` in order into ``key``: (the new version id, its size in bytes)."""
        sources = [self._source(part) for part in parts]
        size = sum(source.size for source in sources)
        if size < MIN_PART:
            body = b"".join(self._read(segment) for part in plan(sources) for segment in part)
            response = _s3().put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=CONTENT_TYPE)
            return response.get("VersionId"), size
        return self._multipart(plan(sources), key), size

    def presigned_get(self, key: str, seconds: int = DOWNLOAD_SECONDS, version_id: str | None = None) -> str:
        """A time-limited download link, pinned to ``version_id`` when given."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            params["VersionId"] = version_id
        return str(_s3().generate_presigned_url("get_object", Params=params, ExpiresIn=seconds))

    def sha256_of(self, key: str, version_id: str | None = None) -> str:
        """SHA-256 of the object, read in 1 MiB chunks (a multipart ETag is not a content hash)."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            params["VersionId"] = version_id
        digest = hashlib.sha256()
        for chunk in _s3().get_object(**params)["Body"].iter_chunks(chunk_size=CHUNK):
            digest.update(chunk)
        return digest.hexdigest()

    def read_text(self, key: str, version_id: str | None = None) -> str:
        """A stored part (a finalized roster's plan) as text, pinned to ``version_id`` when given."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            params["VersionId"] = version_id
        return bytes(_s3().get_object(**params)["Body"].read()).decode("utf-8")

    def _source(self, key: str) -> Source:
        head = _s3().head_object(Bucket=self.bucket, Key=key)
        return Source(key, head.get("VersionId"), int(head["ContentLength"]))

    def _copy_source(self, source: Source) -> dict[str, str]:
        copy = {"Bucket": self.bucket, "Key": source.key}
        if source.version_id:
            copy["VersionId"] = source.version_id
        return copy

    def _read(self, segment: Segment) -> bytes:
        params: dict[str, Any] = self._copy_source(segment.source)
        params["Range"] = f"bytes={segment.start}-{segment.end - 1}"
        return bytes(_s3().get_object(**params)["Body"].read())

    def _multipart(self, planned: list[tuple[Segment, ...]], key: str) -> str | None:
        s3 = _s3()
        upload = s3.create_multipart_upload(Bucket=self.bucket, Key=key, ContentType=CONTENT_TYPE)["UploadId"]
        try:
            etags = [self._upload_part(key, upload, number, part) for number, part in enumerate(planned, start=1)]
            done = s3.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload,
                MultipartUpload={"Parts": [{"ETag": etag, "PartNumber": n} for n, etag in enumerate(etags, 1)]})
        except Exception:
            with suppress(ClientError):  # the original error is the one to report
                s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload)
            raise
        return done.get("VersionId")

    def _upload_part(self, key: str, upload: str, number: int, part: tuple[Segment, ...]) -> str:
        s3 = _s3()
        if len(part) == 1:
            segment = part[0]
            extra = {} if segment.whole else {"CopySourceRange": f"bytes={segment.start}-{segment.end - 1}"}
            copied = s3.upload_part_copy(Bucket=self.bucket, Key=key, UploadId=upload, PartNumber=number,
                                         CopySource=self._copy_source(segment.source), **extra)
            return str(copied["CopyPartResult"]["ETag"])
        body = b"".join(self._read(segment) for segment in part)
        return str(s3.upload_part(Bucket=self.bucket, Key=key, UploadId=upload, PartNumber=number, Body=body)["ETag"])
