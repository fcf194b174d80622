"""What the operators see: JSON log lines with correlation and case ids, EMF deadline metrics, the
sweep's census. Everything the app prints is captured from stdout and parsed as the cloud would."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections import Counter
from datetime import datetime
from typing import Any

import app as application
from chalicelib import observability as observe
from chalicelib.services import jobs
from chalicelib.wiring import deps, notifier
from tests.support.people import SHANGHAI_WINDOW, fresh_application, id_number
from tests.support.people import application as new_application

APPROVED = {"outcome": "approved", "reason": "非重度残疾，护理补贴不予认定",
            "subsidies": [{"type": "living", "monthly_amount": "90.00"}]}


def printed(capsys: Any) -> list[dict[str, Any]]:
    """Every JSON line printed since the last call (log lines and EMF documents)."""
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def log_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if "_aws" not in line]


def metrics(lines: list[dict[str, Any]]) -> Counter[tuple[str, str | None]]:
    """(metric name, Phase) → the sum of the values in the EMF documents, as CloudWatch would sum them;
    checks each document names our namespace and the service dimension."""
    totals: Counter[tuple[str, str | None]] = Counter()
    for line in lines:
        if "_aws" not in line:
            continue
        [directive] = line["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "SubsidyCrossProvince" and line["service"] == "subsidy-cross-province"
        assert "service" in directive["Dimensions"][0]
        for metric in directive["Metrics"]:
            value = line[metric["Name"]]
            totals[(metric["Name"], line.get("Phase"))] += sum(value) if isinstance(value, list) else value
    return totals


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


def completed(api: Any, body: dict[str, Any], day: str) -> str:
    """Accepted and complete (its last material received) on ``day``."""
    api.now = f"{day}T10:00:00+08:00"
    return str(api.ready_case(body)["case_id"])


def test_a_requests_log_lines_carry_its_correlation_id_and_the_id_comes_back(api, capsys):
    capsys.readouterr()
    created = api.window("POST", "/cases", fresh_application())
    correlation = created.headers["X-Correlation-Id"]
    lines = log_lines(printed(capsys))
    assert lines and all(line["correlation_id"] == correlation for line in lines)
    assert all(line["service"] == "subsidy-cross-province" for line in lines)
    [access] = [line for line in lines if line["message"] == "request"]
    assert (access["route"], access["status"], access["case_id"]) == ("POST /cases", 201, created.data["case_id"])


def test_a_well_formed_client_id_is_reused_a_malformed_one_replaced_and_errors_carry_it_too(api, capsys):
    capsys.readouterr()
    sent = "console-7f3a9c21-0001"
    missing = api.call("GET", "/cases/CNOSUCHCASE", "window", SHANGHAI_WINDOW, headers={"X-Correlation-Id": sent})
    assert missing.status_code == 403 and missing.headers["X-Correlation-Id"] == sent
    refused = api.call("GET", "/cases", headers={"X-Correlation-Id": "bad id; with spaces"})  # no token
    replaced = refused.headers["X-Correlation-Id"]
    assert refused.status_code == 401 and replaced != "bad id; with spaces" and observe.WELL_FORMED.fullmatch(replaced)
    lines = log_lines(printed(capsys))
    assert {(line["correlation_id"], line["status"]) for line in lines if line["message"] == "request"} == {
        (sent, 403), (replaced, 401)}
    public = api.call("GET", "/health", headers={"X-Correlation-Id": id_number()})  # never echo an ID number
    assert public.status_code == 200 and id_number() != public.headers["X-Correlation-Id"]


def test_the_lines_about_a_case_carry_its_case_id(api, capsys):
    api.now = "2026-09-24T10:00:00+08:00"
    case_id = api.ready_case(fresh_application())["case_id"]
    capsys.readouterr()
    assert api.window("POST", f"/cases/{case_id}/push").status_code == 200
    lines = log_lines(printed(capsys))
    assert lines and all(line["case_id"] == case_id for line in lines)
    assert {line.get("route") for line in lines} == {"POST /cases/{case_id}/push"}

    created = api.window("POST", "/cases", fresh_application())
    accepted = [line for line in log_lines(printed(capsys)) if "accepted by" in line["message"]]
    assert [line["case_id"] for line in accepted] == [created.data["case_id"]]


def test_no_line_of_a_full_case_flow_holds_the_id_number_the_certificate_or_the_phone(api, capsys):
    body = fresh_application()
    person, phone = body["applicant"]["id_number"], body["applicant"]["phone"]
    capsys.readouterr()
    case_id = completed(api, body, "2026-09-30")
    jobs.daily_sweep(deps(), notifier(), at("2026-10-12T01:00:00+08:00"))  # overdue lines and metrics too
    api.now = "2026-10-13T10:00:00+08:00"
    api.window("POST", f"/cases/{case_id}/push")
    api.reviewer("POST", f"/cases/{case_id}/decision", APPROVED)
    api.window("POST", f"/cases/{case_id}/notification", {"method": "sms"})
    api.reviewer("GET", f"/cases/{case_id}/identity")
    api.window("POST", "/cases", body)  # a refused duplicate names the holding case
    output = printed(capsys)
    text = json.dumps(output, ensure_ascii=False)
    assert len(log_lines(output)) > 10 and any(line.get("event") == "case_overdue" for line in output)
    assert person not in text and person.lower() not in text and body["certificate"]["number"] not in text
    assert phone not in text


def test_each_step_done_in_time_counts_deadline_met_with_its_phase(api, capsys):
    case_id = completed(api, fresh_application(), "2026-09-24")
    capsys.readouterr()
    api.window("POST", f"/cases/{case_id}/push")
    pushed = printed(capsys)
    assert metrics(pushed) == Counter({("DeadlineMet", "D1"): 1})
    assert pushed.index(next(line for line in pushed if line.get("message") == "request")) < \
        pushed.index(next(line for line in pushed if "_aws" in line))  # flushed when the request ends
    api.reviewer("POST", f"/cases/{case_id}/decision", APPROVED)
    api.window("POST", f"/cases/{case_id}/notification", {"method": "sms"})
    assert metrics(printed(capsys)) == Counter({("DeadlineMet", "D2"): 1, ("DeadlineMet", "D3"): 1})


def test_a_push_after_its_due_day_counts_one_missed_d1_when_no_sweep_saw_it_first(api, capsys):
    case_id = completed(api, fresh_application(), "2026-09-30")  # D1 due 2026-10-10 (make-up Saturday)
    capsys.readouterr()
    api.now = "2026-10-12T09:00:00+08:00"
    api.window("POST", f"/cases/{case_id}/push")
    lines = printed(capsys)
    assert metrics(lines) == Counter({("DeadlineMissed", "D1"): 1})
    [missed] = [line for line in lines if line.get("event") == "deadline_missed"]
    assert (missed["case_id"], missed["phase"], missed["unit"]) == (case_id, "D1", SHANGHAI_WINDOW)
    api.reviewer("POST", f"/cases/{case_id}/decision", APPROVED)
    assert metrics(printed(capsys)) == Counter({("DeadlineMet", "D2"): 1})


def test_the_sweep_counts_a_miss_once_and_the_late_step_adds_nothing_more(api, capsys):
    case_id = completed(api, fresh_application(), "2026-09-30")
    capsys.readouterr()
    jobs.daily_sweep(deps(), notifier(), at("2026-10-12T01:00:00+08:00"))
    assert metrics(printed(capsys))[("DeadlineMissed", "D1")] == 1
    jobs.daily_sweep(deps(), notifier(), at("2026-10-13T01:00:00+08:00"))
    assert metrics(printed(capsys))[("DeadlineMissed", "D1")] == 0
    api.now = "2026-10-13T10:00:00+08:00"
    api.window("POST", f"/cases/{case_id}/push")
    assert metrics(printed(capsys)) == Counter()


def test_the_sweep_reports_running_and_overdue_deadlines_per_phase_and_a_line_per_overdue_case(api, capsys):
    late = completed(api, new_application(id_number(sequence="701")), "2026-09-30")  # D1 due 10-10
    completed(api, new_application(id_number(sequence="702")), "2026-10-09")  # D1 due 10-14
    in_review = completed(api, new_application(id_number(sequence="703")), "2026-10-09")
    assert api.window("POST", f"/cases/{in_review}/push").status_code == 200  # D2 running
    capsys.readouterr()
    jobs.daily_sweep(deps(), notifier(), at("2026-10-12T01:00:00+08:00"))
    lines = printed(capsys)
    found = metrics(lines)
    assert {phase: found[("OpenCases", phase)] for phase in ("D1", "D2", "D3")} == {"D1": 2, "D2": 1, "D3": 0}
    assert {phase: found[("OverdueCases", phase)] for phase in ("D1", "D2", "D3")} == {"D1": 1, "D2": 0, "D3": 0}
    overdue = [line for line in lines if line.get("event") == "case_overdue"]
    assert [(line["case_id"], line["phase"], line["unit"], line["due_on"]) for line in overdue] == [
        (late, "D1", SHANGHAI_WINDOW, "2026-10-10")]


def test_a_scheduled_run_logs_its_counts_under_the_event_id(aws, capsys):
    event = {"version": "0", "account": "123456789012", "region": "cn-north-1", "detail": {},
             "detail-type": "Scheduled Event", "source": "aws.events", "time": "2026-12-01T01:00:00Z",
             "id": "5f1c7e8a-3b2d-4c6e-9f10-7a8b9c0d1e2f", "resources": []}
    result = application.calendar_check(event, None)
    [done] = [line for line in log_lines(printed(capsys)) if line.get("event") == "job_done"]
    assert (done["job"], done["correlation_id"]) == ("calendar_check", event["id"])
    assert done["stats"] == {k: v for k, v in result.items() if isinstance(v, (int, str, bool))}


TRACED = """
import sys
from chalicelib import observability as observe
assert "aws_xray_sdk" not in sys.modules, "the X-Ray SDK loads only when the first request is traced"
observe.request({}, {"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}, "POST /cases/{case_id}/push",
                "C20261129ABCDEF0123", lambda: 200, lambda status: status)
"""


def test_in_lambda_a_deployed_stage_traces_each_request_as_a_subsegment_with_route_and_case(tmp_path):
    """X-Ray for real, in a child process (the SDK patches botocore process-wide): the subsegment
    reaches a UDP listener standing in for the X-Ray daemon, annotated with the route and case id."""
    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    daemon.settimeout(20)
    env = {**os.environ, "STAGE": "dev", "LAMBDA_TASK_ROOT": str(tmp_path), "AWS_LAMBDA_FUNCTION_NAME": "api_handler",
           "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon.getsockname()[1]}",
           "AWS_REGION": "us-east-1",  # Lambda's X-Ray integration is not offered in the China regions
           "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}
    env.pop("POWERTOOLS_TRACE_DISABLED", None)
    child = subprocess.run([sys.executable, "-c", TRACED], env=env, capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
    packet = daemon.recv(65536).decode()
    daemon.close()
    header, body = packet.split("\n", 1)
    subsegment = json.loads(body)
    assert json.loads(header)["format"] == "json" and subsegment["name"] == "## POST /cases/{case_id}/push"
    assert subsegment["annotations"] == {"route": "POST /cases/{case_id}/push", "case_id": "C20261129ABCDEF0123"}
    assert subsegment["trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"


UNTRACED = """
import sys
sys.modules["aws_xray_sdk"] = None  # as in the Lambda package, which does not carry the SDK
from chalicelib import observability as observe
print(observe.request({}, {"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}, "GET /cases", None, lambda: 200,
                      lambda status: status)[1])
"""


def test_without_the_x_ray_sdk_a_deployed_stage_that_wants_traces_answers_untraced_and_says_so(tmp_path):
    env = {**os.environ, "STAGE": "dev", "LAMBDA_TASK_ROOT": str(tmp_path), "AWS_LAMBDA_FUNCTION_NAME": "api_handler",
           "AWS_REGION": "us-east-1"}
    env.pop("POWERTOOLS_TRACE_DISABLED", None)
    child = subprocess.run([sys.executable, "-c", UNTRACED], env=env, capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
    lines = [json.loads(line) for line in child.stdout.splitlines() if line.startswith("{")]
    assert [line["reason"] for line in lines if line.get("message") == "tracing_unavailable"] == [
        "the X-Ray SDK is not packaged"]
    assert child.stdout.splitlines()[-1] == "200"


def test_the_local_stage_never_loads_the_x_ray_sdk():
    script = "import sys, app; assert not [m for m in sys.modules if m.startswith('aws_xray_sdk')]"
    child = subprocess.run([sys.executable, "-c", script], env={**os.environ, "STAGE": "local"},
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
