"""What the IAM test runs under the call recorder (``tests/infra/test_iam_policies.py``): the API
through a whole case and its neighbours, then every scheduled function as EventBridge invokes it.
Not collected by the suite itself (no ``test_`` file name); the IAM test runs it in a subprocess.
"""
from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest
from chalice.test import Client

import app as application
from chalicelib import config
from chalicelib.adapters.job_queue import UnitJobQueue
from infra.template import schedule_names
from tests.integration.conftest import Api, moto_world, store_object
from tests.support.people import HARBIN_TOWNSHIP, fresh_application

SECRET_ENV = "PERSON_KEY_SECRET_ARN"


@pytest.fixture()
def api() -> Iterator[Api]:
    """moto, with the person key in Secrets Manager as deployed stages keep it; milestone SMS through the
    province's gateway (the China regions' channel; ``test_the_direct_sms_channel`` runs the other)."""
    channel = os.environ.get("SMS_CHANNEL")
    with moto_world():
        arn = boto3.client("secretsmanager").create_secret(Name="subsidy-test/person-key",
                                                           SecretString="k" * 64)["ARN"]
        os.environ[SECRET_ENV] = arn
        os.environ["SMS_CHANNEL"] = "gateway"
        config.load.cache_clear()  # the next load, inside a function, reads the secret
        try:
            with Client(application.app, stage_name="local") as client:
                yield Api(client)
        finally:
            os.environ.pop(SECRET_ENV, None)
            os.environ.pop("SMS_CHANNEL", None)
            if channel is not None:
                os.environ["SMS_CHANNEL"] = channel
            config.load.cache_clear()


def deaths() -> bytes:
    """A deaths file naming the approved recipient: the comparison proposes a stop."""
    return f"id_number,event_date\n{fresh_application()['applicant']['id_number']},2026-11-02\n".encode()


def approved(api: Api) -> str:
    api.now = "2026-05-20T10:00:00+08:00"
    body = fresh_application()
    body["applicant"]["committee_unit"] = "230102001001"
    case = api.ready_case(body)
    case_id = case["case_id"]
    assert api.window("POST", f"/cases/{case_id}/complete").status_code == 200
    assert api.window("POST", f"/cases/{case_id}/push").status_code == 200
    api.now = "2026-10-15T10:00:00+08:00"
    decided = api.reviewer("POST", f"/cases/{case_id}/decision", {
        "outcome": "approved", "reason": "符合条件",
        "subsidies": [{"type": "living", "monthly_amount": "90.00"}, {"type": "nursing", "monthly_amount": "120.00"}]})
    assert decided.status_code == 200, decided.data
    assert api.window("POST", f"/cases/{case_id}/notification", {"method": "sms", "note": "已告知"}).status_code == 200
    return case_id


def test_the_api_handler_through_a_case_and_its_neighbours(api: Api) -> None:
    case_id = approved(api)
    for path in (f"/cases/{case_id}", f"/cases/{case_id}/notice", f"/cases/{case_id}/identity", "/cases",
                 f"/cases/{case_id}/audit", "/calendar/2026"):
        assert api.window("GET", path).status_code == 200, path
    assert api.call("GET", f"/audit?unit={HARBIN_TOWNSHIP}", "supervisor", "23").status_code == 200
    assert api.reviewer("GET", f"/entitlements/{case_id}-living").status_code in (200, 404)
    bucket = config.load().materials_bucket
    boto3.client("s3").put_object(Bucket=bucket, Key="comparisons/deaths/2026-11.csv", Body=deaths())
    api.call("POST", "/comparisons", "admin", "23", {"kind": "deaths", "key": "comparisons/deaths/2026-11.csv"})
    api.reviewer("GET", f"/proposals/{HARBIN_TOWNSHIP}")
    payments(api, case_id)
    api.call("POST", "/progress", body={"case_id": case_id, "id_suffix": "0000"})
    for milestone, status in (("accepted", "delivered"), ("pushed", "failed")):  # the SMS gateway's receipts
        answer = api.call("POST", f"/messages/{case_id}-{milestone}/receipt", "sms_gateway", "31",
                          {"status": status, "at": "2026-10-15T10:00:05+08:00"})
        assert answer.status_code == 200, answer.data
    refused = api.window("POST", "/cases", fresh_application(sequence="469"))
    if refused.status_code == 201:  # a refused upload is quarantined: copy, then delete the version
        registered = api.window("POST", f"/cases/{refused.data['case_id']}/materials", {
            "code": refused.data["notice"]["materials"][0]["code"], "content_type": "application/pdf",
            "size": 9, "sha256": "0" * 64})
        if registered.status_code == 201:
            store_object(registered.data["upload"], b"not a pdf")
            api.window("POST", f"/cases/{refused.data['case_id']}/materials/{registered.data['material_id']}/confirm")


