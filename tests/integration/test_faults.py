"""Faults at every AWS call (issue 17.10): each call a case route or a job makes is made to fail in turn —
throttled, a 5xx, a timeout before it reached the service and, for a call that writes, a timeout after it took
effect (the answer lost) — at the botocore boundary (``tests/support/faults.py``).

Routes (accept, register and confirm a material, complete, push, 补正 asked and sent, decide, notify, withdraw, the
full numbers read). After each fault:

- the request answered in the API's error format, or succeeded (a failure after the change is stored must not undo
  it), never a bare traceback;
- the case is exactly as before or exactly as a clean run leaves it — the case item, its timeline, its milestone
  messages, person locks and entitlements: wholly changed or not at all;
- its hash chain verifies (``domain.cases.audit.first_break``, what ``/audit`` runs);
- its clock is in step with it, after the sweep's repair where the clock was flagged (a clock out of step and not
  flagged is a failure: nothing would repair it);
- its milestone messages are sent, once each on the timeline, after the retry schedule ran where one was left
  pending;
- the same request again (the same ``Idempotency-Key``) completes: it makes the change, or finds it made and changes
  nothing more. A request that stored nothing is retried as the next injection, which fails at a later call.

A clean walk counts each step's calls first (``plan``); every index is then injected once per kind. Cases walk their
life (accept → material → complete → push → 补正 → decide → notify → full numbers; or accept → withdraw), each step
taking the next indices still to inject, so one case serves a dozen injections.

Jobs (the daily sweep, the message retries): each fault at each call of a run over one case's work, the work put
back between runs; the run again records the miss once, escalates it at least once, restarts the flagged clock,
sends the message once.

Every moment is stated: the walks run on Thursday 2026-09-24 from 10:00, a clock's repair the next night, message
retries an hour on; the jobs' work is in the fortnight before (none of the walks' deadlines falls in it).
"""
from __future__ import annotations

import copy
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType

import app as application
from chalicelib.adapters.case_tables import CaseModel, EventModel, from_items, read_keys
from chalicelib.adapters.clock_table import ClockItems, ClockModel
from chalicelib.adapters.entitlements_table import EntitlementModel, LockModel
from chalicelib.adapters.messages_table import MessageModel
from chalicelib.adapters.monitored_units import MonitoredUnitModel
from chalicelib.adapters.store import CaseRepository
from chalicelib.config import load
from chalicelib.domain.cases.audit import Link, first_break
from chalicelib.domain.cases.case import CLOCK_PHASE, Case
from chalicelib.domain.cases.messages import MILESTONES
from chalicelib.domain.cases.phases import OFF_CLOCK
from chalicelib.domain.cases.records import to_record
from chalicelib.domain.persons import person_key
from chalicelib.services.idempotency import LEASE_SECONDS
from chalicelib.wiring import calendar_years, deps, jurisdiction_rules
from tests.integration.conftest import Api, moto_world, store_object, subscribe, topic
from tests.support import faults
from tests.support.people import SHANGHAI_WINDOW, declaration, fresh_application, pdf_bytes
from tools import jobs

T0 = datetime.fromisoformat("2026-09-24T10:00:00+08:00")  # a Thursday: D1 and D3 fall due on Tuesday 09-29
SWEEP_AT = "2026-09-25T01:00:00+08:00"  # the next night: the repair of a clock flagged by a walk
CODE = "application_form"  # the one material 黑龙江 asks for in this world (a province rule, below)
SUBSIDIES = ("living", "nursing")
APPROVE = {"outcome": "approved", "reason": "符合条件",
           "subsidies": [{"type": "living", "monthly_amount": "99.00"}, {"type": "nursing", "monthly_amount": "99.00"}]}
ERROR_STATUSES = (500, 503)  # what a request that met a fault may answer (the API's error format)
TALLY: dict[str, dict[str, int]] = {}  # kind -> route or job -> injection points that ran (the last test shows it)


# --- the world: one moto world and client for the module, the faults patched in ------------------------------------

