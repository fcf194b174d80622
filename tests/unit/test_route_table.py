"""One route table (chalicelib/api/routes.py): the Chalice routes, the access rules and the OpenAPI document all
come from it, and every row has exactly one handler behind the request pipeline."""
from __future__ import annotations

import re

import app as chalice_app
from chalicelib.api import pipeline
from chalicelib.api.openapi import document
from chalicelib.api.routes import BY_KEY, PUBLIC_ROUTES, ROUTE_RULES, ROUTES
from chalicelib.domain.access import CASE_RELATIONS, ROLES, UNIT_RELATIONS


def registered() -> dict[str, str]:
    return {f"{method} {path}": entry.view_name for path, methods in chalice_app.app.routes.items()
            for method, entry in methods.items()}


def test_every_row_is_one_chalice_route_and_every_chalice_route_a_row():
    assert set(registered()) == set(BY_KEY)
    assert len(ROUTES) == len(BY_KEY)


def test_every_row_is_served_by_the_handler_it_names():
    assert set(pipeline.HANDLERS) == set(BY_KEY)
    for key, handler in pipeline.HANDLERS.items():
        assert handler.__name__ == BY_KEY[key].operation
        assert registered()[key] == BY_KEY[key].operation


def test_every_handler_takes_the_call_and_exactly_the_paths_parameters():
    for key, handler in pipeline.HANDLERS.items():
        names = handler.__code__.co_varnames[: handler.__code__.co_argcount]
        assert names == ("call", *re.findall(r"{([^}]+)}", BY_KEY[key].path)), key


def test_the_access_rules_are_the_tables_rows_and_deny_what_they_do_not_name():
    assert set(ROUTE_RULES) | PUBLIC_ROUTES == set(BY_KEY)
    assert PUBLIC_ROUTES == {"GET /health", "GET /openapi.json", "GET /progress", "POST /progress",
                             "POST /progress/report"}
    for key, roles in ROUTE_RULES.items():
        assert roles, f"{key}: a guarded row must admit some role"
        assert set(roles) <= ROLES
        assert set(roles.values()) <= set(CASE_RELATIONS) | UNIT_RELATIONS, key
        if "{case_id}" not in key:  # a case relation needs a case in the path
            assert not set(roles.values()) & (set(CASE_RELATIONS) - {"in_scope"}), key


def test_the_document_has_one_operation_per_row_with_the_rows_facts():
    paths = document()["paths"]
    operations = {f"{method.upper()} {path}": operation for path, methods in paths.items()
                  for method, operation in methods.items()}
    assert set(operations) == set(BY_KEY)
    for key, operation in operations.items():
        row = BY_KEY[key]
        assert operation["operationId"] == row.operation
        assert operation["x-roles"] == sorted(row.roles)
        assert str(row.status) in operation["responses"]
        assert ("requestBody" in operation) == (row.body is not None)
