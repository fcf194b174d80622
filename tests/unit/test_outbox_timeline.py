"""The case's timeline as shown: its chained events, its milestone messages' lines (domain.outbox.message_lines) and
the receipts kept outside the chain (domain.cases.timeline.receipt_lines), merged by domain.cases.timeline.with_lines.

A message's lines are its own (outside the case's version and hash chain, docs/decisions.md 2026-12-06); whatever
the moments, the merged timeline keeps the chain's order, keeps each message's lines in their order after the event
that queued it, loses and repeats nothing, and runs forward in time."""
from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.cases.case import Event, Material
from chalicelib.domain.cases.outbox import Message, message_lines
from chalicelib.domain.cases.timeline import receipt_lines, with_lines

T0 = datetime.fromisoformat("2026-09-24T09:30:00+08:00")


def event(kind: str, moment: datetime, **detail: object) -> Event:
    return Event(moment.isoformat(), kind, "window-310101002", "310101002", dict(detail))


def message(milestone: str, seq: int, lines: tuple[Event, ...]) -> Message:
    return Message(f"C1#{milestone}", "C1", milestone, "text", "2026-09-24", "sent", len(lines), T0.isoformat(),
                   seq=seq, history=lines)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Event], list[Message]]:
    """Chained events at non-decreasing moments (often the same one), and messages queued by some of them, each
    with lines at or after the moment of the event that queued it."""
    steps = draw(st.lists(st.integers(0, 3), min_size=1, max_size=12))  # minutes between events; 0: same moment
    moments = [T0 + timedelta(minutes=sum(steps[: i + 1])) for i in range(len(steps))]
    events = [event(f"e{seq}", moment, seq=seq) for seq, moment in enumerate(moments, start=1)]
    queued_by = draw(st.lists(st.integers(1, len(events)), unique=True, max_size=4))
    messages = []
    for n, seq in enumerate(queued_by):
        delays = draw(st.lists(st.integers(0, 90), min_size=0, max_size=4))  # minutes after its queueing event
        lines = tuple(event(f"m{n}.{k}", moments[seq - 1] + timedelta(minutes=sum(delays[: k + 1])), message=n)
                      for k in range(len(delays)))
        messages.append(message(f"milestone{n}", seq, lines))
    return events, messages


@settings(max_examples=300, deadline=None)
@given(histories())
def test_the_shown_timeline_keeps_both_orders_and_time(history):
    events, messages = history
    shown = with_lines(events, message_lines(messages))
    every_line = [line for m in messages for line in m.history]
    assert sorted(map(id, shown)) == sorted(map(id, events + every_line))  # nothing lost, nothing twice
    assert [e for e in shown if e in events] == events  # the chain's own order
    position = {id(e): i for i, e in enumerate(shown)}
    for m in messages:
        at = [position[id(line)] for line in m.history]
        assert at == sorted(at)  # the message's lines in their order
        assert all(i > position[id(events[m.seq - 1])] for i in at)  # after the event that queued it
    moments = [datetime.fromisoformat(e.at) for e in shown]
    assert moments == sorted(moments)  # forward in time


def test_lines_of_the_same_moment_follow_their_event_and_precede_the_next():
    """Stated moments in tests (and a fast window) give many events one moment: the message's line still shows
    right after the event that queued it."""
    accepted, received, pushed = (event(kind, T0) for kind in ("accepted", "material_received", "pushed"))
    sent_accepted = event("message_sent", T0, milestone="accepted")
    sent_pushed = event("message_sent", T0, milestone="pushed")
    shown = with_lines([accepted, received, pushed],
                       message_lines([message("pushed", 3, (sent_pushed,)), message("accepted", 1, (sent_accepted,))]))
    assert shown == [accepted, sent_accepted, received, pushed, sent_pushed]


def test_a_line_in_another_offset_is_placed_by_its_moment():
    accepted = event("accepted", T0)  # 09:30 +08:00 = 01:30 UTC
    later = event("material_received", T0 + timedelta(minutes=10))
    sent = Event("2026-09-24T01:35:00+00:00", "message_sent", "system:messages", "310101002", {})
    assert with_lines([accepted, later], message_lines([message("accepted", 1, (sent,))])) == [accepted, sent, later]


