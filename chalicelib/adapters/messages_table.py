"""DynamoDB: the milestone messages (one item per case and milestone) and their delivery state.

The item is put in the same transaction as the case change that reached the milestone, with
``attribute_not_exists``: a milestone has exactly one message, whatever retries happen. Every
attempt first *claims* the item (``status = pending AND attempts = n`` → ``attempts = n + 1``), so
the request's first try and the retry schedule never send the same attempt twice. The final state
(sent, failed, skipped) is written in the same transaction as its timeline event.

Pending messages are found without a scan: while pending, an item carries ``pending_shard`` and
``pending_key = <next attempt, UTC>#<message id>`` in a sparse GSI; the final write removes them.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..config import table_name
from .dynamo import OnDemand

PENDING_SHARDS = 4


class PendingIndex(GlobalSecondaryIndex["MessageModel"]):
    class Meta(OnDemand):
        index_name = "by_pending"
        projection = AllProjection()

    pending_shard = UnicodeAttribute(hash_key=True)
    pending_key = UnicodeAttribute(range_key=True)


class MessageModel(Model):
    class Meta(OnDemand):
        table_name = table_name("messages")

    message_id = UnicodeAttribute(hash_key=True)  # <case id>#<milestone>
    case_id = UnicodeAttribute()
    milestone = UnicodeAttribute()
    text = UnicodeAttribute()
    on = UnicodeAttribute()  # the milestone's day
    status = UnicodeAttribute()  # pending | sent | failed | skipped
    attempts = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    last_error = UnicodeAttribute(null=True)
    sns_message_id = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    pending_shard = UnicodeAttribute(null=True)
    pending_key = UnicodeAttribute(null=True)
    by_pending = PendingIndex()
    # the gateway channel (domain.sms_receipts): how it was sent, the receipts seen (<attempt>:<status>)
    channel = UnicodeAttribute(null=True)  # direct | gateway, set when sent
    receipts = UnicodeSetAttribute(null=True)
    receipt_count = NumberAttribute(null=True)  # guards whole-item writes against a concurrent receipt
    delivered_at = UnicodeAttribute(null=True)


MODELS: tuple[type[Model], ...] = (MessageModel,)


@dataclass(frozen=True)
class Message:
    message_id: str
    case_id: str
    milestone: str
    text: str
    on: str
    status: str
    attempts: int
    created_at: str
    last_error: str | None = None
    sns_message_id: str | None = None
    channel: str | None = None
    receipts: frozenset[str] = frozenset()
    delivered_at: str | None = None


def message_id(case_id: str, milestone: str) -> str:
    return f"{case_id}#{milestone}"


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _shard(key: str) -> str:
    return str(int(hashlib.sha256(key.encode()).hexdigest(), 16) % PENDING_SHARDS)


def _conditional_failure(error: UpdateError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


class Outbox:
    def queued(self, case_id: str, milestone: str, text: str, on: str,
               now: datetime) -> tuple[Model, Condition | None]:
        """The pending item to put with the case change (due at once), only if none exists yet."""
        key = message_id(case_id, milestone)
        item = MessageModel(key, case_id=case_id, milestone=milestone, text=text, on=on, status="pending",
                            attempts=0, created_at=now.isoformat(), pending_shard=_shard(key),
                            pending_key=f"{_utc(now)}#{key}")
        return item, MessageModel.message_id.does_not_exist()

    def get(self, key: str) -> Message | None:
        try:
            item = MessageModel.get(key, consistent_read=True)
        except DoesNotExist:
            return None
        return Message(item.message_id, item.case_id, item.milestone, item.text, item.on, item.status,
                       int(item.attempts or 0), item.created_at, item.last_error, item.sns_message_id,
                       item.channel, frozenset(item.receipts or ()), item.delivered_at)

    def claim(self, key: str, attempts: int, lease_until: datetime) -> bool:
        """Take attempt ``attempts + 1``; False when another process took it (or it is no longer pending)."""
        try:
            MessageModel(key).update(
                actions=[MessageModel.attempts.set(attempts + 1),
                         MessageModel.pending_key.set(f"{_utc(lease_until)}#{key}")],
                condition=(MessageModel.status == "pending") & (MessageModel.attempts == attempts))
            return True
        except UpdateError as error:
            if _conditional_failure(error):
                return False
            raise

    def retry_later(self, key: str, attempts: int, at: datetime, error_code: str) -> None:
        """After a failed attempt: due again ``at`` (the attempt stays counted)."""
        try:
            MessageModel(key).update(
                actions=[MessageModel.pending_key.set(f"{_utc(at)}#{key}"), MessageModel.last_error.set(error_code)],
                condition=(MessageModel.status == "pending") & (MessageModel.attempts == attempts))
        except UpdateError as error:
            if not _conditional_failure(error):  # someone else took it meanwhile: theirs now
                raise

    def final(self, message: Message, attempts: int, status: str, now: datetime, sns_message_id: str | None = None,
              error_code: str | None = None, channel: str | None = None) -> tuple[Model, Condition | None]:
        """The finished item (out of the pending index), put only if this attempt still holds it."""
        item = MessageModel(message.message_id, case_id=message.case_id, milestone=message.milestone,
                            text=message.text, on=message.on, status=status, attempts=attempts,
                            created_at=message.created_at, last_error=error_code or message.last_error,
                            sns_message_id=sns_message_id, finished_at=now.isoformat(),
                            channel=channel or message.channel, receipts=set(message.receipts) or None,
                            receipt_count=len(message.receipts) or None, delivered_at=message.delivered_at)
        return item, (MessageModel.status == "pending") & (MessageModel.attempts == attempts)

    def after_receipt(self, message: Message, status: str, receipt_key: str, now: datetime,
                      due_at: datetime | None = None, error_code: str | None = None,
                      delivered_at: str | None = None) -> tuple[Model, Condition | None]:
        """The item as a gateway receipt leaves it (``due_at``: back in the pending index for a retry), put
        only if nothing changed it since it was read (status, attempts and receipts)."""
        receipts = set(message.receipts) | {receipt_key}
        shard = _shard(message.message_id) if due_at is not None else None
        pending_key = f"{_utc(due_at)}#{message.message_id}" if due_at is not None else None
        item = MessageModel(message.message_id, case_id=message.case_id, milestone=message.milestone,
                            text=message.text, on=message.on, status=status, attempts=message.attempts,
                            created_at=message.created_at, last_error=error_code or message.last_error,
                            sns_message_id=message.sns_message_id, finished_at=now.isoformat(),
                            channel=message.channel, receipts=receipts, receipt_count=len(receipts),
                            delivered_at=delivered_at or message.delivered_at, pending_shard=shard,
                            pending_key=pending_key)
        seen = (MessageModel.receipt_count == len(message.receipts)) if message.receipts else \
            MessageModel.receipt_count.does_not_exist()
        return item, (MessageModel.status == message.status) & (MessageModel.attempts == message.attempts) & seen

    def note_receipt(self, key: str, receipt_key: str) -> None:
        """Remember a receipt that changes nothing else (an older attempt's, or one after the outcome)."""
        try:
            MessageModel(key).update(
                actions=[MessageModel.receipts.add({receipt_key}), MessageModel.receipt_count.add(1)],
                condition=~MessageModel.receipts.contains(receipt_key))
        except UpdateError as error:
            if not _conditional_failure(error):  # already remembered: the same receipt twice
                raise

    def due(self, now: datetime, limit: int = 500) -> list[str]:
        """Pending messages whose next attempt is due, oldest first per shard (one query per shard)."""
        keys: list[str] = []
        for shard in range(PENDING_SHARDS):
            for item in MessageModel.by_pending.query(str(shard), MessageModel.pending_key <= f"{_utc(now)}#~",
                                                      limit=limit):
                keys.append(item.message_id)
        return keys[:limit]
