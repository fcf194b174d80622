"""DynamoDB: the yearly review (定期复核) tasks, ``review-tasks``, one per 业务属地, year and entitlement.

- Key: hash ``task_key`` = ``<business unit>#<year>``, range ``entitlement_id``; created with
  ``attribute_not_exists`` (a re-run creates nothing twice and resets no outcome).
- Each task carries the month its certificate expires (read once from the case when the task is
  created). ``by_expiry`` (sparse): hash ``expiry_key`` = ``<business unit>#<YYYY-MM>``, present on
  tasks whose certificate date is known, so the monthly reminder reads one key per township.
- ``reminded_at`` marks the reminder, written conditionally: one reminder per entitlement.
"""
from __future__ import annotations

import base64
import json
from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, QueryError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..config import table_name
from ..domain.errors import Invalid
from ..domain.supervision.monitoring import ReviewTask
from .checks_table import Recorded
from .dynamo import OnDemand, error_code

BATCH = 100  # BatchGetItem's limit



class ExpiryIndex(GlobalSecondaryIndex["ReviewTaskModel"]):
    """Sparse: tasks whose certificate expiry month is known, by township and that month."""

    class Meta(OnDemand):
        index_name = "by_expiry"
        projection = AllProjection()

    expiry_key = UnicodeAttribute(hash_key=True)
    entitlement_id = UnicodeAttribute(range_key=True)


class ReviewTaskModel(Model):
    class Meta(OnDemand):
        table_name = table_name("review-tasks")

    task_key = UnicodeAttribute(hash_key=True)
    entitlement_id = UnicodeAttribute(range_key=True)
    business_unit = UnicodeAttribute()
    year = NumberAttribute()
    case_id = UnicodeAttribute()
    subsidy = UnicodeAttribute()
    masked_id = UnicodeAttribute()
    name = UnicodeAttribute()
    committee_unit = UnicodeAttribute(null=True)
    certificate_expiry = UnicodeAttribute(null=True)
    status = UnicodeAttribute()  # open | done
    outcome = UnicodeAttribute(null=True)  # confirmed | change_needed
    note = UnicodeAttribute(null=True)
    recorded_by = UnicodeAttribute(null=True)
    recorded_at = UnicodeAttribute(null=True)
    recordings = ListAttribute(of=Recorded, default=list)
    reminded_at = UnicodeAttribute(null=True)
    method = UnicodeAttribute(null=True)  # the latest recording's: data_comparison | home_visit | self_report
    expiry_key = UnicodeAttribute(null=True)
    by_expiry = ExpiryIndex()


MODELS: tuple[type[Model], ...] = (ReviewTaskModel,)


def task_key(business_unit: str, year: int) -> str:
    return f"{business_unit}#{year}"


def _from_model(item: ReviewTaskModel) -> ReviewTask:
    recordings = tuple({"outcome": r.result, "note": r.note, "by": r.by, "at": r.at, "method": r.method}
                       for r in item.recordings or [])
    return ReviewTask(item.business_unit, int(item.year), item.entitlement_id, item.case_id, item.subsidy,
                      item.masked_id, item.name, item.committee_unit, item.certificate_expiry, item.status,
                      item.outcome, item.note, item.recorded_by, item.recorded_at, item.reminded_at, recordings,
                      item.method)