# A stated moment for every schedule: in December (the calendar check acts), after the 25th (the monthly checks'
# escalation acts), so each function makes the calls its policy is checked against, whatever day the suite runs.
SCHEDULES_RUN_AT = "2026-12-28T09:00:00+08:00"


def payments(api: Api, case_id: str) -> None:
    """The payment ledger: a province's payment setting, a roster drafted, finalized, listed and downloaded, the
    entitlement read, a back-dated stop (a debt), the unit's debts and a recovery."""
    assert api.call("PUT", "/rules/23/payment/2026-01-01", "admin", "23",
                    {"roster_id_number": "full"}).status_code == 200
    drafted = api.call("POST", f"/payroll/{HARBIN_TOWNSHIP}/2026-10", "reviewer", HARBIN_TOWNSHIP)
    assert drafted.status_code == 201, drafted.data
    finalized = api.call("POST", f"/payroll/{HARBIN_TOWNSHIP}/2026-10/finalize", "reviewer", HARBIN_TOWNSHIP,
                         {"draft_sha256": drafted.data["sha256"]})
    assert finalized.status_code == 200, finalized.data
    for path in (f"/payroll/{HARBIN_TOWNSHIP}/2026-10", f"/payroll/{HARBIN_TOWNSHIP}",
                 f"/entitlements/{case_id}-living"):
        assert api.reviewer("GET", path).status_code == 200, path
    assert api.reviewer("POST", f"/entitlements/{case_id}-living/status", {
        "action": "stop", "effective_month": "2026-09", "reason": "死亡"}).status_code == 200
    debts = api.reviewer("GET", f"/recoveries/{HARBIN_TOWNSHIP}")
    assert debts.status_code == 200 and debts.data["count"] == 1, debts.data
    assert api.reviewer("POST", f"/entitlements/{case_id}-living/recoveries", {
        "amount": "90.00", "received_on": "2026-10-20", "reason": "家属退回"}).status_code == 201


def test_every_scheduled_function_as_eventbridge_invokes_it(api: Api) -> None:
    approved(api)
    boto3.client("s3").put_object(Bucket=config.load().materials_bucket, Key="comparisons/deaths/2026-12.csv",
                                  Body=deaths())
    api.now = SCHEDULES_RUN_AT
    worked = 0
    for name in schedule_names(application.app):
        config.load.cache_clear()  # each function is its own container: it reads the secret itself
        api.invoke(name)
        worked += unit_jobs(api)  # before the next schedule: the escalation finds the month's checks
    assert worked == 3  # monthly checks, yearly reviews, certificate reminders of the one township


def unit_jobs(api: Api) -> int:
    """What the dispatchers queued, handed to the worker one message at a time as Lambda's event source would."""
    queue, worked = UnitJobQueue(), 0
    while records := queue.receive():
        for record in records:
            config.load.cache_clear()
            api.invoke("unit_jobs", {"Records": [record]})
            queue.delete(record)
            worked += 1
    return worked


def test_the_direct_sms_channel(api: Api) -> None:
    """SNS straight to the applicant's number: acceptance's SMS, and a retry due for another."""
    os.environ["SMS_CHANNEL"] = "direct"
    config.load.cache_clear()
    api.window("POST", "/cases", fresh_application(sequence="457"))
    body = fresh_application(sequence="459")
    body["applicant"]["phone"] = "138000000001234567"  # SNS refuses it: the message waits for a retry
    api.window("POST", "/cases", body)
    api.now = "2026-09-24T10:10:00+08:00"
    api.invoke("message_retries")
