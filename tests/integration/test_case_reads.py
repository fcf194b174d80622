"""Each case route reads the case once before it writes: the reach check's read serves the service.

Counted where DynamoDB sees it: botocore's call events (``bench.recorder``, imported at collection, before
any client exists), GetItem calls keyed on the case in the cases table. Reads after the request's own
write (the milestone SMS reads the stored case to send and to record the message) are fresh reads by
design and are not what is counted as "before the write".

Races are driven at the same boundary: right after the reach check's GetItem has answered, another thread
(no request scope, as another Lambda container would be) changes the case, then the request goes on with
the copy it read.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest

from bench.recorder import Call, Recorder, recording
from chalicelib.adapters.store import CaseRepository
from chalicelib.api.pipeline import HandedCase
from chalicelib.config import table_name
from chalicelib.domain.cases.case import Actor, Material
from chalicelib.services import cases
from chalicelib.wiring import deps
from tests.integration import conftest as integration
from tests.support.people import SHANGHAI_WINDOW, declaration, fresh_application, pdf_bytes

CHINA = timezone(timedelta(hours=8))
NOW = datetime(2026, 9, 24, 10, 0, tzinfo=CHINA)
WINDOW = Actor(sub="window-310101002", name="窗口", role="window", unit=SHANGHAI_WINDOW)
DECISION = {"outcome": "approved", "reason": "符合条件", "subsidies": [{"type": "living", "monthly_amount": "99.00"}]}


@pytest.fixture(scope="module")
def world() -> Any:
    yield from integration.shared_api()


@pytest.fixture()
def api(world: Any) -> Any:
    world.now = NOW.isoformat()
    return world


def is_case_read(call: Call, case_id: str) -> bool:
    """A read of the case item: a GetItem, or the BatchGetItem that reads it with its parts."""
    if (call.service, call.operation) == ("dynamodb", "BatchGetItem"):
        keys = call.params.get("RequestItems", {}).get(table_name("cases"), {}).get("Keys", [])
        return any(key.get("case_id", {}).get("S") == case_id for key in keys)
    return (call.service, call.operation) == ("dynamodb", "GetItem") \
        and call.params.get("TableName") == table_name("cases") \
        and call.params.get("Key", {}).get("case_id", {}).get("S") == case_id


def is_write(call: Call) -> bool:
    return (call.service, call.operation) == ("dynamodb", "TransactWriteItems")


def is_registration(call: Call) -> bool:
    """A write of a case's materials part alone (a registration)."""
    return (call.service, call.operation) in (("dynamodb", "PutItem"), ("dynamodb", "UpdateItem")) \
        and call.params.get("TableName") == table_name("cases")


def is_receipt(call: Call) -> bool:
    """A write of a case's receipts part alone (a receipt that completes nothing)."""
    key = call.params.get("Key") or call.params.get("Item") or {}
    return is_registration(call) and key.get("case_id", {}).get("S", "").endswith("#receipts")


def reads_before_write(calls: list[Call], case_id: str) -> int:
    """Reads of the case item before the request's first transaction (all of them when it writes none)."""
    first_write = next((n for n, call in enumerate(calls) if is_write(call)), len(calls))
    return sum(1 for call in calls[:first_write] if is_case_read(call, case_id))


def recorded(request: Callable[..., Any], *args: Any, recorder: Recorder | None = None) -> tuple[Any, list[Call]]:
    """``request(*args)``'s answer and every AWS call it made on this thread."""
    rec = recorder or Recorder(capacity=False)
    with recording(rec):
        answer = request(*args)
    return answer, rec.calls


@dataclass
class ChangeAfterFirstRead(Recorder):
    """Counts like ``Recorder``; once the case's first GetItem has answered, runs ``change`` in another thread."""

    case_id: str = ""
    change: Callable[[], Any] = lambda: None
    changed: list[Any] = field(default_factory=list)

    def after(self, service: str, operation: str, parsed: Any, context: Any) -> None:
        super().after(service, operation, parsed, context)
        if not self.changed and self.calls and is_case_read(self.calls[-1], self.case_id):
            other = threading.Thread(target=lambda: self.changed.append(self.change()))
            other.start()
            other.join()


def new_case(api: Any) -> str:
    response = api.window("POST", "/cases", fresh_application("813"))
    assert response.status_code == 201, response.data
    return str(response.data["case_id"])


