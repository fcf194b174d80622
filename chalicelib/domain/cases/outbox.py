"""Milestone messages as stored (one per case and milestone) and the writes that move them, as plain data.

A message is queued in the transaction of the case change that reaches its milestone, only if none exists yet,
with the sequence number of that change's timeline event (``seq``). Its final state (sent, failed, skipped) and each
gateway receipt that changes it are written to the message alone, only if it is still as read (status, attempts
and, after a receipt, how many receipts), with the line it adds to the case's timeline (``history``): the message
is the one place of its delivery, outside the case's version and hash chain (docs/decisions.md 2026-12-06), and
the case's timeline shows its lines after the event that queued it (``message_lines``). While ``pending`` a message
sits in the pending index, due at ``due_at``; the adapters (adapters/messages_table.py) and the in-memory outbox of
the tests keep the same items and conditions.

Implements: no statute — an engineering rule (record before send, docs/decisions.md 2026-11-29).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from msgspec import Struct
from msgspec.structs import replace

from .case import Event


class Message(Struct, frozen=True):
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
    finished_at: str | None = None
    seq: int = 0  # the timeline event of the case change that queued it (0: queued before messages kept one)
    history: tuple[Event, ...] = ()  # its lines on the case's timeline: sent, failed, skipped, (un)delivered


def message_id(case_id: str, milestone: str) -> str:
    return f"{case_id}#{milestone}"


class Expected(Struct, frozen=True):
    """The message as read, which the write requires still: status and attempts, and with ``receipts`` (not
    None) how many receipts it had recorded (0: none)."""

    status: str
    attempts: int
    receipts: int | None = None


class MessagePut(Struct, frozen=True):
    """The whole message as it is to be stored. ``expected`` None: only if no such message exists (queued);
    ``due_at``: in the pending index, due then (None: out of it)."""

    message: Message
    expected: Expected | None = None
    due_at: datetime | None = None


def queued(case_id: str, milestone: str, text: str, on: str, now: datetime, lease: timedelta,
           seq: int = 0) -> MessagePut:
    """The pending message put with the case change whose timeline event is ``seq``, only if none exists yet: its
    first attempt already taken by the request that queues it (attempts 1, due for a retry only when ``lease`` has
    run out), so that attempt needs no claim of its own (``services.messages.after_commit``)."""
    return MessagePut(Message(message_id(case_id, milestone), case_id, milestone, text, on, "pending", 1,
                              now.isoformat(), seq=seq), None, now + lease)


def final(message: Message, attempts: int, status: str, now: datetime, line: Event,
          sns_message_id: str | None = None, error_code: str | None = None,
          channel: str | None = None) -> MessagePut:
    """The finished message (out of the pending index) with its timeline ``line``, only if this attempt still
    holds it."""
    finished = replace(message, status=status, attempts=attempts, last_error=error_code or message.last_error,
                       sns_message_id=sns_message_id, finished_at=now.isoformat(),
                       channel=channel or message.channel, history=message.history + (line,))
    return MessagePut(finished, Expected("pending", attempts))


def after_receipt(message: Message, status: str, receipt_key: str, now: datetime, line: Event,
                  due_at: datetime | None = None, error_code: str | None = None,
                  delivered_at: str | None = None) -> MessagePut:
    """The message as a gateway receipt leaves it, with the receipt's timeline ``line`` (``due_at``: back in the
    pending index for a retry), only if nothing changed it since it was read (status, attempts and receipts)."""
    changed = replace(message, status=status, last_error=error_code or message.last_error,
                      finished_at=now.isoformat(), receipts=message.receipts | {receipt_key},
                      delivered_at=delivered_at or message.delivered_at, history=message.history + (line,))
    return MessagePut(changed, Expected(message.status, message.attempts, len(message.receipts)), due_at)


def message_lines(messages: Iterable[Message]) -> list[tuple[int, Event]]:
    """The messages' lines on the case's timeline, each with the sequence number of the event that queued its
    message (``domain.cases.timeline.with_lines`` places them after it)."""
    return [(m.seq, line) for m in messages for line in m.history]
