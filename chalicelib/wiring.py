"""Lazy construction of the adapters a Lambda container reuses between requests.

Imported with ``app``: what every request's ``deps()`` is built from (the case store, files, calendar, clock,
rules, rosters, messages). The adapters and services only some routes and jobs use (entitlements, the ledger and
roster files, proposals, checks and reviews, the unit jobs queue, the limits and idempotency tables) are imported
by their factory, on first use: ``import app`` need not load them (docs/decisions.md 2026-12-06)."""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .adapters.calendar import OfficialCalendar
from .adapters.calendar_table import CalendarYears
from .adapters.clock import CaseClock
from .adapters.clock_table import ClockItems
from .adapters.files import MaterialFiles
from .adapters.messages_table import Outbox
from .adapters.notify import Notifier
from .adapters.registers_table import Rosters
from .adapters.rules_table import JurisdictionRules
from .adapters.sms_gateway import ConfiguredSms
from .adapters.store import CaseRepository
from .config import load
from .services.calendar import DeadlineService
from .services.cases import Deps
from .services.clocks import ClockService
from .services.messages import Messaging

if TYPE_CHECKING:
    from .adapters.entitlements_table import Entitlements
    from .adapters.idempotency_table import IdempotencyKeys
    from .adapters.job_queue import UnitJobQueue
    from .adapters.limits_table import Counters
    from .adapters.proposals_table import Proposals
    from .services.comparison import Comparisons
    from .services.monitoring import Monitoring
    from .services.payroll import Payroll


@lru_cache(maxsize=1)
def calendar_years() -> CalendarYears:
    return CalendarYears()


@lru_cache(maxsize=1)
def jurisdiction_rules() -> JurisdictionRules:
    return JurisdictionRules()


@lru_cache(maxsize=1)
def entitlement_store() -> Entitlements:
    from .adapters.entitlements_table import Entitlements

    return Entitlements()


@lru_cache(maxsize=1)
def idempotency_keys() -> IdempotencyKeys:
    from .adapters.idempotency_table import IdempotencyKeys

    return IdempotencyKeys()


@lru_cache(maxsize=1)
def proposals() -> Proposals:
    from .adapters.proposals_table import Proposals

    return Proposals()


@lru_cache(maxsize=1)
def rosters() -> Rosters:
    return Rosters()


@lru_cache(maxsize=1)
def notifier() -> Notifier:
    return Notifier()


@lru_cache(maxsize=1)
def progress_counters() -> Counters:
    """The public progress route's limit counters."""
    from .adapters.limits_table import Counters

    return Counters()


def _message_send_failed() -> None:
    from . import (
        observability,  # imported late: the metrics set-up is not needed to send a message
    )

    observability.count("MessageSendFailed")


@lru_cache(maxsize=1)
def messaging() -> Messaging:
    """Milestone SMS to applicants: the outbox table, the SMS channel (SMS_CHANNEL: SNS to the number, or the
    province's gateway through the outbox topic), failure reports and the MessageSendFailed metric."""
    return Messaging(repo=CaseRepository(), outbox=Outbox(), sender=notifier(), failed_metric=_message_send_failed,
                     sms=ConfiguredSms(notifier()))


@lru_cache(maxsize=1)
def deps() -> Deps:
    config = load()
    deadlines = DeadlineService(OfficialCalendar(loader=calendar_years().cached))
    return Deps(
        repo=CaseRepository(),
        files=MaterialFiles(config.materials_bucket),
        results=notifier(),
        deadlines=deadlines,
        max_material_bytes=config.max_material_bytes,
        clock=ClockService(CaseClock(config.clock_state_machine_arn), ClockItems(), deadlines,
                           config.seconds_per_working_day),
        rules=jurisdiction_rules(),
        rosters=rosters(),
        person_key_secret=config.person_key_secret,
        messages=messaging(),
    )


@lru_cache(maxsize=1)
def monitoring() -> Monitoring:
    """The monthly 查询登记 and the yearly review (定期复核)."""
    from .adapters.checks_table import MonthlyChecks
    from .adapters.monitored_units import MonitoredUnits
    from .adapters.reviews_table import ReviewTasks
    from .services.monitoring import Monitoring

    return Monitoring(entitlements=entitlement_store(), checks=MonthlyChecks(), units=MonitoredUnits(),
                      tasks=ReviewTasks(), cases=CaseRepository(), notifier=notifier())


@lru_cache(maxsize=1)
def unit_job_queue() -> UnitJobQueue:
    """The per-township job queue the supervision dispatchers send to (``config.unit_jobs_queue()``)."""
    from .adapters.job_queue import UnitJobQueue

    return UnitJobQueue()


@lru_cache(maxsize=1)
def payroll() -> Payroll:
    """Money: entitlements, the ledger, the rosters' records and files, and the rules that price them."""
    from .adapters.ledger_table import LedgerTable, Payrolls
    from .adapters.payroll_files import PayrollFiles
    from .services.payroll import Payroll
    from .services.rules import RulePricing

    return Payroll(entitlements=entitlement_store(), ledgers=LedgerTable(), records=Payrolls(), files=PayrollFiles(),
                   pricing=RulePricing(jurisdiction_rules()))


@lru_cache(maxsize=1)
def comparisons() -> Comparisons:
    """The monthly data comparison: files in the materials bucket, proposals, recipients, the province's rule."""
    from .services.comparison import Comparisons
    from .services.rules import comparison_offsets

    config = load()
    return Comparisons(files=rosters(), listing=MaterialFiles(config.materials_bucket), proposals=proposals(),
                       entitlements=entitlement_store(), secret=config.person_key_secret,
                       bucket=config.materials_bucket,
                       offsets_for=lambda province, on: comparison_offsets(jurisdiction_rules(), province, on))
