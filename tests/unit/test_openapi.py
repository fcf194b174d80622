"""The OpenAPI document: every route of app.py, valid OpenAPI, error responses, served without a token."""
from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

import app as chalice_app
from chalicelib.api.openapi import ERROR_SCHEMA, ERRORS, document
from chalicelib.api.routes import PUBLIC_ROUTES, ROUTE_RULES
from tests.support.people import application, declaration, pdf_bytes

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def operations(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{method.upper()} {path}": operation for path, item in doc["paths"].items()
            for method, operation in item.items() if method in METHODS}


def app_routes() -> set[str]:
    return {f"{method} {path}" for path, methods in chalice_app.app.routes.items() for method in methods}


def body_schema(doc: dict[str, Any], name: str) -> OAS30Validator:
    """A validator for one component schema, resolving $refs against the whole document."""
    return OAS30Validator({"$ref": f"#/components/schemas/{name}", "components": doc["components"]})


def test_the_document_has_exactly_the_routes_of_the_app():
    documented = set(operations(document()))
    assert documented == app_routes(), {"undocumented": sorted(app_routes() - documented),
                                        "stale": sorted(documented - app_routes())}


def test_each_operation_id_is_the_name_of_its_handler_in_app_py():
    handlers = {f"{method} {path}": entry.view_name for path, methods in chalice_app.app.routes.items()
                for method, entry in methods.items()}
    for route, operation in operations(document()).items():
        assert operation["operationId"] == handlers.get(route), route


def test_the_document_is_valid_openapi():
    validate(document())


def test_the_document_is_plain_json():
    doc = document()
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc


def test_every_path_parameter_of_a_route_is_declared():
    for route, operation in operations(document()).items():
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        in_path = {part[1:-1] for part in route.split(" ", 1)[1].split("/") if part.startswith("{")}
        assert declared == in_path, route


def test_only_the_public_routes_go_without_a_token():
    doc = document()
    assert doc["security"] == [{"bearer": []}]
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer",
                                                              "bearerFormat": "JWT"}
    public = {route for route, operation in operations(doc).items() if operation.get("security") == []}
    assert public == set(PUBLIC_ROUTES)


def test_every_guarded_operation_declares_its_error_responses_with_the_error_schema():
    doc = document()
    responses = doc["components"]["responses"]
    assert {name for name, _ in ERRORS.values()} == set(responses)
    for name, response in responses.items():
        assert response["content"]["application/json"]["schema"] == {"$ref": ERROR_SCHEMA}, name
    for route, operation in operations(doc).items():
        if route in PUBLIC_ROUTES:
            continue
        declared = {int(code) for code in operation["responses"] if code[0] in "45"}
        assert {401, 403, 422} <= declared, route
        if "requestBody" in operation:
            assert {400, 413} <= declared, route
        if route.split(" ")[0] != "GET":
            assert 409 in declared, route
        for code in declared:
            assert operation["responses"][str(code)] == {"$ref": f"#/components/responses/{ERRORS[code][0]}"}


def test_every_operation_declares_its_success_status():
    statuses = {"POST /cases": "201", "POST /cases/{case_id}/materials": "201", "POST /rosters": "201",
                "POST /comparisons": "201", "POST /payroll/{unit}/{month}": "201",
                "POST /entitlements/{entitlement_id}/recoveries": "201", "POST /progress/report": "202",
                "POST /reports": "201", "POST /entitlements/{entitlement_id}/survival-checks": "201"}
    for route, operation in operations(document()).items():
        success = [code for code in operation["responses"] if code.startswith("2")]
        assert success == [statuses.get(route, "200")], route


def test_the_roles_shown_are_those_of_the_access_table():
    for route, operation in operations(document()).items():
        expected = [] if route in PUBLIC_ROUTES else sorted(ROUTE_RULES[route])
        assert operation["x-roles"] == expected, route


