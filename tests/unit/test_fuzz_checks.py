"""The fuzz run (tools/fuzz.py) checks every answer against the OpenAPI document: these feed its checks answers
that break the document and expect failures, so turning a check off fails here."""
from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import schemathesis

from chalicelib.api.openapi import document
from tools import fuzz

BASE = "http://127.0.0.1:9"  # never called: the answers are made here


@pytest.fixture(scope="module")
def schema() -> Any:
    return fuzz.load_schema(document(), BASE, seed=1)


def answer(status: int, body: Any, content_type: str = "application/json; charset=utf-8",
           target: str = "GET /health") -> schemathesis.Response:
    method, path = target.split(" ", 1)
    content = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return schemathesis.Response(status_code=status, headers={"Content-Type": [content_type]}, content=content,
                                 request=requests.Request(method, BASE + path).prepare(), elapsed=0.01, verify=True)


def failures(schema: Any, label: str, response: schemathesis.Response, **parameters: Any) -> list[str]:
    """The titles of the failures the fuzz run's checks find in one answer to ``label``."""
    case = schema.find_operation_by_label(label).Case(path_parameters=parameters or None)
    return sorted({failure.title for failure in fuzz.check_answer(case, response)})


ERROR = {"error": {"code": "TOKEN_MISSING", "message": "send Authorization: Bearer <token>", "field": "Authorization"}}


def test_the_run_checks_the_answers_against_the_document():
    assert {"not_a_server_error", "status_code_conformance", "content_type_conformance",
            "response_schema_conformance"} <= set(fuzz.CHECKS)


def test_answers_the_document_describes_pass(schema):
    assert failures(schema, "GET /health", answer(200, {"status": "ok", "stage": "local"})) == []
    assert failures(schema, "GET /cases", answer(401, ERROR, target="GET /cases")) == []


def test_a_success_body_that_breaks_its_schema_fails(schema):
    broken = answer(200, {"status": "broken", "stage": "local"})  # Health.status is "ok"
    assert failures(schema, "GET /health", broken) == ["Response violates schema"]
    missing = answer(200, {"cases": []}, target="GET /cases")  # Worklist requires next_token
    assert failures(schema, "GET /cases", missing) == ["Response violates schema"]


def test_a_nested_value_of_the_wrong_type_fails(schema):
    body = {"year": 2027, "origin": "loaded", "holidays": [], "workdays": [], "source": "国办发明电〔2026〕1号",
            "recomputed": "none"}  # a count
    target = "PUT /calendar/2027"
    assert failures(schema, "PUT /calendar/{year}", answer(200, body, target=target), year="2027") == \
        ["Response violates schema"]
    assert failures(schema, "PUT /calendar/{year}", answer(200, dict(body, recomputed=0), target=target),
                    year="2027") == []


def test_an_error_not_in_the_error_format_fails(schema):
    chalice = answer(401, {"Code": "Unauthorized", "Message": "no"}, target="GET /cases")
    assert "Response violates schema" in failures(schema, "GET /cases", chalice)
    extra = answer(401, {"error": dict(ERROR["error"], detail="x")}, target="GET /cases")
    assert "Response violates schema" in failures(schema, "GET /cases", extra)


def test_a_status_the_operation_does_not_declare_fails(schema):
    not_found = {"error": {"code": "NOT_FOUND", "message": "no", "field": None}}
    assert failures(schema, "GET /health", answer(404, not_found)) == ["Undocumented status code"]


def test_a_server_error_fails(schema):
    internal = {"error": {"code": "INTERNAL", "message": "internal error", "field": None}}
    assert "Server error" in failures(schema, "GET /health", answer(500, internal))


def test_a_content_type_the_document_does_not_name_fails(schema):
    page = answer(200, b"<html></html>", content_type="text/html; charset=utf-8")
    assert "Undocumented Content-Type" in failures(schema, "GET /health", page)


def test_our_error_format_check_covers_what_schemathesis_leaves_out(schema):
    """schemathesis skips its conformance checks on its requests with a wrong Content-Type: ``error_format``
    still wants the JSON error there."""
    case = schema.find_operation_by_label("GET /cases").Case()
    with pytest.raises(AssertionError, match="Content-Type is text/plain"):
        fuzz.error_format(None, answer(415, b"unsupported", content_type="text/plain", target="GET /cases"), case)
    with pytest.raises(AssertionError, match="error has keys"):
        fuzz.error_format(None, answer(400, {"error": {"code": "X"}}, target="GET /cases"), case)
    fuzz.error_format(None, answer(401, ERROR, target="GET /cases"), case)  # the format: no failure
    fuzz.error_format(None, answer(200, {"cases": [], "next_token": None}, target="GET /cases"), case)


def test_the_fuzzer_refuses_any_host_but_the_local_one():
    assert fuzz.local_only("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    for url in ("http://example.com", "https://127.0.0.1:8000", "http://10.0.0.1:8000"):
        with pytest.raises(SystemExit):
            fuzz.local_only(url)
