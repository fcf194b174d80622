"""The embedded default: moto + the Chalice app in one process, no AWS account needed.

``python -m tools.local [--port 8000] [--moto-port 5000]`` (what ``make run`` calls):

1. starts moto's server on 127.0.0.1 with its Step Functions interpreter switched on, one DynamoDB action at a
   time (``serialise_dynamodb``);
2. creates every table, bucket, topic and queue from the definitions the code uses;
3. loads the demo configuration (demo units and users);
4. serves the Chalice app (stage ``local``) on http://127.0.0.1:8000.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import signal
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent


def _environment(moto_port: int) -> None:
    """Everything the app reads, set before any chalicelib module is imported."""
    endpoint = f"http://127.0.0.1:{moto_port}"
    os.environ.update({
        "STAGE": "local",
        "AWS_ENDPOINT_URL": endpoint,
        "MOTO_PORT": str(moto_port),  # moto's Step Functions interpreter calls back on this port
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",  # noqa: S105 - moto accepts anything
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "cn-north-1"),
    })
    os.environ.pop("AWS_PROFILE", None)


def serialise_dynamodb() -> None:
    """One DynamoDB action at a time in the embedded moto, as each is atomic in DynamoDB.

    moto's ``transact_write_items`` snapshots every table it touches and restores the snapshot when the transaction
    is cancelled; with this server answering on several threads, one request's rollback would erase another's
    commit (an acknowledged material gone, a decision without its event), and a read could see a transaction half
    applied. Real DynamoDB is not affected. One lock around moto's DynamoDB dispatch, taken by every action."""
    from moto.dynamodb.responses import DynamoHandler

    dispatch = DynamoHandler.call_action
    if getattr(dispatch, "serialised", False):
        return
    lock = threading.RLock()

    @functools.wraps(dispatch)
    def call_action(self: Any) -> Any:
        with lock:
            return dispatch(self)

    call_action.serialised = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


def stop_waits_for_start(wait_seconds: float = 10.0) -> None:
    """moto's Step Functions interpreter runs each execution on a thread that sets up its environment first; a stop
    that comes before (a clock repaired at once: stop, then start again) failed with AttributeError, a 500. Real
    Step Functions stops an execution at any moment. Here a stop waits for the execution's environment, then stops
    it (an execution that never got one, within ``wait_seconds``, has nothing to stop)."""
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    stop = ExecutionWorker.stop
    if getattr(stop, "waits", False):
        return

    @functools.wraps(stop)
    def waiting_stop(self: Any, stop_date: Any, error: Any, cause: Any) -> None:
        deadline = time.monotonic() + wait_seconds
        while getattr(self, "env", None) is None and time.monotonic() < deadline:
            time.sleep(0.01)
        if getattr(self, "env", None) is not None:
            stop(self, stop_date=stop_date, error=error, cause=cause)

    waiting_stop.waits = True  # type: ignore[attr-defined]
    ExecutionWorker.stop = waiting_stop  # type: ignore[method-assign]


def _start_moto(port: int) -> Any:
    import logging

    from moto.server import ThreadedMotoServer

    serialise_dynamodb()
    stop_waits_for_start()

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log drowns the API's

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).read()
    return server


def _serve(port: int) -> Any:
    from chalice.cli.factory import CLIFactory
    from chalice.local import create_local_server

    factory = CLIFactory(project_dir=str(PROJECT), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name="local")
    from tools.console_server import serve_console

    # the web console (console/) on the same origin: /console/, plus the local stage's sign-in picker
    return serve_console(create_local_server(config.chalice_app, config, "127.0.0.1", port))


def _schedules(stop: threading.Event, sweep_every: float) -> None:
    """What EventBridge schedules do when deployed: the sweep, and the calendar check."""
    from chalicelib import clock
    from tools.jobs import run

    last_check = 0.0
    while not stop.wait(sweep_every):
        try:
            now = clock.now()  # CLOCK_NOW when the local run states a moment
            print("sweep           ", json.dumps(run("sweep", now)))
            print("message retries ", json.dumps(run("messages", now)))  # every 5 min when deployed
            if time.monotonic() - last_check > 3600:
                last_check = time.monotonic()
                print("calendar check  ", json.dumps(run("calendar-check", now)))
            sys.stdout.flush()
        except Exception as error:  # noqa: BLE001 - keep the local runner alive, show what failed
            print(f"scheduled job failed: {error!r}")


def _unit_jobs(stop: threading.Event, every: float = 2.0) -> None:
    """What the SQS event source does when deployed: the unit jobs queued by the monthly and yearly
    supervision jobs (``make job JOB=monthly-checks``) go to the ``unit_jobs`` worker, one at a time."""
    from tools.jobs import drain

    while not stop.wait(every):
        try:
            stats = drain()
            if stats["done"] or stats["dropped"] or stats["failed"]:
                print("unit jobs       ", json.dumps(stats, ensure_ascii=False))
                sys.stdout.flush()
        except Exception as error:  # noqa: BLE001 - keep the local runner alive, show what failed
            print(f"unit jobs failed: {error!r}")


