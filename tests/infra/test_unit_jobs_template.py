"""The unit jobs' queue in the merge template: dead letters, the customer key, a visibility timeout the worker
fits in six times over, an alarm on the dead letters, and least-privilege grants on both sides."""
from __future__ import annotations

from app import app
from infra import policies
from infra.template import WORKER_TIMEOUT, build, function_ids, queue_workers, schedule_names


def test_the_queue_dead_letters_after_three_receives_and_hides_a_message_six_worker_timeouts():
    resources = build("prod")["Resources"]
    queue = resources["UnitJobsQueue"]["Properties"]
    assert queue["QueueName"] == "subsidy-prod-unit-jobs"  # config.unit_jobs_queue() in the prod stage
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["UnitJobsDeadLetters", "Arn"]},
                                      "maxReceiveCount": 3}
    assert queue["VisibilityTimeout"] >= 6 * WORKER_TIMEOUT
    for name in ("UnitJobsQueue", "UnitJobsDeadLetters"):
        assert resources[name]["Properties"]["KmsMasterKeyId"] == {"Ref": "MaterialsKey"}
    alarm = resources["UnitJobsDeadLettersAlarm"]["Properties"]
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["UnitJobsDeadLetters", "QueueName"]}}]


def test_the_worker_reads_the_template_s_queue_with_the_longest_timeout_and_no_async_dead_letters():
    assert queue_workers(app) == ["unit_jobs"] and "unit_jobs" not in schedule_names(app)
    resources = build("dev")["Resources"]
    function_id, _ = function_ids(app)["unit_jobs"]
    worker = resources[function_id]["Properties"]
    assert worker["Timeout"] == WORKER_TIMEOUT and "DeadLetterQueue" not in worker
    [event] = worker["Events"].values()
    assert event["Properties"]["Queue"] == {"Fn::Sub": "${UnitJobsQueue.Arn}"}


def test_the_dispatchers_may_only_send_and_the_worker_only_receive():
    def actions(function: str) -> set[str]:
        return {a for g in policies.grants(function, function in schedule_names(app)) for a in g.actions
                if a.startswith("sqs:") and any("UnitJobsQueue" in r for r in g.resources)}

    for dispatcher in ("monthly_checks", "yearly_reviews", "certificate_reminders"):
        assert actions(dispatcher) == {"sqs:GetQueueUrl", "sqs:SendMessage"}
    assert actions("unit_jobs") == {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
