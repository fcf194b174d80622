"""Fuzz the API from its own OpenAPI document with schemathesis (``make fuzz``).

``python -m tools.fuzz [--base-url URL] [--max-examples N] [--max-coverage N|all] [--seed S] [--log FILE]``

Without ``--base-url`` it starts ``python -m tools.local`` on free ports (moto + chalice local, as the
end-to-end tests do) and stops it after. It loads ``/openapi.json`` from the server and runs schemathesis'
own runner on it (the engine of ``st run``, configured by ``CONFIG``): its examples, coverage and fuzzing
phases (``--max-examples`` hypothesis examples per operation, positive and negative; ``--seed``), and its
checks on every answer:

- ``not_a_server_error``: no 5xx;
- ``status_code_conformance``: the status is one the document declares for the operation;
- ``content_type_conformance``: the Content-Type is the one documented for that status;
- ``response_schema_conformance``: the body matches the document's schema for that status (an error: the
  ``Error`` component, ``{"error": {"code", "message", "field"}}``);
- ``error_format`` (ours): every non-2xx answer is that JSON error, also where schemathesis' checks look away
  (its requests with a wrong or malformed Content-Type).

What schemathesis cannot know, added through its hooks:

- tokens: each request carries the token of one of the roles the operation admits (``x-roles``), in turn
  (an auth provider): window 310101002, reviewer 230102001, admin 23, supervisor 23, committee 230102001001,
  sms_gateway 23 (``--as ROLE=UNIT`` changes one);
- reachable path parameters: cases set up first through the API (one awaiting materials with a registered
  material, one under review and its 推送 SMS, one approved with its two entitlements), the admin's scope,
  the reviewer's township, the committee's unit. About half the fuzzing cases and every coverage case that leaves the path
  alone are sent to them (``flatmap_case``, ``map_case``); the rest go as generated;
- a seeded sample of the coverage cases, at most ``--max-coverage`` per operation (``filter_case``);
- after the run, the first positive example of each guarded operation again without a token, and with a role
  the route refuses, checked the same way.

Exits 1 on any failure, 2 when the run did not complete. Requests go only to the local server (127.0.0.1,
localhost or ::1): anything else is refused. The fuzzer writes (cases, rules, calendars): run it against a
server whose data you can lose.
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
from collections.abc import Iterator
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
    # 乌鲁木齐市天山区's 残联 (its own material list, its set-up gaps): a county no other test uses, since the fuzzer
    # stores whatever list its examples make valid
    "dpf_admin": "650102",
    # the review chain's county steps (县残联 审核, 县民政 审定) of the 业务属地's county
    "dpf_reviewer": "230102",
    "approver": "230102",
    "sms_gateway": "23",  # the province's SMS gateway, reporting deliveries
}
ERROR_CODE = re.compile(r"[A-Z][A-Z0-9_]*")
TIMEOUT = 30
# the checks run on every answer (schemathesis' names; error_format is ours, below)
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "error_format")
# schemathesis' configuration (the keys of schemathesis.toml); run() adds the base URL, seed and counts
CONFIG: dict[str, Any] = {
    "workers": 1,
    "continue-on-failure": True,  # every failing answer, not the first of each operation
    "request-timeout": TIMEOUT,
    # Authorization is the auth provider's (each request a role's token), not generated
    "generation": {"with-security-parameters": False, "database": "none", "no-shrink": True},
    "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    "phases": {
        # methods the document does not declare are not sent: API Gateway answers them before the app does
        "coverage": {"unexpected-methods": []},
        # no links in the document; the cases the runs need are set up first (Setup)
        "stateful": {"enabled": False},
    },
}


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
        - ``case_id``: a case under review (the reviewer's routes, and reads); ``message_id``: its 推送 SMS;
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
            values["message_id"] = [f"{reviewed['case_id']}-pushed"]  # its 推送 SMS
            approved = self.accept()
            self.ready(approved)
            decision = {"outcome": "approved", "subsidies": [{"type": "living"}, {"type": "nursing"}]}
            self.expect(self.call("POST", f"/cases/{approved['case_id']}/decision", "reviewer", decision), 200)
            values["entitlement_id"] = [f"{approved['case_id']}-living", f"{approved['case_id']}-nursing"]
        except (RuntimeError, requests.RequestException, SystemExit) as error:
            problems.append(f"setup stopped, so fewer path parameters are pinned: {error}")
        return values


# --- the checks ---------------------------------------------------------------------------------

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


def _header(headers: Any, name: str) -> str:
    """One header of a schemathesis answer or request (values are lists there), '' when absent."""
    for key, values in (headers or {}).items():
        if key.lower() == name:
            return str(values[0] if isinstance(values, list) and values else values)
    return ""


def error_format(ctx: Any, response: Any, case: Any) -> None:
    """A schemathesis check: a non-2xx answer is JSON {"error": {"code", "message", "field"}}."""
    if not 200 <= response.status_code < 300:
        problem = error_format_problem(response.status_code, _header(response.headers, "content-type"),
                                       response.content or b"")
        if problem:
            raise AssertionError(f"Malformed error response: {problem}")


def load_schema(document: dict[str, Any], base: str, seed: int | None = None, max_examples: int = 2,
                coverage: bool = True) -> Any:
    """The document as a schemathesis schema under ``CONFIG``, with our check registered.

    ``from_dict``, not ``from_url``: loaded over HTTP, schemathesis would skip the document's own path."""
    import schemathesis

    schemathesis.check(error_format)
    settings: dict[str, Any] = json.loads(json.dumps(CONFIG))
    settings["base-url"] = base
    settings["generation"]["max-examples"] = max_examples
    settings["phases"]["coverage"]["enabled"] = coverage
    if seed is not None:
        settings["seed"] = seed
    return schemathesis.openapi.from_dict(document, config=schemathesis.Config.from_dict(settings))


