"""The documents as the window prints them: PDFs fetched through the API on moto, read back as text,
fonts and pixels, the receipt's QR code decoded; JSON forms, link delivery, who may read them."""
from __future__ import annotations

import hashlib
import io
from typing import Any
from urllib.parse import unquote, urlparse

import boto3
import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from chalicelib.config import load
from tests.integration import conftest as integration
from tests.support.people import HARBIN_OTHER_TOWNSHIP, HARBIN_TOWNSHIP, SHANGHAI_WINDOW, fresh_application

PDF = {"Accept": "application/pdf"}
REFUSAL = "经核查，申请人家庭不在低保范围内，且残疾等级为三级肢体，不符合两项补贴的条件。"


def pdf_call(api: Any, path: str, role: str = "window", unit: str = SHANGHAI_WINDOW,
             headers: dict[str, str] | None = None) -> Any:
    """A GET whose answer may be a PDF (the shared helper would parse every body as JSON)."""
    sent = {"X-Clock-Now": api.now, "Authorization": f"Bearer {api.token(role, unit)}", **(headers or {})}
    return api.client.http.get(path, headers=sent)


def through_review(api: Any, body: dict[str, Any]) -> str:
    """Accepted 2026-09-24, complete 09-30, pushed 10-09 (D2 due 10-22): awaiting the decision."""
    api.now = "2026-09-24T09:30:00+08:00"
    case_id = api.ready_case(body, materials_on="2026-09-30T16:00:00+08:00")["case_id"]
    api.now = "2026-10-09T11:00:00+08:00"
    assert api.window("POST", f"/cases/{case_id}/push").status_code == 200
    return case_id


def decided(api: Any, body: dict[str, Any], decision: dict[str, Any]) -> str:
    case_id = through_review(api, body)
    api.now = "2026-10-20T15:00:00+08:00"
    answer = api.reviewer("POST", f"/cases/{case_id}/decision", decision)
    assert answer.status_code == 200, answer.data
    return case_id


@pytest.fixture(scope="module")
def world() -> Any:
    """Three cases and their PDFs, each rendered once for the whole module."""
    for api in integration.shared_api():
        approved_body, refused_body, open_body = fresh_application(), fresh_application(), fresh_application()
        approved = decided(api, approved_body, {"outcome": "approved", "reason": "符合条件", "subsidies": [
            {"type": "living", "monthly_amount": "99"}, {"type": "nursing", "monthly_amount": "120.5"}]})
        refused = decided(api, refused_body, {"outcome": "rejected", "subsidies": [], "reason": REFUSAL})
        api.now = "2026-09-24T09:30:00+08:00"
        just_accepted = api.window("POST", "/cases", open_body).data["case_id"]
        api.now = "2026-10-21T09:00:00+08:00"
        pdfs = {
            "notice": pdf_call(api, f"/cases/{approved}/notice", headers=PDF),
            "receipt": pdf_call(api, f"/cases/{approved}/receipt", headers=PDF),
            "approved": pdf_call(api, f"/cases/{approved}/result-notice", headers=PDF),
            "refused": pdf_call(api, f"/cases/{refused}/result-notice", headers=PDF),
            "open_receipt": pdf_call(api, f"/cases/{just_accepted}/receipt", headers=PDF),
        }
        ids = {"approved": approved, "refused": refused, "open": just_accepted,
               "approved_id": approved_body["applicant"]["id_number"],
               "refused_id": refused_body["applicant"]["id_number"]}
        yield api, ids, pdfs


def text_of(response: Any) -> str:
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.body)).pages)


def flat(text: str) -> str:
    """Extracted text without the line breaks the layout put inside long values."""
    return "".join(text.split())


def first_page_image(body: bytes) -> Any:
    page = pypdfium2.PdfDocument(body)[0]
    return page.render(scale=2).to_pil().convert("L")


@pytest.mark.parametrize("name", ["notice", "receipt", "approved", "refused", "open_receipt"])
def test_each_document_is_an_a4_pdf_with_its_fonts_embedded_and_a_title(world, name):
    _, _, pdfs = world
    reader = PdfReader(io.BytesIO(pdfs[name].body))
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    embedded = []
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)["/FontDescriptor"]
        embedded.append("/FontFile2" in descriptor.get_object() or "/FontFile3" in descriptor.get_object())
    assert embedded and all(embedded)
    assert reader.metadata.title.startswith("残疾人两项补贴")
    assert reader.metadata.producer.startswith("subsidy-cross-province documents")