def _watch(stop: threading.Event, topics: Any) -> None:
    """Print escalations, reminders and results as they are published, so a person can watch."""
    import boto3

    from chalicelib.observability import mask

    sqs, sns = boto3.client("sqs"), boto3.client("sns")
    queue = sqs.create_queue(QueueName="local-console-watch")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for topic in topics:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    while not stop.is_set():
        for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
            envelope = json.loads(message["Body"])
            # the SMS outbox carries the applicant's phone number for the gateway: never on a screen
            print(mask(f"published        {envelope.get('Subject')}: {envelope.get('Message')}"))
            sys.stdout.flush()
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        stop.wait(1.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5000")))
    parser.add_argument("--seconds-per-working-day", type=float,
                        default=float(os.environ.get("CLOCK_SECONDS_PER_WORKING_DAY", "0")) or None,
                        help="time scale for the case clocks, e.g. 5: a 3-working-day deadline passes in ~20 s")
    parser.add_argument("--sweep-every", type=float, default=float(os.environ.get("SWEEP_EVERY", "60")),
                        help="seconds between runs of the daily sweep (the schedules chalice local does not run)")
    parser.add_argument("--console-origin", default=os.environ.get("CONSOLE_ORIGIN", ""),
                        help="answer CORS for this one origin (a console served from elsewhere), e.g. "
                             "http://127.0.0.1:8080; the console at /console/ needs none")
    args = parser.parse_args(argv)

    taken = [port for port in (args.port, args.moto_port) if not _free(port)]
    if taken:
        print(f"error: port {', '.join(map(str, taken))} on 127.0.0.1 is already in use: stop what holds it, or "
              "choose another (PORT=8001 MOTO_PORT=5001 make run)", file=sys.stderr)
        return 2
    _environment(args.moto_port)
    os.environ.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{args.port}")  # the receipts' progress QR code
    if args.console_origin:
        os.environ["CONSOLE_ORIGIN"] = args.console_origin
    if args.seconds_per_working_day:
        os.environ["CLOCK_SECONDS_PER_WORKING_DAY"] = str(args.seconds_per_working_day)
    moto = _start_moto(args.moto_port)

    from chalicelib import clock
    from chalicelib.config import load
    from chalicelib.wiring import jurisdiction_rules
    from tools.demo import load_demo_rules
    from tools.provision import provision
    from tools.token import demo_users

    config = load()
    created = provision(config)
    demo = load_demo_rules(jurisdiction_rules(), clock.now())
    server = _serve(args.port)

    print(f"moto server      http://127.0.0.1:{args.moto_port}  (Step Functions interpreter on)")
    print(f"region           {config.region}")
    print(f"tables           {', '.join(created['tables'])}")  # type: ignore[arg-type]
    print(f"bucket           {created['bucket']} (versioned)")
    print(f"topics           {', '.join(created['topics'])}")  # type: ignore[arg-type]
    print(f"case clock       {created['state_machine']}")
    print(f"unit jobs queue  {created['unit_jobs_queue']} (polled every 2 s into the unit_jobs worker)")
    print(f"API              http://127.0.0.1:{args.port}  (GET /health needs no token)")
    print(f"console          http://127.0.0.1:{args.port}/console/  (sign in with a demo user or a role and unit)")
    print(f"demo rules       {demo} (demo/rules.json: 黑龙江, 上海, 吉林, 湖北 — demo figures, not confirmed)")
    print("demo users       " + ", ".join(f"{u['sub']} ({u['role']} {u['unit']})" for u in demo_users()))
    print("get a token      .venv/bin/python -m tools.token --demo sh-window-01")
    print("                 .venv/bin/python -m tools.token --role reviewer --unit 230102001")
    print("replay a day     send header 'X-Clock-Now: 2026-09-30T10:00:00+08:00' (local stage only)")
    sys.stdout.flush()

    if args.seconds_per_working_day:
        print(f"time scale       one working day = {args.seconds_per_working_day:g} s on the case clocks")
    print(f"schedules        daily sweep every {args.sweep_every:g} s, calendar check hourly; "
          "run one now: .venv/bin/python -m tools.jobs sweep (or monthly-checks, yearly-reviews, "
          "certificate-reminders)")
    sys.stdout.flush()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # a stop within a second or two, not moto's 15-35 s
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    threading.Thread(target=_schedules, args=(stop, args.sweep_every), daemon=True).start()
    threading.Thread(target=_watch, args=(stop, created["topics"]), daemon=True).start()
    threading.Thread(target=_unit_jobs, args=(stop,), daemon=True).start()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        closing = threading.Thread(target=lambda: (server.shutdown(), moto.stop()), daemon=True)
        closing.start()
        closing.join(timeout=2.0)  # moto's server may wait on idle keep-alive connections: never for long
        print("stopped")
        sys.stdout.flush()
        os._exit(0)  # the embedded default keeps nothing worth waiting for (moto holds its data in memory)


def _free(port: int) -> bool:
    """Whether 127.0.0.1:``port`` can be bound now (checked before anything starts)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


if __name__ == "__main__":
    sys.exit(main())
