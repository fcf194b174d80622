"""Routes without a token: liveness, this API's OpenAPI document, and 进度查询 — the applicant's own progress page
and lookup (the case number and the ID number's last six characters; limited per client and per case)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from .. import config as settings
from ..wiring import comparisons, deps, progress_counters
from .pipeline import Call, handles

if TYPE_CHECKING:  # the progress lookup and reports load with their routes' first request, not with ``app``
    from ..services import progress

routes = Blueprint(__name__)


@handles(routes, "GET /health")
def health(call: Call) -> dict[str, Any]:
    return {"status": "ok", "stage": settings.load().stage}


DOCUMENT = Path(__file__).with_name("openapi.json")


@handles(routes, "GET /openapi.json")
def openapi_document(call: Call) -> Response:
    """The OpenAPI document of every route as generated at build time (``python -m chalicelib.api.openapi``)."""
    return Response(body=DOCUMENT.read_text(encoding="utf-8"), status_code=200,
                    headers={"Content-Type": "application/json; charset=utf-8"})


@handles(routes, "GET /progress")
def progress_page(call: Call) -> Response:
    """The page the receipt's QR code opens: a form that POSTs the case number and ID suffix."""
    from ..progress_page import HEADERS, HTML

    return Response(body=HTML, status_code=200, headers=dict(HEADERS))


def progress_limits() -> progress.Limits:
    """The lookup's limits (config), which the reports made on the page and at windows share."""
    from ..services import progress

    config = settings.load()
    return progress.Limits(config.progress_client_lookups, config.progress_client_window_seconds,
                           config.progress_case_failures)


def _client(call: Call) -> str:
    return str((call.request.context.get("identity") or {}).get("sourceIp") or "unknown")


@handles(routes, "POST /progress")
def progress_lookup(call: Call) -> dict[str, Any]:
    """{case_id, id_suffix} → the status and the dated milestones, nothing more."""
    from ..services import progress

    return progress.lookup(deps().repo, progress_counters(), progress_limits(), settings.load().person_key_secret,
                           _client(call), call.body, call.now)


@handles(routes, "POST /progress/report")
def progress_report(call: Call) -> dict[str, Any]:
    """个人主动申报 {case_id, id_suffix, change, reporter, note?, contact?}: proposals for the 业务属地, never a stop;
    the lookup's limits and its one 404."""
    from ..services import reports

    return reports.report_publicly(comparisons(), deps().repo, progress_counters(), progress_limits(), _client(call),
                                   call.body, call.now)

