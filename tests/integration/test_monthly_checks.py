"""Supervision through the API on moto: the monthly 查询登记, its escalation, yearly reviews, reminders."""
from __future__ import annotations

from datetime import date, datetime

import boto3
from msgspec.structs import replace

from chalicelib.adapters.entitlements_table import Entitlements, to_model
from chalicelib.adapters.job_queue import UnitJobQueue
from chalicelib.services.monitoring import (
    certificate_expiry_reminders,
    escalate_unrecorded,
    issue_monthly_checks,
    yearly_review_tasks,
)
from chalicelib.wiring import monitoring
from tests.integration.conftest import subscribe, topic, wait_messages
from tests.integration.test_entitlements import approved_case
from tests.support.people import HARBIN_OTHER_TOWNSHIP, HARBIN_TOWNSHIP, fresh_application

FIRST, SECOND = "230102001001", "230102001002"  # two village committees of the township
MONTH = "2026-10"


def recipients(api, committees=(FIRST, SECOND, None), valid_until="2031-05-01"):
    """Approved cases (living and nursing each), one per committee given (None: no committee, as an entitlement
    approved before the application required one: stored without it)."""
    case_ids = []
    for committee in committees:
        body = fresh_application()
        body["certificate"]["valid_until"] = valid_until
        body["applicant"]["committee_unit"] = committee or FIRST
        case_ids.append(approved_case(api, body))
        if committee is None:
            for subsidy in ("living", "nursing"):
                stored = Entitlements().get(f"{case_ids[-1]}-{subsidy}")
                to_model(replace(stored, committee_unit=None)).save()
    return case_ids


def committee(api, method, path, unit=FIRST, body=None):
    return api.call(method, path, "committee", unit, body)


def test_the_job_issues_one_check_per_recipient_at_its_committee_and_counts_those_without_one(api):
    with_first, _, without = recipients(api)
    stats = issue_monthly_checks(monitoring(), [HARBIN_TOWNSHIP], MONTH)
    assert stats["units"][HARBIN_TOWNSHIP] == {"issued": 4, "already_issued": 0, "unassigned": 2,
                                               "committee_outside_unit": 0, "not_checked": 0}
    listed = committee(api, "GET", f"/checks/{FIRST}/{MONTH}")
    assert listed.status_code == 200, listed.data
    assert [c["entitlement_id"] for c in listed.data["checks"]] == [f"{with_first}-living", f"{with_first}-nursing"]
    assert listed.data["counts"]["open"] == 2 and {c["result"] for c in listed.data["checks"]} == {None}
    assert all("*" in c["masked_id"] for c in listed.data["checks"])
    assert monitoring().units.all() == [HARBIN_TOWNSHIP]  # the job registered the unit it was given
    assert not any(without in c["entitlement_id"] for c in listed.data["checks"])


def test_the_committee_records_results_and_a_change_needs_a_note_and_stops_nothing(api):
    case_id = recipients(api, committees=(FIRST,))[0]
    issue_monthly_checks(monitoring(), [HARBIN_TOWNSHIP], MONTH)
    path = f"/checks/{FIRST}/{MONTH}"
    present = committee(api, "POST", f"{path}/{case_id}-living", body={"result": "present"})
    assert present.status_code == 200, present.data
    assert (present.data["result"], present.data["recorded_by"]) == ("present", f"committee-{FIRST}")
    no_note = committee(api, "POST", f"{path}/{case_id}-nursing", body={"result": "deceased"})
    assert (no_note.status_code, no_note.data["error"]["code"]) == (422, "MISSING_FIELD")
    deceased = committee(api, "POST", f"{path}/{case_id}-nursing", body={"result": "deceased", "note": "家属告知已去世"})
    assert (deceased.status_code, deceased.data["result"], deceased.data["note"]) == (200, "deceased", "家属告知已去世")
    bad = committee(api, "POST", f"{path}/{case_id}-nursing", body={"result": "gone", "note": "x"})
    assert (bad.status_code, bad.data["error"]["code"]) == (422, "UNKNOWN_RESULT")
    assert committee(api, "GET", path).data["counts"] == {
        "total": 2, "open": 0, "recorded": 2, "present": 1, "deceased": 1, "moved": 0, "other_change": 0}
    # nothing stops without a person confirming it
    assert api.reviewer("GET", f"/entitlements/{case_id}-nursing").data["status"] == "active"


