"""The request bodies' pydantic models (chalicelib/api/bodies.py) generate the document's body components."""
from __future__ import annotations

from chalicelib.api import bodies
from chalicelib.api.openapi import body_components
from chalicelib.api.routes import ROUTES


def test_every_route_with_a_body_names_a_model_and_every_model_is_in_the_document():
    named = {route.body for route in ROUTES if route.body}
    assert named <= set(bodies.BY_NAME)
    components = body_components()
    assert set(bodies.BY_NAME) <= set(components)
    assert all("title" not in schema and "anyOf" not in str(schema) for schema in components.values())


def test_a_nullable_field_is_said_the_openapi_30_way():
    applicant = body_components()["Applicant"]["properties"]
    assert applicant["area"]["nullable"] is True and applicant["area"]["enum"][-1] is None
    assert applicant["bank_account"]["nullable"] is True and "$ref" not in applicant["bank_account"]


def test_a_model_built_from_a_domain_table_follows_it():
    from chalicelib.domain.cases.applications import CIRCUMSTANCE_KEYS
    from chalicelib.domain.supervision.comparison import KINDS

    assert tuple(bodies.BY_NAME["LowIncome"].model_fields) == CIRCUMSTANCE_KEYS
    assert tuple(bodies.BY_NAME["ComparisonRule"].model_fields) == tuple(KINDS)
