"""Is the stored object the material that was declared? Size, type, magic bytes, SHA-256.

Presigned-POST conditions are not a guard (moto ignores them, and a client may bypass them);
this comparison of the bytes that actually landed is.

Implements: no statute — an engineering rule (the bytes that landed are the bytes declared). It guards the electronic
materials the system keeps in place of paper (民办发〔2021〕2号, DOMAIN.md §2).
"""
from __future__ import annotations

import re
import zlib
from typing import Protocol

from ..errors import Invalid
from .case import Material

MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


class Stored(Protocol):
    size: int
    content_type: str
    sha256: str
    head: bytes
    active: str | None  # ``active_content`` of the stored bytes


def check_upload(declared: Material, stored: Stored) -> None:
    """422 naming the first way the stored bytes differ from the declaration."""
    field = "material_id"
    if stored.size != declared.size:
        raise Invalid("UPLOAD_SIZE_MISMATCH",
                      f"declared {declared.size} bytes, stored object has {stored.size}", field)
    if stored.content_type.split(";")[0].strip().lower() != declared.content_type:
        raise Invalid("UPLOAD_TYPE_MISMATCH",
                      f"declared {declared.content_type}, stored as {stored.content_type or 'no type'}", field)
    if not any(stored.head.startswith(magic) for magic in MAGIC.get(declared.content_type, ())):
        raise Invalid("UPLOAD_CONTENT_MISMATCH",
                      f"the bytes are not a {declared.content_type} file", field)
    if stored.sha256 != declared.sha256:
        raise Invalid("UPLOAD_CHECKSUM_MISMATCH", "the stored bytes do not match the declared sha256", field)
    if stored.active is not None:
        raise Invalid("UPLOAD_ACTIVE_CONTENT", f"refused: {stored.active} (a material is shown to the reviewer, and "
                      "nothing in it may run)", field)


# --- active content (issue 17.7): a material is shown to the reviewer in the browser's PDF viewer or as an image;
# nothing in it may run. Refused: PDF JavaScript, launch actions, embedded files, rich media and XFA forms (also
# hidden in #xx-escaped names or in Flate-compressed streams), HTML anywhere in a file, and images whose structure
# ends where an image must end (PNG's IEND chunk, JPEG's end-of-image marker) — a polyglot or a disguised file.
_PDF_ACTIONS = (b"/javascript", b"/js", b"/launch", b"/embeddedfile", b"/embeddedfiles", b"/richmedia", b"/xfa")
_HTML = re.compile(rb"<\s*(html|script|body|iframe|!doctype\s+html|svg|object|embed)\b", re.IGNORECASE)
_NAME = re.compile(rb"/[A-Za-z0-9#._-]+")
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.DOTALL)
MAX_INFLATED = 16 * 1024 * 1024  # decompressed bytes scanned per file, in all (a bomb is refused, not inflated)
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


def active_content(content_type: str, data: bytes) -> str | None:
    """Why a stored material could run or is not what it says, or None when it is plain content."""
    if _HTML.search(data):
        return "it holds HTML"
    if content_type == "application/pdf":
        return _pdf_actions(data)
    if content_type == "image/png" and not data.endswith(PNG_END):
        return "the PNG does not end with its IEND chunk"
    if content_type == "image/jpeg" and not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return "the JPEG does not end with its end-of-image marker"
    return None


def _pdf_actions(data: bytes) -> str | None:
    found = _pdf_names(data)
    if found:
        return f"the PDF holds {found}"
    inflated = 0
    for match in _STREAM.finditer(data):
        decoder = zlib.decompressobj()
        try:
            chunk = decoder.decompress(match.group(1), MAX_INFLATED - inflated + 1)
        except zlib.error:
            continue  # not Flate: an image or another filter, scanned raw above
        inflated += len(chunk)
        if inflated > MAX_INFLATED:
            return "the PDF's compressed streams inflate beyond 16 MB"
        if _HTML.search(chunk):
            return "the PDF holds HTML in a compressed stream"
        found = _pdf_names(chunk)
        if found:
            return f"the PDF holds {found} in a compressed stream"
    return None


def _pdf_names(data: bytes) -> str | None:
    """The first active PDF name (``/JavaScript``, also written ``/J#61vaScript``), or None."""
    for match in _NAME.finditer(data):
        name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), match.group()).lower()
        if name in _PDF_ACTIONS:
            return name.decode("latin-1")
    return None
