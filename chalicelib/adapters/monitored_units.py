"""DynamoDB: ``monitored-units``, the 业务属地 (9-digit townships) that have recipients to supervise.

One tiny item per township: written when an entitlement is granted (``unit_item`` inside the
decision's transaction, or ``register_unit``) and by the monthly jobs for the units they are given.
The scheduled jobs read the whole registry with a scan: a few thousand items read once a month (and
once a day by the escalation) cost less than keeping a second index, and nothing else scans it.
"""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.models import Model

from ..config import table_name
from .dynamo import OnDemand, error_code


class MonitoredUnitModel(Model):
    class Meta(OnDemand):
        table_name = table_name("monitored-units")

    business_unit = UnicodeAttribute(hash_key=True)
    checks_escalated_on = UnicodeAttribute(null=True)  # YYYY-MM-DD: at most one escalation a day


MODELS: tuple[type[Model], ...] = (MonitoredUnitModel,)


def unit_item(business_unit: str) -> MonitoredUnitModel:
    """The registry item, for the transaction that grants an entitlement: an unconditional put, idempotent
    (it may clear the day's escalation mark, so at worst a township hears twice that day)."""
    return MonitoredUnitModel(business_unit)


class MonitoredUnits:
    def register(self, business_unit: str) -> None:
        """Idempotent; an item already there keeps what it holds."""
        try:
            MonitoredUnitModel(business_unit).save(condition=MonitoredUnitModel.business_unit.does_not_exist())
        except PutError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    def all(self) -> list[str]:
        """Every registered 业务属地, sorted (a scan: see the module docstring)."""
        return sorted(item.business_unit for item in MonitoredUnitModel.scan())

    def first_escalation_on(self, business_unit: str, day: str) -> bool:
        """True once per unit and day: a re-run of the daily escalation publishes nothing twice."""
        try:
            MonitoredUnitModel(business_unit).update(
                actions=[MonitoredUnitModel.checks_escalated_on.set(day)],
                condition=MonitoredUnitModel.checks_escalated_on.does_not_exist()
                | (MonitoredUnitModel.checks_escalated_on != day))
        except UpdateError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True


def register_unit(business_unit: str) -> None:
    """Put a 业务属地 under the monthly 查询登记 and the yearly review."""
    MonitoredUnits().register(business_unit)
