"""Routes only: parse → authorize → call one service → return JSON (API.md)."""
from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any, Callable

from chalice import Chalice, CORSConfig, Response
from chalice.app import Request

from chalicelib import clock
from chalicelib import config as settings
from chalicelib import jobs as scheduled_jobs
from chalicelib import observability as observe
from chalicelib.adapters.document_files import DocumentFiles
from chalicelib.adapters.store import request_reads
from chalicelib.auth import authenticate
from chalicelib.domain import access
from chalicelib.domain.case import Actor
from chalicelib.domain.errors import DomainError, Malformed, TooLarge, UnsupportedMedia
from chalicelib.services import (
    audit,
    calendar,
    cases,
    comparison,
    entitlements,
    idempotency,
    jobs,
    material_reads,
    payroll,
    progress,
    recoveries,
    rules,
    worklists,
)
from chalicelib.services import documents as document_service
from chalicelib.services import rosters as roster_loads
from chalicelib.services import supervision as supervision_routes
from chalicelib.services import unit_jobs as unit_work
from chalicelib.wiring import (
    calendar_years,
    deps,
    idempotency_keys,
    jurisdiction_rules,
    messaging,
    progress_counters,
    proposals,
    rosters,
)
from chalicelib.wiring import comparisons as comparisons_deps
from chalicelib.wiring import monitoring as monitoring_deps
from chalicelib.wiring import payroll as payroll_deps

app = Chalice(app_name="subsidy-cross-province", configure_logs=False)  # JSON lines: chalicelib/observability.py
app.api.binary_types.append("application/pdf")  # the documents; API Gateway also needs a matching Accept

CLOCK_HEADER = "x-clock-now"
MAX_BODY_BYTES = 256 * 1024  # materials travel to S3, never through the API


def _request() -> Request:
    request = app.current_request
    assert request is not None, "only called while handling a request"
    return request


def _now() -> datetime:
    """Asia/Shanghai time; the local stage alone honours X-Clock-Now or CLOCK_NOW (chalicelib.clock)."""
    return clock.now(_request().headers.get(CLOCK_HEADER))


def _body() -> Any:
    media = (_request().headers.get("content-type") or "application/json").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMedia("UNSUPPORTED_MEDIA_TYPE", f"send the body as application/json, not {media[:60]}",
                               "Content-Type")
    raw = _request().raw_body
    if not raw:
        raise Malformed("BODY_MISSING", "a JSON body is required", "body")
    if len(raw) > MAX_BODY_BYTES:
        raise TooLarge("BODY_TOO_LARGE", f"a JSON body may be at most {MAX_BODY_BYTES} bytes", "body")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurdly nested input
        raise Malformed("MALFORMED_JSON", "the body is not valid JSON", "body") from None


def _json(body: Any, status: int) -> Response:
    """JSON with Chinese text as is (not \\u-escaped), UTF-8."""
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status,
                    headers={"Content-Type": "application/json; charset=utf-8"})


def _error(error: DomainError) -> Response:
    response = _json(error.to_body(), error.status)
    response.headers.update(error.headers())
    return response


def _internal_error() -> Response:
    """Never a bare stack trace, never personal data: the log line carries the route and correlation id."""
    observe.log.exception("unhandled error")
    return _json({"error": {"code": "INTERNAL", "message": "internal error", "field": None}}, 500)


def _cors(public: bool) -> CORSConfig | None:
    """CORS for the console's one configured origin (CONSOLE_ORIGIN), or none: a preflight names only that
    origin and grants nothing by itself; every request still passes authentication and ROUTE_RULES."""
    origin = settings.console_origin()
    if origin is None or public:
        return None
    return CORSConfig(allow_origin=origin, allow_headers=["Idempotency-Key"], max_age=600,
                      expose_headers=["Idempotent-Replayed", "X-Correlation-Id"])


def _served(serve: Callable[..., Response], params: dict[str, str]) -> Response:
    """A failure before the handler runs (authentication, reach, idempotency) is a 500 in our format too.
    The reach check's read of the case also serves the handler's first read of it (``request_reads``)."""
    try:
        with request_reads():
            return serve(**params)
    except Exception:  # noqa: BLE001 - answered in the API's format
        return _internal_error()