@dataclass
class World:
    api: Api
    faults: faults.Faults
    aws: dict[str, Any]
    calls: dict[str, list[faults.Call]] = field(default_factory=dict)  # step -> its calls in a clean run
    shapes: dict[tuple[str, ...], Any] = field(default_factory=dict)  # steps taken -> the shape a clean run leaves
    no_ops: set[str] = field(default_factory=set)  # steps whose clean run changes nothing (complete, once done)
    walks: int = 0
    fired: Counter[tuple[str, str]] = field(default_factory=Counter)  # (step, kind) -> injections made
    stored: Counter[tuple[str, str]] = field(default_factory=Counter)  # of which the faulted request stored
    repairs: int = 0  # repairs run because a clock was flagged
    deliveries: int = 0  # retry runs because a message was left pending
    lost_answers: Counter[tuple[str, str]] = field(default_factory=Counter)  # (step, retry's answer): stored, erred


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with faults.installed() as injector, moto_world() as aws, \
            Client(application.app, stage_name="local") as client:
        api = Api(client, now="2026-09-01T09:00:00+08:00")
        rule = api.call("PUT", "/rules/23/materials/2026-09-01", "admin", "23", {"require": [CODE], "optional": []})
        assert rule.status_code == 200, rule.data
        yield World(api, injector, aws)


# --- what is stored about a case, read from moto's tables as they stand -------------------------------------------

@dataclass(frozen=True)
class Stored:
    """A case as stored with what its changes write: the case item, its timeline (and whether the chain verifies),
    its milestone messages, the applicant's person locks and the case's entitlements."""

    case: Case | None
    events: tuple[dict[str, Any], ...] = ()
    chain: dict[str, Any] | None = None
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)  # milestone -> raw item
    locks: dict[str, dict[str, Any]] = field(default_factory=dict)  # "<subsidy>#<kind>" -> raw item
    entitlements: dict[str, dict[str, Any]] = field(default_factory=dict)  # subsidy -> raw item

    def footprint(self) -> dict[str, Any]:
        """What a case change writes. A message's delivery (its own unit of work: the message's final state with
        its ``message_*`` line, outside the case's version and chain) is left out."""
        if self.case is None:
            return {"case": None}
        return {"case": to_record(self.case),
                "events": [e for e in self.events if not e["event"].startswith("message_")],
                "messages": {m: item["text"]["S"] for m, item in self.messages.items()},
                "locks": self.locks, "entitlements": self.entitlements}

    def shape(self) -> dict[str, Any] | None:
        """What every clean run of a step leaves, whichever case: status, deadlines, materials, events, messages,
        locks and entitlements by kind."""
        case = self.footprint()["case"]
        if case is None:
            return None
        return {"status": case["status"], "deadlines": case["deadlines"],
                "materials": [(m["code"], m["status"]) for m in case["materials"]],
                "events": [e["event"] for e in self.footprint()["events"]], "messages": sorted(self.messages),
                "locks": sorted(self.locks), "entitlements": sorted(self.entitlements)}


def table(model: Any) -> Any:
    return dynamodb_backends[DEFAULT_ACCOUNT_ID][load().region].get_table(model.Meta.table_name)


def item(model: Any, key: str) -> dict[str, Any] | None:
    """An item as stored (DynamoDB JSON), read from moto's table itself: no request, so nothing a fault counts, and
    none of the SDK's time."""
    found = table(model).get_item(DynamoType({"S": key}))
    return None if found is None else found.to_json()["Attributes"]


def read(walk: Walk) -> Stored:
    case_id = case_of(walk)
    raw = None if case_id is None else item(CaseModel, case_id)
    if case_id is None or raw is None:
        return Stored(None)
    case = from_items([CaseModel.from_raw_data(found) for key in read_keys(case_id)
                       if (found := item(CaseModel, key)) is not None])[case_id]  # the case item and its parts
    events = [EventModel.from_raw_data(e.to_json()["Attributes"])
              for e in table(EventModel).items.get(DynamoType({"S": case_id}), {}).values()]
    links = sorted((Link(int(e.seq), {"at": e.at, "event": e.event, "actor": e.actor, "unit": e.unit,
                                      "detail": e.detail.as_dict() if e.detail else {}}, e.prev_hash, e.chain_hash)
                    for e in events), key=lambda link: link.seq)
    person = person_key(walk.body["applicant"]["id_number"], load().person_key_secret)
    locks = {f"{s}#{kind}": item(LockModel, f"{person}#{s}#{kind}")
             for s in SUBSIDIES for kind in ("application", "entitlement")}
    messages = {m: item(MessageModel, f"{case_id}#{m}") for m in MILESTONES}
    entitlements = {s: item(EntitlementModel, f"{case_id}-{s}") for s in SUBSIDIES}
    return Stored(case, tuple(dict(link.record) for link in links),
                  first_break(case_id, links, raw.get("chain_head", {}).get("S")).as_dict(),
                  {m: found for m, found in messages.items() if found},
                  {key: found for key, found in locks.items() if found},
                  {s: found for s, found in entitlements.items() if found})


