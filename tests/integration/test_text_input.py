"""Text that is not text (issue 17.6): a lone UTF-16 surrogate anywhere in a body, and control or bidirectional
override characters in a person's name, are refused with 422 naming the field — never a 500 or a "try again" 409,
and nothing is stored."""
from __future__ import annotations

import json

import pytest

from tests.integration.conftest import Api
from tests.support.people import SHANGHAI_WINDOW, fresh_application

LONE_SURROGATE = "\\ud800"  # as the JSON text carries it: valid JSON, not valid Unicode


def raw_with(body: dict, path: tuple[str, ...]) -> str:
    """The body as JSON text with a lone surrogate escaped into the string at ``path``."""
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = "@@HERE@@"
    return json.dumps(body, ensure_ascii=False).replace("@@HERE@@", f"张{LONE_SURROGATE}三")


@pytest.mark.parametrize("path, field", [
    (("applicant", "name"), "applicant.name"),
    (("applicant", "hukou_address"), "applicant.hukou_address"),
])
def test_a_lone_surrogate_in_an_application_is_refused_naming_the_field(api: Api, path, field):
    answer = api.call("POST", "/cases", "window", SHANGHAI_WINDOW, raw=raw_with(fresh_application(), path))
    assert (answer.status_code, answer.data["error"]["code"], answer.data["error"]["field"]) == \
        (422, "TEXT_NOT_UNICODE", field)
    assert api.window("GET", "/cases").data["cases"] == []


def test_a_lone_surrogate_in_a_key_or_a_list_is_refused_too(api: Api):
    body = fresh_application()
    text = json.dumps(body, ensure_ascii=False)[:-1] + f', "x{LONE_SURROGATE}": 1}}'
    answer = api.call("POST", "/cases", "window", SHANGHAI_WINDOW, raw=text)
    assert (answer.status_code, answer.data["error"]["code"]) == (422, "TEXT_NOT_UNICODE")
    listed = json.dumps(dict(body, subsidies=["@@"]), ensure_ascii=False).replace("@@", LONE_SURROGATE)
    answer = api.call("POST", "/cases", "window", SHANGHAI_WINDOW, raw=listed)
    assert (answer.status_code, answer.data["error"]["field"]) == (422, "subsidies[0]")


def test_a_lone_surrogate_in_a_withdrawal_reason_is_refused_and_the_case_stays_as_it_was(api: Api):
    case = api.window("POST", "/cases", fresh_application()).data
    raw = json.dumps({"reason": "@@"}).replace("@@", f"本人{LONE_SURROGATE}撤回")
    answer = api.call("POST", f"/cases/{case['case_id']}/withdraw", "window", SHANGHAI_WINDOW, raw=raw)
    assert (answer.status_code, answer.data["error"]["field"]) == (422, "reason")
    after = api.window("GET", f"/cases/{case['case_id']}").data
    assert after["status"] == case["status"] and after["version"] == case["version"]


@pytest.mark.parametrize("name", ["张\u202e三", "张\u2066三", "张\x00三", "张\x1b[31m三", "张\u200f三"])
def test_control_and_bidirectional_characters_in_a_name_are_refused(api: Api, name):
    body = fresh_application()
    body["applicant"]["name"] = name
    answer = api.window("POST", "/cases", body)
    assert (answer.status_code, answer.data["error"]["code"], answer.data["error"]["field"]) == \
        (422, "NAME_CHARACTERS", "applicant.name")
    agented = fresh_application(agent={"name": name, "id_number": "230102197503152464", "relationship": "child"})
    answer = api.window("POST", "/cases", agented)
    assert (answer.data["error"]["code"], answer.data["error"]["field"]) == ("NAME_CHARACTERS", "agent.name")


def test_a_name_with_a_middle_dot_or_an_ethnic_minority_name_is_accepted(api: Api):
    body = fresh_application()
    body["applicant"]["name"] = "阿依古丽·买买提"
    assert api.window("POST", "/cases", body).status_code == 201
