"""The documents over HTTP: tools.documents fetches a case's PDFs from the running embedded default."""
from __future__ import annotations

import io
import subprocess
import sys

import pytest
import requests
from pypdf import PdfReader

from tests.e2e.conftest import PROJECT, token
from tests.support.people import SHANGHAI_WINDOW, fresh_application

pytestmark = pytest.mark.e2e


def test_the_documents_command_saves_the_notice_and_receipt_as_pdf_and_png_and_skips_an_undecided_result(
        server, tmp_path):
    headers = {"Authorization": f"Bearer {token('window', SHANGHAI_WINDOW)}"}
    case_id = requests.post(f"{server}/cases", json=fresh_application("779"), headers=headers, timeout=30).json()[
        "case_id"]
    run = subprocess.run([sys.executable, "-m", "tools.documents", case_id, "--api", server, "--out", str(tmp_path),
                          "--png"], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "result-notice: 409 RESULT_NOT_DECIDED" in run.stderr
    for kind in ("notice", "receipt"):
        pdf = (tmp_path / f"{kind}-{case_id}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF-")
        assert (tmp_path / f"{kind}-{case_id}.png").read_bytes().startswith(b"\x89PNG")
    receipt = "".join(PdfReader(io.BytesIO((tmp_path / f"receipt-{case_id}.pdf").read_bytes())).pages[0]
                      .extract_text().split())
    assert f"{server}/progress?case={case_id}" in receipt  # the server's own address in the QR code's URL


def test_over_http_the_pdf_comes_as_binary_only_when_accepted(server):
    headers = {"Authorization": f"Bearer {token('window', SHANGHAI_WINDOW)}"}
    case_id = requests.post(f"{server}/cases", json=fresh_application("781"), headers=headers, timeout=30).json()[
        "case_id"]
    as_pdf = requests.get(f"{server}/cases/{case_id}/receipt", headers={**headers, "Accept": "application/pdf"},
                          timeout=60)
    assert as_pdf.status_code == 200 and as_pdf.headers["Content-Type"] == "application/pdf"
    assert as_pdf.content.startswith(b"%PDF-")
    as_json = requests.get(f"{server}/cases/{case_id}/receipt", headers=headers, timeout=60)
    assert as_json.headers["Content-Type"].startswith("application/json")
    assert as_json.json()["document"] == "receipt"