def check_answer(case: Any, response: Any) -> list[Any]:
    """The failures of one answer under the schema's configured checks (what the runner checks), none: []."""
    from schemathesis.core.failures import FailureGroup

    try:
        case.validate_response(response)
    except FailureGroup as group:
        return list(group.exceptions)
    return []


# --- the report ---------------------------------------------------------------------------------

@dataclass
class Exchange:
    """One request sent and its answer, as shown in a report."""

    method: str
    template: str
    url: str
    role: str
    source: str  # examples | coverage | fuzzing (schemathesis' phases) | no-token | wrong-role
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
    sources: Counter[str] = field(default_factory=Counter)
    operations: int = 0
    failures: list[tuple[str, str, Exchange]] = field(default_factory=list)  # kind, what is wrong, the exchange
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the harness or the runner failed: the run does not count
    log: IO[str] | None = None  # every exchange as a JSON line (--log)

    @property
    def sent(self) -> int:
        return sum(self.statuses.values())

    def record(self, exchange: Exchange) -> None:
        self.statuses[exchange.status] += 1
        self.sources[exchange.source] += 1
        if self.log is not None:
            self.log.write(json.dumps({"method": exchange.method, "url": exchange.url, "role": exchange.role,
                                       "source": exchange.source, "content_type": exchange.request_type,
                                       "body": exchange.request_body,
                                       "status": exchange.status, "answer": exchange.short(300)},
                                      ensure_ascii=False) + "\n")


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


def _gist(message: str, limit: int = 300) -> str:
    """What a failure message says, on one line: its first line, and where in the schema."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    shown = "; ".join(lines[:1] + [line.rstrip(":") for line in lines[1:] if line.startswith("Schema at ")])
    return shown if len(shown) <= limit else shown[:limit] + "…"


def _source(case: Any) -> str:
    meta = case.meta
    return str(meta.phase.name.value) if meta is not None else "call"


# --- the run ------------------------------------------------------------------------------------

@dataclass
class Target:
    """What the document says of one operation, as the hooks need it."""

    public: bool
    allowed: list[str]  # roles with a token that the route admits, in turn (empty for public routes)
    refused: list[str]  # roles with a token that the route refuses
    pinned: dict[str, str]  # reachable path parameter values (empty: nothing pinned)
    turn: int = 0


def _target(method: str, spec: dict[str, Any], roles: list[str], pins: dict[str, list[str]]) -> Target:
    admitted = spec.get("x-roles", [])
    path = [parameter for parameter in spec.get("parameters", []) if parameter["in"] == "path"]
    pinned: dict[str, str] = {}
    for parameter in path:
        pattern = parameter["schema"].get("pattern")
        # the window changes a case awaiting materials; the reviewer's routes and reads need one under review
        name = "new_case_id" if parameter["name"] == "case_id" and "window" in admitted \
            and method.upper() != "GET" else parameter["name"]
        for value in pins.get(name, []):
            if pattern is None or re.search(pattern, value):
                pinned[parameter["name"]] = value
                break
    identifying = {parameter["name"] for parameter in path} - {"month", "year", "effective_from"}
    return Target(
        public=spec.get("security") == [],
        allowed=[role for role in admitted if role in roles],
        refused=[role for role in roles if role not in admitted],
        pinned=pinned if pinned and identifying <= set(pinned) else {},
    )


def _breaks_path(case: Any) -> bool:
    """Whether a case was generated to break a path parameter (then it goes as generated)."""
    from schemathesis.core.parameters import ParameterLocation
    from schemathesis.generation.meta import negated_parameters

    return any(location == ParameterLocation.PATH for _, location in negated_parameters(case.meta))


def _coverage_key(case: Any) -> tuple[str, ...]:
    """What tells one coverage case of an operation from another (independent of the order they come in)."""
    data = case.meta.phase.data
    return (str(case.meta.generation.mode), str(data.scenario), str(data.description), str(data.location),
            str(data.parameter), str(data.parameter_location))


def _is_coverage(case: Any) -> bool:
    from schemathesis.generation.meta import TestPhase

    return case.meta is not None and case.meta.phase.name == TestPhase.COVERAGE


def _coverage_sample(schema: Any, operation: Any, max_coverage: int, seed: int) -> set[tuple[str, ...]]:
    """A seeded sample of ``max_coverage`` of the operation's coverage cases (schemathesis sends them all)."""
    generation = schema.config.generation_for(operation=operation, phase="coverage")
    keys = sorted({_coverage_key(case) for case in schema.iter_coverage_cases(
        operation, generation_modes=generation.modes, generation_config=generation)})
    rng = random.Random(f"{seed}:{operation.label}")
    return set(rng.sample(keys, min(max_coverage, len(keys))))


