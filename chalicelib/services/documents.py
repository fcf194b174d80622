"""Documents of a case: the one-time notice, the acceptance receipt, the result notice.

JSON by default (the notice keeps its original form); a PDF when the client accepts
``application/pdf``; a presigned link to the stored PDF when the client asks (``delivery=link``)
or when the PDF is larger than API Gateway should carry (base64 adds a third to the 6 MB limit).
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable, Protocol

from msgspec import Struct

from ..domain import access
from ..domain.cases.case import Actor
from ..domain.cases.documents import Document, build_document, content_disposition, document_view, progress_url
from ..domain.cases.records import notice_view
from ..domain.errors import Invalid

if TYPE_CHECKING:  # fpdf2 loads only when a PDF is rendered
    from ..adapters.pdf import Rendered

log = logging.getLogger(__name__)
LINK_THRESHOLD_BYTES = 1_000_000
DELIVERIES = ("inline", "link")


class DocumentStore(Protocol):
    def keep(self, key: str, body: bytes) -> bool: ...
    def link(self, key: str, filename: str, fallback: str) -> dict[str, Any]: ...


class PdfFile(Struct, frozen=True):
    body: bytes
    filename: str
    disposition: str  # the Content-Disposition header
    sha256: str


def read_delivery(value: str | None) -> str:
    if value in (None, ""):
        return "inline"
    if value not in DELIVERIES:
        raise Invalid("UNKNOWN_DELIVERY", f"delivery must be one of {', '.join(DELIVERIES)}", "delivery")
    return str(value)


def storage_key(document: Document, rendered: Rendered) -> str:
    """``documents/<case>/<kind>-v<case version>-<sha256 prefix>.pdf``: one version, one key."""
    return f"documents/{document.case_id}/{document.kind}-v{document.version}-{rendered.sha256[:16]}.pdf"


def issue(repo: Any, store: DocumentStore, render: Callable[[Document], Rendered], case_id: str, kind: str,
         actor: Actor, relation: str, as_pdf: bool, delivery: str | None,
         public_base_url: str | None) -> dict[str, Any] | PdfFile:
    """The document ``kind`` of a case in the form asked for; 409 for a result notice before a decision."""
    how = read_delivery(delivery)
    case = repo.get(case_id)
    access.check_case(relation, actor, case)
    if kind == "notice" and not as_pdf and how == "inline":
        return notice_view(case)
    document = build_document(case, kind, progress_url(public_base_url, case.case_id))
    if not as_pdf and how == "inline":
        return document_view(document)
    rendered = render(document)
    if rendered.missing:  # the count only: the characters may be part of a name
        log.warning("case %s %s: %d characters outside the fonts, printed as 〓", case_id, kind, len(rendered.missing))
    fallback = f"{kind}-{case.case_id}.pdf"
    if how == "link" or len(rendered.body) > LINK_THRESHOLD_BYTES:
        key = storage_key(document, rendered)
        store.keep(key, rendered.body)
        return dict(store.link(key, document.filename, fallback), sha256=rendered.sha256, size=len(rendered.body),
                    filename=document.filename, missing_characters=len(rendered.missing))
    return PdfFile(rendered.body, document.filename, content_disposition(document.filename, fallback),
                   rendered.sha256)