def test_another_committee_and_units_outside_the_township_are_refused(api):
    case_id = recipients(api, committees=(FIRST,))[0]
    issue_monthly_checks(monitoring(), [HARBIN_TOWNSHIP], MONTH)
    path = f"/checks/{FIRST}/{MONTH}"
    other = committee(api, "POST", f"{path}/{case_id}-living", unit=SECOND, body={"result": "present"})
    assert (other.status_code, other.data["error"]["code"]) == (403, "UNIT_OUT_OF_REACH")
    assert committee(api, "GET", path, unit=SECOND).status_code == 403
    assert api.reviewer("GET", path).status_code == 200  # the township's reviewer reads
    assert api.reviewer("GET", path, unit=HARBIN_OTHER_TOWNSHIP).status_code == 403
    assert api.call("GET", path, "supervisor", "2301").status_code == 200
    assert api.call("GET", path, "supervisor", "3101").status_code == 403
    assert api.window("GET", path).data["error"]["code"] == "ROLE_NOT_ALLOWED"
    by_reviewer = api.reviewer("POST", f"{path}/{case_id}-living", {"result": "present"})
    assert (by_reviewer.status_code, by_reviewer.data["error"]["code"]) == (403, "ROLE_NOT_ALLOWED")


def test_unknown_items_and_malformed_paths_are_refused_with_their_codes(api):
    recipients(api, committees=(FIRST,))
    issue_monthly_checks(monitoring(), [HARBIN_TOWNSHIP], MONTH)
    unknown = committee(api, "POST", f"/checks/{FIRST}/{MONTH}/C20260101NOPE-living", body={"result": "present"})
    assert (unknown.status_code, unknown.data["error"]["code"]) == (404, "CHECK_NOT_FOUND")
    bad_month = committee(api, "GET", f"/checks/{FIRST}/2026-13")
    assert (bad_month.status_code, bad_month.data["error"]["code"]) == (422, "MONTH_FORMAT")
    bad_unit = committee(api, "GET", f"/checks/{HARBIN_TOWNSHIP}/{MONTH}")
    assert (bad_unit.status_code, bad_unit.data["error"]["code"]) == (422, "UNIT_FORMAT")
    no_body = committee(api, "POST", f"/checks/{FIRST}/{MONTH}/x")
    assert no_body.status_code == 400


def test_re_running_the_job_keeps_results_and_recording_again_keeps_every_recording(api):
    case_id = recipients(api, committees=(FIRST,))[0]
    issue_monthly_checks(monitoring(), [HARBIN_TOWNSHIP], MONTH)
    item = f"/checks/{FIRST}/{MONTH}/{case_id}-living"
    committee(api, "POST", item, body={"result": "moved", "note": "迁往大连"})
    again = issue_monthly_checks(monitoring(), [HARBIN_TOWNSHIP], MONTH)
    assert (again["issued"], again["already_issued"]) == (0, 2)
    listed = committee(api, "GET", f"/checks/{FIRST}/{MONTH}").data["checks"]
    assert len(listed) == 2 and listed[0]["result"] == "moved"
    api.now = "2026-10-20T09:00:00+08:00"
    corrected = committee(api, "POST", item, body={"result": "present", "note": "未迁出，核实有误"})
    assert (corrected.data["result"], corrected.data["recorded_at"]) == ("present", "2026-10-20T09:00:00+08:00")
    assert [r["result"] for r in corrected.data["recordings"]] == ["moved", "present"]
    api.now = "2026-11-01T09:00:00+08:00"
    late = committee(api, "POST", item, body={"result": "present"})
    assert (late.status_code, late.data["error"]["code"]) == (409, "CHECK_MONTH_CLOSED")


def test_from_the_25th_the_township_hears_how_many_checks_are_still_unrecorded(aws, api):
    case_ids = recipients(api, committees=(FIRST, SECOND))
    issue_monthly_checks(monitoring(), [HARBIN_TOWNSHIP], MONTH)
    committee(api, "POST", f"/checks/{FIRST}/{MONTH}/{case_ids[0]}-living", body={"result": "present"})
    queue = subscribe(topic(aws, "escalations"), "township-escalations")
    envelopes = enveloped(topic(aws, "escalations"), "escalation-envelopes")

    early = escalate_unrecorded(monitoring(), MONTH, datetime.fromisoformat("2026-10-24T09:00:00+08:00"))
    assert early["due"] is False
    assert overdue_checks(wait_messages(queue, 1, seconds=1.0)) == []

    due = escalate_unrecorded(monitoring(), MONTH, datetime.fromisoformat("2026-10-26T09:00:00+08:00"))
    assert (due["escalated"], due["unrecorded"]) == (1, 3)
    [message] = overdue_checks(wait_messages(queue, 1))
    assert message == {"business_unit": HARBIN_TOWNSHIP, "month": MONTH, "unrecorded": 3,
                       "committees": {FIRST: 1, SECOND: 2}, "action": message["action"]}
    assert envelope_of(wait_messages(envelopes, 1), "monthly-check-overdue") == [
        ("monthly-check-overdue", {"business_unit": HARBIN_TOWNSHIP, "kind": "monthly_check_overdue"})]
    rerun = escalate_unrecorded(monitoring(), MONTH, datetime.fromisoformat("2026-10-26T15:00:00+08:00"))
    assert (rerun["escalated"], rerun["already_today"]) == (0, 1)  # once a day
    assert overdue_checks(wait_messages(queue, 1, seconds=1.0)) == []