def endpoint(path: str, method: str = "GET", status: int = 200, public: bool = False) -> Callable[..., Any]:
    """Register a route whose authorization comes from ``access.ROUTE_RULES`` (deny by default)."""
    route_key = f"{method} {path}"

    def answer(call: Callable[[], Any]) -> Response:
        try:
            result = call()
            return result if isinstance(result, Response) else _json(result, status)
        except DomainError as error:
            return _error(error)
        except Exception:  # noqa: BLE001 - answered in the API's format
            return _internal_error()

    def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
        def serve(**params: str) -> Response:
            if public:
                return answer(lambda: handler(**params))
            try:
                actor = authenticate(_request().headers.get("authorization"), settings.load())
                relation = access.rule_for(route_key, actor)
                if "case_id" in params and relation in access.CASE_RELATIONS:
                    # deny first: a case out of reach is 403 before any body is read or checked
                    access.check_case(relation, actor, deps().repo.get(params["case_id"]))
                header = _request().headers.get("idempotency-key")
                if header is None or method not in ("POST", "PUT"):
                    return answer(lambda: handler(actor, relation, **params))
                key = idempotency.scoped_key(header, actor.sub, method, json.dumps([path, params], sort_keys=True))
                raw = _request().raw_body or b""
                replay = idempotency.begin(idempotency_keys(), key, raw if isinstance(raw, bytes) else raw.encode(),
                                           _now())
            except DomainError as error:
                return _error(error)
            if replay is not None:  # the first answer again; nothing runs twice
                return Response(body=replay.body, status_code=replay.status,
                                headers={"Content-Type": "application/json; charset=utf-8",
                                         "Idempotent-Replayed": "true"})
            response = answer(lambda: handler(actor, relation, **params))
            idempotency.finish(idempotency_keys(), key, response.status_code, str(response.body))
            return response

        @functools.wraps(handler)
        def view(**params: str) -> Response:
            """Correlation id in and out (every answer, errors too), case id on every line, metrics flushed."""
            request = _request()
            correlation, response = observe.request(request.headers, request.context, route_key,
                                                    params.get("case_id"), lambda: _served(serve, params),
                                                    lambda answered: answered.status_code)
            response.headers[observe.CORRELATION_HEADER] = correlation
            return response

        # every content type reaches the view, which answers in the API's own error format (415 below)
        # instead of Chalice's {"Code": "UnsupportedMediaType"}
        app.route(path, methods=[method], content_types=["*/*"], cors=_cors(public))(view)
        return view

    return decorate


@endpoint("/health", public=True)
def health() -> dict[str, Any]:
    return {"status": "ok", "stage": settings.load().stage}


@endpoint("/cases", "POST", status=201)
def accept_case(actor: Actor, relation: str) -> dict[str, Any]:
    return cases.accept(deps(), _body(), actor, _now())


@endpoint("/cases")
def list_cases(actor: Actor, relation: str) -> dict[str, Any]:
    query: dict[str, str] = dict(_request().query_params or {})
    return worklists.worklist(deps().repo, deps().deadlines.count, actor, query, _now().date())


@endpoint("/cases/{case_id}")
def get_case(actor: Actor, relation: str, case_id: str) -> dict[str, Any]:
    return cases.read(deps(), case_id, actor, relation, _now().date())


def render_pdf(document: Any) -> Any:
    """fpdf2 and the 4 MB font load only when a PDF is asked for (they would add ~0.2 s to every cold start)."""
    from chalicelib.adapters.pdf import render

    return render(document)


def _document(actor: Actor, relation: str, case_id: str, kind: str) -> Any:
    """JSON, or the PDF with ``Accept: application/pdf``, or ``?delivery=link``: a presigned link to it."""
    accept = [part.split(";")[0].strip().lower() for part in (_request().headers.get("accept") or "").split(",")]
    query: dict[str, str] = dict(_request().query_params or {})
    result = document_service.read(deps().repo, DocumentFiles(), render_pdf, case_id, kind, actor, relation,
                                   "application/pdf" in accept, query.get("delivery"),
                                   settings.load().public_base_url)
    if isinstance(result, document_service.PdfFile):
        return Response(body=result.body, status_code=200, headers={
            "Content-Type": "application/pdf", "Content-Disposition": result.disposition,
            "ETag": f'"{result.sha256}"', "Cache-Control": "private, no-store"})
    return result