def case_of(walk: Walk) -> str | None:
    """The walk's case; before its acceptance answered, the case holding the applicant's application lock (one a
    fault may have stored without the answer saying so)."""
    if walk.case_id is None:
        key = person_key(walk.body["applicant"]["id_number"], load().person_key_secret)
        lock = item(LockModel, f"{key}#living#application")
        walk.case_id = None if lock is None else lock["case_id"]["S"]
    return walk.case_id


# --- a walk: one case through its life, one request per step -----------------------------------------------------

@dataclass
class Walk:
    world: World
    number: int
    body: dict[str, Any]
    township: str  # the walk's own 业务属地: its approval registers it for supervision
    case_id: str | None = None
    material: str | None = None
    minutes: int = 0
    last: Stored | None = None  # as stored after the last step, when it was read
    path: list[str] = field(default_factory=list)  # the steps taken

    def expected(self) -> Any:
        """The shape a clean run of the steps taken leaves (steps that change nothing aside)."""
        return self.world.shapes[tuple(name for name in self.path if name not in self.world.no_ops)]

    @property
    def now(self) -> str:
        return (T0 + timedelta(minutes=self.minutes)).isoformat()

    def key(self, step: str) -> str:
        return f"walk-{self.number}-{step.replace('#', '-')}"


@dataclass(frozen=True)
class Step:
    name: str
    method: str
    path: Callable[[Walk], str]
    role: str  # window (the 受理地) or reviewer (the walk's 业务属地)
    body: Callable[[Walk], Any] = lambda walk: None
    status: int = 200
    keyed: bool = True  # sent with an Idempotency-Key (every POST)
    injected: bool = True  # False: a step that only takes the case where the next one needs it


def content(walk: Walk, step: str) -> bytes:
    return pdf_bytes(f"walk {walk.number} {step}")


def material(step: str, injected: bool = True) -> Step:
    return Step(step, "POST", lambda w: f"/cases/{w.case_id}/materials", "window",
                lambda w: declaration(CODE, content(w, step)), 201, injected=injected)


def confirm(step: str, injected: bool = True) -> Step:
    return Step(step, "POST", lambda w: f"/cases/{w.case_id}/materials/{w.material}/confirm", "window",
                injected=injected)


def case_route(name: str, action: str, role: str = "window", body: Any = None) -> Step:
    return Step(name, "POST", lambda w: f"/cases/{w.case_id}/{action}", role, lambda w: body)


ACCEPT = Step("accept", "POST", lambda w: "/cases", "window", lambda w: w.body, 201)
FULL = (
    ACCEPT, material("add_material"), confirm("confirm_material"), case_route("complete", "complete"),
    case_route("push", "push"),
    case_route("supplement_request", "supplement-request", "reviewer",
               {"items": [{"code": CODE, "description": "申请表签字不清"}], "note": "请补正"}),
    material("add_material#2", injected=False), confirm("confirm_material#2", injected=False),
    case_route("supplement", "supplement", body={"note": "已补交"}),
    case_route("decide", "decision", "reviewer", APPROVE),
    case_route("notify", "notification", body={"method": "sms"}),
    Step("read_identity", "GET", lambda w: f"/cases/{w.case_id}/identity", "window", keyed=False),
)
WITHDRAWN = (ACCEPT, case_route("withdraw", "withdraw", body={"reason": "申请人撤回"}))
STEPS = {step.name: step for step in FULL + WITHDRAWN if step.injected}


def new_walk(world: World) -> Walk:
    world.walks += 1
    township = f"230102{100 + world.walks:03d}"
    return Walk(world, world.walks, fresh_application(hukou_unit=township), township)


def send(walk: Walk, step: Step) -> Any:
    jurisdiction_rules().forget()  # each request as in a fresh container: no cache makes its calls vary
    calendar_years().forget()
    api = walk.world.api
    api.now = walk.now
    unit = SHANGHAI_WINDOW if step.role == "window" else walk.township
    headers = {"Idempotency-Key": walk.key(step.name)} if step.keyed else None
    return api.call(step.method, step.path(walk), step.role, unit, step.body(walk), headers=headers)


