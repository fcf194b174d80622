"""Fuzz the API from its own OpenAPI document with schemathesis (``make fuzz``).

``python -m tools.fuzz [--base-url URL] [--max-examples N] [--max-coverage N|all] [--seed S] [--log FILE]``

Without ``--base-url`` it starts ``python -m tools.local`` on free ports (moto + chalice local, as the
end-to-end tests do) and stops it after. It loads ``/openapi.json`` from the server and, for every
operation:

- schemathesis' positive and negative examples (hypothesis, ``--max-examples`` each), then the same
  again with the path parameters a caller can reach pinned: cases set up first through the API (one
  awaiting materials with a registered material, one under review, one approved with its two
  entitlements), the admin's scope, the reviewer's township, the committee's unit;
- a seeded sample of schemathesis' coverage cases (``--max-coverage``): each required field left out,
  each field of a wrong type, each pattern, enum and bound broken, wrong media types;
- the first positive example again without a token, and with a role the route refuses.

Each request carries the token of one of the roles the operation admits (``x-roles``), in turn: window
310101002, reviewer 230102001, admin 23, supervisor 23, committee 230102001001 (``--as ROLE=UNIT``
changes one).

Checks: no 5xx, and every non-2xx answer is JSON ``{"error": {"code", "message", "field"}}``. A status
the document does not declare for the operation is printed as a warning. Exits 1 on any failure.

Requests go only to the local server (127.0.0.1, localhost or ::1): anything else is refused. The
fuzzer writes (cases, rules, calendars): run it against a server whose data you can lose.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import requests

from tools.local_server import local_server as shared_local_server

PROJECT = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# role -> unit of the token it fuzzes with (a committee is a 12-digit 村/居委会 code)
IDENTITIES: dict[str, str] = {
    "window": "310101002",  # 上海 黄浦区 南京东路街道: the 受理地
    "reviewer": "230102001",  # 哈尔滨 道里区: the 业务属地
    "admin": "23",
    "supervisor": "23",
    "committee": "230102001001",
}
ERROR_CODE = re.compile(r"[A-Z][A-Z0-9_]*")
TIMEOUT = 30


# --- the local server --------------------------------------------------------------------------

# the day the examples are made for (this year and month, a certificate valid five years on): --today, else the
# real date; the server the fuzzer starts runs at the same day (CLOCK_NOW), so the two agree
TODAY = date.today()


@contextlib.contextmanager
def local_server(now: str | None = None) -> Iterator[str]:
    """``python -m tools.local`` on free ports (schedules quiet), until /health answers; stopped after."""
    with shared_local_server("--sweep-every", "3600", now=now) as (base, _moto):
        yield base


def local_only(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme != "http" or parts.hostname not in LOCAL_HOSTS:
        raise SystemExit(f"refusing {base_url!r}: the fuzzer only talks to a local server (http://127.0.0.1:PORT)")
    return base_url.rstrip("/")


# --- tokens and what each role can reach -------------------------------------------------------

def tokens(identities: dict[str, str]) -> dict[str, str]:
    from chalicelib.auth import issue_local_token
    from chalicelib.config import DEFAULT_LOCAL_JWT_SECRET

    secret = os.environ.get("LOCAL_JWT_SECRET", DEFAULT_LOCAL_JWT_SECRET)
    return {role: issue_local_token(secret, f"fuzz-{role}", role, unit, f"fuzz {role}", 3600)
            for role, unit in identities.items()}


def _valid_application(rng: random.Random) -> dict[str, Any]:
    """A body POST /cases accepts: a Heilongjiang applicant with a real check digit, a fresh birth date."""
    from stdnum.cn import ric

    born = date(1940, 1, 1) + timedelta(days=rng.randrange(25000))
    body = f"230102{born:%Y%m%d}{rng.randrange(1000):03d}"
    person = body + ric.calc_check_digit(body + "0")
    return {
        "applicant": {"name": "模糊测试", "id_number": person, "phone": "13800000000", "hukou_unit": "230102001",
                      "hukou_address": "哈尔滨市道里区", "committee_unit": "230102001001"},
        "certificate": {"number": person + "41", "valid_until": f"{max(TODAY.year, 2026) + 5}-05-01"},
        "subsidies": ["living", "nursing"],
        "low_income": {"dibao": True},
    }


class Setup:
    """Real cases in the states the pinned passes need, driven through the API as a window and a reviewer
    would (the material bytes go to the presigned POST, which must also be local)."""

    # The local stage's clock (X-Clock-Now) during set-up: a working day on which the demo amount table of 黑龙江
    # is in force, so an approval computes its amounts and the entitlements start in 2026-07.
    DAY = "2026-07-06T10:00:00+08:00"

    def __init__(self, base: str, headers: dict[str, dict[str, str]], rng: random.Random) -> None:
        self.base, self.headers, self.rng, self.sent = base, headers, rng, 0

    def call(self, method: str, path: str, role: str, body: Any = None) -> requests.Response:
        self.sent += 1
        return requests.request(method, self.base + path, json=body, timeout=TIMEOUT,
                                headers={**self.headers[role], "X-Clock-Now": self.DAY})

    def accept(self) -> dict[str, Any]:
        for _ in range(3):  # a duplicate person (409) is possible against a long-running server: try another
            answer = self.call("POST", "/cases", "window", _valid_application(self.rng))
            if answer.status_code == 201:
                return dict(answer.json())
        raise RuntimeError(f"POST /cases answered {answer.status_code}: {answer.text[:300]}")

    def register(self, case_id: str, code: str) -> tuple[str, dict[str, Any], bytes]:
        content = b"%PDF-1.4\n% fuzz " + code.encode() + b"\n%%EOF\n"
        declared = {"code": code, "filename": f"{code}.pdf", "content_type": "application/pdf",
                    "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
        answer = self.call("POST", f"/cases/{case_id}/materials", "window", declared)
        if answer.status_code != 201:
            raise RuntimeError(f"registering {code} answered {answer.status_code}: {answer.text[:300]}")
        return str(answer.json()["material_id"]), answer.json()["upload"], content

    def ready(self, case: dict[str, Any]) -> None:
        """Every required material uploaded and confirmed, then complete and push: the case is under review."""
        case_id = case["case_id"]
        for item in case["notice"]["materials"]:
            if not item["required"] or item["waived"]:
                continue
            material_id, upload, content = self.register(case_id, item["code"])
            local_only(upload["url"])
            self.sent += 1
            stored = requests.post(upload["url"], data=upload["fields"], timeout=TIMEOUT,
                                   files={"file": (f"{item['code']}.pdf", content, "application/pdf")})
            if stored.status_code not in (200, 201, 204):
                raise RuntimeError(f"the presigned POST answered {stored.status_code}: {stored.text[:300]}")
            self.expect(self.call("POST", f"/cases/{case_id}/materials/{material_id}/confirm", "window"), 200)
        self.expect(self.call("POST", f"/cases/{case_id}/complete", "window"), 200)
        self.expect(self.call("POST", f"/cases/{case_id}/push", "window"), 200)

    @staticmethod
    def expect(answer: requests.Response, status: int) -> None:
        if answer.status_code != status:
            raise RuntimeError(f"{answer.request.method} {answer.request.path_url} answered {answer.status_code}: "
                               f"{answer.text[:300]}")

    def pins(self, identities: dict[str, str], problems: list[str]) -> dict[str, list[str]]:
        """Path parameter values a caller can reach, best first; a value is used where its pattern fits.

        - ``new_case_id``: a case awaiting materials (the window's routes), with one registered material;
        - ``case_id``: a case under review (the reviewer's routes, and reads);
        - ``entitlement_id``: the two entitlements of a third case, approved;
        - the admin's scope, the reviewer's township, the committee's unit, this year and month.

        What cannot be set up (e.g. no amount table to approve against) is added to ``problems``."""
        values: dict[str, list[str]] = {
            "scope": [identities["admin"], identities["reviewer"]],
            "unit": [identities["committee"], identities["reviewer"]],
            "year": [str(TODAY.year)],
            "month": [f"{TODAY:%Y-%m}"],
        }
        try:
            fresh = self.accept()
            values["new_case_id"] = [fresh["case_id"]]
            values["material_id"] = [self.register(fresh["case_id"], "photo")[0]]
            reviewed = self.accept()
            self.ready(reviewed)
            values["case_id"] = [reviewed["case_id"]]
            approved = self.accept()
            self.ready(approved)
            decision = {"outcome": "approved", "subsidies": [{"type": "living"}, {"type": "nursing"}]}
            self.expect(self.call("POST", f"/cases/{approved['case_id']}/decision", "reviewer", decision), 200)
            values["entitlement_id"] = [f"{approved['case_id']}-living", f"{approved['case_id']}-nursing"]
        except (RuntimeError, requests.RequestException, SystemExit) as error:
            problems.append(f"setup stopped, so fewer path parameters are pinned: {error}")
        return values


# --- checking one answer -----------------------------------------------------------------------

def error_format_problem(status: int, content_type: str, content: bytes) -> str | None:
    """None when a non-2xx answer is JSON {"error": {"code", "message", "field"}}, else what is wrong."""
    if not content_type.startswith("application/json"):
        return f"Content-Type is {content_type or 'missing'}, not application/json"
    try:
        body = json.loads(content)
    except ValueError:
        return "the body is not JSON"
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(body, dict) or set(body) != {"error"} or not isinstance(error, dict):
        return "the body is not {\"error\": {...}}"
    if set(error) != {"code", "message", "field"}:
        return f"error has keys {sorted(error)}, not code, message, field"
    if not isinstance(error["code"], str) or not ERROR_CODE.fullmatch(error["code"]):
        return "error.code is not UPPER_SNAKE text"
    if not isinstance(error["message"], str) or not (error["field"] is None or isinstance(error["field"], str)):
        return "error.message is not text, or error.field is neither text nor null"
    return None


@dataclass
class Exchange:
    """One request sent and its answer, as shown in a report."""

    method: str
    template: str
    url: str
    role: str
    source: str  # positive | negative | pinned-positive | pinned-negative | coverage | no-token | wrong-role
    request_type: str  # the Content-Type sent
    request_body: str
    status: int
    content_type: str
    content: bytes

    def short(self, limit: int = 200) -> str:
        text = " ".join(self.content.decode("utf-8", "replace").split())
        return text if len(text) <= limit else text[:limit] + "…"

    @property
    def target(self) -> str:
        """The path and query sent."""
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def error_code(self) -> str:
        """The error code of the answer: ours, Chalice's own ("Code"), or the start of the body."""
        with contextlib.suppress(ValueError, AttributeError, TypeError, KeyError):
            body = json.loads(self.content)
            return str(body["error"]["code"] if "error" in body else body["Code"])
        return self.short(40)


@dataclass
class Report:
    setup_requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[tuple[str, Exchange]] = field(default_factory=list)
    undeclared: Counter[tuple[str, str, int, str]] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)  # passes with nothing to generate (e.g. all pinned)
    errors: list[str] = field(default_factory=list)  # the harness itself failed: the run does not count
    log: IO[str] | None = None  # every exchange as a JSON line (--log)

    @property
    def sent(self) -> int:
        return sum(self.statuses.values())

    def record(self, exchange: Exchange, declared: set[int]) -> None:
        self.statuses[exchange.status] += 1
        if self.log is not None:
            self.log.write(json.dumps({"method": exchange.method, "url": exchange.url, "role": exchange.role,
                                       "source": exchange.source, "content_type": exchange.request_type,
                                       "body": exchange.request_body,
                                       "status": exchange.status, "answer": exchange.short(300)},
                                      ensure_ascii=False) + "\n")
        if exchange.status >= 500:
            self.failures.append(("server error", exchange))
        elif not 200 <= exchange.status < 300:
            problem = error_format_problem(exchange.status, exchange.content_type, exchange.content)
            if problem:
                self.failures.append((f"malformed error response: {problem}", exchange))
            elif exchange.status not in declared:
                self.undeclared[(exchange.method, exchange.template, exchange.status, exchange.error_code())] += 1


# --- the run -----------------------------------------------------------------------------------

def _shown_body(case: Any) -> str:
    from schemathesis.core import NOT_SET

    body = getattr(case, "body", NOT_SET)
    if body is NOT_SET:
        return "(no body)"
    if isinstance(body, (bytes, bytearray)):
        return f"(raw bytes) {bytes(body)[:300]!r}"
    with contextlib.suppress(TypeError, ValueError):
        text = _printable(json.dumps(body, ensure_ascii=False))
        return text if len(text) <= 600 else text[:600] + "…"
    return repr(body)[:600]


def _printable(text: str) -> str:
    """Chinese as is; invisible and control characters as \\uXXXX, so a shown body can be sent again."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"
                   for c in text)


def _content_type(headers: dict[str, Any]) -> str:
    for name, values in headers.items():
        if name.lower() == "content-type":
            return str(values[0] if isinstance(values, list) and values else values)
    return ""


def _exchange(case: Any, response: Any, role: str, source: str) -> Exchange:
    sent = {name: [value] for name, value in response.request.headers.items()}
    return Exchange(method=case.method.upper(), template=case.path, url=response.request.url or "", role=role,
                    source=source, request_type=_content_type(sent) or "(none)", request_body=_shown_body(case),
                    status=response.status_code, content_type=_content_type(response.headers),
                    content=response.content or b"")


@dataclass
class Target:
    """One operation as the run needs it: its schemathesis operation and what the document says of it."""

    operation: Any
    public: bool
    allowed: list[str]  # roles with a token that the route admits, in turn ("anonymous" for public routes)
    refused: list[str]  # roles with a token that the route refuses
    declared: set[int]
    pinned: dict[str, str]  # reachable path parameter values (empty: no pinned passes)


def _target(operation: Any, spec: dict[str, Any], roles: list[str], pins: dict[str, list[str]]) -> Target:
    admitted = spec.get("x-roles", [])
    path = [parameter for parameter in spec.get("parameters", []) if parameter["in"] == "path"]
    pinned: dict[str, str] = {}
    for parameter in path:
        pattern = parameter["schema"].get("pattern")
        # the window changes a case awaiting materials; the reviewer's routes and reads need one under review
        name = "new_case_id" if parameter["name"] == "case_id" and "window" in admitted \
            and operation.method.upper() != "GET" else parameter["name"]
        for value in pins.get(name, []):
            if pattern is None or re.search(pattern, value):
                pinned[parameter["name"]] = value
                break
    identifying = {parameter["name"] for parameter in path} - {"month", "year", "effective_from"}
    return Target(
        operation=operation, public=spec.get("security") == [],
        allowed=[role for role in admitted if role in roles] or ["anonymous"],
        refused=[role for role in roles if role not in admitted],
        declared={int(code) for code in spec["responses"]},
        pinned=pinned if pinned and identifying <= set(pinned) else {},
    )


def _coverage_pass(target: Target, max_coverage: int, seed: int, send: Callable[[Any, str], None]) -> None:
    """schemathesis' coverage cases (each required field left out, each field of a wrong type, each pattern,
    enum and bound broken in turn), negative only, at most ``max_coverage`` (-1: all) in a seeded order.
    With pinned path parameters, the cases that break the body or the query are sent to the reachable
    resource; otherwise they go as generated."""
    from schemathesis import GenerationMode
    from schemathesis.core.parameters import ParameterLocation

    operation = target.operation
    generation = operation.schema.config.generation_for(operation=operation, phase="coverage")
    cases = []
    for case in operation.schema.iter_coverage_cases(operation, generation_modes=[GenerationMode.NEGATIVE],
                                                     generation_config=generation):
        phase = getattr(case.meta, "phase", None) if case.meta else None
        location = getattr(getattr(phase, "data", None), "parameter_location", None)
        if target.pinned:
            if location == ParameterLocation.PATH:
                continue
            case.path_parameters.update(target.pinned)
        cases.append(case)
    random.Random(seed).shuffle(cases)
    for case in cases if max_coverage < 0 else cases[:max_coverage]:
        send(case, "coverage")


def _fuzz_operation(target: Target, base: str, session: requests.Session, headers: dict[str, dict[str, str]],
                    max_examples: int, max_coverage: int, seed: int, report: Report) -> None:
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode

    first: list[Any] = []
    turn = [0]

    def send(case: Any, source: str) -> None:
        role = target.allowed[turn[0] % len(target.allowed)]
        turn[0] += 1
        sent = {} if target.public or role == "anonymous" else headers[role]
        response = case.call(base_url=base, session=session, headers=sent, timeout=TIMEOUT)
        report.record(_exchange(case, response, role, source), target.declared)
        if not first and source == "positive":
            first.append(case)

    passes: list[tuple[str, Any, dict[str, str] | None]] = [
        ("positive", GenerationMode.POSITIVE, None), ("negative", GenerationMode.NEGATIVE, None)]
    if target.pinned:
        passes += [("pinned-positive", GenerationMode.POSITIVE, target.pinned),
                   ("pinned-negative", GenerationMode.NEGATIVE, target.pinned)]

    def test(strategy: Any, source: str) -> Any:
        @hypothesis_seed(seed)
        @settings(max_examples=max_examples, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                  verbosity=Verbosity.quiet, suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case: Any) -> None:
            send(case, source)

        return run

    name = f"{target.operation.method.upper()} {target.operation.path}"
    for source, mode, fixed in passes:
        try:
            test(target.operation.as_strategy(generation_mode=mode, path_parameters=fixed), source)()
        except Unsatisfiable:  # nothing to generate, e.g. no negative example of GET /health
            report.empty.append(f"{name} {source}")
        except Exception as error:  # noqa: BLE001 - the harness failed: reported, and the run fails
            report.errors.append(f"{name} {source}: {type(error).__name__}: {str(error)[:300]}")

    if max_coverage:
        try:
            _coverage_pass(target, max_coverage, seed, send)
        except Exception as error:  # noqa: BLE001 - the harness failed: reported, and the run fails
            report.errors.append(f"{name} coverage: {type(error).__name__}: {str(error)[:300]}")

    if first and not target.public:  # the same request without a token, and with a role the route refuses
        probes: list[tuple[str, str, dict[str, str]]] = [("no-token", "anonymous", {})]
        if target.refused:
            probes.append(("wrong-role", target.refused[0], headers[target.refused[0]]))
        for source, role, sent in probes:
            response = first[0].call(base_url=base, session=session, headers=sent, timeout=TIMEOUT)
            report.record(_exchange(first[0], response, role, source), target.declared)


def fuzz(base: str, max_examples: int, max_coverage: int, seed: int, identities: dict[str, str],
         log: IO[str] | None = None) -> Report:
    import schemathesis

    report = Report(log=log)
    document = requests.get(f"{base}/openapi.json", timeout=TIMEOUT).json()
    # from_dict, not from_url: loaded over HTTP, schemathesis would skip the document's own path. Its own
    # Authorization values are off: each request carries a role's token (and the probes go without one).
    # Methods the document does not declare are not sent: API Gateway answers them before the app does.
    config = schemathesis.Config.from_dict({
        "generation": {"with-security-parameters": False},
        "phases": {"coverage": {"unexpected-methods": []}},
    })
    schema = schemathesis.openapi.from_dict(document, config=config)
    headers = {role: {"Authorization": f"Bearer {token}"} for role, token in tokens(identities).items()}
    setup = Setup(base, headers, random.Random())  # fresh people each run: a reused server keeps the old ones
    pins = setup.pins(identities, report.notes)
    report.setup_requests = setup.sent
    session = requests.Session()
    for result in schema.get_all_operations():
        try:
            operation = result.ok()
        except Exception:  # noqa: BLE001 - an operation schemathesis cannot use is a failure, not a crash
            report.failures.append(("operation unusable by schemathesis",
                                    Exchange("?", str(result.err())[:200], "", "", "schema", "", "", 0, "", b"")))
            continue
        spec = document["paths"][operation.path][operation.method.lower()]
        target = _target(operation, spec, list(headers), pins)
        _fuzz_operation(target, base, session, headers, max_examples, max_coverage, seed, report)
    return report


def print_report(report: Report, seconds: float, seed: int) -> None:
    print(f"\nfuzz: {report.sent} requests in {seconds:.1f} s (seed {seed}; plus {report.setup_requests} setup)")
    print("statuses: " + ", ".join(f"{status}: {count}" for status, count in sorted(report.statuses.items())))
    if report.empty:
        print(f"note: {len(report.empty)} passes had nothing to vary (every parameter pinned, or none)")
    for note in report.notes:
        print(f"note: {note}")
    for error in report.errors:
        print(f"ERROR (fuzzer): {error}")
    if report.undeclared:
        print(f"\nwarnings: {sum(report.undeclared.values())} answers with a status the document does not declare")
        for (method, template, status, code), count in sorted(report.undeclared.items()):
            print(f"  {method} {template} -> {status} {code} (x{count})")
    if not report.failures:
        print("\nfailures: none (no 5xx; every non-2xx answer is the JSON error format)")
        return
    print(f"\nfailures: {len(report.failures)}")
    for kind, exchange in report.failures:
        print(f"  {exchange.method} {exchange.target[:120]} -> {exchange.status} [{kind}] "
              f"sent {exchange.request_type}; got {exchange.short(160)}")
    groups: dict[tuple[str, int, str], list[Exchange]] = {}
    for kind, exchange in report.failures:
        groups.setdefault((kind, exchange.status, exchange.error_code()), []).append(exchange)
    print(f"\ndistinct failures: {len(groups)} (kind, status and error code; the first example of each)")
    for (kind, status, code), exchanges in groups.items():
        first = exchanges[0]
        operations = sorted({f"{e.method} {e.template}" for e in exchanges})
        print(f"- {status} {code} [{kind}]: {len(exchanges)} answers on {len(operations)} operations")
        print(f"    operations: {', '.join(operations)}")
        print(f"    request: {first.method} {first.target}  as {first.role} ({first.source})")
        print(f"    body:    ({first.request_type}) {first.request_body}")
        print(f"    answer:  {first.status} {first.content_type} {first.short(400)}")


def _coverage_count(value: str) -> int:
    """A count, or ``all`` (-1)."""
    if value == "all":
        return -1
    count = int(value)
    if count < 0:
        raise ValueError(value)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", help="a running local server, e.g. http://127.0.0.1:8000 "
                                           "(default: start python -m tools.local on free ports)")
    parser.add_argument("--max-examples", type=int, default=2,
                        help="hypothesis examples per operation and pass (positive, negative, and both again "
                             "with reachable path parameters pinned); default 2")
    parser.add_argument("--max-coverage", type=_coverage_count, default=8,
                        help="schemathesis coverage cases per operation (negative: each field broken in turn); "
                             "'all' sends every one (about 1,300 in all), 0 none; default 8")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: random, printed)")
    parser.add_argument("--log", type=argparse.FileType("w", encoding="utf-8"),
                        help="write every request and answer to this file, one JSON line each")
    parser.add_argument("--as", dest="units", action="append", default=[], metavar="ROLE=UNIT",
                        help="fuzz a role with another unit, e.g. --as admin=65")
    parser.add_argument("--today", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                        help="the day the examples are made for; a server the fuzzer starts runs at it (CLOCK_NOW); "
                             "default: the real date")
    args = parser.parse_args(argv)
    global TODAY
    TODAY = args.today or TODAY
    if args.max_examples < 1:
        parser.error("--max-examples must be at least 1")
    identities = dict(IDENTITIES)
    for item in args.units:
        role, _, unit = item.partition("=")
        if role not in identities or not unit:
            parser.error(f"--as takes ROLE=UNIT with ROLE one of {', '.join(identities)}")
        identities[role] = unit
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        base = local_only(args.base_url) if args.base_url else stack.enter_context(
            local_server(f"{args.today}T10:00:00+08:00" if args.today else None))
        coverage = "all" if args.max_coverage < 0 else args.max_coverage
        print(f"fuzzing {base} (seed {seed}; per operation: up to {args.max_examples} hypothesis examples a pass, "
              f"{coverage} coverage cases)")
        sys.stdout.flush()
        report = fuzz(base, args.max_examples, args.max_coverage, seed, identities, args.log)
    print_report(report, time.monotonic() - started, seed)
    if report.errors or report.sent == 0:
        print("the fuzz run did not complete: see ERROR lines above")
        return 2
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
