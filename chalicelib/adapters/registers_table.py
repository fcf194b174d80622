"""S3 and DynamoDB for rosters: the uploaded CSV objects, the load records and the person index.

Operators upload roster files under ``rosters/`` in the materials bucket (e.g.
``rosters/dibao/2026-11.csv``). Each load of one object version is recorded once in
``roster-loads``; its rows go to ``roster-entries``, keyed by the person key (an HMAC of the
ID number, never the number itself) and ``<kind>#<load id>``, so everything known about a
person is one query on one partition.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.models import Model

from ..config import load, table_name
from ..domain.errors import Invalid
from ..domain.rules.registers import ERROR_LINES_KEPT, KINDS, RosterEntry, RosterLoad, RosterMatch, newest_per_kind
from ..domain.values import uploaded_text
from .dynamo import OnDemand, error_code

LOADING, LOADED, NEWEST = "loading", "loaded", "newest"
NEWEST_PREFIX = "newest#"  # one pointer item per kind: its newest finished load (read by key, never scanned)



class RosterEntryModel(Model):
    """One person in one load of a roster (no ID number: ``person_key`` and ``masked_id``)."""

    class Meta(OnDemand):
        table_name = table_name("roster-entries")

    person_key = UnicodeAttribute(hash_key=True)
    entry_key = UnicodeAttribute(range_key=True)  # "<kind>#<load id>"
    kind = UnicodeAttribute()
    load_id = UnicodeAttribute()
    loaded_at = UnicodeAttribute()
    masked_id = UnicodeAttribute()
    fields: MapAttribute[str, Any] = MapAttribute(default=dict)


class RosterLoadModel(Model):
    """The audit record of one loaded object version (who, when, what, how many refused)."""

    class Meta(OnDemand):
        table_name = table_name("roster-loads")

    load_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    bucket = UnicodeAttribute()
    s3_key = UnicodeAttribute()
    s3_version = UnicodeAttribute(null=True)
    sha256 = UnicodeAttribute()
    loaded_by = UnicodeAttribute()
    loaded_at = UnicodeAttribute()
    status = UnicodeAttribute()  # "loading" while entries are written, then "loaded"; "newest" on pointer items
    newest_load_id = UnicodeAttribute(null=True)  # pointer items (load_id "newest#<kind>") only
    rows = NumberAttribute(default=0)
    error_count = NumberAttribute(default=0)
    error_lines = ListAttribute(of=UnicodeAttribute, default=list)


MODELS: tuple[type[Model], ...] = (RosterEntryModel, RosterLoadModel)


@lru_cache(maxsize=1)
def _s3() -> Any:
    import boto3  # with the first client: GET /cases makes none (issue 18)

    return boto3.client("s3", region_name=load().region)


def _load(item: RosterLoadModel) -> RosterLoad:
    return RosterLoad(
        load_id=item.load_id, kind=item.kind, bucket=item.bucket, key=item.s3_key, version=item.s3_version,
        sha256=item.sha256, loaded_by=item.loaded_by, loaded_at=item.loaded_at, rows=int(item.rows or 0),
        error_count=int(item.error_count or 0), error_lines=tuple(str(line) for line in item.error_lines or []),
    )


class Rosters:
    def read_object(self, bucket: str, key: str) -> tuple[str, str | None, str]:
        """(text, version id, SHA-256 of the bytes) of the newest version of a roster object."""
        try:
            response = _s3().get_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in {"NoSuchKey", "404", "NoSuchBucket"}:
                raise Invalid("ROSTER_MISSING", "no roster object under this key", "key") from None
            raise
        body = response["Body"].read()
        text, _encoding = uploaded_text(body)
        return text, response.get("VersionId"), hashlib.sha256(body).hexdigest()

    def get_load(self, load_id: str) -> RosterLoad | None:
        """A finished load, or None (never started, or interrupted while writing entries)."""
        try:
            item = RosterLoadModel.get(load_id, consistent_read=True)
        except DoesNotExist:
            return None
        return _load(item) if item.status == LOADED else None

    def record_load(self, roster_load: RosterLoad, entries: Sequence[RosterEntry]) -> bool:
        """Store a load and its entries; False if this load was already recorded.

        The load item is claimed first (``loading``), then the entries are written, then the load
        is marked ``loaded``. An interrupted run leaves ``loading``: running it again rewrites the
        same entries (same keys) and finishes it.
        """
        item = RosterLoadModel(
            roster_load.load_id, kind=roster_load.kind, bucket=roster_load.bucket, s3_key=roster_load.key,
            s3_version=roster_load.version, sha256=roster_load.sha256, loaded_by=roster_load.loaded_by,
            loaded_at=roster_load.loaded_at, status=LOADING, rows=roster_load.rows,
            error_count=roster_load.error_count, error_lines=list(roster_load.error_lines[:ERROR_LINES_KEPT]),
        )
        try:
            item.save(condition=RosterLoadModel.load_id.does_not_exist() | (RosterLoadModel.status == LOADING))
        except PutError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        entry_key = f"{roster_load.kind}#{roster_load.load_id}"
        with RosterEntryModel.batch_write() as batch:
            for entry in entries:
                batch.save(RosterEntryModel(
                    entry.person_key, entry_key, kind=entry.kind, load_id=roster_load.load_id,
                    loaded_at=roster_load.loaded_at, masked_id=entry.masked_id, fields=dict(entry.fields),
                ))
        item.update(actions=[RosterLoadModel.status.set(LOADED)])
        self._point_newest(roster_load)
        return True

    @staticmethod
    def _point_newest(roster_load: RosterLoad) -> None:
        """Move the kind's pointer to this load unless a later one holds it (loads may finish out of order)."""
        pointer = RosterLoadModel(
            f"{NEWEST_PREFIX}{roster_load.kind}", kind=roster_load.kind, bucket=roster_load.bucket,
            s3_key=roster_load.key, s3_version=roster_load.version, sha256=roster_load.sha256,
            loaded_by=roster_load.loaded_by, loaded_at=roster_load.loaded_at, status=NEWEST,
            newest_load_id=roster_load.load_id, rows=roster_load.rows)
        held = RosterLoadModel.loaded_at
        try:
            pointer.save(condition=RosterLoadModel.load_id.does_not_exist() | (held < roster_load.loaded_at))
        except PutError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    def newest_loads(self) -> dict[str, tuple[str, str]]:
        """{kind: (load id, loaded at)} of the newest finished load of each kind ever loaded: one BatchGetItem
        of the pointer items (acceptance calls this, so no Scan)."""
        keys = [f"{NEWEST_PREFIX}{kind}" for kind in sorted(KINDS)]
        return {item.kind: (str(item.newest_load_id), item.loaded_at)
                for item in RosterLoadModel.batch_get(keys, consistent_read=True,
                                                      attributes_to_get=["kind", "newest_load_id", "loaded_at"])
                if item.newest_load_id}

    def entries_for(self, person_key: str) -> list[RosterMatch]:
        """The person's entry from their newest load of each kind (one query on their partition)."""
        matches = [
            RosterMatch(kind=item.kind, load_id=item.load_id, loaded_at=item.loaded_at,
                        fields={k: str(v) for k, v in (item.fields.as_dict() if item.fields else {}).items()},
                        masked_id=item.masked_id)
            for item in RosterEntryModel.query(person_key)
        ]
        return sorted(newest_per_kind(matches).values(), key=lambda match: match.kind)
