"""DynamoDB: data-comparison loads and the stop/suspend proposals they raise.

- ``comparison-loads``: one item per S3 object version; written ``loading`` first and ``done``
  last, so an interrupted run resumes and a finished file is never processed twice.
- ``proposals``: one item per (load, entitlement), put only if absent (exactly once even when a
  run is repeated); GSIs by 业务属地 and by 受理地, range ``<status>#<proposal id>``, so each side
  lists what is still proposed without a scan.
"""
from __future__ import annotations

from typing import Any

from msgspec import Struct
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..config import table_name
from .dynamo import OnDemand, error_code


class ComparisonLoadModel(Model):
    class Meta(OnDemand):
        table_name = table_name("comparison-loads")

    load_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    key = UnicodeAttribute()
    status = UnicodeAttribute()  # loading | done
    comparison_month = UnicodeAttribute()
    loaded_by = UnicodeAttribute()
    loaded_at = UnicodeAttribute()
    rows = NumberAttribute(default=0)
    errors = NumberAttribute(default=0)
    proposals = NumberAttribute(default=0)


class BusinessSide(GlobalSecondaryIndex["ProposalModel"]):
    class Meta(OnDemand):
        index_name = "by_business_unit"
        projection = AllProjection()

    business_unit = UnicodeAttribute(hash_key=True)
    state_key = UnicodeAttribute(range_key=True)


class AcceptingSide(GlobalSecondaryIndex["ProposalModel"]):
    class Meta(OnDemand):
        index_name = "by_accepting_unit"
        projection = AllProjection()

    accepting_unit = UnicodeAttribute(hash_key=True)
    state_key = UnicodeAttribute(range_key=True)


class ProposalModel(Model):
    class Meta(OnDemand):
        table_name = table_name("proposals")

    proposal_id = UnicodeAttribute(hash_key=True)
    load_id = UnicodeAttribute()
    entitlement_id = UnicodeAttribute()
    case_id = UnicodeAttribute()
    business_unit = UnicodeAttribute()
    accepting_unit = UnicodeAttribute()
    subsidy = UnicodeAttribute()
    masked_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    action = UnicodeAttribute()
    reason = UnicodeAttribute()
    effective_month = UnicodeAttribute()
    event_date = UnicodeAttribute()
    status = UnicodeAttribute()  # proposed | confirmed | rejected
    state_key = UnicodeAttribute()
    created_at = UnicodeAttribute()
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    # 个人主动申报 (services/reports.py): source "self_report"; a data comparison's is "comparison" (or none, before)
    source = UnicodeAttribute(null=True)
    reporter = UnicodeAttribute(null=True)  # self | family
    report_channel = UnicodeAttribute(null=True)  # public | window
    reported_by = UnicodeAttribute(null=True)
    received_by = UnicodeAttribute(null=True)  # the window's unit
    report_contact = UnicodeAttribute(null=True)
    # a DPF certificate roster's changed category or grade (services/disability.py): the facts a "correct" sets, JSON
    new_facts = UnicodeAttribute(null=True)
    by_business = BusinessSide()
    by_accepting = AcceptingSide()


FIELDS = ("proposal_id", "load_id", "entitlement_id", "case_id", "business_unit", "accepting_unit", "subsidy",
          "masked_id", "kind", "action", "reason", "effective_month", "event_date", "status", "created_at",
          "decided_by", "decided_at", "note", "source", "reporter", "report_channel", "reported_by", "received_by",
          "report_contact", "new_facts")


def as_dict(item: ProposalModel) -> dict[str, Any]:
    return {name: getattr(item, name) for name in FIELDS}


class LoadState(Struct, frozen=True):
    status: str
    rows: int
    errors: int
    proposals: int


class Proposals:
    def load_state(self, load_id: str) -> LoadState | None:
        try:
            item = ComparisonLoadModel.get(load_id, consistent_read=True)
        except DoesNotExist:
            return None
        return LoadState(item.status, int(item.rows), int(item.errors), int(item.proposals))

    def start_load(self, load_id: str, kind: str, key: str, month: str, by: str, at: str) -> bool:
        """Claim the load; False if it is already done (a started, unfinished one may resume)."""
        item = ComparisonLoadModel(load_id, kind=kind, key=key, status="loading", comparison_month=month,
                                   loaded_by=by, loaded_at=at)
        try:
            item.save(condition=ComparisonLoadModel.load_id.does_not_exist()
                      | (ComparisonLoadModel.status == "loading"))
        except PutError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def finish_load(self, load_id: str, rows: int, errors: int, proposals: int) -> None:
        ComparisonLoadModel(load_id).update(actions=[
            ComparisonLoadModel.status.set("done"), ComparisonLoadModel.rows.set(rows),
            ComparisonLoadModel.errors.set(errors), ComparisonLoadModel.proposals.set(proposals)])

    def propose(self, fields: dict[str, Any]) -> bool:
        """Put a proposal once; False when this load already proposed it (a resumed run)."""
        item = ProposalModel(fields["proposal_id"], state_key=f"proposed#{fields['proposal_id']}",
                             status="proposed", **{k: v for k, v in fields.items() if k != "proposal_id"})
        try:
            item.save(condition=ProposalModel.proposal_id.does_not_exist())
        except PutError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get(self, proposal_id: str) -> dict[str, Any] | None:
        try:
            return as_dict(ProposalModel.get(proposal_id, consistent_read=True))
        except DoesNotExist:
            return None

    def decide(self, proposal_id: str, status: str, by: str, at: str, note: str) -> bool:
        """Close a proposal once; False if someone decided it first."""
        try:
            ProposalModel(proposal_id).update(
                actions=[ProposalModel.status.set(status), ProposalModel.state_key.set(f"{status}#{proposal_id}"),
                         ProposalModel.decided_by.set(by), ProposalModel.decided_at.set(at),
                         ProposalModel.note.set(note)],
                condition=ProposalModel.status == "proposed")
        except UpdateError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def of_side(self, side: str, unit: str, status: str | None) -> list[dict[str, Any]]:
        index = ProposalModel.by_business if side == "business" else ProposalModel.by_accepting
        condition = ProposalModel.state_key.startswith(f"{status}#") if status else None
        return [as_dict(item) for item in index.query(unit, condition)]


MODELS = (ComparisonLoadModel, ProposalModel)