def register(api: Any, case_id: str, code: str) -> Any:
    return api.window("POST", f"/cases/{case_id}/materials", declaration(code, pdf_bytes(code)))


# --- every case route: one read before the write --------------------------------------------------


def test_each_step_of_a_case_reads_the_case_once_before_writing_it(api):
    case_id = new_case(api)
    codes = [item["code"] for item in api.window("GET", f"/cases/{case_id}/notice").data["materials"]]
    for code in codes:
        registered, calls = recorded(register, api, case_id, code)
        assert registered.status_code == 201, registered.data
        assert reads_before_write(calls, case_id) == 1, f"register {code}"
        integration.store_object(registered.data["upload"], pdf_bytes(code))
        confirmed, calls = recorded(
            api.window, "POST", f"/cases/{case_id}/materials/{registered.data['material_id']}/confirm")
        assert confirmed.status_code == 200 and confirmed.data["status"] == "received", confirmed.data
        assert reads_before_write(calls, case_id) == 1, f"confirm {code}"  # it was three before
    assert api.window("GET", f"/cases/{case_id}").data["status"] == "awaiting_push"  # the last one completed it
    steps = [("window", "push", None), ("reviewer", "decision", DECISION),
             ("window", "notification", {"method": "sms", "note": "已短信告知"})]
    for side, route, body in steps:
        answer, calls = recorded(getattr(api, side), "POST", f"/cases/{case_id}/{route}", body)
        assert answer.status_code == 200, (route, answer.data)
        assert reads_before_write(calls, case_id) == 1, route
        assert sum(1 for call in calls if is_write(call) and not call.failed) >= 1, route
    assert api.window("GET", f"/cases/{case_id}").data["status"] == "closed"


def test_reading_a_case_reads_its_item_once_on_either_side(api):
    case_id = api.ready_case(fresh_application("813"))["case_id"]
    for route in ("complete", "push"):  # the 业务属地 sees a case once it is pushed
        assert api.window("POST", f"/cases/{case_id}/{route}").status_code == 200
    for ask in (api.window, api.reviewer):
        answer, calls = recorded(ask, "GET", f"/cases/{case_id}")
        assert answer.status_code == 200 and answer.data["case_id"] == case_id
        assert sum(1 for call in calls if is_case_read(call, case_id)) == 1
        assert not any(is_write(call) for call in calls)


def test_the_read_kept_for_one_request_never_answers_the_next_request(api):
    case_id = new_case(api)
    before = api.window("GET", f"/cases/{case_id}").data["version"]
    cases.add_material(deps(), case_id, declaration("photo", pdf_bytes("photo")), WINDOW, "accepting", NOW)

    answer, calls = recorded(lambda: api.window("GET", f"/cases/{case_id}"))

    assert sum(1 for call in calls if is_case_read(call, case_id)) == 1
    assert answer.data["version"] == before  # a registration is no change of the case: read afresh all the same
    assert [m["code"] for m in answer.data["materials"]] == ["photo"]


def test_a_case_out_of_reach_is_still_refused_after_one_read(api):
    case_id = new_case(api)
    answer, calls = recorded(lambda: api.window("POST", f"/cases/{case_id}/materials",
                                                declaration("photo", pdf_bytes("photo")), unit="310101003"))
    assert (answer.status_code, answer.data["error"]["code"]) == (403, "CASE_OUT_OF_REACH")
    assert sum(1 for call in calls if is_case_read(call, case_id)) == 1
    assert not any(is_write(call) for call in calls)


# --- a change between the reach check and the write ------------------------------------------------


def test_a_material_registered_meanwhile_is_kept_and_the_request_retries_on_a_fresh_read(api):
    case_id = new_case(api)
    other = ChangeAfterFirstRead(capacity=False, case_id=case_id, change=lambda: cases.add_material(
        deps(), case_id, declaration("id_card", pdf_bytes("id_card")), WINDOW, "accepting", NOW))

    answer, calls = recorded(register, api, case_id, "photo", recorder=other)

    assert answer.status_code == 201, answer.data
    assert other.changed and other.changed[0]["code"] == "id_card"
    writes = [call for call in calls if is_registration(call)]
    # the reach check's read had no materials yet: its first write of them was refused, the retry's appended
    assert [(call.operation, call.failed) for call in writes] == [("PutItem", True), ("UpdateItem", False)]
    assert sum(1 for call in calls if is_case_read(call, case_id)) == 2  # the reach check's, the retry's
    case = api.window("GET", f"/cases/{case_id}").data
    assert sorted(m["code"] for m in case["materials"]) == ["id_card", "photo"]
    assert "material_registered" not in [e["event"] for e in case["timeline"]]
    # the version counts the chained events; the 受理 SMS's line is its message's, outside the chain
    assert len([e for e in case["timeline"] if not e["event"].startswith("message_")]) == case["version"]