def install_hooks(schema: Any, targets: dict[str, Target], headers: dict[str, dict[str, str]],
                  samples: dict[str, set[tuple[str, ...]]] | None, max_coverage: int,
                  on_answer: Any) -> None:
    """The tokens, the pinned path parameters and the coverage sample, as schemathesis' auth provider and
    hooks on this schema; ``on_answer(case, response)`` sees every answer (``after_call``)."""
    from hypothesis import strategies as st

    taken: Counter[str] = Counter()

    class RoleTokens:
        """Each request of a guarded operation: the token of the next role it admits."""

        def get(self, case: Any, context: Any) -> str | None:
            target = targets.get(case.operation.label)
            if target is None or target.public or not target.allowed:
                return None
            role = target.allowed[target.turn % len(target.allowed)]
            target.turn += 1
            return headers[role]["Authorization"]

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers["Authorization"] = data  # as schemathesis' own auth does

    schema.auth(refresh_interval=None)(RoleTokens)

    def pin(case: Any) -> Any:
        case.path_parameters = {**case.path_parameters, **targets[case.operation.label].pinned}
        return case

    def pinnable(case: Any) -> bool:
        target = targets.get(case.operation.label)
        return target is not None and bool(target.pinned) and not _breaks_path(case)

    @schema.hook
    def flatmap_case(context: Any, case: Any) -> Any:  # hypothesis' cases: about half pinned
        if _is_coverage(case) or not pinnable(case):
            return st.just(case)
        return st.booleans().map(lambda pinned: pin(case) if pinned else case)

    @schema.hook
    def map_case(context: Any, case: Any) -> Any:  # coverage cases: pinned unless they break the path
        return pin(case) if _is_coverage(case) and pinnable(case) else case

    @schema.hook
    def filter_case(context: Any, case: Any) -> bool:  # at most max_coverage coverage cases per operation
        if samples is None or not _is_coverage(case):
            return True
        label = case.operation.label
        if _coverage_key(case) not in samples.get(label, set()) or taken[label] >= max_coverage:
            return False
        taken[label] += 1
        return True

    @schema.hook
    def after_call(context: Any, case: Any, response: Any) -> None:
        on_answer(case, response)


def _exchange(case: Any, response: Any, role: str, source: str) -> Exchange:
    request = response.request
    return Exchange(method=case.method.upper(), template=case.path, url=str(request.url or ""), role=role,
                    source=source, request_type=_header(request.headers, "content-type") or "(none)",
                    request_body=_shown_body(case), status=response.status_code,
                    content_type=_header(response.headers, "content-type"), content=response.content or b"")


