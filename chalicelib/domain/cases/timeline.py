"""Every kind of timeline event the server writes (办理记录), in one list.

The console names each in Chinese (``console/js/labels.js`` EVENTS); tests check this list against the
code that writes events (``tests/unit/test_timeline_kinds.py``) and the console against this list
(``tests/browser/test_console_labels.py``).

Implements: no statute — an engineering rule (one list of event kinds). The timeline is each case's record of
handling (办理记录) through 民办发〔2021〕2号 steps 1–6 (DOMAIN.md §2), chained by domain.audit.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable

from .case import TRANSITIONS, Event, Material, received_event
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


def _moment(at: str) -> datetime:
    moment = datetime.fromisoformat(at)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def with_lines(events: list[Event], lines: Iterable[tuple[int, Event]]) -> list[Event]:
    """The timeline as shown: the chained ``events`` (in sequence order, the first is 1) and ``lines`` kept outside
    the chain (milestone messages' ``outbox.message_lines``, receipts' ``receipt_lines``), each with the sequence
    number of the chained event current when it was made (0: before any), in time order: a line comes after its event
    and before any later event of the same moment; lines of one moment after one event keep the order given."""
    keyed = [((_moment(e.at), seq, 0), e) for seq, e in enumerate(events, start=1)]
    keyed += [((_moment(line.at), seq, n), line) for n, (seq, line) in enumerate(lines, start=1)]
    return [e for _, e in sorted(keyed, key=lambda pair: pair[0])]


def receipt_lines(materials: Iterable[Material], events: list[Event]) -> list[tuple[int, Event]]:
    """The ``material_received`` lines of the receipts kept outside the chain (``case.receipt_only``), each with the
    case's version at its receipt (``with_lines``), in the order of their moments: every received material that
    keeps its receiver and has no chained event of its own (one naming it at its moment: a receipt made before
    2026-12-06, or the one that completed the materials)."""
    chained = {(e.detail.get("material_id"), e.at) for e in events}
    kept = [m for m in materials if m.status == "received" and m.received_by is not None and m.received_at
            and (m.material_id, m.received_at) not in chained]
    kept.sort(key=lambda m: (_moment(m.received_at or ""), m.received_seq or 0))
    return [(m.received_seq or 0, received_event(m)) for m in kept]