@pytest.mark.parametrize("name", ["notice", "receipt", "approved", "refused"])
def test_page_one_renders_to_an_image_with_dark_text_in_the_title_and_body_areas(world, name):
    _, _, pdfs = world
    image = first_page_image(pdfs[name].body)
    width, height = image.size
    title = image.crop((0, 0, width, height // 10))
    body = image.crop((0, height // 10, width, height // 2))
    assert sum(title.histogram()[:96]) > 500
    assert sum(body.histogram()[:96]) > 5000


def test_the_notice_lists_every_material_with_the_case_the_places_and_the_masked_id_number(world):
    api, ids, pdfs = world
    text = flat(text_of(pdfs["notice"]))
    assert "一次性告知书" in text and ids["approved"] in text
    for name in ("申请表", "身份证", "户口簿", "残疾人证", "一寸免冠照片", "银行或信用社账户"):
        assert name in text
    assert "黑龙江省道里区（230102001）" in text and "上海市黄浦区（310101002）" in text
    assert "2026年9月24日" in text
    person = ids["approved_id"]
    assert person[:3] + "*" * 11 + person[-4:] in text
    assert person not in text and person[6:14] not in text  # neither the number nor the birth date


def test_the_receipt_gives_the_statutory_timetable_with_its_dates_and_how_to_follow_progress(world):
    api, ids, pdfs = world
    text = flat(text_of(pdfs["receipt"]))
    case_id = ids["approved"]
    assert "受理回执" in text and case_id in text and "黑龙江省道里区（230102001）" in text
    assert "自申请材料收齐之日起3个工作日内" in text and "2026年9月30日" in text and "2026年10月10日" in text
    assert "自收到推送材料之日起10个工作日内" in text and "2026年10月9日" in text and "2026年10月22日" in text
    assert "自收到认定结果之日起3个工作日内" in text and "2026年10月20日" in text and "2026年10月23日" in text
    assert "公民身份号码后六位" in text and "POST/progress" in text
    assert f"http://127.0.0.1:8000/progress?case={case_id}" in text
    assert ids["approved_id"] not in text


def test_a_receipt_before_the_materials_are_complete_says_when_each_step_will_start(world):
    _, ids, pdfs = world
    text = flat(text_of(pdfs["open_receipt"]))
    assert ids["open"] in text
    assert "材料收齐后起算" in text and "推送后起算" in text and "认定后起算" in text


def test_the_receipts_qr_code_opens_the_cases_public_progress_page_and_carries_no_part_of_the_id(world):
    _, ids, pdfs = world
    found = zxingcpp.read_barcodes(first_page_image(pdfs["receipt"].body))
    assert [code.text for code in found] == [f"http://127.0.0.1:8000/progress?case={ids['approved']}"]
    assert ids["approved_id"][-6:] not in found[0].text


def test_the_approval_notice_gives_each_subsidy_its_monthly_amount_and_start_month(world):
    _, ids, pdfs = world
    text = flat(text_of(pdfs["approved"]))
    assert "认定结果通知书" in text and ids["approved"] in text and "符合条件，予以认定" in text
    assert "困难残疾人生活补贴99.00元2026年9月" in text
    assert "重度残疾人护理补贴120.50元2026年9月" in text
    assert "认定日期2026年10月20日" in text and "申请日期2026年9月24日" in text
    assert ids["approved_id"] not in text


def test_the_refusal_notice_says_why_and_how_to_contest_it(world):
    _, ids, pdfs = world
    text = flat(text_of(pdfs["refused"]))
    assert "不符合条件，不予认定" in text and flat(REFUSAL) in text
    assert "六十日内向道里区人民政府申请行政复议" in text
    assert "六个月内依法向道里区所在地基层人民法院提起行政诉讼" in text
    assert ids["refused_id"] not in text


def test_the_result_notice_before_a_decision_is_a_conflict(world):
    api, ids, _ = world
    for headers in (PDF, {}):
        answer = pdf_call(api, f"/cases/{ids['open']}/result-notice", headers=headers)
        assert answer.status_code == 409
        assert b"RESULT_NOT_DECIDED" in answer.body


def test_without_accept_pdf_the_documents_answer_json_and_the_notice_keeps_its_form(world):
    api, ids, _ = world
    notice = api.window("GET", f"/cases/{ids['approved']}/notice")
    assert notice.status_code == 200 and [m["code"] for m in notice.data["materials"]][:2] == [
        "application_form", "id_card"]
    receipt = api.window("GET", f"/cases/{ids['approved']}/receipt").data
    assert receipt["document"] == "receipt" and receipt["case_id"] == ids["approved"]
    assert {"type": "qr", "data": f"http://127.0.0.1:8000/progress?case={ids['approved']}",
            "caption": "扫码查询办理进度"} in receipt["blocks"]


def test_a_pdf_is_named_for_download_and_the_same_case_version_gives_the_same_bytes(world):
    api, ids, pdfs = world
    disposition = pdfs["receipt"].headers["Content-Disposition"]
    assert disposition.startswith(f'inline; filename="receipt-{ids["approved"]}.pdf"')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == f"受理回执-{ids['approved']}.pdf"
    again = pdf_call(api, f"/cases/{ids['approved']}/receipt", headers=PDF)
    assert again.body == pdfs["receipt"].body


def test_link_delivery_stores_the_pdf_once_under_documents_and_links_to_the_same_bytes(world):
    api, ids, pdfs = world
    first = api.window("GET", f"/cases/{ids['approved']}/result-notice?delivery=link").data
    second = api.window("GET", f"/cases/{ids['approved']}/result-notice?delivery=link").data
    key = unquote(urlparse(first["url"]).path).split(f"/{load().materials_bucket}/", 1)[-1].lstrip("/")
    assert key.startswith(f"documents/{ids['approved']}/result_notice-v") and key.endswith(".pdf")
    assert urlparse(second["url"]).path == urlparse(first["url"]).path
    s3 = boto3.client("s3")
    stored = s3.get_object(Bucket=load().materials_bucket, Key=key)["Body"].read()
    assert stored == pdfs["approved"].body
    assert first["sha256"] == hashlib.sha256(stored).hexdigest() and first["expires_in"] > 0
    versions = s3.list_object_versions(Bucket=load().materials_bucket, Prefix=key).get("Versions", [])
    assert len(versions) == 1  # written once


def test_an_unknown_delivery_is_refused(world):
    api, ids, _ = world
    answer = api.window("GET", f"/cases/{ids['approved']}/receipt?delivery=email")
    assert (answer.status_code, answer.data["error"]["field"]) == (422, "delivery")


@pytest.mark.parametrize("route", ["notice", "receipt", "result-notice"])
def test_a_window_of_another_unit_gets_403(world, route):
    api, ids, _ = world
    answer = pdf_call(api, f"/cases/{ids['approved']}/{route}", unit="310101003", headers=PDF)
    assert answer.status_code == 403 and b"CASE_OUT_OF_REACH" in answer.body


def test_the_business_units_reviewer_reads_the_receipt_and_result_but_another_townships_does_not(world):
    api, ids, _ = world
    for route in ("receipt", "result-notice"):
        assert pdf_call(api, f"/cases/{ids['approved']}/{route}", "reviewer", HARBIN_TOWNSHIP, PDF).status_code == 200
        other = pdf_call(api, f"/cases/{ids['approved']}/{route}", "reviewer", HARBIN_OTHER_TOWNSHIP, PDF)
        assert other.status_code == 403
    notice = pdf_call(api, f"/cases/{ids['approved']}/notice", "reviewer", HARBIN_TOWNSHIP, PDF)
    assert notice.status_code == 403 and b"ROLE_NOT_ALLOWED" in notice.body


def test_importing_the_app_does_not_load_the_pdf_stack():
    """fpdf2, fontTools and the fonts cost ~0.15 s: only a request for a PDF pays it, not every cold start."""
    import os
    import subprocess
    import sys

    script = "import sys, app; assert not [m for m in sys.modules if m.split('.')[0] in ('fpdf', 'fontTools')]"
    child = subprocess.run([sys.executable, "-c", script], env={**os.environ, "STAGE": "local"},
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