def test_the_test_suites_valid_bodies_match_the_request_schemas():
    doc = document()
    content = pdf_bytes("id_card")
    valid = {
        "Application": [application(), application(agent={"name": "李四", "id_number": "230102197503152464",
                                                          "relationship": "child"}, low_income=None)],
        "MaterialDeclaration": [declaration("id_card", content), declaration("photo", content, "image/png")],
        "Decision": [{"outcome": "approved", "subsidies": [{"type": "living", "monthly_amount": "99.00"}]},
                     {"outcome": "approved", "subsidies": [{"type": "nursing"}], "override_reason": "复核"},
                     {"outcome": "rejected", "subsidies": [], "reason": "不符合条件"}],
        "Notification": [{"method": "sms"}, {"method": "letter", "note": None}],
        "SupplementRequest": [{"items": [{"code": "photo", "description": "照片不清晰"},
                                         {"description": "补充说明"}]}],
        "CalendarYearLoad": [{"holidays": ["2027-01-01"], "workdays": ["2027-02-06"], "source": "国办发明电"}],
        "MaterialRule": [{"require": ["id_card", "photo"], "optional": ["photo"]}, {"add": ["pledge"]}],
        "EligibilityRule": [{}, {"nursing_grades": [1, 2, 3],
                                 "nursing_extensions": [{"categories": [5, 6], "grades": [3]}]}],
        "AmountTable": [{"rows": [{"subsidy": "living", "effective_from": "2026-01-01", "amount": "80.00"},
                                  {"subsidy": "nursing", "effective_from": "2026-01-01",
                                   "percent_of_dibao_line": "30", "grades": [1], "area": None}],
                         "dibao_lines": [{"effective_from": "2026-01-01", "monthly": "800.00"}]}],
        "ComparisonRule": [{"deaths": 0, "hukou_moves": 1}],
        "EntitlementStatusChange": [{"action": "stop", "effective_month": "2026-11", "reason": "死亡"}],
        "EntitlementCorrection": [{"effective_month": "2026-10", "monthly_amount": "120.00", "reason": "纠错"}],
        "CheckRecording": [{"result": "present"}, {"result": "moved", "note": "迁往外省"}],
        "ReviewRecording": [{"outcome": "confirmed", "method": "home_visit"}],
        "RosterLoad": [{"kind": "dibao", "key": "rosters/dibao/2026-10.csv"}],
        "ComparisonRun": [{"kind": "deaths", "key": "comparisons/deaths/2026-10.csv"}],
        "SelfReport": [{"case_id": "C1", "id_suffix": "01123x", "change": "death", "reporter": "family"},
                       {"case_id": "C1", "id_suffix": "011236", "change": "other", "reporter": "self",
                        "note": "长期住院", "contact": "0451-84600000"}],
        "SurvivalCheck": [{"method": "face", "on": "2026-11-02", "result": "alive"},
                          {"method": "home_visit", "on": "2026-11-02", "result": "deceased", "note": "家属告知"}],
        "SmsReceipt": [{"status": "delivered", "at": "2026-09-24T10:00:04+08:00"},
                       {"status": "failed", "at": "2026-09-24T10:00:04+08:00", "error_code": "MK:0012", "attempt": 2}],
    }
    for name, bodies in valid.items():
        for body in bodies:
            errors = [e.message for e in body_schema(doc, name).iter_errors(body)]
            assert not errors, (name, body, errors)


@pytest.mark.parametrize("name, body", [
    ("Application", {"applicant": {"name": "张三"}, "certificate": {}, "subsidies": []}),
    ("Application", dict(application(), subsidies=["living", "living"])),
    ("Application", dict(application(), low_income={"rich": True})),
    ("MaterialDeclaration", dict(declaration("id_card", b"x"), filename="../etc/passwd")),
    ("MaterialDeclaration", dict(declaration("id_card", b"x"), size=0)),
    ("Decision", {"outcome": "rejected", "subsidies": [{"type": "living"}], "reason": "x"}),
    ("Decision", {"outcome": "approved", "subsidies": []}),
    ("Notification", {"method": "email"}),
    ("Withdrawal", {"reason": "   "}),
    ("MaterialRule", {"require": ["id_card"], "extra": []}),
    ("AmountTable", {"rows": []}),
    ("EntitlementStatusChange", {"action": "stop", "effective_month": "2026-13", "reason": "x"}),
    ("ComparisonRule", {"deaths": 2}),
    ("CheckRecording", {"result": "gone"}),
    ("ReviewRecording", {"outcome": "confirmed"}),
    ("ReviewRecording", {"outcome": "confirmed", "method": "guess"}),
    ("SelfReport", {"case_id": "C1", "id_suffix": "011236", "change": "jailed", "reporter": "self"}),
    ("SurvivalCheck", {"method": "video", "on": "2026-11-02", "result": "alive"}),
    ("SelfReport", {"case_id": "C1", "id_suffix": "011236", "change": "death", "reporter": "self", "contact": "x"}),
    ("SmsReceipt", {"status": "read", "at": "2026-09-24T10:00:04+08:00"}),
    ("SmsReceipt", {"status": "failed", "at": "2026-09-24T10:00:04+08:00", "attempt": 0}),
])
def test_bodies_the_readers_refuse_do_not_match_the_request_schemas(name, body):
    assert list(body_schema(document(), name).iter_errors(body)), (name, body)


def test_the_document_is_served_without_a_token():
    with Client(chalice_app.app, stage_name="local") as client:
        response = client.http.get("/openapi.json")

    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"].startswith("application/json")
    served = json.loads(response.body)
    assert served == document()
    assert served["paths"]["/openapi.json"]["get"]["security"] == []


def test_the_stored_document_is_the_one_the_route_table_and_the_models_generate():
    from chalicelib.api.openapi import STORED, stored_text

    assert STORED.read_text(encoding="utf-8") == stored_text(), \
        "run `python -m chalicelib.api.openapi` after changing a route, a body model or an answer schema"


def test_the_running_api_never_imports_pydantic():
    import subprocess
    import sys

    probe = "import sys, app; assert not [m for m in sys.modules if m.startswith('pydantic')], 'pydantic loaded'"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**__import__("os").environ, "STAGE": "local"})
    assert done.returncode == 0, done.stderr[-2000:]