def learn(walk: Walk, step: Step, answer: Any) -> None:
    """After a step: the case it accepted; the material it registered (from the answer, or from the case when the
    answer was lost), whose bytes go where the presigned POST points."""
    case_of(walk)
    if step.name.startswith("add_material"):
        if answer is not None:
            walk.material = answer.data["material_id"]
            store_object(answer.data["upload"], content(walk, step.name))
            return
        [registered] = [m for m in CaseRepository().get(str(walk.case_id)).materials if m.status == "registered"]
        walk.material = registered.material_id
        boto3.client("s3").put_object(Bucket=load().materials_bucket, Key=registered.object_key,
                                      Body=content(walk, step.name), ContentType=registered.content_type)


# --- the case's clock and messages ------------------------------------------------------------------------------

def wait_for(predicate: Callable[[], Any], what: Callable[[], str], seconds: float = 10.0) -> None:
    """Moto's Step Functions interpreter runs in threads of its own: poll until it got there."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"never: {what()}")
        time.sleep(0.02)


def clock_in_step(walk: Walk, stored: Stored, context: str) -> None:
    """The case's clock runs in the case's phase, or has ended with it; one flagged for repair is restarted by the
    sweep's repair (the ``repair`` job: what the daily sweep does for a flagged clock, run without the sweep's reads
    of the due days and its census, which the sweep's own test injects)."""
    case = stored.case
    assert case is not None
    state = ClockItems().get(case.case_id)
    if state is not None and state.pending:
        jobs.run("repair", datetime.fromisoformat(SWEEP_AT))
        walk.world.repairs += 1
    phase, clock = CLOCK_PHASE[case.status], deps().clock
    assert clock is not None

    def waiting() -> bool:  # the state machine's item, as it writes it (read from moto's table: no request)
        found = item(ClockModel, case.case_id) or {}
        return found.get("clock_phase", {}).get("S") == phase and "task_token" in found and "pending" not in found

    def in_step() -> bool:  # off the clock (before the materials are complete, or ended): nothing runs
        return (phase in OFF_CLOCK or waiting()) and clock.in_step(case)

    wait_for(in_step, lambda: f"{context}: the clock in phase {phase}, not {ClockItems().get(case.case_id)}")


def messages_sent(walk: Walk, stored: Stored, context: str) -> Stored:
    """Every milestone message of the case is sent, with one final event each; one left pending is sent by the
    retry schedule (an hour later). The case as stored afterwards."""
    if any(item["status"]["S"] == "pending" for item in stored.messages.values()):
        walk.world.api.now = (T0 + timedelta(minutes=walk.minutes, hours=1)).isoformat()
        walk.world.api.invoke("message_retries")
        walk.world.deliveries += 1
        stored = read(walk)
    assert {m: item["status"]["S"] for m, item in stored.messages.items()} == {m: "sent" for m in stored.messages}, \
        context
    finals = Counter({m: lines(item, "message_sent") for m, item in stored.messages.items()})
    assert finals == Counter(list(stored.messages)), (context, finals)
    return stored


def lines(message: dict[str, Any], kind: str) -> int:
    """How many lines of ``kind`` a stored message (DynamoDB JSON) adds to its case's timeline."""
    return sum(1 for line in message.get("history", {}).get("L", []) if line["M"]["event"]["S"] == kind)


def intact(walk: Walk, stored: Stored, context: str) -> Stored:
    """The chain verifies, the clock is in step, the messages are sent: the case as stored then."""
    if stored.case is None:
        return stored
    assert stored.chain is not None and stored.chain["valid"], (context, stored.chain)
    clock_in_step(walk, stored, context)
    return messages_sent(walk, stored, context)


# --- one step, clean or with a fault ------------------------------------------------------------------------------

def succeeded(answer: Any, step: Step, context: str) -> bool:
    """True for the step's success; any other answer is an error in the API's format."""
    if answer.status_code == step.status:
        return True
    assert answer.status_code in ERROR_STATUSES, (context, answer.status_code, answer.data)
    error = answer.data["error"]
    assert set(error) == {"code", "message", "field"} and error["code"], (context, answer.data)
    return False


def clean(walk: Walk, step: Step) -> list[faults.Call]:
    """The step without a fault: the calls it made."""
    walk.minutes += 1
    walk.path.append(step.name)
    with walk.world.faults.recording() as calls:
        answer = send(walk, step)
    assert answer.status_code == step.status, (step.name, answer.status_code, answer.data)
    learn(walk, step, answer)
    walk.last = None
    return calls


