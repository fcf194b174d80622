"""The SMS gateway channel's pure parts: the channel setting, message ids, the outbox message, receipts."""
from __future__ import annotations

import pytest

from chalicelib.config import sms_channel
from chalicelib.domain.cases.sms_receipts import (
    OutgoingSms,
    Receipt,
    outbox_message,
    parse_public_id,
    public_id,
    receipt_action,
)
from chalicelib.domain.errors import Conflict, Invalid, NotFound


def test_the_channel_defaults_to_the_gateway_in_the_china_regions_and_to_sns_elsewhere():
    assert sms_channel("cn-north-1", None) == sms_channel("cn-northwest-1", "") == "gateway"
    assert sms_channel("ap-east-1", None) == "direct"
    assert sms_channel("cn-north-1", " direct ") == "direct"


def test_an_unknown_channel_is_refused_with_an_error_naming_sms_channel():
    with pytest.raises(RuntimeError, match="SMS_CHANNEL"):
        sms_channel("cn-north-1", "carrier-pigeon")


def test_a_public_message_id_reads_back_and_anything_else_is_not_found():
    assert parse_public_id(public_id("C20260924A1B2C3D4E5", "pushed")) == ("C20260924A1B2C3D4E5", "pushed")
    for wrong in ("C20260924A1B2C3D4E5#pushed", "C20260924A1B2C3D4E5-paid", "x-accepted", ""):
        with pytest.raises(NotFound):
            parse_public_id(wrong)


def test_the_outbox_message_carries_the_number_and_text_and_filters_on_provinces_only():
    sms = OutgoingSms("C20260924A1B2C3D4E5-accepted", 2, "C20260924A1B2C3D4E5", "accepted", "+8613800000000",
                      "【残疾人两项补贴】…", "310101002", "230102001")
    body, attributes = outbox_message(sms)
    assert body["phone_number"] == "+8613800000000" and body["attempt"] == 2
    assert attributes == {"kind": "sms", "milestone": "accepted", "accepting_province": "31",
                          "business_province": "23"}


def delivered(attempt: int | None = None) -> Receipt:
    return Receipt("delivered", "2026-09-24T10:00:04+08:00", None, attempt)


def failed(attempt: int | None = None) -> Receipt:
    return Receipt("failed", "2026-09-24T10:00:04+08:00", "MK:0012", attempt)


@pytest.mark.parametrize("status, attempts, receipts, receipt, action", [
    ("sent", 1, frozenset(), delivered(), "deliver"),
    ("sent", 1, frozenset({"1:delivered"}), delivered(), "unchanged"),
    ("sent", 1, frozenset(), failed(), "undelivered"),
    ("sent", 2, frozenset({"1:failed"}), failed(1), "unchanged"),
    ("sent", 2, frozenset(), failed(1), "note"),  # an older attempt's failure reopens nothing
    ("pending", 1, frozenset({"1:failed"}), delivered(1), "deliver"),  # failed, then delivered after all
    ("pending", 2, frozenset({"1:failed"}), delivered(1), "deliver"),  # attempt 2 in flight
    ("failed", 5, frozenset({"5:failed"}), delivered(5), "late_delivery"),
    ("failed", 5, frozenset({"5:failed"}), failed(4), "note"),
    ("delivered", 2, frozenset({"2:delivered"}), failed(2), "note"),
    ("delivered", 2, frozenset({"2:delivered"}), delivered(1), "note"),
], ids=["deliver", "same-twice", "latest-failed", "failed-twice", "older-failed", "delivered-after-failed",
        "older-delivered-while-retrying", "after-final-failure", "older-after-final", "failed-after-delivered",
        "second-delivery"])
def test_what_a_receipt_does_to_a_gateway_message(status, attempts, receipts, receipt, action):
    assert receipt_action(status, attempts, receipts, receipt) == action


def test_a_receipt_for_an_attempt_in_flight_or_never_sent_is_a_conflict_and_one_never_made_is_invalid():
    with pytest.raises(Conflict) as in_flight:
        receipt_action("pending", 1, frozenset(), delivered())
    with pytest.raises(Conflict) as skipped:
        receipt_action("skipped", 1, frozenset(), delivered())
    with pytest.raises(Invalid) as never_made:
        receipt_action("sent", 1, frozenset(), failed(3))
    assert (in_flight.value.code, skipped.value.code, never_made.value.code) == (
        "MESSAGE_NOT_SENT_YET", "MESSAGE_NOT_SENT", "RECEIPT_ATTEMPT")
