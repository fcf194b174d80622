"""Overhead ratio: the time through the Chalice handler over the time of the bare AWS calls it makes.

    .venv/bin/python -m bench.overhead [--cases 8]

``--cases`` full cases run through the Chalice test client on moto (as ``bench.calls_per_case``);
each step of the main routes is timed (wall time through the test client: JWT check, routing, the
reach check, the service, JSON), and its AWS calls are recorded (``bench.recorder``). Right after
the step, its calls are replayed on the same moto backend, in the same order, with a plain boto3
client, and timed: that is "the bare AWS calls the route must make" (interleaved, so a busy
machine slows both alike). The ratio is median(route) /
median(bare) per route; both run on the same machine in the same run, so the ratio, not the
seconds, is the figure.

Replays are equivalent, not identical: conditional writes are replayed without their condition
(the case version they checked has moved on; the same item is rewritten), a StartExecution gets a
fresh execution name and case id (so its clock item is its own; stopped after the timing), and a
SendTaskSuccess is sent as a SendTaskHeartbeat with the same token (the same round trip without
moving the clock twice). Replays that answer an error are counted (``replay_errors``): a full round trip all the same.

Two things of this process, not of the handler, are kept out of both timings alike:

- CPython 3.11 keeps frames in 16 KB chunks and frees a chunk as soon as its first frame returns, so a call made
  again and again right at a chunk's boundary pays an mmap and a munmap each time (python/cpython#142183). The
  handler reaches moto far deeper in the stack than the replay: whichever side's hot loop (moto's serializer,
  ~16,000 calls for a page of 8 cases) straddled a boundary paid ~10 µs a call, which made ``GET /cases`` 1.1× to
  9.5× depending only on how deep the bench itself was called (``make bench``'s sections 1 and 2: 3.65 million
  mmap/munmap pairs). The measurement runs below one frame that reserves ~520 KB of stack, so no chunk boundary
  falls within either side (``_one_chunk``).
- moto's backend grows ~4 MB a case; a full collection of it takes 0.6-1.2 s and fell on one sample or the
  other. The heap is frozen (``gc.freeze``) before each route and before its replay, so a collection inside a
  timing walks what that step made, as it would in a Lambda container without moto in it.
"""
from __future__ import annotations

import argparse
import gc
import re
import statistics
import sys
import time
import types
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from bench.world import Driver, driver, moto_world, quiet

ROUTES = ("POST /cases", "POST /cases/{id}/materials", "POST /cases/{id}/materials/{mid}/confirm",
          "POST /cases/{id}/push", "POST /cases/{id}/decision", "GET /cases/{id}", "GET /cases")
READS_PER_CASE = 3
T = TypeVar("T")
# a frame this many slots deep makes CPython 3.11 open a 1 MiB chunk for it (the smallest 16 KB * 2**k holding the
# frame plus 1,000 slots), leaving ~520 KB after it: far deeper than the handler's stack
STACK_SLOTS = 64_600
CONDITIONS = ("ConditionExpression", "Expected", "ConditionalOperator")
EXPRESSIONS = ("UpdateExpression", "KeyConditionExpression", "ProjectionExpression", "FilterExpression",
               "ConditionExpression")


def _prune(entry: dict[str, Any]) -> dict[str, Any]:
    """Drop the condition of a write, and the placeholders only it used."""
    kept = {k: v for k, v in entry.items() if k not in CONDITIONS}
    text = " ".join(str(kept.get(name, "")) for name in EXPRESSIONS)
    used = set(re.findall(r"[#:][A-Za-z0-9_]+", text))
    for name in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
        if name in kept:
            kept[name] = {k: v for k, v in kept[name].items() if k in used}
            if not kept[name]:
                del kept[name]
    return kept


def equivalent(service: str, operation: str, params: dict[str, Any], serial: int) -> dict[str, Any]:
    if service == "dynamodb" and operation in ("PutItem", "UpdateItem", "DeleteItem"):
        return _prune(params)
    if service == "dynamodb" and operation == "TransactWriteItems":
        items = []
        for entry in params["TransactItems"]:
            (kind, body), = entry.items()
            items.append({kind: body if kind == "ConditionCheck" else _prune(body)})
        return {**params, "TransactItems": items}
    if service == "stepfunctions" and operation in ("SendTaskSuccess", "SendTaskFailure"):
        return {"taskToken": params["taskToken"]}  # as SendTaskHeartbeat: the same round trip, the clock not moved
    if service == "stepfunctions" and operation == "StartExecution":  # its own case id: its own clock item
        bare_id = f"{params['name']}BARE{serial}"[:80]
        return {**params, "name": bare_id, "input": str(params.get("input", "")).replace(params["name"], bare_id)}
    return params


class Replayer:
    def __init__(self) -> None:
        import boto3

        self._clients: dict[str, Any] = {}
        self._boto3 = boto3
        self.errors = 0
        self.serial = 0

    def _stop(self, arn: str) -> None:
        _stop_when_started(self.client("stepfunctions"), arn)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._boto3.client(service)
        return self._clients[service]

    def replay(self, calls: list[Any]) -> float:
        """Seconds to make ``calls`` again (their clients made before the clock starts)."""
        from botocore.exceptions import ClientError

        prepared = []
        for call in calls:
            self.serial += 1
            operation = "SendTaskHeartbeat" if call.operation in ("SendTaskSuccess", "SendTaskFailure") \
                else call.operation
            prepared.append((self.client(call.service), operation,
                             equivalent(call.service, call.operation, call.params, self.serial)))
        started = time.perf_counter()
        answers = []
        for client, operation, params in prepared:
            try:
                answers.append(client._make_api_call(operation, params))
            except ClientError:
                self.errors += 1
        seconds = time.perf_counter() - started
        for answer in answers:  # executions the replay started: stopped, so no thread of theirs lingers
            if isinstance(answer, dict) and "executionArn" in answer:
                self._stop(answer["executionArn"])
        return seconds