def faulted(walk: Walk, step: Step, queue: list[int], kind: str) -> None:
    """The step with a fault at its next call index, on the same case while the case stays as it was: each further
    attempt is the retry of the one before (the same Idempotency-Key), failing at a later call. It ends when an
    attempt stores the change (retried once more if that attempt answered an error), or when no index is left
    (then a clean retry must complete it)."""
    world = walk.world
    walk.minutes += 1
    walk.path.append(step.name)
    before = walk.last or read(walk)
    while queue:
        index = queue.pop(0)
        shot, answer = attempt(walk, step, index, kind)
        context = f"{step.name}: {kind} at call {index} ({shot.fired})"
        world.fired[step.name, kind] += 1
        done = succeeded(answer, step, context)
        after = read(walk)
        stored = after.footprint() != before.footprint()
        world.stored[step.name, kind] += stored
        context += f", answered {answer.status_code}, {'stored' if stored else 'not stored'}"
        if stored:
            assert after.shape() == walk.expected(), f"{context}: not as a clean run stores it"
            finish(walk, step, answer, done, intact(walk, after, context), context)
            return
        assert not done or step.name in world.no_ops, f"{context}: success without the change"
        if done:
            finish(walk, step, answer, done, after, context)
            return
    answer = retry(walk, step)  # every index tried, nothing stored: the retry makes the change
    assert answer.status_code == step.status, (step.name, kind, "retried", answer.status_code, answer.data)
    again = intact(walk, read(walk), f"{step.name}: {kind}, retried")
    assert again.shape() == walk.expected(), f"{step.name}: {kind}, the retry did not store it"
    learn(walk, step, answer)
    walk.last = again


def attempt(walk: Walk, step: Step, index: int, kind: str) -> tuple[faults.Shot, Any]:
    """One request with call ``index`` failing as ``kind``; a key still held by an attempt before (its release
    failed) is taken over once its lease ran out."""
    for _ in range(2):
        with walk.world.faults.injecting(index, kind) as shot:
            answer = send(walk, step)
        if shot.fired is not None:
            return shot, answer
        assert answer.status_code == 409 and answer.data["error"]["code"] == "IDEMPOTENCY_IN_PROGRESS", \
            f"{step.name}: no call {index} (made {len(shot.calls)})"
        walk.minutes += LEASE_SECONDS // 60 + 1
    raise AssertionError(f"{step.name}: the key stayed held")


def finish(walk: Walk, step: Step, answer: Any, done: bool, after: Stored, context: str) -> None:
    """A change stored by a faulted attempt: one that answered an error is retried with its key, and the retry
    completes by changing nothing more (a read of the full numbers is recorded again: each read is)."""
    if not done:
        answer = retry(walk, step)
        again = intact(walk, read(walk), f"{context}, retried")
        if not step.keyed:
            assert answer.status_code == step.status, (context, answer.status_code, answer.data)
            assert [e["event"] for e in again.footprint()["events"]] == [
                e["event"] for e in after.footprint()["events"]] + ["identity_read"], context
        else:
            assert answer.status_code in (step.status, 409), (context, answer.status_code, answer.data)
            assert again.footprint() == after.footprint(), f"{context}: the retry changed the case again"
        walk.world.lost_answers[step.name, str(answer.data["error"]["code"]) if answer.data.get("error")
                                else str(answer.status_code)] += 1
        after = again
    learn(walk, step, answer if answer.status_code == step.status else None)
    walk.last = after


def retry(walk: Walk, step: Step) -> Any:
    """The same request again; a key still held by the failed request is taken over once its lease ran out."""
    again = send(walk, step)
    if again.status_code == 409 and again.data["error"]["code"] == "IDEMPOTENCY_IN_PROGRESS":
        walk.minutes += LEASE_SECONDS // 60 + 1
        again = send(walk, step)
    return again


# --- the jobs: the daily sweep and the message retries, each fault at each call ------------------------------------
# Each job's work is one case's, stated in the fortnight before the walks (none of whose deadlines falls in it). Every
# faulted run starts from the same stored work, put back between runs (``Rewind``), since the clean run after it
# does the work.

JOB_DAY = datetime.fromisoformat("2026-09-07T10:00:00+08:00")  # a Monday: D1 of a case complete that day: 09-10
SWEEP_RUN = "2026-09-14T01:00:00+08:00"  # the next Monday night: that D1 overdue, nothing due the next working day
RETRIES_RUN = "2026-09-07T11:00:00+08:00"  # an hour after a first try failed: the retry due, no lease held


