"""What the stores and gateways refuse, in the domain's words.

The adapters turn DynamoDB's, SNS's and Step Functions' refusals into these (a cancelled transaction, a failed
condition, an unreachable service); the services catch them and answer with a ``DomainError`` (usually a 409) or
re-read and retry (``services.retrying``). No service sees a PynamoDB or botocore exception.

Implements: no statute — an engineering rule (optimistic concurrency and the 重复领取 locks, docs/decisions.md).
"""
from __future__ import annotations

# --- cases ----------------------------------------------------------------------------------------------------

class StaleCase(Exception):
    """The case changed since it was read (its version moved on), or a conditioned item written with it
    (a message's state, a lock) is no longer as read: re-read and try again."""


class LockHeld(Exception):
    """A person lock another case holds (重复领取 / a second open application): ``key``, the holding case and the
    person's masked ID number, to name them in the answer."""

    def __init__(self, key: str, case_id: str, masked_id: str) -> None:
        super().__init__(key)
        self.key, self.case_id, self.masked_id = key, case_id, masked_id


# --- entitlements and the payment ledger ----------------------------------------------------------------------

class StaleEntitlement(Exception):
    """The entitlement changed since it was read, or its person lock is taken."""


class LockTaken(StaleEntitlement):
    """Another entitlement of the person holds the lock for months this change would pay again."""

    def __init__(self, entitlement_id: str, case_id: str, masked_id: str, held_from: str | None) -> None:
        super().__init__(entitlement_id)
        self.case_id, self.masked_id, self.held_from = case_id, masked_id, held_from


class LedgerBusy(Exception):
    """A finalization of this 业务属地's roster is running (its claim holds until ``until``)."""

    def __init__(self, month: str, until: str) -> None:
        super().__init__(month)
        self.month, self.until = month, until


class StaleLedger(Exception):
    """The ledger item changed since it was read."""


class AlreadyFinalized(Exception):
    """The roster of this month was finalized already."""


# --- settings ------------------------------------------------------------------------------------------------

class YearAlreadyLoaded(Exception):
    """Another admin loaded this calendar year first."""


class RuleExists(Exception):
    """A rule version with this key is already stored."""


# --- gateways ------------------------------------------------------------------------------------------------

class ClockUnavailable(Exception):
    """The case clock (the state machine) could not be reached or refused the call."""


class SendFailed(Exception):
    """The SMS could not be handed over; ``code`` is the gateway's error code (never the number)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
