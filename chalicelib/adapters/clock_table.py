"""DynamoDB: the case clock's item per case (task token, phase, overdue marks, repair flags).

The state machine writes the token, phase and overdue marks (``infra/case_clock.asl.json``);
the app reads them to move the clock, and flags a clock it could not reach as pending. A failure of the
table is the clock's too: every method does its job or raises ``ClockUnavailable`` (as ``adapters/clock.py``),
so a case change whose clock cannot be read is flagged for the sweep rather than failing after it was stored.
"""
from __future__ import annotations

from datetime import datetime

from msgspec import Struct
from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PynamoDBException
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..config import table_name
from ..domain.cases.phases import DEADLINE_KINDS
from ..domain.refusals import ClockUnavailable
from .dynamo import OnDemand


class PendingIndex(GlobalSecondaryIndex["ClockModel"]):
    """Sparse: clocks the app could not move; the sweep repairs them."""

    class Meta(OnDemand):
        index_name = "by_pending"
        projection = AllProjection()

    pending = UnicodeAttribute(hash_key=True)
    case_id = UnicodeAttribute(range_key=True)


class ClockModel(Model):
    """The case clock's side of a case, written by the state machine (token, phase, overdue marks)
    and by the app only to flag a clock it could not reach."""

    class Meta(OnDemand):
        table_name = table_name("case-clocks")

    case_id = UnicodeAttribute(hash_key=True)
    task_token = UnicodeAttribute(null=True)
    clock_phase = UnicodeAttribute(null=True)
    entered_at = UnicodeAttribute(null=True)
    late = BooleanAttribute(null=True)
    # the state machine's marks, one per deadline kind (``<kind>_overdue_at``; tests/unit check the list against
    # chalicelib.domain.cases.phases.DEADLINE_KINDS)
    materials_overdue_at = UnicodeAttribute(null=True)
    push_overdue_at = UnicodeAttribute(null=True)
    review_overdue_at = UnicodeAttribute(null=True)
    supplement_overdue_at = UnicodeAttribute(null=True)
    notify_overdue_at = UnicodeAttribute(null=True)
    pending = UnicodeAttribute(null=True)
    pending_reason = UnicodeAttribute(null=True)
    pending_since = UnicodeAttribute(null=True)
    restarts = NumberAttribute(default=0)
    by_pending = PendingIndex()


class ClockState(Struct, frozen=True):
    case_id: str
    task_token: str | None
    phase: str | None
    late: bool
    overdue_at: dict[str, str]
    pending: bool
    restarts: int


class ClockItems:
    def get(self, case_id: str) -> ClockState | None:
        try:
            item = ClockModel.get(case_id, consistent_read=True)
        except DoesNotExist:
            return None
        except PynamoDBException as error:
            raise ClockUnavailable(f"clock item: {error}") from error
        marks = {kind: getattr(item, f"{kind}_overdue_at") for kind in DEADLINE_KINDS}
        return ClockState(
            case_id=case_id, task_token=item.task_token, phase=item.clock_phase, late=bool(item.late),
            overdue_at={kind: at for kind, at in marks.items() if at},
            pending=item.pending is not None, restarts=int(item.restarts or 0),
        )

    def mark_pending(self, case_id: str, reason: str, now: datetime) -> None:
        """Flag a clock the app could not move; the sweep finds it through the sparse index."""
        try:
            ClockModel(case_id).update(actions=[
                ClockModel.pending.set("yes"),
                ClockModel.pending_reason.set(reason[:200]),
                ClockModel.pending_since.set(now.isoformat()),
            ])
        except PynamoDBException as error:
            raise ClockUnavailable(f"clock item: {error}") from error

    def restarting(self, case_id: str) -> None:
        """Before a new execution starts: the stale token and phase gone, the restart counted (still flagged; the
        new execution writes its own token and phase)."""
        try:
            ClockModel(case_id).update(actions=[
                ClockModel.task_token.remove(), ClockModel.clock_phase.remove(), ClockModel.restarts.add(1)])
        except PynamoDBException as error:
            raise ClockUnavailable(f"clock item: {error}") from error

    def repaired(self, case_id: str) -> None:
        """The new execution started: the pending flag cleared."""
        try:
            ClockModel(case_id).update(actions=[
                ClockModel.pending.remove(), ClockModel.pending_reason.remove(), ClockModel.pending_since.remove()])
        except PynamoDBException as error:
            raise ClockUnavailable(f"clock item: {error}") from error

    def pending_cases(self) -> list[str]:
        return [item.case_id for item in ClockModel.by_pending.query("yes")]
