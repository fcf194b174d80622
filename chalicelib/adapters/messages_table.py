"""DynamoDB: the milestone messages (one item per case and milestone) and their delivery state.

The item is put in the same transaction as the case change that reached the milestone, with
``attribute_not_exists``: a milestone has exactly one message, whatever retries happen. Every
attempt first *claims* the item (``status = pending AND attempts = n`` → ``attempts = n + 1``), so
the request's first try and the retry schedule never send the same attempt twice. The final state
(sent, failed, skipped) and each gateway receipt are one conditional write of the item alone, with the
line it adds to the case's timeline (``history``; domain.outbox).

Pending messages are found without a scan: while pending, an item carries ``pending_shard`` and
``pending_key = <next attempt, UTC>#<message id>`` in a sparse GSI; the final write removes them.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..config import table_name
from ..domain.cases.case import Event
from ..domain.cases.outbox import Message, MessagePut, message_id
from ..domain.cases.records import event_record
from .dynamo import OnDemand, error_code

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
    seq = NumberAttribute(null=True)  # the case's timeline event that queued it
    history = ListAttribute(null=True)  # type: ignore[var-annotated]  # its timeline lines (event records)


MODELS: tuple[type[Model], ...] = (MessageModel,)


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _shard(key: str) -> str:
    return str(int(hashlib.sha256(key.encode()).hexdigest(), 16) % PENDING_SHARDS)


def _conditional_failure(error: UpdateError | PutError) -> bool:
    return error_code(error) == "ConditionalCheckFailedException"


def put_item(put: MessagePut) -> tuple[MessageModel, Condition]:
    """A message write of a case transaction (domain.outbox): the whole item and the condition it is put under."""
    m = put.message
    key = m.message_id
    item = MessageModel(key, case_id=m.case_id, milestone=m.milestone, text=m.text, on=m.on, status=m.status,
                        attempts=m.attempts, created_at=m.created_at, last_error=m.last_error,
                        sns_message_id=m.sns_message_id, finished_at=m.finished_at, channel=m.channel,
                        receipts=set(m.receipts) or None, receipt_count=len(m.receipts) or None,
                        delivered_at=m.delivered_at, seq=m.seq or None,
                        history=[event_record(line) for line in m.history] or None)
    if put.due_at is not None:
        item.pending_shard, item.pending_key = _shard(key), f"{_utc(put.due_at)}#{key}"
    expected = put.expected
    if expected is None:
        return item, MessageModel.message_id.does_not_exist()
    condition = (MessageModel.status == expected.status) & (MessageModel.attempts == expected.attempts)
    if expected.receipts is not None:
        condition &= (MessageModel.receipt_count == expected.receipts) if expected.receipts else \
            MessageModel.receipt_count.does_not_exist()
    return item, condition


def _message(item: MessageModel) -> Message:
    return Message(item.message_id, item.case_id, item.milestone, item.text, item.on, item.status,
                   int(item.attempts or 0), item.created_at, item.last_error, item.sns_message_id,
                   item.channel, frozenset(item.receipts or ()), item.delivered_at, item.finished_at,
                   int(item.seq or 0), tuple(Event(line["at"], line["event"], line["actor"], line["unit"],
                                                   dict(line.get("detail") or {})) for line in item.history or ()))


class Outbox:
    def get(self, key: str) -> Message | None:
        try:
            item = MessageModel.get(key, consistent_read=True)
        except DoesNotExist:
            return None
        return _message(item)

    def of_case(self, case_id: str, milestones: tuple[str, ...]) -> list[Message]:
        """The case's messages of these milestones (those it has reached), as stored: one BatchGetItem."""
        keys = [message_id(case_id, milestone) for milestone in milestones]
        return [_message(item) for item in MessageModel.batch_get(keys, consistent_read=True)] if keys else []

    def write(self, put: MessagePut) -> bool:
        """A final state or a receipt (domain.outbox), written alone on its condition; False when the message is no
        longer as read (another process changed it)."""
        item, condition = put_item(put)
        try:
            item.save(condition=condition)
            return True
        except PutError as error:
            if _conditional_failure(error):
                return False
            raise

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
