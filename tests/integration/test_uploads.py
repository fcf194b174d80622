"""Uploads: per-type limits, and refused bytes moved to quarantine, never served."""
from __future__ import annotations

import boto3

from chalicelib.config import load
from tests.integration.conftest import store_object
from tests.support.people import declaration, fresh_application, pdf_bytes


def test_refused_bytes_go_to_quarantine_and_a_good_upload_then_succeeds(api):
    case = api.window("POST", "/cases", fresh_application()).data
    good = pdf_bytes("photo")
    registered = api.window("POST", f"/cases/{case['case_id']}/materials", declaration("photo", good)).data
    key = registered["upload"]["fields"]["key"]
    store_object(registered["upload"], b"MZ" + good[2:])  # same size, not a PDF
    refused = api.window("POST", f"/cases/{case['case_id']}/materials/{registered['material_id']}/confirm")
    assert (refused.status_code, refused.data["error"]["code"]) == (422, "UPLOAD_CONTENT_MISMATCH")
    s3 = boto3.client("s3")
    bucket = load().materials_bucket
    quarantined = s3.list_objects_v2(Bucket=bucket, Prefix=f"quarantine/{key}/").get("Contents", [])
    assert len(quarantined) == 1
    assert s3.get_object(Bucket=bucket, Key=quarantined[0]["Key"])["Body"].read().startswith(b"MZ")
    assert s3.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount", 0) == 0  # nothing left to serve

    store_object(registered["upload"], good)
    confirmed = api.window("POST", f"/cases/{case['case_id']}/materials/{registered['material_id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.data["status"] == "received"


def test_each_content_type_has_its_own_size_limit(api):
    case = api.window("POST", "/cases", fresh_application()).data
    photo = {"code": "photo", "filename": "photo.jpg", "content_type": "image/jpeg", "size": 9 * 1024 * 1024,
             "sha256": "0" * 64}
    too_big = api.window("POST", f"/cases/{case['case_id']}/materials", photo)
    assert (too_big.status_code, too_big.data["error"]["code"]) == (413, "MATERIAL_TOO_LARGE")
    scan = dict(photo, filename="form.pdf", content_type="application/pdf", code="application_form")
    assert api.window("POST", f"/cases/{case['case_id']}/materials", scan).status_code == 201
