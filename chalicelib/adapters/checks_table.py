"""DynamoDB: the monthly 查询登记 (``monthly-checks``), one item per committee, month and entitlement.

- Key: hash ``list_key`` = ``<committee unit>#<month>`` (a committee's list is one query), range
  ``entitlement_id``. Issued with ``attribute_not_exists``, so re-running a month never duplicates an
  item nor resets a recorded result.
- ``by_open`` (sparse, keys only): hash ``open_key`` = ``<business unit>#<month>``, set only while the
  check is unrecorded and removed by the recording; the escalation reads only what is still open.
- ``by_change`` (sparse): hash ``change_key`` = ``<business unit>#<month>``, set only while the result
  is not ``present``; the township's reviewer reads the proposed changes without a scan.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from pynamodb.attributes import ListAttribute, MapAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from ..config import table_name
from ..domain.supervision.monitoring import Check
from .dynamo import OnDemand, error_code


class OpenIndex(GlobalSecondaryIndex["CheckModel"]):
    """Sparse, keys only: the checks of a township and month still unrecorded."""

    class Meta(OnDemand):
        index_name = "by_open"
        projection = KeysOnlyProjection()

    open_key = UnicodeAttribute(hash_key=True)
    entitlement_id = UnicodeAttribute(range_key=True)


class ChangeIndex(GlobalSecondaryIndex["CheckModel"]):
    """Sparse: the checks of a township and month whose latest result is not ``present``."""

    class Meta(OnDemand):
        index_name = "by_change"
        projection = AllProjection()

    change_key = UnicodeAttribute(hash_key=True)
    entitlement_id = UnicodeAttribute(range_key=True)


class Recorded(MapAttribute[str, Any]):
    result = UnicodeAttribute()
    note = UnicodeAttribute()
    by = UnicodeAttribute()
    at = UnicodeAttribute()
    method = UnicodeAttribute(null=True)  # a yearly review's (reviews_table); a monthly check has none


class CheckModel(Model):
    class Meta(OnDemand):
        table_name = table_name("monthly-checks")

    list_key = UnicodeAttribute(hash_key=True)
    entitlement_id = UnicodeAttribute(range_key=True)
    committee_unit = UnicodeAttribute()
    month = UnicodeAttribute()
    business_unit = UnicodeAttribute()
    case_id = UnicodeAttribute()
    subsidy = UnicodeAttribute()
    masked_id = UnicodeAttribute()
    name = UnicodeAttribute()
    status_in_month = UnicodeAttribute()
    result = UnicodeAttribute(null=True)  # present | deceased | moved | other_change, once recorded
    note = UnicodeAttribute(null=True)
    recorded_by = UnicodeAttribute(null=True)
    recorded_at = UnicodeAttribute(null=True)
    recordings = ListAttribute(of=Recorded, default=list)  # every recording, the latest last
    open_key = UnicodeAttribute(null=True)
    change_key = UnicodeAttribute(null=True)
    by_open = OpenIndex()
    by_change = ChangeIndex()


MODELS: tuple[type[Model], ...] = (CheckModel,)


def list_key(committee_unit: str, month: str) -> str:
    return f"{committee_unit}#{month}"


def unit_month(business_unit: str, month: str) -> str:
    return f"{business_unit}#{month}"


def _from_model(item: CheckModel) -> Check:
    recordings = tuple({"result": r.result, "note": r.note, "by": r.by, "at": r.at} for r in item.recordings or [])
    return Check(item.committee_unit, item.month, item.entitlement_id, item.business_unit, item.case_id,
                 item.subsidy, item.masked_id, item.name, item.status_in_month, item.result, item.note,
                 item.recorded_by, item.recorded_at, recordings)


class MonthlyChecks:
    def issue(self, check: Check) -> bool:
        """Put the check if it is not there yet; False when it already was (recorded or not)."""
        item = CheckModel(
            list_key(check.committee_unit, check.month), check.entitlement_id,
            committee_unit=check.committee_unit, month=check.month, business_unit=check.business_unit,
            case_id=check.case_id, subsidy=check.subsidy, masked_id=check.masked_id, name=check.name,
            status_in_month=check.status_in_month, recordings=[],
            open_key=unit_month(check.business_unit, check.month),
        )
        try:
            item.save(condition=CheckModel.list_key.does_not_exist())
        except PutError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def of_committee(self, committee_unit: str, month: str) -> list[Check]:
        """A committee's list for the month (a committee has hundreds of recipients, not millions)."""
        return [_from_model(item) for item in CheckModel.query(list_key(committee_unit, month), consistent_read=True)]

    def record(self, committee_unit: str, month: str, entitlement_id: str, result: str, note: str, by: str,
               at: str) -> Check | None:
        """The latest result wins; every recording is kept. None when there is no such check."""
        item = CheckModel(list_key(committee_unit, month), entitlement_id)
        change = unit_month(committee_unit[:9], month)  # issued only where the committee lies in the unit
        try:
            item.update(actions=[
                CheckModel.result.set(result), CheckModel.note.set(note),
                CheckModel.recorded_by.set(by), CheckModel.recorded_at.set(at),
                CheckModel.recordings.set(CheckModel.recordings.append([Recorded(result=result, note=note, by=by,
                                                                                 at=at)])),
                CheckModel.open_key.remove(),
                CheckModel.change_key.remove() if result == "present" else CheckModel.change_key.set(change),
            ], condition=CheckModel.list_key.exists())
        except UpdateError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return None
            raise
        return _from_model(item)

    def open_by_committee(self, business_unit: str, month: str) -> dict[str, int]:
        """Unrecorded checks of a township and month, counted per committee (the sparse keys-only index)."""
        counted: Counter[str] = Counter()
        for item in CheckModel.by_open.query(unit_month(business_unit, month)):
            counted[item.list_key.split("#", 1)[0]] += 1
        return dict(sorted(counted.items()))

    def changes(self, business_unit: str, month: str) -> list[Check]:
        """The township's checks of the month whose latest result is not ``present``."""
        return [_from_model(item) for item in CheckModel.by_change.query(unit_month(business_unit, month))]
