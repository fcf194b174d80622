"""Is the stored object the material that was declared? Size, type, magic bytes, SHA-256.

Presigned-POST conditions are not a guard (moto ignores them, and a client may bypass them);
this comparison of the bytes that actually landed is.

Implements: no statute — an engineering rule (the bytes that landed are the bytes declared). It guards the electronic
materials the system keeps in place of paper (民办发〔2021〕2号, DOMAIN.md §2).
"""
from __future__ import annotations

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
