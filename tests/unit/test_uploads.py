"""check_upload: the stored bytes against the declaration, in the order size, type, magic, checksum."""
from __future__ import annotations

import hashlib

import pytest
from msgspec import Struct
from msgspec.structs import replace

from chalicelib.domain.cases.case import Material
from chalicelib.domain.cases.uploads import active_content, check_upload
from chalicelib.domain.errors import Invalid

PDF = b"%PDF-1.4\n% material\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 20
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20


class FakeStored(Struct, frozen=True):
    size: int
    content_type: str
    sha256: str
    head: bytes
    version_id: str | None = "v-1"
    active: str | None = None


def declared(content: bytes, content_type: str) -> Material:
    return Material(material_id="m1", code="id_card", filename="id_card", content_type=content_type,
                    size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                    object_key="cases/C1/materials/m1", registered_at="2026-09-24T09:30:00+08:00")


def stored(content: bytes, content_type: str) -> FakeStored:
    return FakeStored(len(content), content_type, hashlib.sha256(content).hexdigest(), content[:16])


def refused(material: Material, landed: FakeStored) -> Invalid:
    with pytest.raises(Invalid) as raised:
        check_upload(material, landed)
    assert raised.value.field == "material_id"
    assert raised.value.status == 422
    return raised.value


@pytest.mark.parametrize("content, content_type", [
    (PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png"),
], ids=["pdf", "jpeg", "png"])
def test_a_stored_object_matching_its_declaration_passes(content, content_type):
    assert check_upload(declared(content, content_type), stored(content, content_type)) is None


@pytest.mark.parametrize("stored_type", [
    "application/pdf; charset=binary", "Application/PDF", " application/pdf ", "application/pdf;",
])
def test_a_stored_content_type_with_parameters_or_another_case_still_matches(stored_type):
    check_upload(declared(PDF, "application/pdf"), stored(PDF, stored_type))


def test_a_size_mismatch_raises_upload_size_mismatch():
    landed = replace(stored(PDF, "application/pdf"), size=len(PDF) + 1)
    assert refused(declared(PDF, "application/pdf"), landed).code == "UPLOAD_SIZE_MISMATCH"


@pytest.mark.parametrize("stored_type", ["image/png", "", "application/octet-stream", "application/pdfx"])
def test_a_content_type_mismatch_raises_upload_type_mismatch(stored_type):
    assert refused(declared(PDF, "application/pdf"), stored(PDF, stored_type)).code == "UPLOAD_TYPE_MISMATCH"


@pytest.mark.parametrize("content, content_type", [
    (PNG, "application/pdf"), (PDF, "image/jpeg"), (JPEG, "image/png"), (b"%PDF", "application/pdf"),
    (b"", "image/png"),
], ids=["png-as-pdf", "pdf-as-jpeg", "jpeg-as-png", "truncated-pdf-magic", "empty-png"])
def test_bytes_that_are_not_the_declared_type_raise_upload_content_mismatch(content, content_type):
    # declared and stored agree on size, type and checksum: only the magic bytes betray the file
    assert refused(declared(content, content_type), stored(content, content_type)).code == "UPLOAD_CONTENT_MISMATCH"


def test_a_checksum_mismatch_raises_upload_checksum_mismatch():
    other = PDF.replace(b"material", b"materiaL")
    assert len(other) == len(PDF)
    assert refused(declared(PDF, "application/pdf"), stored(other, "application/pdf")).code == \
        "UPLOAD_CHECKSUM_MISMATCH"


def test_an_uppercase_stored_checksum_is_not_the_declared_lowercase_one():
    landed = replace(stored(PDF, "application/pdf"), sha256=hashlib.sha256(PDF).hexdigest().upper())
    assert refused(declared(PDF, "application/pdf"), landed).code == "UPLOAD_CHECKSUM_MISMATCH"


ALL_WRONG = FakeStored(size=len(PDF) + 5, content_type="image/png", sha256="0" * 64, head=PNG[:16])


@pytest.mark.parametrize("landed, code", [
    (ALL_WRONG, "UPLOAD_SIZE_MISMATCH"),
    (replace(ALL_WRONG, size=len(PDF)), "UPLOAD_TYPE_MISMATCH"),
    (replace(ALL_WRONG, size=len(PDF), content_type="application/pdf"), "UPLOAD_CONTENT_MISMATCH"),
    (replace(ALL_WRONG, size=len(PDF), content_type="application/pdf", head=PDF[:16]), "UPLOAD_CHECKSUM_MISMATCH"),
], ids=["size-first", "then-type", "then-magic-bytes", "then-checksum"])
def test_the_first_mismatch_in_the_order_size_type_magic_checksum_is_the_one_reported(landed, code):
    assert refused(declared(PDF, "application/pdf"), landed).code == code


# --- active content (issue 17.7) ------------------------------------------------------------------------------

def pdf(*objects: bytes) -> bytes:
    return b"%PDF-1.7\n" + b"\n".join(objects) + b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def flate_stream(content: bytes) -> bytes:
    import zlib

    packed = zlib.compress(content)
    return b"5 0 obj\n<< /Type /ObjStm /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed) + packed + \
        b"\nendstream\nendobj"


PLAIN_PDF = pdf(b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj", flate_stream(b"BT /F1 12 Tf (hello) Tj ET"))
PNG_IMAGE = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
JPEG_IMAGE = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 20 + b"\xff\xd9"


@pytest.mark.parametrize("content_type, data", [
    ("application/pdf", PLAIN_PDF), ("image/png", PNG_IMAGE), ("image/jpeg", JPEG_IMAGE),
])
def test_plain_content_is_accepted(content_type, data):
    assert active_content(content_type, data) is None


@pytest.mark.parametrize("name, content_type, data, said", [
    ("open-action JavaScript", "application/pdf",
     pdf(b"1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj"), "/javascript"),
    ("escaped name", "application/pdf", pdf(b"1 0 obj << /OpenAction << /S /J#61vaScript >> >> endobj"),
     "/javascript"),
    ("launch action", "application/pdf", pdf(b"1 0 obj << /AA << /O << /S /Launch /F (cmd.exe) >> >> >> endobj"),
     "/launch"),
    ("embedded file", "application/pdf", pdf(b"1 0 obj << /Names << /EmbeddedFiles 3 0 R >> >> endobj"),
     "/embeddedfiles"),
    ("JavaScript in an object stream", "application/pdf",
     pdf(flate_stream(b"<< /S /JavaScript /JS (this.exportDataObject()) >>")), "compressed stream"),
    ("HTML body", "application/pdf", b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>", "HTML"),
    ("HTML in a PNG", "image/png", PNG_IMAGE[:-12] + b"<script>alert(1)</script>" + PNG_IMAGE[-12:], "HTML"),
    ("PNG cut short", "image/png", PNG_IMAGE[:-12], "IEND"),
    ("JPEG cut short", "image/jpeg", JPEG_IMAGE[:-2], "end-of-image"),
])
def test_active_or_disguised_content_is_named(name, content_type, data, said):
    assert said in (active_content(content_type, data) or ""), name


def test_a_compression_bomb_is_refused_without_inflating_it_whole():
    import zlib

    bomb = pdf(flate_stream(b"\x00" * (17 * 1024 * 1024)))
    assert len(bomb) < 100_000 and "16 MB" in (active_content("application/pdf", bomb) or "")
    assert len(zlib.compress(b"\x00" * 1024)) < 100


def test_stored_active_content_is_refused_after_the_checksum():
    data = pdf(b"1 0 obj << /S /Launch >> endobj")
    stored = FakeStored(size=len(data), content_type="application/pdf", sha256=hashlib.sha256(data).hexdigest(),
                        head=data[:16], active=active_content("application/pdf", data))
    with pytest.raises(Invalid) as refused:
        check_upload(declared(data, "application/pdf"), stored)
    assert refused.value.code == "UPLOAD_ACTIVE_CONTENT" and refused.value.field == "material_id"