@endpoint("/cases/{case_id}/notice")
def get_notice(actor: Actor, relation: str, case_id: str) -> Any:
    """一次性告知书: JSON (the notice as accepted), or the A4 PDF with Accept: application/pdf."""
    return _document(actor, relation, case_id, "notice")


@endpoint("/cases/{case_id}/receipt")
def get_receipt(actor: Actor, relation: str, case_id: str) -> Any:
    """受理回执: case number, dates, 业务属地, statutory timetable, progress QR code (PDF with Accept)."""
    return _document(actor, relation, case_id, "receipt")


@endpoint("/cases/{case_id}/result-notice")
def get_result_notice(actor: Actor, relation: str, case_id: str) -> Any:
    """结果通知书 once the 业务属地 has decided (409 RESULT_NOT_DECIDED before)."""
    return _document(actor, relation, case_id, "result_notice")


@endpoint("/cases/{case_id}/materials", "POST", status=201)
def add_material(actor: Actor, relation: str, case_id: str) -> dict[str, Any]:
    return cases.add_material(deps(), case_id, _body(), actor, relation, _now())


@endpoint("/cases/{case_id}/materials/{material_id}/confirm", "POST")
def confirm_material(actor: Actor, relation: str, case_id: str, material_id: str) -> dict[str, Any]:
    return cases.confirm_material(deps(), case_id, material_id, actor, relation, _now())


@endpoint("/cases/{case_id}/materials/{material_id}")
def open_material(actor: Actor, relation: str, case_id: str, material_id: str) -> dict[str, Any]:
    """A received material as a short-lived presigned GET (the console shows it in the page); recorded."""
    return material_reads.open_material(deps(), case_id, material_id, actor, relation, _now())


@endpoint("/cases/{case_id}/complete", "POST")
def complete(actor: Actor, relation: str, case_id: str) -> dict[str, Any]:
    return cases.complete(deps(), case_id, actor, relation, _now())


@endpoint("/cases/{case_id}/push", "POST")
def push(actor: Actor, relation: str, case_id: str) -> dict[str, Any]:
    return cases.push(deps(), case_id, actor, relation, _now())


@endpoint("/cases/{case_id}/decision", "POST")
def decide(actor: Actor, relation: str, case_id: str) -> dict[str, Any]:
    return cases.decide(deps(), case_id, _body(), actor, relation, _now())


@endpoint("/cases/{case_id}/notification", "POST")
def notify(actor: Actor, relation: str, case_id: str) -> dict[str, Any]:
    return cases.notify(deps(), case_id, _body(), actor, relation, _now())


@endpoint("/cases/{case_id}/withdraw", "POST")
def withdraw(actor: Actor, relation: str, case_id: str) -> dict[str, Any]:
    return cases.withdraw(deps(), case_id, _body(), actor, relation, _now())


@endpoint("/cases/{case_id}/supplement-request", "POST")
def request_supplement(actor: Actor, relation: str, case_id: str) -> dict[str, Any]:
    return cases.request_supplement(deps(), case_id, _body(), actor, relation, _now())


@endpoint("/cases/{case_id}/supplement", "POST")
def send_supplement(actor: Actor, relation: str, case_id: str) -> dict[str, Any]:
    raw = _request().raw_body
    return cases.send_supplement(deps(), case_id, _body() if raw else None, actor, relation, _now())


@endpoint("/calendar/{year}")
def calendar_year(actor: Actor, relation: str, year: str) -> dict[str, Any]:
    return calendar.read_year(calendar_years(), year)


@endpoint("/calendar/{year}", "PUT")
def load_calendar_year(actor: Actor, relation: str, year: str) -> dict[str, Any]:
    result, stored = calendar.load_year(calendar_years(), year, _body(), actor.sub, _now())
    if stored:
        result["recomputed"] = jobs.recompute_provisional(deps(), int(year), _now())
    return result


@endpoint("/rules/{scope}/materials/{effective_from}", "PUT")
def put_material_rule(actor: Actor, relation: str, scope: str, effective_from: str) -> dict[str, Any]:
    return rules.put_materials(jurisdiction_rules(), actor, scope, effective_from, _body(), _now())


@endpoint("/rules/{scope}/eligibility/{effective_from}", "PUT")
def put_eligibility_rule(actor: Actor, relation: str, scope: str, effective_from: str) -> dict[str, Any]:
    return rules.put_eligibility(jurisdiction_rules(), actor, scope, effective_from, _body(), _now())


