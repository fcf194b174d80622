"""The authorization matrix, generated from ``app.routes`` and ``access.ROUTE_RULES``.

For every route and every role: a role the table does not list is refused (403); a role it lists,
holding a unit outside the resource's reach, never gets a 2xx. Routes whose rule has no unit relation
to a resource are listed in ``NO_RESOURCE`` with the reason, so a new route must be placed.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import boto3
import pytest

import app as chalice_app
from chalicelib.api.routes import PUBLIC_ROUTES, ROUTE_RULES
from chalicelib.config import load
from chalicelib.domain.access import ROLES
from chalicelib.services import comparison
from chalicelib.services.monitoring import issue_monthly_checks
from chalicelib.wiring import comparisons, monitoring
from tests.integration import conftest as integration
from tests.integration.test_entitlements import approved_case
from tests.support.people import HARBIN_TOWNSHIP, SHANGHAI_WINDOW, fresh_application

# Each role's unit far from every resource below (广东).
OUTSIDERS = {"window": "440103001", "reviewer": "440103001", "supervisor": "44", "admin": "44",
             "committee": "440103001001", "sms_gateway": "44", "dpf_admin": "4401", "dpf_reviewer": "440103",
             "approver": "440103"}
# Routes with no resource to be out of reach of: any caller of an allowed role may use them.
NO_RESOURCE = {
    "POST /cases": "a window accepts at its own unit",
    "GET /cases": "the worklist is the caller's own unit",
    "GET /calendar/deadline": "the national calendar",
    "GET /calendar/{year}": "the national calendar",
    "PUT /calendar/{year}": "the national calendar (admins)",
    "GET /rules/{scope}": "rules are public to every role",
    "POST /rosters": "operators load national rosters",
    "POST /comparisons": "operators load national comparison files",
    "POST /reports": "a window of any unit takes a report for the case it identifies by number and ID suffix",
}


@pytest.fixture(scope="module")
def world() -> Any:
    for api in integration.shared_api():
        case_id = approved_case(api, _with_committee())
        person = api.reviewer("GET", f"/cases/{case_id}/identity").data["applicant"]["id_number"]
        key = "comparisons/deaths/matrix.csv"
        boto3.client("s3").put_object(Bucket=load().materials_bucket, Key=key,
                                      Body=f"id_number,event_date\n{person},2026-10-01\n".encode())
        comparison.run(comparisons(), "deaths", key, "operator", datetime.fromisoformat("2026-11-02T10:00:00+08:00"))
        proposal = api.reviewer("GET", "/proposals").data["proposals"][0]["proposal_id"]
        issue_monthly_checks(monitoring(), [HARBIN_TOWNSHIP], "2026-11")
        params = {"case_id": case_id, "material_id": "m-unknown", "entitlement_id": f"{case_id}-living",
                  "proposal_id": proposal, "unit": HARBIN_TOWNSHIP, "scope": "23", "year": "2026",
                  "month": "2026-11", "effective_from": "2027-01-01", "message_id": f"{case_id}-accepted"}
        yield api, params


def _with_committee() -> dict[str, Any]:
    body = fresh_application()
    body["applicant"]["committee_unit"] = HARBIN_TOWNSHIP + "001"
    return body


def routes() -> list[tuple[str, str]]:
    return sorted((method, path) for path, methods in chalice_app.app.routes.items() for method in methods
                  if f"{method} {path}" not in PUBLIC_ROUTES)


def concrete(path: str, params: dict[str, str], route: str) -> str:
    filled = path
    for name, value in params.items():
        filled = filled.replace("{" + name + "}", value)
    if route in ("GET /checks/{unit}/{month}", "POST /checks/{unit}/{month}/{entitlement_id}"):
        filled = filled.replace(HARBIN_TOWNSHIP, HARBIN_TOWNSHIP + "001", 1)  # a committee's list
    if route in ("GET /audit", "GET /proposals"):
        filled += f"?unit={HARBIN_TOWNSHIP}"  # the resource's unit, not the caller's own
    if route == "GET /setup-gaps":
        filled += f"?scope={HARBIN_TOWNSHIP[:4]}"  # the gaps of 哈尔滨, not of the caller's own area
    return filled


def test_every_route_is_in_the_table_and_every_listed_route_exists():
    declared = {f"{m} {p}" for p, ms in chalice_app.app.routes.items() for m in ms}
    assert declared - PUBLIC_ROUTES - set(ROUTE_RULES) == set()
    assert set(ROUTE_RULES) - declared == set()
    assert set(NO_RESOURCE) <= set(ROUTE_RULES)


@pytest.mark.parametrize("method, path", routes())
def test_a_role_the_table_does_not_list_is_refused(world, method, path):
    api, params = world
    route = f"{method} {path}"
    for role in sorted(ROLES - set(ROUTE_RULES[route])):
        response = api.call(method, concrete(path, params, route), role, OUTSIDERS[role], {})
        assert (response.status_code, response.data["error"]["code"]) == (403, "ROLE_NOT_ALLOWED"), (route, role)


@pytest.mark.parametrize("method, path", [r for r in routes() if f"{r[0]} {r[1]}" not in NO_RESOURCE])
def test_a_listed_role_with_a_unit_outside_the_resources_reach_gets_no_2xx(world, method, path):
    api, params = world
    route = f"{method} {path}"
    for role in sorted(ROUTE_RULES[route]):
        response = api.call(method, concrete(path, params, route), role, OUTSIDERS[role], {})
        assert response.status_code in (403, 404), (route, role, response.status_code, response.data)


# Each listed role from a unit with the *other* relation to the resource (issue 17.1): the 业务属地's window, the
# 受理地's reviewer, a committee of the 受理地, the 受理地's province admin. None may learn anything of the case.
WRONG_SIDE = {"window": HARBIN_TOWNSHIP, "reviewer": SHANGHAI_WINDOW, "committee": SHANGHAI_WINDOW + "001",
              "admin": SHANGHAI_WINDOW[:2], "dpf_admin": SHANGHAI_WINDOW[:6],
              "dpf_reviewer": SHANGHAI_WINDOW[:6], "approver": SHANGHAI_WINDOW[:6]}


@pytest.mark.parametrize("method, path", [r for r in routes() if f"{r[0]} {r[1]}" not in NO_RESOURCE])
def test_a_listed_role_on_the_other_side_of_the_case_learns_nothing_of_it(world, method, path):
    api, params = world
    route = f"{method} {path}"
    for role in sorted(set(ROUTE_RULES[route]) & set(WRONG_SIDE)):
        response = api.call(method, concrete(path, params, route), role, WRONG_SIDE[role], {})
        shown = response.body.decode("utf-8", "replace") if response.body else ""
        assert response.status_code in (400, 403, 404, 422) or params["case_id"] not in shown, \
            (route, role, response.status_code, shown[:300])
        assert params["case_id"] not in shown or response.status_code >= 400, (route, role)