def _stop_when_started(sfn: Any, arn: str) -> None:
    """moto cannot stop an execution still starting: try until it can (a lingering execution's
    thread would slow every later route)."""
    for _ in range(100):
        try:
            sfn.stop_execution(executionArn=arn)
            return
        except Exception:  # noqa: BLE001 - moto's AttributeError while the execution starts
            time.sleep(0.02)


def _case(api: Driver, rec: Any, application: dict[str, Any]) -> None:
    from bench.calls_per_case import drive_case, state_transitions

    case_id, _ = drive_case(api, rec, application, extra_files=())
    with rec.paused():
        state_transitions(case_id)  # waits for the closed case's clock to finish in its thread
    for _ in range(READS_PER_CASE):  # cheap routes: more samples
        with rec.step("GET /cases/{id}"):
            api.window("GET", f"/cases/{case_id}")
        with rec.step("GET /cases"):
            api.window("GET", "/cases")


def _interleaved(replayer: Replayer) -> Any:
    """A recorder that replays each main route's calls right after the route ran, so that whatever
    else the machine is doing at that moment weighs on both timings alike."""
    from bench.recorder import Recorder

    class Interleaved(Recorder):
        bare: list[tuple[str, float, int]]

        @contextmanager
        def step(self, label: str) -> Iterator[None]:
            if label in ROUTES:
                gc.freeze()
            with super().step(label):
                yield
            if label in ROUTES:
                gc.freeze()
                number = len(self.steps) - 1
                calls = [call for call in self.calls if call.step_no == number]
                with self.paused():
                    self.bare.append((label, replayer.replay(calls), len(calls)))

    recorder = Interleaved(capacity=False)
    recorder.bare = []
    return recorder


def _one_chunk(work: Callable[[], T]) -> T:
    """``work()`` called from a frame of ``STACK_SLOTS`` slots: CPython gives that frame a 1 MiB stack chunk of its
    own, and every frame ``work`` makes below it fits in the same chunk, so none of its calls crosses a chunk
    boundary (each such call would map and unmap a chunk, python/cpython#142183)."""

    def call(job: Callable[[], T]) -> T:
        return job()

    runner = types.FunctionType(call.__code__.replace(co_stacksize=STACK_SLOTS), call.__globals__, "call")
    result: T = runner(work)
    return result


def measure(cases: int) -> dict[str, Any]:
    """The rows of the report; see the module's docstring for what is kept out of the timings."""
    try:
        return _one_chunk(lambda: _measure(cases))
    finally:
        gc.unfreeze()


def _measure(cases: int) -> dict[str, Any]:
    from bench.recorder import recording
    from tests.support.people import fresh_application

    with moto_world(), driver() as api:
        replayer = Replayer()
        rec = _interleaved(replayer)
        with recording(rec):
            for _ in range(cases):
                _case(api, rec, fresh_application())
        routed = [(label, seconds) for label, seconds in rec.steps if label in ROUTES]
        assert [label for label, _ in routed] == [label for label, _, _ in rec.bare]
        pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
        calls: dict[str, int] = {}
        for (label, through), (_, plain, count) in zip(routed, rec.bare, strict=True):
            pairs[label].append((through, plain))
            calls[label] = count
        rows = []
        for route in ROUTES:
            through = statistics.median(t for t, _ in pairs[route])
            plain = statistics.median(p for _, p in pairs[route])
            rows.append({"route": route, "samples": len(pairs[route]), "calls": calls[route],
                         "handler_ms": 1000 * through, "bare_ms": 1000 * plain,
                         "ratio": through / plain if plain else float("inf"),
                         "paired": statistics.median(t / p for t, p in pairs[route] if p)})
        return {"rows": rows, "replay_errors": replayer.errors, "cases": cases}


def report(found: dict[str, Any]) -> list[str]:
    lines = [f"Overhead: median time through the Chalice handler / median time of its bare AWS calls "
             f"({found['cases']} cases, same moto backend, same run)",
             f"{'route':<44} {'n':>3} {'calls':>5} {'handler ms':>10} {'bare ms':>8} {'ratio':>6} {'paired':>6}"]
    for row in found["rows"]:
        lines.append(f"{row['route']:<44} {row['samples']:>3} {row['calls']:>5} {row['handler_ms']:>10.1f} "
                     f"{row['bare_ms']:>8.1f} {row['ratio']:>6.2f} {row['paired']:>6.2f}")
    lines.append("ratio: median(handler) / median(bare); paired: the median of each sample's own ratio (the "
                 "worklist grows with every case, so its samples differ in size)")
    lines.append("replayed calls that answered an error (e.g. a heartbeat on a finished task): "
                 f"{found['replay_errors']}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=8)
    args = parser.parse_args(argv)
    with quiet():
        found = measure(args.cases)
    print("\n".join(report(found)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