@endpoint("/rules/{scope}/amounts", "PUT")
def put_amount_table(actor: Actor, relation: str, scope: str) -> dict[str, Any]:
    return rules.put_amounts(jurisdiction_rules(), actor, scope, _body(), _now())


@endpoint("/rules/{scope}")
def rules_in_force(actor: Actor, relation: str, scope: str) -> dict[str, Any]:
    """What a 业务属地 (a 9-digit unit given as the scope) requires and pays on a day."""
    query: dict[str, str] = dict(_request().query_params or {})
    return rules.in_force(jurisdiction_rules(), scope, query.get("on"), _now().date(), query.get("agent") == "true")


@endpoint("/rosters", "POST", status=201)
def load_roster(actor: Actor, relation: str) -> dict[str, Any]:
    """Index an authoritative roster an operator put under rosters/ in the materials bucket."""
    body = _body()
    if not isinstance(body, dict):
        raise Malformed("WRONG_TYPE", "the body must be an object {kind, key}", "body")
    config = settings.load()
    return roster_loads.load_roster(rosters(), config.person_key_secret, config.materials_bucket,
                                    str(body.get("kind") or ""), str(body.get("key") or ""), actor.sub, _now())


@endpoint("/entitlements/{entitlement_id}")
def get_entitlement(actor: Actor, relation: str, entitlement_id: str) -> dict[str, Any]:
    return entitlements.read(payroll_deps(), entitlement_id, actor, _now())


@endpoint("/entitlements/{entitlement_id}/status", "POST")
def change_entitlement(actor: Actor, relation: str, entitlement_id: str) -> dict[str, Any]:
    """Suspend, stop or resume {action, effective_month, reason}: a person confirms it (应退则退)."""
    body = _body()
    action = body.get("action") if isinstance(body, dict) else None
    # the service checks the caller's reach first, then the action (move() refuses unknown ones)
    return entitlements.change(payroll_deps(), entitlement_id, str(action), body, actor, _now())


@endpoint("/entitlements/{entitlement_id}/correction", "POST")
def correct_entitlement(actor: Actor, relation: str, entitlement_id: str) -> dict[str, Any]:
    """纠错 {effective_month, reason, status?, monthly_amount?, pricing?, facts?, paid_through?}: what it changes in
    what is owed; the next roster settles what is due, a debt is listed for recovery."""
    return entitlements.change(payroll_deps(), entitlement_id, "correct", _body(), actor, _now())


@endpoint("/entitlements/{entitlement_id}/recoveries", "POST", status=201)
def record_recovery(actor: Actor, relation: str, entitlement_id: str) -> dict[str, Any]:
    """追回 {amount, received_on, reason}: money recovered settles the over-paid months, oldest first."""
    return recoveries.recover(payroll_deps(), entitlement_id, _body(), actor, _now())


@endpoint("/recoveries/{unit}")
def list_recoveries(actor: Actor, relation: str, unit: str) -> dict[str, Any]:
    """应退则退: the 业务属地's recipients who were paid more than is owed, with the months and amounts."""
    return recoveries.listing(payroll_deps(), unit, actor, _now())


@endpoint("/cases/{case_id}/identity")
def read_identity(actor: Actor, relation: str, case_id: str) -> dict[str, Any]:
    """Full ID and phone numbers (everywhere else they are masked); the read is recorded."""
    return cases.identity(deps(), case_id, actor, relation, _now())


@endpoint("/cases/{case_id}/audit")
def verify_case_chain(actor: Actor, relation: str, case_id: str) -> dict[str, Any]:
    """Check the case's hash-chained timeline; reports the first broken link."""
    access.check_case(relation, actor, deps().repo.get(case_id))
    return audit.verify_case(deps().repo, case_id)


@endpoint("/audit")
def verify_unit_chains(actor: Actor, relation: str) -> dict[str, Any]:
    """?unit=: every case of a unit or scope (supervisors, admins over it)."""
    unit = dict(_request().query_params or {}).get("unit") or actor.unit
    audit.may_verify_unit(actor, unit)
    return audit.verify_unit(deps().repo, unit)


@endpoint("/calendar/deadline")
def calendar_deadline(actor: Actor, relation: str) -> dict[str, Any]:
    query: dict[str, str] = dict(_request().query_params or {})
    return deps().deadlines.answer(query.get("start"), query.get("working_days"))