def test_a_push_made_meanwhile_leaves_one_push_and_the_late_request_a_409(api):
    case_id = api.ready_case(fresh_application("813"))["case_id"]
    assert api.window("POST", f"/cases/{case_id}/complete").status_code == 200
    other = ChangeAfterFirstRead(capacity=False, case_id=case_id,
                                 change=lambda: cases.push(deps(), case_id, WINDOW, "accepting", NOW))

    answer, calls = recorded(api.window, "POST", f"/cases/{case_id}/push", recorder=other)

    assert other.changed and other.changed[0]["status"] == "under_review"
    assert (answer.status_code, answer.data["error"]["code"]) == (409, "INVALID_TRANSITION")
    writes = [call for call in calls if is_write(call)]
    assert [call.failed for call in writes] == [True]  # the stale copy's write; the fresh read refuses the move
    assert sum(1 for call in calls if is_case_read(call, case_id)) == 2
    case = api.window("GET", f"/cases/{case_id}").data
    assert case["status"] == "under_review"
    assert [e["event"] for e in case["timeline"]].count("pushed") == 1


def test_a_confirmation_with_a_material_registered_meanwhile_lands_at_once_and_keeps_it(api):
    """A registration changes neither the case item nor the receipts: the confirmation's one write, made on its
    read from before the registration, stands, and the registration is kept. (Since 2026-12-06 a receipt that
    completes nothing is that one write of the receipts part alone, no transaction.)"""
    case_id = new_case(api)
    registered = register(api, case_id, "photo").data
    integration.store_object(registered["upload"], pdf_bytes("photo"))
    other = ChangeAfterFirstRead(capacity=False, case_id=case_id, change=lambda: cases.add_material(
        deps(), case_id, declaration("id_card", pdf_bytes("id_card")), WINDOW, "accepting", NOW))

    answer, calls = recorded(api.window, "POST", f"/cases/{case_id}/materials/{registered['material_id']}/confirm",
                             recorder=other)

    assert answer.status_code == 200 and answer.data["status"] == "received", answer.data
    assert other.changed and [call.failed for call in calls if is_write(call) or is_receipt(call)] == [False]
    case = api.window("GET", f"/cases/{case_id}").data
    assert {m["code"]: m["status"] for m in case["materials"]} == {"photo": "received", "id_card": "registered"}


# --- the repository's request scope itself ---------------------------------------------------------


def _material(code: str) -> Material:
    return Material(material_id=f"m-{code}", code=code, filename=f"{code}.pdf", content_type="application/pdf",
                    size=10, sha256="0" * 64, object_key=f"k/{code}", registered_at=NOW.isoformat())


def test_the_handed_case_answers_the_first_read_and_only_the_first(api):
    case_id = new_case(api)
    repo = CaseRepository()
    handed = repo.get(case_id)
    store = HandedCase(repo, handed)
    copies, calls = recorded(lambda: [store.get(case_id) for _ in range(3)])
    assert sum(1 for call in calls if is_case_read(call, case_id)) == 2  # the second and the third
    assert copies[0] is handed and copies[1] is not handed


def test_a_read_of_another_case_is_never_answered_with_the_handed_one(api):
    mine, other = new_case(api), new_case(api)
    repo = CaseRepository()
    store = HandedCase(repo, repo.get(mine))
    read, calls = recorded(lambda: store.get(other))
    assert read.case_id == other and sum(1 for call in calls if is_case_read(call, other)) == 1
    again, calls = recorded(lambda: store.get(mine))
    assert again.case_id == mine and not [call for call in calls if is_case_read(call, mine)]  # still handed


def test_outside_a_request_every_read_goes_to_dynamodb(api):
    case_id = new_case(api)
    repo = CaseRepository()
    _, outside = recorded(lambda: [repo.get(case_id) for _ in range(2)])
    assert sum(1 for call in outside if is_case_read(call, case_id)) == 2
