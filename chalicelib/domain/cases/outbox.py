"""Milestone messages as stored (one per case and milestone) and the writes that move them, as plain data.

A message is queued in the transaction of the case change that reaches its milestone, only if none exists yet;
its final state (sent, failed, skipped) and each gateway receipt that changes it are written with their timeline
event, only if the message is still as read (status, attempts and, after a receipt, how many receipts). While
``pending`` a message sits in the pending index, due at ``due_at``; the adapters (adapters/messages_table.py) and
the in-memory outbox of the tests keep the same items and conditions.

Implements: no statute — an engineering rule (record before send, docs/decisions.md 2026-11-29).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


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
    finished_at: str | None = None


def message_id(case_id: str, milestone: str) -> str:
    return f"{case_id}#{milestone}"


@dataclass(frozen=True)
class Expected:
    """The message as read, which the write requires still: status and attempts, and with ``receipts`` (not
    None) how many receipts it had recorded (0: none)."""

    status: str
    attempts: int
    receipts: int | None = None


@dataclass(frozen=True)
class MessagePut:
    """The whole message as it is to be stored. ``expected`` None: only if no such message exists (queued);
    ``due_at``: in the pending index, due then (None: out of it)."""

    message: Message
    expected: Expected | None = None
    due_at: datetime | None = None


def queued(case_id: str, milestone: str, text: str, on: str, now: datetime, lease: timedelta) -> MessagePut:
    """The pending message put with the case change, only if none exists yet: its first attempt already taken by
    the request that queues it (attempts 1, due for a retry only when ``lease`` has run out), so that attempt needs
    no claim of its own (``services.messages.after_commit``)."""
    return MessagePut(Message(message_id(case_id, milestone), case_id, milestone, text, on, "pending", 1,
                              now.isoformat()), None, now + lease)


def final(message: Message, attempts: int, status: str, now: datetime, sns_message_id: str | None = None,
          error_code: str | None = None, channel: str | None = None) -> MessagePut:
    """The finished message (out of the pending index), only if this attempt still holds it."""
    finished = replace(message, status=status, attempts=attempts, last_error=error_code or message.last_error,
                       sns_message_id=sns_message_id, finished_at=now.isoformat(),
                       channel=channel or message.channel)
    return MessagePut(finished, Expected("pending", attempts))


def after_receipt(message: Message, status: str, receipt_key: str, now: datetime, due_at: datetime | None = None,
                  error_code: str | None = None, delivered_at: str | None = None) -> MessagePut:
    """The message as a gateway receipt leaves it (``due_at``: back in the pending index for a retry), only if
    nothing changed it since it was read (status, attempts and receipts)."""
    changed = replace(message, status=status, last_error=error_code or message.last_error,
                      finished_at=now.isoformat(), receipts=message.receipts | {receipt_key},
                      delivered_at=delivered_at or message.delivered_at)
    return MessagePut(changed, Expected(message.status, message.attempts, len(message.receipts)), due_at)