# --- supervision: monthly 查询登记 and yearly review (定期复核) ---------------------------------------
# monthly_checks, yearly_reviews and certificate_reminders only queue one message per registered 业务属地
# (one Lambda run cannot walk a province's recipients); the unit_jobs worker does one township at a time.
UNIT_JOB_CONCURRENCY = 10  # workers at once (SQS event source ScalingConfig; at least 2)


@app.on_sqs_message(queue=settings.unit_jobs_queue(), batch_size=1, maximum_concurrency=UNIT_JOB_CONCURRENCY)
@observe.queued
def unit_jobs(record: Any) -> dict[str, Any]:
    """One township's share of monthly_checks, yearly_reviews or certificate_reminders ({job, unit, period}).
    A malformed message is logged and dropped; an AWS failure raises: SQS redelivers, then dead-letters it."""
    return unit_work.work(monitoring_deps(), record.body)


@endpoint("/checks/{unit}/{month}")
def list_checks(actor: Actor, relation: str, unit: str, month: str) -> dict[str, Any]:
    """A committee's 查询登记 list of the month ({unit}: the 12-digit committee)."""
    return supervision_routes.list_checks(monitoring_deps(), actor, unit, month)


@endpoint("/checks/{unit}/{month}/changes")
def list_check_changes(actor: Actor, relation: str, unit: str, month: str) -> dict[str, Any]:
    """The township's non-present results of the month ({unit}: the 9-digit 业务属地): proposals only."""
    return supervision_routes.list_changes(monitoring_deps(), actor, unit, month)


@endpoint("/checks/{unit}/{month}/{entitlement_id}", "POST")
def record_check(actor: Actor, relation: str, unit: str, month: str, entitlement_id: str) -> dict[str, Any]:
    """{result: present|deceased|moved|other_change, note}: the committee records one check."""
    return supervision_routes.record_check(monitoring_deps(), actor, unit, month, entitlement_id, _body(), _now())


@endpoint("/reviews/{unit}/{year}")
def list_reviews(actor: Actor, relation: str, unit: str, year: str) -> dict[str, Any]:
    query: dict[str, str] = dict(_request().query_params or {})
    return supervision_routes.list_reviews(monitoring_deps(), actor, unit, year, query)


@endpoint("/reviews/{unit}/{year}/{entitlement_id}", "POST")
def record_review(actor: Actor, relation: str, unit: str, year: str, entitlement_id: str) -> dict[str, Any]:
    """{outcome: confirmed|change_needed, note}: the 业务属地's reviewer records the yearly review."""
    return supervision_routes.record_review(monitoring_deps(), actor, unit, year, entitlement_id, _body(), _now())


@endpoint("/comparisons", "POST", status=201)
def run_comparison(actor: Actor, relation: str) -> dict[str, Any]:
    """{kind, key}: match an authoritative file (under comparisons/ in the materials bucket) against
    recipients; each file is processed once, and every match becomes a proposal, never a stop."""
    body = _body()
    if not isinstance(body, dict):
        raise Malformed("WRONG_TYPE", "the body must be an object {kind, key}", "body")
    return comparison.run(comparisons_deps(), str(body.get("kind") or ""), str(body.get("key") or ""), actor.sub,
                          _now())


@endpoint("/proposals")
def list_proposals(actor: Actor, relation: str) -> dict[str, Any]:
    """?unit=&status=: the 业务属地's proposals, or (for a window) the outcome for the cases it accepted."""
    query: dict[str, str] = dict(_request().query_params or {})
    return comparison.listing(proposals(), actor, query.get("unit") or actor.unit, query.get("status"))


@endpoint("/proposals/{proposal_id}/confirm", "POST")
def confirm_proposal(actor: Actor, relation: str, proposal_id: str) -> dict[str, Any]:
    return comparison.decide(proposals(), payroll_deps(), proposal_id, "confirmed", _body(), actor, _now())


@endpoint("/proposals/{proposal_id}/reject", "POST")
def reject_proposal(actor: Actor, relation: str, proposal_id: str) -> dict[str, Any]:
    return comparison.decide(proposals(), payroll_deps(), proposal_id, "rejected", _body(), actor, _now())


@endpoint("/rules/{scope}/comparison/{effective_from}", "PUT")
def put_comparison_rule(actor: Actor, relation: str, scope: str, effective_from: str) -> dict[str, Any]:
    """{kind: 0 | 1}: from the month of the comparison, or from the next month (per province)."""
    return rules.put_comparison_rule(jurisdiction_rules(), actor, scope, effective_from, _body(), _now())


