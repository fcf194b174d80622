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
one conditional write of the message alone, with the line it adds to the case's timeline
(``domain.outbox``): a message changes neither the case nor its version (docs/decisions.md 2026-12-06).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable, Protocol

from msgspec import Struct

from ..domain.cases.case import Case, Event
from ..domain.cases.messages import LEASE, milestone_between, milestones_reached, next_attempt, render, sms_number
from ..domain.cases.outbox import Message, MessagePut, final, message_id, message_lines, queued
from ..domain.cases.sms_receipts import OutgoingSms, Sent, public_id
from ..domain.cases.timeline import receipt_lines, with_lines
from ..domain.cases.writes import Writes
from ..domain.refusals import SendFailed

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
    put in its case change's transaction (``domain.outbox``); these change it on their own, conditionally."""

    def get(self, key: str) -> Message | None: ...
    def of_case(self, case_id: str, milestones: tuple[str, ...]) -> list[Message]: ...
    def write(self, put: MessagePut) -> bool: ...
    def claim(self, key: str, attempts: int, lease_until: datetime) -> bool: ...
    def retry_later(self, key: str, attempts: int, at: datetime, error_code: str) -> None: ...
    def note_receipt(self, key: str, receipt_key: str) -> None: ...
    def due(self, now: datetime, limit: int = ...) -> list[str]: ...


class Messaging(Struct, frozen=True):
    repo: Any  # the case repository: get
    outbox: Outbox
    sender: Sender
    failed_metric: Callable[[], None] = lambda: None  # MessageSendFailed (observability)
    sms: SmsChannel | None = None  # None: ``sender.send_sms`` (direct)


def queue(messaging: Messaging | None, writes: Writes, before: Case | None, after: Case, now: datetime) -> Writes:
    """``writes`` plus the pending message of the milestone this change reaches, if any."""
    milestone = milestone_between(before, after)
    if messaging is None or milestone is None:
        return writes
    put = queued(after.case_id, milestone, render(milestone, after, now.date()), now.date().isoformat(), now, LEASE,
                 seq=after.version + 1)  # the event this change appends (domain.writes.appended)
    return writes + Writes(messages=(put,))


def timeline(messaging: Messaging | None, repo: Any, case: Case) -> list[Any]:
    """The case's timeline as shown: its chained events, the receipts kept outside the chain (a ``material_received``
    line each, from the receipt itself: ``domain.cases.timeline.receipt_lines``) and its milestone messages' lines."""
    events: list[Event] = repo.timeline(case.case_id)
    messages = messaging.outbox.of_case(case.case_id, milestones_reached(case)) if messaging is not None else []
    lines = message_lines(messages) + receipt_lines(case.materials, events)
    return with_lines(events, lines)


def after_commit(messaging: Messaging | None, before: Case | None, after: Case, now: datetime) -> Case:
    """Try the queued message once; the case (a message does not change it). Never raises."""
    milestone = milestone_between(before, after)
    if messaging is None or milestone is None:
        return after
    try:
        _attempt(messaging, message_id(after.case_id, milestone), now, after, leased=True)
    except Exception:  # noqa: BLE001 - the case change stands; the schedule retries the message
        log.exception("message %s of case %s: first try failed; left for the retry schedule", milestone,
                      after.case_id)
    return after


def deliver(messaging: Messaging, key: str, now: datetime) -> str:
    """One attempt at one message: pending, sent, failed, skipped, or busy (another process has it)."""
    return _attempt(messaging, key, now)


def _attempt(messaging: Messaging, key: str, now: datetime, known: Case | None = None, leased: bool = False) -> str:
    """``deliver``. ``known``: the case the request has just stored, read no second time. ``leased``: the request
    that queued the message makes its first attempt, taken with the queueing (``outbox.queued``): no claim, unless
    the retry schedule has taken the message over since (then it is theirs: busy)."""
    message = messaging.outbox.get(key)
    if message is None or message.status != "pending":
        return message.status if message else "missing"
    if leased:
        if message.attempts != 1 or message.last_error is not None:
            return "busy"
        attempts = 1
    elif not messaging.outbox.claim(key, message.attempts, now + LEASE):
        return "busy"
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
            return "pending"
        status = _finish(messaging, message, attempts, "failed", now, {"error": error.code}, case, error.code)
        if status == "failed":
            report_failure(messaging, case, message, attempts, error.code)
        return status
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
            channel: str | None = None) -> str:
    """The final state with its timeline line, written only while this attempt still holds the message: the
    status, or busy (another process finished it)."""
    line = Event(now.isoformat(), f"message_{status}", ACTOR, case.accepting_unit,
                 {"milestone": message.milestone, "channel": "sms", "attempts": attempts, **detail})
    put = final(message, attempts, status, now, line, sns_id, error_code, channel)
    return status if messaging.outbox.write(put) else "busy"


def report_failure(messaging: Messaging, case: Case, message: Message, attempts: int, error_code: str) -> None:
    try:
        messaging.sender.message_failed(case, message.milestone, attempts, error_code)
    except Exception:  # noqa: BLE001 - the failure is on the timeline either way
        log.exception("message %s of case %s: the failure report could not be published", message.milestone,
                      case.case_id)
    messaging.failed_metric()