def material(n: int, at: datetime | None = None, seq: int | None = None,
             by: str | None = "window-310101002") -> Material:
    return Material(f"m{n}", f"code{n}", "a.pdf", "application/pdf", 1, "0" * 64, f"k/m{n}", T0.isoformat(),
                    *(("received", at.isoformat(), f"v{n}", by, "310101002", seq) if at else ()))


@st.composite
def with_receipts(draw: st.DrawFn) -> tuple[list[Event], list[Message], list[Material]]:
    """``histories`` plus materials: some registered only, some received with their chained event (before
    2026-12-06, or the completing one: named by the event's detail at its moment), the rest received alone, each
    at or after the moment of the chained event current then (its ``received_seq``)."""
    events, messages = draw(histories())
    materials = []
    for n in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["registered", "chained", "alone"]))
        if kind == "registered":
            materials.append(material(n))
            continue
        seq = draw(st.integers(1, len(events)))
        if kind == "chained" and "material_id" in events[seq - 1].detail:  # one receipt an event
            kind = "alone"
        if kind == "chained":  # the event of that receipt names it
            e = events[seq - 1]
            events[seq - 1] = Event(e.at, "material_received", e.actor, e.unit, {"material_id": f"m{n}"})
            materials.append(material(n, datetime.fromisoformat(e.at), None, None if n % 2 else "window-310101002"))
            continue
        at = datetime.fromisoformat(events[seq - 1].at) + timedelta(minutes=draw(st.integers(0, 90)))
        if seq < len(events):  # before the next chained event: the case's version was still seq
            at = min(at, datetime.fromisoformat(events[seq].at))
        materials.append(material(n, at, seq))
    return events, messages, materials


@settings(max_examples=300, deadline=None)
@given(with_receipts())
def test_receipts_kept_alone_show_once_each_after_their_event_in_time_order(history):
    events, messages, materials = history
    lines = receipt_lines(materials, events)
    alone = [m for m in materials if m.received_seq is not None]
    assert sorted(line.detail["material_id"] for _, line in lines) == sorted(m.material_id for m in alone)
    assert all(line.event == "material_received" and line.unit == "310101002" and set(line.detail) == {
        "material_id", "code"} for _, line in lines)  # as the chained event of a receipt
    shown = with_lines(events, [(m.seq, line) for m in messages for line in m.history] + lines)
    every_line = [line for m in messages for line in m.history] + [line for _, line in lines]
    assert sorted(map(id, shown)) == sorted(map(id, events + every_line))  # nothing lost, nothing twice
    assert [e for e in shown if e in events] == events
    position = {id(e): i for i, e in enumerate(shown)}
    for seq, line in lines:
        assert position[id(line)] > position[id(events[seq - 1])]  # after the chained event current then
        if seq < len(events):
            assert position[id(line)] < position[id(events[seq])] or line.at == events[seq].at
    moments = [datetime.fromisoformat(e.at) for e in shown]
    assert moments == sorted(moments)
    assert with_lines(events, [(m.seq, line) for m in messages for line in m.history]) == with_lines(
        events, message_lines(messages))  # messages alone: as before


def test_a_receipt_of_the_same_moment_shows_after_its_event_and_the_sms_before_the_next_event():
    """The bench's case: every step at one moment. Receipts alone after the 受理 event (version 1) and its SMS; the
    completing receipt is the chained event after them."""
    accepted = event("accepted", T0)
    completed = Event(T0.isoformat(), "materials_completed", "window-310101002", "310101002",
                      {"material_id": "m3", "code": "code3"})
    sent = event("message_sent", T0, milestone="accepted")
    materials = [material(1, T0, 1), material(2, T0, 1), material(3, T0, 1), material(4)]
    lines = receipt_lines(materials, [accepted, completed])
    shown = with_lines([accepted, completed], [(1, sent)] + lines)
    assert [(e.event, e.detail.get("material_id")) for e in shown] == [
        ("accepted", None), ("message_sent", None), ("material_received", "m1"), ("material_received", "m2"),
        ("materials_completed", "m3")]