@endpoint("/payroll/{unit}/{month}", "POST", status=201)
def build_payroll(actor: Actor, relation: str, unit: str, month: str) -> dict[str, Any]:
    """发放名册, drafted: the month's roster of a 业务属地 (owed − paid through the month, per entitlement), its file,
    totals, held months and a download link. Free to rebuild until finalized."""
    return payroll.draft(payroll_deps(), unit, month, actor, _now())


@endpoint("/payroll/{unit}/{month}/finalize", "POST")
def finalize_payroll(actor: Actor, relation: str, unit: str, month: str) -> dict[str, Any]:
    """{draft_sha256}: the roster paid as the reviewer checked it, written into the ledger; refused twice."""
    return payroll.finalize(payroll_deps(), unit, month, _body(), actor, _now())


@endpoint("/payroll/{unit}/{month}")
def download_payroll(actor: Actor, relation: str, unit: str, month: str) -> dict[str, Any]:
    """?stage=final|draft: the roster's record and a 15-minute link to its file; each download is recorded."""
    return payroll.download(payroll_deps(), unit, month, dict(_request().query_params or {}).get("stage"), actor,
                            _now())


@endpoint("/payroll/{unit}")
def list_payrolls(actor: Actor, relation: str, unit: str) -> dict[str, Any]:
    """The 业务属地's rosters, drafted and finalized."""
    return payroll.listing(payroll_deps(), unit, actor)


@endpoint("/rules/{scope}/payment/{effective_from}", "PUT")
def put_payment_setting(actor: Actor, relation: str, scope: str, effective_from: str) -> dict[str, Any]:
    """A province's payment setting {roster_id_number: masked|full} from a day on."""
    return rules.put_payment_setting(jurisdiction_rules(), actor, scope, effective_from, _body(), _now())


@endpoint("/openapi.json", public=True)
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of every route (chalicelib/openapi.py), served without a token."""
    from chalicelib.openapi import document

    return document()


# --- 进度查询: the applicant's progress, no token (limited per client and per case) -----------------


@endpoint("/progress", public=True)
def progress_page() -> Response:
    """The page the receipt's QR code opens: a form that POSTs the case number and ID suffix."""
    from chalicelib.progress_page import HEADERS, HTML

    return Response(body=HTML, status_code=200, headers=dict(HEADERS))


@endpoint("/progress", "POST", public=True)
def progress_lookup() -> dict[str, Any]:
    """{case_id, id_suffix} → the status and the dated milestones, nothing more."""
    config = settings.load()
    limits = progress.Limits(config.progress_client_lookups, config.progress_client_window_seconds,
                             config.progress_case_failures)
    client = str((_request().context.get("identity") or {}).get("sourceIp") or "unknown")
    return progress.lookup(deps().repo, progress_counters(), limits, config.person_key_secret, client, _body,
                           _now())


@endpoint("/messages/{message_id}/receipt", "POST")
def sms_receipt(actor: Actor, relation: str, message_id: str) -> dict[str, Any]:
    """The province's SMS gateway reports a delivery {status: delivered|failed, at, error_code?, attempt?}:
    delivered on the timeline, or a failed attempt back into the retries (then failed and reported)."""
    from chalicelib.services import sms_receipts

    return sms_receipts.record(messaging(), message_id, _body, actor, relation, _now())


# --- the scheduled jobs: one EventBridge schedule per entry of chalicelib/jobs.py's table ----------------------

def _scheduled(job: scheduled_jobs.Job) -> Callable[[Any], dict[str, Any]]:
    def handler(event: Any) -> dict[str, Any]:
        return job.run(clock.now())

    # named after its job everywhere, tracebacks and the IAM test's stack walk included (tests/infra/aws_calls.py)
    handler.__code__ = handler.__code__.replace(co_name=job.name, co_qualname=job.name)
    handler.__name__ = handler.__qualname__ = job.name
    handler.__doc__ = job.doc
    return handler


# each handler is also a module attribute of its name: a deployed function's handler is "app.<name>"
for _job in scheduled_jobs.JOBS:
    if _job.schedule:
        globals()[_job.name] = app.schedule(_job.schedule, name=_job.name)(observe.scheduled(_scheduled(_job)))
