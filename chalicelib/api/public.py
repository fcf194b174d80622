"""Routes without a token: liveness, this API's OpenAPI document, and 进度查询 — the applicant's own progress page
and lookup (the case number and the ID number's last six characters; limited per client and per case)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from chalice import Blueprint, Response

from .. import config as settings
from ..services import progress
from ..wiring import deps, progress_counters
from .pipeline import Call, handles

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


@handles(routes, "POST /progress")
def progress_lookup(call: Call) -> dict[str, Any]:
    """{case_id, id_suffix} → the status and the dated milestones, nothing more."""
    config = settings.load()
    limits = progress.Limits(config.progress_client_lookups, config.progress_client_window_seconds,
                             config.progress_case_failures)
    client = str((call.request.context.get("identity") or {}).get("sourceIp") or "unknown")
    return progress.lookup(deps().repo, progress_counters(), limits, config.person_key_secret, client, call.body,
                           call.now)
