"""Milestone messages: queued with the case change, tried once after it is stored, retried on a schedule.

- ``queue``: the case change that reaches a milestone (``domain.messages.milestone_between``) puts
  the pending message in its own transaction, so a stored milestone always has its message and
  never two (record before send).
- ``after_commit``: the request's one try, after the change is stored; it never raises, so a
  message can never fail or undo the case change.
- ``retry_due`` (schedule ``message_retries``, every 5 minutes): the pending messages whose next
  attempt is due, from the sparse pending index. After ``MAX_ATTEMPTS`` the message is failed,
  reported on the escalations topic (unit attributes for the supervisors' filters) and counted
  (``MessageSendFailed``).

Every final state (sent with the SNS MessageId, failed, skipped for a number that takes no SMS) is
one timeline event written in the same transaction as the message's final state.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Protocol

from ..domain.cases.case import Case, Event
from ..domain.cases.messages import LEASE, milestone_between, next_attempt, render, sms_number
from ..domain.cases.outbox import Message, final, message_id, queued
from ..domain.cases.sms_receipts import OutgoingSms, Sent, public_id
from ..domain.cases.writes import Writes
from ..domain.refusals import SendFailed, StaleCase
from .retrying import KeptChanging, on_stale

log = logging.getLogger(__name__)
ACTOR = "system:messages"


class Sender(Protocol):
    def send_sms(self, phone_number: str, text: str) -> str: ...
    def message_failed(self, case: Any, milestone: str, attempts: int, error_code: str) -> str: ...


class SmsChannel(Protocol):
    """``adapters.sms_gateway``: SNS to the number (direct) or the province's gateway through the outbox topic."""

    def send(self, sms: OutgoingSms) -> Sent: ...


class Outbox(Protocol):
    """``adapters.messages_table.Outbox``, or the in-memory one of the tests (tests/fakes/cases.py). A message is
    put and finished in case transactions (``domain.outbox``); these change it on their own, conditionally."""

    def get(self, key: str) -> Message | None: ...
    def claim(self, key: str, attempts: int, lease_until: datetime) -> bool: ...
    def retry_later(self, key: str, attempts: int, at: datetime, error_code: str) -> None: ...
    def note_receipt(self, key: str, receipt_key: str) -> None: ...
    def due(self, now: datetime, limit: int = ...) -> list[str]: ...


@dataclass(frozen=True)
class Messaging:
    repo: Any  # the case repository: get, save(case, event, writes)
    outbox: Outbox
    sender: Sender
    failed_metric: Callable[[], None] = lambda: None  # MessageSendFailed (observability)
    sms: SmsChannel | None = None  # None: ``sender.send_sms`` (direct)


def queue(messaging: Messaging | None, writes: Writes, before: Case | None, after: Case, now: datetime) -> Writes:
    """``writes`` plus the pending message of the milestone this change reaches, if any."""
    milestone = milestone_between(before, after)
    if messaging is None or milestone is None:
        return writes
    put = queued(after.case_id, milestone, render(milestone, after, now.date()), now.date().isoformat(), now, LEASE)
    return writes + Writes(messages=(put,))


def after_commit(messaging: Messaging | None, before: Case | None, after: Case, now: datetime) -> Case:
    """Try the queued message once; the case as stored afterwards. Never raises."""
    milestone = milestone_between(before, after)
    if messaging is None or milestone is None:
        return after
    try:
        status, stored = _attempt(messaging, message_id(after.case_id, milestone), now, after, leased=True)
        if stored is not None:  # the message's own timeline event was written with it
            return stored
        return after if status == "pending" else messaging.repo.get(after.case_id)  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - the case change stands; the schedule retries the message
        log.exception("message %s of case %s: first try failed; left for the retry schedule", milestone,
                      after.case_id)
        return after


def deliver(messaging: Messaging, key: str, now: datetime) -> str:
    """One attempt at one message: pending, sent, failed, skipped, or busy (another process has it)."""
    return _attempt(messaging, key, now)[0]