class ReviewTasks:
    def existing(self, business_unit: str, year: int, entitlement_ids: list[str]) -> set[str]:
        """Which of these entitlements already have a task this year (batched reads, keys only)."""
        found: set[str] = set()
        key = task_key(business_unit, year)
        for start in range(0, len(entitlement_ids), BATCH):
            keys = [(key, ent_id) for ent_id in entitlement_ids[start:start + BATCH]]
            for item in ReviewTaskModel.batch_get(keys, attributes_to_get=["task_key", "entitlement_id"]):
                found.add(item.entitlement_id)
        return found

    def create(self, task: ReviewTask) -> bool:
        """Put the task if absent; False when it already existed."""
        item = ReviewTaskModel(
            task_key(task.business_unit, task.year), task.entitlement_id, business_unit=task.business_unit,
            year=task.year, case_id=task.case_id, subsidy=task.subsidy, masked_id=task.masked_id, name=task.name,
            committee_unit=task.committee_unit, certificate_expiry=task.certificate_expiry, status=task.status,
            recordings=[],
            expiry_key=f"{task.business_unit}#{task.certificate_expiry}" if task.certificate_expiry else None,
        )
        try:
            item.save(condition=ReviewTaskModel.task_key.does_not_exist())
        except PutError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def page(self, business_unit: str, year: int, limit: int, token: str | None) -> tuple[list[ReviewTask], str | None]:
        """One page of a township's tasks of the year, in entitlement order."""
        result = ReviewTaskModel.query(task_key(business_unit, year), limit=limit, consistent_read=True,
                                       last_evaluated_key=_decode(token, task_key(business_unit, year)))
        try:
            tasks = [_from_model(item) for item in result]
        except QueryError as error:  # a forged cursor that DynamoDB refuses
            if error_code(error) == "ValidationException":
                raise Invalid("BAD_PAGE_TOKEN", "next_token is not one this API issued", "next_token") from None
            raise
        return tasks, _encode(result.last_evaluated_key)

    def record(self, business_unit: str, year: int, entitlement_id: str, outcome: str, note: str, by: str,
               at: str, method: str | None = None) -> ReviewTask | None:
        """Done, with the outcome and how the review was made (the latest wins; every recording is kept). None when
        there is no task."""
        item = ReviewTaskModel(task_key(business_unit, year), entitlement_id)
        try:
            item.update(actions=[
                ReviewTaskModel.status.set("done"), ReviewTaskModel.outcome.set(outcome),
                ReviewTaskModel.method.set(method) if method else ReviewTaskModel.method.remove(),
                ReviewTaskModel.note.set(note), ReviewTaskModel.recorded_by.set(by),
                ReviewTaskModel.recorded_at.set(at),
                ReviewTaskModel.recordings.set(ReviewTaskModel.recordings.append(
                    [Recorded(result=outcome, note=note, by=by, at=at, method=method)])),
            ], condition=ReviewTaskModel.task_key.exists())
        except UpdateError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return None
            raise
        return _from_model(item)

    def expiring(self, business_unit: str, month: str) -> list[ReviewTask]:
        """Tasks (of any year) of a township whose certificate expires in ``month``."""
        return [_from_model(item) for item in ReviewTaskModel.by_expiry.query(f"{business_unit}#{month}")]

    def mark_reminded(self, task: ReviewTask, at: str) -> bool:
        """True for the one caller that marks the reminder; False when it was already marked."""
        try:
            ReviewTaskModel(task_key(task.business_unit, task.year), task.entitlement_id).update(
                actions=[ReviewTaskModel.reminded_at.set(at)],
                condition=ReviewTaskModel.task_key.exists() & ReviewTaskModel.reminded_at.does_not_exist())
        except UpdateError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def unmark_reminded(self, task: ReviewTask) -> None:
        """The reminder could not be published: let the next run send it."""
        ReviewTaskModel(task_key(task.business_unit, task.year), task.entitlement_id).update(
            actions=[ReviewTaskModel.reminded_at.remove()])


def _encode(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def _decode(token: str | None, expected_task_key: str) -> dict[str, Any] | None:
    """A cursor this API issued for this very list (never one pointing into another unit's tasks)."""
    if not token:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        raise Invalid("BAD_PAGE_TOKEN", "next_token is not one this API issued", "next_token") from None
    if not isinstance(key, dict) or set(key) != {"task_key", "entitlement_id"} or not all(
            isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in key.values()) \
            or key["task_key"]["S"] != expected_task_key:
        raise Invalid("BAD_PAGE_TOKEN", "next_token is not one this API issued", "next_token")
    return key
