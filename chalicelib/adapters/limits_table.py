"""DynamoDB: counters of the public progress route's limits (one item per client window or case day).

Each count is one conditional ``ADD`` (``count < limit``), so concurrent requests can never take
more than the limit between them. The window is in the key (``client#<hash>#<start>``,
``case#<case>#<day>``); ``expires_at`` lets DynamoDB TTL clear old counters, a housekeeping aid only:
the limit never depends on an item having expired (moto never expires one).
"""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.models import Model

from ..config import table_name
from .dynamo import OnDemand, error_code


class LimitModel(Model):
    class Meta(OnDemand):
        table_name = table_name("progress-limits")

    key = UnicodeAttribute(hash_key=True)
    tally = NumberAttribute(default=0)
    expires_at = NumberAttribute(null=True)


MODELS: tuple[type[Model], ...] = (LimitModel,)


class Counters:
    def take(self, key: str, limit: int, expires_at: int) -> bool:
        """Add one to ``key`` if it is still below ``limit`` (atomically); False when it is not."""
        try:
            LimitModel(key).update(
                actions=[LimitModel.tally.add(1), LimitModel.expires_at.set(expires_at)],
                condition=LimitModel.tally.does_not_exist() | (LimitModel.tally < limit))
            return True
        except UpdateError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise

    def give_back(self, key: str) -> None:
        """Undo one ``take`` (a lookup that turned out right does not count as a failure)."""
        try:
            LimitModel(key).update(actions=[LimitModel.tally.add(-1)], condition=LimitModel.tally > 0)
        except UpdateError as error:  # already cleared: nothing to give back
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    def count(self, key: str) -> int:
        try:
            return int(LimitModel.get(key, consistent_read=True).tally)
        except DoesNotExist:
            return 0
