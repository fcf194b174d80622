"""Delivery receipts from the province's SMS gateway: ``POST /messages/{message_id}/receipt``.

The gateway (role ``sms_gateway``, unit = its 2-digit province) may report only messages of cases
whose 受理地 or 业务属地 lies in its province. What a receipt does is ``domain.sms_receipts.receipt_action``:

- ``delivered``: the message is ``delivered`` and ``message_delivered`` is added to the case's timeline;
  after a final ``failed`` it is still added (the applicant did get the text) but the message stays
  failed and nothing is retried or reported again;
- ``failed`` for the latest attempt: ``message_undelivered`` on the timeline and the message back in the
  retry schedule (``message_retries``) at the next back-off step, or, after the last attempt,
  ``message_failed``, the report on the escalations topic and ``MessageSendFailed``.

Each change is one conditional write of the message item (guarded by what was read) with its timeline line
(domain.outbox), read again and retried on a conflict; a receipt already seen changes nothing.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from ..domain import access
from ..domain.cases.case import Actor, Case, Event
from ..domain.cases.messages import next_attempt
from ..domain.cases.outbox import Message, MessagePut, after_receipt, message_id
from ..domain.cases.sms_receipts import Receipt, parse_public_id, parse_receipt, public_id, receipt_action
from ..domain.errors import Conflict, NotFound
from ..domain.refusals import StaleCase
from .messages import Messaging, report_failure
from .retrying import KeptChanging, on_stale

GATEWAY = "gateway"


def record(messaging: Messaging, public_message_id: str, body: Callable[[], Any], actor: Actor, relation: str,
           now: datetime) -> dict[str, Any]:
    """Apply one receipt; the message's state afterwards and whether this receipt changed anything. The body
    is read only after the caller's reach is checked."""
    case_id, milestone = parse_public_id(public_message_id)
    try:
        case = messaging.repo.get(case_id)
    except NotFound:  # answered as another province's case: a gateway learns nothing of other cases
        raise access.case_out_of_reach() from None
    access.check_case(relation, actor, case)  # deny first: another province's gateway learns nothing more
    key = message_id(case_id, milestone)
    receipt = parse_receipt(body())

    def attempt(n: int) -> dict[str, Any]:  # the case or the message moved on meanwhile: read both again
        message = _gateway_message(messaging, key)
        action = receipt_action(message.status, message.attempts, message.receipts, receipt)
        status = _apply(messaging, case, message, action, receipt, actor, now)
        return {"message_id": public_id(case_id, milestone), "milestone": milestone, "status": status,
                "attempts": message.attempts, "changed": action not in ("unchanged", "note")}

    try:
        return on_stale(attempt, f"message {key}")
    except KeptChanging:
        raise Conflict("MESSAGE_BUSY", "the message kept changing: report the receipt again", "message_id") from None


def _gateway_message(messaging: Messaging, key: str) -> Message:
    message = messaging.outbox.get(key)
    if message is None:
        raise NotFound("MESSAGE_NOT_FOUND", "no message for this case and milestone", "message_id")
    if message.channel != GATEWAY and message.status != "pending":  # pending: an attempt may be in flight
        raise Conflict("NOT_A_GATEWAY_MESSAGE", "this message was not handed to an SMS gateway", "message_id")
    return message


def _apply(messaging: Messaging, case: Case, message: Message, action: str, receipt: Receipt, actor: Actor,
           now: datetime) -> str:
    attempt = receipt.attempt or message.attempts
    receipt_key = receipt.key(attempt)
    if action == "unchanged":
        return message.status
    if action == "note":
        messaging.outbox.note_receipt(message.message_id, receipt_key)
        return message.status
    detail: dict[str, Any] = {"milestone": message.milestone, "channel": "sms", "via": GATEWAY, "attempt": attempt,
                              "reported_at": receipt.at}
    if action in ("deliver", "late_delivery"):
        status = "delivered" if action == "deliver" else message.status
        if action == "late_delivery":
            detail["after_failure"] = True  # recorded; the message stays failed
        line = Event(now.isoformat(), "message_delivered", actor.sub, actor.unit, detail)
        _write(messaging, after_receipt(message, status, receipt_key, now, line, delivered_at=receipt.at))
        return status
    error = receipt.error_code or "undelivered"
    later = next_attempt(message.attempts, now)
    if later is not None:  # back into the retry schedule at the next back-off step
        line = Event(now.isoformat(), "message_undelivered", actor.sub, actor.unit,
                     {**detail, "error": error, "retry_at": later.isoformat()})
        _write(messaging, after_receipt(message, "pending", receipt_key, now, line, due_at=later, error_code=error))
        return "pending"
    line = Event(now.isoformat(), "message_failed", actor.sub, actor.unit,
                 {**detail, "attempts": message.attempts, "error": error})
    _write(messaging, after_receipt(message, "failed", receipt_key, now, line, error_code=error))
    report_failure(messaging, case, message, message.attempts, error)
    return "failed"


def _write(messaging: Messaging, put: MessagePut) -> None:
    """The message as the receipt leaves it; ``StaleCase`` (read both again, ``retrying.on_stale``) when it moved
    on since it was read."""
    if not messaging.outbox.write(put):
        raise StaleCase(put.message.case_id)