@dataclass
class Rewind:
    """A case's items as they stand in moto's tables — the case and its parts, its timeline, its messages — to put back (test
    setup: every faulted run of a job meets the same work). The clock is not put back; for the sweep it is flagged
    for repair again, as a move that could not reach it flags it."""

    case_id: str
    saved: dict[tuple[str, str], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for model, key in self.keys():
            self.saved[model.Meta.table_name, key] = copy.deepcopy(table(model).items.get(DynamoType({"S": key})))

    def keys(self) -> list[tuple[Any, str]]:
        return [*((CaseModel, key) for key in read_keys(self.case_id)), (EventModel, self.case_id),
                *((MessageModel, f"{self.case_id}#{m}") for m in MILESTONES)]

    def restore(self, flag_clock: bool = False) -> None:
        for model, key in self.keys():
            saved = self.saved[model.Meta.table_name, key]
            if saved is None:
                table(model).items.pop(DynamoType({"S": key}), None)
            else:
                table(model).items[DynamoType({"S": key})] = copy.deepcopy(saved)
        if flag_clock:
            ClockItems().mark_pending(self.case_id, "a move that could not reach the clock", JOB_DAY)


def run_job(world: World, name: str, now: str, injection: tuple[int, str] | None = None) -> faults.Shot | None:
    """The job as EventBridge invokes it at ``now``; a run that fails raises (Lambda reports it and runs it again),
    which a faulted run may."""
    world.api.now = now
    if injection is None:
        world.api.invoke(name)
        return None
    with world.faults.injecting(*injection) as shot:
        try:
            world.api.invoke(name)
        except Exception:  # noqa: BLE001 - a failed run
            pass
    assert shot.fired is not None, f"{name}: no call {injection[0]} (made {len(shot.calls)})"
    return shot


def job_walk(world: World) -> Walk:
    walk = new_walk(world)
    walk.minutes = int((JOB_DAY - T0).total_seconds() // 60)
    return walk


@pytest.fixture(scope="module")
def overdue(world: World) -> tuple[Walk, Rewind]:
    """The sweep's work at SWEEP_RUN: a case complete on JOB_DAY whose D1 it records missed and escalates (the
    clock, on real seconds, has not), and whose clock, flagged for repair, it restarts."""
    walk = job_walk(world)
    for step in FULL[:4]:
        if step.name != "complete" or read(walk).case.status.value == "awaiting_materials":
            clean(walk, step)
    clock_in_step(walk, read(walk), "the sweep's case")
    return walk, Rewind(str(walk.case_id))


@pytest.fixture(scope="module")
def unsent(world: World) -> tuple[Walk, Rewind]:
    """A case accepted on JOB_DAY whose 受理 SMS failed its first try (the SNS call answered 503): pending, due again
    five minutes on."""
    probe = job_walk(world)
    with world.faults.recording() as calls:
        send(probe, ACCEPT)
    publish = next(i for i, call in enumerate(calls) if call.operation == "Publish")
    walk = job_walk(world)
    with world.faults.injecting(publish, "server"):
        assert send(walk, ACCEPT).status_code == 201
    stored = read(walk)
    assert stored.messages["accepted"]["status"]["S"] == "pending"
    return walk, Rewind(str(walk.case_id))


def escalations(queue: str, case_id: str) -> int:
    sqs, count = boto3.client("sqs"), 0
    while batch := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            count += json.loads(message["Body"]).get("case_id") == case_id
    return count


@pytest.mark.parametrize("kind", faults.KINDS)
def test_a_fault_at_any_call_of_the_daily_sweep_loses_no_record_no_clock_and_no_escalation(
        world: World, overdue: tuple[Walk, Rewind], kind: str, record_property: Any) -> None:
    """A run that fails may have done part of the work; the run again (Lambda's retry, or the next night) does the
    rest: the miss recorded once, escalated at least once, the flagged clock restarted — and in between the clock is
    still flagged or already running, never neither. A run that changed nothing is run again as the next injection,
    failing at a later call. The reads after the work (the census) are failed in the state the work left."""
    walk, rewind = overdue
    case_id = str(walk.case_id)
    queue = subscribe(topic(world.aws, "escalations"), f"faults-sweep-{kind}")
    clock = deps().clock
    assert clock is not None

    def flagged_or_running(context: str) -> None:
        state, case = ClockItems().get(case_id), read(walk).case
        assert state is not None and case is not None and (state.pending or clock.in_step(case)), \
            f"{context}: the clock neither flagged for repair nor running: {state}"
        if not state.task_token and clock.clock.status(clock.execution_name(case_id, state)) == "RUNNING":
            # an execution the run started: let it reach its waiting state (moto cannot stop one before)
            wait_for(lambda: bool((item(ClockModel, case_id) or {}).get("task_token")), lambda: context)

    def done_again(context: str) -> None:
        run_job(world, "daily_sweep", SWEEP_RUN)  # the run again (Lambda's retry, or the next night)
        assert read(walk).footprint() == done.footprint(), f"{context}: not recorded once by the run again"
        assert not ClockItems().get(case_id).pending, f"{context}: the clock still waits for repair"
        clock_in_step(walk, read(walk), context)

    rewind.restore(flag_clock=True)
    with world.faults.recording() as calls:
        run_job(world, "daily_sweep", SWEEP_RUN)
    done = read(walk)
    assert done.footprint()["events"][-1]["event"] == "deadline_overdue" and escalations(queue, case_id) == 1
    with world.faults.recording() as after_work:
        run_job(world, "daily_sweep", SWEEP_RUN)
    assert read(walk) == done and escalations(queue, case_id) == 0
    work = max(i for i, call in enumerate(calls) if call.writes) + 1  # the calls up to the last write
    census = len(after_work) - (len(calls) - work)  # the reads after it, where the run again makes them
    assert after_work[census:] == calls[work:]
    wanted = [i for i in range(work) if kind != "lost_reply" or calls[i].writes]

    rewind.restore(flag_clock=True)
    before, escalated = read(walk), 0
    for index in wanted:
        shot = run_job(world, "daily_sweep", SWEEP_RUN, (index, kind))
        context = f"daily_sweep: {kind} at call {index} ({shot and shot.fired})"
        after = read(walk)
        assert after.footprint() in (before.footprint(), done.footprint()), f"{context}: half recorded"
        assert after.chain is not None and after.chain["valid"], (context, after.chain)
        flagged_or_running(context)
        escalated += escalations(queue, case_id)
        if after == before and ClockItems().get(case_id).pending and not escalated:
            continue  # nothing done: the next injection is the run again
        done_again(context)
        assert escalated + escalations(queue, case_id) >= 1, f"{context}: the escalation was lost"
        rewind.restore(flag_clock=True)
        before, escalated = read(walk), 0
    done_again(f"daily_sweep: {kind}, after the last injection")
    escalations(queue, case_id)
    after_census = [census + i for i in range(len(calls) - work) if kind != "lost_reply" or calls[work + i].writes]
    for index in after_census:  # the work done: a read that fails changes nothing, and leaves nothing undone
        shot = run_job(world, "daily_sweep", SWEEP_RUN, (index, kind))
        context = f"daily_sweep: {kind} at call {index} ({shot and shot.fired}), the work done"
        assert read(walk) == done and not ClockItems().get(case_id).pending, context
        assert escalations(queue, case_id) == 0, f"{context}: escalated twice"
    fired = len(wanted) + len(after_census)
    assert fired >= (3 if kind == "lost_reply" else 30)
    record_property(f"injection_points_daily_sweep_{kind}", fired)
    TALLY.setdefault(kind, {})["daily_sweep"] = fired


@pytest.mark.parametrize("kind", faults.KINDS)
def test_a_fault_at_any_call_of_the_message_retries_sends_the_message_and_records_it_once(
        world: World, unsent: tuple[Walk, Rewind], kind: str, record_property: Any) -> None:
    """A run that fails leaves the message pending (its attempt counted, perhaps held for the lease) or sent with its
    one event, never sent without it; the run an hour later sends it, once on the timeline (an SMS whose answer was
    lost may go out twice: at least once, as the outbox promises)."""
    walk, rewind = unsent
    rewind.restore()
    with world.faults.recording() as calls:
        run_job(world, "message_retries", RETRIES_RUN)
    assert read(walk).messages["accepted"]["status"]["S"] == "sent"
    fired = 0
    for index in (i for i, call in enumerate(calls) if kind != "lost_reply" or call.writes):
        rewind.restore()
        before = read(walk)
        shot = run_job(world, "message_retries", RETRIES_RUN, (index, kind))
        context = f"message_retries: {kind} at call {index} ({shot and shot.fired})"
        fired += 1
        after = read(walk)
        assert after.footprint() == before.footprint(), f"{context}: the case changed"
        accepted = after.messages["accepted"]
        assert (accepted["status"]["S"], lines(accepted, "message_sent")) in (("pending", 0), ("sent", 1)), context
        assert after.chain is not None and after.chain["valid"], (context, after.chain)
        later = (datetime.fromisoformat(RETRIES_RUN) + timedelta(hours=1)).isoformat()  # any lease run out
        run_job(world, "message_retries", later)
        messages_sent(walk, read(walk), context)
    assert fired == len([c for c in calls if kind != "lost_reply" or c.writes]) >= 3
    record_property(f"injection_points_message_retries_{kind}", fired)
    TALLY.setdefault(kind, {})["message_retries"] = fired


# --- the walks ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def plan(world: World) -> World:
    """A clean walk of each way through: the calls of every step and the shape each leaves."""
    shapes: dict[tuple[str, ...], Any] = {}
    for steps in (FULL, tuple(step for step in FULL if step.name not in DETOUR), WITHDRAWN):
        walk = new_walk(world)
        for step in steps:
            before = read(walk).shape()
            world.calls.setdefault(step.name, clean(walk, step))
            shapes[tuple(walk.path)] = intact(walk, read(walk), f"{step.name}, clean").shape()
            if shapes[tuple(walk.path)] == before:
                world.no_ops.add(step.name)
    world.shapes = {tuple(name for name in path if name not in world.no_ops): shape for path, shape in shapes.items()}
    return world


def injections(world: World, kind: str) -> dict[str, list[int]]:
    """Per step, the call indices to fail as ``kind``: every call; a lost answer only where the call writes (a read
    whose answer is lost is a timeout)."""
    return {name: [i for i, call in enumerate(world.calls[name]) if kind != "lost_reply" or call.writes]
            for name in STEPS}


DETOUR = ("supplement_request", "add_material#2", "confirm_material#2", "supplement")  # 补正, and back


def walk_through(world: World, steps: tuple[Step, ...], queues: dict[str, list[int]], kind: str) -> None:
    """One case through ``steps`` as far as the last one with an index left to inject; the 补正 detour and a step
    that changes nothing are left out when none of theirs is left."""
    walk = new_walk(world)
    last = max(i for i, step in enumerate(steps) if i == 0 or queues.get(step.name))
    detour = any(queues[name] for name in DETOUR if name in queues)
    for step in steps[:last + 1]:
        queue = queues.get(step.name)
        if queue:
            faulted(walk, step, queue, kind)
        elif not (step.name in DETOUR and not detour or step.name in world.no_ops):
            clean(walk, step)
    if steps is FULL and steps.index(STEPS["decide"]) <= last:  # registered with the approval, whatever failed
        assert item(MonitoredUnitModel, walk.township) is not None, f"{walk.township} not registered"


@pytest.mark.parametrize("kind", faults.KINDS)
def test_a_fault_at_any_call_of_a_case_route_leaves_the_case_wholly_changed_or_not_at_all(
        plan: World, kind: str, record_property: Any) -> None:
    world = plan
    queues = injections(world, kind)
    planned = {name: len(queue) for name, queue in queues.items()}
    while any(queues[step.name] for step in FULL[1:] if step.name in queues):
        walk_through(world, FULL, queues, kind)
    while queues["accept"] or queues["withdraw"]:
        walk_through(world, WITHDRAWN, queues, kind)
    fired = {name: world.fired[name, kind] for name in STEPS}
    assert fired == planned and sum(fired.values()) >= 40
    record_property(f"injection_points_{kind}", sum(fired.values()))
    TALLY.setdefault(kind, {}).update(fired)


def test_the_injection_points_that_ran(plan: World, record_property: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """The count, by route or job and kind, written to the report (and shown)."""
    names = [*STEPS, "daily_sweep", "message_retries"]
    if set(TALLY) != set(faults.KINDS) or any(set(by_name) != set(names) for by_name in TALLY.values()):
        pytest.skip("not every route, job and kind ran")
    total = sum(sum(by_name.values()) for by_name in TALLY.values())
    record_property("injection_points", total)
    with capsys.disabled():
        print(f"\nfaults at AWS calls: {total} injection points (clocks repaired after a route's fault: "
              f"{plan.repairs}, retry runs that sent a message: {plan.deliveries}; stored but answered an error, "
              f"then the retry: {dict(plan.lost_answers)})")
        for name in names:
            print(f"  {name:20} " + "  ".join(f"{kind} {TALLY[kind][name]:2}" for kind in faults.KINDS))
    assert total >= 300