def overdue_checks(messages):
    return [m for m in messages if "unrecorded" in m]


def enveloped(topic_arn, name):
    """A queue receiving SNS envelopes (subject and message attributes), not raw messages."""
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return queue


def envelope_of(messages, subject):
    return [(m["Subject"], {k: v["Value"] for k, v in m["MessageAttributes"].items()})
            for m in messages if m.get("Subject") == subject]


def test_the_townships_reviewer_sees_the_non_present_results_as_proposals(api):
    first, second = recipients(api, committees=(FIRST, SECOND))
    issue_monthly_checks(monitoring(), [HARBIN_TOWNSHIP], MONTH)
    committee(api, "POST", f"/checks/{FIRST}/{MONTH}/{first}-living", body={"result": "deceased", "note": "已去世"})
    committee(api, "POST", f"/checks/{FIRST}/{MONTH}/{first}-nursing", body={"result": "present"})
    moved = f"/checks/{SECOND}/{MONTH}/{second}-living"
    committee(api, "POST", moved, unit=SECOND, body={"result": "moved", "note": "户籍迁出"})
    changes = api.reviewer("GET", f"/checks/{HARBIN_TOWNSHIP}/{MONTH}/changes")
    assert changes.status_code == 200, changes.data
    assert [(c["entitlement_id"], c["result"]) for c in changes.data["changes"]] == sorted(
        [(f"{first}-living", "deceased"), (f"{second}-living", "moved")])
    assert changes.data["changes"][0]["confirm_with"].endswith("/status")
    committee(api, "POST", moved, unit=SECOND, body={"result": "present"})  # the committee corrects itself
    again = api.reviewer("GET", f"/checks/{HARBIN_TOWNSHIP}/{MONTH}/changes").data["changes"]
    assert [c["entitlement_id"] for c in again] == [f"{first}-living"]
    assert committee(api, "GET", f"/checks/{HARBIN_TOWNSHIP}/{MONTH}/changes").status_code == 403
    assert api.reviewer("GET", f"/checks/{HARBIN_TOWNSHIP}/{MONTH}/changes", unit=HARBIN_OTHER_TOWNSHIP
                        ).status_code == 403


def test_review_tasks_are_created_once_a_year_and_recorded_by_the_townships_reviewer(api):
    case_ids = recipients(api)
    first = yearly_review_tasks(monitoring(), [HARBIN_TOWNSHIP], 2026)
    assert (first["created"], first["already_created"]) == (6, 0)
    second = yearly_review_tasks(monitoring(), [HARBIN_TOWNSHIP], 2026)
    assert (second["created"], second["already_created"]) == (0, 6)
    path = f"/reviews/{HARBIN_TOWNSHIP}/2026"
    page = api.reviewer("GET", f"{path}?limit=4")
    assert page.status_code == 200, page.data
    rest = api.reviewer("GET", f"{path}?limit=4&next_token={page.data['next_token']}")
    tasks = page.data["tasks"] + rest.data["tasks"]
    assert len(tasks) == 6 and {t["status"] for t in tasks} == {"open"}
    assert {t["certificate_expiry"] for t in tasks} == {"2031-05"}
    item = f"{path}/{case_ids[0]}-living"
    no_method = api.reviewer("POST", item, {"outcome": "confirmed", "note": "入户核查无变化"})
    assert (no_method.status_code, no_method.data["error"]["code"]) == (422, "MISSING_FIELD")
    guessed = api.reviewer("POST", item, {"outcome": "confirmed", "method": "guess"})
    assert (guessed.status_code, guessed.data["error"]["code"]) == (422, "UNKNOWN_METHOD")
    done = api.reviewer("POST", item, {"outcome": "confirmed", "method": "home_visit", "note": "入户核查无变化"})
    assert (done.status_code, done.data["status"], done.data["outcome"]) == (200, "done", "confirmed")
    assert done.data["method"] == "home_visit" and done.data["recordings"][-1]["method"] == "home_visit"
    no_note = api.reviewer("POST", item, {"outcome": "change_needed", "method": "data_comparison"})
    assert (no_note.status_code, no_note.data["error"]["code"]) == (422, "MISSING_FIELD")
    assert api.reviewer("POST", item, {"outcome": "confirmed", "method": "home_visit"},
                        unit=HARBIN_OTHER_TOWNSHIP).status_code == 403
    assert api.call("POST", item, "supervisor", "2301", {"outcome": "confirmed", "method": "home_visit"}
                    ).status_code == 403
    assert api.call("GET", path, "supervisor", "2301").status_code == 200
    assert api.reviewer("POST", f"{path}/NOPE-living", {"outcome": "confirmed", "method": "home_visit"}
                        ).status_code == 404
    forged = api.reviewer("GET", f"{path}?next_token=bm90LWEta2V5")
    assert (forged.status_code, forged.data["error"]["code"]) == (422, "BAD_PAGE_TOKEN")
    # a re-run keeps the recorded outcome
    yearly_review_tasks(monitoring(), [HARBIN_TOWNSHIP], 2026)
    after = api.reviewer("GET", path).data["tasks"]
    assert [t["outcome"] for t in after if t["entitlement_id"] == f"{case_ids[0]}-living"] == ["confirmed"]


