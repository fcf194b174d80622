"""Routes of the documents handed to the applicant: 一次性告知书, 受理回执, 结果通知书 — JSON, the A4 PDF with
``Accept: application/pdf``, or ``?delivery=link``: a presigned link to the stored PDF."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from .. import config as settings
from .pipeline import Call, handles

routes = Blueprint(__name__)


def render_pdf(document: Any) -> Any:
    """fpdf2 and the 4 MB font load only when a PDF is asked for (they would add ~0.2 s to every cold start)."""
    from ..adapters.pdf import render

    return render(document)


def _document(call: Call, case_id: str, kind: str) -> Any:
    """The documents' service and stored files load with the first document asked for, not with ``app``."""
    from ..adapters.document_files import DocumentFiles
    from ..services import documents

    accept = [part.split(";")[0].strip().lower() for part in (call.header("accept") or "").split(",")]
    result = documents.issue(call.deps().repo, DocumentFiles(), render_pdf, case_id, kind, call.actor, call.relation,
                            "application/pdf" in accept, call.query.get("delivery"), settings.load().public_base_url)
    if isinstance(result, documents.PdfFile):
        return Response(body=result.body, status_code=200, headers={
            "Content-Type": "application/pdf", "Content-Disposition": result.disposition,
            "ETag": f'"{result.sha256}"', "Cache-Control": "private, no-store"})
    return result


@handles(routes, "GET /cases/{case_id}/notice")
def get_notice(call: Call, case_id: str) -> Any:
    """一次性告知书: JSON (the notice as accepted), or the A4 PDF with Accept: application/pdf."""
    return _document(call, case_id, "notice")


@handles(routes, "GET /cases/{case_id}/receipt")
def get_receipt(call: Call, case_id: str) -> Any:
    """受理回执: case number, dates, 业务属地, statutory timetable, progress QR code (PDF with Accept)."""
    return _document(call, case_id, "receipt")


@handles(routes, "GET /cases/{case_id}/result-notice")
def get_result_notice(call: Call, case_id: str) -> Any:
    """结果通知书 once the 业务属地 has decided (409 RESULT_NOT_DECIDED before)."""
    return _document(call, case_id, "result_notice")
