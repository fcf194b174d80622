"""The SMS gateway channel (短信网关): what goes to the province's gateway, and what its receipts change.

In the China regions SNS sends no SMS, so each milestone SMS is published as JSON to the
``<prefix>-sms-outbox`` topic, which the province's SMS gateway (a carrier's 云MAS or a cloud SMS
service under the province's contract) subscribes to. The gateway reports each delivery back with
``POST /messages/{message_id}/receipt`` (``delivered`` | ``failed``).

Receipts are idempotent (one receipt per attempt and status is remembered; the same receipt again
changes nothing) and out-of-order safe: a ``failed`` receipt only reopens the attempt that is the
message's latest one and was accepted by the topic; a ``delivered`` receipt after the message was
finally ``failed`` is recorded on the timeline but does not make the message sent again.

Implements: no statute — an engineering rule for the SMS channel (receipts idempotent and out-of-order safe). It
carries the milestone messages of domain.messages, which serve the 告知 of 民办发〔2021〕2号 (DOMAIN.md §2, step 5).
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from msgspec import Struct

from ..errors import Conflict, Invalid, Malformed, NotFound
from ..units import province_of
from .messages import MILESTONES

RECEIPT_STATUSES = ("delivered", "failed")
_ERROR_CODE = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
_PUBLIC_ID = re.compile(r"(C[0-9]{8}[0-9A-F]{10})-(" + "|".join(MILESTONES) + r")")


class OutgoingSms(Struct, frozen=True):
    """One attempt at one milestone SMS, as a channel sends it."""

    message_id: str  # the public id: <case id>-<milestone>
    attempt: int
    case_id: str
    milestone: str
    phone_number: str  # E.164, the one personal number the gateway needs
    text: str
    accepting_unit: str
    business_unit: str


class Sent(Struct, frozen=True):
    """What a channel answers: SNS's MessageId (for the gateway: the outbox topic took it), and the channel."""

    sns_message_id: str
    channel: str  # direct | gateway


class Receipt(Struct, frozen=True):
    status: str  # delivered | failed
    at: str  # when the gateway saw it (ISO 8601 with offset)
    error_code: str | None = None
    attempt: int | None = None  # the attempt it is about (the outbox message's ``attempt``); None: the latest

    def key(self, attempt: int) -> str:
        return f"{attempt}:{self.status}"


def public_id(case_id: str, milestone: str) -> str:
    """The message id the gateway sees and reports on (URL-safe: no '#')."""
    return f"{case_id}-{milestone}"


def parse_public_id(text: str) -> tuple[str, str]:
    """(case id, milestone) of a public message id; 404 for anything else."""
    match = _PUBLIC_ID.fullmatch(text or "")
    if match is None:
        raise NotFound("MESSAGE_NOT_FOUND", "no such message: the id is <case id>-<milestone>", "message_id")
    return match.group(1), match.group(2)


def outbox_message(sms: OutgoingSms) -> tuple[dict[str, Any], dict[str, str]]:
    """The topic message (JSON) and its attributes for the gateways' subscription filters.

    No ID number, name or amount: the case number, the mobile number the gateway must send to, and
    the text. Each province's gateway filters on the province that accepted the case (the 受理地
    told the applicant about the SMS); ``business_province`` is there for provinces that agree otherwise."""
    body = {"message_id": sms.message_id, "attempt": sms.attempt, "case_id": sms.case_id,
            "milestone": sms.milestone, "phone_number": sms.phone_number, "text": sms.text,
            "accepting_province": province_of(sms.accepting_unit),
            "business_province": province_of(sms.business_unit),
            "receipt": f"POST /messages/{sms.message_id}/receipt"}
    attributes = {"kind": "sms", "milestone": sms.milestone,
                  "accepting_province": province_of(sms.accepting_unit),
                  "business_province": province_of(sms.business_unit)}
    return body, attributes


def parse_receipt(body: Any) -> Receipt:
    """{status: delivered|failed, at, error_code?, attempt?}; 400 for a wrong shape, 422 for a wrong value."""
    if not isinstance(body, dict):
        raise Malformed("WRONG_TYPE", "the body must be an object {status, at, error_code?, attempt?}", "body")
    unknown = sorted(set(body) - {"status", "at", "error_code", "attempt"})
    if unknown:
        raise Invalid("UNKNOWN_FIELD", f"unknown field {unknown[0][:40]}", unknown[0][:40])
    status = body.get("status")
    if status not in RECEIPT_STATUSES:
        raise Invalid("RECEIPT_STATUS", "status must be delivered or failed", "status")
    at = body.get("at")
    if not isinstance(at, str):
        raise Invalid("RECEIPT_AT", "at is required: when the gateway saw the outcome (ISO 8601 with offset)", "at")
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise Invalid("RECEIPT_AT", "at must be an ISO 8601 time with offset, e.g. 2026-09-24T10:00:05+08:00",
                      "at") from None
    if moment.tzinfo is None:
        raise Invalid("RECEIPT_AT", "at needs its offset (+08:00)", "at")
    error_code = body.get("error_code")
    if error_code is not None and (not isinstance(error_code, str) or not _ERROR_CODE.fullmatch(error_code)):
        raise Invalid("RECEIPT_ERROR_CODE", "error_code is 1-64 of A-Z a-z 0-9 . _ : -", "error_code")
    attempt = body.get("attempt")
    if attempt is not None and (isinstance(attempt, bool) or not isinstance(attempt, int) or attempt < 1):
        raise Invalid("RECEIPT_ATTEMPT", "attempt is the outbox message's attempt number (1 or more)", "attempt")
    return Receipt(str(status), moment.isoformat(), error_code, attempt)


def receipt_action(status: str, attempts: int, receipts: frozenset[str], receipt: Receipt) -> str:
    """What a receipt does to a gateway message in ``status`` after ``attempts`` attempts.

    ``unchanged`` (seen before), ``deliver`` (now delivered), ``late_delivery`` (delivered after the
    message failed: recorded, the message stays failed), ``undelivered`` (the latest attempt failed:
    retry, or fail after the last), ``note`` (remembered only: an older attempt, or a failure after a
    delivery). Raises 422 for an attempt never made, 409 for a message not (yet) handed to the gateway."""
    attempt = receipt.attempt or attempts
    if attempt < 1 or attempt > attempts:
        raise Invalid("RECEIPT_ATTEMPT", f"this message has had {attempts} attempt(s)", "attempt")
    if receipt.key(attempt) in receipts:
        return "unchanged"
    if status == "skipped":
        raise Conflict("MESSAGE_NOT_SENT", "this message was never sent (no mobile number)", "message_id")
    in_flight = status == "pending" and attempt == attempts and f"{attempt}:failed" not in receipts
    if in_flight:
        raise Conflict("MESSAGE_NOT_SENT_YET", "this attempt is not recorded as sent yet: report it again shortly",
                       "message_id")
    if receipt.status == "delivered":
        if status in ("sent", "pending"):
            return "deliver"
        return "late_delivery" if status == "failed" else "note"
    if status == "sent" and attempt == attempts:
        return "undelivered"
    return "note"
