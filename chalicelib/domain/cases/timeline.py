"""Every kind of timeline event the server writes (办理记录), in one list.

The console names each in Chinese (``console/js/labels.js`` EVENTS); tests check this list against the
code that writes events (``tests/unit/test_timeline_kinds.py``) and the console against this list
(``tests/browser/test_console_labels.py``).

Implements: no statute — an engineering rule (one list of event kinds). The timeline is each case's record of
handling (办理记录) through 民办发〔2021〕2号 steps 1–6 (DOMAIN.md §2), chained by domain.audit.
"""
from __future__ import annotations

from .case import TRANSITIONS
from .messages import STATUSES

# final states of a milestone message ("pending" is never on the timeline); "delivered" is the SMS
# gateway's delivery receipt
MESSAGE_FINAL_STATES: tuple[str, ...] = tuple(s for s in (*STATUSES, "delivered") if s != "pending")

EVENT_KINDS: tuple[str, ...] = tuple(dict.fromkeys((
    "accepted", "material_registered", "material_received",
    *(transition.event for transition in TRANSITIONS.values()),
    "review_agreed", "review_sent_back",  # the review chain's opinions (domain.cases.review_chain)
    # correcting a decision (纠错, domain.cases.corrections): proposed, signed off or sent back, in force
    "correction_proposed", "correction_agreed", "correction_sent_back", "decision_corrected",
    "deadline_recounted", "deadline_reminder", "deadline_overdue",
    "identity_read", "material_viewed",
    *(f"message_{state}" for state in MESSAGE_FINAL_STATES),
    "message_undelivered",  # the SMS gateway reported an attempt failed: retried (services/sms_receipts.py)
)))