def _attempt(messaging: Messaging, key: str, now: datetime, known: Case | None = None,
             leased: bool = False) -> tuple[str, Case | None]:
    """``deliver``, plus the case as stored by the final state's transaction (None when nothing was written).
    ``known``: the case the request has just stored, read no second time (a conflict still re-reads). ``leased``:
    the request that queued the message makes its first attempt, taken with the queueing (``outbox.queued``): no
    claim, unless the retry schedule has taken the message over since (then it is theirs: busy)."""
    message = messaging.outbox.get(key)
    if message is None or message.status != "pending":
        return (message.status if message else "missing"), None
    if leased:
        if message.attempts != 1 or message.last_error is not None:
            return "busy", None
        attempts = 1
    elif not messaging.outbox.claim(key, message.attempts, now + LEASE):
        return "busy", None
    else:
        attempts = message.attempts + 1
    case = known if known is not None and known.case_id == message.case_id else messaging.repo.get(message.case_id)
    number = sms_number(case.applicant.get("phone"))
    if number is None:  # a landline or no number: the window tells the applicant by other means
        return _finish(messaging, message, attempts, "skipped", now, {"reason": "no_mobile_number"}, case)
    try:
        sns_id, channel = _send(messaging, OutgoingSms(
            public_id(message.case_id, message.milestone), attempts, message.case_id, message.milestone, number,
            message.text, case.accepting_unit, case.business_unit))
    except SendFailed as error:
        later = next_attempt(attempts, now)
        log.warning("message %s of case %s: attempt %d failed (%s)", message.milestone, message.case_id,
                    attempts, error.code)
        if later is not None:
            messaging.outbox.retry_later(key, attempts, later, error.code)
            return "pending", None
        status, stored = _finish(messaging, message, attempts, "failed", now, {"error": error.code}, case,
                                 error.code)
        if status == "failed":
            report_failure(messaging, case, message, attempts, error.code)
        return status, stored
    detail = {"sns_message_id": sns_id, **({"via": channel} if channel != "direct" else {})}
    return _finish(messaging, message, attempts, "sent", now, detail, case, sns_id=sns_id, channel=channel)


def _send(messaging: Messaging, sms: OutgoingSms) -> tuple[str, str]:
    """(SNS MessageId, channel) or ``SendFailed``."""
    if messaging.sms is None:
        return messaging.sender.send_sms(sms.phone_number, sms.text), "direct"
    sent = messaging.sms.send(sms)
    return sent.sns_message_id, sent.channel


def retry_due(messaging: Messaging, now: datetime) -> dict[str, int]:
    """The schedule: every pending message whose next attempt is due, one attempt each."""
    counts: dict[str, int] = {"due": 0}
    for key in messaging.outbox.due(now):
        counts["due"] += 1
        try:
            status = deliver(messaging, key, now)
        except Exception:  # noqa: BLE001 - one message must not stop the others
            log.exception("message %s: retry failed unexpectedly", key)
            status = "error"
        counts[status] = counts.get(status, 0) + 1
    return counts


def _finish(messaging: Messaging, message: Message, attempts: int, status: str, now: datetime,
            detail: dict[str, Any], case: Case, error_code: str | None = None, sns_id: str | None = None,
            channel: str | None = None) -> tuple[str, Case | None]:
    """The final state and its timeline event, in one transaction, on ``case`` (the attempt's read); re-read
    and retried on a case conflict. The status and the case as stored (None when another process finished)."""
    writes = Writes(messages=(final(message, attempts, status, now, sns_id, error_code, channel),))

    def attempt(n: int) -> tuple[str, Case | None]:
        current = case if n == 0 else messaging.repo.get(message.case_id)
        event = Event(now.isoformat(), f"message_{status}", ACTOR, current.accepting_unit,
                      {"milestone": message.milestone, "channel": "sms", "attempts": attempts, **detail})
        try:
            return status, messaging.repo.save(current, event, writes)
        except StaleCase:
            stored = messaging.outbox.get(message.message_id)
            if stored is None or stored.status != "pending" or stored.attempts != attempts:
                return "busy", None  # another process finished this message
            raise

    try:
        return on_stale(attempt, f"case {message.case_id} (message {message.milestone})")
    except KeptChanging:
        raise RuntimeError(f"case {message.case_id} kept changing; message {message.milestone} left pending") \
            from None


def report_failure(messaging: Messaging, case: Case, message: Message, attempts: int, error_code: str) -> None:
    try:
        messaging.sender.message_failed(case, message.milestone, attempts, error_code)
    except Exception:  # noqa: BLE001 - the failure is on the timeline either way
        log.exception("message %s of case %s: the failure report could not be published", message.milestone,
                      case.case_id)
    messaging.failed_metric()
