"""check_upload: the stored bytes against the declaration, in the order size, type, magic, checksum."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import pytest

from chalicelib.domain.cases.case import Material
from chalicelib.domain.cases.uploads import check_upload
from chalicelib.domain.errors import Invalid

PDF = b"%PDF-1.4\n% material\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 20
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20


@dataclass(frozen=True)
class FakeStored:
    size: int
    content_type: str
    sha256: str
    head: bytes
    version_id: str | None = "v-1"


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
