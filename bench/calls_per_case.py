"""Calls per case: every AWS call one full case makes, by step, service and operation.

    .venv/bin/python -m bench.calls_per_case

One cross-province case through the Chalice handlers on moto: accept; 8 materials (the 6 the
notice requires, the ID card and the household register in two files each: register → the
browser's presigned POST → confirm; the last required one completes the case); the window's complete click
(which then changes nothing); push; decide; notify. Calls are counted by botocore
event hooks (``bench.recorder``) on the request thread; DynamoDB request units come from item sizes
(``bench.capacity``). The case clock's own integrations (Step Functions' DynamoDB and SNS tasks, run
by moto's interpreter in its threads) are counted apart, and its state transitions are read from
the execution history. A ``Scan`` on any request path fails the run.
"""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.world import Driver, browser_upload, driver, moto_world, quiet, settle

EXTRA_FILES = ("id_card", "household_register")  # the back of the ID card, the applicant's register page
BROWSER = "upload (browser → S3)"
STEPS = ("POST /cases", "POST /cases/{id}/materials", BROWSER, "POST /cases/{id}/materials/{mid}/confirm",
         "POST /cases/{id}/complete", "POST /cases/{id}/push", "POST /cases/{id}/decision",
         "POST /cases/{id}/notification")


@dataclass
class CaseCalls:
    recorder: Any
    case_id: str
    materials: int
    transitions: int
    machine: Counter[tuple[str, str]] = field(default_factory=Counter)

    def route_labels(self) -> list[str]:
        return [label for label in self.recorder.labels() if label != BROWSER]

    def scans(self) -> dict[str, int]:
        found = {label: self.recorder.counts(label).get(("dynamodb", "Scan"), 0) for label in self.route_labels()}
        return {label: n for label, n in found.items() if n}


def drive_case(api: Driver, rec: Any, application: dict[str, Any], extra_files: tuple[str, ...] = EXTRA_FILES,
               label: str = "{route}") -> tuple[str, int]:
    """One case from acceptance to closing; each step recorded under its route's label."""
    from tests.support.people import declaration, pdf_bytes

    def step(route: str) -> Any:
        return rec.step(label.format(route=route))

    api.now = "2026-09-24T09:30:00+08:00"
    with step("POST /cases"):
        case = api.window("POST", "/cases", application)
    case_id = case["case_id"]  # no clock yet: it starts when the materials are complete
    codes = [item["code"] for item in case["notice"]["materials"]] + list(extra_files)
    for number, code in enumerate(codes):
        content = pdf_bytes(f"{code}-{number}")
        with step("POST /cases/{id}/materials"):
            registered = api.window("POST", f"/cases/{case_id}/materials", declaration(code, content))
        with rec.step(BROWSER):
            browser_upload(registered["upload"], content)
        with step("POST /cases/{id}/materials/{mid}/confirm"):
            api.window("POST", f"/cases/{case_id}/materials/{registered['material_id']}/confirm")
    with rec.paused():  # the last required material completed the case (D1 runs); the click changes nothing
        settle(case_id, "push")
    api.now = "2026-09-30T16:00:00+08:00"
    with step("POST /cases/{id}/complete"):
        api.window("POST", f"/cases/{case_id}/complete")
    api.now = "2026-10-09T11:00:00+08:00"
    with step("POST /cases/{id}/push"):
        api.window("POST", f"/cases/{case_id}/push")
    with rec.paused():
        settle(case_id, "review")
    api.now = "2026-10-20T15:00:00+08:00"
    with step("POST /cases/{id}/decision"):
        api.reviewer("POST", f"/cases/{case_id}/decision", {
            "outcome": "approved", "reason": "符合条件",
            "subsidies": [{"type": "living", "monthly_amount": "99"}, {"type": "nursing", "monthly_amount": "120.5"}]})
    with rec.paused():
        settle(case_id, "notify")
    api.now = "2026-10-21T10:00:00+08:00"
    with step("POST /cases/{id}/notification"):
        api.window("POST", f"/cases/{case_id}/notification", {"method": "sms", "note": "已短信告知"})
    return case_id, len(codes)


def state_transitions(case_id: str) -> int:
    """States entered by the case's execution (Step Functions Standard bills each transition)."""
    import time

    import boto3

    from chalicelib.config import load

    sfn = boto3.client("stepfunctions")
    arn = load().clock_state_machine_arn.replace(":stateMachine:", ":execution:") + f":{case_id}"
    for _ in range(200):  # the machine finishes in its own thread
        if sfn.describe_execution(executionArn=arn)["status"] != "RUNNING":
            break
        time.sleep(0.02)
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return sum(1 for event in events if event["type"].endswith("StateEntered"))


def measure(extra_files: tuple[str, ...] = EXTRA_FILES) -> CaseCalls:
    from bench.recorder import Recorder, recording
    from tests.support.people import application

    with moto_world(), driver() as api:
        rec = Recorder()
        with recording(rec):
            case_id, materials = drive_case(api, rec, application())
        with rec.paused():
            transitions = state_transitions(case_id)
        return CaseCalls(rec, case_id, materials, transitions, rec.machine)


def report(found: CaseCalls) -> list[str]:
    rec = found.recorder
    lines = [f"One full case ({found.case_id}): {found.materials} materials; calls on the request thread by step",
             f"{'step':<44} {'calls':>5} {'RRU':>6} {'WRU':>6}  operations"]
    for label in rec.labels():
        counts = rec.counts(label)
        read, write = rec.units(label)
        ops = ", ".join(f"{service}:{op}×{n}" for (service, op), n in sorted(counts.items()))
        lines.append(f"{label:<44} {sum(counts.values()):>5} {read:>6.1f} {write:>6.1f}  {ops}")
    totals = rec.counts()
    read, write = rec.units()
    lines.append(f"{'total':<44} {sum(totals.values()):>5} {read:>6.1f} {write:>6.1f}")
    indexed = sum(c.index_write_units for c in rec.calls)
    lines.append(f"of the write units, global secondary index writes: {indexed:.1f} ({indexed / max(write, 1):.0%})")
    by_service: Counter[str] = Counter()
    for (service, _), n in totals.items():
        by_service[service] += n
    lines.append("by service: " + ", ".join(f"{s} {n}" for s, n in sorted(by_service.items())))
    lines.append("by operation: " + ", ".join(f"{s}:{o} {n}" for (s, o), n in sorted(totals.items())))
    machine = ", ".join(f"{s}:{o} {n}" for (s, o), n in sorted(found.machine.items())) or "none seen"
    lines.append(f"case clock (Step Functions integrations, not the app's calls): {machine}; "
                 f"state transitions {found.transitions}")
    scans = found.scans()
    lines.append(f"Scan on a request path: {sum(scans.values())}" + (f"  {scans}" if scans else ""))
    return lines


def main(argv: list[str] | None = None) -> int:
    with quiet():
        found = measure()
    print("\n".join(report(found)))
    if found.scans():
        print(f"FAIL: Scan on a request path: {found.scans()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
