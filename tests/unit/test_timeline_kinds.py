"""The domain's list of timeline event kinds is complete: every place in chalicelib that writes an event
names a kind on the list (the console labels each kind on it, tests/browser/test_console_labels.py)."""
from __future__ import annotations

import ast
from pathlib import Path

from chalicelib.domain.cases.messages import STATUSES
from chalicelib.domain.cases.timeline import EVENT_KINDS, MESSAGE_FINAL_STATES

ROOT = Path(__file__).resolve().parents[2] / "chalicelib"
# where the kind is not a literal: the transition table's event, note_deadline's parameter, the store and the
# outbox reading events and messages' timeline lines back, and the message service's f"message_{status}"
DYNAMIC_SITES = {("domain/cases/case.py", "move.event"), ("domain/cases/case.py", "event"), ("adapters/store.py", "e.event"),
                 ("adapters/messages_table.py", "line['event']"), ("services/messages.py", "f'message_{status}'")}


def event_sites() -> tuple[set[str], set[tuple[str, str]]]:
    """The literal kinds passed to Event(...) and note_deadline(...), and the non-literal ones by file."""
    literal: set[str] = set()
    dynamic: set[tuple[str, str]] = set()
    for path in ROOT.rglob("*.py"):
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, (ast.Name, ast.Attribute)):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            position = {"Event": 1, "note_deadline": 2}.get(name)
            if position is None or len(node.args) <= position:
                continue
            kind = node.args[position]
            if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                literal.add(kind.value)
            else:
                dynamic.add((where, ast.unparse(kind)))
    return literal, dynamic


def test_every_literal_event_kind_written_in_chalicelib_is_on_the_domain_list():
    literal, _ = event_sites()
    assert {"accepted", "material_viewed", "identity_read", "deadline_overdue"} <= literal  # the walk finds them
    assert literal - set(EVENT_KINDS) == set()


def test_no_event_is_written_with_a_computed_kind_outside_the_known_places():
    _, dynamic = event_sites()
    assert dynamic <= DYNAMIC_SITES, dynamic - DYNAMIC_SITES


def test_each_final_state_of_a_message_has_its_kind_on_the_list():
    assert {f"message_{s}" for s in STATUSES if s != "pending"} <= set(EVENT_KINDS)
    assert {f"message_{s}" for s in MESSAGE_FINAL_STATES} <= set(EVENT_KINDS)
    assert "message_delivered" in EVENT_KINDS


def test_the_list_names_each_kind_once():
    assert len(EVENT_KINDS) == len(set(EVENT_KINDS))