def test_a_certificate_expiring_in_six_months_gets_exactly_one_reminder(aws, api):
    expiring = recipients(api, committees=(FIRST,), valid_until="2027-04-30")[0]
    recipients(api, committees=(SECOND,))  # valid until 2031: nothing to say yet
    yearly_review_tasks(monitoring(), [HARBIN_TOWNSHIP], 2026)
    queue = subscribe(topic(aws, "reminders"), "township-reminders")
    envelopes = enveloped(topic(aws, "reminders"), "reminder-envelopes")

    stats = certificate_expiry_reminders(monitoring(), [HARBIN_TOWNSHIP], date(2026, 10, 1))
    assert (stats["certificate_expiry"], stats["reminded"]) == ("2027-04", 2)  # living and nursing
    messages = [m for m in wait_messages(queue, 2) if "certificate_expiry" in m]
    assert sorted(m["entitlement_id"] for m in messages) == [f"{expiring}-living", f"{expiring}-nursing"]
    assert {m["business_unit"] for m in messages} == {HARBIN_TOWNSHIP}
    assert all("*" in m["masked_id"] for m in messages)
    assert envelope_of(wait_messages(envelopes, 2), "certificate-expiring") == 2 * [
        ("certificate-expiring", {"business_unit": HARBIN_TOWNSHIP, "kind": "certificate_expiring"})]

    rerun = certificate_expiry_reminders(monitoring(), [HARBIN_TOWNSHIP], date(2026, 10, 20))
    assert (rerun["reminded"], rerun["already_reminded"]) == (0, 2)
    next_year = yearly_review_tasks(monitoring(), [HARBIN_TOWNSHIP], 2027)  # carries the same expiry month
    assert next_year["created"] == 4
    assert certificate_expiry_reminders(monitoring(), [HARBIN_TOWNSHIP], date(2026, 10, 2))["reminded"] == 0
    assert [m for m in wait_messages(queue, 1, seconds=1.0) if "certificate_expiry" in m] == []
    assert certificate_expiry_reminders(monitoring(), [HARBIN_TOWNSHIP], date(2026, 11, 1))["reminded"] == 0


def test_the_scheduled_handlers_run_over_the_registered_units(api):
    """The four schedules, invoked as EventBridge would at a stated moment; three queue one message per
    township, which the unit_jobs worker runs (tests/integration/test_unit_jobs.py)."""
    monitoring().units.register(HARBIN_TOWNSHIP)
    api.now = "2026-11-10T09:00:00+08:00"  # before the 25th: the escalation only says when it is due
    assert api.invoke("monthly_checks_escalation").payload["due"] is False
    for job, counted in (("monthly_checks", "issued"), ("yearly_reviews", "created"),
                         ("certificate_reminders", "tasks_created")):
        assert api.invoke(job).payload["queued"] == 1
        [record] = UnitJobQueue().receive()
        [done] = api.invoke("unit_jobs", {"Records": [record]}).payload["records"]
        assert (done["job"], done["unit"], counted in done) == (job, HARBIN_TOWNSHIP, True)