def fuzz(base: str, max_examples: int, max_coverage: int, seed: int, identities: dict[str, str],
         log: IO[str] | None = None) -> Report:
    from schemathesis.core.failures import Failure
    from schemathesis.core.result import Ok
    from schemathesis.engine import events, from_schema
    from schemathesis.generation import GenerationMode

    report = Report(log=log)
    document = requests.get(f"{base}/openapi.json", timeout=TIMEOUT).json()
    schema = load_schema(document, base, seed, max_examples, coverage=max_coverage != 0)
    headers = {role: {"Authorization": f"Bearer {token}"} for role, token in tokens(identities).items()}
    role_of = {values["Authorization"]: role for role, values in headers.items()}
    setup = Setup(base, headers, random.Random())  # fresh people each run: a reused server keeps the old ones
    pins = setup.pins(identities, report.notes)
    report.setup_requests = setup.sent

    targets: dict[str, Target] = {}
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Ok):
            operation = result.ok()
            operations.append(operation)
            spec = document["paths"][operation.path][operation.method.lower()]
            targets[operation.label] = _target(operation.method, spec, list(headers), pins)
    report.operations = len(operations)
    samples = {operation.label: _coverage_sample(schema, operation, max_coverage, seed)
               for operation in operations} if max_coverage > 0 else None

    first: dict[str, Any] = {}  # label -> the first positive case sent (the probes repeat it)
    probing: dict[str, str] = {}  # case id -> the probe it is
    exchanges: dict[str, Exchange] = {}  # case id -> what was sent and answered (the last, if sent again)

    def on_answer(case: Any, response: Any) -> None:
        role = role_of.get(_header(case.headers, "authorization"), "anonymous")
        exchange = _exchange(case, response, role, probing.get(case.id) or _source(case))
        exchanges[case.id] = exchange
        report.record(exchange)
        meta = case.meta
        if meta is not None and meta.generation.mode == GenerationMode.POSITIVE:
            first.setdefault(case.operation.label, case)

    install_hooks(schema, targets, headers, samples, max_coverage, on_answer)

    def failed(failure: Failure, exchange: Exchange | None) -> None:
        kind, detail = failure.title, failure.message
        if kind.startswith("Custom check failed"):  # ours: "Malformed error response: what is wrong"
            kind, _, detail = detail.partition(": ")
        report.failures.append((kind, _gist(detail), exchange or Exchange(
            "?", failure.operation, "", "", "?", "", "", 0, "", b"")))

    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.failure_info is not None:
                        failed(check.failure_info.failure, exchanges.get(case_id))
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            info = getattr(event, "info", None)
            title = f"{info.title}: {info.message}" if info is not None else repr(event.exception)
            report.errors.append(f"{getattr(event, 'label', 'run')}: {title[:300]}")
        elif isinstance(event, events.EngineFinished):
            for failure in event.failures:
                failed(failure, None)

    # the probes: the first positive example of each guarded operation, without a token and as a refused role
    session = requests.Session()
    for label, case in first.items():
        target = targets[label]
        if target.public:
            continue
        probes: list[tuple[str, dict[str, str]]] = [("no-token", {})]
        if target.refused:
            probes.append(("wrong-role", headers[target.refused[0]]))
        for source, sent in probes:
            probe = case.derive(headers={**{k: v for k, v in case.headers.items() if k.lower() != "authorization"},
                                         **sent})
            probing[probe.id] = source
            response = probe.call(base_url=base, session=session, timeout=TIMEOUT)
            for failure in check_answer(probe, response):
                failed(failure, exchanges.get(probe.id))
    return report


def print_report(report: Report, seconds: float, seed: int) -> None:
    print(f"\nfuzz: {report.operations} operations, {report.sent} requests in {seconds:.1f} s "
          f"(seed {seed}; plus {report.setup_requests} setup)")
    print("statuses: " + ", ".join(f"{status}: {count}" for status, count in sorted(report.statuses.items())))
    print("sources:  " + ", ".join(f"{source}: {count}" for source, count in sorted(report.sources.items())))
    for note in report.notes:
        print(f"note: {note}")
    for error in report.errors:
        print(f"ERROR (fuzzer): {error}")
    if not report.failures:
        print(f"\nfailures: none ({', '.join(CHECKS)})")
        return
    print(f"\nfailures: {len(report.failures)}")
    for kind, detail, exchange in report.failures:
        print(f"  {exchange.method} {exchange.target[:120]} -> {exchange.status} [{kind}] {detail[:160]}")
    groups: dict[tuple[str, int, str], list[Exchange]] = {}
    for kind, detail, exchange in report.failures:
        groups.setdefault((kind, exchange.status, detail), []).append(exchange)
    print(f"\ndistinct failures: {len(groups)} (kind, status and what is wrong; the first example of each)")
    for (kind, status, detail), exchanges in groups.items():
        first = exchanges[0]
        operations = sorted({f"{e.method} {e.template}" for e in exchanges})
        print(f"- {status} [{kind}] {detail}: {len(exchanges)} answers on {len(operations)} operations")
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
                        help="schemathesis' fuzzing phase: hypothesis examples per operation, positive and "
                             "negative, about half with reachable path parameters pinned; default 2")
    parser.add_argument("--max-coverage", type=_coverage_count, default=8,
                        help="schemathesis' coverage phase: a seeded sample of its cases per operation (each "
                             "field at its bounds, left out, of a wrong type, broken in turn); 'all' sends every "
                             "one (about 2,100 in all), 0 none; default 8")
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
        print(f"fuzzing {base} (seed {seed}; per operation: up to {args.max_examples} hypothesis examples, "
              f"{coverage} coverage cases; checks: {', '.join(CHECKS)})")
        sys.stdout.flush()
        report = fuzz(base, args.max_examples, args.max_coverage, seed, identities, args.log)
    print_report(report, time.monotonic() - started, seed)
    if report.errors or report.sent == 0:
        print("the fuzz run did not complete: see ERROR lines above")
        return 2
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
