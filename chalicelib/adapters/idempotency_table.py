"""DynamoDB: responses remembered under a caller's ``Idempotency-Key``.

The key is claimed with a conditional put before the request runs, so two concurrent repeats cannot
both run it; the finished response is stored on the claim. A running claim holds until ``lease_until``: a claim
whose request died is taken over by the next one after that. ``expires_at`` lets DynamoDB TTL clear
old keys (a housekeeping aid only: TTL is never relied on for correctness).
"""
from __future__ import annotations

from msgspec import Struct
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.models import Model

from ..config import table_name
from .dynamo import OnDemand, error_code


class IdempotencyModel(Model):
    class Meta(OnDemand):
        table_name = table_name("idempotency")

    key = UnicodeAttribute(hash_key=True)
    fingerprint = UnicodeAttribute()
    state = UnicodeAttribute()  # running | done
    response_status = NumberAttribute(null=True)
    response_body = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    lease_until = NumberAttribute(null=True)  # epoch seconds: a running claim is taken over after it
    expires_at = NumberAttribute()


class Remembered(Struct, frozen=True):
    fingerprint: str
    state: str
    status: int | None
    body: str | None


class IdempotencyKeys:
    def claim(self, key: str, fingerprint: str, at: str, now: int, lease_until: int,
              expires_at: int) -> Remembered | None:
        """None when this call now owns the key (new, or a running claim whose lease ran out before ``now``);
        else what is remembered under it."""
        lapsed = (IdempotencyModel.state == "running") & (IdempotencyModel.lease_until < now)
        try:
            IdempotencyModel(key, fingerprint=fingerprint, state="running", created_at=at, lease_until=lease_until,
                             expires_at=expires_at).save(condition=IdempotencyModel.key.does_not_exist() | lapsed)
            return None
        except PutError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
        try:
            item = IdempotencyModel.get(key, consistent_read=True)
        except DoesNotExist:  # released between the two calls: the caller may retry
            return Remembered(fingerprint, "running", None, None)
        return Remembered(item.fingerprint, item.state, None if item.response_status is None
                          else int(item.response_status), item.response_body)

    def complete(self, key: str, status: int, body: str) -> None:
        IdempotencyModel(key).update(actions=[IdempotencyModel.state.set("done"),
                                              IdempotencyModel.response_status.set(status),
                                              IdempotencyModel.response_body.set(body)])

    def release(self, key: str) -> None:
        IdempotencyModel(key).delete()


MODELS = (IdempotencyModel,)
